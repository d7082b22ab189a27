package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/footprint-gpp/footprint/seal/shamir"
)

// Committee custody (issue 18): a tender's key split among the members
// of its opening committee, so that any k of them open its bids and
// neither k−1 of them, nor the server with its key file and the whole
// database, can.
//
//   - Each officer has a HolderKey, an age X25519 key pair made with the
//     account. Its public recipient is kept with the account; its
//     identity only locked (Lock) under the officer's personal token,
//     which the server never stores. So sealing a share to an officer
//     needs no secret, and opening it needs the officer's token.
//   - SplitTenderKey splits the tender identity with Shamir's scheme
//     (package shamir) and seals share i to recipient i: an officer's
//     HolderKey recipient, or the key file's for a holder without one
//     (the bootstrap administrator, the command line), whose share the
//     server holds.
//   - At an approval, the opener's share is opened (HolderKey.OpenShare
//     with the token, or Keys.OpenShare) and kept sealed to the key file
//     (Keys.SealShare) until the k-th approval: fewer than k released
//     shares tell the server nothing. CombineShares rebuilds the tender
//     key from k of them, in memory, and checks that it is the tender's.

// Record tags: the first line of a share's plaintext, and the first bytes
// of a record sealed under a secret.
const (
	shareTag   = "footprint-tender-share-v1"
	secretTag  = "fpsk1"
	holderTag  = "footprint-holder-key-v1"
	secretSalt = "footprint-secret-seal-v1"
)

// MaxShareRecord is the largest sealed share OpenShare reads.
const MaxShareRecord = 16 << 10

// HolderKey is an officer's share key: an age X25519 key pair. Shares of
// tender keys are sealed to its Recipient; its identity is stored only
// locked under the officer's credential (Lock). String and GoString print
// the recipient only.
type HolderKey struct {
	id *age.X25519Identity
}

// NewHolderKey generates an officer's share key (crypto/rand).
func NewHolderKey() (*HolderKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("seal: generating a holder key: %w", err)
	}
	return &HolderKey{id: id}, nil
}

// Recipient is the holder key's public age recipient (age1…).
func (h *HolderKey) Recipient() string {
	if h == nil || h.id == nil {
		return ""
	}
	return h.id.Recipient().String()
}

// String names the holder key by its recipient, never its secret.
func (h *HolderKey) String() string { return "seal.HolderKey(" + h.Recipient() + ")" }

// GoString is String, so that %#v prints no secret either.
func (h *HolderKey) GoString() string { return h.String() }

// Lock encrypts the holder key's identity under credential (a personal
// token: 256 random bits) for context (the officer's id), with
// SealWithSecret. Only the credential unlocks it (UnlockHolderKey).
func (h *HolderKey) Lock(credential, context string) ([]byte, error) {
	if h == nil || h.id == nil {
		return nil, fmt.Errorf("seal: lock: %w: no holder key", ErrNoKey)
	}
	pt := []byte(holderTag + "\n" + h.id.String() + "\n")
	defer clear(pt)
	return SealWithSecret(credential, "holder-key\x00"+context, pt)
}

// UnlockHolderKey opens what Lock wrote with the same credential and
// context: ErrNoKey for another credential, another context or an
// altered record.
func UnlockHolderKey(locked []byte, credential, context string) (*HolderKey, error) {
	if len(locked) > MaxWrapped {
		return nil, fmt.Errorf("seal: %w: locked holder key of %d bytes; at most %d", ErrTooLarge, len(locked), MaxWrapped)
	}
	pt, err := OpenWithSecret(locked, credential, "holder-key\x00"+context)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	secret, ok := strings.CutPrefix(string(pt), holderTag+"\n")
	secret, ok2 := strings.CutSuffix(secret, "\n")
	if !ok || !ok2 {
		return nil, fmt.Errorf("seal: %w: the locked record opens but is not a %s record", ErrCorrupt, holderTag)
	}
	id, err := age.ParseX25519Identity(secret)
	if err != nil || id.String() != secret {
		return nil, fmt.Errorf("seal: %w: the locked record opens but holds no canonical age X25519 identity", ErrCorrupt)
	}
	return &HolderKey{id: id}, nil
}

// Share is one opened share of a tender key: the share itself, the
// tender recipient it belongs to and the threshold it was split with.
// It is secret material (k of them open the tender): String prints none
// of it.
type Share struct {
	// Tender is the recipient of the tender key the share is of.
	Tender string
	// K is the threshold the key was split with.
	K int
	s shamir.Share
}

