package conformance

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
)

var update = flag.Bool("update", false, "rewrite the expected values and method digests of conformance/v1 from the oracle (review the diff)")

// vectorDir is where the vectors are, relative to this package.
const vectorDir = "v1"

func loadDisk(t *testing.T) []*Vector {
	t.Helper()
	vs, bad, err := Load(os.DirFS("."), vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("%s: %v", b.Name, b.Err)
	}
	return vs
}

func newRunner(t testing.TB) *Runner {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Registry: reg, Engine: calc.NewEngine(lib)}
}

// TestOracle recomputes every vector with the oracle and requires the
// vector's expected values to be the oracle's, string for string. With
// -update it writes them (and the method's current digest) instead.
func TestOracle(t *testing.T) {
	o := newOracle(t)
	r := newRunner(t)
	vs := loadDisk(t)
	for _, v := range vs {
		want := o.expect(t, v)
		if *update {
			m, err := r.Registry.Resolve(v.Method.Ref)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			v.Method.Digest, v.Expected = m.Digest, want
			raw, err := Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(vectorDir, v.Name+".json"), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if v.Expected == nil {
			t.Errorf("%s: no expected values: run go test ./conformance -update and review the diff", v.Name)
			continue
		}
		for _, d := range Diff(v.Expected, want) {
			t.Errorf("%s: vector differs from the oracle: %s", v.Name, d)
		}
	}
}

// TestEngine holds the engine to every embedded vector.
func TestEngine(t *testing.T) {
	r := newRunner(t)
	vs, bad, err := Load(Embedded(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("embedded vectors that do not parse: %v", bad)
	}
	for _, res := range r.RunAll(vs, nil) {
		for _, f := range res.Failures {
			t.Errorf("%s (%s): %s", res.Name, res.Method, f)
		}
	}
}

// TestCoverage keeps the vector set honest: enough vectors per method
// version, each activity family and each kind of case present, and a
// one-sentence description on every vector.
func TestCoverage(t *testing.T) {
	vs := loadDisk(t)
	perMethod := map[string]int{}
	families := map[string]map[string]bool{}
	statuses := map[string]map[string]bool{}
	limits := map[string]map[bool]bool{}
	for _, v := range vs {
		ref := v.Method.Ref
		perMethod[ref]++
		if families[ref] == nil {
			families[ref], statuses[ref], limits[ref] = map[string]bool{}, map[string]bool{}, map[bool]bool{}
		}
		if d := strings.TrimSpace(v.Description); !strings.HasSuffix(d, ".") || strings.Count(d, ". ") > 0 {
			t.Errorf("%s: description must be one sentence ending in a period: %q", v.Name, d)
		}
		if v.Expected == nil {
			continue
		}
		for _, l := range v.Expected.Lines {
			statuses[ref][l.Status] = true
		}
		for _, l := range v.Expected.Limits {
			limits[ref][l.Pass] = true
		}
		if !strings.HasPrefix(v.Name, strings.ReplaceAll(ref, "@", "-")+"/") {
			t.Errorf("%s: a vector for %s belongs in %s/%s/", v.Name, ref, vectorDir, strings.ReplaceAll(ref, "@", "-"))
		}
		for _, fam := range activityFamilies(v) {
			families[ref][fam] = true
		}
	}
	all := []string{"fuel", "electricity", "heat", "freight", "material"}
	want := map[string]struct {
		min  int
		fams []string
	}{
		"us-federal@2025.1": {20, all},
		"eu-gpp@2025.1":     {20, []string{"fuel", "electricity", "freight", "material"}},
		"us-federal@2025.2": {15, all},
		"eu-gpp@2025.2":     {15, all},
		"us-federal@2025.3": {25, all},
		"eu-gpp@2025.3":     {25, all},
	}
	total, total1 := 0, 0
	for ref, w := range want {
		total += perMethod[ref]
		if strings.HasSuffix(ref, "@2025.1") {
			total1 += perMethod[ref]
		}
		if perMethod[ref] < w.min {
			t.Errorf("%s: %d vectors; want at least %d", ref, perMethod[ref], w.min)
		}
		for _, f := range w.fams {
			if !families[ref][f] {
				t.Errorf("%s: no vector computes a %s line", ref, f)
			}
		}
		if !statuses[ref]["ok"] || !statuses[ref]["error"] {
			t.Errorf("%s: want both ok and error lines, have %v", ref, statuses[ref])
		}
	}
	for _, ref := range []string{"us-federal@2025.1", "us-federal@2025.2", "us-federal@2025.3"} {
		if !limits[ref][true] || !limits[ref][false] {
			t.Errorf("%s: want limit checks that pass and that fail", ref)
		}
	}
	if total1 < 40 {
		t.Errorf("%d vectors for the 2025.1 methods; want at least 40", total1)
	}
	if total < 150 {
		t.Errorf("%d vectors for the six method versions; want at least 150", total)
	}
	// Every active method version the program ships has vectors, so that
	// footprint conformance runs all of them.
	for _, m := range newRunner(t).Registry.All() {
		if m.Status == "active" && perMethod[m.Ref()] == 0 {
			t.Errorf("%s is active and has no vectors in %s/%s/", m.Ref(), vectorDir, strings.ReplaceAll(m.Ref(), "@", "-"))
		}
	}
	coverRules(t, vs)
}

// coverRules requires, for each 2025.2 and 2025.3 method, that every heating-value
// ratio it names converts some line that computes, that some fuel without
// a published ratio (no heating_value entry in either direction) is an
// error for want of one, and that every activity family of every
// host_data rule serves some line that computes, and, for each 2025.3
// method, that a document of each EPD format computes a line and some
// document is refused: the rules the oracle was taught are each held to a
// vector.
func coverRules(t *testing.T, vs []*Vector) {
	o := newOracle(t)
	for _, v := range vs {
		o.expect(t, v)
	}
	for _, ref := range []string{"us-federal@2025.2", "eu-gpp@2025.2", "us-federal@2025.3", "eu-gpp@2025.3"} {
		m := o.method(t, ref)
		if len(m.HeatingValue) == 0 || len(m.HostData) == 0 {
			t.Errorf("%s: no heating_value or host_data rules: the coverage check would be empty", ref)
		}
		for _, h := range m.HeatingValue {
			if k := fmt.Sprintf("%s hv %s %s>%s", ref, h.Activity, h.From, h.To); !o.used[k] {
				t.Errorf("%s: no vector converts %s from %s to %s with the %s row %s", ref, h.Activity, h.From, h.To, h.Dataset, h.Row)
			}
		}
		mapped := map[string]bool{}
		for _, h := range m.HeatingValue {
			mapped[h.Activity] = true
		}
		missing := false
		for k := range o.used {
			act, ok := strings.CutPrefix(k, ref+" hv-missing ")
			act, _, _ = strings.Cut(act, " ")
			missing = missing || (ok && !mapped[act])
		}
		if !missing {
			t.Errorf("%s: no vector has a fuel without a published heating-value ratio", ref)
		}
		for i, h := range m.HostData {
			for _, p := range h.Activities {
				if k := fmt.Sprintf("%s host %d %s", ref, i, p); !o.used[k] {
					t.Errorf("%s: no vector computes a %s line in %v from host data %v", ref, p, h.Regions, h.Datasets)
				}
			}
		}
	}
	// Each method with EPD rules computes a line from a document of each
	// format (both built-in methods accept both) and refuses one.
	for _, ref := range []string{"us-federal@2025.3", "eu-gpp@2025.3"} {
		for _, f := range []string{"ilcd+epd", "openepd"} {
			if !o.used[ref+" epd "+f] {
				t.Errorf("%s: no vector computes a line from an %s document", ref, f)
			}
		}
		refused := false
		for k := range o.messages {
			refused = refused || strings.HasPrefix(k, strings.ReplaceAll(ref, "@", "-")+"/")
		}
		if !refused {
			t.Errorf("%s: no vector refuses an EPD document", ref)
		}
	}
}

// activityFamilies lists the families (fuel, electricity, ...) of the
// vector's lines that compute: the first segment of their activity key.
func activityFamilies(v *Vector) []string {
	var bid struct {
		Lines []struct {
			ID       string `json:"id"`
			Activity string `json:"activity"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(v.Bid, &bid); err != nil {
		return nil
	}
	ok := map[string]bool{}
	for _, l := range v.Expected.Lines {
		ok[l.ID] = l.Status == "ok"
	}
	var out []string
	for i, l := range bid.Lines {
		id := l.ID
		if id == "" {
			id = fmt.Sprint(i + 1)
		}
		if ok[id] {
			fam, _, _ := strings.Cut(l.Activity, ".")
			out = append(out, fam)
		}
	}
	return out
}

// TestEPDMessages holds the engine's message for each refused EPD line to
// what docs/epd.md says it names (the EPD and its file, and the rule
// broken), as the oracle worked it out: the vector format checks only a
// line's status, and a line refused for another reason than the vector
// was written for would otherwise pass.
func TestEPDMessages(t *testing.T) {
	o := newOracle(t)
	r := newRunner(t)
	checked := map[string]int{}
	for _, v := range loadDisk(t) {
		o.expect(t, v)
		var lines []string
		for k := range o.messages {
			if name, id, _ := strings.Cut(k, "\x00"); name == v.Name {
				lines = append(lines, id)
			}
		}
		if len(lines) == 0 {
			continue
		}
		m, err := r.Registry.Resolve(v.Method.Ref)
		if err != nil {
			t.Fatal(err)
		}
		bid, err := bidjson.DecodeBytes(v.Bid)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		fp, err := r.Engine.Calculate(m, bid)
		if fp == nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		got := map[string]calc.ReportedLine{}
		for _, l := range fp.Report().Lines {
			got[l.ID] = l
		}
		for _, id := range lines {
			l := got[id]
			if l.Status != calc.StatusError {
				t.Errorf("%s line %s: status %q; the oracle refuses it", v.Name, id, l.Status)
				continue
			}
			for _, want := range o.messages[v.Name+"\x00"+id] {
				if !strings.Contains(l.Error, want) {
					t.Errorf("%s line %s: the engine's message %q does not say %q", v.Name, id, l.Error, want)
				}
			}
			checked[v.Method.Ref]++
		}
	}
	for _, ref := range []string{"eu-gpp@2025.3", "us-federal@2025.3"} {
		if checked[ref] == 0 {
			t.Errorf("%s: no vector refuses an EPD document", ref)
		}
	}
}

// TestSameExactResults holds each 2026.2 method to its 2026.1 results:
// 2026.2 is 2026.1 with an uncertainty model, which changes no exact
// number. Every vector of one folder has its twin in the other, with the
// same bid and the same expected values.
func TestSameExactResults(t *testing.T) {
	byName := map[string]*Vector{}
	for _, v := range loadDisk(t) {
		byName[v.Name] = v
	}
	for _, id := range []string{"eu-gpp", "us-federal"} {
		older, newer := id+"-2026.1/", id+"-2026.2/"
		n := 0
		for name, v := range byName {
			rest, ok := strings.CutPrefix(name, newer)
			if !ok {
				rest, ok = strings.CutPrefix(name, older)
				if ok && byName[newer+rest] == nil {
					t.Errorf("%s has no twin %s%s", name, newer, rest)
				}
				continue
			}
			n++
			w := byName[older+rest]
			if w == nil {
				t.Errorf("%s has no twin %s%s", name, older, rest)
				continue
			}
			if string(v.Bid) != string(w.Bid) {
				t.Errorf("%s: bid differs from %s", name, w.Name)
			}
			if v.Expected == nil || w.Expected == nil {
				t.Errorf("%s: no expected values", name)
				continue
			}
			for _, d := range Diff(w.Expected, v.Expected) {
				t.Errorf("%s: exact result differs from %s: %s", name, w.Name, d)
			}
		}
		if n == 0 {
			t.Errorf("no %s vectors", newer)
		}
	}
}
