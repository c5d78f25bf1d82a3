package store

import (
	"encoding/json"
	"fmt"
)

// ValidateFields checks a record given as JSON field values, the way the
// hub holds it: every field must decode to its type, and the record must
// pass its entity's Validate. Missing fields take their type's zero value;
// unknown fields are ignored. It returns a [*ValidationError] for invalid
// content, another error for an unknown entity or a value of the wrong type.
func ValidateFields(entity string, raw map[string]json.RawMessage) error {
	sp, ok := specs[entity]
	if !ok {
		return fmt.Errorf("store: unknown entity %q", entity)
	}
	f := make(Fields, len(sp.fields))
	for _, fs := range sp.fields {
		v, ok := raw[fs.name]
		if !ok {
			f[fs.name] = zeroValue(fs)
			continue
		}
		dv, err := fs.decodeValue(v)
		if err != nil {
			return &ValidationError{Entity: entity, Fields: []FieldError{{Field: fs.name, Reason: "bad_type", Value: err.Error()}}}
		}
		f[fs.name] = dv
	}
	switch entity {
	case EntityActivity:
		var a Activity
		a.setFields(f)
		return a.Validate()
	case EntityResource:
		var r Resource
		r.setFields(f)
		return r.Validate()
	case EntityComment:
		var c Comment
		c.setFields(f)
		return c.Validate()
	case EntityOrganization:
		var o Organization
		o.setFields(f)
		return o.Validate()
	}
	return fmt.Errorf("store: unknown entity %q", entity)
}

// ZeroFields returns every syncable field of entity with its type's zero
// value as JSON ("", 0, null or []), or nil for an unknown entity. A record
// sent without some fields has these values in them.
func ZeroFields(entity string) map[string]json.RawMessage {
	sp, ok := specs[entity]
	if !ok {
		return nil
	}
	out := make(map[string]json.RawMessage, len(sp.fields))
	for _, fs := range sp.fields {
		out[fs.name] = encodeValue(zeroValue(fs))
	}
	return out
}
