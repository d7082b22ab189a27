package calc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// Line statuses.
const (
	StatusOK       = "ok"
	StatusExcluded = "excluded"
	StatusError    = "error"
)

// Footprint is the result of a bid under one method. Amounts are exact
// (unrounded) decimals; JSON reports them rounded by the method's rule.
type Footprint struct {
	Method    MethodRef     `json:"method"`
	Reference string        `json:"reference"`
	Supplier  string        `json:"supplier"`
	Total     Amount        `json:"total"`
	ByGas     []GasAmount   `json:"by_gas"`
	ByStage   []StageAmount `json:"by_stage"`
	Lines     []LineResult  `json:"lines"`
	Limits    []LimitCheck  `json:"limits"`
	// Quality is the worst quality of the factors used.
	Quality  string       `json:"quality"`
	Datasets []DatasetRef `json:"datasets"`
	Notes    []string     `json:"notes"`
	Receipt  Receipt      `json:"receipt"`

	rounding methods.Rounding
	sealed   []byte // the JSON as sealed by Calculate
}

// MethodRef identifies the method version a footprint was computed with.
type MethodRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	GWPSet  string `json:"gwp_set"`
	Digest  string `json:"digest"`
}

// Amount is a quantity of kg CO2e.
type Amount struct {
	KgCO2e decimal.Decimal `json:"kg_co2e"`
}

// GasAmount is one gas in kg of the gas and in kg CO2e.
type GasAmount struct {
	Gas    string          `json:"gas"`
	Kg     decimal.Decimal `json:"kg"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
	// GWP is the value used (empty for a gas not counted).
	GWP     string `json:"gwp,omitempty"`
	Counted bool   `json:"counted"`
}

// StageAmount is a life-cycle stage's kg CO2e.
type StageAmount struct {
	Stage  string          `json:"stage"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
}

// FactorUsed records which factor a line used.
type FactorUsed struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Source  string `json:"source"`
	Table   string `json:"table,omitempty"`
	// Region is the region whose factor was used (may be a parent or GLO).
	Region          string `json:"region"`
	Fallback        bool   `json:"fallback"`
	Quality         string `json:"quality"`
	ProductSpecific bool   `json:"product_specific"`
	Per             string `json:"per"`
	Basis           string `json:"basis,omitempty"`
	Stage           string `json:"stage"`
}

// LineResult is one line's result.
type LineResult struct {
	ID       string          `json:"id"`
	Activity string          `json:"activity"`
	Region   string          `json:"region"`
	Quantity decimal.Decimal `json:"quantity"`
	Unit     string          `json:"unit"`
	Status   string          `json:"status"`
	KgCO2e   decimal.Decimal `json:"kg_co2e"`
	Gases    []GasAmount     `json:"gases"`
	Stages   []StageAmount   `json:"stages"`
	Factor   *FactorUsed     `json:"factor,omitempty"`
	// Conversions says how the quantity was brought to the factor's unit.
	Conversions []string `json:"conversions"`
	Warnings    []string `json:"warnings"`
	Error       string   `json:"error,omitempty"`
	// Field is the input field the error is about.
	Field string `json:"field,omitempty"`
	// Err is the typed error behind Error, for callers; not serialised.
	Err error `json:"-"`

	terms []termResult
}

// termResult is a computed term, kept for comparison and attribution.
type termResult struct {
	term
	kg, co2e decimal.Decimal
}

// LimitCheck is a procurement limit checked on a line.
type LimitCheck struct {
	Name    string          `json:"name"`
	ID      string          `json:"id"`
	Dataset string          `json:"dataset"`
	LineID  string          `json:"line_id"`
	Limit   decimal.Decimal `json:"limit"`
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
	Pass    bool            `json:"pass"`
	Quality string          `json:"quality"`
	Source  string          `json:"source"`
}

// DatasetRef identifies a dataset a footprint may draw on.
type DatasetRef struct {
	Ref     string `json:"ref"`
	Title   string `json:"title"`
	Digest  string `json:"digest"`
	Quality string `json:"quality"`
	Licence string `json:"licence"`
}

