package tender

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// MoneyRounding is how reported amounts of money are rounded: 2 places,
// half to even (banker's rounding, so that rounding a column of ties adds
// no bias). Ranking uses the exact values.
var MoneyRounding = methods.Rounding{Places: 2, Mode: methods.HalfEven}

// ReportedPrice is a price as reported: its amount rounded by
// MoneyRounding and written with its places ("1250000.00"), as the
// evaluation's notional prices are.
type ReportedPrice struct {
	Amount   Fixed  `json:"amount"`
	Currency string `json:"currency"`
}

// ReportPrice is p as reported.
func ReportPrice(p Price) ReportedPrice {
	return ReportedPrice{Amount: NewFixed(p.Amount, MoneyRounding), Currency: p.Currency}
}

// Evaluation is a tender's ranking of its bids, computed at opening.
type Evaluation struct {
	Tender  TenderRef `json:"tender"`
	Method  MethodPin `json:"method"`
	Award   Award     `json:"award"`
	Ranking []Ranked  `json:"ranking"`
	// Rounding states how the reported amounts were rounded.
	Rounding ReportRounding `json:"rounding"`
	// Committee is the tender's opening committee and OpenedBy the
	// openers whose approvals opened it, in order (one id when K = 1: one
	// person opened it); both absent for a tender without a committee.
	Committee *Committee `json:"committee,omitempty"`
	OpenedBy  []string   `json:"opened_by,omitempty"`
	// Uncertainty records the tender's declared uncertainty report (seed,
	// draws, generator, model digest, the too-close-to-call flag); absent
	// for a tender that declares none or whose method has no model (the
	// evaluation is then byte for byte what it was before reports).
	Uncertainty *RankingUncertainty `json:"uncertainty,omitempty"`
	// Digest is the hex SHA-256 of the evaluation's canonical JSON (with
	// digest empty).
	Digest string `json:"digest"`
}

// TenderRef identifies the evaluated tender.
type TenderRef struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Currency  string    `json:"currency"`
	Deadline  time.Time `json:"deadline"`
}

// ReportRounding is the rounding of an evaluation's reported amounts.
type ReportRounding struct {
	Money  methods.Rounding `json:"money"`
	KgCO2e methods.Rounding `json:"kg_co2e"`
}

// Ranked is one bid in the ranking.
type Ranked struct {
	// Rank is 1 for the winner; nil when the bid is excluded.
	Rank     *int   `json:"rank"`
	BidID    string `json:"bid_id"`
	Supplier string `json:"supplier"`
	// Price is the bid's price, reported with MoneyRounding's places.
	// (Evaluations stored before it was reported so kept the amount's
	// own places, e.g. "125000"; they decode and re-encode unchanged, so
	// their digests still verify.)
	Price      ReportedPrice `json:"price"`
	ReceivedAt time.Time     `json:"received_at"`
	// KgCO2e is the footprint's total, rounded by the method's rule.
	KgCO2e Fixed `json:"kg_co2e"`
	// NotionalPrice is the price under the award rule, rounded by
	// MoneyRounding.
	NotionalPrice Fixed  `json:"notional_price"`
	LadderLevel   string `json:"ladder_level,omitempty"`
	// FailedLimits names the failed procurement limits ("id (line L)").
	FailedLimits []string `json:"failed_limits"`
	Excluded     bool     `json:"excluded"`
	Reason       string   `json:"reason,omitempty"`
	// Commitment is the bid's salted commitment as shown while it was
	// sealed, and Nonce its nonce, revealed now: anyone can check that
	// seal.Commit(Nonce, CommitmentContent(BidDigest(bid), result digest))
	// is Commitment. Absent for bids received before commitments.
	Commitment string `json:"commitment,omitempty"`
	Nonce      string `json:"nonce,omitempty"`
	// PFirst is the probability that the bid ranks first and PKeepPlace
	// the probability that it stays ahead of the next ranked bid, under
	// the tender's declared uncertainty report (shortest decimal of
	// count / draws); absent without a report, for an excluded bid, and
	// (PKeepPlace) for the last ranked bid.
	PFirst     string `json:"p_first,omitempty"`
	PKeepPlace string `json:"p_keep_place,omitempty"`

	// item is the bid's index in the sampler's items (when sampled).
	item int
}

