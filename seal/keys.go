package seal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"filippo.io/age"
)

// Key file limits.
const (
	// MaxKeyFileSize is the largest key file Load and Parse read.
	MaxKeyFileSize = 1 << 20
	// maxKeyLine is the longest line of a key file, comments included.
	maxKeyLine = 1024
	// maxKeyEntries is the most age-identity, signing-key and verify-key
	// lines together: each rotation adds two.
	maxKeyEntries = 1024
)

// keyFileHeader is the first line of every key file.
const keyFileHeader = "footprint-keys v1"

// Key file entry keywords.
const (
	kwIdentity = "age-identity"
	kwSigning  = "signing-key"
	kwVerify   = "verify-key"
)

// Keys are the server's secrets, kept in one file outside the database
// (the key file; see the package doc and docs/sealing.md): the age X25519
// identities to which tender keys are wrapped, the current one first and
// the older ones kept to unwrap keys wrapped before a rotation, and the
// Ed25519 key that signs chain heads, with the public keys of older
// signing keys kept to verify heads signed before a rotation.
//
// A *Keys is immutable: Rotate returns a new value. Its methods are safe
// for concurrent use. It implements no marshaling interface on purpose
// (JSON or a log line must never carry it); String and GoString print its
// public key ids only, and Encode is the one way to its secret text.
type Keys struct {
	ids  []*age.X25519Identity // current first
	sign ed25519.PrivateKey
	old  []ed25519.PublicKey // older signing keys' public keys, newest first
}

// Generate returns new keys: one age X25519 identity and one Ed25519
// signing key, from crypto/rand.
func Generate() (*Keys, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("seal: generating an age identity: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: generating a signing key: %w", err)
	}
	return &Keys{ids: []*age.X25519Identity{id}, sign: priv}, nil
}

// Rotate returns new keys whose current age identity and signing key are
// freshly generated, keeping k's identities (to unwrap tender keys wrapped
// before) and k's public signing keys (to verify heads signed before); k
// itself is unchanged. Save the result, then restart the servers that use
// it (docs/sealing.md, "Rotation").
func (k *Keys) Rotate() (*Keys, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	n, err := Generate()
	if err != nil {
		return nil, err
	}
	if len(k.ids)+1+len(k.old)+1 > maxKeyEntries {
		return nil, fmt.Errorf("seal: rotate: %w: the key file would hold more than %d keys; rewrap the tender keys and drop the oldest identities first", ErrTooLarge, maxKeyEntries)
	}
	n.ids = append(n.ids, k.ids...)
	n.old = append([]ed25519.PublicKey{k.sign.Public().(ed25519.PublicKey)}, k.old...)
	return n, nil
}

// check refuses a nil or zero Keys.
func (k *Keys) check() error {
	if k == nil || len(k.ids) == 0 || len(k.sign) != ed25519.PrivateKeySize {
		return fmt.Errorf("seal: %w: no keys (use Generate, Load or Parse)", ErrNoKey)
	}
	return nil
}

// Recipients are the public age recipients (age1…) of the identities,
// the current one first: tender keys are wrapped to the first.
func (k *Keys) Recipients() []string {
	if k == nil {
		return nil
	}
	rs := make([]string, len(k.ids))
	for i, id := range k.ids {
		rs[i] = id.Recipient().String()
	}
	return rs
}

// VerifyKeys are the public Ed25519 keys that verify signed heads, the
// current signing key's first, then the older ones, newest first.
func (k *Keys) VerifyKeys() []ed25519.PublicKey {
	if k == nil || len(k.sign) != ed25519.PrivateKeySize {
		return nil
	}
	ks := make([]ed25519.PublicKey, 0, 1+len(k.old))
	ks = append(ks, bytes.Clone(k.sign.Public().(ed25519.PublicKey)))
	for _, p := range k.old {
		ks = append(ks, bytes.Clone(p))
	}
	return ks
}

// SigningKeyID is the key id (KeyID) of the current signing key.
func (k *Keys) SigningKeyID() string {
	if k == nil || len(k.sign) != ed25519.PrivateKeySize {
		return ""
	}
	return KeyID(k.sign.Public().(ed25519.PublicKey))
}

// String describes k by its public parts only: how many identities, the
// current recipient, the signing key id.
func (k *Keys) String() string {
	if k.check() != nil {
		return "seal.Keys(none)"
	}
	return fmt.Sprintf("seal.Keys(%d age identities, current recipient %s; signing key %s, %d older)",
		len(k.ids), k.ids[0].Recipient().String(), k.SigningKeyID(), len(k.old))
}

