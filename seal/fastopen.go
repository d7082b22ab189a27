package seal

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// An opening decrypts every bid of a tender with one key, so the work age
// repeats per file is done once here. age's X25519Identity derives its
// scalar's public half again for every file (x/crypto's X25519 goes
// through ecdh.NewPrivateKey, a base-point multiplication as costly as the
// ECDH itself), its parser reads the header through a 4 KiB buffer, and
// its payload reader allocates a 64 KiB chunk buffer per file: 3 GB of
// garbage for 50,000 bids. opener keeps the ecdh key, reads the header
// form SealFor writes itself (fileKeyOf; any other goes through age's
// parser) and decrypts the payload in place into one buffer of the
// plaintext's size.
//
// It is held to age.Decrypt by TestOpenerMatchesAge, TestOpenerChunkRules
// and FuzzOpener: same plaintext, same error class (ErrNoKey, ErrCorrupt,
// ErrTooLarge) on every valid, damaged, truncated or extended file. A file
// without the line that ends an age header goes to age.Decrypt, for age's
// own error.

// x25519Label is age's HKDF info for X25519 stanzas (age-encryption.org/v1).
const x25519Label = "age-encryption.org/v1/X25519"

// Sizes of age's payload (the STREAM construction of age-encryption.org/v1).
const (
	streamNonceSize = 16
	chunkSize       = 64 << 10
	encChunkSize    = chunkSize + chacha20poly1305.Overhead
	fileKeySize     = 16
)

// opener is an age X25519 identity prepared for many files.
type opener struct {
	priv *ecdh.PrivateKey
	pub  []byte // priv's public key, computed once
}

// newOpener prepares id, or returns nil when its secret cannot be read
// back (then age.Decrypt does the work). The scalar is read from id's
// Bech32 form; its public half must be the one id's recipient names, so a
// decoding mistake cannot yield a wrong key, only the slow path.
func newOpener(id *age.X25519Identity) *opener {
	scalar, err := bech32Decode("age-secret-key-", strings.ToLower(id.String()))
	if err != nil || len(scalar) != 32 {
		return nil
	}
	defer clear(scalar)
	priv, err := ecdh.X25519().NewPrivateKey(scalar)
	if err != nil {
		return nil
	}
	pub, err := bech32Decode("age", id.Recipient().String())
	if err != nil || !bytes.Equal(pub, priv.PublicKey().Bytes()) {
		return nil
	}
	return &opener{priv: priv, pub: pub}
}

// Unwrap implements age.Identity as age's X25519Identity does.
func (o *opener) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		fileKey, err := o.unwrap(s)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return fileKey, nil
	}
	return nil, age.ErrIncorrectIdentity
}

// unwrap opens one stanza as age's X25519Identity does.
func (o *opener) unwrap(s *age.Stanza) ([]byte, error) {
	if s.Type != "X25519" {
		return nil, age.ErrIncorrectIdentity
	}
	if len(s.Args) != 1 || strings.ContainsAny(s.Args[0], "\n\r") {
		return nil, errors.New("invalid X25519 recipient block")
	}
	share, err := base64.RawStdEncoding.Strict().DecodeString(s.Args[0]) // age's encoding
	if err != nil || len(share) != 32 {
		return nil, errors.New("invalid X25519 recipient block")
	}
	return o.unwrapShare(share, s.Body)
}

