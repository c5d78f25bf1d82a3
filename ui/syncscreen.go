package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
)

// statusTimeout bounds the hub health check the Sync screen makes.
const statusTimeout = 10 * time.Second

// syncScreen shows whether the hub can be reached, what waits to be sent,
// what the hub refused and why, and runs a sync on request.
type syncScreen struct {
	u *UI

	hub, reachable, pending, rejected, conflicts, last, lastErr *paraLabel
	aside                                                       *paraLabel
	// event says in one line what happened to this database's identity
	// (a copied folder, a restored database or hub); hidden when nothing did.
	event   *paraLabel
	outcome *paraLabel
	// details holds the program's words of the last failed sync, folded.
	details      *problemDetails
	progress     *widget.ProgressBar
	progressText *widget.Label
	syncNow      *widget.Button
	rejections   *fyne.Container
	running      bool
	status       client.Status
}

func newSyncScreen(u *UI) *syncScreen { return &syncScreen{u: u} }

func (s *syncScreen) build() fyne.CanvasObject {
	l := s.u.l
	val := func() *paraLabel { return newParaLabel(l, "") }
	s.hub, s.reachable, s.pending, s.rejected = val(), val(), val(), val()
	s.conflicts, s.last, s.lastErr, s.aside = val(), val(), val(), val()
	s.event = newParaLabel(l, "")
	s.event.Importance = widget.WarningImportance
	s.event.Hide()
	s.outcome = newParaLabel(l, "")
	s.outcome.TextStyle = fyne.TextStyle{Bold: true}
	s.details = newProblemDetails(l)
	s.progress = &widget.ProgressBar{}
	s.progress.Hide()
	s.progressText = &widget.Label{}
	s.syncNow = &widget.Button{Text: l.T("sync.now"), Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: s.onSync}
	s.rejections = container.NewVBox()
	grid := newForm(isRTL(l),
		widget.NewLabel(l.T("sync.hub")), s.hub,
		widget.NewLabel(l.T("sync.reachable")), s.reachable,
		widget.NewLabel(l.T("sync.pending")), s.pending,
		widget.NewLabel(l.T("sync.rejected")), s.rejected,
		widget.NewLabel(l.T("sync.conflicts")), s.conflicts,
		widget.NewLabel(l.T("sync.set_aside")), s.aside,
		widget.NewLabel(l.T("sync.last")), s.last,
		widget.NewLabel(l.T("sync.last_error")), s.lastErr,
	)
	s.refresh()
	return container.NewVScroll(container.NewVBox(
		heading(l.T("tab.sync")),
		s.event,
		grid,
		rowOf(isRTL(l), s.syncNow),
		s.progress, s.progressText, s.outcome, s.details.box,
		widget.NewSeparator(),
		heading(l.T("sync.rejected_title")),
		s.rejections,
	))
}

// refresh reads counts from the store and, with a sync engine, asks it for
// the hub's status.
func (s *syncScreen) refresh() {
	if s.hub == nil {
		return
	}
	st, syncer := s.u.deps.Store, s.u.deps.Syncer
	s.u.run.async(func() func() {
		ctx := context.Background()
		var status client.Status
		var err error
		var rejs []store.RejectedChange
		if syncer != nil {
			c, cancel := context.WithTimeout(ctx, statusTimeout)
			status, err = syncer.Status(c)
			cancel()
		} else {
			var stats store.OutboxStats
			if stats, err = st.OutboxStats(ctx); err == nil {
				status.Pending, status.Rejected, status.Quarantined = stats.Pending, stats.Rejected, stats.Quarantined
				var cs []store.Conflict
				cs, err = st.Conflicts(ctx, true)
				status.OpenConflicts = len(cs)
			}
		}
		if err == nil {
			rejs, err = st.Rejections(ctx)
		}
		return func() {
			if err != nil {
				s.lastErr.SetText(err.Error())
				return
			}
			s.show(status, rejs)
		}
	})
}