// Notional returns the exact notional price of a price with a footprint
// of kgCO2e and a declared ladder level under award a (see the package
// doc). The award and bid are assumed valid (ValidateTender, ValidateBid).
func Notional(a Award, price, kgCO2e decimal.Decimal, level string) (decimal.Decimal, error) {
	switch a.Rule {
	case PriceOnly:
		return price, nil
	case CarbonPrice:
		if a.CarbonPricePerT == nil {
			return decimal.Decimal{}, fmt.Errorf("%w: carbon_price rule without carbon_price_per_t", ErrInvalid)
		}
		tonnes := kgCO2e.Shift(-3) // kg → t, exact
		return price.Add(a.CarbonPricePerT.Mul(tonnes)), nil
	case Ladder:
		if level == "" {
			return price, nil
		}
		d, ok := a.LadderDiscounts[level]
		if !ok {
			return decimal.Decimal{}, fmt.Errorf("%w: %q", ErrUnknownLevel, clipPrefix(level))
		}
		return price.Mul(one.Sub(d)), nil
	}
	return decimal.Decimal{}, fmt.Errorf("%w: award rule %q", ErrInvalid, clipPrefix(string(a.Rule)))
}

// Evaluate ranks the bids of tender t under its award rule. m is the
// tender's pinned method (its digest must match the pin and every bid's
// footprint receipt; its rounding rule reports kg CO2e). Each bid carries
// the footprint computed at submission; withdrawn bids are left out.
// Bids are ranked by exact notional price, then earlier receipt, then bid
// id; under the exclude limits rule a bid failing a limit gets no rank and
// comes after the ranked ones, with the failing limits as its reason.
// Evaluate is deterministic: the same input gives the same bytes and
// digest. Errors: ErrMethodMismatch, or ErrInvalid for a bid that could
// not have been accepted (duplicate id, late, wrong currency).
//
// Evaluate is an Evaluator fed every bid; to rank bids read one at a
// time, use the Evaluator.
func Evaluate(t Tender, m *methods.Method, bids []Bid) (*Evaluation, error) {
	e, err := NewEvaluator(t, m)
	if err != nil {
		return nil, err
	}
	for i := range bids {
		if err := e.Add(&bids[i]); err != nil {
			return nil, err
		}
	}
	return e.Evaluation()
}

// Evaluator ranks a tender's bids fed to it one at a time (Add), as a
// store reads them, and keeps of each only its row of the ranking (ids,
// price, kg CO2e, notional price, failed limits): never its lines. Its
// memory grows with the number of bids, by a packed row (168 bytes, no
// pointer: packed.go) and the row's strings each, about 300 bytes in
// all, not with their size.
// Evaluation gives what Evaluate gives for the same bids.
type Evaluator struct {
	t  Tender
	kg methods.Rounding
	ev *Evaluation
	// seen maps the hash of each row's bid id to its latest row (rows
	// with the same hash are chained by packedRow.next): the duplicate
	// check, without a string per bid for the collector to trace.
	seed maphash.Seed
	seen map[uint64]int32
	// refused are the ids of bids Add refused after marking them seen.
	refused []string
	// report is set when the tender declares an uncertainty report and
	// its method has a model; s (when the rule samples) keeps each ranked
	// bid's coefficients, never its lines.
	report bool
	s      *sampler
	// rows are the packed rows in the order added, in chunks of
	// rowChunk (appending never copies the rows kept), their strings in
	// a, their failed limits' spans in limits, and their amounts that do
	// not fit an int64 in bigs.
	rows   [][]packedRow
	a      arena
	limits []span
	bigs   []Fixed
	w      rowWriter // the row being added
	n      int
	done   bool // Evaluation was called
}

// rowChunk is the number of packed rows an Evaluator keeps per chunk.
const rowChunk = 1024

// EvaluateSeq ranks bids read one at a time (as the store streams them at
// opening) under method m: the memory it takes is one bid's content at a
// time plus a packed row per bid (Evaluator), whatever the bids' sizes.
func EvaluateSeq(t Tender, m *methods.Method, bids iter.Seq2[Bid, error]) (*Evaluation, error) {
	return EvaluateSeqWith(t, m, bids, EvalOptions{})
}

// EvaluateSeqWith is EvaluateSeq with the options a declared uncertainty
// report needs (an engine, workers): what the opening calls.
func EvaluateSeqWith(t Tender, m *methods.Method, bids iter.Seq2[Bid, error], o EvalOptions) (*Evaluation, error) {
	e, err := NewEvaluatorWith(t, m, o)
	if err != nil {
		return nil, err
	}
	for b, err := range bids {
		if err != nil {
			return nil, err
		}
		if err := e.Add(&b); err != nil {
			return nil, err
		}
	}
	return e.Evaluation()
}

