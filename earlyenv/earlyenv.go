// Package earlyenv settles the few environment variables that Fieldbook's
// libraries read while they initialize, before main runs and before any
// flag or setting could.
//
// Go initializes packages in the order of their import paths once their own
// imports are ready (the language specification, since Go 1.21). This
// package's path, a20network.org/…, sorts before fyne.io/…, and it imports
// only the standard library, so it runs before Fyne's packages read their
// settings. That is why it is a module of its own: a package inside the
// github.com/a20-network/fieldbook module would sort after fyne.io and run
// too late.
//
// What it settles, each only when the user has not set it:
//
//   - FYNE_CACHE, how long Fyne keeps a drawn text, a widget's renderer
//     and other caches after last use. Fyne's default is one minute, in
//     which scrolling a long list keeps every row's text as a texture:
//     hundreds of megabytes under software OpenGL. [CacheDuration] keeps
//     what is on screen and what was scrolled past a moment ago. The price:
//     with a lifetime under ten seconds Fyne re-marks what is on screen at
//     every idle frame, about 1.6 % more of one core while the window
//     sits idle (measured under Xvfb).
//   - LANGUAGE, on Unix, when the locale is C or POSIX with an encoding
//     ("C.UTF-8", common on servers and minimal installs). Fyne's locale
//     lookup passes "C" on as a language and logs an error for it at every
//     start; setting LANGUAGE to English, which is what the C locale means
//     for messages, keeps the log clean and the app in English until the
//     user chooses.
package earlyenv

import (
	"os"
	"runtime"
	"strings"
)

// CacheDuration is the FYNE_CACHE value set when the user has set none.
const CacheDuration = "2s"

func init() {
	Apply(runtime.GOOS, os.Getenv, os.Setenv)
}

// Apply settles the environment for an operating system goos, reading it
// with get and changing it with set. The package's init calls it on the
// process environment; tests call it on a map.
func Apply(goos string, get func(string) string, set func(string, string) error) {
	if get("FYNE_CACHE") == "" {
		_ = set("FYNE_CACHE", CacheDuration)
	}
	if goos != "windows" && goos != "darwin" && get("LANGUAGE") == "" && isCLocale(messagesLocale(get)) {
		_ = set("LANGUAGE", "en")
	}
}

// messagesLocale is the locale the C library uses for messages: the first
// of LC_ALL, LC_MESSAGES and LANG that is set.
func messagesLocale(get func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := get(k); v != "" {
			return v
		}
	}
	return ""
}

// isCLocale reports whether loc is the C or POSIX locale with an encoding or
// modifier ("C.UTF-8", "POSIX@euro"). The bare names are left alone: the
// locale lookup already treats them as "no language".
func isCLocale(loc string) bool {
	i := strings.IndexAny(loc, ".@")
	if i < 0 {
		return false
	}
	name := loc[:i]
	return name == "C" || name == "POSIX"
}
