package earlyenv

import (
	"testing"
)

func TestChanges(t *testing.T) {
	cases := []struct {
		name string
		goos string
		env  map[string]string
		want map[string]string // variables expected after the changes; "" means unset
	}{
		{"empty environment", "linux", map[string]string{},
			map[string]string{"FYNE_CACHE": CacheDuration, "LANGUAGE": ""}},
		{"user's cache kept", "linux", map[string]string{"FYNE_CACHE": "30s"},
			map[string]string{"FYNE_CACHE": "30s"}},
		{"C.UTF-8 gets English messages", "linux", map[string]string{"LANG": "C.UTF-8"},
			map[string]string{"LANGUAGE": "en"}},
		{"POSIX with modifier", "freebsd", map[string]string{"LC_ALL": "POSIX@euro"},
			map[string]string{"LANGUAGE": "en"}},
		{"bare C left alone", "linux", map[string]string{"LANG": "C"},
			map[string]string{"LANGUAGE": ""}},
		{"a real locale left alone", "linux", map[string]string{"LANG": "fr_FR.UTF-8"},
			map[string]string{"LANGUAGE": ""}},
		{"LC_ALL wins over LANG", "linux", map[string]string{"LC_ALL": "th_TH.UTF-8", "LANG": "C.UTF-8"},
			map[string]string{"LANGUAGE": ""}},
		{"LC_MESSAGES wins over LANG", "linux", map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "km_KH.UTF-8"},
			map[string]string{"LANGUAGE": "en"}},
		{"user's LANGUAGE kept", "linux", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "sw"},
			map[string]string{"LANGUAGE": "sw"}},
		{"Windows has no C locale", "windows", map[string]string{"LANG": "C.UTF-8"},
			map[string]string{"LANGUAGE": "", "FYNE_CACHE": CacheDuration}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			applyTo(c.goos, env)
			for k, want := range c.want {
				if got := env[k]; got != want {
					t.Errorf("%s = %q, want %q (environment %v)", k, got, want, c.env)
				}
			}
		})
	}
}

// FuzzChanges checks, for any locale variables, that Changes sets only unset
// FYNE_CACHE and LANGUAGE, and LANGUAGE only to English for a C locale.
func FuzzChanges(f *testing.F) {
	for _, s := range []string{"C", "C.UTF-8", "POSIX", "en_US.UTF-8", "C@x", ".", "@", ""} {
		f.Add(s, "", s, "")
	}
	f.Fuzz(func(t *testing.T, lcAll, lcMessages, lang, language string) {
		env := map[string]string{"LC_ALL": lcAll, "LC_MESSAGES": lcMessages, "LANG": lang, "LANGUAGE": language}
		before := map[string]string{}
		for k, v := range env {
			before[k] = v
		}
		applyTo("linux", env)
		for k, v := range env {
			switch {
			case k == "FYNE_CACHE":
				if v != CacheDuration {
					t.Fatalf("FYNE_CACHE = %q", v)
				}
			case k == "LANGUAGE" && language == "" && v != "":
				if v != "en" || !isCLocale(messagesLocale(func(k string) string { return before[k] })) {
					t.Fatalf("LANGUAGE = %q for %v", v, before)
				}
			case v != before[k]:
				t.Fatalf("%s changed from %q to %q", k, before[k], v)
			}
		}
	})
}

// applyTo sets in env what Changes asks for, as the package init does in the process
// environment.
func applyTo(goos string, env map[string]string) {
	for k, v := range Changes(goos, func(k string) string { return env[k] }) {
		env[k] = v
	}
}
