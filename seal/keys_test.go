package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseTestKeys(t *testing.T) {
	k := testKeys(t)
	if got, want := strings.Join(k.Recipients(), ","), testRcpt1+","+testRcpt2; got != want {
		t.Errorf("Recipients = %s, want %s", got, want)
	}
	vk := k.VerifyKeys()
	if len(vk) != 2 || base64.StdEncoding.EncodeToString(vk[0]) != testPub || base64.StdEncoding.EncodeToString(vk[1]) != testOldPub {
		t.Errorf("VerifyKeys = %v", vk)
	}
	if got := k.SigningKeyID(); got != testKeyID {
		t.Errorf("SigningKeyID = %s, want %s", got, testKeyID)
	}
	if got := KeyID(vk[1]); got != testOldID {
		t.Errorf("KeyID(old) = %s, want %s", got, testOldID)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	g, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*Keys{"generated": g, "rotated": r, "testdata": testKeys(t)} {
		t.Run(name, func(t *testing.T) {
			enc := k.Encode()
			k2, err := Parse(enc)
			if err != nil {
				t.Fatalf("Parse(Encode()): %v\n%s", err, enc)
			}
			if !bytes.Equal(k2.Encode(), enc) {
				t.Errorf("Encode not stable:\n%s\n---\n%s", enc, k2.Encode())
			}
			if fmt.Sprint(k2.Recipients()) != fmt.Sprint(k.Recipients()) || fmt.Sprint(k2.VerifyKeys()) != fmt.Sprint(k.VerifyKeys()) {
				t.Errorf("keys changed in the round trip")
			}
			if !bytes.HasPrefix(enc, []byte("footprint-keys v1\n")) {
				t.Errorf("no header: %s", enc)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	h := "footprint-keys v1\n"
	id := "age-identity " + testID1 + "\n"
	sk := "signing-key " + testSeed + "\n"
	// A seed whose last base64 character has non-zero padding bits.
	noncanon := testSeed[:len(testSeed)-2] + "9="
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 1, "empty"},
		{"no header", id + sk, 1, `the first line must be "footprint-keys v1"`},
		{"header v2", "footprint-keys v2\n" + id + sk, 1, "first line"},
		{"header with CR", "footprint-keys v1\r\n" + id + sk, 1, "carriage return"},
		{"secret as first line", testID1 + "\n" + sk, 1, "first line"},
		{"CRLF", h + "age-identity " + testID1 + "\r\n" + sk, 2, "LF line endings"},
		{"trailing space", h + "age-identity " + testID1 + " \n" + sk, 2, "white space"},
		{"leading space", h + " " + id + sk, 2, "white space"},
		{"tab", h + "age-identity\t" + testID1 + "\n" + sk, 2, "not an entry"},
		{"unknown keyword", h + "age-idenity " + testID1 + "\n" + sk, 2, "not an entry"},
		{"bare secret", h + testID1 + "\n" + sk, 2, "not an entry"},
		{"no value", h + "age-identity\n" + sk, 2, "exactly one value"},
		{"empty value", h + "age-identity \n" + sk, 2, "white space"},
		{"two values", h + "age-identity " + testID1 + " " + testID2 + "\n" + sk, 2, "exactly one value"},
		{"bad identity", h + "age-identity " + testID1[:len(testID1)-1] + "Q\n" + sk, 2, "not an age X25519 identity"},
		{"short identity", h + "age-identity AGE-SECRET-KEY-1QQQ\n" + sk, 2, "not an age X25519 identity"},
		{"lower-case identity", h + "age-identity " + strings.ToLower(testID1) + "\n" + sk, 2, "canonical upper-case"},
		{"recipient as identity", h + "age-identity " + testRcpt1 + "\n" + sk, 2, "not an age X25519 identity"},
		{"duplicate identity", h + id + "# x\n" + id + sk, 4, "same age identity as line 2"},
		{"two signing keys", h + id + sk + "signing-key " + testOldPub + "\n", 4, "second signing-key (line 3"},
		{"bad base64", h + id + "signing-key " + testSeed[:10] + "!" + testSeed[11:] + "\n", 3, "base64"},
		{"short seed", h + id + "signing-key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", 3, "32-byte Ed25519 seed"},
		{"unpadded seed", h + id + "signing-key " + strings.TrimSuffix(testSeed, "=") + "\n", 3, "base64"},
		{"url base64", h + id + "signing-key " + strings.ReplaceAll(testPub, "/", "_") + "\n", 3, "base64"},
		{"non-canonical base64", h + id + "signing-key " + noncanon + "\n", 3, "base64"},
		{"bad verify key", h + id + sk + "verify-key abc\n", 4, "32-byte Ed25519 public key"},
		{"verify key is signing key", h + id + sk + "verify-key " + testPub + "\n", 4, "same public key as line 3"},
		{"duplicate verify key", h + id + sk + "verify-key " + testOldPub + "\nverify-key " + testOldPub + "\n", 5, "same public key as line 4"},
		{"no identity", h + sk, 0, "no age-identity line"},
		{"no signing key", h + id, 0, "no signing-key line"},
		{"only header", h, 0, "no age-identity"},
		{"long comment", h + "#" + strings.Repeat("x", 1024) + "\n" + id + sk, 2, "longer than 1024"},
		{"too large", h + strings.Repeat("#\n", MaxKeyFileSize/2) + id + sk, 0, "at most 1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("%T %v, want *LineError", err, err)
			}
			if le.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", le.Line, tc.line, err)
			}
			if !errors.Is(err, ErrKeyFile) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("%v does not wrap ErrKeyFile", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%q does not say %q", err, tc.msg)
			}
			noSecret(t, err.Error())
			if len(err.Error()) > 300 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	in := "footprint-keys v1\n\n# comment\n#\nsigning-key " + testSeed + "\nverify-key " + testOldPub + "\nage-identity " + testID2 + "\n\nage-identity " + testID1 // no final newline
	k, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Recipients(); len(got) != 2 || got[0] != testRcpt2 {
		t.Errorf("Recipients = %v: the first age-identity line is current", got)
	}
}

func TestKeysRedacted(t *testing.T) {
	k := testKeys(t)
	tk, err := k.Unwrap(mustWrap(t, k))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{k, tk, *k} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			s := fmt.Sprintf(f, v)
			noSecret(t, s)
			if strings.Contains(s, base64.StdEncoding.EncodeToString(k.sign.Seed())[:20]) {
				t.Errorf("%s of %T shows the signing seed: %s", f, v, s)
			}
		}
	}
	if s := fmt.Sprint(k); !strings.Contains(s, testRcpt1) || !strings.Contains(s, testKeyID) {
		t.Errorf("String = %s, want the recipient and key id", s)
	}
}

func TestRotate(t *testing.T) {
	k := testKeys(t)
	before := string(k.Encode())
	wrapped := mustWrap(t, k)
	sh, err := k.SignHead(testHead())
	if err != nil {
		t.Fatal(err)
	}
	r, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if string(k.Encode()) != before {
		t.Error("Rotate changed its receiver")
	}
	rs := r.Recipients()
	if len(rs) != 3 || rs[1] != testRcpt1 || rs[2] != testRcpt2 || rs[0] == testRcpt1 {
		t.Errorf("Recipients after rotation = %v", rs)
	}
	vk := r.VerifyKeys()
	if len(vk) != 3 || KeyID(vk[1]) != testKeyID || KeyID(vk[2]) != testOldID || r.SigningKeyID() == testKeyID {
		t.Errorf("VerifyKeys after rotation: %d keys, current %s", len(vk), r.SigningKeyID())
	}
	// Old heads verify, old wrapped keys unwrap; new ones use the new keys.
	if err := VerifyHead(sh, vk); err != nil {
		t.Errorf("old head: %v", err)
	}
	if _, err := r.Unwrap(wrapped); err != nil {
		t.Errorf("old wrapped key: %v", err)
	}
	sh2, err := r.SignHead(testHead())
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyHead(sh2, k.VerifyKeys()); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("new head with old keys: %v, want ErrUnknownKey", err)
	}
	w2 := mustWrap(t, r)
	if _, err := k.Unwrap(w2); !errors.Is(err, ErrNoKey) {
		t.Errorf("new wrapped key with old keys: %v, want ErrNoKey", err)
	}
	// The rotated file round-trips and says which is which.
	r2, err := Parse(r.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if r2.SigningKeyID() != r.SigningKeyID() {
		t.Error("rotated keys do not round-trip")
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	k := testKeys(t)
	// Save replaces a file with too open a mode, leaving 0600.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 0600", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("Save left %d files in the directory", len(ents))
	}
	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.Encode(), k.Encode()) {
		t.Error("Load(Save(k)) differs")
	}
	if runtime.GOOS == "windows" {
		return
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o620, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if !errors.Is(err, ErrPermissions) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %o: %v, want ErrPermissions saying chmod 600", mode, err)
		}
		noSecret(t, fmt.Sprint(err))
	}
	os.Chmod(path, 0o400)
	if _, err := Load(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(dir); !errors.Is(err, ErrKeyFile) {
		t.Errorf("directory: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("footprint-keys v1\nage-identity "+testID1+"x\n"), 0o600)
	_, err := Load(bad)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: %v, want line 2 of %s", err, bad)
	}
	noSecret(t, err.Error())
	if err := testKeys(t).Save(filepath.Join(dir, "nodir", "keys")); err == nil {
		t.Error("Save into a missing directory: no error")
	}
}

func TestNilKeys(t *testing.T) {
	var k *Keys
	tk, _ := NewTenderKey()
	if _, err := k.Wrap(tk); !errors.Is(err, ErrNoKey) {
		t.Errorf("Wrap: %v", err)
	}
	if _, err := k.Unwrap(nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("Unwrap: %v", err)
	}
	if _, err := k.SignHead(testHead()); !errors.Is(err, ErrNoKey) {
		t.Errorf("SignHead: %v", err)
	}
	if _, err := k.Rotate(); !errors.Is(err, ErrNoKey) {
		t.Errorf("Rotate: %v", err)
	}
	if err := k.Save(filepath.Join(t.TempDir(), "k")); !errors.Is(err, ErrNoKey) {
		t.Errorf("Save: %v", err)
	}
	if k.Recipients() != nil || k.VerifyKeys() != nil || k.SigningKeyID() != "" || k.Encode() != nil || k.String() != "seal.Keys(none)" {
		t.Error("nil Keys' public parts are not empty")
	}
	if _, err := (&Keys{}).Wrap(tk); !errors.Is(err, ErrNoKey) {
		t.Errorf("zero Keys: %v", err)
	}
}

// TestDeriveAndTag: derived secrets depend on the label and the signing
// key, never on anything else; a tag checks only its own value and label.
func TestDeriveAndTag(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	r, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Derive("a"), k.Derive("a")) || bytes.Equal(k.Derive("a"), k.Derive("b")) || bytes.Equal(k.Derive("a"), r.Derive("a")) {
		t.Error("Derive is not a function of the label and the signing key alone")
	}
	tag := k.Tag("officer", "h1")
	switch {
	case !k.CheckTag("officer", "h1", tag):
		t.Error("a tag does not check its own value")
	case k.CheckTag("officer", "h2", tag), k.CheckTag("session", "h1", tag), r.CheckTag("officer", "h1", tag):
		t.Error("a tag checks another value, label or key")
	}
}
