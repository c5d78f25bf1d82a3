package filetype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"strings"
	"testing"
)

// decodeTest decodes an image and returns it with its format.
func decodeTest(t testing.TB, b []byte) (image.Image, string) {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode output: %v", err)
	}
	return img, format
}

// assertNoMetadata fails when b carries any of the camera's personal data
// or any metadata segment or chunk at all.
func assertNoMetadata(t *testing.T, b []byte) {
	t.Helper()
	lat := make([]byte, 4)
	binary.BigEndian.PutUint32(lat, gpsLatSecs)
	for _, s := range []string{"Exif", "MM\x00\x2a", "II\x2a\x00", testMake, "EOS", "http://ns.adobe.com", "xmpmeta", "GPS", "ICC_PROFILE", "0042-FIELD", "Banda", "Chimwala", string(lat)} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("output carries %q", s)
		}
	}
	_, format := decodeTest(t, b)
	if hasMetadata(b, format) {
		t.Errorf("output %s has a metadata segment or chunk", format)
	}
	if format == "jpeg" {
		jpegSegments(b, func(marker byte, _ []byte) bool {
			if marker >= 0xE0 && marker <= 0xEF || marker == 0xFE {
				t.Errorf("output has marker %#x", marker)
			}
			return true
		})
	}
}

func TestReduceStripsMetadata(t *testing.T) {
	t.Parallel()
	big := cameraJPEG(t, photoLike(1000, 750, 1), 92, 1)
	small := cameraJPEG(t, photoLike(300, 200, 2), 92, 1)
	pngMeta := pngWithChunks(t, encodePNGTest(t, photoLike(200, 100, 3)),
		[2]string{"tEXt", "Author\x00" + testCOMM},
		[2]string{"eXIf", string(exifTIFF(1))})
	for _, c := range []struct {
		name  string
		in    []byte
		w, h  int
		input string
	}{
		{"large camera JPEG", big, 400, 300, "jpeg"},
		{"small camera JPEG", small, 300, 200, "jpeg"},
		{"PNG with text and EXIF", pngMeta, 200, 100, "png"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(c.in, []byte(testMake)) && c.input == "jpeg" {
				t.Fatal("the sample carries no camera make")
			}
			r, err := Reduce(c.in, 400, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Changed || r.Width != c.w || r.Height != c.h {
				t.Errorf("Reduce = %d×%d changed=%v, want %d×%d changed", r.Width, r.Height, r.Changed, c.w, c.h)
			}
			img, format := decodeTest(t, r.Data)
			if "image/"+format != r.MIME || img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
				t.Errorf("output is %s %v, want %s %d×%d", format, img.Bounds(), r.MIME, c.w, c.h)
			}
			assertNoMetadata(t, r.Data)
		})
	}
}

