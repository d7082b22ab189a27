package conformance

import (
	"strings"
	"testing"
	"testing/fstest"
)

// goodVector is a real vector's file, read from the embedded set.
func goodVector(t *testing.T, name string) []byte {
	t.Helper()
	vs, _, err := Load(Embedded(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Name == name {
			raw, err := Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
	}
	t.Fatalf("no embedded vector %s", name)
	return nil
}

func TestRunnerTampered(t *testing.T) {
	const rebar = "v1/us-federal-2025.1/rebar-epd-limits"
	good := string(goodVector(t, rebar))
	r := newRunner(t)
	tests := []struct {
		name string
		file string
		// want are substrings of the one failure; nil means the vector passes.
		want []string
	}{
		{"good", good, nil},
		{"changed line amount", strings.Replace(good, `"kg_co2e": "9750.000"`, `"kg_co2e": "9750.001"`, 1),
			[]string{"x/v", `by_gas[CO2e].kg_co2e: expected "9750.001", got "9750.000"`}},
		{"changed total", strings.Replace(good, `"total_kg_co2e": "9750.000"`, `"total_kg_co2e": "9750"`, 1),
			[]string{`total_kg_co2e: expected "9750", got "9750.000"`}},
		{"changed limit pass", strings.Replace(good, `"pass": false`, `"pass": true`, 1),
			[]string{"limits[line_id=1,id=gsa-rebar-fab-top20].pass: expected true, got false"}},
		{"changed digest", strings.Replace(good, `"digest": "`, `"digest": "0`, 1),
			[]string{"method.digest", "the method file changed"}},
		{"unknown method", strings.Replace(good, `"ref": "us-federal@2025.1"`, `"ref": "us-federal@1999.9"`, 1),
			[]string{"method:", "unknown method", "us-federal@1999.9"}},
		{"unpinned method", strings.Replace(good, `"ref": "us-federal@2025.1"`, `"ref": "us-federal"`, 1),
			[]string{"method.ref", "not a pinned id@version"}},
		{"malformed JSON", strings.Replace(good, `"format": 1,`, `"format": 1`, 1),
			[]string{"x/v", "malformed JSON", "line 3"}},
		{"unknown field", strings.Replace(good, `"format": 1,`, `"format": 1, "colour": "red",`, 1),
			[]string{"malformed JSON", "colour"}},
		{"other format", strings.Replace(good, `"format": 1,`, `"format": 2,`, 1),
			[]string{"format 2", "reads format 1"}},
		{"no expected", good[:strings.Index(good, `"expected"`)] + `"expected": null}`,
			[]string{"expected: missing", "-update"}},
		{"bad bid", strings.Replace(good, `"quantity": "12.5"`, `"quantity": "twelve"`, 1),
			[]string{"bid:", "/lines/0/quantity"}},
		{"bid names another method", strings.Replace(good, `"bid": {`, `"bid": {"method": "eu-gpp@2025.1",`, 1),
			[]string{"bid.method", "differs from method.ref"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.file == good && tt.want != nil {
				t.Fatal("the tampering did not change the file")
			}
			fsys := fstest.MapFS{"x/v.json": {Data: []byte(tt.file)}}
			vs, bad, err := Load(fsys, ".")
			if err != nil {
				t.Fatal(err)
			}
			res := r.RunAll(vs, bad)
			if len(res) != 1 {
				t.Fatalf("%d results, want 1", len(res))
			}
			got := res[0]
			if tt.want == nil {
				if !got.Pass() {
					t.Fatalf("failures: %v", got.Failures)
				}
				return
			}
			if got.Pass() {
				t.Fatal("passed; want a failure")
			}
			msg := got.Name + ": " + strings.Join(got.Failures, "; ")
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("failure %q does not say %q", msg, w)
				}
			}
		})
	}
}

