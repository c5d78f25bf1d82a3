package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ColumnValues returns the column values of a record of entity given as JSON
// field values (the way the hub holds it), in [FieldNames] order, as a
// database writes them to the entity's table: text, integers, a number or
// nil, and lists as JSON text. Missing fields take their type's zero value.
// Every database that keeps the table keeps the same columns and contents.
func ColumnValues(entity string, raw map[string]json.RawMessage) ([]any, error) {
	sp, ok := specs[entity]
	if !ok {
		return nil, fmt.Errorf("model: unknown entity %q", entity)
	}
	out := make([]any, len(sp.Fields))
	for i, fs := range sp.Fields {
		r, ok := raw[fs.Name]
		if !ok {
			out[i] = fs.Column(fs.Zero())
			continue
		}
		if v, ok := fastColumn(fs.Type, r); ok {
			out[i] = v
			continue
		}
		v, err := fs.Decode(r)
		if err != nil {
			return nil, fmt.Errorf("model: %s: %w", entity, err)
		}
		out[i] = fs.Column(v)
	}
	return out, nil
}

// fastColumn reads the commonest JSON values — a string without escapes, an
// integer in plain form — without the JSON decoder, which is most of the
// cost of a row. It returns ok=false for anything else.
func fastColumn(typ FieldType, raw json.RawMessage) (any, bool) {
	switch typ {
	case TypeText:
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
	case TypeInt:
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
