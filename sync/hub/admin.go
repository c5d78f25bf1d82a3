package hub

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Roles a device can enroll with.
const (
	RoleStaff = "staff"
	RoleAdmin = "admin"
)

// hubNode is the clock node of changes the hub makes itself.
const hubNode = "hub"

const timeLayout = time.RFC3339Nano

// AddOrg adds an organization and its directory record, which every device
// pulls. It returns the new organization's id.
func (h *Hub) AddOrg(ctx context.Context, name, country string) (string, error) {
	country = codes.NormalizeCountry(country)
	id := model.NewID()
	now := h.now().UTC()
	fields := model.ZeroFields(model.EntityOrganization)
	set := func(k string, v any) { b, _ := json.Marshal(v); fields[k] = b }
	set("name", strings.TrimSpace(name))
	set("country", country)
	set("visibility", model.VisibilityNetwork)
	set("created_by", hubNode)
	set("created_at", now.Format(time.RFC3339Nano))
	if err := model.ValidateFields(model.EntityOrganization, fields); err != nil {
		return "", fmt.Errorf("hub: add organization: %w", err)
	}
	ts := hlc.Timestamp{Wall: now.UnixMilli(), Node: hubNode}.String()
	err := h.inTx(ctx, func(tx writeTx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO orgs (id, name, country, created_at) VALUES (?, ?, ?, ?)",
			id, strings.TrimSpace(name), country, now.Format(timeLayout)); err != nil {
			return fmt.Errorf("hub: add organization: %w", err)
		}
		seq := &sequence{}
		if err := seq.load(ctx, tx); err != nil {
			return err
		}
		r := &record{id: id, entity: model.EntityOrganization, org: id, body: fields, state: map[string]fieldState{}}
		v := seq.next()
		for k := range fields {
			r.state[k] = fieldState{V: v, H: ts, D: hubNode}
		}
		r.version, r.hlc, r.lastBy, r.clean = v, ts, hubNode, true
		if err := r.save(ctx, tx, false); err != nil {
			return err
		}
		return seq.save(ctx, tx)
	})
	return id, err
}

// Org is an organization registered on the hub.
type Org struct {
	ID, Name, Country string
}

