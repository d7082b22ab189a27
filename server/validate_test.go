package server

import (
	"errors"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/footprint-gpp/footprint/calc/bidjson"
)

// structValidator is the validator as it was before validateRequest held
// requests in an unexported field: exported fields only, every field
// copied into an interface. It validates the request itself; it is the
// oracle validateRequest is held to.
func structValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonFieldName)
	registerRules(v)
	return v
}

// validatedTypes are the request types the server validates.
var validatedTypes = []any{&BidRequest{}, &ComparisonRequest{}, &TenderBidRequest{}}

// TestRequestTypesExported: every struct reachable from a validated
// request type has exported fields only, so that the validator's reading
// of unexported fields (for validateRequest's holder) reads nothing more
// of a request.
func TestRequestTypesExported(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(typ.Elem())
			return
		case reflect.Struct:
		default:
			return
		}
		if seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				t.Errorf("%s.%s is unexported: the validator would read it", typ, f.Name)
			}
			walk(f.Type)
		}
	}
	for _, v := range validatedTypes {
		walk(reflect.TypeOf(v))
	}
	if !seen[reflect.TypeOf(FactorRequest{})] || !seen[reflect.TypeOf(bidjson.WireEPD{})] || !seen[reflect.TypeOf(PriceRequest{})] {
		t.Fatalf("walked %v", seen)
	}
}

// checkValidateRequest holds validateRequest to the oracle on one
// request: the same field errors (pointer and message), in the same
// order, or none from both. It counts the failed tags in tags.
func checkValidateRequest(t testing.TB, held, oracle *validator.Validate, req any, tags map[string]int) (nErrors int) {
	t.Helper()
	gotErr, wantErr := validateRequest(held, req), oracle.Struct(req)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%T %+v: validateRequest %v, the request itself %v", req, req, gotErr, wantErr)
	}
	if wantErr == nil {
		return 0
	}
	got, want := fieldErrors(gotErr), fieldErrors(wantErr)
	if !slices.Equal(got, want) {
		t.Fatalf("%T %+v:\nvalidateRequest %+v\n   the request %+v", req, req, got, want)
	}
	var ves validator.ValidationErrors
	if errors.As(wantErr, &ves) {
		for _, fe := range ves {
			tags[fe.Tag()]++
		}
	}
	return len(want)
}

// Values of every rule's passing and failing kinds: empty, at and past
// 200 characters (in bytes and in runes), decimals plain and not, in and
// out of bounds, basis and dates. The first of each list passes every
// rule of its fields.
var (
	valStrings = []string{"a", "", "fuel.natural_gas", strings.Repeat("x", 200), strings.Repeat("x", 201), strings.Repeat("ü", 200), strings.Repeat("ü", 201)}
	valNumbers = []string{"1000", "", "0", "-0.0", "-1", "12,5", "1,000.5", " 7 ", "1e15", "1e16", "1000000000000000", "1000000000000000.1", "-1000000000000001", "abc", "1e999999", "+5", "0.000000000000000000000000000000000000000001"}
	valBases   = []string{"", "HHV", "ncv", "GCV", "lhv", "XYZ", "hHV"}
	valDates   = []string{"", "2026-01-10", "2026-13-01", "10/01/2026", "2026-1-1"}
	valMethods = []string{"us-federal", "", "eu-gpp@2025.1", strings.Repeat("m", 101)}
	valAmounts = []string{"10.50", "", strings.Repeat("9", 64), strings.Repeat("9", 65)}
	valEPDs    = []*bidjson.WireEPD{nil, {Format: "ilcd+epd", Document: []byte(`"PHg+"`)}, {}}
)

// reqGen picks field values: the first (passing) value of a list, or
// with probability bad any of them.
type reqGen struct {
	rng *rand.Rand
	bad float64
}

func (g reqGen) pick(s []string) string {
	if g.rng.Float64() < g.bad {
		return s[g.rng.Intn(len(s))]
	}
	return s[0]
}