// NewEvaluatorWith is NewEvaluator with options: when tender t declares an
// uncertainty report, its method has a model and its rule depends on the
// footprint (carbon_price), o.Engine recomputes each ranked bid's
// footprint for its coefficients (ErrNoEngine without one).
func NewEvaluatorWith(t Tender, m *methods.Method, o EvalOptions) (*Evaluator, error) {
	e, err := newEvaluator(t, m)
	if err != nil {
		return nil, err
	}
	report, sample := sampling(t, m)
	e.report = report
	if sample {
		if o.Engine == nil {
			return nil, ErrNoEngine
		}
		e.s = &sampler{t: t, m: m, eng: o.Engine, workers: o.Workers, b: calc.NewUncertaintyBuilder()}
	}
	return e, nil
}

// NewEvaluator starts the evaluation of tender t under its pinned method
// m (ErrMethodMismatch when m is not the pinned one). It is
// NewEvaluatorWith without options: a tender whose declared uncertainty
// report must sample needs an engine (ErrNoEngine).
func NewEvaluator(t Tender, m *methods.Method) (*Evaluator, error) {
	return NewEvaluatorWith(t, m, EvalOptions{})
}

func newEvaluator(t Tender, m *methods.Method) (*Evaluator, error) {
	if m == nil || m.Digest != t.Method.Digest || m.ID != t.Method.ID || m.Version != t.Method.Version {
		return nil, fmt.Errorf("%w: the tender pins %s (%s)", ErrMethodMismatch, t.Method.Ref(), t.Method.Digest)
	}
	return &Evaluator{t: t, kg: m.Rounding, seed: maphash.MakeSeed(), seen: map[uint64]int32{}, ev: &Evaluation{
		Tender:   TenderRef{ID: t.ID, Reference: t.Reference, Currency: t.Currency, Deadline: t.Deadline.UTC()},
		Method:   t.Method,
		Award:    t.Award,
		Ranking:  []Ranked{},
		Rounding: ReportRounding{Money: MoneyRounding, KgCO2e: m.Rounding},
	}}, nil
}

// Add checks bid b and keeps its row of the ranking; a withdrawn bid is
// left out. b is not retained.
func (e *Evaluator) Add(b *Bid) error {
	if b.WithdrawnAt != nil {
		return nil
	}
	h := maphash.String(e.seed, b.ID)
	if e.seenID(h, b.ID) {
		return fmt.Errorf("%w: bid id %q appears twice", ErrInvalid, clipPrefix(b.ID))
	}
	r, err := e.check(b)
	if err != nil {
		// Marked seen all the same, as when the check came after it.
		e.refused = append(e.refused, b.ID)
		return err
	}
	r.next = -1
	if i, ok := e.seen[h]; ok {
		r.next = i
	}
	e.seen[h] = int32(e.n)
	if e.n%rowChunk == 0 {
		e.rows = append(e.rows, make([]packedRow, 0, rowChunk))
	}
	last := &e.rows[len(e.rows)-1]
	*last = append(*last, r)
	e.n++
	return nil
}

// seenID reports whether a bid with id (of hash h) was added or refused.
func (e *Evaluator) seenID(h uint64, id string) bool {
	i, ok := e.seen[h]
	for ok && i >= 0 {
		r := e.row(i)
		if string(e.a.bytes(r, r.id)) == id {
			return true
		}
		i = r.next
	}
	return slices.Contains(e.refused, id)
}

