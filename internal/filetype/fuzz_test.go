package filetype

import (
	"bytes"
	"image"
	"image/jpeg"
	"slices"
	"testing"
)

// FuzzDetect: any bytes under any name give an allowed kind or a
// *RefusedError, never a panic.
func FuzzDetect(f *testing.F) {
	f.Add(samplePDF(), "guide.pdf")
	f.Add(ooxml(f, "word"), "policy.docx")
	f.Add(ooxml(f, "word", [2]string{"word/vbaProject.bin", "x"}), "macro.docm")
	f.Add(odf(f, "application/vnd.oasis.opendocument.text"), "policy.odt")
	f.Add(ole([]byte{0x06, 0x09, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}), "policy.doc")
	f.Add(wav(), "voice.wav")
	f.Add([]byte("district,girls\nZomba,7\nMzuzu,4\n"), "reach.csv")
	f.Add([]byte("<html><script>x</script>"), "notes.txt")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, content []byte, name string) {
		k, err := Detect(content, name)
		if err != nil {
			if _, ok := IsRefused(err); !ok {
				t.Fatalf("error %v is not a *RefusedError", err)
			}
			return
		}
		if !slices.Contains(Categories(), k.Category) || k.MIME == "" || len(k.Exts) == 0 {
			t.Fatalf("Detect = %+v", k)
		}
	})
}

// FuzzReduce: any bytes give a photo without metadata, the input unchanged
// as it was, or an error; never a panic.
func FuzzReduce(f *testing.F) {
	f.Add(cameraJPEG(f, halves(32, 16), 90, 6))
	f.Add(encodeJPEGTest(f, halves(16, 16), 80))
	f.Add(pngWithChunks(f, encodePNGTest(f, halves(8, 8)), [2]string{"eXIf", string(exifTIFF(3))}))
	f.Add(webpLossless(f))
	f.Add(gifTest(f))
	f.Fuzz(func(t *testing.T, content []byte) {
		// Keep the fuzzer to images it can decode quickly.
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(content)); err == nil && cfg.Width*cfg.Height > 1<<18 {
			t.Skip()
		}
		r, err := Reduce(content, 64, 0)
		if err != nil {
			return
		}
		if !r.Changed {
			if !bytes.Equal(r.Data, content) {
				t.Fatal("unchanged output differs from the input")
			}
			return
		}
		_, format, err := image.Decode(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		if hasMetadata(r.Data, format) || max(r.Width, r.Height) > 64 {
			t.Fatalf("output %s %d×%d has metadata or is too large", format, r.Width, r.Height)
		}
		thumb, err := Thumbnail(content)
		if err != nil {
			t.Fatalf("Thumbnail of a photo Reduce read: %v", err)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb)); err != nil || max(cfg.Width, cfg.Height) > ThumbnailSide {
			t.Fatalf("thumbnail: %+v, %v", cfg, err)
		}
	})
}

// FuzzEXIF: the metadata readers take any bytes: an orientation from 1 to
// 8, never a panic or a read out of bounds.
func FuzzEXIF(f *testing.F) {
	f.Add(exifTIFF(6))
	f.Add(append([]byte("Exif\x00\x00"), exifTIFF(8)...))
	f.Add(cameraJPEG(f, halves(8, 8), 80, 6))
	f.Add([]byte("II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00"))
	f.Add(webpLossless(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := tiffOrientation(b); o < 1 || o > 8 {
			t.Fatalf("tiffOrientation = %d", o)
		}
		for _, format := range []string{"jpeg", "png", "webp", "gif"} {
			if o := orientation(b, format); o < 1 || o > 8 {
				t.Fatalf("orientation(%s) = %d", format, o)
			}
			hasMetadata(b, format)
		}
	})
}
