package tender

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// A tender may declare, when it is created, that its evaluation reports
// how sure its ranking is (issue 20, docs/uncertainty.md "Tender
// evaluations"): the number of draws and the "too close to call"
// threshold on the winner's probability of staying first. The seed is not
// chosen by anyone: it is derived from the tender's digest (UncertaintySeed),
// fixed when the tender is created, before any bid is seen. The legal
// ranking stays the exact one; the probabilities are reported beside it.

// UncertaintySetting is a tender's declared uncertainty report.
type UncertaintySetting struct {
	// Draws is the number of iterations (MinUncertaintyDraws to
	// MaxUncertaintyDraws).
	Draws int `json:"draws"`
	// Threshold is the "too close to call" threshold: the evaluation is
	// flagged when the winner's probability of ranking first is below it.
	// A fraction in (0, 1], at most 4 decimal places.
	Threshold decimal.Decimal `json:"threshold"`
}

// Bounds and defaults of UncertaintySetting.
const (
	// DefaultUncertaintyDraws is the draws of a setting that names none.
	DefaultUncertaintyDraws = 10_000
	// MinUncertaintyDraws and MaxUncertaintyDraws bound Draws.
	MinUncertaintyDraws = 1_000
	MaxUncertaintyDraws = 100_000
	// DefaultTooCloseThreshold is the threshold of a setting that names none.
	DefaultTooCloseThreshold = "0.95"
	// MaxUncertaintyWork bounds draws × the tender's bid cap (BidCap): the
	// sampling runs inside the opening's transaction, and its time grows
	// with bids × draws (about 0.2 µs of CPU per bid and draw at 20
	// lines a bid: docs/uncertainty.md).
	MaxUncertaintyWork = 200_000_000
	// ThresholdPlaces is the most decimal places of a threshold.
	ThresholdPlaces = 4
)

// SeedDomain is the prefix of the seed derivation (UncertaintySeed).
const SeedDomain = "footprint/tender/uncertainty-seed/v1"

// UncertaintySeed is the seed of tender t's uncertainty report:
// the first 8 bytes, big-endian, of SHA-256(SeedDomain ‖ 0x00 ‖
// TenderDigest(t) as its 64 hex characters). It is returned with the
// digest it comes from. The digest is fixed when the tender is created
// (the created event carries it), so the seed is too: nobody picks it
// after seeing the bids.
func UncertaintySeed(t Tender) (uint64, string, error) {
	td, err := TenderDigest(t)
	if err != nil {
		return 0, "", err
	}
	return SeedFromDigest(td), td, nil
}

