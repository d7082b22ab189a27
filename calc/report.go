package calc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/fixedw"
	"github.com/footprint-gpp/footprint/methods"
)

// Fixed is a reported amount: rounded by the method's rule and written with
// exactly that many places, as a JSON string ("53114.500").
type Fixed struct {
	d      decimal.Decimal
	places int32
	// small: the rounded value is c × 10^-places, rounded in int64 without
	// a decimal (fixed point, as the sums are: fixedpoint.go); hasD: d is
	// the rounded value too (an amount that needed no rounding).
	c     int64
	small bool
	hasD  bool
}

// NewFixed rounds d by the rule and keeps its places for printing.
func NewFixed(d decimal.Decimal, r methods.Rounding) Fixed {
	if f, ok := newFixedSmall(d, r); ok {
		return f
	}
	return Fixed{d: r.Round(d), places: r.Places, hasD: true}
}

// newFixedSmall is NewFixed in int64 arithmetic, when d's coefficient has
// at most 18 digits and the result fits: the rule's half-up or half-even
// rounding (r.Round) on the coefficient, with no allocation. It keeps the
// value r.Round gives (Decimal returns the same decimal, value and
// exponent); TestNewFixedSmallMatchesRound holds it to r.Round.
func newFixedSmall(d decimal.Decimal, r methods.Rounding) (Fixed, bool) {
	if d.NumDigits() > maxSmallDigits {
		return Fixed{}, false
	}
	exp := d.Exponent()
	f, ok := newFixedCoef(d.CoefficientInt64(), exp, r)
	if ok && exp >= -r.Places {
		// r.Round returns d as it is: only its digits are scaled to places.
		f.d, f.hasD = d, true
	}
	return f, ok
}

// newFixedFx is NewFixed for a value in fixed point (fixedpoint.go):
// rounded in int64 when it is small, so that no decimal is made. Its text
// (appendText) is that of NewFixed(a.dec(), r); its Decimal has the same
// value, written with the rule's places (TestNewFixedFxMatchesNewFixed,
// FuzzNewFixedFx).
func newFixedFx(a fx, r methods.Rounding) Fixed {
	if a.small {
		if f, ok := newFixedCoef(a.c, a.exp, r); ok {
			return f
		}
	}
	return NewFixed(a.dec(), r)
}

// newFixedCoef rounds c × 10^exp by the rule in int64 arithmetic, when the
// result fits (ok false otherwise): half up or half even on the
// coefficient, as r.Round rounds.
func newFixedCoef(c int64, exp int32, r methods.Rounding) (Fixed, bool) {
	places := r.Places
	if places < 0 || places >= int32(len(pow10s)) || c == math.MinInt64 {
		return Fixed{}, false
	}
	if exp >= -places {
		sc, ok := scale64(c, int64(exp)+int64(places))
		return Fixed{places: places, c: sc, small: true}, ok
	}
	k := int64(-exp) - int64(places)
	if k >= int64(len(pow10s)) {
		return Fixed{}, false
	}
	p := pow10s[k]
	q, rem := c/p, c%p
	if rem < 0 {
		rem = -rem
	}
	half := p / 2 // p is a power of ten ≥ 10, so p/2 is exact
	if rem > half || (rem == half && (r.Mode == methods.HalfUp || q%2 != 0)) {
		if c < 0 {
			q--
		} else {
			q++
		}
	}
	return Fixed{places: places, c: q, small: true}, true
}

// Decimal returns the rounded value.
func (f Fixed) Decimal() decimal.Decimal {
	if f.hasD {
		return f.d
	}
	if f.small {
		return decimal.New(f.c, -f.places)
	}
	return f.d
}

// String writes the value with the rule's places.
func (f Fixed) String() string { return string(f.appendText(nil)) }

// appendText appends the value with exactly the rule's places, without
// big.Int formatting when the coefficient fits an int64 (and without any
// decimal when NewFixed rounded in int64).
func (f Fixed) appendText(b []byte) []byte {
	if f.small {
		return fixedw.AppendCoef(b, f.c, f.places)
	}
	if f.places < 0 || f.places > 18 || f.d.NumDigits() > 18 || f.d.Exponent() > 0 {
		return append(b, f.d.StringFixed(f.places)...)
	}
	c, exp := f.d.CoefficientInt64(), -f.d.Exponent()
	for ; exp < f.places; exp++ {
		if c > math.MaxInt64/10 || c < math.MinInt64/10 {
			return append(b, f.d.StringFixed(f.places)...)
		}
		c *= 10
	}
	if exp != f.places || c == math.MinInt64 {
		return append(b, f.d.StringFixed(f.places)...)
	}
	return fixedw.AppendCoef(b, c, f.places)
}

