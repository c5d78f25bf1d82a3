package locales

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEmbeddedFilesLoad(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatalf("Load: %v", errs)
	}
	if errs := b.ReadAll(); len(errs) > 0 {
		t.Fatalf("ReadAll: %v", errs)
	}
	l := b.Localizer("en-GB")
	if got := l.T("kind.school_visit"); got != "School visit" {
		t.Fatalf("T = %q", got)
	}
	if got := l.N("activities.count", 1); got != "1 activity" {
		t.Fatalf("N(1) = %q", got)
	}
	if got := l.N("activities.count", 1250); got != "1,250 activities" {
		t.Fatalf("N(1250) = %q", got)
	}
	if got := l.T("no.such.message"); got != "no.such.message" {
		t.Fatalf("missing message = %q", got)
	}
}

func TestEveryShippedFileParses(t *testing.T) {
	t.Parallel()
	names, err := embedded.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 22 {
		t.Fatalf("only %d message files shipped", len(names))
	}
	for _, n := range names {
		t.Run(n.Name(), func(t *testing.T) {
			t.Parallel()
			data, err := embedded.ReadFile(n.Name())
			if err != nil {
				t.Fatal(err)
			}
			f, errs := ParseFile(data, n.Name())
			if len(errs) > 0 || f == nil {
				t.Fatalf("ParseFile: %v", errs)
			}
			if len(f.Messages) == 0 {
				t.Fatal("no messages")
			}
			if !strings.Contains(f.Header, "Fieldbook") {
				t.Errorf("header %q does not say what the file is", f.Header)
			}
		})
	}
}

func TestCheckPassesOnShippedFiles(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	reports := b.Check(nil)
	if len(reports) != len(Shipped())-1 {
		t.Fatalf("%d reports for %d shipped languages", len(reports), len(Shipped()))
	}
	for _, r := range reports {
		if r.Errors() || len(r.Problems) > 0 || len(r.Unknown) > 0 {
			t.Errorf("%s: problems %v, unknown ids %v", r.Tag, r.Problems, r.Unknown)
		}
		// New English messages reach the other languages as drafts later;
		// what is missing is a warning, shown here for the record.
		if r.Translated != r.Total {
			t.Logf("%s: %d/%d translated, missing %v, untranslated %v", r.Tag, r.Translated, r.Total, r.Missing, r.Untranslated)
		}
		if !r.Draft {
			t.Errorf("%s is marked reviewed; no native speaker has reviewed it yet", r.Tag)
		}
	}
}

func TestPluralForms(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"ar", 0, "لا أنشطة"},
		{"ar", 1, "نشاط واحد"},
		{"ar", 2, "نشاطان"},
		{"ar", 3, "٣ أنشطة"},
		{"ar", 11, "١١ نشاطًا"},
		{"ar", 100, "١٠٠ نشاط"},
		{"ru", 1, "1 мероприятие"},
		{"ru", 2, "2 мероприятия"},
		{"ru", 5, "5 мероприятий"},
		{"ru", 21, "21 мероприятие"},
		{"zh-Hans", 1, "1 项活动"},
		{"zh-Hans", 7, "7 项活动"},
		{"es", 1000000, "1.000.000 de actividades"},
		{"bn", 3, "৩টি কার্যক্রম"},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).N("activities.count", c.count); got != c.want {
			t.Errorf("%s N(%d) = %q, want %q", c.lang, c.count, got, c.want)
		}
	}
	for lang, want := range map[string][]string{
		"ar": {"zero", "one", "two", "few", "many", "other"},
		"ru": {"one", "few", "many", "other"},
		"zh": {"other"}, "ko": {"other"}, "th": {"other"}, "km": {"other"},
		"en": {"one", "other"}, "sw": {"one", "other"},
		"pt": {"one", "many", "other"},
	} {
		if got := PluralForms(language.MustParse(lang)); !slices.Equal(got, want) {
			t.Errorf("PluralForms(%s) = %v, want %v", lang, got, want)
		}
	}
}

func TestBrokenOverrideIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "active.en.toml", "\"kind.other\" = \"Something else\"\n")
	broken := writeFile(t, dir, "active.sw.toml", "# Swahili fixes\n\"kind.other\" = \"Nyingine\"\nthis is = = not toml\n")
	badTemplate := writeFile(t, dir, "active.km.toml", "\"kind.other\" = \"ផ្សេងៗ\"\n\n[activities.count]\nother = \"{{.Count សកម្មភាព\"\n")
	writeFile(t, dir, "active.not-a-language!.toml", "\"kind.other\" = \"x\"\n")
	b, errs := Load(dir)
	var fes []*FileError
	for _, err := range errs {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is not a FileError", err)
		}
		fes = append(fes, fe)
	}
	find := func(file string) *FileError {
		for _, fe := range fes {
			if fe.File == file {
				return fe
			}
		}
		t.Fatalf("no error for %s in %v", file, errs)
		return nil
	}
	if fe := find(broken); fe.Line != 3 || !strings.Contains(fe.Error(), "active.sw.toml:3:") {
		t.Errorf("broken file: %v (line %d), want line 3", fe, fe.Line)
	}
	if fe := find(badTemplate); fe.Line != 4 || !strings.Contains(fe.Error(), "activities.count") {
		t.Errorf("bad template: %v (line %d), want line 4", fe, fe.Line)
	}
	find(filepath.Join(dir, "active.not-a-language!.toml"))
	if len(fes) != 3 {
		t.Errorf("errors = %v, want 3", errs)
	}
	if got := b.Localizer("en").T("kind.other"); got != "Something else" {
		t.Errorf("override not applied: %q", got)
	}
	// The broken Swahili override is skipped; shipped Swahili still works.
	if got := b.Localizer("sw").T("kind.school_visit"); got != "Ziara ya shule" {
		t.Errorf("sw = %q", got)
	}
	// The good message of the Khmer file applies; the broken plural falls
	// back to the shipped Khmer message.
	km := b.Localizer("km")
	if got := km.T("kind.other"); got != "ផ្សេងៗ" {
		t.Errorf("km kind.other = %q", got)
	}
	if got := km.N("activities.count", 2); got != "សកម្មភាព 2" {
		t.Errorf("km N(2) = %q", got)
	}
}

func TestLanguageWithoutPluralRulesIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeFile(t, dir, "active.tet.toml", "\"kind.school_visit\" = \"Vizita ba eskola\"\n")
	b, errs := Load(dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), path) || !strings.Contains(errs[0].Error(), "plural rules") {
		t.Fatalf("errs = %v", errs)
	}
	if got := b.Localizer("tet").T("kind.school_visit"); got != "School visit" {
		t.Fatalf("fallback = %q", got)
	}
}

func TestParseFileReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		line       int
		reason     string
	}{
		{"not utf-8", "\"a\" = \"ok\"\n\"b\" = \"\xff\"\n", 2, "UTF-8"},
		{"unterminated string", "\"a\" = \"ok\"\n\n\"b\" = \"oops\n", 3, ""},
		{"number value", "\"a\" = \"ok\"\n\"kind.other\" = 3\n", 2, "want text"},
		{"duplicate key", "\"a\" = \"x\"\n\"a\" = \"y\"\n", 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, errs := ParseFile([]byte(c.text), "active.sw.toml")
			if len(errs) != 1 {
				t.Fatalf("errs = %v", errs)
			}
			if errs[0].Line != c.line || !strings.Contains(errs[0].Error(), c.reason) {
				t.Fatalf("error %q at line %d, want line %d with %q", errs[0], errs[0].Line, c.line, c.reason)
			}
		})
	}
}

func TestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, errs := Load(dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	writeFile(t, dir, "active.sw.toml", "\"kind.school_visit\" = \"Kutembelea shule\"\n")
	writeFile(t, dir, "active.ha.toml", "\"kind.school_visit\" = \"Ziyarar makaranta\"\n")
	nb, errs := b.Reload()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := nb.Localizer("sw").T("kind.school_visit"); got != "Kutembelea shule" {
		t.Errorf("reloaded sw = %q", got)
	}
	if got := b.Localizer("sw").T("kind.school_visit"); got != "Ziara ya shule" {
		t.Errorf("old bundle changed: %q", got)
	}
	ha := language.MustParse("ha")
	if !slices.Contains(nb.Languages(), ha) || nb.Pick("", []string{"ha_NG.UTF-8"}) != ha {
		t.Errorf("a language added by file is not offered: %v", nb.Languages())
	}
	// A new language falls back to English for what it lacks.
	if got := nb.Localizer("ha").T("kind.training"); got != "Training" {
		t.Errorf("fallback = %q", got)
	}
}