// check checks bid b and packs its row.
func (e *Evaluator) check(b *Bid) (packedRow, error) {
	t := e.t
	if err := ValidateBid(t, *b); err != nil {
		return packedRow{}, fmt.Errorf("bid %q: %w", clipPrefix(b.ID), err)
	}
	if !b.ReceivedAt.Before(t.Deadline) {
		return packedRow{}, fmt.Errorf("%w: bid %q was received at %s, not before the deadline", ErrInvalid, clipPrefix(b.ID), b.ReceivedAt.UTC().Format(time.RFC3339Nano))
	}
	if b.Footprint.Receipt.MethodDigest != t.Method.Digest {
		return packedRow{}, fmt.Errorf("bid %q: %w: its footprint was computed under method digest %q", clipPrefix(b.ID), ErrMethodMismatch, clipPrefix(b.Footprint.Receipt.MethodDigest))
	}
	n, err := Notional(t.Award, b.Price.Amount, b.Footprint.KgCO2e, b.LadderLevel)
	if err != nil {
		return packedRow{}, fmt.Errorf("bid %q: %w", clipPrefix(b.ID), err)
	}
	w := &e.w
	w.b = w.b[:0]
	r := packedRow{
		id:          w.add(b.ID),
		supplier:    w.add(b.Supplier),
		currency:    w.add(b.Price.Currency),
		level:       w.add(b.LadderLevel),
		commitment:  w.add(b.Commitment),
		nonce:       w.add(b.Nonce),
		price:       packFixed(ReportPrice(b.Price).Amount, &e.bigs),
		kgCO2e:      packFixed(NewFixed(b.Footprint.KgCO2e, e.kg), &e.bigs),
		notionalFix: packFixed(NewFixed(n, MoneyRounding), &e.bigs),
	}
	at := b.ReceivedAt.UTC()
	r.sec, r.nsec = at.Unix(), int32(at.Nanosecond())
	start := len(w.b)
	w.b, r.sign, r.msd = notionalKey(w.b, n)
	r.digits = span{off: uint32(start), n: uint32(len(w.b) - start)}
	failed := failedLimits(b.Footprint.Limits)
	r.limits = span{off: uint32(len(e.limits)), n: uint32(len(failed))}
	for _, l := range failed {
		e.limits = append(e.limits, w.add(l))
	}
	if reason := negativeReason(b.Footprint.KgCO2e, n); reason != "" {
		r.excluded = true
		r.reason = w.add(reason)
	} else if t.Award.Limits == LimitsExclude && len(failed) > 0 {
		r.excluded = true
		r.reason = w.add("fails procurement limit(s): " + strings.Join(failed, ", "))
	}
	if !r.excluded && e.s != nil {
		i, err := e.s.add(b)
		if err != nil {
			e.limits = e.limits[:r.limits.off]
			return packedRow{}, err
		}
		r.item = int32(i)
	}
	r.chunk, r.base = e.a.put(w.b)
	return r, nil
}

// row is the i-th row added.
func (e *Evaluator) row(i int32) *packedRow { return &e.rows[i/rowChunk][i%rowChunk] }

// Evaluation ranks the bids added and returns the evaluation with its
// digest. Call it once, after the last Add.
func (e *Evaluator) Evaluation() (*Evaluation, error) {
	if e.done {
		return nil, errors.New("tender: Evaluation called twice on one Evaluator")
	}
	e.done = true
	ev := e.ev
	order := make([]int32, e.n)
	for i := range order {
		order[i] = int32(i)
	}
	// Bid ids are distinct (Add refuses a repeated one), so cmpRows is a
	// total order: any sort gives the one ranking; no need for a stable one.
	slices.SortFunc(order, func(i, j int32) int { return e.a.cmpRows(e.row(i), e.row(j)) })
	ev.Ranking = e.ranking(order)
	e.rows, e.a, e.limits, e.bigs, e.seen = nil, arena{}, nil, nil, nil
	if e.report {
		if err := report(ev, e.t, e.s, e.s != nil); err != nil {
			return nil, err
		}
	}
	d, err := ev.digest()
	if err != nil {
		return nil, err
	}
	ev.Digest = d
	return ev, nil
}

// ranking builds the ranking's rows from the packed rows, in order,
// with their ranks. Its strings share a string per chunk of the arena,
// its failed limits one slice, its ranks one array: a few allocations,
// not a dozen a row.
func (e *Evaluator) ranking(order []int32) []Ranked {
	strs := make([]string, len(e.a.chunks))
	for i, c := range e.a.chunks {
		strs[i] = string(c)
		e.a.chunks[i] = nil // the string holds the bytes now
	}
	str := func(r *packedRow, s span) string {
		if s.n == 0 {
			return ""
		}
		start := r.base + s.off
		return strs[r.chunk][start : start+s.n]
	}
	limits := make([]string, len(e.limits))
	ranking := make([]Ranked, len(order))
	ranks := make([]int, len(order)) // one allocation for every rank
	rank := 0
	for k, i := range order {
		r := e.row(i)
		lim := limits[r.limits.off : r.limits.off+r.limits.n : r.limits.off+r.limits.n]
		for j, s := range e.limits[r.limits.off : r.limits.off+r.limits.n] {
			lim[j] = str(r, s)
		}
		ranking[k] = Ranked{
			BidID:         str(r, r.id),
			Supplier:      str(r, r.supplier),
			Price:         ReportedPrice{Amount: r.price.unpack(e.bigs), Currency: str(r, r.currency)},
			ReceivedAt:    unpackTime(r.sec, r.nsec),
			KgCO2e:        r.kgCO2e.unpack(e.bigs),
			NotionalPrice: r.notionalFix.unpack(e.bigs),
			LadderLevel:   str(r, r.level),
			FailedLimits:  lim,
			Excluded:      r.excluded,
			Reason:        str(r, r.reason),
			Commitment:    str(r, r.commitment),
			Nonce:         str(r, r.nonce),
			item:          int(r.item),
		}
		if !r.excluded {
			ranks[rank] = rank + 1
			ranking[k].Rank = &ranks[rank]
			rank++
		}
	}
	return ranking
}

