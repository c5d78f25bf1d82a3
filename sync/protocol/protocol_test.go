package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestCompactRequestRoundTrip(t *testing.T) {
	t.Parallel()
	in := SyncRequest{V: Version, Cursor: Cursor{Epoch: "e1", Seq: 9}, Push: []Change{
		{Seq: 4, Entity: "activity", ID: "a", Op: OpCreate, HLC: "1767225600000.0000000000.dev"},
		{Seq: 5, Entity: "activity", ID: "b", Op: OpCreate, HLC: "1767225600000.0000000001.dev"},
		{Seq: 7, Entity: "activity", ID: "c", Op: OpUpdate, HLC: "1767225600000.0000000002.dev"},
		{Seq: 8, Entity: "comment", ID: "d", Op: OpCreate, HLC: "1767225600009.0000000000.dev"},
	}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(raw), `"q":`); got != 2 {
		t.Errorf("%d sequences written, want 2 (4 and 7): %s", got, raw)
	}
	if got := strings.Count(string(raw), `"h":`); got != 2 {
		t.Errorf("%d clocks written, want 2: %s", got, raw)
	}
	var out SyncRequest
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n%+v\n%+v", in, out)
	}
}

func TestKindsMapToStatuses(t *testing.T) {
	t.Parallel()
	for kind, status := range map[Kind]int{KindInvalid: 400, KindUnauthenticated: 401, KindForbidden: 403, KindNotFound: 404,
		KindConflict: 409, KindTooLarge: 413, KindTooOld: 426, KindTransient: 503} {
		if got := kind.HTTPStatus(); got != status {
			t.Errorf("%s → %d, want %d", kind, got, status)
		}
	}
	if !KindTransient.Retryable() || KindInvalid.Retryable() {
		t.Error("only transient errors are retryable")
	}
}

func TestValidHash(t *testing.T) {
	good := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for h, want := range map[string]bool{
		good: true, "": false, good[:63]: false, good + "0": false,
		"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08": false,
		"zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": false,
	} {
		if ValidHash(h) != want || (CheckHash(h) == nil) != want {
			t.Errorf("ValidHash(%q) = %v, want %v", h, ValidHash(h), want)
		}
	}
}
