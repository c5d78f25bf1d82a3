package filetype

import (
	"bytes"
	"encoding/binary"
)

// This file reads the little that Fieldbook needs from an image's
// metadata: the EXIF Orientation tag (cameras store a photo as the sensor
// saw it and say in this tag how to turn it) and whether the file carries
// metadata at all. Every length and offset comes from outside and is
// checked before use; a part that does not parse counts as absent.

// tagOrientation is the EXIF (TIFF) tag that says how to turn the image.
const tagOrientation = 0x0112

// exifHeader starts the payload of a JPEG APP1 segment that holds EXIF.
var exifHeader = []byte("Exif\x00\x00")

// tiffOrientation returns the Orientation (1 to 8) in the first IFD of a
// TIFF structure as EXIF stores it, or 1 when there is none or the
// structure does not parse.
func tiffOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:4]) != 42 {
		return 1
	}
	ifd := int64(bo.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 1
	}
	n := int64(bo.Uint16(tiff[ifd : ifd+2]))
	for i := int64(0); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			return 1
		}
		entry := tiff[e : e+12]
		if bo.Uint16(entry[0:2]) != tagOrientation {
			continue
		}
		// SHORT (type 3), one value, stored in the first two bytes of the
		// value field.
		if bo.Uint16(entry[2:4]) != 3 || bo.Uint32(entry[4:8]) != 1 {
			return 1
		}
		if o := int(bo.Uint16(entry[8:10])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

// jpegSegments calls fn with each marker segment of a JPEG before its
// first scan (SOS), and returns the offset where the scan's segment starts,
// or -1 when the segments do not parse. fn returns false to stop.
func jpegSegments(b []byte, fn func(marker byte, payload []byte) bool) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return -1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return -1
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9:
			return i
		}
		size := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if size < 2 || i+2+size > len(b) {
			return -1
		}
		if !fn(marker, b[i+4:i+2+size]) {
			return i
		}
		i += 2 + size
	}
	return -1
}

// pngChunks calls fn with the type and data of each chunk of a PNG, and
// returns the offset after IEND, or -1 when the chunks do not parse.
func pngChunks(b []byte, fn func(typ string, data []byte)) int {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(b, []byte(sig)) {
		return -1
	}
	i := len(sig)
	for i+12 <= len(b) {
		n := int64(binary.BigEndian.Uint32(b[i : i+4]))
		typ := string(b[i+4 : i+8])
		end := int64(i) + 12 + n
		if n > int64(len(b)) || end > int64(len(b)) {
			return -1
		}
		fn(typ, b[i+8:int64(i)+8+n])
		i = int(end)
		if typ == "IEND" {
			return i
		}
	}
	return -1
}

// riffChunks calls fn with the FourCC and data of each top-level chunk of
// a WebP (RIFF) file, and returns false when the chunks do not parse.
func riffChunks(b []byte, fn func(fourCC string, data []byte)) bool {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return false
	}
	i := 12
	for i+8 <= len(b) {
		n := int64(binary.LittleEndian.Uint32(b[i+4 : i+8]))
		end := int64(i) + 8 + n
		if end > int64(len(b)) {
			return false
		}
		fn(string(b[i:i+4]), b[i+8:end])
		i = int(end + n&1) // chunks are padded to an even size
	}
	return true
}

// orientation returns the EXIF Orientation (1 to 8) of an image in the
// given format ("jpeg", "png", "webp"), 1 when it has none.
func orientation(b []byte, format string) int {
	o := 1
	switch format {
	case "jpeg":
		jpegSegments(b, func(marker byte, p []byte) bool {
			if marker == 0xE1 && bytes.HasPrefix(p, exifHeader) {
				o = tiffOrientation(p[len(exifHeader):])
				return false
			}
			return true
		})
	case "png":
		pngChunks(b, func(typ string, data []byte) {
			if typ == "eXIf" {
				o = tiffOrientation(data)
			}
		})
	case "webp":
		riffChunks(b, func(fourCC string, data []byte) {
			if fourCC == "EXIF" {
				o = tiffOrientation(bytes.TrimPrefix(data, exifHeader))
			}
		})
	}
	return o
}

// pngMetadata are the PNG chunks that carry text, dates, EXIF or a colour
// profile: anything beyond the picture.
var pngMetadata = map[string]bool{
	"tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "iCCP": true, "tIME": true,
}

// hasMetadata reports whether an image in the given format carries
// anything beyond the picture (EXIF, XMP, ICC profile, comments, bytes after
// its end), or does not parse far enough to tell: then it is re-encoded.
func hasMetadata(b []byte, format string) bool {
	meta := false
	switch format {
	case "jpeg":
		sos := jpegSegments(b, func(marker byte, _ []byte) bool {
			// APP1–APP15 (EXIF, XMP, ICC, maker data) and comments.
			if (marker >= 0xE1 && marker <= 0xEF) || marker == 0xFE {
				meta = true
				return false
			}
			return true
		})
		// A JPEG ends at EOI; anything after (a second image, a trailer)
		// is carried data too.
		return meta || sos < 0 || !bytes.HasSuffix(b, []byte{0xFF, 0xD9})
	case "png":
		end := pngChunks(b, func(typ string, _ []byte) {
			if pngMetadata[typ] {
				meta = true
			}
		})
		return meta || end != len(b)
	case "webp":
		ok := riffChunks(b, func(fourCC string, _ []byte) {
			if fourCC == "EXIF" || fourCC == "XMP " || fourCC == "ICCP" {
				meta = true
			}
		})
		return meta || !ok || int64(binary.LittleEndian.Uint32(b[4:8]))+8 != int64(len(b))
	}
	return true
}
