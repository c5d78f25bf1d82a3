package ui

// The tests run in the environment the app runs in: earlyenv settles it
// before Fyne initializes (and keeps a C.UTF-8 locale from logging errors).
import _ "a20network.org/fieldbook/earlyenv"
