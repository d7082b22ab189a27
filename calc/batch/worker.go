package batch

import (
	"encoding/binary"
	"strings"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// evaluator is one worker's state: its cache of line kinds and its exact
// totals. It is used by one goroutine only.
type evaluator struct {
	mrs   []*methodRun
	cols  *columns
	cache map[rowKey]*entry
	// byText is the cache by the text key of a row without factor_epd
	// (lookup); kbuf holds the key being built.
	byText map[string]*entry
	kbuf   []byte
	sums   []exactSum
	// shown sums the kg_co2e cells as written, per method; deltaPos and
	// deltaNeg the delta_kg_co2e cells (positive and negative apart, as
	// exactSum holds non-negative values).
	shown              []exactSum
	deltaPos, deltaNeg exactSum
	maxEx              int
	// paths counts the amounts computed on each path (pathExact64, ...).
	paths [nPaths]int64
	row   Row
	vals  []rowVal
	idBuf []byte
	pf    quantity
	// epds is the run's EPD files (shared by the workers); date the bid
	// date EPD rows are judged on.
	epds *epdCache
	date time.Time
	// unc is the run's sampling (nil: no interval columns); us the
	// worker's buffers for it; ipaths counts the intervals' paths.
	unc    *uncRun
	us     *uncScratch
	ipaths [nIPaths]int64
	audit  *intervalAudit // tests
}

// rowVal is one method's kg CO2e of a row as written in its cell, for the
// delta: n units of 10^-places when fast (never negative), else d.
type rowVal struct {
	ok   bool
	fast bool
	n    u128
	d    decimal.Decimal
}

func newEvaluator(mrs []*methodRun, cols *columns, maxEx int, epds *epdCache, date time.Time, unc *uncRun) *evaluator {
	ev := &evaluator{mrs: mrs, cols: cols, cache: map[rowKey]*entry{}, byText: map[string]*entry{}, sums: make([]exactSum, len(mrs)), shown: make([]exactSum, len(mrs)),
		maxEx: maxEx, vals: make([]rowVal, len(mrs)),
		epds: epds, date: date, unc: unc}
	if unc != nil {
		ev.us = newUncScratch(unc.cfg.Draws, len(mrs))
	}
	return ev
}

// lookup returns the cached line kind of a row, building it on first use.
// A row whose product factor is plain, with a valid reference, gets its
// kind's template and the factor's value (pf != nil); the others get a kind
// of their own. A template serves rows of any quantity spelling: amount.value
// multiplies the template by the factor on the integer path when the
// quantity took it, and in exact decimals when it did not (a row spelled
// 1e3 once took the integer path with a zero quantity: the audit's 0.000).
// Giving such rows a kind of their own instead would fill the cache with
// one kind per factor value.
//
// A row with factor_epd never gets a template: its kind is keyed by the EPD
// file's SHA-256 (and its name, which messages give), so that two files
// never share a kind, and each file is read once per run (epdCache).
func (ev *evaluator) lookup(r *Row) (e *entry, pf *quantity) {
	// The common rows (no factor_epd) are looked up by one string of their
	// trimmed cells: one hash per row instead of one per rowKey field.
	t := strings.TrimSpace
	if t(r.FactorEPD) == "" {
		fkg, fref := t(r.FactorKgCO2e), t(r.FactorReference)
		var v quantity
		tmpl := fkg != "" && fref != "" && validID(fref)
		if tmpl {
			v, tmpl = parseFastQuantity(fkg)
		}
		b := ev.kbuf[:0]
		for _, c := range [...]string{r.Activity, r.Region, r.Unit, r.Stage, r.Basis, r.AllowRegionFallback, r.FactorPer} {
			b = appendKeyPart(b, t(c))
		}
		if tmpl {
			b = append(b, 1)
		} else {
			b = appendKeyPart(appendKeyPart(append(b, 0), fkg), fref)
		}
		ev.kbuf = b
		e, ok := ev.byText[unsafeString(b)]
		if !ok {
			k := keyOf(r)
			if tmpl {
				k.fkg, k.fref, k.template = "", "", true
			}
			e = ev.entry(k)
			if len(ev.byText) >= maxCacheEntries {
				clear(ev.byText)
			}
			ev.byText[string(b)] = e
		}
		if !tmpl {
			return e, nil
		}
		if e.usable(v) {
			ev.pf = v
			return e, &ev.pf
		}
		return ev.entry(keyOf(r)), nil
	}
	k := keyOf(r) // a factor_epd row
	if doc, err := ev.epds.get(k.epd); err == nil {
		k.epdSHA = doc.Declaration.SHA256
	}
	return ev.entry(k), nil
}

// appendKeyPart appends s to a text key, length first, so that no two
// sequences of cells give the same key.
func appendKeyPart(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func (ev *evaluator) entry(k rowKey) *entry {
	if e, ok := ev.cache[k]; ok {
		return e
	}
	if len(ev.cache) >= maxCacheEntries {
		clear(ev.cache)
		clear(ev.byText)
	}
	k = k.clone()
	e := &entry{m: make([]methodEntry, len(ev.mrs)), key: k}
	var doc *calc.EPDDocument
	var docErr error
	if k.epd != "" {
		doc, docErr = ev.epds.get(k.epd)
	}
	for i, mr := range ev.mrs {
		e.m[i] = newMethodEntry(mr, k, doc, docErr, ev.date)
	}
	ev.cache[k] = e
	return e
}

// chunk computes a chunk's output rows and counts.
func (ev *evaluator) chunk(c *chunk) {
	c.out = c.out[:0]
	c.st.reset()
	bad := c.bad
	for i := 0; i < c.n; i++ {
		cells := c.cells[i*c.width : (i+1)*c.width]
		var b *badRow
		if len(bad) > 0 && bad[0].i == i {
			b = &bad[0]
			bad = bad[1:]
		}
		c.out = ev.rowOut(c.out, cells, b, c.first+int64(i), c.lines[i], &c.st)
	}
}

func (ev *evaluator) note(st *chunkStats, row int64, line int, method, kind, msg string) {
	st.kinds[kind]++
	if len(st.examples) < ev.maxEx {
		st.examples = append(st.examples, RowError{Row: row, Line: line, Method: method, Message: msg})
	}
}

// rowOut appends one output row.
func (ev *evaluator) rowOut(dst []byte, cells []string, bad *badRow, rowNo int64, line int, st *chunkStats) []byte {
	for j, s := range cells {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendField(dst, s, true)
	}
	if bad != nil {
		msg := appendField(nil, bad.msg, true)
		for _, mr := range ev.mrs {
			dst = append(dst, ',')
			dst = append(dst, mr.refCell...)
			dst = append(dst, ",,,,,,error,"...)
			dst = append(dst, msg...)
		}
		if len(ev.mrs) == 2 {
			dst = append(dst, ',')
		}
		if ev.unc != nil {
			for range ev.mrs {
				dst = append(dst, ",,,,,,,"...)
			}
			if len(ev.mrs) == 2 {
				dst = append(dst, ',')
			}
		}
		st.errs++
		st.kinds[bad.kind] += int64(len(ev.mrs))
		if len(st.examples) < ev.maxEx {
			st.examples = append(st.examples, RowError{Row: rowNo, Line: line, Message: bad.msg})
		}
		return append(dst, '\n')
	}
	r := &ev.row
	ev.cols.decode(cells, r)
	q, qFast := parseFastQuantity(r.Quantity)
	e, pf := ev.lookup(r)
	var qd decimal.Decimal
	var qErr error
	if !qFast {
		qd, qErr = calc.ParseQuantity(r.Quantity)
	}
	idOK := validID(r.LineID)
	rowErr := false
	for i, mr := range ev.mrs {
		me := &e.m[i]
		val := &ev.vals[i]
		*val = rowVal{}
		var u *uncRow
		if ev.unc != nil {
			u = &ev.us.rows[i]
			*u = uncRow{me: me}
		}
		dst = append(dst, ',')
		dst = append(dst, mr.refCell...)
		err, errCell, kind := me.err, me.errCell, me.errKind
		if !idOK || !qFast {
			if err = me.check(r.LineID, qErr); err != nil && (err != me.err) {
				msg := errorText(err)
				errCell, kind = appendField(nil, msg, true), errorKind(err)
			}
		}
		if err != nil {
			rowErr = true
			dst = append(dst, ",,,,,,error,"...)
			dst = append(dst, errCell...)
			st.kinds[kind]++
			if len(st.examples) < ev.maxEx {
				st.examples = append(st.examples, RowError{Row: rowNo, Line: line, Method: mr.m.Ref(), Message: errorText(err)})
			}
			continue
		}
		val.ok = true
		if u != nil {
			u.mode, u.fast = umOK, true // 0 unless an amount is given below
			if me.pr.Status != calc.StatusOK {
				u.mode = umExcluded
			}
		}
		if me.pr.Status != calc.StatusOK {
			st.excluded++
			val.fast = true
			dst = append(dst, ',')
			dst = appendFixed(dst, u128{}, int(mr.places), false)
			dst = append(dst, ",,,,"...)
			dst = ev.factorID(dst, me, pf)
			dst = append(dst, ",excluded,"...)
			continue
		}
		for a := 0; a < nAmt; a++ {
			dst = append(dst, ',')
			am := &me.amt[a]
			if !am.present {
				if a == amtCO2e {
					dst = appendFixed(dst, u128{}, int(mr.places), false)
					val.fast = true
				}
				continue
			}
			v, d, path := am.value(q, qFast, qd, pf)
			fast := path != pathDecimal
			var n u128
			var shown calc.Fixed
			if fast {
				var overflow bool
				if n, overflow = v.round(mr.places, mr.halfUp); !overflow {
					dst = appendFixed(dst, n, int(mr.places), false)
				} else {
					fast, d, path = false, v.decimal(), pathOverflow
				}
			}
			ev.paths[path]++
			if !fast {
				shown = calc.NewFixed(d, mr.round)
				dst = append(dst, shown.String()...)
			}
			if a == amtCO2e {
				if u != nil {
					u.fast, u.v, u.d = fast, v, d
				}
				val.fast, val.n, val.d = fast, n, shown.Decimal()
				if fast {
					ev.sums[i].add(v)
					ev.shown[i].add(fixedVal{wide(n), -mr.places})
				} else {
					ev.sums[i].addDecimal(d)
					ev.shown[i].addDecimal(val.d)
				}
			}
		}
		dst = append(dst, ',')
		dst = ev.factorID(dst, me, pf)
		dst = append(dst, ",ok,"...)
	}
	if len(ev.mrs) == 2 {
		dst = append(dst, ',')
		if ev.vals[0].ok && ev.vals[1].ok {
			dst = ev.delta(dst)
		}
	}
	if ev.unc != nil {
		dst = ev.intervals(dst, e, strings.TrimSpace(r.LineID), q, qFast, qd, pf)
	}
	if rowErr {
		st.errs++
	} else {
		st.ok++
	}
	return append(dst, '\n')
}

// factorID appends the factor id cell: the entry's, or for a template
// "product:" and the row's reference.
func (ev *evaluator) factorID(dst []byte, me *methodEntry, pf *quantity) []byte {
	if pf == nil || !me.productID {
		return append(dst, me.factorID...)
	}
	ev.idBuf = append(append(ev.idBuf[:0], "product:"...), strings.TrimSpace(ev.row.FactorReference)...)
	return appendField(dst, unsafeString(ev.idBuf), true)
}

// delta appends the second method's kg CO2e minus the first's, as their
// cells show them: the difference of the two written amounts, so that a
// reader subtracting the columns gets the delta exactly. It has the places
// of the finer of the two rules.
func (ev *evaluator) delta(dst []byte) []byte {
	a, b := &ev.vals[0], &ev.vals[1]
	pa, pb := ev.mrs[0].places, ev.mrs[1].places
	if a.fast && b.fast && pa == pb {
		neg := b.n.cmp(a.n) < 0
		var d u128
		if neg {
			d = a.n.sub(b.n)
			ev.deltaNeg.add(fixedVal{wide(d), -pa})
		} else {
			d = b.n.sub(a.n)
			ev.deltaPos.add(fixedVal{wide(d), -pa})
		}
		return appendFixed(dst, d, int(pa), neg)
	}
	da, db := a.d, b.d
	if a.fast {
		da = fixedVal{wide(a.n), -pa}.decimal()
	}
	if b.fast {
		db = fixedVal{wide(b.n), -pb}.decimal()
	}
	d := db.Sub(da)
	ev.deltaPos.addDecimal(d)
	return append(dst, d.StringFixed(max(pa, pb))...)
}

// unsafeString views b as a string without copying; b must not change
// while the string is in use.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
