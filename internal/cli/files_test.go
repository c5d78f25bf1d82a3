package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// newResource stores a resource in the data folder and returns it.
func newResource(t *testing.T, data string) model.Resource {
	t.Helper()
	st, err := store.OpenDir(context.Background(), data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.CreateResource(context.Background(), model.Resource{Kind: "guide", Title: "Guide"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAttachAndFilesCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	r := newResource(t, data)
	dir := t.TempDir()
	guide := filepath.Join(dir, "guide.pdf")
	os.WriteFile(guide, []byte("%PDF-1.4\n%%EOF\n"), 0o600)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("Notes from the district meeting.\n"), 0o600)
	prog := filepath.Join(dir, "tool.pdf")
	os.WriteFile(prog, []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), 0o600)

	for _, c := range []struct {
		name string
		args []string
		rc   int
		want string
	}{
		{"help", []string{"attach", "--help"}, 0, "--original"},
		{"files help", []string{"files", "--help"}, 0, "files fetch HASH"},
		{"no record", []string{"attach", guide}, 2, "exactly one of"},
		{"both records", []string{"attach", "--activity", "a", "--resource", r.ID, guide}, 2, "exactly one of"},
		{"no file", []string{"attach", "--resource", r.ID}, 2, "at least one FILE"},
		{"unknown record", []string{"attach", "--activity", r.ID, guide}, 1, "not found"},
		{"refused type", []string{"attach", "--resource", r.ID, guide, prog}, 1, "cannot be attached"},
		{"attach", []string{"attach", "--resource", r.ID, guide, notes}, 0, "attached notes.txt (33 B, text/plain)"},
		{"bad subcommand", []string{"files", "remove"}, 2, "files list"},
		{"fetch nothing", []string{"files", "fetch"}, 2, "files list"},
		{"fetch bad hash", []string{"files", "fetch", "abc"}, 2, "64 lowercase"},
		{"fetch unknown", []string{"files", "fetch", strings.Repeat("a", 64)}, 1, "no record here"},
		{"fetch all", []string{"files", "fetch", "--all"}, 0, "0 file(s) marked"},
	} {
		var out, errOut bytes.Buffer
		rc := run(append([]string{"--data", data}, c.args...), &out, &errOut)
		if rc != c.rc || !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Fatalf("%s: rc %d, out %q, err %q; want rc %d and %q", c.name, rc, out.String(), errOut.String(), c.rc, c.want)
		}
	}
	var out, errOut bytes.Buffer
	if rc := run([]string{"--data", data, "files", "list", "--record", r.ID}, &out, &errOut); rc != 0 {
		t.Fatalf("list: %d %s", rc, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "\tguide.pdf\t15 B\tapplication/pdf\ton this device\tresource "+r.ID) {
		t.Fatalf("list printed %q", out.String())
	}
	st, _ := store.OpenDir(ctx, data, store.Options{})
	defer st.Close()
	refs, _ := st.FileRefs(ctx, model.EntityResource, r.ID)
	if len(refs) != 2 || refs[0].Name != "guide.pdf" {
		t.Fatalf("the refused attach left refs %+v", refs)
	}
}

// TestAttachOnFullDisk attaches a file larger than the disk's free room:
// the command says the disk is full, the record keeps its files, and no
// partial file is left in the data folder.
func TestAttachOnFullDisk(t *testing.T) {
	disk := newSmallDisk(t)
	if !isTmpfs(disk.dir) {
		t.Skip("needs a small tmpfs: the capped database does not cap the files folder")
	}
	r := newResource(t, disk.dir)
	big := filepath.Join(t.TempDir(), "big.txt")
	os.WriteFile(big, bytes.Repeat([]byte("a long guide\n"), 6<<20/13), 0o600)
	var out, errOut bytes.Buffer
	if rc := run([]string{"--data", disk.dir, "attach", "--resource", r.ID, big}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "disk is full") {
		t.Fatalf("rc %d, %q", rc, errOut.String())
	}
	left, _ := filepath.Glob(filepath.Join(disk.dir, store.FilesDir, "*", "*"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	disk.grow(t)
	if rc := run([]string{"--data", disk.dir, "attach", "--resource", r.ID, big}, &out, &errOut); rc != 0 {
		t.Fatalf("with room: rc %d, %q", rc, errOut.String())
	}
}

// isTmpfs reports whether dir is a mounted tmpfs.
func isTmpfs(dir string) bool {
	b, err := os.ReadFile("/proc/mounts")
	return err == nil && bytes.Contains(b, []byte(" "+dir+" tmpfs "))
}
