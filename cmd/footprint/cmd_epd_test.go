package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/epd"
)

const epdFixtures = "../../epd/testdata"

// epdArchive zips an unpacked ILCD fixture into dir and returns its path.
func epdArchive(t *testing.T, fixture, dir string) string {
	t.Helper()
	src := filepath.Join(epdFixtures, "ilcd", fixture)
	var names []string
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	out := filepath.Join(dir, fixture+".zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, n := range names {
		rel, _ := filepath.Rel(src, n)
		w, _ := zw.Create(filepath.ToSlash(rel))
		raw, _ := os.ReadFile(n)
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out
}

func ilcdFile(t *testing.T, fixture, kind string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(epdFixtures, "ilcd", fixture, kind, "*.xml"))
	if len(m) != 1 {
		t.Fatalf("%s/%s: %v", fixture, kind, m)
	}
	return m[0]
}

func TestEPDInspect(t *testing.T) {
	dir := t.TempDir()
	rebar := epdArchive(t, "rebar-a2", dir)
	concrete := epdArchive(t, "concrete-a1-m3", dir)
	noGWP := filepath.Join(dir, "nogwp.json")
	os.WriteFile(noGWP, []byte(`{"id": "x", "declared_unit": "1 t", "impacts": {"TRACI 2.1": {"gwp": {"A4": {"mean": 3}}}}}`), 0o644)
	text := filepath.Join(dir, "epd.txt")
	os.WriteFile(text, []byte("EPD S-P-01234"), 0o644)
	openepd := filepath.Join(epdFixtures, "openepd", "rebar-traci.json")
	rawOpenEPD, _ := os.ReadFile(openepd)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		outHas []string
		errHas []string
	}{
		{"archive +A2", "", []string{"epd", "inspect", rebar}, 0,
			[]string{"format ilcd+epd", "valid until 2028 (year only; valid at the latest through 2028-12-31)", "declared unit 1000 kg", "GWP-total A1-A3 612", "standard EN 15804+A2", "usable: yes"}, nil},
		{"archive m3 with density", "", []string{"epd", "inspect", concrete}, 0, []string{"declared unit 1 m3", "density 2400 kg/m3", "GWP A1-A3 231"}, nil},
		{"process with its flow", "", []string{"epd", "inspect", ilcdFile(t, "rebar-a1-expired", "processes"), ilcdFile(t, "rebar-a1-expired", "flows")}, 0,
			[]string{"valid until 2021-06-30", "density 7850 kg/m3"}, nil},
		{"EPD International style", "", []string{"epd", "inspect", ilcdFile(t, "intl-a1-year", "processes"), ilcdFile(t, "intl-a1-year", "flows")}, 0,
			[]string{"registration S-P-00000", "program operator The International EPD System", "standard EN 15804+A1 (the document names EN 15804 without its amendment",
				"valid until 2025-05-07 from processInformation/time/common:other/epd24:expirationDateOfEPD", "GWP A1-A3 199.75 kg CO2 eq. (summed from A1, A2, A3)"}, nil},
		{"EC3 quantity strings", "", []string{"epd", "inspect", filepath.Join(epdFixtures, "openepd", "ec3-quantity-strings.json")}, 0,
			[]string{"declared unit 1 m3", "density 2400 kg/m3", "gwp A1-A3 312.25 kgCO2e (from the top-level gwp)", "usable: yes"}, nil},
		{"openepd guessed", "", []string{"epd", "inspect", openepd}, 0, []string{"format openepd", "gwp TRACI 2.1 A1-A3 780.5", "gwp TRACI 2.1 A1-A3: openEPD rsd 0.1, dist none; not sampled: it needs both"}, nil},
		{"format given", "", []string{"epd", "inspect", "--format", "openepd", openepd}, 0, []string{"id ec3exa01"}, nil},
		{"stdin", string(rawOpenEPD), []string{"epd", "inspect", "-"}, 0, []string{"file stdin"}, nil},
		{"process alone", "", []string{"epd", "inspect", ilcdFile(t, "rebar-a2", "processes")}, 1, nil,
			[]string{"the reference flow's data set c0ffee01-0000-4000-8000-0000000000f1 is not given", "hint: footprint epd inspect PROCESS.xml FLOW.xml"}},
		{"malformed", "", []string{"epd", "inspect", filepath.Join(epdFixtures, "malformed", "truncated.json")}, 1, nil,
			[]string{"footprint epd inspect: EPD truncated.json: byte 98: not valid JSON"}},
		{"no GWP A1-A3", "", []string{"epd", "inspect", noGWP}, 1, []string{"usable: no", "results: no GWP result for A1-A3"},
			[]string{"nogwp.json cannot be used: results: no GWP result for A1-A3"}},
		{"wrong format given", "", []string{"epd", "inspect", "--format", "ilcd+epd", openepd}, 1, nil, []string{"EPD rebar-traci.json: no XML element"}},
		{"not an EPD", "", []string{"epd", "inspect", text}, 1, nil, []string{"neither a zip, XML nor JSON; give --format"}},
		{"missing file", "", []string{"epd", "inspect", filepath.Join(dir, "nope.zip")}, 1, nil, []string{"nope.zip"}},
		{"no file", "", []string{"epd", "inspect"}, 2, nil, []string{"no file", "usage: footprint epd inspect"}},
		{"bad format flag", "", []string{"epd", "inspect", "--format", "pdf", openepd}, 2, nil, []string{`--format "pdf": want ilcd+epd or openepd`}},
		{"extra files for openepd", "", []string{"epd", "inspect", openepd, openepd}, 2, nil, []string{"needs none"}},
		{"unknown subcommand", "", []string{"epd", "check"}, 2, nil, []string{`unknown subcommand "check"`}},
		{"no subcommand", "", []string{"epd"}, 2, nil, []string{"usage: footprint epd inspect"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd3(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			spaced := regexp.MustCompile(` {2,}`).ReplaceAllString(out, " ")
			for _, w := range tt.outHas {
				if !strings.Contains(spaced, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.errHas {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestEPDInspectGolden checks the whole printout of the A1, A2, A3 case.
func TestEPDInspectGolden(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "epd", "inspect", ilcdFile(t, "glass-a2-separate", "processes"), ilcdFile(t, "glass-a2-separate", "flows"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden := filepath.Join("testdata", "epd_inspect_glass.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("epd inspect printed (go test ./cmd/footprint -run EPDInspectGolden -update)\n%s\nwant\n%s", out, want)
	}
}

// TestEPDInspectDeclaredUncertainty: an ILCD+EPD document declaring an
// uncertainty (epd/testdata/uncertainty: a real excerpt with the fields
// added) shows it beside its results, with the 2.5 % and 97.5 % points it
// states, and notes the declarations not used; --json carries it on the
// result.
func TestEPDInspectDeclaredUncertainty(t *testing.T) {
	process := ilcdFile(t, filepath.Join("..", "uncertainty", "ibu-aluminium-profile-declared"), "processes")
	flow := ilcdFile(t, filepath.Join("..", "uncertainty", "ibu-aluminium-profile-declared"), "flows")
	out, errOut, code := runCmd3(t, "", "epd", "inspect", process, flow)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden := filepath.Join("testdata", "epd_inspect_declared.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("epd inspect printed (go test ./cmd/footprint -run EPDInspectDeclaredUncertainty -update)\n%s\nwant\n%s", out, want)
	}
	// docs/epd.md shows this section of the output.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "epd.md"))
	if err != nil {
		t.Fatal(err)
	}
	at := strings.Index(out, "declared uncertainty (")
	if at < 0 {
		t.Fatal("no declared uncertainty section")
	}
	section, _, _ := strings.Cut(out[at:], "\n\n")
	if !strings.Contains(string(doc), section) {
		t.Errorf("docs/epd.md lacks the output's section\n%s", section)
	}
	out, errOut, code = runCmd3(t, "", "epd", "inspect", "--json", process, flow)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Declaration epd.Declaration `json:"declaration"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var with []string
	for _, r := range got.Declaration.Results {
		if r.Uncertainty != nil {
			with = append(with, r.Indicator+" "+r.Module+" "+r.Uncertainty.Distribution+" "+r.Uncertainty.RelativeSD95In+" "+r.Uncertainty.Applies)
		}
	}
	if len(with) != 1 || with[0] != "GWP-total A1-A3 log-normal 1.44 meanAmount" {
		t.Errorf("results with an uncertainty: %q", with)
	}
}

func TestEPDInspectJSON(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "epd", "inspect", "--json", filepath.Join(epdFixtures, "openepd", "glass-separate.json"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Declaration struct {
			ID      string `json:"id"`
			Results []struct {
				Module string `json:"module"`
				Value  string `json:"value"`
				Summed bool   `json:"summed"`
			} `json:"results"`
		} `json:"declaration"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	summed := false
	for _, r := range got.Declaration.Results {
		if r.Module == "A1-A3" && r.Summed && r.Value == "1190" {
			summed = true
		}
	}
	if got.Declaration.ID != "ec3exa03" || !summed || got.Problems == nil || len(got.Problems) != 0 {
		t.Errorf("--json printed %s", out)
	}
}