// Receipt holds the digests that make a footprint reproducible and
// verifiable: the same input and method always give the same bytes.
type Receipt struct {
	InputDigest    string            `json:"input_digest"`
	MethodDigest   string            `json:"method_digest"`
	DatasetDigests map[string]string `json:"dataset_digests"`
	ResultDigest   string            `json:"result_digest"`
}

// Calculate computes a bid under the plan's method.
func (p *Plan) Calculate(bid Bid) (*Footprint, error) {
	if probs := checkBid(bid); len(probs) > 0 {
		return nil, &BidError{Problems: probs}
	}
	m := p.method
	fp := &Footprint{
		Method:    MethodRef{ID: m.ID, Version: m.Version, Title: m.Title, Status: string(m.Status), GWPSet: m.GWPSet, Digest: m.Digest},
		Reference: bid.Reference, Supplier: bid.Supplier,
		rounding: m.Rounding,
		Notes: []string{
			"amounts are summed unrounded and rounded once when reported; rounded lines may not add up exactly to the rounded total",
		},
	}
	if m.Status == methods.Retired {
		fp.Notes = append(fp.Notes, fmt.Sprintf("method %s is retired; computed for reproduction of earlier results", m.Ref()))
	}
	if m.Status == methods.Draft {
		fp.Notes = append(fp.Notes, fmt.Sprintf("method %s is a draft", m.Ref()))
	}
	var probs []Problem
	gasTotals := map[factors.Gas]*GasAmount{}
	stageTotals := map[string]decimal.Decimal{}
	quality := factors.Primary
	anyFactor := false
	for i := range bid.Lines {
		lr := p.Line(&bid.Lines[i])
		if lr.Status == StatusError {
			ptr := fmt.Sprintf("/lines/%d", i)
			if lr.Field != "" {
				ptr += "/" + strings.ReplaceAll(lr.Field, ".", "/")
			}
			probs = append(probs, Problem{Pointer: ptr, LineID: lr.ID, Detail: lr.Error, Err: lr.Err})
		}
		if lr.Status == StatusOK {
			fp.Total.KgCO2e = fp.Total.KgCO2e.Add(lr.KgCO2e)
			for _, t := range lr.terms {
				ga := gasTotals[t.gas]
				if ga == nil {
					ga = &GasAmount{Gas: string(t.gas), Counted: t.counted}
					if t.counted {
						ga.GWP = t.gwp.String()
					}
					gasTotals[t.gas] = ga
				}
				ga.Kg = ga.Kg.Add(t.kg)
				ga.KgCO2e = ga.KgCO2e.Add(t.co2e)
				stageTotals[t.stage] = stageTotals[t.stage].Add(t.co2e)
			}
			fp.Limits = append(fp.Limits, p.checkLimits(&bid.Lines[i], &lr)...)
		}
		if lr.Factor != nil && lr.Status == StatusOK {
			anyFactor = true
			if !lr.Factor.ProductSpecific {
				quality = quality.Worse(factors.Quality(lr.Factor.Quality))
			}
		}
		fp.Lines = append(fp.Lines, lr)
	}
	fp.ByGas = sortedGases(gasTotals)
	fp.ByStage = p.sortedStages(stageTotals)
	if anyFactor {
		fp.Quality = string(quality)
	}
	if fp.Limits == nil {
		fp.Limits = []LimitCheck{}
	}
	fp.Receipt.MethodDigest = m.Digest
	fp.Receipt.DatasetDigests = map[string]string{}
	for _, d := range p.datasets {
		fp.Datasets = append(fp.Datasets, DatasetRef{Ref: d.Ref(), Title: d.Title, Digest: d.Digest, Quality: string(d.Quality), Licence: d.Licence})
		fp.Receipt.DatasetDigests[d.Ref()] = d.Digest
	}
	for _, ls := range m.Limits {
		if d, err := p.lib.Dataset(ls.Dataset); err == nil {
			fp.Datasets = append(fp.Datasets, DatasetRef{Ref: d.Ref(), Title: d.Title, Digest: d.Digest, Quality: string(d.Quality), Licence: d.Licence})
			fp.Receipt.DatasetDigests[d.Ref()] = d.Digest
		}
	}
	fp.Receipt.InputDigest = InputDigest(bid)
	if err := fp.seal(); err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return fp, &BidError{Problems: probs}
	}
	return fp, nil
}

