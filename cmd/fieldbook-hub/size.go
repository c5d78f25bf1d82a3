package main

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag of a size in bytes, written as a number of bytes or
// with a unit: KB, MB, GB (powers of 1024, as people read file sizes).
type byteSize int64

// sizeUnits are the units a size may end with, longest first.
var sizeUnits = []struct {
	name string
	mult int64
}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}

// String writes the size in bytes.
func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*b), 10)
}

// Set parses a size: a positive whole number, optionally with a unit.
func (b *byteSize) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// parseSize reads "50MB", "2GB", "1048576": a positive whole number of
// bytes, at most 1 TB.
func parseSize(s string) (int64, error) {
	num, mult := strings.ToUpper(strings.TrimSpace(s)), int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.name); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("size %q: want a positive whole number of bytes up to 1TB, optionally with KB, MB or GB (50MB)", s)
	}
	return n * mult, nil
}
