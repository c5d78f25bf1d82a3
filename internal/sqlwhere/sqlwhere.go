// Package sqlwhere builds the WHERE clause of a list query from the fields
// a filter has set: each condition with its placeholders and arguments in
// one place, so the device's lists and the hub's dashboard filter the same
// way.
package sqlwhere

import "strings"

// Where is a conjunction of SQL conditions and their arguments, in order.
// The zero Where matches every row.
type Where struct {
	conds []string
	args  []any
}

// Add appends cond, whose ? placeholders take args.
func (w *Where) Add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// Equal appends col = v when v is set; an empty v filters nothing.
func (w *Where) Equal(col, v string) {
	if v != "" {
		w.Add(col+" = ?", v)
	}
}

// HasTheme appends "the row's themes include theme" for the table aliased
// alias, whose themes column is a JSON array; an empty theme filters
// nothing.
func (w *Where) HasTheme(alias, theme string) {
	if theme != "" {
		w.Add("EXISTS (SELECT 1 FROM json_each("+alias+".themes) WHERE value = ?)", theme)
	}
}

// StartsBetween bounds alias's start_date (YYYY-MM-DD) by from and to,
// both inclusive; an empty bound is open.
func (w *Where) StartsBetween(alias, from, to string) {
	if from != "" {
		w.Add(alias+".start_date >= ?", from)
	}
	if to != "" {
		w.Add(alias+".start_date <= ?", to)
	}
}

// SQL is the conditions joined with AND, or "1" when there are none.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return "1"
	}
	return strings.Join(w.conds, " AND ")
}

// Args are the conditions' arguments, in placeholder order. The slice is
// the Where's own: appending to it (LIMIT and OFFSET) is safe only once.
func (w *Where) Args() []any { return w.args }