func TestDiffNamesEveryField(t *testing.T) {
	base := func() *Expected {
		return &Expected{Places: 3, Rounding: "half_even", TotalKgCO2e: "1.000",
			ByGas:   []Gas{{"CO2", "1.000", "1.000"}},
			ByStage: []Stage{{"combustion", "1.000"}},
			Lines: []Line{{ID: "1", Status: "ok", KgCO2e: "1.000", Factor: "d@1:f", Region: "US",
				Gases: []Gas{{"CO2", "1.000", "1.000"}}, Stages: []Stage{{"combustion", "1.000"}}}, {ID: "2", Status: "error"}},
			Limits: []Limit{{LineID: "1", ID: "lim", Limit: "728", Value: "1.000", Pass: true}},
		}
	}
	if d := Diff(base(), base()); len(d) != 0 {
		t.Fatalf("equal results differ: %v", d)
	}
	tests := []struct {
		name   string
		change func(e *Expected)
		want   string
	}{
		{"places", func(e *Expected) { e.Places = 2 }, "places: expected 2, got 3"},
		{"total", func(e *Expected) { e.TotalKgCO2e = "2.000" }, `total_kg_co2e: expected "2.000", got "1.000"`},
		{"by gas kg", func(e *Expected) { e.ByGas[0].Kg = "2.000" }, `by_gas[CO2].kg`},
		{"by gas missing", func(e *Expected) { e.ByGas = nil }, `by_gas[CO2]: not expected, in the result`},
		{"by stage", func(e *Expected) { e.ByStage[0].KgCO2e = "0.999" }, `by_stage[combustion].kg_co2e`},
		{"line status", func(e *Expected) { e.Lines[1].Status = "ok" }, `lines[id=2].status: expected "ok", got "error"`},
		{"line factor", func(e *Expected) { e.Lines[0].Factor = "d@1:g" }, `lines[id=1].factor`},
		{"line region", func(e *Expected) { e.Lines[0].Region = "US-CAMX" }, `lines[id=1].region`},
		{"line gas", func(e *Expected) { e.Lines[0].Gases[0].KgCO2e = "0.000" }, `lines[id=1].gases[CO2].kg_co2e`},
		{"line stage", func(e *Expected) { e.Lines[0].Stages[0].Stage = "heat" }, `lines[id=1].stages[heat]: expected, missing`},
		{"line count", func(e *Expected) { e.Lines = e.Lines[:1] }, `lines: expected 1 lines, got 2`},
		{"line id", func(e *Expected) { e.Lines[0].ID = "9" }, `lines[0].id: expected "9", got "1"`},
		{"limit value", func(e *Expected) { e.Limits[0].Value = "1.001" }, `limits[line_id=1,id=lim].value`},
		{"limit limit", func(e *Expected) { e.Limits[0].Limit = "729" }, `limits[line_id=1,id=lim].limit`},
		{"limit missing", func(e *Expected) { e.Limits[0].ID = "other" }, `limits[line_id=1,id=other]: expected, missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := base()
			tt.change(want)
			d := strings.Join(Diff(want, base()), "\n")
			if !strings.Contains(d, tt.want) {
				t.Errorf("diff %q does not say %q", d, tt.want)
			}
		})
	}
	// A long value is echoed as a short prefix only.
	long := base()
	long.TotalKgCO2e = strings.Repeat("9", 5000)
	if d := Diff(long, base()); len(d) != 1 || len(d[0]) > 200 || !strings.Contains(d[0], "(5000 bytes)") {
		t.Errorf("long value: %v", d)
	}
	// A published limit compares by value: "728.0" is "728".
	want := base()
	want.Limits[0].Limit = "728.0"
	if d := Diff(want, base()); len(d) != 0 {
		t.Errorf("728.0 vs 728: %v", d)
	}
}

func TestLoadLimits(t *testing.T) {
	big := make([]byte, MaxVectorBytes+1)
	fsys := fstest.MapFS{"a.json": {Data: big}, "b.txt": {Data: []byte("not a vector")}}
	vs, bad, err := Load(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 || len(bad) != 1 || !strings.Contains(bad[0].Err.Error(), "over") {
		t.Fatalf("vs %d, bad %v", len(vs), bad)
	}
	if _, _, err := Load(fstest.MapFS{}, "missing"); err == nil {
		t.Error("a missing directory loads")
	}
}

// TestRunnerTamperedEPD: a 2025.3 vector whose expected values, or whose
// EPD document or bid date, were changed fails, naming the field.
func TestRunnerTamperedEPD(t *testing.T) {
	const (
		traci   = "v1/us-federal-2025.3/epd-openepd-rebar-traci-limits"
		expired = "v1/eu-gpp-2025.3/epd-refused-expired-ilcd"
	)
	r := newRunner(t)
	tests := []struct {
		name, vector, old, new string
		// want are substrings of the failures.
		want []string
	}{
		{"total", traci, `"total_kg_co2e": "9756.250"`, `"total_kg_co2e": "9756.251"`,
			[]string{`total_kg_co2e: expected "9756.251", got "9756.250"`}},
		{"limit value", traci, `"value": "780.500"`, `"value": "780.501"`,
			[]string{`limits[line_id=1,id=gsa-rebar-fab-top20].value: expected "780.501", got "780.500"`}},
		{"factor named", traci, `"factor": "epd:EXA-EPD-1001"`, `"factor": "product:EXA-EPD-1001"`,
			[]string{`lines[id=1].factor: expected "product:EXA-EPD-1001", got "epd:EXA-EPD-1001"`}},
		{"EPD document value", traci, `"mean": 780.5,`, `"mean": 780.6,`,
			[]string{`total_kg_co2e: expected "9756.250", got "9757.500"`, `limits[line_id=1,id=gsa-rebar-fab-top20].value: expected "780.500", got "780.600"`}},
		{"refused line expected ok", expired, `"status": "error"`, `"status": "ok"`,
			[]string{`lines[id=1].status: expected "ok", got "error"`}},
		{"bid date before expiry", expired, `"date": "2025-06-01"`, `"date": "2021-06-30"`,
			[]string{`lines[id=1].status: expected "error", got "ok"`, `total_kg_co2e: expected "7340.000", got "14680.000"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := string(goodVector(t, tt.vector))
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if bad == good {
				t.Fatalf("%q is not in %s", tt.old, tt.vector)
			}
			for name, file := range map[string]string{"good": good, "tampered": bad} {
				vs, errs, err := Load(fstest.MapFS{"x/v.json": {Data: []byte(file)}}, ".")
				if err != nil || len(errs) > 0 || len(vs) != 1 {
					t.Fatalf("%s: %v %v", name, err, errs)
				}
				res := r.Run(vs[0])
				msg := strings.Join(res.Failures, "\n")
				if name == "good" {
					if !res.Pass() {
						t.Fatalf("the untampered vector fails: %s", msg)
					}
					continue
				}
				if res.Pass() {
					t.Fatal("the tampered vector passed")
				}
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("failures %q do not say %q", msg, w)
					}
				}
			}
		})
	}
}