// String names the share by its tender and x only.
func (s Share) String() string {
	return fmt.Sprintf("seal.Share(x=%d of a %d-threshold key of %s)", s.s.X, s.K, s.Tender)
}

// GoString is String.
func (s Share) GoString() string { return s.String() }

// X is the share's x coordinate (1…n): which holder's share it is.
func (s Share) X() int { return int(s.s.X) }

// plaintext is the share record: the tag, the tender recipient, k and
// the share's text, one per line.
func (s Share) plaintext() ([]byte, error) {
	txt, err := s.s.MarshalText()
	if err != nil {
		return nil, fmt.Errorf("seal: %w: %w", ErrCorrupt, err)
	}
	defer clear(txt)
	return []byte(shareTag + "\n" + s.Tender + "\n" + strconv.Itoa(s.K) + "\n" + string(txt) + "\n"), nil
}

// parseShare reads a share record's plaintext and checks that it is a
// share of the key of tender recipient tenderRecipient.
func parseShare(pt []byte, tenderRecipient string) (Share, error) {
	lines := strings.Split(string(pt), "\n")
	if len(lines) != 5 || lines[0] != shareTag || lines[4] != "" {
		return Share{}, fmt.Errorf("seal: %w: the record opens but is not a %s record", ErrCorrupt, shareTag)
	}
	if lines[1] != tenderRecipient {
		return Share{}, fmt.Errorf("seal: %w: the share is of another tender's key (%s), not of %s", ErrCorrupt, clip(lines[1]), clip(tenderRecipient))
	}
	k, err := strconv.Atoi(lines[2])
	if err != nil || k < 1 || k > shamir.MaxShares || strconv.Itoa(k) != lines[2] {
		return Share{}, fmt.Errorf("seal: %w: the share's threshold is not a number from 1 to %d", ErrCorrupt, shamir.MaxShares)
	}
	var sh shamir.Share
	if err := sh.UnmarshalText([]byte(lines[3])); err != nil {
		return Share{}, fmt.Errorf("seal: %w: the share's value does not parse", ErrCorrupt)
	}
	return Share{Tender: tenderRecipient, K: k, s: sh}, nil
}

// SplitTenderKey splits tender key tk into len(recipients) shares of
// which any k rebuild it (CombineShares) and any k−1 tell nothing, and
// seals share i (x = i+1) to recipients[i]: one record per holder, to be
// kept beside the tender. The identity is never written anywhere else.
func SplitTenderKey(tk *TenderKey, recipients []string, k int) ([][]byte, error) {
	if tk == nil || tk.id == nil {
		return nil, fmt.Errorf("seal: split: %w: no tender key", ErrNoKey)
	}
	secret := []byte(tk.id.String())
	defer clear(secret)
	shares, err := shamir.Split(secret, len(recipients), k, nil)
	if err != nil {
		return nil, fmt.Errorf("seal: split: %w", err)
	}
	defer func() {
		for _, s := range shares {
			clear(s.Y)
		}
	}()
	out := make([][]byte, len(shares))
	for i, s := range shares {
		pt, err := Share{Tender: tk.Recipient(), K: k, s: s}.plaintext()
		if err != nil {
			return nil, err
		}
		out[i], err = SealFor(recipients[i], pt)
		clear(pt)
		if err != nil {
			return nil, fmt.Errorf("seal: split: share %d: %w", i+1, err)
		}
	}
	return out, nil
}

// OpenShare opens a share record sealed to the holder key, and checks
// that it is a share of the key of tender recipient tenderRecipient.
// ErrNoKey: sealed to another key; ErrCorrupt: not a share of that key.
func (h *HolderKey) OpenShare(record []byte, tenderRecipient string) (Share, error) {
	if h == nil || h.id == nil {
		return Share{}, fmt.Errorf("seal: open share: %w: no holder key", ErrNoKey)
	}
	return openShare(record, tenderRecipient, h.id)
}

// OpenShare opens a share record sealed to the key file (a share the
// server holds, or a released one: SealShare) with any of its identities.
func (k *Keys) OpenShare(record []byte, tenderRecipient string) (Share, error) {
	if err := k.check(); err != nil {
		return Share{}, err
	}
	ids := make([]age.Identity, len(k.ids))
	for i, id := range k.ids {
		ids[i] = id
	}
	return openShare(record, tenderRecipient, ids...)
}

func openShare(record []byte, tenderRecipient string, ids ...age.Identity) (Share, error) {
	pt, err := decrypt(record, MaxShareRecord, 4096, "share", ids...)
	if err != nil {
		return Share{}, err
	}
	defer clear(pt)
	return parseShare(pt, tenderRecipient)
}