// GoString is String, so that %#v prints no secret either.
func (k *Keys) GoString() string { return k.String() }

// Encode returns the key file's text (docs/sealing.md): the header, the
// age identities (current first), the signing key, the older public keys,
// with comments. It holds every secret: write it only with Save, or into a
// secret store.
func (k *Keys) Encode() []byte {
	if k.check() != nil {
		return nil
	}
	var b bytes.Buffer
	b.WriteString(keyFileHeader + "\n")
	b.WriteString("# footprint server keys (docs/sealing.md). Keep this file outside the\n")
	b.WriteString("# database and back it up apart from the database's backups.\n")
	b.WriteString("# age identities, current first: tender keys are wrapped to the first,\n")
	b.WriteString("# the others unwrap tender keys wrapped before a rotation.\n")
	for _, id := range k.ids {
		b.WriteString(kwIdentity + " " + id.String() + "\n")
	}
	b.WriteString("# Ed25519 signing key (base64 of the 32-byte RFC 8032 seed), key id " + k.SigningKeyID() + ".\n")
	b.WriteString(kwSigning + " " + base64.StdEncoding.EncodeToString(k.sign.Seed()) + "\n")
	if len(k.old) > 0 {
		b.WriteString("# Public keys of older signing keys, newest first, to verify heads signed\n")
		b.WriteString("# before a rotation.\n")
		for _, p := range k.old {
			b.WriteString(kwVerify + " " + base64.StdEncoding.EncodeToString(p) + "\n")
		}
	}
	return b.Bytes()
}

// Parse reads a key file's content (docs/sealing.md), for example from an
// environment variable that holds it. It is strict: the header line
// "footprint-keys v1" first; then blank lines, "#" comments and entries,
// one per line, each a keyword, one space and a value in canonical form;
// at least one age-identity (the first is current), exactly one
// signing-key, any verify-key; no duplicate key; LF line endings, no
// trailing white space. Errors are *LineError values wrapping ErrKeyFile
// that name the line and never repeat its content.
func Parse(data []byte) (*Keys, error) {
	return parseKeys("key file", data)
}

