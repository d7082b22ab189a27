package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConformance(t *testing.T) {
	src := filepath.Join("..", "..", "conformance", "v1", "us-federal-2025.1", "rebar-epd-limits.json")
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dirWith := func(files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tamper := func(old, new string) string {
		s := strings.Replace(string(good), old, new, 1)
		if s == string(good) {
			t.Fatalf("tampering %q changed nothing", old)
		}
		return s
	}
	epdSrc := filepath.Join("..", "..", "conformance", "v1", "eu-gpp-2025.3", "epd-ilcd-rebar-gwp-total.json")
	epdGood, err := os.ReadFile(epdSrc)
	if err != nil {
		t.Fatal(err)
	}
	epdBad := strings.Replace(string(epdGood), `"total_kg_co2e": "9180.000"`, `"total_kg_co2e": "9180.001"`, 1)
	if epdBad == string(epdGood) {
		t.Fatal("tampering the 2025.3 vector changed nothing")
	}
	notDir := filepath.Join(t.TempDir(), "file.json")
	os.WriteFile(notDir, good, 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		outHas []string
		errHas []string
	}{
		{"embedded", []string{"conformance"}, 0, []string{"VECTOR", "EXERCISES", "v1/us-federal-2025.1/rebar-epd-limits", "v1/eu-gpp-2025.1/fuel-natural-gas-tj", " passed, 0 failed",
			"eu-gpp@2025.1", "eu-gpp@2025.2", "eu-gpp@2025.3", "us-federal@2025.1", "us-federal@2025.2", "us-federal@2025.3",
			"v1/eu-gpp-2025.3/epd-ilcd-rebar-gwp-total", "v1/us-federal-2025.3/epd-openepd-rebar-traci-limits"}, nil},
		{"source tree", []string{"conformance", filepath.Join("..", "..", "conformance")}, 0, []string{"v1/eu-gpp-2025.1/worked-example-bid", "pass"}, nil},
		{"good dir", []string{"conformance", dirWith(map[string]string{"a/good.json": string(good)})}, 0, []string{"a/good  ", "us-federal@2025.1", "1 vectors", "1 passed, 0 failed"}, nil},
		{"wrong value", []string{"conformance", dirWith(map[string]string{"good.json": string(good), "bad.json": tamper(`"value": "780.000"`, `"value": "780.001"`)})}, 1,
			[]string{"bad  ", "FAIL", "failures:", `bad: limits[line_id=1,id=gsa-rebar-fab-top20].value: expected "780.001", got "780.000"`, "2 vectors", "1 passed, 1 failed"},
			[]string{"1 of 2 vectors failed"}},
		{"wrong value, 2025.3 EPD vector", []string{"conformance", dirWith(map[string]string{"good.json": string(epdGood), "bad.json": epdBad})}, 1,
			[]string{"bad  ", "eu-gpp@2025.3", "FAIL", `bad: total_kg_co2e: expected "9180.001", got "9180.000"`, "2 vectors", "1 passed, 1 failed"},
			[]string{"1 of 2 vectors failed"}},
		{"changed digest", []string{"conformance", dirWith(map[string]string{"d.json": tamper(`"digest": "`, `"digest": "ff`)})}, 1,
			[]string{"d: method.digest", "the method file changed"}, nil},
		{"malformed", []string{"conformance", dirWith(map[string]string{"m.json": `{"format": 1,`})}, 1,
			[]string{"m  ", "-  ", "FAIL", "m: invalid conformance vector m: malformed JSON"}, nil},
		{"unknown method", []string{"conformance", dirWith(map[string]string{"u.json": tamper(`"ref": "us-federal@2025.1"`, `"ref": "nope@1"`)})}, 1,
			[]string{"u: method: unknown method"}, nil},
		{"empty dir", []string{"conformance", t.TempDir()}, 1, nil, []string{"no vectors"}},
		{"missing dir", []string{"conformance", filepath.Join(t.TempDir(), "nope")}, 1, nil, []string{"nope"}},
		{"file not dir", []string{"conformance", notDir}, 2, nil, []string{"is not a directory"}},
		{"two dirs", []string{"conformance", "a", "b"}, 2, nil, []string{"at most one directory"}},
		{"help", []string{"conformance", "--help"}, 0, nil, []string{"usage: footprint conformance", "docs/conformance.md"}},
		{"bad flag", []string{"conformance", "--nope"}, 2, nil, []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s\nstdout: %.2000s", code, tt.code, errs, out)
			}
			for _, w := range tt.outHas {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%.3000s", w, out)
				}
			}
			for _, w := range tt.errHas {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}