// negativeReason is why a bid with a negative footprint total or
// notional price is not ranked ("" when neither is). No rule of a method
// lets a footprint go below zero (calc refuses a negative EPD value unless
// the method's epd.biogenic rule counts one of zero or more instead, and
// typed factors below zero), so such a bid can only come from data the
// engine no longer accepts: it is excluded, never ranked first.
func negativeReason(kg, notional decimal.Decimal) string {
	switch {
	case kg.IsNegative():
		return fmt.Sprintf("footprint total %s kg CO2e is negative: a footprint cannot be below zero (a negative EPD value counts biogenic uptake without its release, or is forged); the bid is not ranked", shownAmount(kg))
	case notional.IsNegative():
		return fmt.Sprintf("notional price %s is negative: the bid is not ranked", shownAmount(notional))
	}
	return ""
}

// shownAmount is d for a reason, its text clipped.
func shownAmount(d decimal.Decimal) string { return clipPrefix(d.String()) }

// failedLimits names each failed limit once per line, in a fixed order.
func failedLimits(ls []LimitResult) []string {
	out := []string{}
	for _, l := range ls {
		if !l.Pass {
			out = append(out, fmt.Sprintf("%s (line %s)", clipPrefix(l.ID), clipPrefix(l.LineID)))
		}
	}
	sort.Strings(out)
	return out
}

// CanonicalJSON is the evaluation's JSON with an empty digest: the bytes
// its digest is taken over. Field order is the struct's, maps are sorted
// by key, decimals are strings without trailing zeros (ladder discounts) or
// with their reporting places, and times are UTC RFC 3339.
func (e *Evaluation) CanonicalJSON() ([]byte, error) {
	c := canonicalHead(e)
	c.Ranking = e.Ranking
	return json.Marshal(c)
}

// canonicalHead is e with an empty digest and its award's decimals
// normalised: the head of its canonical JSON (the ranking is e's).
func canonicalHead(e *Evaluation) Evaluation {
	c := *e
	c.Digest = ""
	if c.Award.LadderDiscounts != nil {
		ds := make(map[string]decimal.Decimal, len(c.Award.LadderDiscounts))
		for k, v := range c.Award.LadderDiscounts {
			ds[k] = normDec(v)
		}
		c.Award.LadderDiscounts = ds
	}
	if c.Award.CarbonPricePerT != nil {
		w := normDec(*c.Award.CarbonPricePerT)
		c.Award.CarbonPricePerT = &w
	}
	return c
}

// digest is the hex SHA-256 of the canonical JSON, hashed as it is
// written one ranking row at a time (no copy of the whole).
func (e *Evaluation) digest() (string, error) {
	return canonicalDigest(e, e.rows, e.Ranking == nil)
}

// SetOpening records who opened the evaluated tender (its committee and
// the approving openers) and recomputes the digest.
func (e *Evaluation) SetOpening(c *Committee, openedBy []string) error {
	e.Committee, e.OpenedBy = c, openedBy
	d, err := e.digest()
	if err != nil {
		return err
	}
	e.Digest = d
	return nil
}

// VerifyDigest recomputes the digest of a stored evaluation and reports
// whether it matches.
func (e *Evaluation) VerifyDigest() (bool, error) {
	d, err := e.digest()
	return err == nil && d == e.Digest, err
}

// normDec drops trailing zeros so that 0.040 and 0.04 digest alike.
func normDec(d decimal.Decimal) decimal.Decimal {
	n, _ := decimal.NewFromString(d.String())
	return n
}
