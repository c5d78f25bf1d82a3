//go:build !windows

package locales

import "github.com/jeandeaual/go-locale"

// SystemLanguages returns the user's preferred languages as the operating
// system reports them, most preferred first (on Linux from LANGUAGE,
// LC_ALL, LC_MESSAGES and LANG). It returns nil, without logging, when the
// system names none or only "C"/"POSIX"; pass the result to [Pick].
func SystemLanguages() []string {
	all, err := locale.GetLocales()
	if err != nil {
		return nil
	}
	return all
}
