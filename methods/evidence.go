package methods

import (
	"fmt"

	"github.com/footprint-gpp/footprint/factors"
)

// Product-factor stances of a method towards an activity (Evidence.ProductFactors).
const (
	ProductNotAccepted = "not_accepted" // no pattern of product_factors.accept matches
	ProductAccepted    = "accepted"     // accepted, not required
	ProductRequired    = "required"     // product_factors.require matches
)

// Evidence is what a method holds for an activity besides a product's own
// EPD: the generic factors its own datasets give (host data, which serve
// lines outside the method's jurisdiction, are not counted), the
// procurement limits it checks, and whether it takes a product-specific
// factor.
type Evidence struct {
	// Method is the method's id@version.
	Method string `json:"method"`
	// GenericFactors are the method's datasets (id@version) that hold a
	// factor for the activity, in the method's order; empty when none does.
	GenericFactors []string `json:"generic_factors"`
	// Limits are the ids of the procurement limits the method checks for
	// the activity, in the method's order; empty when it checks none.
	Limits []string `json:"limits"`
	// ProductFactors is ProductNotAccepted, ProductAccepted or ProductRequired.
	ProductFactors string `json:"product_factors"`
}

// Evidence reports what m holds for the activity key. It fails only when
// a dataset the method names is not in lib, which a validated method
// rules out.
func (m *Method) Evidence(lib *factors.Library, activity string) (Evidence, error) {
	e := Evidence{Method: m.Ref(), GenericFactors: []string{}, Limits: []string{}, ProductFactors: ProductNotAccepted}
	for _, ref := range m.Datasets {
		d, err := lib.Dataset(ref)
		if err != nil {
			return Evidence{}, fmt.Errorf("method %s: %w", m.Ref(), err)
		}
		for _, f := range d.Factors {
			if f.Activity == activity {
				e.GenericFactors = append(e.GenericFactors, d.Ref())
				break
			}
		}
	}
	limits, err := ResolveLimits(lib, m.Limits)
	if err != nil {
		return Evidence{}, fmt.Errorf("method %s: %w", m.Ref(), err)
	}
	for _, l := range limits {
		if l.Activity == activity {
			e.Limits = append(e.Limits, l.ID)
		}
	}
	switch {
	case m.ProductFactors.Requires(activity):
		e.ProductFactors = ProductRequired
	case m.ProductFactors.Accepts(activity):
		e.ProductFactors = ProductAccepted
	}
	return e, nil
}

// OnlyEPD reports whether a product's EPD is all there is for the
// activity: the method has neither a generic factor nor a procurement limit.
func (e Evidence) OnlyEPD() bool { return len(e.GenericFactors) == 0 && len(e.Limits) == 0 }

// OnlyEPDNote is the note a line computed from an EPD carries when
// OnlyEPD holds, naming the activity and the method; "" otherwise.
func (e Evidence) OnlyEPDNote(activity string) string {
	if !e.OnlyEPD() {
		return ""
	}
	return fmt.Sprintf("no generic factor and no procurement limit for %s under %s: the EPD's value is the only evidence", activity, e.Method)
}
