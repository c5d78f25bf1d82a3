package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Draft is a form being typed, saved as the user types so that a crash or a
// power cut loses at most the last moment of typing.
type Draft struct {
	Key     string // which form: "activity:new" or "activity:<id>"
	Body    string // the form's state, encoded by the UI
	SavedAt time.Time
}

// SaveDraft stores the draft for key, replacing any earlier one. It is a
// single small write, cheap enough to call on every keystroke pause.
func (s *Store) SaveDraft(ctx context.Context, key, body string) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO drafts (key, body, saved_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at`, key, body, s.now().UTC().Format(timeLayout))
	if err != nil {
		return fmt.Errorf("store: save draft %s: %w", key, err)
	}
	return nil
}

// Draft returns the draft for key, or an error wrapping [ErrNotFound].
func (s *Store) Draft(ctx context.Context, key string) (Draft, error) {
	d := Draft{Key: key}
	var at string
	err := s.writer.QueryRowContext(ctx, "SELECT body, saved_at FROM drafts WHERE key = ?", key).Scan(&d.Body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("store: draft %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("store: read draft %s: %w", key, err)
	}
	d.SavedAt, _ = time.Parse(timeLayout, at)
	return d, nil
}

// Drafts returns every saved draft, newest first.
func (s *Store) Drafts(ctx context.Context) ([]Draft, error) {
	rows, err := s.writer.QueryContext(ctx, "SELECT key, body, saved_at FROM drafts ORDER BY saved_at DESC")
	if err != nil {
		return nil, fmt.Errorf("store: list drafts: %w", err)
	}
	defer rows.Close()
	out := []Draft{}
	for rows.Next() {
		var d Draft
		var at string
		if err := rows.Scan(&d.Key, &d.Body, &at); err != nil {
			return nil, fmt.Errorf("store: list drafts: %w", err)
		}
		d.SavedAt, _ = time.Parse(timeLayout, at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDraft removes the draft for key; deleting a missing draft is not an
// error.
func (s *Store) DeleteDraft(ctx context.Context, key string) error {
	if _, err := s.writer.ExecContext(ctx, "DELETE FROM drafts WHERE key = ?", key); err != nil {
		return fmt.Errorf("store: delete draft %s: %w", key, err)
	}
	return nil
}
