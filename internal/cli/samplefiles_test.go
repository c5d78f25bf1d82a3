package cli

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/store"
)

// TestSampleAttachesAGuideAndTwoPhotos runs `sample`: the toolkit heads
// the resource list with a PDF guide and two photos attached, each taken
// by the file-type checks, the photos with thumbnails.
func TestSampleAttachesAGuideAndTwoPhotos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if rc := run([]string{"--data", data, "sample", "--activities", "5"}, &out, &errOut); rc != 0 {
		t.Fatalf("sample: %d %s", rc, errOut.String())
	}
	st, err := store.OpenDir(ctx, data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Resources(ctx, store.ResourceFilter{Limit: 1})
	if err != nil || len(rs) != 1 || rs[0].Title != sampleFilesFor {
		t.Fatalf("first resource %+v %v", rs, err)
	}
	files := rs[0].Files
	if len(files) != 3 {
		t.Fatalf("%d files", len(files))
	}
	for i, want := range []string{"application/pdf", "image/jpeg", "image/jpeg"} {
		f := files[i]
		if f.Type != want || (want == "image/jpeg") != (len(f.Thumb) > 0) {
			t.Fatalf("file %d %s: type %s, thumbnail %d bytes", i, f.Name, f.Type, len(f.Thumb))
		}
		path, err := st.FilePath(ctx, f.Hash)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want == "image/jpeg" {
			img, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil || img.Bounds().Dx() < 800 {
				t.Fatalf("%s: %v %v", f.Name, img.Bounds(), err)
			}
			continue
		}
		checkPDF(t, b)
	}
}

// checkPDF checks that b is a PDF whose cross-reference table points at
// each of its objects and whose trailer points at the table.
func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindStringSubmatch(s)
	if !strings.HasPrefix(s, "%PDF-1.") || m == nil {
		t.Fatalf("not a PDF: %q…", s[:min(len(s), 20)])
	}
	xref, _ := strconv.Atoi(m[1])
	if !strings.HasPrefix(s[xref:], "xref\n0 ") {
		t.Fatalf("startxref %d does not point at the table", xref)
	}
	offsets := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllStringSubmatch(s[xref:], -1)
	if len(offsets) < 5 {
		t.Fatalf("%d objects", len(offsets))
	}
	for i, o := range offsets {
		off, _ := strconv.Atoi(o[1])
		if !strings.HasPrefix(s[off:], fmt.Sprintf("%d 0 obj\n", i+1)) {
			t.Fatalf("object %d is not at %d", i+1, off)
		}
	}
	if !strings.Contains(s, "(Safe school walks: a facilitator's guide) Tj") {
		t.Fatal("the guide's heading is not drawn")
	}
}
