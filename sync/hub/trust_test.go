package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// Enrollment codes are stored as HMAC under a key of each hub's own: the
// same code hashes differently on two hubs, and codes a hub stored before
// codes were keyed (plain SHA-256) still work once rekeyed.
func TestEnrollCodesAreKeyedAndLegacyCodesRekeyed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := Options{Logger: slog.New(slog.DiscardHandler)}
	one, err := openTest(t, ctx, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	dir := t.TempDir()
	two, err := openTest(t, ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if one.codeHash("ABCD-EFGH-JKMN") == two.codeHash("abcd efgh jkmn") || two.codeHash("ABCD-EFGH-JKMN") != two.codeHash("abcd efgh jkmn") {
		t.Fatal("code hashes are not keyed per hub, or ignore normalization")
	}
	org, err := two.AddOrg(ctx, "Org", "MW")
	if err != nil {
		t.Fatal(err)
	}
	// A code stored the old way, by a hub at schema 2.
	const legacy = "LEGA-CYCO-DE23"
	sum := sha256.Sum256([]byte(normalizeCode(legacy)))
	type stmt struct {
		sql  string
		args []any
	}
	downgrade := []stmt{
		{"DELETE FROM meta WHERE key = ?", []any{metaCodeKey}},
		{"INSERT INTO enroll_codes (hash, org_id, role, created_at, expires_at) VALUES (?, ?, 'staff', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z')",
			[]any{hex.EncodeToString(sum[:]), org}},
		{"DROP TABLE applied", nil},
		{"DROP TABLE file_holders", nil},
		{"DROP TABLE file_refs", nil},
		{"DROP TABLE files", nil},
		{"ALTER TABLE devices DROP COLUMN copy_of", nil},
		{"ALTER TABLE devices DROP COLUMN diverged_at", nil},
		{"ALTER TABLE devices DROP COLUMN log_from", nil},
		{"ALTER TABLE activities DROP COLUMN files", nil},
		{"PRAGMA user_version = 2", nil},
	}
	if two.pg {
		// A PostgreSQL hub starts at the newest schema: its legacy codes
		// come from a SQLite hub moved into it, whose migration 0003 has
		// marked them.
		downgrade = []stmt{{"INSERT INTO enroll_codes (hash, org_id, role, created_at, expires_at) VALUES (?, ?, 'staff', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z')",
			[]any{legacyCodePrefix + hex.EncodeToString(sum[:]), org}}}
	}
	for _, q := range downgrade {
		if _, err := two.writer.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	two.Close()
	two, err = openTest(t, ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	var n int
	two.reader.QueryRow("SELECT count(*) FROM enroll_codes WHERE hash = ? OR hash LIKE 'sha256:%'", hex.EncodeToString(sum[:])).Scan(&n)
	if n != 0 {
		t.Fatal("a plain SHA-256 code hash is left after the upgrade")
	}
	resp, err := two.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: legacy, Device: "dev-legacy"})
	if err != nil || resp.Org != org || resp.Device != "dev-legacy" {
		t.Fatalf("enroll with a code made before the upgrade: %+v, %v", resp, err)
	}
}

// The gate remembers a bounded number of addresses, forgetting the one
// unheard from longest, never all at once; an address over its allowance
// waits for it to refill.
func TestEnrollGateIsBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	g := newEnrollGate(8, 2, 100, time.Minute)
	take := func(ip string) (bool, time.Duration) {
		release, wait, err := g.admit(context.Background(), clientAddr(&http.Request{RemoteAddr: net.JoinHostPort(ip, "4242")}), now)
		if err != nil {
			t.Fatal(err)
		}
		if release != nil {
			release()
		}
		return release != nil, wait
	}
	for range 2 {
		if ok, _ := take("198.51.100.7"); !ok {
			t.Fatal("attempt within the allowance refused")
		}
	}
	if ok, wait := take("198.51.100.7"); ok || wait != time.Minute {
		t.Fatalf("third attempt: admitted %v, wait %s", ok, wait)
	}
	for i := range 7 {
		take(fmt.Sprintf("203.0.113.%d", i))
	}
	if ok, _ := take("198.51.100.7"); ok {
		t.Fatal("the limited address was forgotten while the table had room")
	}
	for i := range 1000 {
		take(fmt.Sprintf("2001:db8:%x::1", i))
		if len(g.table) > 8 || g.lru.Len() != len(g.table) {
			t.Fatalf("table holds %d addresses (list %d), at most 8", len(g.table), g.lru.Len())
		}
	}
	if ok, _ := take("2001:db8:3e7::2"); !ok {
		t.Fatal("second attempt from a /64 refused")
	}
	if ok, _ := take("2001:db8:3e7::3"); ok {
		t.Fatal("a third address of the same /64 got an allowance of its own")
	}
	now = now.Add(30 * time.Second)
	if _, wait := take("198.51.100.8"); wait != 0 {
		t.Fatalf("a new address waits %s", wait)
	}
	if _, wait := take("2001:db8:3e7::4"); wait != 30*time.Second {
		t.Fatalf("half refilled: wait %s, want 30s", wait)
	}
	r := &http.Request{RemoteAddr: "[2001:db8:1:2:3:4:5:6]:443"}
	if got := clientAddr(r); got != "2001:db8:1:2::/64" {
		t.Fatalf("clientAddr = %s", got)
	}
	r.RemoteAddr = "[::ffff:192.0.2.9]:80"
	if got := clientAddr(r); got != "192.0.2.9" {
		t.Fatalf("clientAddr = %s", got)
	}
}
