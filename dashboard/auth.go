package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/report"
)

// Roles a dashboard user can have.
const (
	// RoleCoordinator sees the whole network's figures and shared records.
	RoleCoordinator = "coordinator"
	// RoleOrgAdmin sees its own organization's details and the network's
	// figures and shared records.
	RoleOrgAdmin = "orgadmin"
)

// ErrBadLogin is returned by [Authenticate] for an unknown user or a wrong
// password; the two are not told apart.
var ErrBadLogin = errors.New("dashboard: wrong user name or password")

// ErrUserExists is returned by [AddUser] for a name already taken.
var ErrUserExists = errors.New("dashboard: user already exists")

// hubTables are the tables and views of the hub database that the
// dashboard reads and writes. The hub's numbered migrations make every one.
var hubTables = []string{"activities", "organizations", report.RollupTable, "users", "dashboard_sessions", "sign_in_limits"}

// ErrNotMigrated is returned for a database that is not a hub database
// the hub has migrated: the dashboard makes no tables of its own.
var ErrNotMigrated = errors.New("dashboard: the database is not a hub database the hub has migrated")

// checkMigrated returns an error wrapping [ErrNotMigrated] that names what
// db lacks of [hubTables], or nil.
func checkMigrated(ctx context.Context, db *sql.DB) error {
	q := "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
	if pgdb.IsPostgres(db) {
		// Not the hub's sqlite_master view: a database the hub has not
		// migrated has none.
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("dashboard: read the database's tables: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("dashboard: read the database's tables: %w", err)
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dashboard: read the database's tables: %w", err)
	}
	var missing []string
	for _, t := range hubTables {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: it has no %s (open it with fieldbook-hub first, which migrates it)", ErrNotMigrated, strings.Join(missing, ", "))
	}
	return nil
}

// argon2id parameters: the OWASP minimum for argon2id (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonParams  = "argon2id;t=2;m=19456;p=1;l=32"
)

func hashPassword(password string, salt []byte) []byte {
	return argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
}

// MinPasswordLen is the shortest password [AddUser] accepts, in characters.
const MinPasswordLen = 10

// AddUser adds a dashboard user with an argon2id-hashed password and a
// random per-user salt. role is [RoleCoordinator] or [RoleOrgAdmin]; an
// orgadmin needs orgID. It fails with a message naming the bad field, or
// wrapping [ErrUserExists], and then writes nothing. A coordinator sees the
// whole network and has no organization; an orgadmin's must be in the
// hub's organization directory. It backs "fieldbook-hub user add".
func AddUser(ctx context.Context, db *sql.DB, name, password, role, orgID string) error {
	name, orgID = strings.TrimSpace(name), strings.TrimSpace(orgID)
	switch {
	case name == "" || utf8.RuneCountInString(name) > 100:
		return errors.New("dashboard: add user: name must be 1 to 100 characters")
	case !validName(name):
		return errors.New("dashboard: add user: name must be UTF-8 text without control characters")
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return fmt.Errorf("dashboard: add user: password must be at least %d characters", MinPasswordLen)
	case role != RoleCoordinator && role != RoleOrgAdmin:
		return fmt.Errorf("dashboard: add user: role %q unknown (want %s or %s)", role, RoleCoordinator, RoleOrgAdmin)
	case role == RoleOrgAdmin && orgID == "":
		return errors.New("dashboard: add user: an orgadmin needs an organization id")
	case role == RoleCoordinator && orgID != "":
		return errors.New("dashboard: add user: a coordinator sees the whole network; leave out the organization")
	}
	if err := checkMigrated(ctx, db); err != nil {
		return err
	}
	if role == RoleOrgAdmin {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM organizations WHERE id = ?", orgID).Scan(&n); err != nil {
			return fmt.Errorf("dashboard: add user %s: %w", name, err)
		}
		if n == 0 {
			return fmt.Errorf("dashboard: add user: no organization %q (see org list)", orgID)
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("dashboard: add user: %w", err)
	}
	var exists int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE name = ?", name).Scan(&exists); err != nil {
		return fmt.Errorf("dashboard: add user %s: %w", name, err)
	}
	if exists > 0 {
		return fmt.Errorf("%w: %s", ErrUserExists, name)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO users (name, role, org_id, salt, hash, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		name, role, orgID, salt, hashPassword(password, salt), argonParams, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("dashboard: add user %s: %w", name, err)
	}
	return nil
}

