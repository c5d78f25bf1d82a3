package ui

import (
	"errors"
	"log/slog"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/client"
)

// hubAction says what the person was doing when talking to the hub
// failed: the same refusal means something else for each.
type hubAction int

const (
	actionEnroll hubAction = iota
	actionSync
)

// problemIDs are the messages of each [client.Problem]; a problem not
// listed is said with "hubproblem.other".
var problemIDs = map[client.Problem]string{
	client.ProblemNoSuchHost:  "hubproblem.no_such_host",
	client.ProblemUnreachable: "hubproblem.unreachable",
	client.ProblemTimeout:     "hubproblem.timeout",
	client.ProblemUntrusted:   "hubproblem.untrusted",
	client.ProblemNotAHub:     "hubproblem.not_a_hub",
	client.ProblemVersion:     "hubproblem.version",
	client.ProblemBusy:        "hubproblem.busy",
	client.ProblemRefused:     "hubproblem.refused",
}

// addressIDs are the messages of each reason an address is refused.
var addressIDs = map[client.AddressReason]string{
	client.AddressEmpty:  "hubproblem.address_empty",
	client.AddressScheme: "hubproblem.address_scheme",
	client.AddressHost:   "hubproblem.address_host",
	client.AddressPort:   "hubproblem.address_port",
	client.AddressExtra:  "hubproblem.address_extra",
}

// hubProblemText says in l's language what went wrong talking to the hub
// at hub while doing what, and what the person can do about it. The
// program's own words stay out: they go to the log and the Details.
func hubProblemText(l *locales.Localizer, err error, hub string, what hubAction) string {
	var ae *client.AddressError
	if errors.As(err, &ae) {
		return l.T(addressIDs[ae.Reason])
	}
	return problemText(l, client.ProblemOf(err), hub, what)
}

// problemText says problem p (not [client.ProblemAddress]) of the hub at
// hub while doing what, in l's language.
func problemText(l *locales.Localizer, p client.Problem, hub string, what hubAction) string {
	switch p {
	case client.ProblemSignIn:
		if what == actionEnroll {
			return l.T("hubproblem.bad_code")
		}
		return l.T("hubproblem.signed_out")
	}
	id, ok := problemIDs[p]
	if !ok {
		id = "hubproblem.other"
	}
	return l.T(id, "Host", hostOf(hub))
}

// hostOf is the server name of a hub address, or the address as typed.
func hostOf(hub string) string {
	if u, err := url.Parse(hub); err == nil && u.Host != "" {
		return u.Host
	}
	return hub
}

// problemDetails is a folded "Details" section under a hub problem that
// holds the program's own words, selectable, for whoever gives support.
type problemDetails struct {
	box  *widget.Accordion
	text *widget.Label
}

func newProblemDetails(l *locales.Localizer) *problemDetails {
	d := &problemDetails{text: &widget.Label{Selectable: true, Wrapping: fyne.TextWrapWord}}
	d.box = widget.NewAccordion(widget.NewAccordionItem(shown(l, l.T("hubproblem.details")), container.NewVBox(d.text)))
	d.box.Hide()
	return d
}

// show logs err as msg and puts its words behind the fold; a nil err
// hides the section.
func (d *problemDetails) show(msg string, err error, attrs ...any) {
	if err == nil {
		d.box.CloseAll()
		d.box.Hide()
		return
	}
	slog.Warn(msg, append(attrs, "err", err)...)
	d.text.SetText(err.Error())
	d.box.CloseAll()
	d.box.Show()
}