// Line computes one line. It never fails: a line that cannot be computed
// comes back with status "error", its message and typed error.
func (p *Plan) Line(l *Line) LineResult {
	lr := LineResult{ID: l.ID, Activity: l.Activity, Region: l.Region, Quantity: l.Quantity, Unit: l.Unit,
		Conversions: []string{}, Warnings: []string{}, Gases: []GasAmount{}, Stages: []StageAmount{}}
	if err := checkLine(l); err != nil {
		return lineError(lr, err)
	}
	r := p.recipe(l)
	if r.err != nil {
		return lineError(lr, r.err)
	}
	lr.Factor = r.used
	lr.Conversions = append(lr.Conversions, r.notes...)
	lr.Warnings = append(lr.Warnings, r.warnings...)
	if r.excluded {
		lr.Status = StatusExcluded
		return lr
	}
	lr.Status = StatusOK
	q := l.Quantity
	places := p.method.Rounding.DivisionPlaces
	stageCO2e := map[string]decimal.Decimal{}
	gasIdx := map[factors.Gas]int{}
	lr.terms = make([]termResult, 0, len(r.terms))
	for _, t := range r.terms {
		var kg decimal.Decimal
		if t.exact {
			kg = q.Mul(t.mult)
		} else {
			kg = divHalfEven(q.Mul(t.num), t.den, places)
		}
		var co2e decimal.Decimal
		if t.counted {
			co2e = kg.Mul(t.gwp)
		}
		lr.terms = append(lr.terms, termResult{term: t, kg: kg, co2e: co2e})
		lr.KgCO2e = lr.KgCO2e.Add(co2e)
		stageCO2e[t.stage] = stageCO2e[t.stage].Add(co2e)
		if i, ok := gasIdx[t.gas]; ok {
			lr.Gases[i].Kg = lr.Gases[i].Kg.Add(kg)
			lr.Gases[i].KgCO2e = lr.Gases[i].KgCO2e.Add(co2e)
			continue
		}
		ga := GasAmount{Gas: string(t.gas), Kg: kg, KgCO2e: co2e, Counted: t.counted}
		if t.counted {
			ga.GWP = t.gwp.String()
		}
		gasIdx[t.gas] = len(lr.Gases)
		lr.Gases = append(lr.Gases, ga)
	}
	for _, s := range r.stages {
		lr.Stages = append(lr.Stages, StageAmount{Stage: s, KgCO2e: stageCO2e[s]})
	}
	for _, t := range r.terms {
		if t.gas == factors.CO2Biogenic && !t.counted {
			lr.Warnings = append(lr.Warnings, "biogenic CO2 is reported in kg and not counted in kg CO2e (method rule biogenic_co2 = memo)")
			break
		}
		if !t.counted && t.gas != factors.CO2Biogenic {
			lr.Warnings = append(lr.Warnings, fmt.Sprintf("no GWP for %s in set %s: not counted", t.gas, p.gwp.ID))
		}
	}
	return lr
}

func lineError(lr LineResult, err error) LineResult {
	lr.Status = StatusError
	lr.Error = err.Error()
	lr.Field = Field(err)
	lr.Err = err
	if lr.Field != "" && !strings.HasPrefix(lr.Error, lr.Field) {
		lr.Error = lr.Field + ": " + lr.Error
	}
	return lr
}

