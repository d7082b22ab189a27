package seal

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	vecHash = "6c5cd6775eb412207f7f71f11f09047f1475b2b7526063195b777a230fe4c2a6" // SHA-256("event 3")
	// vecCanonical and vecSig are computed independently (Python's
	// cryptography package, Ed25519 with the seed 00 01 … 1f).
	vecCanonical = "17:footprint-head-v116:9f2c41d0a7b3e6551:364:" + vecHash + "27:2026-11-01T09:00:00.123456Z"
	vecSig       = "4zDYLxvc_2taOLYLJ6xPapIekDVL63PV-iryG_LNe6EFNuV7gHreeS39HCp_lBsQDP0DgzvACPXV_k5hgMILCw"
	vecText      = "footprint-head-v1 9f2c41d0a7b3e655 3 " + vecHash + " 2026-11-01T09:00:00.123456Z " + testKeyID + " " + vecSig
)

func testHead() Head {
	return Head{TenderID: "9f2c41d0a7b3e655", Seq: 3, Hash: vecHash, At: time.Date(2026, 11, 1, 10, 0, 0, 123456000, time.FixedZone("CET", 3600))}
}

func TestHeadVector(t *testing.T) {
	h := testHead()
	c, err := h.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if string(c) != vecCanonical {
		t.Errorf("Canonical =\n%s\nwant\n%s", c, vecCanonical)
	}
	sh, err := testKeys(t).SignHead(h)
	if err != nil {
		t.Fatal(err)
	}
	if got := sh.String(); got != vecText {
		t.Errorf("String =\n%s\nwant\n%s", got, vecText)
	}
	p, err := ParseSignedHead(vecText)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyHead(p, testKeys(t).VerifyKeys()); err != nil {
		t.Error(err)
	}
	if p.String() != vecText || !p.At.Equal(h.At) || p.At.Location() != time.UTC {
		t.Errorf("parsed %+v", p)
	}
}

func TestSignVerify(t *testing.T) {
	k := testKeys(t)
	keys := k.VerifyKeys()
	sh, err := k.SignHead(testHead())
	if err != nil {
		t.Fatal(err)
	}
	if sh.KeyID != testKeyID {
		t.Errorf("KeyID = %s", sh.KeyID)
	}
	if err := VerifyHead(sh, keys); err != nil {
		t.Fatal(err)
	}
	other, _ := Generate()
	tamper := []struct {
		name string
		f    func(*SignedHead)
		want error
	}{
		{"tender", func(s *SignedHead) { s.TenderID = "9f2c41d0a7b3e656" }, ErrSignature},
		{"seq", func(s *SignedHead) { s.Seq = 4 }, ErrSignature},
		{"hash", func(s *SignedHead) { s.Hash = strings.Repeat("0", 64) }, ErrSignature},
		{"time", func(s *SignedHead) { s.At = s.At.Add(time.Microsecond) }, ErrSignature},
		{"signature", func(s *SignedHead) { s.Sig = append([]byte{}, s.Sig...); s.Sig[5] ^= 1 }, ErrSignature},
		{"signature of another key", func(s *SignedHead) { o, _ := other.SignHead(s.Head); s.Sig = o.Sig }, ErrSignature},
		{"key id", func(s *SignedHead) { s.KeyID = testOldID }, ErrSignature},
		{"unknown key id", func(s *SignedHead) { s.KeyID = "0000000000000000" }, ErrUnknownKey},
		{"short signature", func(s *SignedHead) { s.Sig = s.Sig[:63] }, ErrHead},
		{"no signature", func(s *SignedHead) { s.Sig = nil }, ErrHead},
		{"bad hash", func(s *SignedHead) { s.Hash = strings.ToUpper(s.Hash) }, ErrHead},
		{"seq 0", func(s *SignedHead) { s.Seq = 0 }, ErrHead},
		{"zero time", func(s *SignedHead) { s.At = time.Time{} }, ErrHead},
		{"empty tender", func(s *SignedHead) { s.TenderID = "" }, ErrHead},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			s := sh
			tc.f(&s)
			if err := VerifyHead(s, keys); !errors.Is(err, tc.want) {
				t.Errorf("%v, want %v", err, tc.want)
			}
		})
	}
	if err := VerifyHead(sh, nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("no keys: %v", err)
	}
	if err := VerifyHead(sh, []ed25519.PublicKey{{1, 2, 3}}); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("a malformed key: %v", err)
	}
}

