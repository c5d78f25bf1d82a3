package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/a20-network/fieldbook/model"
)

// compactCreate is the changes body of an outbox create written by a batch
// insert. Such a create changes every field from nothing to its stored
// value, so instead of a second copy of the record the outbox row holds this
// marker and the body is rebuilt from the record when it is read. The record
// is the change for as long as the row waits: before anything rewrites the
// record, [entitySpec.expandCreates] stores the full body in the row, and a
// rejected create keeps its full body.
const compactCreate = ""

// createBody returns the changes body of a create of record r: every field
// from null to its value, in the encoding the hub receives.
func (sp *entitySpec) createBody(r row) []byte {
	body := make([]byte, 0, 1024)
	body = append(body, '{')
	for i, fs := range sp.Fields {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, '"')
		body = append(body, fs.Name...)
		body = append(body, `":{"old":null,"new":`...)
		body = append(body, model.EncodeValue(r.fields[fs.Name])...)
		body = append(body, '}')
	}
	return append(body, '}')
}

// decodeChanges reads an outbox body of a change to record id of entity,
// rebuilding a compact create from the record as q sees it.
func decodeChanges(ctx context.Context, q queryer, entity, id, body string) (map[string]FieldChange, error) {
	if body == compactCreate {
		sp, ok := specs[entity]
		if !ok {
			return nil, fmt.Errorf("store: queued create of unknown entity %q", entity)
		}
		r, err := sp.load(ctx, q, id)
		if err != nil {
			return nil, err
		}
		ch := make(map[string]FieldChange, len(sp.Fields))
		for _, fs := range sp.Fields {
			ch[fs.Name] = FieldChange{Old: json.RawMessage("null"), New: model.EncodeValue(r.fields[fs.Name])}
		}
		return ch, nil
	}
	var ch map[string]FieldChange
	if err := json.Unmarshal([]byte(body), &ch); err != nil {
		return nil, err
	}
	return ch, nil
}

// expandCreates stores the full body in any compact create of record id
// still queued, so that the record can then be rewritten. Call it in the
// transaction that rewrites the record, before the write.
func (sp *entitySpec) expandCreates(ctx context.Context, tx *sql.Tx, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE record_id = ? AND changes = ''", id).Scan(&n); err != nil {
		return fmt.Errorf("store: queued create of %s %s: %w", sp.Entity, id, err)
	}
	if n == 0 {
		return nil
	}
	r, err := sp.load(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE outbox SET changes = ? WHERE record_id = ? AND changes = ''", string(sp.createBody(r)), id); err != nil {
		return fmt.Errorf("store: queued create of %s %s: %w", sp.Entity, id, err)
	}
	return nil
}

// expandCreateSeq stores the full body in outbox row seq if it is a compact
// create.
func expandCreateSeq(ctx context.Context, tx *sql.Tx, seq int64) error {
	var entity, id string
	err := tx.QueryRowContext(ctx, "SELECT entity, record_id FROM outbox WHERE seq = ? AND changes = ''", seq).Scan(&entity, &id)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: outbox row %d: %w", seq, err)
	}
	sp, ok := specs[entity]
	if !ok {
		return fmt.Errorf("store: outbox row %d: unknown entity %q", seq, entity)
	}
	return sp.expandCreates(ctx, tx, id)
}
