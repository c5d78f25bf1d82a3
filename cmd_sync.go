package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/a20-network/fieldbook/sync/client"
)

func init() {
	commands["enroll"] = command{summary: "enroll this device with a hub: --hub URL --code CODE", run: runEnroll}
	commands["sync"] = command{summary: "sync with the hub once and print what moved", run: runSync}
}

func runEnroll(ctx context.Context, cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	hubURL := fs.String("hub", "", "hub address, such as https://hub.example.org")
	code := fs.String("code", "", "one-time enrollment code from your organization's admin")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: enroll: %v", errUsage, err)
	}
	if *hubURL == "" || *code == "" {
		return fmt.Errorf("%w: enroll: --hub URL and --code CODE are required", errUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	host, _ := os.Hostname()
	eng := client.New(st, client.Options{DeviceName: host})
	if err := eng.Enroll(ctx, *hubURL, *code); err != nil {
		return err
	}
	status, err := eng.Status(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "enrolled with %s in organization %s\n", status.HubURL, status.OrgID)
	return err
}

func runSync(ctx context.Context, cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("%w: sync takes no arguments", errUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	eng := client.New(st, client.Options{})
	res, err := eng.Sync(ctx, nil)
	fmt.Fprintf(out, "pushed %d, pulled %d, conflicts %d, rejected %d, bytes up %d, down %d, requests %d, in %s\n",
		res.Pushed, res.Pulled, res.Conflicts, res.Rejected, res.BytesUp, res.BytesDown, res.Requests, res.Duration.Round(1e6))
	if err != nil {
		return fmt.Errorf("sync failed (local changes are kept): %w", err)
	}
	return nil
}
