package filetype

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
)

// Small real files of each kind, made here so the tests carry no binaries.

// samplePDF is a one-page PDF written by hand.
func samplePDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
		"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n" +
		"trailer<</Root 1 0 R>>\n%%EOF\n")
}

// zipOf returns a ZIP of the named files in order; a name ending in "/" is a folder.
func zipOf(t testing.TB, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		// OpenDocument wants its "mimetype" entry first and stored.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ooxml returns an Office Open XML package whose main part is in dir
// ("word", "xl", "ppt").
func ooxml(t testing.TB, dir string, extra ...[2]string) []byte {
	files := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		{dir + "/document.xml", `<?xml version="1.0"?><document/>`},
	}
	return zipOf(t, append(files, extra...)...)
}

// odf returns an OpenDocument package of the given media type.
func odf(t testing.TB, mime string) []byte {
	return zipOf(t, [2]string{"mimetype", mime}, [2]string{"content.xml", "<office:document-content/>"})
}

// ole returns a Compound File (Word 97, Excel 97, PowerPoint 97) whose root
// storage has the given class id.
func ole(clsid []byte) []byte {
	b := make([]byte, 1024)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(b[24:], 0x3E) // minor version
	binary.LittleEndian.PutUint16(b[26:], 3)    // major version: 512-byte sectors
	binary.LittleEndian.PutUint16(b[28:], 0xFFFE)
	binary.LittleEndian.PutUint16(b[30:], 9)
	binary.LittleEndian.PutUint32(b[48:], 0) // directory starts at sector 0
	root := b[512:]
	copy(root, []byte("R\x00o\x00o\x00t\x00 \x00E\x00n\x00t\x00r\x00y\x00"))
	binary.LittleEndian.PutUint16(root[64:], 22)
	root[66] = 5 // root storage
	copy(root[80:], clsid)
	return b
}

// wav returns a short silent PCM WAV file.
func wav() []byte {
	var b bytes.Buffer
	data := make([]byte, 800)
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// webpLossless is a 1×1 lossless WebP image.
func webpLossless(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeJPEGTest encodes img as a JPEG at quality q.
func encodeJPEGTest(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodePNGTest encodes img as a PNG.
func encodePNGTest(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gifTest is a small GIF.
func gifTest(t testing.TB) []byte {
	var buf bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black})
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// halves is a w×h image whose left half is red and right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{200, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 200, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// photoLike is a w×h image with what makes a camera photo large: smooth
// light, fine texture, sharp edges and sensor noise.
func photoLike(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			base := 110 + 60*math.Sin(fx*5+fy*3) + 30*math.Sin(float64(x)*0.21)*math.Cos(float64(y)*0.17)
			if (x/97+y/61)%7 == 0 { // edges, like printed lines or fences
				base -= 70
			}
			n := func() float64 { return r.NormFloat64() * 5 }
			img.Pix[img.PixOffset(x, y)+0] = clamp8(base + 25*fx + n())
			img.Pix[img.PixOffset(x, y)+1] = clamp8(base*0.9 + 20*fy + n())
			img.Pix[img.PixOffset(x, y)+2] = clamp8(base*0.7 + 40*(1-fx) + n())
			img.Pix[img.PixOffset(x, y)+3] = 255
		}
	}
	return img
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, v))) }

// Personal data a camera writes, which must never leave the device.
const (
	testMake   = "Canon"
	testModel  = "Canon EOS 5D Mark IV"
	testXMP    = `http://ns.adobe.com/xap/1.0/` + "\x00" + `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="13,57.4567S"/></x:xmpmeta>`
	testICC    = "ICC_PROFILE\x00\x01\x01" + "device serial 0042-FIELD-LAPTOP"
	testCOMM   = "taken by officer Banda at Chimwala school"
	gpsLatSecs = 456789 // seconds×10000 of the test latitude, searched for in outputs
)

// exifTIFF returns an EXIF TIFF block (big-endian) with camera make and
// model, the given Orientation, and a GPS position.
func exifTIFF(orientation int) []byte {
	be := binary.BigEndian
	var b bytes.Buffer
	b.WriteString("MM\x00\x2a")
	binary.Write(&b, be, uint32(8))
	// IFD0 at 8: 4 entries, then the next-IFD offset, then its data.
	const n0 = 4
	dataAt := uint32(8 + 2 + 12*n0 + 4)
	makeAt := dataAt
	modelAt := makeAt + uint32(len(testMake)+1)
	gpsAt := modelAt + uint32(len(testModel)+1)
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&b, be, tag)
		binary.Write(&b, be, typ)
		binary.Write(&b, be, count)
		binary.Write(&b, be, value)
	}
	binary.Write(&b, be, uint16(n0))
	entry(0x010F, 2, uint32(len(testMake)+1), makeAt)
	entry(0x0110, 2, uint32(len(testModel)+1), modelAt)
	entry(tagOrientation, 3, 1, uint32(orientation)<<16) // SHORT left-justified
	entry(0x8825, 4, 1, gpsAt)
	binary.Write(&b, be, uint32(0))
	b.WriteString(testMake + "\x00" + testModel + "\x00")
	// GPS IFD: latitude ref and latitude (three rationals after the IFD).
	ratAt := gpsAt + 2 + 12*2 + 4
	binary.Write(&b, be, uint16(2))
	entry(1, 2, 2, uint32('S')<<24)
	entry(2, 5, 3, ratAt)
	binary.Write(&b, be, uint32(0))
	binary.Write(&b, be, []uint32{13, 1, 57, 1, gpsLatSecs, 10000})
	return b.Bytes()
}

// withSegments returns a JPEG with the given marker segments inserted
// right after its SOI marker.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// segment returns a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// cameraJPEG returns img as a camera writes it: EXIF with make, model,
// Orientation and GPS, XMP, an ICC profile and a comment.
func cameraJPEG(t testing.TB, img image.Image, q, orientation int) []byte {
	return withSegments(encodeJPEGTest(t, img, q),
		segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...)),
		segment(0xE1, []byte(testXMP)),
		segment(0xE2, []byte(testICC)),
		segment(0xFE, []byte(testCOMM)))
}

// pngWithChunks returns a PNG with the given chunks (type, data) inserted
// after its IHDR.
func pngWithChunks(t testing.TB, pngBytes []byte, chunks ...[2]string) []byte {
	// Insert after IHDR (8 signature + 25 IHDR bytes).
	out := append([]byte(nil), pngBytes[:33]...)
	for _, c := range chunks {
		var ch bytes.Buffer
		binary.Write(&ch, binary.BigEndian, uint32(len(c[1])))
		ch.WriteString(c[0] + c[1])
		binary.Write(&ch, binary.BigEndian, crc32.ChecksumIEEE([]byte(c[0]+c[1])))
		out = append(out, ch.Bytes()...)
	}
	return append(out, pngBytes[33:]...)
}