// Orgs lists the organizations, by name.
func (h *Hub) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := h.reader.QueryContext(ctx, "SELECT id, name, country FROM orgs ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("hub: list organizations: %w", err)
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		if err := rows.Scan(&o.ID, &o.Name, &o.Country); err != nil {
			return nil, fmt.Errorf("hub: list organizations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// codeAlphabet leaves out letters and digits people confuse (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// normalizeCode uppercases a typed code and drops spaces and dashes.
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r != '-' && r != ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hash returns the hex SHA-256 of a device token, as the hub stores it. A
// token is 32 random bytes: nobody can search 2^256 tokens for one whose
// hash a stolen database holds, so unlike enrollment codes (short, typed
// by people) it needs no key or slow hash.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// metaCodeKey is the meta key of the hub's secret for enrollment codes.
const metaCodeKey = "enroll_code_key"

// legacyCodePrefix marks enrollment codes stored, before codes were keyed,
// as the plain SHA-256 of the code (migration 0003 adds it).
const legacyCodePrefix = "sha256:"

// codeHash returns how the hub stores enrollment code (typed or made):
// HMAC-SHA-256, under the hub's own secret key, of the code's normalized
// SHA-256. Someone holding a copy of the codes table but not the key
// cannot try codes against it, and the same code has a different hash on
// every hub. The inner SHA-256 is what hubs stored before, so those codes
// were rekeyed in place rather than invalidated.
func (h *Hub) codeHash(code string) string {
	return keyedCodeHash(h.codeKey, hash(normalizeCode(code)))
}

func keyedCodeHash(key []byte, legacy string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(legacy))
	return hex.EncodeToString(m.Sum(nil))
}

// ensureCodeKey loads the hub's secret key for enrollment codes, making it
// at the first open, and rekeys codes stored before codes were keyed.
func (h *Hub) ensureCodeKey(ctx context.Context) error {
	return h.inTx(ctx, func(tx writeTx) error {
		if err := tx.alone(ctx); err != nil {
			return err
		}
		v, err := metaTx(ctx, tx, metaCodeKey)
		if err != nil {
			return err
		}
		if v == "" {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return fmt.Errorf("hub: make enrollment code key: %w", err)
			}
			v = hex.EncodeToString(key)
			if err := setMetaTx(ctx, tx, metaCodeKey, v); err != nil {
				return err
			}
		}
		if h.codeKey, err = hex.DecodeString(v); err != nil || len(h.codeKey) < 32 {
			return fmt.Errorf("hub: enrollment code key in the database is damaged (%d bytes): %w", len(h.codeKey), err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT hash FROM enroll_codes WHERE hash LIKE ?", legacyCodePrefix+"%")
		if err != nil {
			return fmt.Errorf("hub: rekey enrollment codes: %w", err)
		}
		var legacy []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("hub: rekey enrollment codes: %w", err)
			}
			legacy = append(legacy, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("hub: rekey enrollment codes: %w", err)
		}
		for _, s := range legacy {
			keyed := keyedCodeHash(h.codeKey, strings.TrimPrefix(s, legacyCodePrefix))
			if _, err := tx.ExecContext(ctx, "UPDATE enroll_codes SET hash = ? WHERE hash = ?", keyed, s); err != nil {
				return fmt.Errorf("hub: rekey enrollment codes: %w", err)
			}
		}
		return nil
	})
}

// NewEnrollCode makes a one-time code that enrolls one device into org with
// role, valid for ttl. Only its hash is stored; the code is shown once.
func (h *Hub) NewEnrollCode(ctx context.Context, org, role string, ttl time.Duration) (string, error) {
	if role != RoleStaff && role != RoleAdmin {
		return "", fmt.Errorf("hub: enrollment code: role %q is not staff or admin", role)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("hub: enrollment code: expiry %s must be positive", ttl)
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("hub: enrollment code: %w", err)
	}
	var code strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			code.WriteByte('-')
		}
		code.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	now := h.now().UTC()
	err := h.inTx(ctx, func(tx writeTx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM orgs WHERE id = ?", org).Scan(&n); err != nil {
			return fmt.Errorf("hub: enrollment code: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("hub: enrollment code: no organization %q (see fieldbook-hub org list)", org)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO enroll_codes (hash, org_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			h.codeHash(code.String()), org, role, now.Format(timeLayout), now.Add(ttl).Format(timeLayout))
		if err != nil {
			return fmt.Errorf("hub: enrollment code: %w", err)
		}
		return nil
	})
	return code.String(), err
}

// Device is an enrolled device.
type Device struct {
	ID         string
	Org        string
	Role       string
	Name       string
	EnrolledAt time.Time
	// RevokedAt is zero for a device that may sync.
	RevokedAt time.Time
	// LastSeq is the highest change sequence applied from the device.
	LastSeq  int64
	LastSeen time.Time
	// CopyOf is the device whose database this one's was copied from
	// (see [Hub.Fork]); "" for a device enrolled with a code.
	CopyOf string
}

const deviceColumns = "id, org_id, role, name, enrolled_at, revoked_at, last_seq, last_seen, copy_of"

func scanDevice(sc interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var enrolled, revoked, seen string
	if err := sc.Scan(&d.ID, &d.Org, &d.Role, &d.Name, &enrolled, &revoked, &d.LastSeq, &seen, &d.CopyOf); err != nil {
		return d, err
	}
	d.EnrolledAt, _ = time.Parse(timeLayout, enrolled)
	d.RevokedAt, _ = time.Parse(timeLayout, revoked)
	d.LastSeen, _ = time.Parse(timeLayout, seen)
	return d, nil
}

// Devices lists enrolled devices, revoked ones included.
func (h *Hub) Devices(ctx context.Context) ([]Device, error) {
	rows, err := h.reader.QueryContext(ctx, "SELECT "+deviceColumns+" FROM devices ORDER BY org_id, enrolled_at")
	if err != nil {
		return nil, fmt.Errorf("hub: list devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("hub: list devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrUnknownDevice is returned by [Hub.RevokeDevice] for an id no device has.
var ErrUnknownDevice = errors.New("hub: no such device")

// RevokeDevice stops device id from syncing; its token is refused from now
// on. Revoking a revoked device does nothing.
func (h *Hub) RevokeDevice(ctx context.Context, id string) error {
	res, err := h.writer.ExecContext(ctx, "UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at = ''", h.now().UTC().Format(timeLayout), id)
	if err != nil {
		return fmt.Errorf("hub: revoke device %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		_ = h.writer.QueryRowContext(ctx, "SELECT count(*) FROM devices WHERE id = ?", id).Scan(&exists)
		if exists == 0 {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
		}
	}
	return nil
}

// Enroll trades a one-time code for a device token. The code is used up;
// an unknown, used or expired code fails with kind unauthenticated, a
// malformed device id (see [validID]) with kind invalid, without using the
// code.
//
// Device ids belong to the hub: an enrollment never takes over, moves or
// un-revokes an enrolled device. When the requested id is already enrolled
// (in any organization, revoked or not) the hub enrolls the device under a
// fresh id; the reply's Device is always the id enrolled, which the device
// adopts. Concurrent enrollments are serialised by the write transaction,
// so no two get the same id.
func (h *Hub) Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	if req.V < protocol.MinVersion {
		return protocol.EnrollResponse{}, tooOld(req.V)
	}
	if !validID(req.Device) {
		return protocol.EnrollResponse{}, protocol.Errorf(protocol.KindInvalid, "device id must be 1 to %d characters of 0-9, A-Z, a-z and '-'", maxID)
	}
	if len(req.Name) > 200 {
		return protocol.EnrollResponse{}, protocol.Errorf(protocol.KindInvalid, "device name longer than 200 characters")
	}
	if !utf8.ValidString(req.Name) {
		return protocol.EnrollResponse{}, protocol.Errorf(protocol.KindInvalid, "device name is not valid UTF-8")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return protocol.EnrollResponse{}, fmt.Errorf("hub: enroll: %w", err)
	}
	token := "fbk_" + base64.RawURLEncoding.EncodeToString(raw)
	resp := protocol.EnrollResponse{V: protocol.Version, Token: token, Device: req.Device}
	codeHash := h.codeHash(req.Code)
	now := h.now().UTC()
	err := h.inTx(ctx, func(tx writeTx) error {
		// Enrollments take turns across hub processes, so that a code is
		// used once and a device id is given once.
		if err := tx.alone(ctx); err != nil {
			return err
		}
		var expires, used string
		err := tx.QueryRowContext(ctx, "SELECT org_id, role, expires_at, used_at FROM enroll_codes WHERE hash = ?", codeHash).
			Scan(&resp.Org, &resp.Role, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return protocol.Errorf(protocol.KindUnauthenticated, "enrollment code is not known; ask your organization's admin for a new one")
		}
		if err != nil {
			return fmt.Errorf("hub: enroll: %w", err)
		}
		if used != "" {
			return protocol.Errorf(protocol.KindUnauthenticated, "enrollment code was already used; ask for a new one")
		}
		if exp, _ := time.Parse(timeLayout, expires); !now.Before(exp) {
			return protocol.Errorf(protocol.KindUnauthenticated, "enrollment code expired on %s; ask for a new one", exp.Format(time.DateTime))
		}
		if err := tx.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = ?", resp.Org).Scan(&resp.OrgName); err != nil {
			return fmt.Errorf("hub: enroll: %w", err)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM devices WHERE id = ?", resp.Device).Scan(&taken); err != nil {
			return fmt.Errorf("hub: enroll: %w", err)
		}
		if taken > 0 || resp.Device == hubNode {
			resp.Device = model.NewID()
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enroll_codes SET used_at = ?, used_by = ? WHERE hash = ?",
			now.Format(timeLayout), resp.Device, codeHash); err != nil {
			return fmt.Errorf("hub: enroll: %w", err)
		}
		// A plain INSERT: an existing device is never overwritten.
		if _, err := tx.ExecContext(ctx, "INSERT INTO devices (id, org_id, role, name, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)",
			resp.Device, resp.Org, resp.Role, req.Name, hash(token), now.Format(timeLayout)); err != nil {
			return fmt.Errorf("hub: enroll: %w", err)
		}
		return nil
	})
	if err != nil {
		return protocol.EnrollResponse{}, err
	}
	if resp.Device != req.Device {
		h.log.Info("device enrolled under a new id", "device", resp.Device, "requested", req.Device, "org", resp.Org, "role", resp.Role)
	} else {
		h.log.Info("device enrolled", "device", resp.Device, "org", resp.Org, "role", resp.Role)
	}
	return resp, nil
}

// Authenticate returns the device holding token. A missing, unknown or
// revoked token fails with kind unauthenticated.
func (h *Hub) Authenticate(ctx context.Context, token string) (Device, error) {
	if token == "" {
		return Device{}, protocol.Errorf(protocol.KindUnauthenticated, "no device token; enroll this device first")
	}
	d, err := scanDevice(h.reader.QueryRowContext(ctx, "SELECT "+deviceColumns+" FROM devices WHERE token_hash = ?", hash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, protocol.Errorf(protocol.KindUnauthenticated, "device token is not known; enroll this device again")
	}
	if err != nil {
		return Device{}, fmt.Errorf("hub: authenticate: %w", err)
	}
	if !d.RevokedAt.IsZero() {
		return Device{}, protocol.Errorf(protocol.KindUnauthenticated, "this device was revoked on %s; ask your organization's admin", d.RevokedAt.Format(time.DateOnly))
	}
	return d, nil
}

func tooOld(v int) *protocol.Error {
	return protocol.Errorf(protocol.KindTooOld, "protocol version %d is no longer served (this hub speaks %d to %d); update Fieldbook", v, protocol.MinVersion, protocol.Version)
}

// ReportDB returns a read-only handle on the hub database for the report
// queries (package report): its activities table has the device's shape.
func ReportDB(h *Hub) *sql.DB { return h.reader }

// Records returns every record the hub holds, in hub version order, for
// inspection and tests. Each record's Fields are all its fields.
func (h *Hub) Records(ctx context.Context) ([]protocol.Record, error) {
	rows, err := h.reader.QueryContext(ctx, "SELECT entity, id, org_id, version, hlc, body FROM records ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("hub: list records: %w", err)
	}
	defer rows.Close()
	var out []protocol.Record
	for rows.Next() {
		var r protocol.Record
		var body string
		if err := rows.Scan(&r.Entity, &r.ID, &r.Org, &r.Version, &r.HLC, &body); err != nil {
			return nil, fmt.Errorf("hub: list records: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &r.Fields); err != nil {
			return nil, fmt.Errorf("hub: record %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Conflicts returns every conflict the hub holds, resolved ones included.
func (h *Hub) Conflicts(ctx context.Context) ([]protocol.Conflict, error) {
	rows, err := h.reader.QueryContext(ctx, `SELECT id, entity, record_id, field, winner, loser, winner_hlc, loser_hlc, loser_by,
		created_at, resolved, version FROM conflicts ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("hub: list conflicts: %w", err)
	}
	defer rows.Close()
	var out []protocol.Conflict
	for rows.Next() {
		var c protocol.Conflict
		var w, l string
		if err := rows.Scan(&c.ID, &c.Entity, &c.RecordID, &c.Field, &w, &l, &c.WinnerHLC, &c.LoserHLC, &c.LoserBy, &c.CreatedAt, &c.Resolved, &c.Version); err != nil {
			return nil, fmt.Errorf("hub: list conflicts: %w", err)
		}
		c.Winner, c.Loser = json.RawMessage(w), json.RawMessage(l)
		out = append(out, c)
	}
	return out, rows.Err()
}
