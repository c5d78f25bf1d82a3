package store

// crashChildEnv, when set, makes the test binary act as the crash test's
// child process.
const crashChildEnv = "FIELDBOOK_CRASH_CHILD"
