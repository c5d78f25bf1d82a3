package hubload_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hubload"
	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// jobEnv, set to a job file, makes the test binary the load's process
// ([hubload.RunProcess]) instead of running tests.
const jobEnv = "FIELDBOOK_HUBLOAD_JOB"

func TestMain(m *testing.M) {
	if job := os.Getenv(jobEnv); job != "" {
		if err := hubload.RunProcess(context.Background(), job, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Main(m)
}

var durable = flag.Bool("hub.durable", false, "run PostgreSQL with its own flushing to disk (fsync, synchronous_commit), which the test server leaves out")

var hubProfile = flag.String("hub.cpuprofile", "", "write each hub process's CPU profile to this path, with the setup and process number added")

// setup is one way of serving the hub.
type setup struct {
	name     string
	postgres bool
	procs    int
}

// BenchmarkHubIngestProcesses measures the hub's ingest with the load in a
// process of its own: 50 devices push 1,000 new activities each, in pages
// of 200, gzip-compressed, all at once, to real "fieldbook-hub serve"
// processes: on SQLite, on PostgreSQL with one process, and on PostgreSQL
// with two processes, each request going to one of them at random. It
// reports the changes applied per second and, for PostgreSQL, the ratio to
// SQLite's (x-sqlite), and fails unless the hub then holds exactly the
// 50,000 activities and no rejection.
//
//	go test -tags migrated_fynedo,no_emoji -run '^$' -bench HubIngestProcesses -benchtime 1x -count 5 ./internal/hubload
//
// PostgreSQL is the test binary's throwaway server, which does not flush
// to disk; -hub.durable starts one that does.
func BenchmarkHubIngestProcesses(b *testing.B) {
	bin := buildHub(b)
	srv := pgServer(b)
	var sqlite float64
	for _, s := range []setup{{"sqlite", false, 1}, {"postgres-1proc", true, 1}, {"postgres-2proc", true, 2}} {
		b.Run(s.name, func(b *testing.B) {
			var changes int
			var elapsed time.Duration
			for i := range b.N {
				res := ingest(b, bin, srv, s, i)
				changes += res.Changes
				elapsed += res.Elapsed
			}
			rate := float64(changes) / elapsed.Seconds()
			b.ReportMetric(rate, "changes/s")
			if !s.postgres {
				sqlite = rate
			} else if sqlite > 0 {
				b.ReportMetric(rate/sqlite, "x-sqlite")
			}
		})
	}
}

// pgServer returns the PostgreSQL server of the benchmark's run, started
// when first asked: the test binary's shared one, or with -hub.durable one
// of its own that flushes to disk, stopped when b ends.
func pgServer(b *testing.B) func() *pgtest.Server {
	var srv *pgtest.Server
	return func() *pgtest.Server {
		if srv != nil {
			return srv
		}
		if !*durable {
			srv = pgtest.Shared(b)
			return srv
		}
		var err error
		if srv, err = pgtest.Start(context.Background(), pgtest.Options{Durable: true}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := srv.Stop(); err != nil {
				b.Error(err)
			}
		})
		return srv
	}
}

// buildHub builds fieldbook-hub with the Makefile's tags.
func buildHub(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "fieldbook-hub")
	out, err := exec.Command("go", "build", "-tags", "migrated_fynedo,no_emoji", "-o", bin, "github.com/a20-network/fieldbook/cmd/fieldbook-hub").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

const (
	devices   = 50
	perDevice = 1000
	page      = 200
)

// ingest runs the load once on a new hub served as s says, and checks what
// the hub holds afterwards.
func ingest(b *testing.B, bin string, srv func() *pgtest.Server, s setup, run int) hubload.Result {
	b.StopTimer()
	dir := b.TempDir()
	data := filepath.Join(dir, "hub")
	opts := hub.Options{Logger: slog.New(slog.DiscardHandler)}
	where := []string{"--data", data}
	if s.postgres {
		db := srv().NewDB(b)
		c, err := pgdb.ParseURL(db.URL)
		if err != nil {
			b.Fatal(err)
		}
		opts.Postgres, where = &c, []string{"--db", db.URL}
	}
	var job hubload.Job
	withHub(b, data, opts, func(h *hub.Hub) {
		var err error
		if job, err = hubload.NewJob(context.Background(), h, devices, perDevice, page); err != nil {
			b.Fatal(err)
		}
	})

	var stops []func()
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
		stops = nil
	}
	defer stopAll()
	for i := range s.procs {
		args := append([]string{"serve"}, where...)
		if *hubProfile != "" {
			args = append(args, "--cpuprofile", fmt.Sprintf("%s.%s.%d.%d", *hubProfile, s.name, run, i))
		}
		url, stop := startHub(b, bin, filepath.Join(dir, fmt.Sprintf("hub%d.log", i)), args...)
		job.URLs = append(job.URLs, url)
		stops = append(stops, stop)
	}
	res := runLoad(b, filepath.Join(dir, "job.json"), job)
	stopAll()
	if res.Changes != devices*perDevice || res.Rejected != 0 {
		b.Fatalf("%s: the replies acknowledged %d changes (want %d) and rejected %d", s.name, res.Changes, devices*perDevice, res.Rejected)
	}
	if s.procs > 1 {
		b.Logf("%s: requests per process %v", s.name, res.PerURL)
	}
	withHub(b, data, opts, func(h *hub.Hub) { check(b, h) })
	return res
}

