//go:build windows

package locales

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	kernel32                     = windows.NewLazySystemDLL("kernel32.dll")
	procGetUserDefaultUILanguage = kernel32.NewProc("GetUserDefaultUILanguage")
	procLCIDToLocaleName         = kernel32.NewProc("LCIDToLocaleName")
)

// SystemLanguages returns the user's display (UI) languages, most preferred
// first, from GetUserPreferredUILanguages — the language Windows itself is
// shown in, not the region used for number and date formats. It falls back
// to GetUserDefaultUILanguage's single language, and returns nil when
// neither answers; pass the result to [Pick].
func SystemLanguages() []string {
	if langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME); err == nil && len(langs) > 0 {
		return langs
	}
	if procGetUserDefaultUILanguage.Find() != nil || procLCIDToLocaleName.Find() != nil {
		return nil
	}
	langID, _, _ := procGetUserDefaultUILanguage.Call()
	buf := make([]uint16, 85) // LOCALE_NAME_MAX_LENGTH
	n, _, _ := procLCIDToLocaleName.Call(langID&0xffff, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0)
	if n == 0 {
		return nil
	}
	return []string{windows.UTF16ToString(buf)}
}
