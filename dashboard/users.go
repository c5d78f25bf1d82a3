package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrNoUser is returned by [RemoveUser] for a name no user has.
var ErrNoUser = errors.New("dashboard: no such user")

// Users returns every dashboard user, by name (compared byte by byte, as
// SQLite does, whatever collation a PostgreSQL database has). It backs
// "fieldbook-hub user list".
func Users(ctx context.Context, db *sql.DB) ([]User, error) {
	if err := checkMigrated(ctx, db); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT id, name, role, org_id FROM users")
	if err != nil {
		return nil, fmt.Errorf("dashboard: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &u.OrgID); err != nil {
			return nil, fmt.Errorf("dashboard: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: list users: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RemoveUser deletes the user called name and ends its sessions at once,
// or fails with [ErrNoUser]. It backs "fieldbook-hub user remove".
func RemoveUser(ctx context.Context, db *sql.DB, name string) error {
	if err := checkMigrated(ctx, db); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if !validName(name) {
		return fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("dashboard: remove user %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM dashboard_sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)", name); err != nil {
		return fmt.Errorf("dashboard: remove user %s: %w", name, err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE name = ?", name)
	if err != nil {
		return fmt.Errorf("dashboard: remove user %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("dashboard: remove user %s: %w", name, err)
	}
	return nil
}
