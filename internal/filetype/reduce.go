package filetype

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif" // registers GIF with image.Decode, for thumbnails
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// Defaults of [Reduce].
const (
	// DefaultMaxSide is the long side, in pixels, that a photo is reduced to:
	// a printed A4 page photographed whole stays readable at 1600 px.
	DefaultMaxSide = 1600
	// DefaultQuality is the JPEG quality of a reduced photo: at 82 the small
	// print of a photographed page stays legible, and a 12-megapixel camera
	// photo comes to about 330 KB at 1600 px.
	DefaultQuality = 82
	// ThumbnailSide is the long side, in pixels, of a [Thumbnail].
	ThumbnailSide = 160
	// MaxPixels is the largest image, in pixels, that [Reduce] and
	// [Thumbnail] decode (120 megapixels, above any phone camera's): a
	// larger one is refused rather than risk the memory of a small laptop.
	MaxPixels = 120_000_000
)

// thumbnailQuality is the JPEG quality of a thumbnail: a few KB, enough to
// recognize a picture at 160 px.
const thumbnailQuality = 70

// ErrNotPhoto is returned (wrapped) by [Reduce] for content that is not a
// JPEG, PNG or WebP image, and by [Thumbnail] for content that is no image
// it can read: send such a file as it is, without a thumbnail.
var ErrNotPhoto = errors.New("not a photo that can be reduced")

// Reduced is a photo as [Reduce] made it.
type Reduced struct {
	// Data is the photo's bytes: a JPEG, or a PNG when the input was a PNG
	// and PNG is smaller; it carries no metadata unless Changed is false.
	Data []byte
	// MIME is Data's media type ("image/jpeg" or "image/png").
	MIME string
	// Width and Height are the photo's size in pixels, upright.
	Width, Height int
	// Changed is false when Data is the input as it was: it had no
	// metadata and was no larger than asked.
	Changed bool
}

// Reduce returns a photo (JPEG, PNG or WebP) made fit to send: turned
// upright as its EXIF Orientation says, scaled so its long side is at most
// maxSide pixels, and encoded as a JPEG at quality (1–100), with no
// metadata at all (no EXIF, GPS position, camera make, XMP or ICC profile).
// A PNG (a screenshot or a scan) stays a PNG when that is smaller. A photo
// with no metadata and no larger than maxSide comes back as it was.
// maxSide 0 and quality 0 mean [DefaultMaxSide] and [DefaultQuality]; other
// values out of range, content that is not a readable photo ([ErrNotPhoto])
// or larger than [MaxPixels] return an error and nothing else.
func Reduce(content []byte, maxSide int, quality int) (Reduced, error) {
	if maxSide == 0 {
		maxSide = DefaultMaxSide
	}
	if quality == 0 {
		quality = DefaultQuality
	}
	if maxSide < 16 || maxSide > 16384 {
		return Reduced{}, fmt.Errorf("filetype: reduce: maxSide %d: want 16 to 16384 pixels, or 0 for %d", maxSide, DefaultMaxSide)
	}
	if quality < 1 || quality > 100 {
		return Reduced{}, fmt.Errorf("filetype: reduce: quality %d: want 1 to 100, or 0 for %d", quality, DefaultQuality)
	}
	cfg, format, err := decodeConfig(content)
	if err != nil {
		return Reduced{}, fmt.Errorf("filetype: reduce: %w", err)
	}
	if format == "gif" {
		return Reduced{}, fmt.Errorf("filetype: reduce: a GIF: %w", ErrNotPhoto)
	}
	if !hasMetadata(content, format) && max(cfg.Width, cfg.Height) <= maxSide {
		return Reduced{Data: content, MIME: "image/" + format, Width: cfg.Width, Height: cfg.Height}, nil
	}
	img, err := decodeUpright(content, format, maxSide)
	if err != nil {
		return Reduced{}, fmt.Errorf("filetype: reduce: %w", err)
	}
	out := Reduced{MIME: "image/jpeg", Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Changed: true}
	if out.Data, err = encodeJPEG(img, quality); err != nil {
		return Reduced{}, fmt.Errorf("filetype: reduce: %w", err)
	}
	if format == "png" {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, img); err != nil {
			return Reduced{}, fmt.Errorf("filetype: reduce: encode PNG: %w", err)
		}
		if buf.Len() < len(out.Data) {
			out.Data, out.MIME = buf.Bytes(), "image/png"
		}
	}
	return out, nil
}

