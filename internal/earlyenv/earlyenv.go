// Package earlyenv settles the few environment variables that Fieldbook's
// libraries read while they initialize, before main runs and before any
// flag or setting could.
//
// Why this package runs first: Fyne reads FYNE_CACHE, and looks up the
// locale, in package init functions, which Go runs before main. Go
// initializes packages one at a time, each time the first in import-path
// order whose imports are all initialized (the language specification,
// "Package initialization", since Go 1.21). This package imports only
// runtime and syscall, which every package that reads the environment
// imports too, and its path sorts before the standard library's internal/…,
// os and time: so it becomes ready with syscall, sorts first among what is
// ready, and runs before any package that could read the environment, Fyne's
// included. Keep it so: an import of os, strings or anything else here could
// let Fyne's packages run first. TestRunsBeforeFyne in package main checks
// the order with the runtime's own init trace (GODEBUG=inittrace=1).
//
// Two other ways were tried and left: a module of its own at a path sorting
// before fyne.io (it needed a replace line in go.mod, which makes
// `go install …@version` refuse the module), and starting the program again
// with the variables set (the first process had already logged Fyne's
// locale error, and Windows has no exec).
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
	"runtime"
	"syscall"
)

// CacheDuration is the FYNE_CACHE value set when the user has set none.
const CacheDuration = "2s"

func init() {
	for k, v := range Changes(runtime.GOOS, getenv) {
		_ = syscall.Setenv(k, v)
	}
}

// getenv is the process environment's value of k, "" when unset.
func getenv(k string) string {
	v, _ := syscall.Getenv(k)
	return v
}

// Changes are the variables to set for an operating system goos whose
// environment get reads: name to value, empty when nothing needs setting.
func Changes(goos string, get func(string) string) map[string]string {
	set := map[string]string{}
	if get("FYNE_CACHE") == "" {
		set["FYNE_CACHE"] = CacheDuration
	}
	if goos != "windows" && goos != "darwin" && get("LANGUAGE") == "" && isCLocale(messagesLocale(get)) {
		set["LANGUAGE"] = "en"
	}
	return set
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
	for i := 0; i < len(loc); i++ {
		if loc[i] == '.' || loc[i] == '@' {
			name := loc[:i]
			return name == "C" || name == "POSIX"
		}
	}
	return false
}
