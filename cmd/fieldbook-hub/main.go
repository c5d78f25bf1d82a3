// Command fieldbook-hub is the Fieldbook sync hub: a pure-Go server that
// every device syncs with, and the commands an operator runs beside it.
//
//	fieldbook-hub serve --data DIR [--addr 127.0.0.1:8440] [--tls-cert F --tls-key F] [--max-file-size 50MB] [--org-quota 2GB]
//	fieldbook-hub org add --data DIR --name NAME --country CC
//	fieldbook-hub org list --data DIR
//	fieldbook-hub enroll-code --data DIR --org ID --role staff|admin [--expires 72h]
//	fieldbook-hub device list --data DIR
//	fieldbook-hub device revoke --data DIR --id DEVICE
//	fieldbook-hub backup --data DIR --out FILE
//	fieldbook-hub restore --data DIR --from FILE
//	fieldbook-hub user add --data DIR --role coordinator|orgadmin --name NAME [--org ID] [--password-file F]
//	fieldbook-hub user list --data DIR
//	fieldbook-hub user remove --data DIR --name NAME
//
// The coordinators' dashboard is served by "serve" at /dashboard/.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/sync/hub"
)

var errUsage = errors.New("usage")

const usage = `usage: fieldbook-hub COMMAND [flags]
commands:
  serve        run the hub: --data DIR [--addr HOST:PORT] [--tls-cert F --tls-key F]
               [--max-file-size 50MB] [--org-quota 2GB] (the largest attached file the hub takes,
               and the bytes of files one organization's records may keep on it)
  org add      add an organization: --data DIR --name NAME --country CC (prints its id)
  org list     list organizations: --data DIR
  enroll-code  make a one-time enrollment code: --data DIR --org ID --role staff|admin [--expires 72h]
  device list  list enrolled devices: --data DIR
  device revoke  stop a device from syncing: --data DIR --id DEVICE
  backup       copy the database while the hub runs: --data DIR --out FILE (files go to FILE.files/)
  restore      replace the database with a backup (hub stopped): --data DIR --from FILE (and FILE.files/)
  user add     add a dashboard account: --data DIR --role coordinator|orgadmin --name NAME [--org ID]
               [--password-file F]; without a file the password is read from standard input
  user list    list dashboard accounts: --data DIR
  user remove  delete a dashboard account and sign it out: --data DIR --name NAME
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	slog.SetDefault(slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	err := dispatch(ctx, args, stdin, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "fieldbook-hub:", err)
	if errors.Is(err, errUsage) {
		fmt.Fprint(stderr, usage)
		return 2
	}
	return 1
}

func dispatch(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "org" || cmd == "device" || cmd == "user") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "hub data folder (required)")
	switch cmd {
	case "serve":
		addr := fs.String("addr", "127.0.0.1:8440", "address to listen on")
		cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
		key := fs.String("tls-key", "", "TLS key file (PEM)")
		verbose := fs.Bool("v", false, "log every request")
		limits := hub.Options{MaxFileSize: hub.DefaultMaxFileSize, OrgQuota: hub.DefaultOrgQuota}
		fs.Var((*byteSize)(&limits.MaxFileSize), "max-file-size", "largest attached file the hub takes (50MB, 1GB, bytes)")
		fs.Var((*byteSize)(&limits.OrgQuota), "org-quota", "bytes of files one organization's records may keep on the hub (2GB)")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		if (*cert == "") != (*key == "") {
			return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
		}
		return serve(ctx, *data, *addr, *cert, *key, *verbose, limits)
	case "org add":
		name := fs.String("name", "", "organization name")
		country := fs.String("country", "", "ISO 3166-1 alpha-2 country code")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error {
			id, err := h.AddOrg(ctx, *name, *country)
			if err == nil {
				fmt.Fprintln(out, id)
			}
			return err
		})
	case "org list":
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error {
			orgs, err := h.Orgs(ctx)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY")
			for _, o := range orgs {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", o.ID, o.Name, o.Country)
			}
			return errors.Join(err, tw.Flush())
		})
	case "enroll-code":
		org := fs.String("org", "", "organization id")
		role := fs.String("role", hub.RoleStaff, "staff or admin")
		expires := fs.Duration("expires", 72*time.Hour, "how long the code stays valid")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error {
			code, err := h.NewEnrollCode(ctx, *org, *role, *expires)
			if err == nil {
				fmt.Fprintln(out, code)
			}
			return err
		})
	case "device list":
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error {
			devs, err := h.Devices(ctx)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tORG\tROLE\tNAME\tENROLLED\tLAST SEEN\tREVOKED\tCOPY OF")
			for _, d := range devs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Org, d.Role, d.Name, day(d.EnrolledAt), day(d.LastSeen), day(d.RevokedAt), d.CopyOf)
			}
			return errors.Join(err, tw.Flush())
		})
	case "device revoke":
		id := fs.String("id", "", "device id (see device list)")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error { return h.RevokeDevice(ctx, *id) })
	case "backup":
		to := fs.String("out", "", "backup file to write")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, *data, func(h *hub.Hub) error { return h.Backup(ctx, *to) })
	case "restore":
		from := fs.String("from", "", "backup file to restore")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		epoch, err := hub.Restore(ctx, *data, *from)
		if err == nil {
			fmt.Fprintf(out, "restored; new epoch %s: devices will pull everything again and keep their unsent changes\n", epoch)
		}
		return err
	case "user add":
		name := fs.String("name", "", "user name to sign in with")
		role := fs.String("role", "", "coordinator or orgadmin")
		org := fs.String("org", "", "organization id (orgadmin only)")
		pwFile := fs.String("password-file", "", "read the password from the first line of this file")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		if *role != dashboard.RoleCoordinator && *role != dashboard.RoleOrgAdmin {
			return fmt.Errorf("%w: user add: --role must be coordinator or orgadmin, not %q", errUsage, *role)
		}
		if strings.TrimSpace(*name) == "" {
			return fmt.Errorf("%w: user add: --name is required", errUsage)
		}
		password, err := readPassword(in, errOut, *pwFile)
		if err != nil {
			return err
		}
		return withDashboardDB(ctx, *data, func(db *sql.DB) error {
			if err := dashboard.AddUser(ctx, db, *name, password, *role, *org); err != nil {
				return err
			}
			slog.Info("dashboard user added", "name", strings.TrimSpace(*name), "role", *role, "org", strings.TrimSpace(*org))
			fmt.Fprintf(out, "added %s %s; sign in at %s on the hub\n", *role, strings.TrimSpace(*name), dashboardPath)
			return nil
		})
	case "user list":
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withDashboardDB(ctx, *data, func(db *sql.DB) error {
			users, err := dashboard.Users(ctx, db)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tORG")
			for _, u := range users {
				org := u.OrgID
				if org == "" {
					org = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Role, org)
			}
			return errors.Join(err, tw.Flush())
		})
	case "user remove":
		name := fs.String("name", "", "user name")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withDashboardDB(ctx, *data, func(db *sql.DB) error {
			if err := dashboard.RemoveUser(ctx, db, *name); err != nil {
				return err
			}
			slog.Info("dashboard user removed", "name", strings.TrimSpace(*name))
			return nil
		})
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// readPassword returns the password from the first line of file, or else
// from in: asked for twice without echo when in is a terminal, one line
// otherwise (for scripts).
func readPassword(in io.Reader, prompt io.Writer, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	}
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(prompt, "Password: ")
		pw, err := readHidden(f)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "Again: ")
		again, err := readHidden(f)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if pw != again {
			return "", errors.New("read password: the two passwords differ")
		}
		return pw, nil
	}
	line, err := readLine(in)
	if err != nil {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return line, nil
}

// readLine reads one line from in, byte by byte so that nothing after it is
// consumed, without its line ending.
func readLine(in io.Reader) (string, error) {
	var b []byte
	buf := make([]byte, 1)
	for len(b) < 4096 {
		n, err := in.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b = append(b, buf[0])
		}
		if errors.Is(err, io.EOF) {
			if len(b) == 0 {
				return "", errors.New("no password given")
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(string(b), "\r"), nil
}

func parse(fs *flag.FlagSet, args []string, data *string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	if *data == "" {
		return fmt.Errorf("%w: %s: --data DIR is required", errUsage, fs.Name())
	}
	return nil
}

func withHub(ctx context.Context, dir string, fn func(*hub.Hub) error) error {
	h, err := hub.Open(ctx, dir, hub.Options{})
	if err != nil {
		return err
	}
	return errors.Join(fn(h), h.Close())
}

// withDashboardDB opens the hub in data folder dir, which migrates its
// database, and runs fn with the dashboard's connection pool on it.
func withDashboardDB(ctx context.Context, dir string, fn func(*sql.DB) error) error {
	return withHub(ctx, dir, func(h *hub.Hub) error {
		db, err := openDashboardDB(h)
		if err != nil {
			return err
		}
		return errors.Join(fn(db), db.Close())
	})
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateTime)
}

// serve runs the hub with the file limits of limits, and the dashboard
// over its database.
func serve(ctx context.Context, dir, addr, cert, key string, verbose bool, limits hub.Options) error {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	h, err := hub.Open(ctx, dir, hub.Options{Logger: log, MaxFileSize: limits.MaxFileSize, OrgQuota: limits.OrgQuota})
	if err != nil {
		return err
	}
	defer h.Close()
	db, err := openDashboardDB(h)
	if err != nil {
		return err
	}
	defer db.Close()
	dash, err := newDashboard(ctx, h, db, cert != "", log)
	if err != nil {
		return err
	}
	srv := newServer(addr, newHandler(h, dash, log), log)
	log.Info("hub listening", "maxFileSize", limits.MaxFileSize, "orgQuota", limits.OrgQuota, "addr", addr, "dashboard", dashboardPath, "tls", cert != "", "epoch", h.Epoch(), "db", h.Path())
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); h.SweepUploadsEvery(sweepCtx, 6*time.Hour) }()
	defer func() { stopSweep(); <-swept }()
	err = serveUntil(ctx, srv, 30*time.Second, func() error {
		if cert != "" {
			return srv.ListenAndServeTLS(cert, key)
		}
		return srv.ListenAndServe()
	})
	log.Info("hub stopped")
	return err
}
