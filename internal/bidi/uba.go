package bidi

import (
	xbidi "golang.org/x/text/unicode/bidi"
)

// Class names used by the rules.
const (
	cL   = xbidi.L
	cR   = xbidi.R
	cEN  = xbidi.EN
	cES  = xbidi.ES
	cET  = xbidi.ET
	cAN  = xbidi.AN
	cCS  = xbidi.CS
	cB   = xbidi.B
	cS   = xbidi.S
	cWS  = xbidi.WS
	cON  = xbidi.ON
	cBN  = xbidi.BN
	cNSM = xbidi.NSM
	cAL  = xbidi.AL
	cLRO = xbidi.LRO
	cRLO = xbidi.RLO
	cLRE = xbidi.LRE
	cRLE = xbidi.RLE
	cPDF = xbidi.PDF
	cLRI = xbidi.LRI
	cRLI = xbidi.RLI
	cFSI = xbidi.FSI
	cPDI = xbidi.PDI
)

// maxDepth is the deepest explicit embedding level (BD2).
const maxDepth = 125

// paragraph is one analyzed paragraph: its runes' original classes and
// resolved levels.
type paragraph struct {
	text    []rune
	orig    []xbidi.Class // classes from the Unicode data
	t       []xbidi.Class // classes as the rules resolve them
	lv      []int         // resolved embedding levels
	elv     []int         // explicit embedding levels (after X1–X9), for sos/eos
	removed []bool        // removed by X9 (embeddings, overrides, PDF, BN)
	match   []int         // isolate initiator ↔ its matching PDI, or -1
	base    int
}

func isIsolateInit(c xbidi.Class) bool { return c == cLRI || c == cRLI || c == cFSI }

// matchIsolates pairs isolate initiators with their PDIs (BD9).
func matchIsolates(cls []xbidi.Class) []int {
	match := make([]int, len(cls))
	var stack []int
	for i, c := range cls {
		match[i] = -1
		switch {
		case isIsolateInit(c):
			stack = append(stack, i)
		case c == cPDI && len(stack) > 0:
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			match[o], match[i] = i, o
		}
	}
	return match
}

// firstStrong applies P2: the first L, R or AL in [from, to), skipping
// isolates; R for R/AL, L, or ON if none.
func firstStrong(cls []xbidi.Class, match []int, from, to int) xbidi.Class {
	for i := from; i < to; i++ {
		switch c := cls[i]; {
		case c == cL:
			return cL
		case c == cR || c == cAL:
			return cR
		case isIsolateInit(c):
			if match[i] < 0 {
				return cON
			}
			i = match[i]
		}
	}
	return cON
}

func analyze(text []rune, baseRTL bool) *paragraph {
	n := len(text)
	p := &paragraph{
		text:    text,
		orig:    make([]xbidi.Class, n),
		t:       make([]xbidi.Class, n),
		lv:      make([]int, n),
		removed: make([]bool, n),
	}
	if baseRTL {
		p.base = 1
	}
	for i, r := range text {
		p.orig[i] = class(r)
	}
	copy(p.t, p.orig)
	p.match = matchIsolates(p.orig)
	p.explicit()
	// Resolving a sequence changes its levels (I1–I2); the sos and eos of
	// later sequences must see the explicit levels.
	p.elv = append([]int(nil), p.lv...)
	for _, seq := range p.sequences() {
		p.resolve(seq)
	}
	p.lineLevels()
	return p
}

type stackEntry struct {
	level    int
	override xbidi.Class // cON for none, else cL or cR
	isolate  bool
}

// explicit applies X1–X9.
func (p *paragraph) explicit() {
	stack := []stackEntry{{level: p.base, override: cON}}
	overflowIsolate, overflowEmbedding, validIsolate := 0, 0, 0
	nextLevel := func(rtl bool, cur int) int {
		if rtl {
			return (cur + 1) | 1
		}
		return (cur + 2) &^ 1
	}
	for i, c := range p.orig {
		top := stack[len(stack)-1]
		switch c {
		case cRLE, cLRE, cRLO, cLRO:
			p.lv[i], p.removed[i] = top.level, true
			nl := nextLevel(c == cRLE || c == cRLO, top.level)
			if nl <= maxDepth && overflowIsolate == 0 && overflowEmbedding == 0 {
				ov := cON
				if c == cRLO {
					ov = cR
				} else if c == cLRO {
					ov = cL
				}
				stack = append(stack, stackEntry{level: nl, override: ov})
			} else if overflowIsolate == 0 {
				overflowEmbedding++
			}
		case cRLI, cLRI, cFSI:
			p.lv[i] = top.level
			if top.override != cON {
				p.t[i] = top.override
			}
			rtl := c == cRLI
			if c == cFSI {
				end := p.match[i]
				if end < 0 {
					end = len(p.orig)
				}
				rtl = firstStrong(p.orig, p.match, i+1, end) == cR
			}
			nl := nextLevel(rtl, top.level)
			if nl <= maxDepth && overflowIsolate == 0 && overflowEmbedding == 0 {
				validIsolate++
				stack = append(stack, stackEntry{level: nl, override: cON, isolate: true})
			} else {
				overflowIsolate++
			}
		case cPDI:
			switch {
			case overflowIsolate > 0:
				overflowIsolate--
			case validIsolate == 0:
			default:
				overflowEmbedding = 0
				for !stack[len(stack)-1].isolate {
					stack = stack[:len(stack)-1]
				}
				stack = stack[:len(stack)-1]
				validIsolate--
			}
			top = stack[len(stack)-1]
			p.lv[i] = top.level
			if top.override != cON {
				p.t[i] = top.override
			}
		case cPDF:
			p.lv[i], p.removed[i] = top.level, true
			switch {
			case overflowIsolate > 0:
			case overflowEmbedding > 0:
				overflowEmbedding--
			case !top.isolate && len(stack) >= 2:
				stack = stack[:len(stack)-1]
			}
		case cB:
			p.lv[i] = p.base
		case cBN:
			p.lv[i], p.removed[i] = top.level, true
		default:
			p.lv[i] = top.level
			if top.override != cON {
				p.t[i] = top.override
			}
		}
	}
}