// validName says whether name may be a user's name: UTF-8 text without
// control characters, which both databases store as given (PostgreSQL
// refuses the NUL character and bytes that are not UTF-8).
func validName(name string) bool {
	return utf8.ValidString(name) && !strings.ContainsFunc(name, unicode.IsControl)
}

// User is a signed-in dashboard user.
type User struct {
	ID    int64
	Name  string
	Role  string
	OrgID string
}

// dummySalt keeps the time of a login for an unknown user close to that of
// a wrong password, so the response does not tell which names exist.
var dummySalt = make([]byte, 16)

// Authenticate checks name and password and returns the user, or
// [ErrBadLogin]. It hashes at once, without the dashboard's limit on
// parallel sign-ins; the dashboard's own sign-in form goes through that
// limit.
func Authenticate(ctx context.Context, db *sql.DB, name, password string) (User, error) {
	return authenticate(ctx, db, name, password, func(_ context.Context, pw string, salt []byte) ([]byte, error) {
		return hashPassword(pw, salt), nil
	})
}

// authenticate checks name and password with hash, which may refuse to run
// (busy, or ctx done); that error is returned as is.
func authenticate(ctx context.Context, db *sql.DB, name, password string, hash func(context.Context, string, []byte) ([]byte, error)) (User, error) {
	var u User
	var salt, want []byte
	err := sql.ErrNoRows // no user has a name AddUser refuses
	if name = strings.TrimSpace(name); validName(name) {
		err = db.QueryRowContext(ctx, "SELECT id, name, role, org_id, salt, hash FROM users WHERE name = ?", name).
			Scan(&u.ID, &u.Name, &u.Role, &u.OrgID, &salt, &want)
	}
	if errors.Is(err, sql.ErrNoRows) {
		// An unknown name costs the same hash, in the same slots, as a
		// wrong password: neither time nor refusals tell names apart.
		if _, err := hash(ctx, password, dummySalt); err != nil {
			return User{}, err
		}
		return User{}, ErrBadLogin
	}
	if err != nil {
		return User{}, fmt.Errorf("dashboard: sign in: %w", err)
	}
	got, err := hash(ctx, password, salt)
	if err != nil {
		return User{}, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return User{}, ErrBadLogin
	}
	return u, nil
}

// sessions issues and checks session tokens. The database keeps only a
// SHA-256 of each token, so a copy of the database cannot sign anyone in.
type sessions struct {
	db  *sql.DB
	ttl time.Duration
	now func() time.Time
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// create starts a session for u and returns its token and expiry.
func (s *sessions) create(ctx context.Context, u User) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, fmt.Errorf("dashboard: new session: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	exp := now.Add(s.ttl)
	if _, err := s.db.ExecContext(ctx, "DELETE FROM dashboard_sessions WHERE expires_at <= ?", now.Unix()); err != nil {
		return "", time.Time{}, fmt.Errorf("dashboard: new session: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, "INSERT INTO dashboard_sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
		tokenHash(token), u.ID, exp.Unix()); err != nil {
		return "", time.Time{}, fmt.Errorf("dashboard: new session: %w", err)
	}
	return token, exp, nil
}

// user returns the session's user, or ok=false for an unknown or expired
// token.
func (s *sessions) user(ctx context.Context, token string) (User, bool, error) {
	if token == "" || len(token) > 100 {
		return User{}, false, nil
	}
	var u User
	var exp int64
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.org_id, s.expires_at FROM dashboard_sessions s
		JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash(token)).Scan(&u.ID, &u.Name, &u.Role, &u.OrgID, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, fmt.Errorf("dashboard: check session: %w", err)
	}
	if s.now().Unix() >= exp {
		return User{}, false, nil
	}
	return u, true, nil
}

// end deletes the session.
func (s *sessions) end(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM dashboard_sessions WHERE token_hash = ?", tokenHash(token)); err != nil {
		return fmt.Errorf("dashboard: end session: %w", err)
	}
	return nil
}
