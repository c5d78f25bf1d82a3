// Command fieldbook-hub is the Fieldbook sync hub: a pure-Go server that
// every device syncs with, and the commands an operator runs beside it.
//
//	fieldbook-hub serve --data DIR [--addr 127.0.0.1:8440] [--tls-cert F --tls-key F] [--max-file-size 50MB] [--org-quota 2GB] [--cpuprofile F]
//	fieldbook-hub org add --data DIR --name NAME --country CC
//	fieldbook-hub org list --data DIR
//	fieldbook-hub enroll-code --data DIR --org ID --role staff|admin [--expires 72h]
//	fieldbook-hub device list --data DIR
//	fieldbook-hub device revoke --data DIR --id DEVICE
//	fieldbook-hub backup --data DIR --out FILE
//	fieldbook-hub restore --data DIR --from FILE
//	fieldbook-hub restored --data DIR
//	fieldbook-hub migrate --from DIR/hub.db --db postgres://…
//	fieldbook-hub user add --data DIR --role coordinator|orgadmin --name NAME [--org ID] [--password-file F]
//	fieldbook-hub user list --data DIR
//	fieldbook-hub user remove --data DIR --name NAME
//
// Every command but migrate takes --db postgres://… instead of --data DIR
// for a hub on PostgreSQL, with the flags of pgdb.Flags. The
// coordinators' dashboard is served by "serve" at /dashboard/.
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
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/sync/hub"
)

var errUsage = errors.New("usage")

