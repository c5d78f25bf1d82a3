package main

import (
	"os"

	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/ui"
)

// The window app syncs through the device's sync engine and shows the
// reports tab.
func init() {
	newSyncer = func(st *store.Store, _ config) ui.Syncer {
		name, _ := os.Hostname()
		return client.New(st, client.Options{DeviceName: name})
	}
	extraScreens = append(extraScreens, func(st *store.Store, _ config) ui.Screen {
		return ui.ReportsScreen(st)
	})
}
