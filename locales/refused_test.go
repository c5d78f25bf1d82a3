package locales_test

import (
	"testing"

	"github.com/a20-network/fieldbook/internal/filetype"
	"github.com/a20-network/fieldbook/locales"
)

// Every reason a file is refused for has its message in English, and so
// (by the check that every language has what English has) in every
// language: a refused file always says why in the person's words.
func TestEveryFileRefusalHasAMessage(t *testing.T) {
	t.Parallel()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatalf("Load: %v", errs)
	}
	l := b.Localizer("en")
	for _, r := range filetype.Reasons() {
		id := "file.refused." + string(r)
		if got := l.T(id, "Found", "x/y"); got == id || got == "" {
			t.Errorf("reason %q has no message %s", r, id)
		}
	}
}
