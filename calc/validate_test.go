package calc

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// TestParseQuantity pins the accepted spellings, the refusals and their
// messages; huge exponents must be refused without expanding them.
func TestParseQuantity(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "1000", want: "1000"},
		{in: " 1e3 ", want: "1000"},
		{in: "1.5E+03", want: "1500"},
		{in: "+1000", want: "1000"},
		{in: "0001000", want: "1000"},
		{in: "1000.000000000000000000000", want: "1000"},
		{in: "10000e-1", want: "1000"},
		{in: "1E+15", want: "1000000000000000"},
		{in: "0e9999", want: "0"},
		{in: "0e999999999", err: "out-of-range exponent"},
		{in: "999999999999999.9999999999999999999999999", want: "999999999999999.9999999999999999999999999"},
		{in: "1e10000", err: "1e10000 is larger than 1e15"},
		{in: "7e9999", err: "7e9999 is larger than 1e15"},
		{in: "1e16", err: "10000000000000000 is larger than 1e15"},
		{in: "-1e10000", err: "-1e10000 is negative"},
		{in: "1e999999999", err: "out-of-range exponent"},
		{in: "1e-999999999", err: "out-of-range exponent"},
		{in: "1e-41", err: "more than 40 decimal places"},
		{in: "12345678901234567890123456789012345678901", err: "41 significant digits"},
		{in: "12,5", err: "use a point as the decimal separator"},
		{in: strings.Repeat("9", 70), err: "not a decimal number: " + strings.Repeat("9", 40) + "… (70 bytes) (too long"},
		{in: "", err: "quantity is empty"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseQuantity(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseQuantity(%q) = %v, %v; want an error containing %q", tc.in, d, err, tc.err)
				}
				if len(err.Error()) > 120 {
					t.Errorf("message of %d bytes: %s", len(err.Error()), err)
				}
				return
			}
			if err != nil || d.String() != tc.want {
				t.Fatalf("ParseQuantity(%q) = %v, %v; want %s", tc.in, d, err, tc.want)
			}
		})
	}
}

// TestMessagesClipInput checks that a line's error repeats at most a short
// prefix of a long input value, whatever field it is in.
func TestMessagesClipInput(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve("us-federal")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewEngine(lib).Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", MaxStringLen)
	ok := Line{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.NewFromInt(1), Unit: "mmBtu"}
	for name, mod := range map[string]func(*Line){
		"activity": func(l *Line) { l.Activity = long },
		"region":   func(l *Line) { l.Region = long },
		"unit":     func(l *Line) { l.Unit = long },
		"stage":    func(l *Line) { l.Stage = long },
		"basis":    func(l *Line) { l.Basis = long },
	} {
		l := ok
		mod(&l)
		lr := p.Line(&l)
		if lr.Status != StatusError {
			t.Errorf("%s: status %s", name, lr.Status)
		}
		if strings.Contains(lr.Error, long[:clip.Max+1]) {
			t.Errorf("%s: the message repeats more than %d bytes of the input: %.120s…", name, clip.Max, lr.Error)
		}
	}
	if _, err := reg.Resolve(long); err == nil || strings.Contains(err.Error(), long[:clip.Max+1]) {
		t.Errorf("unknown method: %v", err)
	}
}
