package ui

import "fyne.io/fyne/v2"

// runner moves slow work off Fyne's goroutine and brings its result back.
type runner interface {
	// async runs work in a goroutine; the function work returns (if not
	// nil) then runs on Fyne's goroutine.
	async(work func() func())
	// post runs fn on Fyne's goroutine; callable from any goroutine.
	post(fn func())
}

// fyneRunner is the real runner: goroutines and fyne.Do.
type fyneRunner struct{}

func (fyneRunner) async(work func() func()) {
	go func() {
		if apply := work(); apply != nil {
			fyne.Do(apply)
		}
	}()
}

func (fyneRunner) post(fn func()) { fyne.Do(fn) }
