package filetype

import (
	"image"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

// cameraPhoto is a realistic camera JPEG, made once: 4000×3000 with
// photo-like detail and sensor noise, quality 95, with EXIF (make, model,
// GPS position), XMP, an ICC profile and a comment; about 4 MB.
var cameraPhoto = sync.OnceValues(func() ([]byte, *image.RGBA) {
	img := photoLike(4000, 3000, 42)
	return cameraJPEG(&testing.B{}, img, 95, 1), img
})

// BenchmarkReduce reduces a 4 MB camera photo as it is sent: bytes sent
// (target: under 400 KB) and milliseconds per photo.
func BenchmarkReduce(b *testing.B) {
	in, _ := cameraPhoto()
	b.ResetTimer()
	var out Reduced
	for b.Loop() {
		var err error
		if out, err = Reduce(in, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in)), "input-bytes")
	b.ReportMetric(float64(len(out.Data)), "bytes-sent")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/photo")
}

// BenchmarkThumbnail makes the thumbnail of the same photo: its bytes.
func BenchmarkThumbnail(b *testing.B) {
	in, _ := cameraPhoto()
	b.ResetTimer()
	var out []byte
	for b.Loop() {
		var err error
		if out, err = Thumbnail(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(out)), "thumb-bytes")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/photo")
}

// BenchmarkScaleFilter compares the filters for 4000×3000 → 1600×1200:
// the time of the scaling alone.
func BenchmarkScaleFilter(b *testing.B) {
	_, img := cameraPhoto()
	for _, f := range []struct {
		name string
		k    draw.Interpolator
	}{{"CatmullRom", draw.CatmullRom}, {"ApproxBiLinear", draw.ApproxBiLinear}} {
		b.Run(f.name, func(b *testing.B) {
			dst := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
			for b.Loop() {
				f.k.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/photo")
		})
	}
}
