package tender

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

var (
	t0       = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	deadline = t0.Add(48 * time.Hour)
	digest   = strings.Repeat("ab", 32)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

func testMethod() *methods.Method {
	m := &methods.Method{Digest: digest}
	m.ID, m.Version = "us-federal", "2025.1"
	m.Rounding = methods.Rounding{Places: 3, Mode: methods.HalfEven, DivisionPlaces: 18}
	return m
}

func newTender(a Award) Tender {
	return Tender{
		ID: "T1", Reference: "TENDER-2026-014", Title: "Bridge deck", Buyer: "City of X",
		Currency: "EUR", Deadline: deadline, Method: MethodPin{ID: "us-federal", Version: "2025.1", Digest: digest},
		Award: a, Status: StatusOpen, Created: t0,
	}
}

func newBid(id, price, kg string, at time.Time) Bid {
	return Bid{
		ID: id, Supplier: "Supplier " + id, Price: Price{Amount: dec(price), Currency: "EUR"},
		Lines:      []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1"), Unit: "mmBtu"}},
		ReceivedAt: at,
		Footprint:  Summary{KgCO2e: dec(kg), Limits: []LimitResult{}, Receipt: calc.Receipt{MethodDigest: digest}},
	}
}

func failing(b Bid, ids ...string) Bid {
	for i, id := range ids {
		b.Footprint.Limits = append(b.Footprint.Limits, LimitResult{ID: id, LineID: fmt.Sprint(i + 1), Limit: dec("728"), Value: dec("780"), Unit: "kg CO2e/t"})
	}
	b.Footprint.Limits = append(b.Footprint.Limits, LimitResult{ID: "ok-limit", LineID: "1", Limit: dec("850"), Value: dec("780"), Pass: true})
	return b
}