func TestPick(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		saved  string
		system []string
		want   string
	}{
		{"nothing known", "", nil, "en"},
		{"C locale falls back silently", "", []string{"C"}, "en"},
		{"POSIX", "", []string{"POSIX", "C.UTF-8"}, "en"},
		{"posix form", "", []string{"pt_BR.UTF-8"}, "pt"},
		{"first supported system language", "", []string{"de-DE", "sw-KE", "en"}, "sw"},
		{"saved choice wins", "km", []string{"fr-FR"}, "km"},
		{"saved unknown language uses system", "xx-unknown", []string{"ru-RU"}, "ru"},
		{"saved garbage uses system", "@@@", []string{"mn-MN"}, "mn"},
		{"traditional Chinese gets simplified", "", []string{"zh-TW"}, "zh-Hans"},
		{"Tagalog gets Filipino", "", []string{"tl-PH"}, "fil"},
		{"pseudo-locale by name", "en-XA", nil, "en-XA"},
		{"pseudo-locale RTL", "ar-XB", []string{"en"}, "ar-XB"},
		{"pseudo never matched from system", "", []string{"en-GB"}, "en"},
		{"Windows display language", "", []string{"ar-SD"}, "ar"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Pick(c.saved, c.system); got.String() != c.want {
				t.Fatalf("Pick(%q, %q) = %s, want %s", c.saved, c.system, got, c.want)
			}
		})
	}
}

func TestPseudoLocales(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for id, en := range b.Messages(Default) {
		acc := Accent(en.Other)
		if !strings.HasPrefix(acc, "[") || !strings.HasSuffix(acc, "]") {
			t.Errorf("%s: %q not bracketed", id, acc)
		}
		if n, m := visibleLen(en.Other), visibleLen(acc); float64(m) < 1.4*float64(n) || m > 2*n+4 {
			t.Errorf("%s: %q is %d runes long for %d in English; want about 40%% longer", id, acc, m, n)
		}
		if !slices.Equal(actions(acc), actions(en.Other)) {
			t.Errorf("%s: placeholders changed: %q", id, acc)
		}
	}
	xa := b.Localizer("en-XA")
	if xa.Tag() != PseudoAccented {
		t.Fatalf("tag %s", xa.Tag())
	}
	if got := xa.T("kind.school_visit"); got != "[Šçĥööļ ṽîšîţ ·····]" {
		t.Errorf("en-XA = %q", got)
	}
	if got := xa.N("activities.count", 3); got != "[3 áçţîṽîţîéš ·····]" {
		t.Errorf("en-XA N = %q", got)
	}
	xb := b.Localizer("ar-XB")
	if got := xb.T("kind.school_visit"); got != "\u202ESchool visit\u202C" {
		t.Errorf("ar-XB = %q", got)
	}
	for _, n := range []int{0, 1, 2, 3, 11, 100} { // every Arabic plural form exists
		if got := xb.N("activities.count", n); !strings.Contains(got, "\u202E") {
			t.Errorf("ar-XB N(%d) = %q", n, got)
		}
	}
	if utf8.RuneCountInString(Accent("")) != 0 {
		t.Error("empty text grew")
	}
}