func (p *Plan) checkLimits(l *Line, lr *LineResult) []LimitCheck {
	r := p.recipe(l)
	var out []LimitCheck
	for _, lrc := range r.limits {
		if lrc.skip != "" || l.Quantity.IsZero() {
			continue
		}
		lim := lrc.limit
		value := divHalfEven(lr.KgCO2e.Mul(lrc.scaleNum), l.Quantity.Mul(lrc.scaleDen), p.method.Rounding.DivisionPlaces)
		pass := lr.KgCO2e.Mul(lrc.passL).Cmp(l.Quantity.Mul(lrc.passR)) <= 0
		name := strings.TrimSpace(fmt.Sprintf("%s: %s, %s", lim.Program, lim.Activity, lim.Tier))
		out = append(out, LimitCheck{Name: name, ID: lim.ID, Dataset: lim.Dataset, LineID: l.ID, Limit: lim.Value, Value: value,
			Unit: lim.Mass.Symbol + " CO2e/" + lim.Per.Symbol, Pass: pass, Quality: string(lim.Quality), Source: lim.Source})
	}
	return out
}

var gasOrder = map[string]int{"CO2": 0, "CO2_biogenic": 1, "CH4": 2, "CH4_fossil": 3, "CH4_biogenic": 4, "N2O": 5, "CO2e": 99}

func sortedGases(m map[factors.Gas]*GasAmount) []GasAmount {
	out := make([]GasAmount, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := gasOrder[out[i].Gas]
		oj, jok := gasOrder[out[j].Gas]
		if !iok {
			oi = 50
		}
		if !jok {
			oj = 50
		}
		if oi != oj {
			return oi < oj
		}
		return out[i].Gas < out[j].Gas
	})
	return out
}

func (p *Plan) sortedStages(m map[string]decimal.Decimal) []StageAmount {
	out := []StageAmount{}
	for _, s := range p.method.Stages {
		if v, ok := m[s]; ok {
			out = append(out, StageAmount{Stage: s, KgCO2e: v})
		}
	}
	return out
}

// InputDigest is the hex SHA-256 of the bid's canonical JSON.
func InputDigest(b Bid) string {
	raw, _ := json.Marshal(canonicalBid(b))
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func canonicalBid(b Bid) Bid {
	c := b
	c.Lines = make([]Line, len(b.Lines))
	for i, l := range b.Lines {
		l.Quantity = normDec(l.Quantity)
		if l.Factor != nil {
			f := *l.Factor
			f.KgCO2e = normDec(f.KgCO2e)
			l.Factor = &f
		}
		c.Lines[i] = l
	}
	return c
}

// normDec drops trailing zeros so that "1000" and "1000.0" digest alike.
func normDec(d decimal.Decimal) decimal.Decimal {
	s := d.String()
	n, _ := decimal.NewFromString(s)
	return n
}

// seal computes the result digest over the reported JSON with an empty
// result digest.
func (fp *Footprint) seal() error {
	fp.Receipt.ResultDigest = ""
	raw := fp.Report().AppendJSON(make([]byte, 0, 2048+1536*len(fp.Lines))) // the bytes of json.Marshal(fp), faster
	sum := sha256.Sum256(raw)
	fp.Receipt.ResultDigest = hex.EncodeToString(sum[:])
	// The result digest is the last value of the document: splice it into
	// the bytes just hashed rather than encode the whole report again.
	const tail = `"result_digest":""}}`
	if bytes.HasSuffix(raw, []byte(tail)) {
		sealed := append(raw[:len(raw)-len(tail)], `"result_digest":"`...)
		sealed = append(sealed, fp.Receipt.ResultDigest...)
		fp.sealed = append(sealed, `"}}`...)
	}
	return nil
}

// JSON returns the footprint's JSON as sealed by Calculate, the same bytes
// as json.Marshal(fp) at that moment, without encoding it again. It is nil
// for a footprint not made by Calculate. The caller must not modify it.
func (fp *Footprint) JSON() []byte { return fp.sealed }

// Rounding returns the method's rounding rule that the footprint reports with.
func (fp *Footprint) Rounding() methods.Rounding { return fp.rounding }
