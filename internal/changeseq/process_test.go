package changeseq

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
)

// The test binary is a writer process of its own when these are set: it
// connects to the URL under the name, takes a number in a transaction and
// writes a change, and commits when told "commit" on standard input.
const (
	helperEnv    = "FIELDBOOK_CHANGESEQ_WRITER"
	helperURLEnv = "FIELDBOOK_CHANGESEQ_URL"
)

func helperMode() string { return os.Getenv(helperEnv) }

func helperMain() {
	if err := writerProcess(os.Getenv(helperEnv), os.Getenv(helperURLEnv), os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func writerProcess(name, url string, in io.Reader) error {
	ctx := context.Background()
	c, err := pgdb.ParseURL(url)
	if err != nil {
		return err
	}
	c.ApplicationName = name
	db, err := pgdb.Open(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	fmt.Println("taking")
	seq, err := write(ctx, tx, name)
	if err != nil {
		return err
	}
	fmt.Printf("took %d\n", seq)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil || line != "commit\n" {
		return fmt.Errorf("told %q (%v), not commit", line, err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	fmt.Println("committed")
	return nil
}

// writer is a running writer process.
type writer struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startWriter(t *testing.T, url, name string) *writer {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+name, helperURLEnv+"="+url)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &writer{name: name, cmd: cmd, stdin: stdin, lines: make(chan string)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	t.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil && !t.Failed() {
			t.Errorf("%s: %v", name, err)
		}
	})
	return w
}

// expect waits for the process's next line and returns what follows
// prefix in it.
func (w *writer) expect(t *testing.T, prefix string) string {
	t.Helper()
	select {
	case line, ok := <-w.lines:
		if !ok || !strings.HasPrefix(line, prefix) {
			t.Fatalf("%s said %q (still running: %v), want %q…", w.name, line, ok, prefix)
		}
		return strings.TrimPrefix(line, prefix)
	case <-time.After(time.Minute):
		t.Fatalf("%s said nothing for a minute, want %q…", w.name, prefix)
	}
	return ""
}

func (w *writer) commit(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(w.stdin, "commit\n"); err != nil {
		t.Fatal(err)
	}
	w.expect(t, "committed")
}

// TestTwoHubProcessesNeverLetAPullSkip runs two writers as processes of
// their own on one database: the first takes number 1 and holds its
// transaction open; the second asks for the next number and waits; pulls
// meanwhile return nothing; then each commits in turn, and the pulls
// return 1, then 2.
func TestTwoHubProcessesNeverLetAPullSkip(t *testing.T) {
	ctx := context.Background()
	url := newDB(t)
	reader := open(t, url, "reader")
	pullAll := func(cursor int64) []change {
		t.Helper()
		cs, err := pull(ctx, reader, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}

	a := startWriter(t, url, "process-a")
	a.expect(t, "taking")
	if seq := a.expect(t, "took "); seq != "1" {
		t.Fatalf("process a took %s, want 1", seq)
	}
	b := startWriter(t, url, "process-b")
	b.expect(t, "taking")
	waitsOnLock(t, reader, "process-b")
	if got := pullAll(0); len(got) != 0 {
		t.Fatalf("a pull while a holds 1 open and b waits = %v, want nothing", got)
	}

	a.commit(t)
	if seq := b.expect(t, "took "); seq != "2" {
		t.Fatalf("process b took %s, want 2", seq)
	}
	got := pullAll(0)
	if fmt.Sprint(got) != fmt.Sprint([]change{{1, "process-a"}}) {
		t.Fatalf("a pull while b holds 2 open = %v, want a's change alone", got)
	}
	b.commit(t)
	got = append(got, pullAll(got[0].seq)...)
	if want := []change{{1, "process-a"}, {2, "process-b"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pulled %v in all, want %v", got, want)
	}
}
