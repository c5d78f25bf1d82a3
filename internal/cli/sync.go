package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/a20-network/fieldbook/sync/client"
)

// runEnroll enrolls the device with a hub by a one-time code.
func runEnroll(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	hubURL := fs.String("hub", "", "hub address, such as https://hub.example.org")
	code := fs.String("code", "", "one-time enrollment code from your organization's admin")
	if err := parseFlags(fs, args); err != nil {
		return err
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

// runSync syncs with the hub once and prints what moved.
func runSync(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
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