// parseKeys is Parse with the name of the source for error messages.
func parseKeys(src string, data []byte) (*Keys, error) {
	fail := func(line int, format string, args ...any) error {
		return &LineError{Source: src, Line: line, Err: ErrKeyFile, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxKeyFileSize {
		return nil, &LineError{Source: src, Err: ErrTooLarge, Msg: fmt.Sprintf("%d bytes; a key file has at most %d", len(data), MaxKeyFileSize)}
	}
	if len(data) == 0 {
		return nil, fail(1, "empty; the first line must be %q", keyFileHeader)
	}
	lines := strings.Split(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the final newline
	}
	k := &Keys{}
	seenID := map[string]int{}
	seenPub := map[string]int{}
	signLine, entries := 0, 0
	type pubAt struct {
		pub  ed25519.PublicKey
		line int
	}
	var olds []pubAt
	for i, line := range lines {
		n := i + 1
		switch {
		case len(line) > maxKeyLine:
			return nil, fail(n, "longer than %d bytes", maxKeyLine)
		case strings.Contains(line, "\r"):
			return nil, fail(n, "carriage return: save the file with LF line endings")
		case i == 0:
			if line != keyFileHeader {
				return nil, fail(n, "the first line must be %q", keyFileHeader)
			}
			continue
		case line == "" || line[0] == '#':
			continue
		case line != strings.TrimSpace(line):
			return nil, fail(n, "leading or trailing white space")
		}
		kw, val, _ := strings.Cut(line, " ")
		if kw != kwIdentity && kw != kwSigning && kw != kwVerify {
			return nil, fail(n, "not an entry: want %q, %q or %q, one space and a value (or a # comment)", kwIdentity, kwSigning, kwVerify)
		}
		if val == "" || strings.ContainsAny(val, " \t") {
			return nil, fail(n, "%s takes exactly one value after one space", kw)
		}
		if entries++; entries > maxKeyEntries {
			return nil, fail(n, "more than %d keys", maxKeyEntries)
		}
		switch kw {
		case kwIdentity:
			id, err := age.ParseX25519Identity(val)
			if _, uerr := age.ParseX25519Identity(strings.ToUpper(val)); err != nil && uerr == nil {
				return nil, fail(n, "the age identity is not in its canonical upper-case form")
			}
			if err != nil {
				return nil, fail(n, "the value is not an age X25519 identity (AGE-SECRET-KEY-1 and 58 more characters, upper case)")
			}
			if id.String() != val {
				return nil, fail(n, "the age identity is not in its canonical upper-case form")
			}
			if prev, dup := seenID[val]; dup {
				return nil, fail(n, "the same age identity as line %d", prev)
			}
			seenID[val] = n
			k.ids = append(k.ids, id)
		case kwSigning:
			if signLine != 0 {
				return nil, fail(n, "a second signing-key (line %d has one); an older key is kept as a verify-key line with its public key", signLine)
			}
			seed, err := decodeKey(val)
			if err != nil {
				return nil, fail(n, "signing-key takes the standard base64 (with padding) of a 32-byte Ed25519 seed")
			}
			k.sign = ed25519.NewKeyFromSeed(seed)
			clear(seed)
			signLine = n
		case kwVerify:
			pub, err := decodeKey(val)
			if err != nil {
				return nil, fail(n, "verify-key takes the standard base64 (with padding) of a 32-byte Ed25519 public key")
			}
			olds = append(olds, pubAt{ed25519.PublicKey(pub), n})
		}
	}
	if len(k.ids) == 0 {
		return nil, fail(0, "no %s line; the file needs at least one", kwIdentity)
	}
	if signLine == 0 {
		return nil, fail(0, "no %s line; the file needs exactly one", kwSigning)
	}
	seenPub[string(k.sign.Public().(ed25519.PublicKey))] = signLine
	for _, o := range olds {
		if prev, dup := seenPub[string(o.pub)]; dup {
			return nil, fail(o.line, "the same public key as line %d (key id %s)", prev, KeyID(o.pub))
		}
		seenPub[string(o.pub)] = o.line
		k.old = append(k.old, o.pub)
	}
	return k, nil
}

// decodeKey decodes the canonical padded standard base64 of 32 bytes.
func decodeKey(s string) ([]byte, error) {
	if len(s) != base64.StdEncoding.EncodedLen(32) {
		return nil, ErrKeyFile
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 32 || base64.StdEncoding.EncodeToString(b) != s {
		return nil, ErrKeyFile
	}
	return b, nil
}

// Load reads and parses the key file at path. It refuses a file that is
// not a regular file, or (except on Windows) one whose mode lets group or
// others read or write it: the message says to chmod 600 it.
func Load(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("seal: %w: key file %s is not a regular file", ErrKeyFile, path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("seal: %w: key file %s has mode %04o, open to group or others: run chmod 600 %s", ErrPermissions, path, perm, path)
	}
	if fi.Size() > MaxKeyFileSize {
		return nil, &LineError{Source: "key file " + path, Err: ErrTooLarge, Msg: fmt.Sprintf("%d bytes; a key file has at most %d", fi.Size(), MaxKeyFileSize)}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	defer clear(data)
	return parseKeys("key file "+path, data)
}

// Save writes k's key file (Encode) to path with mode 0600, atomically: a
// temporary file in the same directory, written and fsynced, renamed over
// path, and the directory fsynced, so that a crash leaves either the old
// file or the new one, never a mix.
func (k *Keys) Save(path string) (err error) {
	if err := k.check(); err != nil {
		return err
	}
	data := k.Encode()
	defer clear(data)
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("seal: saving key file %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("seal: saving key file %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("seal: saving key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("seal: saving key file %s: fsync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seal: saving key file %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("seal: saving key file %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that a rename or a new file in it is on
// disk. Windows cannot open a directory for it; there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("seal: fsync of directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("seal: fsync of directory %s: %w", dir, err)
	}
	return nil
}

// Derive returns a 32-byte secret for label, derived from the current
// signing key (HMAC-SHA256 keyed by its seed over a domain-separated
// label): a secret the database never holds, for what must not be kept
// in it, such as the key that signs web sessions or the tag that vouches
// for a stored credential's hash. Rotating the signing key changes every
// derived secret.
func (k *Keys) Derive(label string) []byte {
	m := hmac.New(sha256.New, k.sign.Seed())
	m.Write([]byte("footprint-derive-v1\x00" + label))
	return m.Sum(nil)
}

// Tag returns a hex HMAC-SHA256 of value under Derive(label), and
// CheckTag reports in constant time whether tag is value's: a stored
// value's tag, kept beside it, shows whether a database writer replaced it.
func (k *Keys) Tag(label, value string) string {
	m := hmac.New(sha256.New, k.Derive(label))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckTag reports whether tag is Tag(label, value), in constant time.
func (k *Keys) CheckTag(label, value, tag string) bool {
	return hmac.Equal([]byte(k.Tag(label, value)), []byte(tag))
}
