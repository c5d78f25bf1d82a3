package fontcover

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errBadFont is returned for data that is not a font file Face can read.
var errBadFont = errors.New("not a TrueType/OpenType font or collection")

// Face returns face index of a font file as a font file of its own. A
// collection (.ttc, such as Noto Sans CJK's, with one face per region) is
// read through its table directory and the face's tables copied out, since
// Fyne reads a theme's font as one face and a collection's first face is
// not the one every language wants; a single font is returned as it is
// (index 0 only). Bad data gives an error, never a panic.
func Face(data []byte, index int) ([]byte, error) {
	if len(data) < 12 {
		return nil, errBadFont
	}
	if string(data[:4]) != "ttcf" {
		if index != 0 {
			return nil, fmt.Errorf("fontcover: face %d of a single font", index)
		}
		return data, nil
	}
	n := int(binary.BigEndian.Uint32(data[8:12]))
	if index < 0 || index >= n || 12+4*(index+1) > len(data) {
		return nil, fmt.Errorf("fontcover: face %d of a collection of %d", index, n)
	}
	return extractFace(data, int(binary.BigEndian.Uint32(data[12+4*index:])))
}

// tableRecord is one entry of a font's table directory.
type tableRecord struct {
	tag, checksum  [4]byte
	offset, length uint32
}

// extractFace copies the face whose table directory starts at dir into a
// font file of its own: the same directory with the tables' new offsets,
// then the tables, each padded to four bytes as the format asks.
func extractFace(data []byte, dir int) ([]byte, error) {
	if dir < 0 || dir+12 > len(data) {
		return nil, fmt.Errorf("fontcover: face directory at %d: %w", dir, errBadFont)
	}
	numTables := int(binary.BigEndian.Uint16(data[dir+4:]))
	head := 12 + 16*numTables
	if dir+head > len(data) {
		return nil, fmt.Errorf("fontcover: %d tables at %d: %w", numTables, dir, errBadFont)
	}
	records := make([]tableRecord, numTables)
	size := head
	for i := range records {
		b := data[dir+12+16*i:]
		r := tableRecord{offset: binary.BigEndian.Uint32(b[8:]), length: binary.BigEndian.Uint32(b[12:])}
		copy(r.tag[:], b[:4])
		copy(r.checksum[:], b[4:8])
		if uint64(r.offset)+uint64(r.length) > uint64(len(data)) {
			return nil, fmt.Errorf("fontcover: table %q past the end: %w", r.tag[:], errBadFont)
		}
		records[i] = r
		size += padded(int(r.length))
	}
	out := make([]byte, head, size)
	copy(out, data[dir:dir+12])
	for i, r := range records {
		rec := out[12+16*i:]
		copy(rec, r.tag[:])
		copy(rec[4:], r.checksum[:])
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], r.length)
		out = append(out, data[r.offset:r.offset+r.length]...)
		out = append(out, make([]byte, padded(int(r.length))-int(r.length))...)
	}
	return out, nil
}

// padded rounds n up to a multiple of four.
func padded(n int) int { return (n + 3) &^ 3 }