// SeedFromDigest is the seed derived from a tender digest (UncertaintySeed).
func SeedFromDigest(tenderDigest string) uint64 {
	h := sha256.New()
	h.Write([]byte(SeedDomain))
	h.Write([]byte{0})
	h.Write([]byte(tenderDigest))
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// checkUncertainty checks a declared setting against its bounds and the
// tender's bid cap.
func checkUncertainty(ps *problems, t Tender) {
	u := t.Uncertainty
	if u == nil {
		return
	}
	if u.Draws < MinUncertaintyDraws || u.Draws > MaxUncertaintyDraws {
		ps.add("/uncertainty/draws", ErrInvalid, "%d is out of range; give %d to %d draws, or leave it out for %d", u.Draws, MinUncertaintyDraws, MaxUncertaintyDraws, DefaultUncertaintyDraws)
	} else if int64(u.Draws)*int64(t.BidCap()) > MaxUncertaintyWork {
		ps.add("/uncertainty/draws", ErrInvalid, "%d draws × %d bids (max_bids) is over %d draws of a bid, what an opening may sample; give at most %d draws or a lower max_bids",
			u.Draws, t.BidCap(), MaxUncertaintyWork, MaxUncertaintyWork/t.BidCap())
	}
	if msg := bounded(u.Threshold); msg != "" {
		ps.add("/uncertainty/threshold", ErrInvalid, "%s", msg)
	} else if u.Threshold.Sign() <= 0 || u.Threshold.Cmp(one) > 0 || !u.Threshold.Round(ThresholdPlaces).Equal(u.Threshold) {
		ps.add("/uncertainty/threshold", ErrInvalid, "%s is not a probability in (0, 1] with at most %d decimal places; give e.g. %s", clip.Text(u.Threshold.String()), ThresholdPlaces, DefaultTooCloseThreshold)
	}
}

// ErrNoUncertaintyModel: a tender declares an uncertainty report but its
// pinned method version has no uncertainty model.
var ErrNoUncertaintyModel = fmt.Errorf("%w: the pinned method has no uncertainty model", ErrInvalid)

// CheckUncertaintyMethod refuses a declared setting when the pinned method
// m has no uncertainty model: there would be nothing to sample. (At
// opening, such a tender would be evaluated as one without the setting.)
func CheckUncertaintyMethod(t Tender, m *methods.Method) error {
	if t.Uncertainty == nil || m == nil || m.Uncertainty != nil {
		return nil
	}
	return &ValidationError{What: "tender", Problems: []Problem{{Pointer: "/uncertainty", Err: ErrNoUncertaintyModel,
		Detail: fmt.Sprintf("%s declares no uncertainty model, so there is nothing to sample; pin a method version with one (e.g. eu-gpp@2026.2, us-federal@2026.2) or leave uncertainty out", m.Ref())}}}
}

// RankingUncertainty is what an evaluation records of its uncertainty
// report: how it was made (enough to reproduce it) and the verdict. The
// per-bid probabilities are on the ranking's rows (Ranked.PFirst,
// Ranked.PKeepPlace).
type RankingUncertainty struct {
	// Draws and Threshold are the tender's declared setting.
	Draws     int    `json:"draws"`
	Threshold string `json:"threshold"`
	// Seed is the seed (a decimal uint64) and SeedFrom the tender digest
	// it is derived from (UncertaintySeed).
	Seed     string `json:"seed"`
	SeedFrom string `json:"seed_from"`
	// Sampled is false when the award rule's ranking does not depend on
	// the footprint (price_only, ladder): the exact order is then the
	// order in every draw, and nothing is drawn.
	Sampled bool `json:"sampled"`
	// Generator is uncertainty.Generator and ModelDigest the digest of
	// the sampled model (its variables and distributions); Variables is
	// how many it has. Absent when not sampled.
	Generator   string `json:"generator,omitempty"`
	ModelDigest string `json:"model_digest,omitempty"`
	Variables   int    `json:"variables,omitempty"`
	// TooCloseToCall is set when the winner's probability of ranking
	// first is below Threshold.
	TooCloseToCall bool `json:"too_close_to_call"`
	// Note says what was sampled, and what not.
	Note string `json:"note"`
}

// Notes of RankingUncertainty.
const (
	noteSampled = "Sampled: each draw ranks the bids by notional price = price + W × t CO2e, the footprints drawn from the pinned method's uncertainty model with common random numbers " +
		"(a factor, heat content or GWP used by several bids has one draw per iteration for all of them; each line's activity data and each supplier's EPD is its own input). " +
		"Prices and W are exact. A bid excluded under the exact rule (failed limits, negative total) stays excluded in every draw and has no probabilities; sampled ties go to the bid earlier in the legal order. " +
		"The legal ranking is the exact one."
	notePriceOnly = "Not sampled: under price_only the ranking does not depend on the footprint and prices are exact, so the exact order is the order in every draw."
	noteLadder    = "Not sampled: under ladder the notional price is price × (1 − the declared level's discount), which does not depend on the footprint; prices and discounts are exact, so the exact order is the order in every draw."
)

// EvalOptions are what an evaluation needs beyond the tender, its method
// and its bids when the tender declares an uncertainty report.
type EvalOptions struct {
	// Engine recomputes each ranked bid's footprint (as at submission)
	// for its coefficients; needed when the tender declares a report, its
	// rule is carbon_price and its method has a model.
	Engine *calc.Engine
	// Workers is the number of goroutines that sample (≤ 0: 1); the
	// result does not depend on it.
	Workers int
}

// ErrNoEngine: an evaluation must sample but was given no engine.
var ErrNoEngine = errors.New("tender: the evaluation must sample the declared uncertainty but has no engine")

// sampler gathers, per ranked bid, what uncertainty.Rank needs: the
// bid's coefficients over the shared model (one compact Item, never its
// lines) and its price.
type sampler struct {
	t       Tender
	m       *methods.Method
	eng     *calc.Engine
	workers int
	b       *calc.UncertaintyBuilder
	items   []uncertainty.Item
	prices  []float64
}

// sampling says whether tender t's evaluation under m samples (declared,
// the method has a model, and the rule depends on the footprint), and
// whether it reports at all.
func sampling(t Tender, m *methods.Method) (report, sample bool) {
	if t.Uncertainty == nil || m == nil || m.Uncertainty == nil {
		return false, false
	}
	return true, t.Award.Rule == CarbonPrice
}

// add recomputes bid b's footprint as PrepareBid computed it, checks that
// it is the footprint received (its result digest), and keeps the bid's
// coefficients; it returns the bid's item index.
func (s *sampler) add(b *Bid) (int, error) {
	cb := footprintInput(s.t, s.m, b, b.ReceivedAt)
	fp, err := s.eng.Calculate(s.m, cb)
	if err != nil {
		return 0, fmt.Errorf("bid %q: recompute its footprint: %w", clipPrefix(b.ID), err)
	}
	d := fp.Receipt.ResultDigest
	if d == "" {
		if d, err = fp.ResultDigest(); err != nil {
			return 0, err
		}
	}
	if d != b.Footprint.Receipt.ResultDigest {
		return 0, fmt.Errorf("bid %q: %w: its footprint recomputes to result digest %.12s…, it was received with %.12s…", clipPrefix(b.ID), ErrMethodMismatch, d, clipPrefix(b.Footprint.Receipt.ResultDigest))
	}
	items, _, err := s.b.Lines(s.m, fp, &cb, b.ID)
	if err != nil {
		return 0, fmt.Errorf("bid %q: %w", clipPrefix(b.ID), err)
	}
	s.items = append(s.items, compactItem(items))
	s.prices = append(s.prices, b.Price.Amount.InexactFloat64())
	return len(s.items) - 1, nil
}

// compactItem joins a bid's line items into one item that holds only
// what sampling needs: its exact terms summed into one (in line order),
// every other term with its variables in one shared slice.
func compactItem(items []uncertainty.Item) uncertainty.Item {
	n, nv := 0, 0
	exact, hasExact := 0.0, false
	for _, it := range items {
		for _, t := range it.Terms {
			if len(t.Vars) == 0 {
				exact += t.Coef
				hasExact = true
				continue
			}
			n++
			nv += len(t.Vars)
		}
	}
	if hasExact {
		n++
	}
	out := uncertainty.Item{Terms: make([]uncertainty.Term, 0, n)}
	vars := make([]int, 0, nv)
	for _, it := range items {
		for _, t := range it.Terms {
			if len(t.Vars) == 0 {
				continue
			}
			start := len(vars)
			vars = append(vars, t.Vars...)
			out.Terms = append(out.Terms, uncertainty.Term{Coef: t.Coef, Vars: vars[start:len(vars):len(vars)]})
		}
	}
	if hasExact {
		out.Terms = append(out.Terms, uncertainty.Term{Coef: exact})
	}
	return out
}

// report fills the evaluation's uncertainty record and the ranked rows'
// probabilities. ranking is sorted: ranked rows first, in legal order.
func report(ev *Evaluation, t Tender, s *sampler, sample bool) error {
	seed, td, err := UncertaintySeed(t)
	if err != nil {
		return err
	}
	u := t.Uncertainty
	rec := &RankingUncertainty{Draws: u.Draws, Threshold: u.Threshold.String(), Seed: strconv.FormatUint(seed, 10), SeedFrom: td, Sampled: sample}
	var ranked []*Ranked
	for i := range ev.Ranking {
		if !ev.Ranking[i].Excluded {
			ranked = append(ranked, &ev.Ranking[i])
		}
	}
	firstCount := -1
	switch {
	case !sample:
		rec.Note = notePriceOnly
		if t.Award.Rule == Ladder {
			rec.Note = noteLadder
		}
		for p, r := range ranked {
			r.PFirst = "0"
			if p == 0 {
				r.PFirst = "1"
				firstCount = u.Draws
			}
			if p+1 < len(ranked) {
				r.PKeepPlace = "1"
			}
		}
	default:
		rec.Note = noteSampled
		rec.Generator, rec.ModelDigest, rec.Variables = uncertainty.Generator, s.b.Model.Digest(), s.b.Model.Len()
		bids := make([]uncertainty.Item, len(ranked))
		prices := make([]float64, len(ranked))
		order := make([]int, len(ranked))
		for p, r := range ranked {
			bids[p], prices[p], order[p] = s.items[r.item], s.prices[r.item], p
		}
		wPerKg := t.Award.CarbonPricePerT.Shift(-3).InexactFloat64()
		key := func(b int, kg float64) float64 { return prices[b] + float64(wPerKg*kg) }
		odds, err := uncertainty.Rank(s.b.Model, bids, order, key, uncertainty.Config{Draws: u.Draws, Seed: seed, Workers: s.workers})
		if err != nil {
			return fmt.Errorf("%w: %w", calc.ErrUncertainty, err)
		}
		for _, o := range odds {
			r := ranked[o.Bid]
			r.PFirst = calc.FormatProbability(o.PFirst)
			if o.PKeepPlace != nil {
				r.PKeepPlace = calc.FormatProbability(*o.PKeepPlace)
			}
			if o.Position == 1 {
				firstCount = int(o.PFirst*float64(u.Draws) + 0.5)
			}
		}
	}
	// Too close to call: first / draws < threshold, compared exactly.
	if firstCount >= 0 {
		rec.TooCloseToCall = decimal.NewFromInt(int64(firstCount)).Cmp(u.Threshold.Mul(decimal.NewFromInt(int64(u.Draws)))) < 0
	}
	ev.Uncertainty = rec
	return nil
}