// lines makes 1 to 4 lines (none, nil or 10,001 now and then).
func (g reqGen) lines() []LineRequest {
	rng := g.rng
	n := 1 + rng.Intn(4)
	switch {
	case rng.Float64() < g.bad/4:
		n = 0
	case rng.Intn(100) == 0:
		n = 10001
	}
	if n == 0 && rng.Intn(2) == 0 {
		return nil
	}
	lines := make([]LineRequest, n)
	for i := range lines {
		l := LineRequest{ID: g.pick(valStrings), Activity: g.pick(valStrings), Region: g.pick(valStrings), Quantity: Number(g.pick(valNumbers)),
			Unit: g.pick(valStrings), Basis: g.pick(valBases), Stage: g.pick(valStrings), AllowRegionFallback: rng.Intn(2) == 0}
		switch rng.Intn(4) {
		case 0:
			l.Factor = &FactorRequest{KgCO2e: Number(g.pick(valNumbers)), Per: g.pick(valStrings), Reference: g.pick(valStrings)}
		case 1:
			if rng.Float64() < g.bad {
				l.Factor = &FactorRequest{KgCO2e: Number(g.pick(valNumbers)), Per: g.pick(valStrings), Reference: g.pick(valStrings),
					EPD: valEPDs[rng.Intn(len(valEPDs))]}
			}
		case 2:
			if rng.Float64() < g.bad {
				l.Factor = &FactorRequest{}
			}
		}
		lines[i] = l
	}
	return lines
}

// request makes a request of one of the validated types.
func (g reqGen) request(kind int) any {
	switch kind % 3 {
	case 0:
		return &BidRequest{Method: g.pick(valMethods), Reference: g.pick(valStrings), Supplier: g.pick(valStrings),
			Date: g.pick(valDates), ValidThrough: g.pick(valDates), Lines: g.lines()}
	case 1:
		ms := []string{g.pick(valMethods), g.pick(valMethods)}
		if g.rng.Float64() < g.bad {
			ms = ms[:g.rng.Intn(2)]
			for i := g.rng.Intn(6); i > 0; i-- {
				ms = append(ms, g.pick(valMethods))
			}
		}
		return &ComparisonRequest{Methods: ms, Reference: g.pick(valStrings), Supplier: g.pick(valStrings),
			Date: g.pick(valDates), ValidThrough: g.pick(valDates), Lines: g.lines()}
	}
	return &TenderBidRequest{Supplier: g.pick(valStrings), Price: PriceRequest{Amount: Number(g.pick(valAmounts)), Currency: g.pick(valStrings)},
		LadderLevel: g.pick(valStrings), Lines: g.lines()}
}

// TestValidateRequestMatchesStruct holds validateRequest (the request read
// through the holder's unexported field) to validating the request itself
// with the validator as it was, on generated requests of every validated
// type that pass and fail every rule of every field: the same errors, in
// the same order, with the same pointers and messages.
func TestValidateRequestMatchesStruct(t *testing.T) {
	held, oracle := newValidator(), structValidator()
	rng := rand.New(rand.NewSource(19))
	valid, errs, tags := 0, 0, map[string]int{}
	for i := range 3000 {
		g := reqGen{rng: rng, bad: []float64{0, 0.03, 0.3, 1}[i%4]}
		n := checkValidateRequest(t, held, oracle, g.request(i/4), tags)
		if n == 0 {
			valid++
		}
		errs += n
	}
	// The bid of the benchmark, valid, and one line of every invalid kind.
	var br BidRequest
	if err := decodeBody(bid20(), &br); err != nil {
		t.Fatal(err)
	}
	if checkValidateRequest(t, held, oracle, &br, tags) != 0 {
		t.Fatal("bid20 is invalid")
	}
	if valid < 500 || errs < 5000 {
		t.Fatalf("%d valid requests, %d errors: the generator misses a side", valid, errs)
	}
	t.Logf("%d valid, %d errors, tags %v", valid, errs, tags)
	for _, tag := range []string{"required", "min", "max", "decimal", "dec_min", "dec_max", "oneof", "datetime", "required_without"} {
		if tags[tag] == 0 {
			t.Errorf("no %s error compared: %v", tag, tags)
		}
	}
}

// FuzzValidateRequest: for any body that decodes into a request type,
// validateRequest gives the errors of validating the request itself.
func FuzzValidateRequest(f *testing.F) {
	rng := rand.New(rand.NewSource(2))
	for i := range 10 {
		f.Add([]byte(genFastBid(rng, i%2 == 0)))
	}
	f.Add(bid20())
	f.Add([]byte(exampleBid))
	f.Add([]byte(`{"supplier":"ACME","price":{"amount":"10.50","currency":"EUR"},"lines":[{"activity":"","quantity":"-1","factor":{"epd":{"format":"x"}}}]}`))
	held, oracle := newValidator(), structValidator()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, req := range []any{&BidRequest{}, &ComparisonRequest{}, &TenderBidRequest{}} {
			if decodeBody(body, req) == nil {
				checkValidateRequest(t, held, oracle, req, map[string]int{})
			}
		}
	})
}
