package cli

// The tests run in the environment the app runs in: earlyenv settles it
// before Fyne initializes (and keeps a C locale from logging errors).
import _ "github.com/a20-network/fieldbook/internal/earlyenv"