// Thumbnail returns a small JPEG of an image (JPEG, PNG, GIF or WebP),
// upright, at most [ThumbnailSide] pixels on its long side and without
// metadata: a few KB, carried in the record. Content that is no image it
// can read returns an error wrapping [ErrNotPhoto].
func Thumbnail(content []byte) ([]byte, error) {
	_, format, err := decodeConfig(content)
	if err != nil {
		return nil, fmt.Errorf("filetype: thumbnail: %w", err)
	}
	img, err := decodeUpright(content, format, ThumbnailSide)
	if err != nil {
		return nil, fmt.Errorf("filetype: thumbnail: %w", err)
	}
	b, err := encodeJPEG(img, thumbnailQuality)
	if err != nil {
		return nil, fmt.Errorf("filetype: thumbnail: %w", err)
	}
	return b, nil
}

// decodeConfig returns an image's size and format, refusing what is not a
// readable image or larger than [MaxPixels] before any pixel is decoded.
func decodeConfig(content []byte) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(content))
	if err != nil {
		return cfg, "", fmt.Errorf("%w: %w", ErrNotPhoto, err)
	}
	switch format {
	case "jpeg", "png", "webp", "gif":
	default:
		return cfg, "", fmt.Errorf("%w: format %s", ErrNotPhoto, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return cfg, "", fmt.Errorf("image of %d×%d pixels: want 1 to %d pixels", cfg.Width, cfg.Height, MaxPixels)
	}
	return cfg, format, nil
}

// decodeUpright decodes an image, scales it so its long side is at most
// maxSide, and turns it upright as its EXIF Orientation says. It scales
// before turning, so the turn moves the small image's pixels.
func decodeUpright(content []byte, format string, maxSide int) (*image.RGBA, error) {
	var src image.Image
	var err error
	if format == "gif" {
		src, err = gif.Decode(bytes.NewReader(content)) // the first frame
	} else {
		src, _, err = image.Decode(bytes.NewReader(content))
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", format, err)
	}
	b := src.Bounds()
	if f := max(b.Dx(), b.Dy()) / maxSide; f >= 2 {
		// A box filter first takes a camera photo down by a whole factor
		// (4000 → 2000 px) at a fraction of the filter's cost; the filter
		// then does the last, fractional step.
		src = boxShrink(src, f)
	}
	return turn(scale(src, maxSide), orientation(content, format)), nil
}

// boxShrink returns src made smaller by the whole factor f, each pixel the
// mean of f×f pixels (premultiplied, so transparency averages right). It
// converts src to RGBA f rows at a time, so a large photo is never held
// twice in memory.
func boxShrink(src image.Image, f int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/f, b.Dy()/f
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	band := image.NewRGBA(image.Rect(0, 0, w*f, f))
	sum := make([]uint32, w*4)
	n := uint32(f * f)
	for y := 0; y < h; y++ {
		draw.Draw(band, band.Bounds(), src, image.Pt(b.Min.X, b.Min.Y+y*f), draw.Src)
		clear(sum)
		for r := 0; r < f; r++ {
			row := band.Pix[r*band.Stride : r*band.Stride+w*f*4]
			for x := 0; x < w*f; x++ {
				s, o := (x/f)*4, x*4
				sum[s] += uint32(row[o])
				sum[s+1] += uint32(row[o+1])
				sum[s+2] += uint32(row[o+2])
				sum[s+3] += uint32(row[o+3])
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
		for i, v := range sum {
			out[i] = uint8((v + n/2) / n)
		}
	}
	return dst
}

// scale returns src as RGBA with its long side at most maxSide pixels,
// drawn with the Catmull-Rom filter (sharp edges for text in photographed
// pages), and transparent parts on white, as JPEG has no transparency.
func scale(src image.Image, maxSide int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > maxSide {
		w = max(1, (w*maxSide+long/2)/long)
		h = max(1, (h*maxSide+long/2)/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	}
	return dst
}

// turn returns img turned upright from the EXIF Orientation o (1 to 8):
// 2 mirrored, 3 upside down, 4 mirrored upside down, 5 mirrored and turned
// a quarter left, 6 turned a quarter left (so it is turned right), 7
// mirrored and turned right, 8 turned right (so it is turned left).
func turn(img *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			s := img.PixOffset(x, y)
			d := dst.PixOffset(dx, dy)
			copy(dst.Pix[d:d+4], img.Pix[s:s+4])
		}
	}
	return dst
}

// encodeJPEG encodes img as a baseline JPEG; Go's encoder writes no
// metadata segment at all (not even JFIF).
func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