// MarshalText writes the value with the rule's places; encoding/json
// writes it as a JSON string. (A TextMarshaler, not a json.Marshaler, so
// that encoding/json does not re-validate and compact every amount: the
// bytes are the same, the footprint encodes several times faster.)
func (f Fixed) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// MarshalJSON reports the footprint with every computed amount rounded once
// by the method's rule; decimals are JSON strings with the rule's places.
//
// The receipt's result_digest is the SHA-256 of this same JSON with an empty
// result_digest; it is computed here so that the footprint is encoded once
// (by the reflection-free encoder of reportjson.go).
func (fp *Footprint) MarshalJSON() ([]byte, error) {
	return fp.AppendJSON(make([]byte, 0, fp.jsonSizeHint()))
}

// AppendJSON appends the footprint's JSON, the bytes of MarshalJSON, to
// dst and returns the extended slice. The report is encoded once into dst
// and sealed there: the result digest is hashed over the encoded bytes and
// written in place of its empty value, without copying the document. A
// caller that answers many footprints passes a reused buffer.
//
// The lines are reported one at a time into one reused ReportedLine, so
// that the report is never held whole, and the amounts of a footprint the
// engine computed are rounded from their fixed point (newFixedFx): the
// bytes are those of fp.Report().AppendJSON, which rounds the decimals
// (TestFootprintJSONSealOracle, TestAppendFootprintJSONMatchesCalculate).
func (fp *Footprint) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	rep := fp.reportWith(false)
	rep.Receipt.ResultDigest = ""
	dst = rep.appendHead(dst)
	dst = append(dst, '[')
	fx := func(d decimal.Decimal) Fixed { return NewFixed(d, fp.rounding) }
	var rl ReportedLine
	var rows reportRows
	for i := range fp.Lines {
		if i > 0 {
			dst = append(dst, ',')
		}
		rows.gases, rows.stages = rows.gases[:0], rows.stages[:0]
		l := &fp.Lines[i]
		var factorJSON []byte
		if fp.fixed {
			fp.reportLineFx(&rl, l, &rows)
			if r := l.recipe; r != nil && l.Factor == r.used {
				factorJSON = r.factorJSON
			}
		} else {
			fp.reportLine(&rl, l, &rows, fx)
		}
		dst = appendLine(dst, &rl, factorJSON)
	}
	dst = append(dst, ']')
	dst = rep.appendTail(dst)
	return sealDigest(dst, start)
}

// jsonSizeHint is a capacity that holds a footprint's JSON in most cases.
func (fp *Footprint) jsonSizeHint() int { return 2048 + 1536*len(fp.Lines) }

// unsealed is the report and its JSON with an empty result digest: what
// the result digest is computed over.
func (fp *Footprint) unsealed() (*Report, []byte) {
	rep := fp.Report()
	rep.Receipt.ResultDigest = ""
	return rep, rep.AppendJSON(make([]byte, 0, fp.jsonSizeHint()))
}

// SealedReport returns the report with its result digest filled in, for
// renderings other than JSON (the web page's receipt).
func (fp *Footprint) SealedReport() (*Report, error) {
	rep, raw := fp.unsealed()
	sum := sha256.Sum256(raw)
	rep.Receipt.ResultDigest = hex.EncodeToString(sum[:])
	return rep, nil
}

// JSON returns the footprint's JSON, the same bytes as json.Marshal(fp).
func (fp *Footprint) JSON() ([]byte, error) { return fp.MarshalJSON() }

// emptyResultDigest is the receipt's last field as encoded before sealing.
const emptyResultDigest = `"result_digest":""`

// sealDigest fills in the empty result digest of the document doc[start:],
// which is the last field of the document, with the SHA-256 of the
// document as it stands. It works in place: the few bytes after the
// field (the closing braces) are kept aside, the digest is written over
// the empty value, and they are appended again; only a document whose
// tail is unexpectedly long is spliced through a copy.
func sealDigest(doc []byte, start int) ([]byte, error) {
	raw := doc[start:]
	i := bytes.LastIndex(raw, []byte(emptyResultDigest))
	if i < 0 {
		return nil, errors.New("calc: report has no result_digest to seal")
	}
	sum := sha256.Sum256(raw)
	var tailBuf [16]byte
	tail := raw[i+len(emptyResultDigest):]
	if len(tail) > len(tailBuf) {
		tail = bytes.Clone(tail)
	} else {
		tail = tailBuf[:copy(tailBuf[:], tail)]
	}
	out := doc[:start+i+len(emptyResultDigest)-1] // up to the opening quote of the value
	out = hex.AppendEncode(out, sum[:])
	out = append(out, '"')
	return append(out, tail...), nil
}

