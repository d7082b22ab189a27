package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// MaxAPIDraws bounds ?uncertainty= on the API: a request's sampling costs
// draws × lines, and the server is shared.
const MaxAPIDraws = 100_000

// uncertaintyQuery reads ?uncertainty=DRAWS&seed=S; ok is false when the
// request asks for no sampling.
func uncertaintyQuery(r *http.Request) (uncertainty.Config, bool, error) {
	q := r.URL.Query()
	for _, name := range []string{"uncertainty", "seed"} {
		if vs, ok := q[name]; ok && (len(vs) != 1 || vs[0] == "") {
			d := fmt.Sprintf("%s: give it once, with a value (?uncertainty=DRAWS&seed=S)", name)
			return uncertainty.Config{}, false, &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: name, Detail: d}}}
		}
	}
	ds, ss := q.Get("uncertainty"), q.Get("seed")
	if ds == "" {
		if ss != "" {
			d := "seed is given without uncertainty: give ?uncertainty=DRAWS&seed=S"
			return uncertainty.Config{}, false, &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "seed", Detail: d}}}
		}
		return uncertainty.Config{}, false, nil
	}
	n, err := strconv.Atoi(ds)
	if err != nil || n < 1 || n > MaxAPIDraws {
		d := fmt.Sprintf("uncertainty %q: give the number of draws, 1 to %d", clip.Prefix(ds), MaxAPIDraws)
		return uncertainty.Config{}, false, &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "uncertainty", Detail: d}}}
	}
	seed := uint64(1)
	if ss != "" {
		if seed, err = strconv.ParseUint(ss, 10, 64); err != nil {
			d := fmt.Sprintf("seed %q: give an unsigned 64-bit integer", clip.Prefix(ss))
			return uncertainty.Config{}, false, &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "seed", Detail: d}}}
		}
	}
	return uncertainty.Config{Draws: n, Seed: seed, Workers: 1}, true, nil
}

// uncertaintyErr maps a sampling error to a 400 on the uncertainty parameter.
func uncertaintyErr(err error) error {
	if errors.Is(err, uncertainty.ErrTooLarge) || errors.Is(err, uncertainty.ErrInvalid) {
		d := err.Error() + " (lines × draws is bounded; use fewer draws)"
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "uncertainty", Detail: d}}}
	}
	return err
}

// withFootprintUncertainty appends the sampled "uncertainty" member to a
// footprint's JSON when the request asks for it; body is returned as is
// otherwise.
func withFootprintUncertainty(r *http.Request, reg *methods.Registry, m *methods.Method, fp *calc.Footprint, bid *calc.Bid, body []byte) ([]byte, error) {
	cfg, ok, err := uncertaintyQuery(r)
	if err != nil || !ok {
		return body, err
	}
	u, err := calc.FootprintUncertaintyOf(m, fp, bid, cfg)
	if err != nil {
		return nil, uncertaintyErr(err)
	}
	u.NameModels(reg)
	out, err := calc.WithUncertainty(body, u)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// writeComparison writes a comparison, with its sampled "uncertainty"
// member when the request asks for it.
func writeComparison(w http.ResponseWriter, r *http.Request, reg *methods.Registry, ms []*methods.Method, cmp *calc.Comparison, bid *calc.Bid) error {
	cfg, ok, err := uncertaintyQuery(r)
	if err != nil {
		return err
	}
	if !ok {
		return writeJSON(w, http.StatusOK, cmp)
	}
	u, err := calc.ComparisonUncertaintyOf(ms, cmp, bid, cfg)
	if err != nil {
		return uncertaintyErr(err)
	}
	u.NameModels(reg)
	raw, err := cmp.MarshalJSON()
	if err != nil {
		return err
	}
	out, err := calc.WithUncertainty(raw, u)
	if err != nil {
		return err
	}
	return writeRaw(w, http.StatusOK, append(out, '\n'))
}
