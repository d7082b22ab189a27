package batch_test

import (
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

type world struct {
	lib *factors.Library
	reg *methods.Registry
	eng *calc.Engine
}

func newWorld(t testing.TB) *world {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return &world{lib: lib, reg: reg, eng: calc.NewEngine(lib)}
}

func (w *world) method(t testing.TB, ref string) *methods.Method {
	t.Helper()
	m, err := w.reg.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
