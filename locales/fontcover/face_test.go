package fontcover

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// Every face of an installed collection comes out as a font of its own
// that reads as that face; a single font comes out as it is.
func TestFaceOfCollection(t *testing.T) {
	t.Parallel()
	const file = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("%v (install fonts-noto-cjk)", err)
	}
	faces, err := font.ParseTTC(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range faces {
		one, err := Face(data, i)
		if err != nil {
			t.Fatalf("face %d: %v", i, err)
		}
		got, err := font.ParseTTF(bytes.NewReader(one))
		if err != nil {
			t.Fatalf("face %d: %v", i, err)
		}
		if got.Describe() != want.Describe() {
			t.Errorf("face %d reads as %+v, want %+v", i, got.Describe(), want.Describe())
		}
		if g, ok := got.NominalGlyph('한'); !ok || g == 0 {
			t.Errorf("face %d (%s) has no Hangul", i, got.Describe().Family)
		}
	}
	if _, err := Face(data, len(faces)); err == nil {
		t.Error("a face past the collection's end was given")
	}
	single := theme.DefaultTextFont().Content()
	if got, err := Face(single, 0); err != nil || !bytes.Equal(got, single) {
		t.Errorf("single font: %v, changed %v", err, !bytes.Equal(got, single))
	}
	if _, err := Face(single, 1); err == nil {
		t.Error("face 1 of a single font was given")
	}
}

// Face never panics, and what it returns has every table inside the file.
func FuzzFace(f *testing.F) {
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10\x00\x01\x00\x00\x00\x01"), 0)
	f.Add(theme.DefaultTextFont().Content()[:256], 0)
	f.Add([]byte("ttcf"), 3)
	f.Fuzz(func(t *testing.T, data []byte, index int) {
		out, err := Face(data, index)
		if err != nil || string(data[:4]) != "ttcf" {
			return
		}
		n := int(binary.BigEndian.Uint16(out[4:]))
		for i := 0; i < n; i++ {
			rec := out[12+16*i:]
			off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
			if uint64(off)+uint64(length) > uint64(len(out)) || off%4 != 0 {
				t.Fatalf("table %d at %d+%d outside %d bytes", i, off, length, len(out))
			}
		}
	})
}
