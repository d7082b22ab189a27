package methods

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

func testLib(t testing.TB) *factors.Library {
	t.Helper()
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func builtin(t testing.TB) []byte {
	t.Helper()
	src, err := embeddedDefs.ReadFile("defs/us-federal/2025.1.toml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestEmbeddedMethodsValid(t *testing.T) {
	reg, err := Embedded(testLib(t))
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	for _, ref := range []string{"us-federal@2025.1", "eu-gpp@2025.1", "us-federal", "eu-gpp"} {
		m, err := reg.Resolve(ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", ref, err)
		}
		if m.Status != Active || len(m.Digest) != 64 {
			t.Errorf("%s: status %s digest %q", ref, m.Status, m.Digest)
		}
	}
}

func TestResolve(t *testing.T) {
	lib := testLib(t)
	reg, err := Embedded(lib)
	if err != nil {
		t.Fatal(err)
	}
	base := string(builtin(t))
	add := func(version, status string) {
		src := strings.Replace(base, `version = "2025.1"`, `version = "`+version+`"`, 1)
		src = strings.Replace(src, `status = "active"`, `status = "`+status+`"`, 1)
		if err := reg.AddSource("test/"+version+".toml", []byte(src)); err != nil {
			t.Fatalf("add %s: %v", version, err)
		}
	}
	add("2026.10", "active")
	add("2026.9", "active")
	add("2027.1", "draft")
	add("2024.1", "retired")
	tests := []struct{ ref, want, err string }{
		{"us-federal", "us-federal@2026.10", ""},
		{"us-federal@2027.1", "us-federal@2027.1", ""},
		{"us-federal@2024.1", "us-federal@2024.1", ""},
		{"us-federal@1999", "", "us-federal has versions 2024.1 (retired), 2025.1 (active), 2025.2 (active), 2025.3 (active), 2026.1 (active), 2026.2 (active), 2026.9 (active), 2026.10 (active), 2027.1 (draft)"},
		{"nope", "", `unknown method "nope": known methods are eu-gpp, us-federal`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			m, err := reg.Resolve(tt.ref)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrUnknownMethod) {
					t.Fatalf("err = %v, want containing %q", err, tt.err)
				}
				return
			}
			if err != nil || m.Ref() != tt.want {
				t.Fatalf("Resolve = %v, %v; want %s", m, err, tt.want)
			}
		})
	}
	if err := reg.AddSource("dup.toml", builtin(t)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate version accepted: %v", err)
	}
}

// TestProblems checks that each broken rule is reported with its line.
func TestProblems(t *testing.T) {
	lib := testLib(t)
	base := string(builtin(t))
	tests := []struct {
		name, old, new string
		rule           string
		line           int
	}{
		{"unquoted decimal", `status = "active"`, "status = \"active\"\n[[heating_value]]\nactivity = \"fuel.natural_gas\"\nfrom = \"HHV\"\nto = \"NCV\"\nratio = 0.9\nsource = \"x\"", "quoted-decimal", 13},
		{"syntax", `gwp_set = "AR5"`, `gwp_set = "AR5`, "syntax", 16},
		{"unknown key", `gwp_set = "AR5"`, "gwp_set = \"AR5\"\ngwp = \"AR6\"", "known-key", 17},
		{"gwp set", `gwp_set = "AR5"`, `gwp_set = "AR7"`, "known-gwp-set", 16},
		{"dataset", `"egrid@2023"]`, `"egrid@2019"]`, "known-dataset", 17},
		{"dataset version", `"egrid@2023"]`, `"egrid"]`, "dataset-version", 17},
		{"stage", `"A1-A3"]`, `"A1-A5"]`, "known-stage", 18},
		{"status", `status = "active"`, `status = "live"`, "known-status", 8},
		{"fallback", `fallback = "always"`, `fallback = "sometimes"`, "known-value", 23},
		{"rounding", `places = 3`, `places = 30`, "range", 26},
		{"limit id", `"gsa-glass-avg",`, `"gsa-glass-best",`, "known-limit", 36},
		{"activity pattern", `accept = ["material.*"]`, `accept = ["materials.*"]`, "known-activity", 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("base file lacks %q", tt.old)
			}
			src := []byte(strings.Replace(base, tt.old, tt.new, 1))
			m, err := Parse("x.toml", src)
			var ps Problems
			if err != nil {
				if !errors.As(err, &ps) {
					t.Fatalf("Parse err %T %v", err, err)
				}
			} else {
				ps = Validate(m, lib, src)
			}
			if len(ps) == 0 {
				t.Fatal("no problem reported")
			}
			if ps[0].Rule != tt.rule || ps[0].Line != tt.line {
				t.Errorf("got %s, want rule %s at line %d", ps, tt.rule, tt.line)
			}
			if !strings.HasPrefix(ps[0].String(), "x.toml:") {
				t.Errorf("problem %q does not start with the file name", ps[0])
			}
		})
	}
}

func TestDigestCanonical(t *testing.T) {
	src := builtin(t)
	m1, err := Parse("a", src)
	if err != nil {
		t.Fatal(err)
	}
	reformatted := strings.ReplaceAll(string(src), " = ", "=")
	reformatted = "# a new comment\n" + reformatted
	m2, err := Parse("b", []byte(reformatted))
	if err != nil {
		t.Fatal(err)
	}
	if m1.Digest != m2.Digest {
		t.Errorf("digest changed with formatting: %s vs %s", m1.Digest, m2.Digest)
	}
	m3, err := Parse("c", []byte(strings.Replace(string(src), "places = 3", "places = 2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m1.Digest == m3.Digest {
		t.Error("digest did not change with a value")
	}
	m4, err := Parse("d", []byte(strings.Replace(string(src), `status = "active"`, `status = "retired"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m1.Digest != m4.Digest {
		t.Error("retiring a version changed its digest")
	}
}

func TestAddDirStopsOnInvalid(t *testing.T) {
	lib := testLib(t)
	reg, _ := Embedded(lib)
	dir := t.TempDir()
	bad := strings.Replace(string(builtin(t)), `version = "2025.1"`, `version = "2025.9"`, 1)
	bad = strings.Replace(bad, `gwp_set = "AR5"`, `gwp_set = "AR9"`, 1)
	os.WriteFile(filepath.Join(dir, "bad.toml"), []byte(bad), 0o644)
	err := reg.AddDir(dir)
	if err == nil || !strings.Contains(err.Error(), "bad.toml:16: gwp_set") {
		t.Fatalf("err = %v", err)
	}
}

func TestRoundingModes(t *testing.T) {
	tests := []struct {
		mode, in, want string
		places         int32
	}{
		{HalfEven, "2.0005", "2.000", 3},
		{HalfEven, "2.0015", "2.002", 3},
		{HalfUp, "2.0005", "2.001", 3},
		{HalfUp, "-2.0005", "-2.001", 3},
		{HalfEven, "53114.5", "53114.5", 3},
		{HalfEven, "7", "7", 0},
		{HalfEven, "7.5", "8", 0},
		{HalfEven, "6.5", "6", 0},
	}
	for _, tt := range tests {
		r := Rounding{Places: tt.places, Mode: tt.mode}
		got := r.Round(decimal.RequireFromString(tt.in))
		if !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("%s %s to %d = %s, want %s", tt.mode, tt.in, tt.places, got, tt.want)
		}
	}
}