// unwrapShare opens an X25519 stanza's body with its ephemeral share:
// ECDH, HKDF-SHA256 over (share ‖ our public key, x25519Label),
// ChaCha20-Poly1305 with a zero nonce.
func (o *opener) unwrapShare(share, body []byte) ([]byte, error) {
	theirs, err := ecdh.X25519().NewPublicKey(share)
	if err != nil {
		return nil, errors.New("invalid X25519 recipient block")
	}
	shared, err := o.priv.ECDH(theirs)
	if err != nil {
		return nil, fmt.Errorf("invalid X25519 recipient: %v", err)
	}
	salt := make([]byte, 0, 64)
	salt = append(append(salt, share...), o.pub...)
	wrapKey, err := hkdf.Key(sha256.New, shared, salt, x25519Label, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.New(wrapKey)
	if err != nil {
		return nil, err
	}
	if len(body) != fileKeySize+aead.Overhead() {
		return nil, errors.New("invalid X25519 recipient block: incorrect file key size")
	}
	var nonce [chacha20poly1305.NonceSize]byte
	fileKey, err := aead.Open(nil, nonce[:], body, nil)
	if err != nil {
		return nil, age.ErrIncorrectIdentity
	}
	return fileKey, nil
}

// The header SealFor writes, which fileKeyOf reads without age's parser:
// the intro line, X25519 stanzas of one argument and a one-line body
// (32 bytes each, 43 base64 characters), and the MAC line.
const (
	ageIntro        = "age-encryption.org/v1\n"
	x25519Line      = "-> X25519 "
	b64Of32         = 43
	maxFastStanzas  = 4
	x25519StanzaLen = len(x25519Line) + b64Of32 + 1 + b64Of32 + 1
	macLineLen      = len("--- ") + b64Of32 + 1
)

// fileKeyOf reads the header at the start of in when it has exactly the
// form SealFor writes (fast is false otherwise: age's parser decides),
// and returns the file key its stanzas give this identity and the
// header's length, or the error age would give for it.
func (o *opener) fileKeyOf(in []byte) (fileKey []byte, n int, fast bool, err error) {
	if !bytes.HasPrefix(in, []byte(ageIntro)) {
		return nil, 0, false, nil
	}
	b64 := base64.RawStdEncoding.Strict()
	var shares, bodies [maxFastStanzas][32]byte
	i, k := len(ageIntro), 0
	for ; bytes.HasPrefix(in[i:], []byte(x25519Line)); k++ {
		st := in[i:]
		if k == maxFastStanzas || len(st) < x25519StanzaLen || st[len(x25519Line)+b64Of32] != '\n' || st[x25519StanzaLen-1] != '\n' {
			return nil, 0, false, nil
		}
		a, err1 := b64.Decode(shares[k][:], st[len(x25519Line):len(x25519Line)+b64Of32])
		b, err2 := b64.Decode(bodies[k][:], st[len(x25519Line)+b64Of32+1:x25519StanzaLen-1])
		if err1 != nil || err2 != nil || a != 32 || b != 32 {
			return nil, 0, false, nil
		}
		i += x25519StanzaLen
	}
	mac := in[i:]
	if k == 0 || len(mac) < macLineLen || string(mac[:4]) != "--- " || mac[macLineLen-1] != '\n' {
		return nil, 0, false, nil
	}
	var want [32]byte
	if m, err := b64.Decode(want[:], mac[4:macLineLen-1]); err != nil || m != 32 {
		return nil, 0, false, nil
	}
	// From here on age's parser accepts the header: age's answer follows.
	for j := range k {
		fileKey, err = o.unwrapShare(shares[j][:], bodies[j][:])
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		if err != nil {
			return nil, 0, true, err
		}
		break
	}
	if fileKey == nil {
		return nil, 0, true, &age.NoIdentityMatchError{}
	}
	hmacKey, err := hkdf.Key(sha256.New, fileKey, nil, "header", 32)
	if err != nil {
		return nil, 0, true, err
	}
	h := hmac.New(sha256.New, hmacKey)
	h.Write(in[:i+3]) // up to and including "---"
	if !hmac.Equal(h.Sum(nil), want[:]) {
		return nil, 0, true, errors.New("bad header MAC")
	}
	return fileKey, i + macLineLen, true, nil
}

// open is decrypt(in, maxIn, maxOut, what, the identity) without age's
// per-file costs.
func (o *opener) open(in []byte, maxIn, maxOut int, what string, slow age.Identity) ([]byte, error) {
	if len(in) > maxIn {
		return nil, fmt.Errorf("seal: %w: %s of %d bytes; at most %d", ErrTooLarge, what, len(in), maxIn)
	}
	fileKey, n, fast, err := o.fileKeyOf(in)
	if fast {
		if err != nil {
			return nil, headerError(err, what)
		}
		defer clear(fileKey)
		return o.openPayload(fileKey, in[n:], maxOut, what)
	}
	// Another header: age's parser reads it line by line up to the first
	// line that starts with "---" (stanza lines start "-> ", their bodies
	// are base64): that line ends it, and the payload follows.
	end := bytes.Index(in, []byte("\n---"))
	if end < 0 {
		return decrypt(in, maxIn, maxOut, what, slow)
	}
	nl := bytes.IndexByte(in[end+1:], '\n')
	if nl < 0 {
		return decrypt(in, maxIn, maxOut, what, slow)
	}
	hdr := in[:end+1+nl+1]
	fileKey, err = age.DecryptHeader(hdr, o)
	if err != nil {
		return nil, headerError(err, what)
	}
	defer clear(fileKey)
	return o.openPayload(fileKey, in[len(hdr):], maxOut, what)
}

// openPayload decrypts the payload after a header with its file key.
func (o *opener) openPayload(fileKey, payload []byte, maxOut int, what string) ([]byte, error) {
	if len(payload) < streamNonceSize {
		return nil, headerError(errors.New("failed to read nonce"), what)
	}
	key, err := hkdf.Key(sha256.New, fileKey, payload[:streamNonceSize], "payload", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return openStream(key, payload[streamNonceSize:], maxOut, what)
}

// headerError classifies an error of age's header processing as decrypt
// does: no identity matched is ErrNoKey, anything else ErrCorrupt.
func headerError(err error, what string) error {
	if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
		return fmt.Errorf("seal: %w: the %s was sealed to another key, or its recipient block was altered", ErrNoKey, what)
	}
	return fmt.Errorf("seal: %w: the %s is not an intact age file (its header is damaged or altered)", ErrCorrupt, what)
}

// openStream decrypts age's STREAM payload (after its nonce) with key into
// one buffer, with the rules of age's reader: full chunks, then one
// marked last chunk that is short, or full, or empty only when it is the
// only one; nothing after it.
func openStream(key, payload []byte, maxOut int, what string) ([]byte, error) {
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	damaged := func() error {
		return fmt.Errorf("seal: %w: the %s's payload was altered, truncated or extended", ErrCorrupt, what)
	}
	out := make([]byte, 0, min(len(payload), maxOut+encChunkSize))
	var nonce [chacha20poly1305.NonceSize]byte
	for i := uint64(0); ; i++ {
		if len(payload) == 0 {
			return nil, damaged() // no chunk was marked last: truncated
		}
		in, last := payload, len(payload) < encChunkSize
		if !last {
			in = payload[:encChunkSize]
		} else if i > 0 && len(in) == aead.Overhead() {
			return nil, damaged() // an empty last chunk after others
		}
		putCounter(&nonce, i, last)
		got, err := aead.Open(out[len(out):], nonce[:], in, nil)
		if err != nil && !last {
			last = true // a full-length last chunk
			putCounter(&nonce, i, true)
			got, err = aead.Open(out[len(out):], nonce[:], in, nil)
		}
		if err != nil {
			return nil, damaged()
		}
		out = out[:len(out)+len(got)]
		if len(out) > maxOut {
			return nil, fmt.Errorf("seal: %w: the %s's plaintext exceeds %d bytes", ErrTooLarge, what, maxOut)
		}
		payload = payload[len(in):]
		if last {
			if len(payload) != 0 {
				return nil, damaged() // trailing data
			}
			return out, nil
		}
	}
}

// putCounter sets nonce to chunk i's: an 88-bit big-endian counter and the
// last-chunk flag.
func putCounter(nonce *[chacha20poly1305.NonceSize]byte, i uint64, last bool) {
	*nonce = [chacha20poly1305.NonceSize]byte{}
	for j := 10; j >= 3; j-- {
		nonce[j] = byte(i)
		i >>= 8
	}
	if last {
		nonce[11] = 1
	}
}

// bech32Charset is Bech32's alphabet (BIP 173).
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Decode reads s, lower-case Bech32 with human-readable part hrp
// (BIP 173, without its 90-character limit, as age uses it), into bytes.
func bech32Decode(hrp, s string) ([]byte, error) {
	sep := strings.LastIndexByte(s, '1')
	if sep != len(hrp) || s[:sep] != hrp || len(s)-sep-1 < 6 {
		return nil, errors.New("not bech32 of the expected kind")
	}
	data := make([]byte, 0, len(s)-sep-1)
	for i := sep + 1; i < len(s); i++ {
		v := strings.IndexByte(bech32Charset, s[i])
		if v < 0 {
			return nil, errors.New("not bech32: a character outside its alphabet")
		}
		data = append(data, byte(v))
	}
	if bech32Polymod(hrp, data) != 1 {
		return nil, errors.New("not bech32: bad checksum")
	}
	data = data[:len(data)-6]
	// Regroup 5-bit values into bytes; the leftover bits must be zero padding.
	var acc uint32
	var bits uint
	out := make([]byte, 0, len(data)*5/8)
	for _, v := range data {
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if bits >= 5 || acc&(1<<bits-1) != 0 {
		return nil, errors.New("not bech32: bad padding")
	}
	return out, nil
}

// bech32Polymod is Bech32's checksum over hrp and data (BIP 173).
func bech32Polymod(hrp string, data []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v byte) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range 5 {
			if top>>i&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] >> 5)
	}
	step(0)
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] & 31)
	}
	for _, v := range data {
		step(v)
	}
	return chk
}