// Report is the footprint as reported: every computed amount rounded.
type Report struct {
	Method    MethodRef       `json:"method"`
	Reference string          `json:"reference"`
	Supplier  string          `json:"supplier"`
	Total     ReportedAmount  `json:"total"`
	ByGas     []ReportedGas   `json:"by_gas"`
	ByStage   []ReportedStage `json:"by_stage"`
	Lines     []ReportedLine  `json:"lines"`
	Limits    []ReportedLimit `json:"limits"`
	Quality   string          `json:"quality"`
	Datasets  []DatasetRef    `json:"datasets"`
	Notes     []string        `json:"notes"`
	Receipt   Receipt         `json:"receipt"`
}

// ReportedAmount is a rounded kg CO2e.
type ReportedAmount struct {
	KgCO2e Fixed `json:"kg_co2e"`
}

// ReportedGas is a rounded GasAmount.
type ReportedGas struct {
	Gas     string `json:"gas"`
	Kg      Fixed  `json:"kg"`
	KgCO2e  Fixed  `json:"kg_co2e"`
	GWP     string `json:"gwp,omitempty"`
	Counted bool   `json:"counted"`
}

// ReportedStage is a rounded StageAmount.
type ReportedStage struct {
	Stage  string `json:"stage"`
	KgCO2e Fixed  `json:"kg_co2e"`
}

// ReportedLine is a line result with rounded amounts.
type ReportedLine struct {
	ID          string          `json:"id"`
	Activity    string          `json:"activity"`
	Region      string          `json:"region"`
	Quantity    decimal.Decimal `json:"quantity"`
	Unit        string          `json:"unit"`
	Status      string          `json:"status"`
	KgCO2e      Fixed           `json:"kg_co2e"`
	Gases       []ReportedGas   `json:"gases"`
	Stages      []ReportedStage `json:"stages"`
	Factor      *FactorUsed     `json:"factor,omitempty"`
	EPD         *EPDUsed        `json:"epd,omitempty"`
	Conversions []string        `json:"conversions"`
	// BasisConversions and DataOrigin: see LineResult.
	BasisConversions []BasisConversion `json:"basis_conversions,omitempty"`
	DataOrigin       string            `json:"data_origin,omitempty"`
	Warnings         []string          `json:"warnings"`
	Error            string            `json:"error,omitempty"`
	Field            string            `json:"field,omitempty"`
}

// ReportedLimit is a limit check with its value rounded.
type ReportedLimit struct {
	Name    string          `json:"name"`
	ID      string          `json:"id"`
	Dataset string          `json:"dataset"`
	LineID  string          `json:"line_id"`
	Limit   decimal.Decimal `json:"limit"`
	Value   Fixed           `json:"value"`
	Unit    string          `json:"unit"`
	Pass    bool            `json:"pass"`
	Quality string          `json:"quality"`
	Source  string          `json:"source"`
}

// Report returns the footprint as reported, rounded by the method's rule.
// The gas and stage rows of all lines are cut from one slab each.
func (fp *Footprint) Report() *Report { return fp.reportWith(true) }

// reportWith is Report, with its lines or (for AppendJSON, which reports
// them one at a time) without. Without its lines, the bid's amounts of a
// footprint the engine computed are rounded from their fixed point; with
// them (Report), every amount is rounded from its decimal, as the lines'
// of a lazy footprint were not made (it is never reported whole).
func (fp *Footprint) reportWith(lines bool) *Report {
	r := fp.rounding
	fx := func(d decimal.Decimal) Fixed { return NewFixed(d, r) }
	nGas, nStage := len(fp.ByGas), len(fp.ByStage)
	if lines {
		for i := range fp.Lines {
			nGas += len(fp.Lines[i].Gases)
			nStage += len(fp.Lines[i].Stages)
		}
	}
	rows := reportRows{gases: make([]ReportedGas, 0, nGas), stages: make([]ReportedStage, 0, nStage)}
	out := &Report{Method: fp.Method, Reference: fp.Reference, Supplier: fp.Supplier,
		Limits: make([]ReportedLimit, len(fp.Limits)), Quality: fp.Quality, Datasets: fp.Datasets, Notes: fp.Notes, Receipt: fp.Receipt}
	if fp.fixed && !lines {
		out.Total = ReportedAmount{newFixedFx(fp.totalFx, r)}
		out.ByGas, out.ByStage = rows.reportGasesFx(fp.ByGas, fp.byGasFx, r), rows.reportStagesFx(fp.ByStage, fp.byStageFx, r)
	} else {
		out.Total = ReportedAmount{fx(fp.Total.KgCO2e)}
		out.ByGas, out.ByStage = rows.reportGases(fp.ByGas, fx), rows.reportStages(fp.ByStage, fx)
	}
	if lines {
		out.Lines = make([]ReportedLine, len(fp.Lines))
		for i := range fp.Lines {
			fp.reportLine(&out.Lines[i], &fp.Lines[i], &rows, fx)
		}
	}
	for i, l := range fp.Limits {
		out.Limits[i] = ReportedLimit{Name: l.Name, ID: l.ID, Dataset: l.Dataset, LineID: l.LineID, Limit: l.Limit, Value: fx(l.Value),
			Unit: l.Unit, Pass: l.Pass, Quality: l.Quality, Source: l.Source}
	}
	return out
}

