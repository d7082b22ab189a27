package tender

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// jsonFields lists a struct type's JSON field names in order, less skip.
func jsonFields(t reflect.Type, skip ...string) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !strings.Contains(" "+strings.Join(skip, " ")+" ", " "+name+" ") {
			out = append(out, name+" "+f.Type.String())
		}
	}
	return out
}

func TestBidDigestWithLines(t *testing.T) {
	// BidDigestWithLines writes Bid's fields, in Bid's order, less those
	// BidDigest drops.
	var want []string
	for _, f := range jsonFields(reflect.TypeFor[Bid](), "id", "withdrawn_at") {
		name, _, _ := strings.Cut(f, " ")
		want = append(want, name)
	}
	if strings.Join(want, " ") != bidDigestFields {
		t.Fatalf("BidDigestWithLines writes %v; Bid's JSON has %v", bidDigestFields, want)
	}
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	for i := range 500 {
		w := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
		b := Bid{ID: pick("", "b1"), Supplier: pick("S", "a<b>", "ü"), Price: Price{Amount: decimal.RequireFromString(pick("1", "1000.50", "-0")), Currency: "EUR"},
			LadderLevel: pick("", "gold"), ReceivedAt: time.Date(2026, 11, 2, 9, 0, 0, r.IntN(1e9), time.FixedZone("x", 3600*r.IntN(3))),
			Footprint: Summary{KgCO2e: decimal.RequireFromString(pick("0", "12.345")), Limits: []LimitResult{{ID: "l", Pass: true}}[:r.IntN(2)],
				Receipt: calc.Receipt{InputDigest: "in", DatasetDigests: map[string]string{"b": "2", "a": "1"}, ResultDigest: "r"}}}
		if r.IntN(2) == 0 {
			b.WithdrawnAt = &w
		}
		for j := range r.IntN(4) {
			b.Lines = append(b.Lines, calc.Line{ID: fmt.Sprint(j), Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1.50"), Unit: "mmBtu",
				Factor: []*calc.ProductFactor{nil, {KgCO2e: decimal.RequireFromString("780"), Per: "t", Reference: "EPD <1>"}}[r.IntN(2)]})
		}
		lines, err := json.Marshal(b.Lines)
		if err != nil {
			t.Fatal(err)
		}
		d1, err1 := BidDigest(b)
		d2, err2 := BidDigestWithLines(b, lines)
		if err1 != nil || err2 != nil || d1 != d2 {
			t.Fatalf("bid %d: BidDigest %s (%v), BidDigestWithLines %s (%v)", i, d1, err1, d2, err2)
		}
		if d3, _ := BidDigestWithLines(b, json.RawMessage(`[]`)); len(b.Lines) > 0 && d3 == d1 {
			t.Fatal("BidDigestWithLines does not digest the lines it is given")
		}
	}
}
