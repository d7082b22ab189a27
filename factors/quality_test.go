package factors

import "testing"

// TestQualityWorse: the lower of two qualities, the receiver when they
// rank alike, and a quality that is none of the three ranking as primary.
func TestQualityWorse(t *testing.T) {
	tests := []struct{ q, o, want Quality }{
		{Primary, Primary, Primary},
		{Primary, Secondary, Secondary},
		{Secondary, Primary, Secondary},
		{Primary, Uncertain, Uncertain},
		{Uncertain, Secondary, Uncertain},
		{Secondary, Uncertain, Uncertain},
		{Uncertain, Uncertain, Uncertain},
		{"", Primary, ""},
		{Primary, "", Primary},
		{"bogus", Secondary, Secondary},
		{Uncertain, "bogus", Uncertain},
		{"product-specific", Primary, "product-specific"},
	}
	for _, tt := range tests {
		if got := tt.q.Worse(tt.o); got != tt.want {
			t.Errorf("%q.Worse(%q) = %q, want %q", tt.q, tt.o, got, tt.want)
		}
	}
}