// withHub opens the hub of data and opts for fn, and closes it.
func withHub(b *testing.B, data string, opts hub.Options, fn func(h *hub.Hub)) {
	b.Helper()
	h, err := hub.Open(context.Background(), data, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	fn(h)
}

// check fails b unless the hub holds exactly the load's activities and no
// rejection.
func check(b *testing.B, h *hub.Hub) {
	b.Helper()
	ctx := context.Background()
	db := hub.ReportDB(h)
	for _, c := range []struct {
		query string
		want  int
	}{
		{"SELECT count(*) FROM activities", devices * perDevice},
		{"SELECT count(*) FROM records", devices*perDevice + 1}, // and the organization
		{"SELECT count(*) FROM applied", devices * perDevice},
		{"SELECT count(*) FROM rejections", 0},
	} {
		var n int
		if err := db.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			b.Fatalf("%s: %v", c.query, err)
		}
		if n != c.want {
			b.Fatalf("%s: %d, want %d", c.query, n, c.want)
		}
	}
}

// startHub starts the hub binary with args on a free port of 127.0.0.1,
// its log in logPath, and returns its address once it answers. stop stops
// it (SIGINT, so that it writes its profile) and waits for it.
func startHub(b *testing.B, bin, logPath string, args ...string) (url string, stop func()) {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logFile, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, "--addr", addr)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	url = "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + protocol.PathHealthz); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, stop
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			b.Fatalf("hub exited: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			b.Fatalf("hub did not answer on %s", addr)
		}
	}
}

// runLoad runs job in a process of its own (this test binary, see
// TestMain), timing b over the push alone, and returns what it measured.
func runLoad(b *testing.B, jobPath string, job hubload.Job) hubload.Result {
	b.Helper()
	raw, err := json.Marshal(job)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(jobPath, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), jobEnv+"="+jobPath)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	out := bufio.NewReader(outPipe)
	fail := func(format string, args ...any) {
		in.Close()
		_ = cmd.Wait()
		b.Fatalf(format+"\nload process: %s", append(args, stderr.String())...)
	}
	if line, err := out.ReadString('\n'); err != nil || strings.TrimSpace(line) != hubload.Ready {
		fail("load process not ready: %q %v", line, err)
	}
	b.StartTimer()
	if _, err := in.Write([]byte("go\n")); err != nil {
		fail("start the load: %v", err)
	}
	line, err := out.ReadString('\n')
	b.StopTimer()
	if err != nil {
		fail("read the load's result: %v", err)
	}
	var res hubload.Result
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		fail("load's result %q: %v", line, err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		b.Fatalf("load process: %v\n%s", err, stderr.String())
	}
	return res
}
