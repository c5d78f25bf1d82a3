package report

import (
	"errors"
	"fmt"
	"time"
)

// PeriodKind names how a report's dates are chosen.
type PeriodKind string

// The periods a person can pick.
const (
	ThisMonth   PeriodKind = "month"
	ThisQuarter PeriodKind = "quarter"
	ThisYear    PeriodKind = "year"
	Custom      PeriodKind = "custom"
	// LastMonth is the whole calendar month before the current one.
	LastMonth PeriodKind = "last_month"
	// Last12Months is the twelve whole months before the current one, so
	// that no month in it is unfinished.
	Last12Months PeriodKind = "last_12_months"
)

// PeriodKinds lists the periods in the order pickers show them.
var PeriodKinds = []PeriodKind{ThisMonth, LastMonth, ThisQuarter, ThisYear, Last12Months, Custom}

// DateLayout is how report dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Period is a choice of dates for a report: a calendar period that contains
// a day, or custom From/To dates.
type Period struct {
	Kind PeriodKind
	// From and To are the custom bounds (YYYY-MM-DD, inclusive); either may be
	// empty for an open end. They are ignored for the other kinds.
	From, To string
}

// ErrPeriod is wrapped by every error [ParsePeriod] and [Period.Range]
// return.
var ErrPeriod = errors.New("report: invalid period")

// ParsePeriod reads a period from outside input: kind is one of
// [PeriodKinds] ("" means this month), from and to are custom dates. It
// returns an error naming the bad field and why.
func ParsePeriod(kind, from, to string) (Period, error) {
	p := Period{Kind: PeriodKind(kind), From: from, To: to}
	if p.Kind == "" {
		p.Kind = ThisMonth
	}
	if _, _, err := p.Range(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return Period{}, err
	}
	if p.Kind != Custom {
		p.From, p.To = "", ""
	}
	return p, nil
}

// Range returns the first and last day the period covers, as YYYY-MM-DD,
// for a calendar period that contains the day now (in now's location). A
// custom period returns its own dates; an empty bound stays empty.
func (p Period) Range(now time.Time) (from, to string, err error) {
	y, m, _ := now.Date()
	loc := now.Location()
	var start, end time.Time
	switch p.Kind {
	case ThisMonth:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 1, -1)
	case ThisQuarter:
		q := (int(m) - 1) / 3
		start = time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 3, -1)
	case ThisYear:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, 12, 31, 0, 0, 0, 0, loc)
	case LastMonth:
		start = time.Date(y, m-1, 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 1, -1)
	case Last12Months:
		start = time.Date(y-1, m, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, m, 0, 0, 0, 0, 0, loc)
	case Custom:
		var f, t time.Time
		if p.From != "" {
			if f, err = time.Parse(DateLayout, p.From); err != nil {
				return "", "", fmt.Errorf("%w: from %q is not a date (want YYYY-MM-DD)", ErrPeriod, p.From)
			}
		}
		if p.To != "" {
			if t, err = time.Parse(DateLayout, p.To); err != nil {
				return "", "", fmt.Errorf("%w: to %q is not a date (want YYYY-MM-DD)", ErrPeriod, p.To)
			}
		}
		if p.From != "" && p.To != "" && t.Before(f) {
			return "", "", fmt.Errorf("%w: to %s is before from %s", ErrPeriod, p.To, p.From)
		}
		return p.From, p.To, nil
	default:
		return "", "", fmt.Errorf("%w: unknown kind %q (want month, last_month, quarter, year, last_12_months or custom)", ErrPeriod, p.Kind)
	}
	return start.Format(DateLayout), end.Format(DateLayout), nil
}

// Filter returns base with From and To set to the period's range for now.
func (p Period) Filter(now time.Time, base Filter) (Filter, error) {
	from, to, err := p.Range(now)
	if err != nil {
		return Filter{}, err
	}
	base.From, base.To = from, to
	return base, nil
}

// MonthSeries returns one bucket per month from the first to the last month
// the report covers, in order, with zeros for months without activities, so
// a line chart shows gaps as zero rather than joining across them. The range
// is the filter's dates when set, else the months present in ByMonth.
func (r Report) MonthSeries() []Bucket {
	first, last := monthOf(r.Filter.From), monthOf(r.Filter.To)
	if len(r.ByMonth) > 0 {
		if first.IsZero() || monthOf(r.ByMonth[0].Key).Before(first) {
			first = monthOf(r.ByMonth[0].Key)
		}
		if lk := monthOf(r.ByMonth[len(r.ByMonth)-1].Key); last.IsZero() || lk.After(last) {
			last = lk
		}
	}
	if first.IsZero() || last.IsZero() || last.Before(first) {
		return append([]Bucket{}, r.ByMonth...)
	}
	have := make(map[string]Bucket, len(r.ByMonth))
	for _, b := range r.ByMonth {
		have[b.Key] = b
	}
	var out []Bucket
	// A period of many years is bounded so a wide custom range cannot make
	// an enormous series.
	for t, n := first, 0; !t.After(last) && n < 1200; t, n = t.AddDate(0, 1, 0), n+1 {
		k := t.Format("2006-01")
		b, ok := have[k]
		if !ok {
			b = Bucket{Key: k}
		}
		out = append(out, b)
	}
	return out
}

// MonthsUntil returns [Report.MonthSeries] as of now: months after now's
// month are left out unless an activity falls in or after them (a planned
// one), and partial is the index of now's month, which has not ended, or
// -1 when the series does not hold it.
func (r Report) MonthsUntil(now time.Time) (months []Bucket, partial int) {
	months = r.MonthSeries()
	current := now.Format("2006-01")
	last := len(months)
	for last > 0 && months[last-1].Key > current && months[last-1].Activities == 0 {
		last--
	}
	months = months[:last]
	for i, b := range months {
		if b.Key == current {
			return months, i
		}
	}
	return months, -1
}

// monthOf parses the month of a "YYYY-MM" or "YYYY-MM-DD" string, or returns
// the zero time.
func monthOf(s string) time.Time {
	if len(s) < 7 {
		return time.Time{}
	}
	t, err := time.Parse("2006-01", s[:7])
	if err != nil {
		return time.Time{}
	}
	return t
}
