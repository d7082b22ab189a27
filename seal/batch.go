package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Batch keys: one X25519 unwrap per batch of bids instead of one per bid.
//
// A bid sealed with SealFor is an age file of its own, and opening it
// costs an X25519 scalar multiplication (about 40 µs): most of an
// opening's time at 50,000 bids. A BatchKey is a random 256-bit key made
// by the server for a run of one tender's bids (a few hundred, or a
// minute, whichever ends first: the store's choice). It is stored only
// wrapped to the tender's recipient (an age file, WrapBatchKey's record),
// so whoever reads the database learns nothing more than from the bids'
// own age files; it lives in the server's memory only while the run lasts
// (Destroy), as each bid's plaintext does while it is received. Opening
// unwraps it once with the tender key (OpenBatchKey), then each bid is
// one XChaCha20-Poly1305 open.
//
// A batch record is batchTag, the batch's 16-byte id, a random 24-byte
// nonce and the sealed box, whose additional data are the tag, the id
// and the bid's context (its tender and bid id): a record moved to
// another bid, or to another batch, does not open.

// Batch record tags: the first bytes of a bid sealed with a batch key, and
// the first line of a wrapped batch key's plaintext.
const (
	batchTag     = "fpbk1"
	batchKeyTag  = "footprint-batch-key-v1"
	batchSalt    = "footprint-batch-seal-v1"
	batchIDSize  = 16
	batchKeySize = 32
	// batchHead is the record's length before the sealed box.
	batchHead = len(batchTag) + batchIDSize + chacha20poly1305.NonceSizeX
)

// MaxWrappedBatchKey is the largest wrapped batch key OpenBatchKey reads
// (NewBatchKey's are about 400 bytes).
const MaxWrappedBatchKey = 1 << 10

// BatchKey seals a run of one tender's bids (Seal) and opens them (Open).
// It is secret material: String prints its id only. Destroy it when the
// run ends.
type BatchKey struct {
	id        [batchIDSize]byte
	key       [batchKeySize]byte // the AEAD key, derived from the random secret
	recipient string
}

// NewBatchKey makes a batch key for bids sealed to a tender's recipient,
// and its wrapped record (an age file to recipient), which must be stored
// before, or with, the first bid it seals.
func NewBatchKey(recipient string) (*BatchKey, []byte, error) {
	var id [batchIDSize]byte
	secret := make([]byte, batchKeySize)
	defer clear(secret)
	if _, err := rand.Read(id[:]); err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	pt := batchKeyPlaintext(recipient, id, secret)
	defer clear(pt)
	wrapped, err := SealFor(recipient, pt)
	if err != nil {
		return nil, nil, err
	}
	bk, err := newBatchKey(id, secret, recipient)
	if err != nil {
		return nil, nil, err
	}
	return bk, wrapped, nil
}

// batchKeyPlaintext is a wrapped batch key's plaintext: the tag, the
// tender's recipient, the id and the secret, one per line (hex).
func batchKeyPlaintext(recipient string, id [batchIDSize]byte, secret []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(batchKeyTag) + len(recipient) + 2*batchIDSize + 2*batchKeySize + 4)
	b.WriteString(batchKeyTag + "\n" + recipient + "\n" + hex.EncodeToString(id[:]) + "\n")
	h := make([]byte, hex.EncodedLen(len(secret)))
	hex.Encode(h, secret)
	b.Write(h)
	clear(h)
	b.WriteByte('\n')
	return b.Bytes()
}

// newBatchKey derives the AEAD key of batch id from its secret.
func newBatchKey(id [batchIDSize]byte, secret []byte, recipient string) (*BatchKey, error) {
	key, err := hkdf.Key(sha256.New, secret, []byte(batchSalt), string(id[:]), batchKeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: deriving a batch key: %w", err)
	}
	bk := &BatchKey{id: id, recipient: recipient}
	copy(bk.key[:], key)
	clear(key)
	return bk, nil
}

// ID is the batch's id, 32 hex digits: the record of every bid it sealed
// names it (BatchIDOf).
func (bk *BatchKey) ID() string { return hex.EncodeToString(bk.id[:]) }

// Recipient is the tender recipient the batch key is wrapped to.
func (bk *BatchKey) Recipient() string { return bk.recipient }

// String names the batch key by its id, never its secret.
func (bk *BatchKey) String() string { return "seal.BatchKey(" + bk.ID() + ")" }

// GoString is String, so that %#v prints no secret either.
func (bk *BatchKey) GoString() string { return bk.String() }

// Destroy clears the key: what it sealed opens only with its wrapped
// record and the tender key from now on. Seal and Open then fail.
func (bk *BatchKey) Destroy() {
	clear(bk.key[:])
	bk.recipient = ""
}

// aead is the XChaCha20-Poly1305 of the batch key (a copy of the key: the
// caller drops it after one use).
func (bk *BatchKey) aead() (cipher.AEAD, error) {
	if bk.recipient == "" {
		return nil, fmt.Errorf("seal: %w: the batch key was destroyed", ErrNoKey)
	}
	return chacha20poly1305.NewX(bk.key[:])
}

// additional is a record's additional data: its tag and batch id, then
// the bid's context.
func (bk *BatchKey) additional(context string) []byte {
	ad := make([]byte, 0, len(batchTag)+batchIDSize+len(context))
	ad = append(ad, batchTag...)
	ad = append(ad, bk.id[:]...)
	return append(ad, context...)
}