func TestReduceKeepsCleanSmallPhoto(t *testing.T) {
	t.Parallel()
	in := encodeJPEGTest(t, photoLike(400, 300, 4), 85)
	r, err := Reduce(in, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Changed || !bytes.Equal(r.Data, in) || r.MIME != "image/jpeg" || r.Width != 400 {
		t.Errorf("Reduce changed a small photo without metadata: changed=%v %s %d×%d", r.Changed, r.MIME, r.Width, r.Height)
	}
	// The same photo with bytes after its end is re-encoded: they could
	// hide anything.
	r, err = Reduce(append(append([]byte(nil), in...), "trailer GPS 13.95S"...), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Changed || bytes.Contains(r.Data, []byte("trailer")) {
		t.Error("a JPEG with a trailer came back unchanged")
	}
}

// TestReduceOrientation: a camera photo stored sideways with Orientation 6
// (turned a quarter left, so to be turned right) comes out upright: the
// stored image's left half (red) becomes the top.
func TestReduceOrientation(t *testing.T) {
	t.Parallel()
	in := cameraJPEG(t, halves(400, 200), 95, 6) // stored sideways
	r, err := Reduce(in, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := decodeTest(t, r.Data)
	if img.Bounds().Dx() != 200 || img.Bounds().Dy() != 400 {
		t.Fatalf("output is %v, want 200×400", img.Bounds())
	}
	if !reddish(img.At(100, 50)) || reddish(img.At(100, 350)) {
		t.Errorf("top %v bottom %v: want red on top, blue below", img.At(100, 50), img.At(100, 350))
	}
	thumb, err := Thumbnail(in)
	if err != nil {
		t.Fatal(err)
	}
	timg, _ := decodeTest(t, thumb)
	if timg.Bounds().Dx() != 80 || timg.Bounds().Dy() != 160 || !reddish(timg.At(40, 20)) {
		t.Errorf("thumbnail %v top %v: want 80×160, red on top", timg.Bounds(), timg.At(40, 20))
	}
}

func reddish(c color.Color) bool {
	r, _, b, _ := c.RGBA()
	return r > 2*b
}

// TestTurn checks all eight EXIF orientations: where the stored image's
// top-left pixel ends up once upright, and the size.
func TestTurn(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Pix[0] = 255 // top-left marked
	for o, want := range map[int]image.Point{
		1: {0, 0}, 2: {2, 0}, 3: {2, 1}, 4: {0, 1},
		5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2},
	} {
		got := turn(src, o)
		size := image.Pt(3, 2)
		if o >= 5 {
			size = image.Pt(2, 3)
		}
		if got.Bounds().Size() != size || got.Pix[got.PixOffset(want.X, want.Y)] != 255 {
			t.Errorf("orientation %d: size %v, marked pixel not at %v", o, got.Bounds().Size(), want)
		}
	}
}

func TestReducePNG(t *testing.T) {
	t.Parallel()
	// A screenshot: flat colours and text-like strokes; PNG is smaller.
	shot := image.NewRGBA(image.Rect(0, 0, 1000, 600))
	for y := 0; y < 600; y++ {
		for x := 0; x < 1000; x++ {
			c := color.RGBA{250, 250, 250, 255}
			if y%40 < 12 && x%9 < 5 && x > 50 && x < 900 {
				c = color.RGBA{30, 30, 30, 255}
			}
			shot.SetRGBA(x, y, c)
		}
	}
	r, err := Reduce(encodePNGTest(t, shot), 800, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.MIME != "image/png" || r.Width != 800 || r.Height != 480 {
		t.Errorf("screenshot: %s %d×%d, want image/png 800×480", r.MIME, r.Width, r.Height)
	}
	// A photo saved as PNG: JPEG is far smaller.
	r, err = Reduce(encodePNGTest(t, photoLike(600, 400, 5)), 400, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.MIME != "image/jpeg" || r.Width != 400 {
		t.Errorf("photo as PNG: %s %d×%d, want image/jpeg 400 wide", r.MIME, r.Width, r.Height)
	}
	assertNoMetadata(t, r.Data)
}

func TestReduceBadInput(t *testing.T) {
	t.Parallel()
	jpg := encodeJPEGTest(t, halves(8, 8), 80)
	// A PNG header that claims 20000×20000 pixels: refused before decoding.
	hugePNG := encodePNGTest(t, halves(8, 8))
	binary.BigEndian.PutUint32(hugePNG[16:], 20000)
	binary.BigEndian.PutUint32(hugePNG[20:], 20000)
	binary.BigEndian.PutUint32(hugePNG[29:], crc32.ChecksumIEEE(hugePNG[12:29]))
	for _, c := range []struct {
		name             string
		in               []byte
		maxSide, quality int
		want             string
		notPhoto         bool
	}{
		{"quality too high", jpg, 0, 101, "quality 101: want 1 to 100", false},
		{"quality negative", jpg, 0, -3, "quality -3", false},
		{"maxSide too small", jpg, 8, 0, "maxSide 8: want 16 to 16384", false},
		{"a PDF", samplePDF(), 0, 0, "not a photo", true},
		{"a GIF", gifTest(t), 0, 0, "a GIF", true},
		{"empty", nil, 0, 0, "not a photo", true},
		{"truncated JPEG", jpg[:len(jpg)/2], 0, 0, "unexpected EOF", true},
		{"huge PNG", hugePNG, 0, 0, "20000×20000 pixels", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := append([]byte(nil), c.in...)
			r, err := Reduce(in, c.maxSide, c.quality)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Reduce = %v, %v; want an error with %q", r.MIME, err, c.want)
			}
			if errors.Is(err, ErrNotPhoto) != c.notPhoto {
				t.Errorf("errors.Is(%v, ErrNotPhoto) = %v, want %v", err, !c.notPhoto, c.notPhoto)
			}
			if !bytes.Equal(in, c.in) {
				t.Error("Reduce changed its input")
			}
		})
	}
}

func TestThumbnail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   []byte
		w, h int
	}{
		{"camera JPEG", cameraJPEG(t, photoLike(640, 480, 6), 90, 1), 160, 120},
		{"tall PNG", encodePNGTest(t, photoLike(300, 900, 7)), 53, 160},
		{"GIF", gifTest(t), 8, 8},
		{"WebP", webpLossless(t), 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, err := Thumbnail(c.in)
			if err != nil {
				t.Fatal(err)
			}
			img, format := decodeTest(t, b)
			if format != "jpeg" || img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
				t.Errorf("thumbnail %s %v, want jpeg %d×%d", format, img.Bounds(), c.w, c.h)
			}
			if len(b) > 12<<10 {
				t.Errorf("thumbnail is %d bytes, want a few KB", len(b))
			}
			t.Logf("%s: thumbnail %d bytes", c.name, len(b))
			assertNoMetadata(t, b)
		})
	}
	if _, err := Thumbnail(samplePDF()); !errors.Is(err, ErrNotPhoto) {
		t.Errorf("Thumbnail(PDF) = %v, want ErrNotPhoto", err)
	}
}
