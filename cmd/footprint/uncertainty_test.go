package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUncertaintyGolden: calc and compare with --uncertainty print the same
// bytes on every run, and the bytes of testdata/uncertainty_*.
func TestUncertaintyGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"uncertainty_calc_us.json", []string{"calc", "--method", "us-federal@2026.2", "--uncertainty", "10000", "--seed", "42", "../../examples/bid.json"}},
		{"uncertainty_calc_eu.txt", []string{"calc", "--method", "eu-gpp@2026.2", "--uncertainty", "10000", "--seed", "42", "--format", "text", "../../examples/bid-eu.json"}},
		{"uncertainty_compare.txt", []string{"compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "10000", "--seed", "42", "--format", "text", "../../examples/compare-us-eu.json"}},
		{"uncertainty_compare.json", []string{"compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "2000", "--seed", "7", "../../examples/compare-us-eu.json"}},
		// examples/bid.json pins us-federal@2025.1, which has no model:
		// zero-width intervals, said so with the version that has one.
		{"uncertainty_calc_no_model.txt", []string{"calc", "--uncertainty", "1000", "--seed", "42", "--format", "text", "../../examples/bid.json"}},
		{"uncertainty_compare_no_model.txt", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "1000", "--seed", "42", "--format", "text", "../../examples/compare-us-eu.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, stderr := runCmd(t, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			_, again, _ := runCmd(t, "", tt.args...)
			if out != again {
				t.Fatal("two runs with the same seed print different bytes")
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (go test ./cmd/footprint -run TestUncertaintyGolden -update, and explain why)", path)
			}
		})
	}
}

func TestUncertaintyFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"draws", []string{"calc", "--method", "eu-gpp@2026.2", "--uncertainty", "-3", "../../examples/bid-eu.json"}, "use 1 to"},
		{"seed", []string{"calc", "--method", "eu-gpp@2026.2", "--uncertainty", "10", "--seed", "x", "../../examples/bid-eu.json"}, "unsigned 64-bit"},
		{"text without sampling", []string{"calc", "--method", "eu-gpp@2026.2", "--format", "text", "../../examples/bid-eu.json"}, "text with --uncertainty"},
		{"compare seed", []string{"compare", "--method", "eu-gpp", "--method", "us-federal", "--uncertainty", "10", "--seed", "-1", "../../examples/compare-us-eu.json"}, "unsigned 64-bit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.want)
			}
		})
	}
}

// TestUncertaintyNoModel: a bid whose method declares no uncertainty
// model gets "model": "none" and a message naming the version that has
// one, in JSON and text, for calc and compare.
func TestUncertaintyNoModel(t *testing.T) {
	const msg = "us-federal@2025.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; us-federal@2026.2 declares one: compute the bid under us-federal@2026.2 for intervals"
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"calc json", []string{"calc", "--uncertainty", "100", "../../examples/bid.json"},
			[]string{`"method": "us-federal@2025.1",` + "\n    \"model\": \"none\",\n    \"message\": \"" + msg + `"`}, nil},
		{"calc text", []string{"calc", "--uncertainty", "100", "--format", "text", "../../examples/bid.json"},
			[]string{"Model: none. " + msg + ".\n"}, nil},
		{"calc with model", []string{"calc", "--method", "us-federal", "--uncertainty", "100", "../../examples/bid.json"},
			[]string{`"method": "us-federal@2026.2",` + "\n    \"model\": \"declared\",\n    \"run\""}, []string{`"message"`}},
		{"compare json", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "100", "../../examples/compare-us-eu.json"},
			[]string{`"model": "none",` + "\n        \"message\": \"" + msg + `"`, `"method": "eu-gpp@2026.2",` + "\n        \"model\": \"declared\""}, nil},
		{"compare text", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "100", "--format", "text", "../../examples/compare-us-eu.json"},
			[]string{"Model of us-federal@2025.1: none. " + msg + ".\n"}, []string{"Model of eu-gpp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q", w)
				}
			}
		})
	}
}