func TestOwnName(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]string{
		"ny": "Chichewa", "sn": "chiShona", "fr": "Français", "ar": "العربية",
		"zh-Hans": "简体中文", "km": "ខ្មែរ", "hu": "Magyar", "sw": "Kiswahili",
	} {
		if got := OwnName(language.MustParse(tag)); got != want {
			t.Errorf("OwnName(%s) = %q, want %q", tag, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	cases := []struct{ lang, number, date string }{
		{"en", "1,234,567", "27 Nov 2026"},
		{"fr", "1\u00a0234\u00a0567", "27/11/2026"},
		{"ar", "١٬٢٣٤٬٥٦٧", "٢٧\u200f/١١\u200f/٢٠٢٦"},
		{"hi", "12,34,567", "27/11/2026"},
		{"bn", "১২,৩৪,৫৬৭", "২৭/১১/২০২৬"},
		{"th", "1,234,567", "27/11/2569"},
		{"ko", "1,234,567", "2026. 11. 27."},
		{"hu", "1\u00a0234\u00a0567", "2026. 11. 27."},
		{"de", "1.234.567", "2026-11-27"},
	}
	for _, c := range cases {
		tag := language.MustParse(c.lang)
		if got := FormatNumber(tag, 1234567); got != c.number {
			t.Errorf("FormatNumber(%s) = %q, want %q", c.lang, got, c.number)
		}
		if got := FormatDate(tag, day); got != c.date {
			t.Errorf("FormatDate(%s) = %q, want %q", c.lang, got, c.date)
		}
	}
}

func TestNewFileAndAppendMissing(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ru := language.MustParse("ru")
	text := b.NewFile(ru)
	f, perrs := ParseFile(text, "active.ru.toml")
	if len(perrs) > 0 {
		t.Fatalf("new file does not parse: %v\n%s", perrs, text)
	}
	if len(f.Messages) != len(b.Messages(Default)) {
		t.Fatalf("new file has %d messages, English %d", len(f.Messages), len(b.Messages(Default)))
	}
	for _, m := range f.Messages {
		if m.ID == "activities.count" && (m.Few == "" || m.Many == "") {
			t.Errorf("new Russian file lacks Russian plural forms: %+v", m)
		}
	}
	// A file with two messages gets the others appended, in English.
	old := "# Russian\n\"kind.training\" = \"Обучение\"\n\n[activities.count]\none = \"{{.Count}} мероприятие\"\nfew = \"{{.Count}} мероприятия\"\nmany = \"{{.Count}} мероприятий\"\nother = \"{{.Count}} мероприятия\"\n"
	merged, added, err := b.AppendMissing(ru, []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(merged), old) || len(added) != len(b.Messages(Default))-2 {
		t.Fatalf("added %d: %v", len(added), added)
	}
	dir := t.TempDir()
	writeFile(t, dir, "active.ru.toml", string(merged))
	nb, errs := Load(dir)
	if len(errs) > 0 {
		t.Fatalf("merged file: %v\n%s", errs, merged)
	}
	// Translated: the two messages kept, plus appended ones that need no
	// translation (names such as app.name, texts without letters like 0–5).
	free := 0
	for _, id := range added {
		en := b.Messages(Default)[id]
		if Untranslatable[id] || !hasLetter(en.Other+en.One) {
			free++
		}
	}
	for _, r := range nb.Check(nil) {
		if r.Tag == ru && (len(r.Untranslated) != len(added)-free || r.Translated != 2+free) {
			t.Errorf("check after merge: %d translated, untranslated %v", r.Translated, r.Untranslated)
		}
	}
	again, added2, err := b.AppendMissing(ru, merged)
	if err != nil || len(added2) != 0 || string(again) != string(merged) {
		t.Errorf("merge is not idempotent: added %v", added2)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "active.ru.toml", "# Status: reviewed\n\"kind.training\" = \"Обучение\"\n\"kind.nonexistent\" = \"x\"\n\"theme.poverty\" = \"Poverty\"\n\"resourcekind.question\" = \"Вопрос ☃\"\n\n[activities.count]\none = \"{{.count}} мероприятие\"\nother = \"{{.Count}} мероприятия\"\n")
	b, errs := Load(dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	noSnowman := func(r rune) bool { return r != '☃' }
	var ru Report
	for _, r := range b.Check(noSnowman) {
		if r.Tag.String() == "ru" {
			ru = r
		}
	}
	if ru.Draft || !ru.Errors() {
		t.Fatalf("reviewed file with problems: draft=%v errors=%v", ru.Draft, ru.Errors())
	}
	joined := ""
	for _, p := range ru.Problems {
		joined += p.ID + ": " + p.Reason + "\n"
	}
	for _, want := range []string{
		"activities.count: form one: placeholder {{.count}} is not in English",
		"activities.count: plural form few is missing",
		"activities.count: plural form many is missing",
		"resourcekind.question: no installed font draws ☃ (U+2603)",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if !slices.Contains(ru.Unknown, "kind.nonexistent") || !slices.Contains(ru.Untranslated, "theme.poverty") {
		t.Errorf("unknown %v, untranslated %v", ru.Unknown, ru.Untranslated)
	}
}

func FuzzLoadMessageFile(f *testing.F) {
	for _, name := range []string{"active.en.toml", "active.ar.toml", "active.ru.toml"} {
		data, err := embedded.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("this is = = not toml"))
	f.Add([]byte("[a.b]\nother = \"{{.Count\"\n[a.b.c]\nx = 1\n"))
	f.Add([]byte("\"x\" = [\"a\", 1]\n[[t]]\ny = 2\n"))
	f.Add([]byte("\"x\" = \"\xff\xfe\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		file, errs := ParseFile(data, "active.sw.toml")
		for _, e := range errs {
			if e.Line < 0 || e.Line > lines || e.Err == nil || e.File == "" {
				t.Fatalf("bad error %#v for %d lines", e, lines)
			}
		}
		if file == nil {
			if len(errs) == 0 {
				t.Fatal("no file and no error")
			}
			return
		}
		for _, m := range file.Messages {
			if _, err := checkTemplates(m); err != nil {
				t.Fatalf("kept a broken message: %v", err)
			}
		}
		// Loading it as an override never fails the bundle.
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "active.sw.toml"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, _ := Load(dir)
		l := b.Localizer("sw")
		if l.T("kind.other") == "" || l.N("activities.count", 3) == "" {
			t.Fatal("blank text")
		}
	})
}

// BenchmarkLoad measures what the app does on start and on "Reload
// languages": build the bundle and a localizer for the user's language.
// BenchmarkLoadEveryLanguage is the same with every language read, as
// Load did before it read languages on first use.
func BenchmarkLoad(b *testing.B) { benchLoad(b, false) }

// BenchmarkLoadEveryLanguage is [BenchmarkLoad] reading every language.
func BenchmarkLoadEveryLanguage(b *testing.B) { benchLoad(b, true) }

func benchLoad(b *testing.B, all bool) {
	b.ReportAllocs()
	for b.Loop() {
		bundle, errs := Load("")
		if all {
			errs = append(errs, bundle.ReadAll()...)
		}
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if bundle.Localizer("fr").T("kind.other") == "" {
			b.Fatal("blank text")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/load")
}

// TestLanguagesAreReadOnFirstUse checks that Load reads English only and
// a language's file when it is first asked for, once, also when many ask at
// the same time.
func TestLanguagesAreReadOnFirstUse(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	read := func() []string {
		b.mu.Lock()
		defer b.mu.Unlock()
		var tags []string
		for tag := range b.catalogs {
			tags = append(tags, tag.String())
		}
		sort.Strings(tags)
		return tags
	}
	if got := read(); len(got) != 0 {
		t.Fatalf("Load read %v", got)
	}
	if n := len(b.Languages()); n < 22 {
		t.Fatalf("only %d languages listed before any is read", n)
	}
	var wg sync.WaitGroup
	texts := make([]string, 8)
	for i := range texts {
		wg.Go(func() { texts[i] = b.Localizer("fr").T("kind.school_visit") })
	}
	wg.Wait()
	for _, got := range texts {
		if got != texts[0] || got == "" || got == "School visit" {
			t.Fatalf("French texts %q", texts)
		}
	}
	if got := read(); !slices.Equal(got, []string{"en", "fr"}) {
		t.Fatalf("read %v after asking for French, want [en fr]", got)
	}
	c := b.catalog(language.French)
	if b.Localizer("fr-CA"); b.catalog(language.French) != c {
		t.Fatal("French was read twice")
	}
	if got := b.Localizer(PseudoBidi.String()).T("kind.school_visit"); got == "" || got == "School visit" {
		t.Fatalf("ar-XB text %q", got)
	}
	if len(b.Messages(language.Khmer)) == 0 {
		t.Fatal("no Khmer messages")
	}
	if got := read(); !slices.Equal(got, []string{"ar-XB", "en", "fr", "km"}) {
		t.Fatalf("read %v", got)
	}
}

// TestArabicIsolatesLatinValues: values with Latin letters or digits put
// into an Arabic message are isolated, so the bidi algorithm keeps them
// whole; a message with no Arabic letter left is given back unmarked.
func TestArabicIsolatesLatinValues(t *testing.T) {
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar := b.Localizer("ar")
	if got := ar.T("conflicts.kept_aside", "By", "02-kasungu"); !strings.Contains(got, "\u206802-kasungu\u2069") {
		t.Fatalf("Arabic: %q", got)
	}
	if got := ar.T("locales.error_file", "File", "a.toml", "Reason", "bad"); strings.ContainsAny(got, "\u2068\u2069") {
		t.Fatalf("all-Latin Arabic message kept its isolates: %q", got)
	}
	if got := b.Localizer("en").T("conflicts.kept_aside", "By", "02-kasungu"); got != "Kept aside (from 02-kasungu)" {
		t.Fatalf("English: %q", got)
	}
}
