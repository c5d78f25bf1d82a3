package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsDiskFull reports whether err says the database could not grow because
// its disk is full (SQLITE_FULL). SQLite has then rolled back the
// transaction that met it: nothing of that write is in the database, and
// what was committed before is whole.
func IsDiskFull(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL
}