const usage = `usage: fieldbook-hub COMMAND [flags]
Every command takes the hub's database as --data DIR (SQLite in that folder) or
--db postgres://USER:PASSWORD@HOST/DB (PostgreSQL; also --db-max-conns N,
--db-connect-timeout 10s, --db-statement-timeout 30s, --db-application-name NAME).
commands:
  serve        run the hub: --data DIR [--addr HOST:PORT] [--tls-cert F --tls-key F]
               [--max-file-size 50MB] [--org-quota 2GB] (the largest attached file the hub takes,
               and the bytes of files one organization's records may keep on it)
               [--cpuprofile FILE] (a CPU profile of the hub, written when it stops)
  org add      add an organization: --data DIR --name NAME --country CC (prints its id)
  org list     list organizations: --data DIR
  enroll-code  make a one-time enrollment code: --data DIR --org ID --role staff|admin [--expires 72h]
  device list  list enrolled devices: --data DIR
  device revoke  stop a device from syncing: --data DIR --id DEVICE
  backup       copy the database while the hub runs: --data DIR --out FILE (files go to FILE.files/)
  restore      replace the database with a backup (hub stopped): --data DIR --from FILE (and FILE.files/);
               the backup of a hub on either database restores onto either; the hub gets a new epoch
  restored     give a database restored by other means (pg_restore, a copied file) a new epoch, as
               restore does (every hub process stopped): --db URL or --data DIR
  migrate      copy a SQLite hub (stopped) into an empty PostgreSQL database, verified table by table:
               --from DIR/hub.db --db URL (files go along; prints each table's rows and checksum)
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
	data := &where{}
	data.register(fs)
	switch cmd {
	case "serve":
		addr := fs.String("addr", "127.0.0.1:8440", "address to listen on")
		cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
		key := fs.String("tls-key", "", "TLS key file (PEM)")
		verbose := fs.Bool("v", false, "log every request")
		cpuProfile := fs.String("cpuprofile", "", "write the hub's CPU profile to this file until it stops")
		limits := hub.Options{MaxFileSize: hub.DefaultMaxFileSize, OrgQuota: hub.DefaultOrgQuota}
		fs.Var((*byteSize)(&limits.MaxFileSize), "max-file-size", "largest attached file the hub takes (50MB, 1GB, bytes)")
		fs.Var((*byteSize)(&limits.OrgQuota), "org-quota", "bytes of files one organization's records may keep on the hub (2GB)")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		if (*cert == "") != (*key == "") {
			return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
		}
		if *cpuProfile != "" {
			stopProfile, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stopProfile()
		}
		return serve(ctx, data, *addr, *cert, *key, *verbose, limits)
	case "org add":
		name := fs.String("name", "", "organization name")
		country := fs.String("country", "", "ISO 3166-1 alpha-2 country code")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, data, func(h *hub.Hub) error {
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
		return withHub(ctx, data, func(h *hub.Hub) error {
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
		return withHub(ctx, data, func(h *hub.Hub) error {
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
		return withHub(ctx, data, func(h *hub.Hub) error {
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
		return withHub(ctx, data, func(h *hub.Hub) error { return h.RevokeDevice(ctx, *id) })
	case "backup":
		to := fs.String("out", "", "backup file to write")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, data, func(h *hub.Hub) error { return h.Backup(ctx, *to) })
	case "restore":
		from := fs.String("from", "", "backup file to restore")
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		var epoch string
		var err error
		if data.db != "" {
			c, cerr := data.config()
			if cerr != nil {
				return cerr
			}
			epoch, err = hub.RestorePostgres(ctx, c, *from, slog.Default())
		} else {
			epoch, err = hub.Restore(ctx, data.data, *from)
		}
		if err == nil {
			fmt.Fprintf(out, "restored; new epoch %s: devices will pull everything again and keep their unsent changes\n", epoch)
		}
		return err
	case "restored":
		if err := parse(fs, rest, data); err != nil {
			return err
		}
		return withHub(ctx, data, func(h *hub.Hub) error {
			epoch, err := h.ChangeEpoch(ctx)
			if err == nil {
				fmt.Fprintf(out, "new epoch %s: devices will pull everything again and keep their unsent changes\n", epoch)
			}
			return err
		})
	case "migrate":
		from := fs.String("from", "", "the SQLite hub's database file (DIR/hub.db) or data folder")
		if err := fs.Parse(rest); err != nil {
			return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
		}
		if *from == "" || data.db == "" || data.data != "" || fs.NArg() > 0 {
			return fmt.Errorf("%w: migrate: --from DIR/hub.db and --db URL are required (and nothing else)", errUsage)
		}
		c, err := data.config()
		if err != nil {
			return err
		}
		res, err := hub.MigrateToPostgres(ctx, *from, c, slog.Default())
		if err != nil {
			return err
		}
		return printCopy(out, res)
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
		return withDashboardDB(ctx, data, func(db *sql.DB) error {
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
		return withDashboardDB(ctx, data, func(db *sql.DB) error {
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
		return withDashboardDB(ctx, data, func(db *sql.DB) error {
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

func parse(fs *flag.FlagSet, args []string, w *where) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	switch {
	case w.data == "" && w.db == "":
		return fmt.Errorf("%w: %s: --data DIR is required (or --db postgres://… for a hub on PostgreSQL)", errUsage, fs.Name())
	case w.data != "" && w.db != "":
		return fmt.Errorf("%w: %s: give --data DIR or --db URL, not both", errUsage, fs.Name())
	}
	return nil
}

// where is the hub's database as the flags give it: SQLite in data folder
// data, or the PostgreSQL database of URL db with the flags of pg.
type where struct {
	data, db string
	pg       pgdb.Flags
}

func (w *where) register(fs *flag.FlagSet) {
	fs.StringVar(&w.data, "data", "", "hub data folder (SQLite)")
	fs.StringVar(&w.db, "db", "", "hub database on PostgreSQL: postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…")
	w.pg.Register(fs)
}

// config reads --db and the PostgreSQL flags; no error repeats the
// password.
func (w *where) config() (pgdb.Config, error) {
	c, err := pgdb.ParseURL(w.db)
	if err != nil {
		return c, fmt.Errorf("%w: --db: %w", errUsage, err)
	}
	if c, err = w.pg.Apply(c); err != nil {
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	return c, nil
}

// open opens the hub with opts, on PostgreSQL when --db is given.
func (w *where) open(ctx context.Context, opts hub.Options) (*hub.Hub, error) {
	if w.db != "" {
		c, err := w.config()
		if err != nil {
			return nil, err
		}
		opts.Postgres = &c
	}
	return hub.Open(ctx, w.data, opts)
}

func withHub(ctx context.Context, w *where, fn func(*hub.Hub) error) error {
	h, err := w.open(ctx, hub.Options{})
	if err != nil {
		return err
	}
	return errors.Join(fn(h), h.Close())
}

// withDashboardDB opens the hub w names, which migrates its database, and
// runs fn with the dashboard's connection pool on it.
func withDashboardDB(ctx context.Context, w *where, fn func(*sql.DB) error) error {
	return withHub(ctx, w, func(h *hub.Hub) error {
		db, done, err := openDashboardDB(h)
		if err != nil {
			return err
		}
		return errors.Join(fn(db), done())
	})
}

// printCopy writes what a copy verified: each table's rows and checksum.
func printCopy(out io.Writer, res hub.CopyResult) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tSHA-256")
	for _, t := range res.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Table, t.Rows, t.Sum)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "files: %d moved (%d bytes)", res.Files, res.FileBytes)
	if len(res.MissingFiles) > 0 {
		fmt.Fprintf(out, ", %d listed but missing (their devices send them again)", len(res.MissingFiles))
	}
	fmt.Fprintln(out)
	_, err := fmt.Fprintln(out, "verified: every table holds the same rows on both databases")
	return err
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateTime)
}

// startCPUProfile profiles the program's CPU into a new file at path
// until the returned function is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			slog.Error("cpu profile not saved", "path", path, "err", err)
		}
	}, nil
}

// serve runs the hub with the file limits of limits, and the dashboard
// over its database.
func serve(ctx context.Context, w *where, addr, cert, key string, verbose bool, limits hub.Options) error {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	h, err := w.open(ctx, hub.Options{Logger: log, MaxFileSize: limits.MaxFileSize, OrgQuota: limits.OrgQuota})
	if err != nil {
		return err
	}
	defer h.Close()
	db, done, err := openDashboardDB(h)
	if err != nil {
		return err
	}
	defer done()
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
