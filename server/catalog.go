package server

import (
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// MethodSummary describes one method version in listings.
type MethodSummary struct {
	Ref          string         `json:"ref"`
	ID           string         `json:"id"`
	Version      string         `json:"version"`
	Title        string         `json:"title"`
	Jurisdiction string         `json:"jurisdiction"`
	Status       methods.Status `json:"status"`
	GWPSet       string         `json:"gwp_set"`
	Digest       string         `json:"digest"`
}

// MethodVersions is a method id with its versions.
type MethodVersions struct {
	ID string `json:"id"`
	// Latest is the latest active version, or "" when none is active.
	Latest   string          `json:"latest"`
	Versions []MethodSummary `json:"versions"`
}

// MethodDetail is one method version in full.
type MethodDetail struct {
	methods.Spec
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// ActivityView is an activity of the taxonomy with the units it accepts
// and, per method version, what the method holds for it besides a
// product's own EPD.
type ActivityView struct {
	factors.Activity
	Units   []string           `json:"units"`
	Methods []methods.Evidence `json:"methods"`
}

// List wraps a listing with its count.
type List[T any] struct {
	Count int `json:"count"`
	Items []T `json:"items"`
}

// catalog is what the listings and the web form show, computed once: the
// library and registry are immutable.
type catalog struct {
	methods    []MethodSummary
	activities []ActivityView
	regions    []factors.Region
	units      []string
}

func newCatalog(lib *factors.Library, reg *methods.Registry) (catalog, error) {
	c := catalog{regions: lib.Regions(), units: lib.Units.Symbols(), methods: []MethodSummary{}, activities: []ActivityView{}}
	for _, m := range reg.All() {
		c.methods = append(c.methods, summary(m))
	}
	for _, a := range lib.Activities() {
		v := ActivityView{Activity: a, Units: []string{}, Methods: []methods.Evidence{}}
		for _, d := range a.Dimensions {
			v.Units = append(v.Units, lib.Units.SymbolsOf(d)...)
		}
		for _, m := range reg.All() {
			ev, err := m.Evidence(lib, a.Key)
			if err != nil {
				return catalog{}, err
			}
			v.Methods = append(v.Methods, ev)
		}
		c.activities = append(c.activities, v)
	}
	return c, nil
}

func summary(m *methods.Method) MethodSummary {
	return MethodSummary{Ref: m.Ref(), ID: m.ID, Version: m.Version, Title: m.Title, Jurisdiction: m.Jurisdiction,
		Status: m.Status, GWPSet: m.GWPSet, Digest: m.Digest}
}