func (s *syncScreen) show(st client.Status, rejs []store.RejectedChange) {
	l := s.u.l
	s.status = st
	switch {
	case s.u.deps.Syncer == nil || !st.Enrolled:
		s.hub.SetText(l.T("sync.not_connected"))
		s.reachable.SetText(l.T("sync.reachable_unknown"))
	default:
		s.hub.SetText(st.HubURL)
		if st.Reachable {
			s.reachable.SetText(l.T("sync.reachable_yes"))
		} else {
			s.reachable.SetText(l.T("sync.reachable_no"))
		}
	}
	s.pending.SetText(l.N("sync.changes", st.Pending))
	s.rejected.SetText(l.N("sync.changes", st.Rejected))
	s.conflicts.SetText(l.N("sync.conflict_count", st.OpenConflicts))
	s.aside.SetText(l.N("sync.set_aside_count", st.Quarantined))
	if text := eventText(l, st.Event); text != "" {
		s.event.SetText(text)
		s.event.Show()
	} else {
		s.event.Hide()
	}
	s.last.SetText(s.u.formatTime(st.LastSync))
	if st.LastError == "" {
		s.lastErr.SetText(l.T("sync.no_error"))
	} else { // the program's words are in the log, and behind Details after a sync from here
		s.lastErr.SetText(problemText(l, st.LastProblem, st.HubURL, actionSync))
	}
	if s.u.deps.Syncer == nil || !st.Enrolled || s.running {
		s.syncNow.Disable()
	} else {
		s.syncNow.Enable()
	}
	s.rejections.RemoveAll()
	if len(rejs) == 0 {
		s.rejections.Add(&widget.Label{Text: shown(l, l.T("sync.no_rejections")), Importance: widget.LowImportance, Alignment: align(l)})
	}
	for _, r := range rejs {
		what := shown(l, l.T("entity."+r.Entity)+" · "+r.RecordID)
		s.rejections.Add(&widget.Label{Text: what, TextStyle: fyne.TextStyle{Bold: true}, Alignment: align(l)})
		s.rejections.Add(wrapped(l, l.T("sync.rejection_reason", "Kind", kindText(l, r.Kind), "Reason", r.Reason, "When", s.u.formatTime(r.RejectedAt))))
	}
}

// onSync runs one sync in the background, showing progress as it goes.
func (s *syncScreen) onSync() {
	syncer := s.u.deps.Syncer
	if syncer == nil || s.running {
		return
	}
	l := s.u.l
	s.running = true
	s.syncNow.Disable()
	s.outcome.SetText("")
	s.progress.SetValue(0)
	s.progress.Show()
	setText(l, s.progressText, l.T("sync.starting"))
	run := s.u.run
	run.async(func() func() {
		res, err := syncer.Sync(context.Background(), func(p client.Progress) {
			run.post(func() { s.onProgress(p) })
		})
		return func() { s.onDone(res, err) }
	})
}

func (s *syncScreen) onProgress(p client.Progress) {
	if done := p.Pushed + p.PendingPush; done > 0 {
		s.progress.SetValue(float64(p.Pushed) / float64(done))
	}
	l := s.u.l
	setText(l, s.progressText, l.T("sync.progress", "Pushed", formatNumber(l, p.Pushed), "Pulled", formatNumber(l, p.Pulled), "Left", formatNumber(l, p.PendingPush)))
}

func (s *syncScreen) onDone(res client.Result, err error) {
	l := s.u.l
	s.running = false
	s.progress.Hide()
	setText(l, s.progressText, "")
	if err != nil {
		s.outcome.Importance = widget.DangerImportance
		s.outcome.SetText(l.T("hubproblem.sync_failed", "Problem", hubProblemText(l, err, s.status.HubURL, actionSync)))
		s.details.show("syncFailed", err, "hub", s.status.HubURL)
	} else {
		s.details.show("", nil)
		s.outcome.Importance = widget.SuccessImportance
		n := func(v int) string { return formatNumber(l, v) }
		secs := locales.FormatDecimal(l.Tag(), res.Duration.Seconds(), 1, 1)
		s.outcome.SetText(l.T("sync.done", "Pushed", n(res.Pushed), "Pulled", n(res.Pulled),
			"Conflicts", n(res.Conflicts), "Rejected", n(res.Rejected), "Seconds", secs))
	}
	s.refresh()
	if s.u.conflicts != nil {
		s.u.conflicts.refresh()
	}
	if s.u.activities != nil {
		s.u.activities.refresh()
	}
}

// eventText is the Sync screen's line for an identity event of the sync
// engine ([client.EventCopied] and the others), "" for none. The device id
// it was before stays in the log: it means nothing to the person.
func eventText(l *locales.Localizer, event string) string {
	switch event {
	case client.EventCopied, client.EventRestored, client.EventHubRestored:
		return l.T("sync.event_" + event)
	}
	return ""
}

// kindText names a hub error kind (protocol.Kind*) in l's language; a kind
// this version does not know is shown as the hub spelled it.
func kindText(l *locales.Localizer, kind string) string {
	id := "errkind." + kind
	if t := l.T(id); t != id {
		return t
	}
	return kind
}