// reportLine reports line l into rl, its gas and stage rows cut from rows.
func (fp *Footprint) reportLine(rl *ReportedLine, l *LineResult, rows *reportRows, fx func(decimal.Decimal) Fixed) {
	*rl = ReportedLine{ID: l.ID, Activity: l.Activity, Region: l.Region, Quantity: l.Quantity, Unit: l.Unit, Status: l.Status,
		KgCO2e: fx(l.KgCO2e), Gases: rows.reportGases(l.Gases, fx), Stages: rows.reportStages(l.Stages, fx), Factor: l.Factor, EPD: l.EPD,
		Conversions: l.Conversions, BasisConversions: l.BasisConversions, DataOrigin: l.DataOrigin, Warnings: l.Warnings, Error: l.Error, Field: l.Field}
}

// reportLineFx is reportLine for a line the engine computed, its amounts
// rounded from their fixed point (amountsFx).
func (fp *Footprint) reportLineFx(rl *ReportedLine, l *LineResult, rows *reportRows) {
	r, nGas := fp.rounding, len(l.Gases)
	*rl = ReportedLine{ID: l.ID, Activity: l.Activity, Region: l.Region, Quantity: l.Quantity, Unit: l.Unit, Status: l.Status,
		KgCO2e: newFixedFx(l.kgFx, r), Gases: rows.reportGasesFx(l.Gases, l.amountsFx[:2*nGas], r),
		Stages: rows.reportStagesFx(l.Stages, l.amountsFx[2*nGas:], r), Factor: l.Factor, EPD: l.EPD,
		Conversions: l.Conversions, BasisConversions: l.BasisConversions, DataOrigin: l.DataOrigin, Warnings: l.Warnings, Error: l.Error, Field: l.Field}
}

// reportRows are the slabs a report's gas and stage rows are cut from.
type reportRows struct {
	gases  []ReportedGas
	stages []ReportedStage
}

// reportGases cuts len(in) rows from the slab (never nil, as the JSON
// writes [] for none).
func (rr *reportRows) reportGases(in []GasAmount, fx func(decimal.Decimal) Fixed) []ReportedGas {
	start := len(rr.gases)
	for _, g := range in {
		rr.gases = append(rr.gases, ReportedGas{Gas: g.Gas, Kg: fx(g.Kg), KgCO2e: fx(g.KgCO2e), GWP: g.GWP, Counted: g.Counted})
	}
	out := rr.gases[start:len(rr.gases):len(rr.gases)]
	if out == nil {
		out = []ReportedGas{}
	}
	return out
}

// reportStages cuts len(in) rows from the slab.
func (rr *reportRows) reportStages(in []StageAmount, fx func(decimal.Decimal) Fixed) []ReportedStage {
	start := len(rr.stages)
	for _, s := range in {
		rr.stages = append(rr.stages, ReportedStage{Stage: s.Stage, KgCO2e: fx(s.KgCO2e)})
	}
	out := rr.stages[start:len(rr.stages):len(rr.stages)]
	if out == nil {
		out = []ReportedStage{}
	}
	return out
}

// reportGasesFx is reportGases rounding from fixed point: amounts holds the
// kg and kg CO2e of each gas.
func (rr *reportRows) reportGasesFx(in []GasAmount, amounts []fx, r methods.Rounding) []ReportedGas {
	start := len(rr.gases)
	for i, g := range in {
		rr.gases = append(rr.gases, ReportedGas{Gas: g.Gas, Kg: newFixedFx(amounts[2*i], r), KgCO2e: newFixedFx(amounts[2*i+1], r), GWP: g.GWP, Counted: g.Counted})
	}
	out := rr.gases[start:len(rr.gases):len(rr.gases)]
	if out == nil {
		out = []ReportedGas{}
	}
	return out
}

// reportStagesFx is reportStages rounding from fixed point: amounts holds
// each stage's kg CO2e.
func (rr *reportRows) reportStagesFx(in []StageAmount, amounts []fx, r methods.Rounding) []ReportedStage {
	start := len(rr.stages)
	for i, s := range in {
		rr.stages = append(rr.stages, ReportedStage{Stage: s.Stage, KgCO2e: newFixedFx(amounts[i], r)})
	}
	out := rr.stages[start:len(rr.stages):len(rr.stages)]
	if out == nil {
		out = []ReportedStage{}
	}
	return out
}