// SealShare seals an opened share to the key file's current recipient:
// how a released share is kept between an approval and the opening.
func (k *Keys) SealShare(s Share) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	pt, err := s.plaintext()
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return encrypt(k.ids[0].Recipient(), pt)
}

// CombineShares rebuilds a tender key from shares of it: at least the
// threshold's number of distinct shares of one tender key. It checks
// that the rebuilt key is the tender's (its recipient is the shares'):
// too few, mixed or altered shares are ErrNoKey, never a wrong key.
func CombineShares(shares []Share) (*TenderKey, error) {
	if len(shares) == 0 {
		return nil, fmt.Errorf("seal: combine: %w: no share", ErrNoKey)
	}
	tender, k := shares[0].Tender, shares[0].K
	seen := map[byte]bool{}
	ss := make([]shamir.Share, 0, len(shares))
	for _, s := range shares {
		if s.Tender != tender || s.K != k {
			return nil, fmt.Errorf("seal: combine: %w: the shares are of different keys", ErrNoKey)
		}
		if seen[s.s.X] {
			continue
		}
		seen[s.s.X] = true
		ss = append(ss, s.s)
	}
	if len(ss) < k {
		return nil, fmt.Errorf("seal: combine: %w: %d distinct share(s); the key was split so that %d are needed", ErrNoKey, len(ss), k)
	}
	secret, err := shamir.Combine(ss)
	if err != nil {
		return nil, fmt.Errorf("seal: combine: %w: %w", ErrCorrupt, err)
	}
	defer clear(secret)
	id, err := age.ParseX25519Identity(string(secret))
	if err != nil || id.Recipient().String() != tender {
		return nil, fmt.Errorf("seal: combine: %w: the shares do not rebuild the key of %s (one was altered)", ErrNoKey, clip(tender))
	}
	return newTenderKey(id), nil
}

// SealWithSecret encrypts plaintext (at most MaxPlaintext bytes) under a
// key derived from secret for context: HKDF-SHA256 (RFC 5869) of secret
// with the salt "footprint-secret-seal-v1" and context as info, then
// XChaCha20-Poly1305 with a random 24-byte nonce and context as
// additional data. The record is "fpsk1", the nonce and the sealed box.
// secret must be high-entropy (a token of 256 random bits): HKDF does not
// slow down guessing. Only OpenWithSecret with the same secret and
// context opens it.
func SealWithSecret(secret, context string, plaintext []byte) ([]byte, error) {
	if len(plaintext) > MaxPlaintext {
		return nil, fmt.Errorf("seal: %w: plaintext of %d bytes; at most %d (MaxPlaintext)", ErrTooLarge, len(plaintext), MaxPlaintext)
	}
	aead, err := secretAEAD(secret, context)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(secretTag)+chacha20poly1305.NonceSizeX, len(secretTag)+chacha20poly1305.NonceSizeX+len(plaintext)+aead.Overhead())
	copy(out, secretTag)
	nonce := out[len(secretTag):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, []byte(context)), nil
}

// OpenWithSecret opens what SealWithSecret wrote: ErrNoKey for another
// secret or context or an altered record, ErrCorrupt for what is not such
// a record, ErrTooLarge over MaxCiphertext.
func OpenWithSecret(record []byte, secret, context string) ([]byte, error) {
	if len(record) > MaxCiphertext {
		return nil, fmt.Errorf("seal: %w: record of %d bytes; at most %d", ErrTooLarge, len(record), MaxCiphertext)
	}
	head := len(secretTag) + chacha20poly1305.NonceSizeX
	if len(record) < head+chacha20poly1305.Overhead || !bytes.HasPrefix(record, []byte(secretTag)) {
		return nil, fmt.Errorf("seal: %w: not a record sealed under a secret (%s)", ErrCorrupt, secretTag)
	}
	aead, err := secretAEAD(secret, context)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, record[len(secretTag):head], record[head:], []byte(context))
	if err != nil {
		return nil, fmt.Errorf("seal: %w: the record does not open with this secret (another secret, or it was altered)", ErrNoKey)
	}
	return pt, nil
}

// secretAEAD is the XChaCha20-Poly1305 of SealWithSecret's derived key.
func secretAEAD(secret, context string) (cipher.AEAD, error) {
	if secret == "" {
		return nil, fmt.Errorf("seal: %w: no secret", ErrNoKey)
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), []byte(secretSalt), context, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: deriving a key: %w", err)
	}
	defer clear(key)
	return chacha20poly1305.NewX(key)
}
