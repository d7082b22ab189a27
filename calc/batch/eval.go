package batch

import (
	"errors"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// Result columns of one method group, in order.
const (
	resMethod = iota
	resKgCO2e
	resKgCO2
	resKgCH4
	resKgN2O
	resFactorID
	resStatus
	resError
	nResult
)

func resultName(i int) string {
	return [...]string{"method", "kg_co2e", "kg_co2", "kg_ch4", "kg_n2o", "factor_id", "status", "error"}[i]
}

// Amount columns computed per row: kg CO2e, then kg of CO2 (fossil), CH4
// (fossil and biogenic) and N2O.
const (
	amtCO2e = iota
	amtCO2
	amtCH4
	amtN2O
	nAmt
)

// inAmount reports whether a term adds to amount column a.
func inAmount(a int, t *calc.PreparedTerm) bool {
	switch a {
	case amtCO2e:
		return t.Counted
	case amtCO2:
		return t.Gas == factors.CO2
	case amtCH4:
		g := string(t.Gas)
		return g == "CH4" || strings.HasPrefix(g, "CH4_")
	case amtN2O:
		return string(t.Gas) == "N2O"
	}
	return false
}

// maxCacheEntries bounds a worker's cache of line kinds: keys come from
// input, and a file of unique product factors must not grow memory.
const maxCacheEntries = 20000

// rowKey is everything a row's computation depends on but its ID and
// quantity. Strings are trimmed of surrounding spaces.
type rowKey struct {
	activity, region, unit, stage, basis, fallback string
	fkg, fper, fref                                string
	// template keys stand for every product factor with this per unit: the
	// factor's value multiplies the amounts, its reference names the factor.
	template bool
	// epd is the factor_epd cell; epdSHA the SHA-256 of the file it names
	// ("" when it cannot be read): an EPD row's kind is its file's.
	epd, epdSHA string
}

// templateValue and templateRef are the product factor a template is
// prepared with.
const (
	templateValue = "1"
	templateRef   = "template"
)

func keyOf(r *Row) rowKey {
	t := strings.TrimSpace
	return rowKey{t(r.Activity), t(r.Region), t(r.Unit), t(r.Stage), t(r.Basis), t(r.AllowRegionFallback),
		t(r.FactorKgCO2e), t(r.FactorPer), t(r.FactorReference), false, t(r.FactorEPD), ""}
}

func (k rowKey) clone() rowKey {
	c := strings.Clone
	return rowKey{c(k.activity), c(k.region), c(k.unit), c(k.stage), c(k.basis), c(k.fallback), c(k.fkg), c(k.fper), c(k.fref), k.template, c(k.epd), k.epdSHA}
}

// line returns the calc line of a key, and an error for a cell calc never
// sees (allow_region_fallback, factor_kg_co2e text, factor_epd). doc is the
// document factor_epd names, or docErr why it cannot be read.
func (k rowKey) line(doc *calc.EPDDocument, docErr error) (calc.Line, error) {
	if k.template {
		k.fkg, k.fref = templateValue, templateRef
	}
	l := calc.Line{Activity: k.activity, Region: k.region, Unit: k.unit, Stage: k.stage, Basis: k.basis}
	var err error
	fb, ok := bidcsv.ParseFlag(k.fallback)
	if !ok {
		err = &cellError{col: "allow_region_fallback", msg: "not a boolean: " + k.fallback + " (use true or false)"}
	}
	l.AllowRegionFallback = fb
	if k.epd != "" {
		switch {
		case err != nil:
		case k.fkg != "" || k.fper != "" || k.fref != "":
			err = &cellError{col: "factor_epd", msg: "give either factor_epd or factor_kg_co2e, factor_per and factor_reference, not both", kind: calc.ErrEPD}
		case docErr != nil:
			err = docErr
		default:
			l.Factor = &calc.ProductFactor{EPD: doc}
		}
		return l, err
	}
	if k.fkg != "" || k.fper != "" || k.fref != "" {
		pf := &calc.ProductFactor{Per: k.fper, Reference: k.fref}
		if k.fkg == "" {
			if err == nil {
				err = &cellError{col: "factor_kg_co2e", msg: "empty: a product-specific factor needs factor_kg_co2e, factor_per and factor_reference"}
			}
		} else if d, perr := calc.ParseQuantity(k.fkg); perr != nil {
			if err == nil {
				err = &cellError{col: "factor_kg_co2e", msg: perr.Error(), kind: perr}
			}
		} else {
			pf.KgCO2e = d
		}
		l.Factor = pf
	}
	return l, err
}

// cellError is a problem with a cell that calc does not see.
type cellError struct {
	col, msg string
	kind     error
}

func (e *cellError) Error() string { return e.col + ": " + e.msg }
func (e *cellError) Unwrap() error {
	if e.kind != nil {
		return e.kind
	}
	return factors.ErrInvalid
}

// columnOf maps a calc line field to its CSV column.
func columnOf(field string) string {
	switch field {
	case "id":
		return "line_id"
	case "factor.kg_co2e":
		return "factor_kg_co2e"
	case "factor.per":
		return "factor_per"
	case "factor.reference":
		return "factor_reference"
	case "factor.epd":
		return "factor_epd"
	}
	return field
}

// errorText is a row's error message: calc's, with the field named by its
// CSV column ("line_id: ...", "quantity: not a decimal number: 12,5 ...").
func errorText(err error) string {
	var ce *cellError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	text := calc.ErrorText(err)
	if f := calc.Field(err); f != "" {
		if col := columnOf(f); col != f && strings.HasPrefix(text, f) {
			text = col + text[len(f):]
		}
	}
	return text
}

// errorKind classifies a row error for the summary.
func errorKind(err error) string {
	var ce *cellError
	switch {
	case errors.As(err, &ce):
		return ce.col
	case errors.Is(err, factors.ErrNoFactor):
		return "no factor"
	case errors.Is(err, factors.ErrUnknownActivity):
		return "unknown activity"
	case errors.Is(err, factors.ErrUnknownRegion):
		return "unknown region"
	case errors.Is(err, factors.ErrUnknownUnit):
		return "unknown unit"
	case errors.Is(err, factors.ErrDimension):
		return "unit dimension"
	case errors.Is(err, calc.ErrEPD):
		return "epd"
	case errors.Is(err, calc.ErrProductFactor):
		return "product factor"
	case errors.Is(err, calc.ErrBasis):
		return "heating-value basis"
	}
	if f := calc.Field(err); f != "" {
		return columnOf(f)
	}
	return "invalid"
}

// methodRun is what a run knows of one method.
type methodRun struct {
	m       *methods.Method
	plan    *calc.Plan
	places  int32
	halfUp  bool
	round   methods.Rounding
	refCell []byte // the method column's encoded cell
}

// entry is a cached line kind: one methodEntry per method.
type entry struct {
	m []methodEntry
	// key is the kind's key; unc its sampling per method and pair its
	// sampling under two methods, built on first use (intervals only).
	key  rowKey
	unc  []*uncKind
	pair *uncPair
}

// methodEntry is a line kind under one method.
type methodEntry struct {
	pr     *calc.Prepared
	keyErr error // a cell error calc never sees (reported after quantity)
	hasPre bool  // pr reports an error before the quantity's
	// err is the row error when the row's ID and quantity are valid.
	err      error
	errCell  []byte // encoded err
	errKind  string
	factorID []byte // encoded factor id cell
	// productID: the factor id is "product:" + the row's reference (templates).
	productID bool
	amt       [nAmt]amount
}

// amount is how one amount column is computed for this kind.
type amount struct {
	present bool // some term adds to it (else the cell is empty)
	exact   bool // value = quantity × k exactly
	k       decimal.Decimal
	fast    coef  // k as a 64-bit coefficient, when it fits
	wide    wcoef // else k as a 128-bit coefficient, when it fits
	terms   []int // the terms, for the inexact path
	co2e    bool  // terms count × GWP
	pr      *calc.Prepared
	gwps    []decimal.Decimal
	// ints is the integer form of the terms (intOK), for amounts with
	// inexact terms; places is the method's division places.
	ints   []iterm
	intOK  bool
	places int32
}

func newMethodEntry(mr *methodRun, k rowKey, doc *calc.EPDDocument, docErr error, date time.Time) methodEntry {
	l, keyErr := k.line(doc, docErr)
	var pr *calc.Prepared
	if l.Factor != nil && l.Factor.EPD != nil {
		pr = mr.plan.PrepareOn(&l, date)
	} else {
		pr = mr.plan.Prepare(&l)
	}
	me := methodEntry{pr: pr, keyErr: keyErr}
	sentinel := errors.New("probe")
	if e := pr.Check("", sentinel); e != nil && !errors.Is(e, sentinel) {
		me.hasPre = true
	}
	me.err = me.check("", nil)
	if me.err != nil {
		me.errCell = appendField(nil, errorText(me.err), true)
		me.errKind = errorKind(me.err)
		return me
	}
	if pr.Factor != nil {
		me.factorID = appendField(nil, pr.Factor.ID, true)
		me.productID = pr.Factor.ProductSpecific && pr.Factor.ID == "product:"+templateRef
	}
	if pr.Status != calc.StatusOK {
		return me
	}
	for a := 0; a < nAmt; a++ {
		am := amount{exact: true, co2e: a == amtCO2e, pr: pr, intOK: true, places: mr.m.Rounding.DivisionPlaces}
		for i := range pr.Terms {
			t := &pr.Terms[i]
			if !inAmount(a, t) {
				continue
			}
			am.present = true
			am.terms = append(am.terms, i)
			g := decimal.NewFromInt(1)
			if am.co2e {
				g = t.GWP
			}
			am.gwps = append(am.gwps, g)
			it, ok := newITerm(t.Exact, t.Mult, t.Num, t.Den, g)
			am.ints = append(am.ints, it)
			am.intOK = am.intOK && ok
			if !t.Exact {
				am.exact = false
				continue
			}
			am.k = am.k.Add(t.Mult.Mul(g))
		}
		if am.exact {
			if am.fast = newCoef(am.k); !am.fast.ok {
				am.wide = newWCoef(am.k)
			}
		}
		me.amt[a] = am
	}
	return me
}

// usable reports whether a template entry computes a row whose product
// factor is pf on the fast path: every amount exact, and K × pf in 64 bits.
func (e *entry) usable(pf quantity) bool {
	for i := range e.m {
		me := &e.m[i]
		if me.err != nil || me.pr.Status != calc.StatusOK {
			continue
		}
		for a := range me.amt {
			am := &me.amt[a]
			if !am.present {
				continue
			}
			if !am.exact || !am.fast.ok {
				return false
			}
			if hi, _ := bits.Mul64(pf.c, am.fast.k); hi != 0 {
				return false
			}
		}
	}
	return true
}

// check returns the row error for a row with this ID and quantity error.
func (me *methodEntry) check(id string, qErr error) error {
	err := me.pr.Check(id, qErr)
	if me.keyErr == nil {
		return err
	}
	if err == nil || (!me.hasPre && calc.Field(err) != "id" && calc.Field(err) != "quantity") {
		return me.keyErr
	}
	return err
}

// Paths of an amount's computation (amount.value), counted per run for
// the tests, which check that the differential tests take each one.
const (
	// pathExact64: quantity × K, both 64-bit, in 128 bits.
	pathExact64 = iota
	// pathExact128: quantity × K with a 128-bit K, in 192 bits.
	pathExact128
	// pathDivision: terms with a division, on integers (iterm).
	pathDivision
	// pathTemplate: a product factor's value × K, × quantity.
	pathTemplate
	// pathDecimal: exact decimals (quantities that are not 64-bit
	// integers, K or terms that do not fit).
	pathDecimal
	// pathOverflow: an integer result that did not fit once rounded,
	// recomputed in decimals.
	pathOverflow
	nPaths
)

// value computes the amount for a row, exactly: on an integer path when
// the numbers fit (the fixedVal), else in decimals; path says which.
func (am *amount) value(q quantity, qFast bool, qd decimal.Decimal, pf *quantity) (fixedVal, decimal.Decimal, int) {
	if pf != nil { // a template: every amount is exact (usable)
		if !qFast { // the quantity is not a 64-bit integer: exact decimals
			return fixedVal{}, qd.Mul(pf.decimal()).Mul(am.k), pathDecimal
		}
		k := mul64(pf.c, am.fast.k)
		return q.times(coef{k: k.lo, exp: am.fast.exp - pf.scale, ok: true}), decimal.Decimal{}, pathTemplate
	}
	if qFast {
		if am.fast.ok {
			return q.times(am.fast), decimal.Decimal{}, pathExact64
		}
		if am.wide.ok {
			return q.timesWide(am.wide), decimal.Decimal{}, pathExact128
		}
		if !am.exact && am.intOK {
			if v, ok := am.intValue(q); ok {
				return v, decimal.Decimal{}, pathDivision
			}
		}
		qd = q.decimal()
	}
	if am.exact {
		return fixedVal{}, qd.Mul(am.k), pathDecimal
	}
	var sum decimal.Decimal
	for j, i := range am.terms {
		sum = sum.Add(am.pr.Kg(i, qd).Mul(am.gwps[j]))
	}
	return fixedVal{}, sum, pathDecimal
}

// intValue sums the terms on the integer path.
func (am *amount) intValue(q quantity) (fixedVal, bool) {
	var sum fixedVal
	for i := range am.ints {
		v, ok := am.ints[i].eval(q, am.places)
		if !ok {
			return fixedVal{}, false
		}
		if i == 0 {
			sum = v
			continue
		}
		if sum, ok = addAligned(sum, v); !ok {
			return fixedVal{}, false
		}
	}
	return sum, true
}

// validID is calc's check of a line ID, without allocating.
func validID(id string) bool {
	return len(id) <= calc.MaxStringLen && utf8.ValidString(id)
}
