package store

import (
	"errors"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsDiskFull reports whether err says the database could not grow because
// its disk is full (SQLITE_FULL), or an attached file could not be written
// for the same reason (ENOSPC). SQLite has then rolled back the
// transaction that met it: nothing of that write is in the database, and
// what was committed before is whole; a file write that met it left no
// file behind.
func IsDiskFull(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC)
}