// sequences returns the isolating run sequences (BD13, X10) as lists of
// positions in logical order.
func (p *paragraph) sequences() [][]int {
	var runs [][]int
	var cur []int
	for i := range p.orig {
		if p.removed[i] {
			continue
		}
		if len(cur) > 0 && p.lv[cur[len(cur)-1]] != p.lv[i] {
			runs = append(runs, cur)
			cur = nil
		}
		cur = append(cur, i)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	runStartingAt := map[int]int{}
	for k, r := range runs {
		runStartingAt[r[0]] = k
	}
	used := make([]bool, len(runs))
	var seqs [][]int
	for k := range runs {
		if used[k] {
			continue
		}
		used[k] = true
		seq := append([]int(nil), runs[k]...)
		for {
			last := seq[len(seq)-1]
			if !isIsolateInit(p.orig[last]) || p.match[last] < 0 {
				break
			}
			next, ok := runStartingAt[p.match[last]]
			if !ok || used[next] {
				break
			}
			used[next] = true
			seq = append(seq, runs[next]...)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

func dirOfLevel(l int) xbidi.Class {
	if l%2 == 1 {
		return cR
	}
	return cL
}

// neighbourLevel is the explicit level of the nearest non-removed
// character from i in step direction, or the paragraph level.
func (p *paragraph) neighbourLevel(i, step int) int {
	for j := i + step; j >= 0 && j < len(p.orig); j += step {
		if !p.removed[j] {
			return p.elv[j]
		}
	}
	return p.base
}

// resolve applies W1–W7, N0–N2 and I1–I2 to one isolating run sequence.
func (p *paragraph) resolve(seq []int) {
	n := len(seq)
	level := p.elv[seq[0]]
	sos := dirOfLevel(max(level, p.neighbourLevel(seq[0], -1)))
	last := seq[n-1]
	eosLevel := p.neighbourLevel(last, +1)
	if isIsolateInit(p.orig[last]) {
		eosLevel = p.base
	}
	eos := dirOfLevel(max(p.elv[last], eosLevel))
	t := make([]xbidi.Class, n)
	for k, i := range seq {
		t[k] = p.t[i]
	}

	// W1: NSM takes the type of what precedes it.
	for k := range t {
		if t[k] != cNSM {
			continue
		}
		switch {
		case k == 0:
			t[k] = sos
		case isIsolateInit(t[k-1]) || t[k-1] == cPDI:
			t[k] = cON
		default:
			t[k] = t[k-1]
		}
	}
	// W2: EN after AL becomes AN.  W3: AL becomes R.
	strong := sos
	for k := range t {
		switch t[k] {
		case cL, cR, cAL:
			strong = t[k]
		case cEN:
			if strong == cAL {
				t[k] = cAN
			}
		}
	}
	for k := range t {
		if t[k] == cAL {
			t[k] = cR
		}
	}
	// W4: a single separator between two numbers of the same kind.
	for k := 1; k+1 < n; k++ {
		switch {
		case t[k] == cES && t[k-1] == cEN && t[k+1] == cEN:
			t[k] = cEN
		case t[k] == cCS && t[k-1] == cEN && t[k+1] == cEN:
			t[k] = cEN
		case t[k] == cCS && t[k-1] == cAN && t[k+1] == cAN:
			t[k] = cAN
		}
	}
	// W5: terminators next to European numbers become numbers.
	for k := 0; k < n; {
		if t[k] != cET {
			k++
			continue
		}
		j := k
		for j < n && t[j] == cET {
			j++
		}
		if (k > 0 && t[k-1] == cEN) || (j < n && t[j] == cEN) {
			for x := k; x < j; x++ {
				t[x] = cEN
			}
		}
		k = j
	}
	// W6: remaining separators and terminators are neutral.
	for k := range t {
		if t[k] == cES || t[k] == cET || t[k] == cCS {
			t[k] = cON
		}
	}
	// W7: European numbers in left-to-right context are L.
	strong = sos
	for k := range t {
		switch t[k] {
		case cL, cR:
			strong = t[k]
		case cEN:
			if strong == cL {
				t[k] = cL
			}
		}
	}

	e := dirOfLevel(level)
	p.brackets(seq, t, sos, e)

	// N1, N2: neutrals between two strong types of one direction take it,
	// the others take the embedding direction.
	isNI := func(c xbidi.Class) bool {
		return c == cB || c == cS || c == cWS || c == cON || isIsolateInit(c) || c == cPDI
	}
	for k := 0; k < n; {
		if !isNI(t[k]) {
			k++
			continue
		}
		j := k
		for j < n && isNI(t[j]) {
			j++
		}
		before, after := sos, eos
		if k > 0 {
			before = strongForNeutral(t[k-1])
		}
		if j < n {
			after = strongForNeutral(t[j])
		}
		d := e
		if before == after {
			d = before
		}
		for x := k; x < j; x++ {
			t[x] = d
		}
		k = j
	}

	// I1, I2.
	for k, i := range seq {
		switch {
		case level%2 == 0 && t[k] == cR:
			p.lv[i] = level + 1
		case level%2 == 0 && (t[k] == cAN || t[k] == cEN):
			p.lv[i] = level + 2
		case level%2 == 1 && (t[k] == cL || t[k] == cEN || t[k] == cAN):
			p.lv[i] = level + 1
		default:
			p.lv[i] = level
		}
		p.t[i] = t[k]
	}
}

// strongForNeutral is the direction a resolved type counts as for N0–N2:
// numbers count as R.
func strongForNeutral(c xbidi.Class) xbidi.Class {
	switch c {
	case cL:
		return cL
	case cR, cEN, cAN:
		return cR
	}
	return cON
}

// maxBracketPairs is the BD16 stack limit.
const maxBracketPairs = 63

// brackets applies N0 to the paired brackets of a sequence.
func (p *paragraph) brackets(seq []int, t []xbidi.Class, sos, e xbidi.Class) {
	type opener struct {
		k      int
		closer rune
	}
	var stack []opener
	var pairs [][2]int
	for k, i := range seq {
		if t[k] != cON {
			continue
		}
		r := p.text[i]
		props, _ := xbidi.LookupRune(r)
		if !props.IsBracket() {
			continue
		}
		if props.IsOpeningBracket() {
			if len(stack) == maxBracketPairs {
				break
			}
			stack = append(stack, opener{k, mirror(r)})
			continue
		}
		for s := len(stack) - 1; s >= 0; s-- {
			if stack[s].closer == r {
				pairs = append(pairs, [2]int{stack[s].k, k})
				stack = stack[:s]
				break
			}
		}
	}
	// Pairs are handled in the order of their opening brackets.
	for a := 1; a < len(pairs); a++ {
		for b := a; b > 0 && pairs[b][0] < pairs[b-1][0]; b-- {
			pairs[b], pairs[b-1] = pairs[b-1], pairs[b]
		}
	}
	for _, pr := range pairs {
		o, c := pr[0], pr[1]
		foundE, foundOpp := false, false
		for k := o + 1; k < c; k++ {
			switch d := strongForNeutral(t[k]); {
			case d == e:
				foundE = true
			case d != cON:
				foundOpp = true
			}
		}
		var d xbidi.Class
		switch {
		case foundE:
			d = e
		case foundOpp:
			prior := sos
			for k := o - 1; k >= 0; k-- {
				if s := strongForNeutral(t[k]); s != cON {
					prior = s
					break
				}
			}
			d = e
			if prior != e {
				d = prior
			}
		default:
			continue
		}
		t[o], t[c] = d, d
		// Marks on the brackets follow them (W1 had made them ON).
		for _, b := range []int{o, c} {
			for k := b + 1; k < len(t) && p.orig[seq[k]] == cNSM; k++ {
				t[k] = d
			}
		}
	}
}

// lineLevels applies L1: separators, and whitespace before them or at the
// end of the line, go back to the paragraph level.
func (p *paragraph) lineLevels() {
	trailing := true
	for i := len(p.orig) - 1; i >= 0; i-- {
		c := p.orig[i]
		switch {
		case c == cS || c == cB:
			p.lv[i] = p.base
			trailing = true
		case trailing && (c == cWS || isIsolateInit(c) || c == cPDI || p.removed[i]):
			p.lv[i] = p.base
		default:
			trailing = false
		}
	}
}

// visualOrder applies L2: the logical positions in visual order.
func (p *paragraph) visualOrder() []int {
	order := make([]int, len(p.lv))
	for i := range order {
		order[i] = i
	}
	hi, lowOdd := 0, maxDepth+2
	for _, l := range p.lv {
		hi = max(hi, l)
		if l%2 == 1 {
			lowOdd = min(lowOdd, l)
		}
	}
	for l := hi; l >= lowOdd; l-- {
		for k := 0; k < len(order); {
			if p.lv[order[k]] < l {
				k++
				continue
			}
			j := k
			for j < len(order) && p.lv[order[j]] >= l {
				j++
			}
			for a, b := k, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			k = j
		}
	}
	return order
}
