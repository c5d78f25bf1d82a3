package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ColumnValues returns the column values of a record of entity given as JSON
// field values (the way the hub holds it), in [FieldNames] order, as this
// store writes them to its table: text, integers, a number or nil, and lists
// as JSON text. Missing fields take their type's zero value. It lets another
// database keep a table with the same columns and contents as the device's.
func ColumnValues(entity string, raw map[string]json.RawMessage) ([]any, error) {
	sp, ok := specs[entity]
	if !ok {
		return nil, fmt.Errorf("store: unknown entity %q", entity)
	}
	out := make([]any, len(sp.fields))
	for i, fs := range sp.fields {
		r, ok := raw[fs.name]
		if !ok {
			out[i] = fs.columnValue(zeroValue(fs))
			continue
		}
		if v, ok := fastColumn(fs.typ, r); ok {
			out[i] = v
			continue
		}
		v, err := fs.decodeValue(r)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", entity, err)
		}
		out[i] = fs.columnValue(v)
	}
	return out, nil
}

// fastColumn reads the commonest JSON values — a string without escapes, an
// integer in plain form — without the JSON decoder, which is most of the
// cost of a row. It returns ok=false for anything else.
func fastColumn(typ fieldType, raw json.RawMessage) (any, bool) {
	switch typ {
	case fText:
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
			return nil, false
		}
		s := raw[1 : len(raw)-1]
		for _, c := range s {
			if c < 0x20 || c == '"' || c == '\\' {
				return nil, false
			}
		}
		if !utf8.Valid(s) {
			return nil, false
		}
		return string(s), true
	case fInt:
		if !plainInt(raw) {
			return nil, false
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		return n, err == nil
	}
	return nil, false
}

// plainInt reports whether raw is a JSON integer without fraction or
// exponent: 0, or an optional minus and digits not starting with 0.
func plainInt(raw []byte) bool {
	if len(raw) > 0 && raw[0] == '-' {
		raw = raw[1:]
	}
	if len(raw) == 0 || (raw[0] == '0' && len(raw) > 1) {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
