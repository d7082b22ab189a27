package shamir

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzUnmarshalText: no input panics; an accepted input is in range and is
// the canonical form (MarshalText gives it back byte for byte); a refused
// one is ErrEncoding.
func FuzzUnmarshalText(f *testing.F) {
	for _, s := range []string{"1:AA==", "3:q83vASNFZ4k=", "255:YWJj", "0:AA==", "03:AA==", "3:AB==", "3:AA", "3:", ":", "", "3:AA==\n", "256:AA=="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var s Share
		err := s.UnmarshalText(text)
		if err != nil {
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("error %v is not ErrEncoding", err)
			}
			return
		}
		if s.X == 0 || len(s.Y) == 0 || len(s.Y) > MaxSecret {
			t.Fatalf("accepted out-of-range share %v", s)
		}
		back, err := s.MarshalText()
		if err != nil || !bytes.Equal(back, text) {
			t.Fatalf("%q parsed but marshals to %q, %v: two forms of one share", text, back, err)
		}
	})
}

// FuzzUnmarshalBinary: likewise for the binary form.
func FuzzUnmarshalBinary(f *testing.F) {
	f.Add([]byte{1, 0})
	f.Add([]byte{0, 1})
	f.Add([]byte{7})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Share
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("error %v is not ErrEncoding", err)
			}
			return
		}
		back, err := s.MarshalBinary()
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("%x parsed but marshals to %x, %v", data, back, err)
		}
	})
}

// FuzzCombine reads arbitrary shares ([x][length][y…]…) and combines them:
// no panic; an error is one of Combine's sentinels; a result has the
// shares' length and agrees with the reference interpolation.
func FuzzCombine(f *testing.F) {
	f.Add([]byte{1, 2, 0xAA, 0xBB, 2, 2, 0xCC, 0xDD})
	f.Add([]byte{1, 1, 5, 1, 1, 5})
	f.Add([]byte{0, 1, 5})
	f.Add([]byte{3, 2, 1, 2, 4, 1, 9})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var shares []Share
		for len(data) >= 2 {
			x, n := data[0], int(data[1])
			data = data[2:]
			n = min(n, len(data))
			shares = append(shares, Share{X: x, Y: data[:n]})
			data = data[n:]
		}
		got, err := Combine(shares)
		if err != nil {
			for _, want := range []error{ErrNoShares, ErrZeroX, ErrDuplicateX, ErrLengthMismatch, ErrSecretLength} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		if len(got) != len(shares[0].Y) {
			t.Fatalf("result of %d bytes from shares of %d", len(got), len(shares[0].Y))
		}
		if len(shares) <= 12 {
			if ref := refCombine(shares); !bytes.Equal(got, ref) {
				t.Fatalf("x = %s: Combine %x, reference %x", xs(shares), got, ref)
			}
		}
	})
}

// FuzzSplitCombine: any valid parameters and secret round-trip through
// any k of the shares, taken from a fuzzed offset, in reverse order.
func FuzzSplitCombine(f *testing.F) {
	f.Add([]byte("secret"), uint8(5), uint8(3), uint8(1), []byte("randomness"))
	f.Add([]byte{0}, uint8(1), uint8(1), uint8(0), []byte{})
	f.Add([]byte{0xFF, 0}, uint8(255), uint8(200), uint8(40), []byte{1})
	f.Fuzz(func(t *testing.T, secret []byte, n, k, off uint8, seed []byte) {
		if n == 0 || k == 0 || k > n || len(secret) == 0 || len(secret) > MaxSecret {
			if _, err := Split(secret, int(n), int(k), nil); err == nil {
				t.Fatalf("Split accepted n %d k %d secret of %d bytes", n, k, len(secret))
			}
			return
		}
		// A deterministic stream from the seed, long enough.
		src := bytes.Repeat(append(seed, 0x5A), (int(k)*len(secret))/(len(seed)+1)+1)
		shares, err := Split(secret, int(n), int(k), bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		var sub []Share
		for i := int(k) - 1; i >= 0; i-- {
			sub = append(sub, shares[(int(off)+i)%int(n)])
		}
		got, err := Combine(sub)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("n %d k %d: Combine of x = %s = %x, %v; want %x", n, k, xs(sub), got, err, secret)
		}
	})
}
