package client_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// FuzzSyncReply feeds arbitrary hub replies to the engine. Whatever a
// broken or hostile hub sends, a sync must end (no hang, no panic), and a
// failed sync must leave the outbox as it was.
func FuzzSyncReply(f *testing.F) {
	th := startHub(f)
	org := th.org(f, "Org")
	var mu sync.Mutex // guards reply
	var reply []byte
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body := reply
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	f.Cleanup(fake.Close)
	// One enrolled device, copied fresh for every input.
	tmpl := newDevice(f, client.Options{})
	if err := tmpl.eng.Enroll(context.Background(), th.srv.URL, th.code(f, org, hub.RoleStaff)); err != nil {
		f.Fatal(err)
	}
	if _, err := tmpl.st.CreateActivity(context.Background(), activity("Pending")); err != nil {
		f.Fatal(err)
	}
	tmpl.st.Close()
	image, err := os.ReadFile(tmpl.path)
	if err != nil {
		f.Fatal(err)
	}
	opts := client.Options{Retries: 1, RequestTimeout: 2 * time.Second, NewHub: func(string) client.Hub { return client.NewHTTPHub(fake.URL, nil) }}
	f.Add([]byte(`{"v":2,"ack":0,"cur":{"e":"x","s":1}}`))
	f.Add([]byte(`{"v":2,"ack":1,"cur":{"e":"x","s":3},"rec":[{"e":"activity","i":"r1","o":"o","n":3,"h":"1767225600000.0000000000.d","f":{"title":"T","kind":"training","lat":"north"}}]}`))
	f.Add([]byte(`{"v":2,"ack":1,"rej":[{"q":1,"k":"invalid","r":"bad"}],"cur":{"e":"x","s":2},"cf":[{"i":"c1","e":"activity","r":"r1","f":"title","w":"\"a\"","l":"\"b\"","n":2}]}`))
	f.Add([]byte(`{"v":2,"ack":99999999999,"cur":{"e":"x","s":1},"more":true}`))
	f.Add([]byte(`{"v":2,"more":true,"cur":{"e":"","s":0}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		mu.Lock()
		reply = body
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		path := filepath.Join(t.TempDir(), store.DBFile)
		if err := os.WriteFile(path, image, 0o600); err != nil {
			t.Fatal(err)
		}
		d := &device{path: path, opts: opts}
		d.open(t)
		defer d.st.Close()
		// Only changes the reply acknowledges may leave the outbox.
		var parsed protocol.SyncResponse
		_ = json.Unmarshal(body, &parsed)
		unacked := func() int {
			rows, err := d.st.Outbox(ctx, max(parsed.Acked, 0), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		before := unacked()
		_, err := d.eng.Sync(ctx, nil)
		if ctx.Err() != nil {
			t.Fatalf("sync did not end: %v", err)
		}
		if after := unacked(); after < before {
			t.Fatalf("sync dropped unacknowledged changes: %d → %d (%v)", before, after, err)
		}
		if ok, err := d.st.IntegrityCheck(ctx); err != nil || ok != "ok" {
			t.Fatalf("integrity: %s %v", ok, err)
		}
	})
}