// Seal encrypts plaintext (at most MaxPlaintext bytes) for context (the
// bid it is: its tender and bid id, which Open must be given again).
func (bk *BatchKey) Seal(context string, plaintext []byte) ([]byte, error) {
	if len(plaintext) > MaxPlaintext {
		return nil, fmt.Errorf("seal: %w: plaintext of %d bytes; at most %d (MaxPlaintext)", ErrTooLarge, len(plaintext), MaxPlaintext)
	}
	aead, err := bk.aead()
	if err != nil {
		return nil, err
	}
	out := make([]byte, batchHead, batchHead+len(plaintext)+aead.Overhead())
	copy(out, batchTag)
	copy(out[len(batchTag):], bk.id[:])
	if _, err := rand.Read(out[len(batchTag)+batchIDSize : batchHead]); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead.Seal(out, out[len(batchTag)+batchIDSize:batchHead], plaintext, bk.additional(context)), nil
}

// IsBatchRecord reports whether a sealed bid is a batch record (else an
// age file, SealFor's).
func IsBatchRecord(record []byte) bool { return bytes.HasPrefix(record, []byte(batchTag)) }

// BatchIDOf is the id of the batch key that sealed record (32 hex digits),
// or false when record is not a batch record.
func BatchIDOf(record []byte) (string, bool) {
	if !IsBatchRecord(record) || len(record) < batchHead {
		return "", false
	}
	return hex.EncodeToString(record[len(batchTag) : len(batchTag)+batchIDSize]), true
}

// Open decrypts a record Seal wrote for context. ErrNoKey: it names
// another batch key; ErrCorrupt: not a batch record, or one altered or
// sealed for another context; ErrTooLarge: over MaxCiphertext.
func (bk *BatchKey) Open(context string, record []byte) ([]byte, error) {
	if len(record) > MaxCiphertext {
		return nil, fmt.Errorf("seal: %w: record of %d bytes; at most %d", ErrTooLarge, len(record), MaxCiphertext)
	}
	if !IsBatchRecord(record) || len(record) < batchHead+chacha20poly1305.Overhead {
		return nil, fmt.Errorf("seal: %w: not a batch record (%s)", ErrCorrupt, batchTag)
	}
	if !bytes.Equal(record[len(batchTag):len(batchTag)+batchIDSize], bk.id[:]) {
		return nil, fmt.Errorf("seal: %w: the record was sealed with batch key %s, not %s", ErrNoKey, hex.EncodeToString(record[len(batchTag):len(batchTag)+batchIDSize]), bk.ID())
	}
	aead, err := bk.aead()
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, record[len(batchTag)+batchIDSize:batchHead], record[batchHead:], bk.additional(context))
	if err != nil {
		// The id named this key: the record was altered, or moved from
		// the bid it was sealed for.
		return nil, fmt.Errorf("seal: %w: the record does not open with its batch key (altered, or sealed for another bid)", ErrCorrupt)
	}
	return pt, nil
}

// OpenBatchKey unwraps batch key id (32 hex digits, as BatchIDOf gives)
// from its wrapped record with the tender key, and checks that the record
// is that batch's, of this tender: ErrNoKey when it is sealed to another
// key, ErrCorrupt when it is not a wrapped batch key of this id and
// tender (a record moved from another batch or tender), ErrTooLarge.
func (tk *TenderKey) OpenBatchKey(id string, wrapped []byte) (*BatchKey, error) {
	if len(wrapped) > MaxWrappedBatchKey {
		return nil, fmt.Errorf("seal: %w: wrapped batch key of %d bytes; at most %d", ErrTooLarge, len(wrapped), MaxWrappedBatchKey)
	}
	pt, err := tk.Open(wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	// Read as bytes: a string copy of the secret could not be cleared.
	lines := bytes.Split(pt, []byte("\n"))
	if len(lines) != 5 || string(lines[0]) != batchKeyTag || len(lines[4]) != 0 {
		return nil, fmt.Errorf("seal: %w: the wrapped record opens but is not a %s record", ErrCorrupt, batchKeyTag)
	}
	if string(lines[1]) != tk.Recipient() || string(lines[2]) != id {
		return nil, fmt.Errorf("seal: %w: the wrapped record is of batch %s of recipient %s, not of batch %s of this tender", ErrCorrupt, clip(string(lines[2])), clip(string(lines[1])), clip(id))
	}
	rawID, err1 := hex.DecodeString(id)
	secret := make([]byte, batchKeySize)
	defer clear(secret)
	n, err2 := hex.Decode(secret, lines[3][:min(len(lines[3]), 2*batchKeySize)])
	if err1 != nil || err2 != nil || len(rawID) != batchIDSize || n != batchKeySize || len(lines[3]) != 2*batchKeySize || !lowerHex(lines[2]) || !lowerHex(lines[3]) {
		return nil, fmt.Errorf("seal: %w: the wrapped record holds no canonical batch id and key", ErrCorrupt)
	}
	return newBatchKey([batchIDSize]byte(rawID), secret, string(lines[1]))
}

// lowerHex reports whether b is all lower-case hex digits.
func lowerHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