func TestHeadValidate(t *testing.T) {
	ok := testHead()
	tests := []struct {
		name string
		f    func(*Head)
		msg  string
	}{
		{"tender with space", func(h *Head) { h.TenderID = "a b" }, "tender id"},
		{"tender with dot", func(h *Head) { h.TenderID = "a.b" }, "tender id"},
		{"tender too long", func(h *Head) { h.TenderID = strings.Repeat("a", MaxTenderID+1) }, "tender id"},
		{"negative seq", func(h *Head) { h.Seq = -1 }, "seq -1"},
		{"short hash", func(h *Head) { h.Hash = h.Hash[:63] }, "64 lower-case hex"},
		{"year 10000", func(h *Head) { h.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "years 1 to 9999"},
		{"year 0", func(h *Head) { h.At = time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC) }, "years 1 to 9999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ok
			tc.f(&h)
			err := h.Validate()
			if !errors.Is(err, ErrHead) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v, want ErrHead saying %q", err, tc.msg)
			}
			if _, err := testKeys(t).SignHead(h); !errors.Is(err, ErrHead) {
				t.Errorf("SignHead: %v", err)
			}
		})
	}
	h := ok
	h.TenderID = strings.Repeat("A-_z9", MaxTenderID/5)
	h.Seq = 1<<63 - 1
	h.At = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	sh, err := testKeys(t).SignHead(h)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSignedHead(sh.String())
	if err != nil || VerifyHead(p, testKeys(t).VerifyKeys()) != nil {
		t.Errorf("extreme head: %v", err)
	}
}

func TestParseSignedHeadErrors(t *testing.T) {
	f := strings.Split(vecText, " ")
	with := func(i int, v string) string {
		g := append([]string{}, f...)
		g[i] = v
		return strings.Join(g, " ")
	}
	tests := []struct{ name, in, msg string }{
		{"empty", "", "1 space-separated fields"},
		{"six fields", strings.Join(f[:6], " "), "6 space-separated"},
		{"double space", strings.Replace(vecText, " ", "  ", 1), "8 space-separated"},
		{"trailing space", vecText + " ", "8 space-separated"},
		{"newline", vecText + "\n", "signature"},
		{"tab", strings.Replace(vecText, " ", "\t", 1), "space-separated"},
		{"tag", with(0, "footprint-head-v2"), "want footprint-head-v1"},
		{"tender", with(1, "a/b"), "tender id"},
		{"seq 0", with(2, "0"), "seq"},
		{"seq +3", with(2, "+3"), "seq"},
		{"seq 03", with(2, "03"), "seq"},
		{"seq overflow", with(2, "9223372036854775808"), "seq"},
		{"hash upper", with(3, strings.ToUpper(vecHash)), "hash"},
		{"hash short", with(3, vecHash[:62]), "hash"},
		{"time offset", with(4, "2026-11-01T10:00:00.123456+01:00"), "time"},
		{"time trailing zero", with(4, "2026-11-01T09:00:00.1234560Z"), "time"},
		{"time lower z", with(4, "2026-11-01T09:00:00.123456z"), "time"},
		{"time date only", with(4, "2026-11-01"), "time"},
		{"key id upper", with(5, strings.ToUpper(testKeyID)), "key id"},
		{"key id short", with(5, testKeyID[:15]), "key id"},
		{"sig padded", with(6, vecSig+"=="), "signature"},
		{"sig std base64", with(6, strings.NewReplacer("-", "+", "_", "/").Replace(vecSig)), "signature"},
		{"sig short", with(6, vecSig[:84]), "signature"},
		{"sig non-canonical", with(6, vecSig[:85]+"x"), "signature"},
		{"too long", with(1, strings.Repeat("a", 600)), "at most 512"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSignedHead(tc.in)
			if !errors.Is(err, ErrHead) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v, want ErrHead saying %q", err, tc.msg)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestSignedHeadJSON(t *testing.T) {
	sh, err := testKeys(t).SignHead(testHead())
	if err != nil {
		t.Fatal(err)
	}
	type receipt struct {
		BidID string     `json:"bid_id"`
		Head  SignedHead `json:"signed_head"`
	}
	b, err := json.Marshal(receipt{"b1", sh})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"bid_id":"b1","signed_head":"` + vecText + `"}`; string(b) != want {
		t.Errorf("JSON = %s\nwant %s", b, want)
	}
	var r receipt
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Head.String() != sh.String() || VerifyHead(r.Head, testKeys(t).VerifyKeys()) != nil {
		t.Errorf("JSON round trip: %+v", r.Head)
	}
	for _, bad := range []string{`{"signed_head":42}`, `{"signed_head":{"seq":3}}`, `{"signed_head":"footprint-head-v1"}`} {
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if _, err := json.Marshal(SignedHead{Head: testHead()}); !errors.Is(err, ErrHead) {
		t.Errorf("unsigned head marshaled: %v", err)
	}
}
