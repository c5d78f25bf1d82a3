package store

import (
	"context"
	"database/sql"
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

// OutboxHighSeq returns the highest change sequence this database has ever
// assigned, acknowledged changes included; 0 if none.
func (s *Store) OutboxHighSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.writer.QueryRowContext(ctx, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)").Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("store: read outbox sequence: %w", err)
	}
	return seq, nil
}

// RenumberOutbox gives every pending change a sequence above above,
// keeping their order, and makes later changes number after them. The sync
// engine calls it when the hub has applied sequences this database never
// assigned: the database was restored from an older copy, and its new
// changes would otherwise look like ones the hub already has.
func (s *Store) RenumberOutbox(ctx context.Context, above int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var lowest, highest sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT min(seq), max(seq) FROM outbox").Scan(&lowest, &highest); err != nil {
			return fmt.Errorf("store: renumber outbox: %w", err)
		}
		top := above
		if lowest.Valid && lowest.Int64 <= above {
			offset := above - lowest.Int64 + 1
			// Through negative numbers, so that no two rows ever share a key.
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET seq = -(seq + ?)", offset); err != nil {
				return fmt.Errorf("store: renumber outbox: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET seq = -seq"); err != nil {
				return fmt.Errorf("store: renumber outbox: %w", err)
			}
			top = highest.Int64 + offset
		} else if highest.Valid && highest.Int64 > top {
			top = highest.Int64
		}
		res, err := tx.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'", top)
		if err != nil {
			return fmt.Errorf("store: renumber outbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", top); err != nil {
				return fmt.Errorf("store: renumber outbox: %w", err)
			}
		}
		return nil
	})
}
