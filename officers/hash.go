package officers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id parameters a personal token is hashed with
// (RFC 9106). DefaultParams: one pass over 64 MiB with 2 lanes, a 16-byte
// salt and a 32-byte hash — RFC 9106's second recommended option with
// less memory, and OWASP's guidance (at least 19 MiB, t ≥ 2 or more
// memory). It costs about 60 ms of one core pair on the reference
// machine (docs/tenders.md "Officers and roles"). The parameters are
// stored with each hash, so raising them later keeps old tokens valid.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
	KeyLen  uint32
}

// DefaultParams are the parameters new tokens are hashed with.
var defaultParams = Params{Time: 1, Memory: 64 * 1024, Threads: 2, KeyLen: 32}

// DefaultParams returns the parameters new tokens are hashed with.
func DefaultParams() Params { return defaultParams }

const saltLen = 16

// encode is the stored form of params and salt:
// "argon2id$v=19$m=65536,t=1,p=2$<salt, base64 raw std>".
func (p Params) encode(salt []byte) string {
	return fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$%s", argon2.Version, p.Memory, p.Time, p.Threads, base64.RawStdEncoding.EncodeToString(salt))
}

// decodeParams reads what encode wrote.
func decodeParams(s string) (Params, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != "argon2id" || parts[1] != fmt.Sprintf("v=%d", argon2.Version) {
		return Params{}, nil, fmt.Errorf("stored hash parameters %q: not argon2id v=19", clipText(s))
	}
	var p Params
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, fmt.Errorf("stored hash parameters %q: %w", clipText(s), err)
	}
	// Bound what a database writer could make the server spend.
	if p.Time < 1 || p.Time > 10 || p.Memory < 8*1024 || p.Memory > 1024*1024 || p.Threads < 1 || p.Threads > 16 {
		return Params{}, nil, fmt.Errorf("stored hash parameters %q: out of bounds", clipText(s))
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || len(salt) < 8 {
		return Params{}, nil, fmt.Errorf("stored hash parameters: bad salt")
	}
	p.KeyLen = 32
	return p, salt, nil
}

// hasher computes argon2id hashes, at most cap(slots) at once, so that a
// flood of sign-ins queues instead of taking Memory × n of RAM.
type hasher struct {
	params Params
	slots  chan struct{}
}

func newHasher(p Params, concurrent int) *hasher {
	if concurrent < 1 {
		concurrent = DefaultConcurrentHashes
	}
	return &hasher{params: p, slots: make(chan struct{}, concurrent)}
}

// DefaultConcurrentHashes bounds the argon2id hashes computed at once
// (each takes Params.Memory): 2 × 64 MiB at most.
const DefaultConcurrentHashes = 2

// key hashes token with p and salt, waiting for a slot (or ctx).
func (h *hasher) key(ctx context.Context, p Params, salt []byte, token string) ([]byte, error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.slots }()
	return argon2.IDKey([]byte(token), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// hash makes a new salted hash of token: the stored hash (base64) and
// the stored parameters.
func (h *hasher) hash(ctx context.Context, token string) (hash, params string, err error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", "", err
	}
	k, err := h.key(ctx, h.params, salt, token)
	if err != nil {
		return "", "", err
	}
	return base64.RawStdEncoding.EncodeToString(k), h.params.encode(salt), nil
}

// verify reports whether token hashes to hash under params, in constant
// time.
func (h *hasher) verify(ctx context.Context, token, hash, params string) (bool, error) {
	p, salt, err := decodeParams(params)
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(hash)
	if err != nil {
		return false, fmt.Errorf("stored token hash: %w", err)
	}
	p.KeyLen = uint32(len(want))
	if p.KeyLen < 16 || p.KeyLen > 64 {
		return false, fmt.Errorf("stored token hash: %d bytes", p.KeyLen)
	}
	got, err := h.key(ctx, p, salt, token)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
