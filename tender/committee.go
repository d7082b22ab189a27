package tender

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Committee is a tender's opening committee: the officers (by id) who may
// approve its opening, and how many distinct ones must (K). Declared when
// the tender is created and covered by TenderDigest. A tender created
// without one is given its creator alone, K = 1 (one person opened it);
// a tender stored before committees has none (nil) and opens as it
// always did, by one officer.
type Committee struct {
	// Openers are the officers' ids, distinct, each an OpenerPattern slug.
	Openers []string `json:"openers"`
	// K is how many distinct openers must approve: 1 to len(Openers).
	K int `json:"k"`
}

// Bounds of a committee.
const (
	// MaxOpeners is the most openers a committee names.
	MaxOpeners = 20
	// OpenerPattern is the spelling of an opener's id: a short slug.
	OpenerPattern = `^[a-z0-9][a-z0-9._-]{0,63}$`
)

var openerRe = regexp.MustCompile(OpenerPattern)

// ValidOpener reports whether id is spelled as an opener's id.
func ValidOpener(id string) bool { return openerRe.MatchString(id) }

// SoleCommittee is the committee of a tender whose request named none:
// its creator alone, K = 1.
func SoleCommittee(creator string) *Committee {
	return &Committee{Openers: []string{creator}, K: 1}
}

// Member reports whether officer id is one of the committee's openers.
func (c *Committee) Member(id string) bool {
	return c != nil && slices.Contains(c.Openers, id)
}

// checkCommittee adds the problems of c to ps, at /committee/….
func checkCommittee(ps *problems, c *Committee) {
	if c == nil {
		return
	}
	switch n := len(c.Openers); {
	case n == 0:
		ps.add("/committee/openers", ErrInvalid, "no opener; name 1 to %d officers by id", MaxOpeners)
	case n > MaxOpeners:
		ps.add("/committee/openers", ErrInvalid, "%d openers; at most %d", n, MaxOpeners)
	default:
		seen := map[string]bool{}
		for i, id := range c.Openers {
			ptr := fmt.Sprintf("/committee/openers/%d", i)
			switch {
			case !ValidOpener(id):
				ps.add(ptr, ErrInvalid, "%q is not an officer id: lower-case letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit", clip.Text(id))
			case seen[id]:
				ps.add(ptr, ErrInvalid, "%q is named twice; name each opener once", id)
			}
			seen[id] = true
		}
	}
	if c.K < 1 || (len(c.Openers) > 0 && len(c.Openers) <= MaxOpeners && c.K > len(c.Openers)) {
		ps.add("/committee/k", ErrInvalid, "%d is out of range; give how many openers must approve, 1 to the number of openers (%d)", c.K, len(c.Openers))
	}
}

// ValidateCommittee checks a committee on its own (as ValidateTender
// does): a *ValidationError naming each problem, or nil.
func ValidateCommittee(c *Committee) error {
	ps := &problems{what: "tender"}
	checkCommittee(ps, c)
	return ps.err()
}

// Approvers are the distinct actors of the approved events of a chain,
// in the order of their first approval.
func Approvers(events []Event) []string {
	var out []string
	for _, e := range events {
		if e.Kind == EventApproved && !slices.Contains(out, e.Actor) {
			out = append(out, e.Actor)
		}
	}
	return out
}

// CanApprove reports whether officer id may approve tender t's opening at
// now: after the deadline (ErrTooEarly before), not once opened or
// cancelled, for a tender with a committee (ErrNoCommittee) of which id
// is a member (ErrNotOpener).
func CanApprove(t Tender, id string, now time.Time) error {
	if err := CanOpen(t, now); err != nil {
		return err
	}
	if t.Committee == nil {
		return fmt.Errorf("%w: it was created before opening committees; open it with POST /v1/tenders/{id}/open", ErrNoCommittee)
	}
	if !t.Committee.Member(id) {
		return fmt.Errorf("%w: %q is not among its openers (%s)", ErrNotOpener, clip.Text(id), strings.Join(t.Committee.Openers, ", "))
	}
	return nil
}

// NeedsApprovals is the error of opening tender t, whose committee
// needs more than one approval, without them: ErrApprovalsNeeded, saying
// how many it needs, has (have) and lacks.
func NeedsApprovals(c *Committee, have int) error {
	return fmt.Errorf("%w: its committee needs %d distinct approvals and has %d; %d more to go (each opener: POST /v1/tenders/{id}/approvals, or footprint tenders approve --as ID)", ErrApprovalsNeeded, c.K, have, c.K-have)
}

// CheckOpening checks the approvals of a chain against tender t's
// committee: every approved event is by an opener, and an opened event
// comes after K distinct approvals. It returns the seq of the first
// event that breaks this and what is wrong, or 0 and "". A tender
// without a committee (stored before committees) has nothing to check.
func CheckOpening(t Tender, events []Event) (int64, string) {
	if t.Committee == nil {
		return 0, ""
	}
	var approvers []string
	for _, e := range events {
		switch e.Kind {
		case EventApproved:
			if !t.Committee.Member(e.Actor) {
				return e.Seq, fmt.Sprintf("approved by %q, who is not on the tender's opening committee", clip.Text(e.Actor))
			}
			if !slices.Contains(approvers, e.Actor) {
				approvers = append(approvers, e.Actor)
			}
		case EventOpened:
			if len(approvers) < t.Committee.K {
				return e.Seq, fmt.Sprintf("opened after %d distinct approval(s) (%s); its committee needs %d (an approval was removed, or the tender opened without them)", len(approvers), strings.Join(approvers, ", "), t.Committee.K)
			}
			return 0, ""
		}
	}
	return 0, ""
}

// Custody kinds: who can open a tender's sealed bids.
const (
	// CustodyServer: the tender key is wrapped to the server's key file,
	// so the server (and whoever holds its key file) opens the bids
	// alone. Tenders created before committee custody, and those whose
	// committee's shares the server would hold at least k of, have it.
	CustodyServer = "server"
	// CustodyCommittee: the tender key is split among the committee's
	// openers, k of whose shares rebuild it at the opening; the server
	// holds fewer than k of them and cannot open the bids alone.
	CustodyCommittee = "committee"
)

// ServerHolder is the Key of a committee share the server's key file
// holds (an opener without a share key of their own: the bootstrap
// administrator, the command line, an account made before share keys).
const ServerHolder = "server"

// Custody is who can open a tender's sealed bids, decided when it is
// created and covered by TenderDigest. nil for a tender created before
// committee custody (its key is the server's) or without a key file (its
// bids are kept in clear).
type Custody struct {
	// Kind is CustodyServer or CustodyCommittee.
	Kind string `json:"kind"`
	// K is how many shares rebuild the key (the committee's k); 0 for
	// CustodyServer.
	K int `json:"k,omitempty"`
	// Holders are the shares' holders, in the committee's order (x = 1…n).
	Holders []Holder `json:"holders,omitempty"`
}

// Holder is one committee share's holder.
type Holder struct {
	// Officer is the opener's id.
	Officer string `json:"officer"`
	// Key names the key the share is sealed to: KeyFingerprint of the
	// opener's share key, or ServerHolder for a share the key file holds.
	Key string `json:"key"`
}

// KeyFingerprint names a public key (an age recipient) briefly: the first
// 16 hex digits of its SHA-256. An opener compares it with their own
// (GET /v1/session) to see that their share was sealed to their key.
func KeyFingerprint(recipient string) string {
	sum := sha256.Sum256([]byte(recipient))
	return hex.EncodeToString(sum[:8])
}

// ServerShares is how many of the shares the server's key file holds.
func (c *Custody) ServerShares() int {
	n := 0
	if c != nil {
		for _, h := range c.Holders {
			if h.Key == ServerHolder {
				n++
			}
		}
	}
	return n
}

// Describe says in a sentence who can open the bids of a tender with
// custody c (nil: the server, for a tender made before committee custody).
func (c *Custody) Describe() string {
	switch {
	case c == nil:
		return "The server's key file can open the bids alone (the tender was created before committee custody)."
	case c.Kind == CustodyCommittee:
		s := fmt.Sprintf("Only %d of the %d openers together can open the bids: the key is split among them, and the server holds %d share(s), fewer than %d.", c.K, len(c.Holders), c.ServerShares(), c.K)
		if lost := len(c.Holders) - c.K + 1; lost > 0 {
			s += fmt.Sprintf(" If %d of the openers lose their personal tokens, the bids can never be opened: name more openers than you need.", lost)
		}
		return s
	default:
		return "The server's key file can open the bids alone: no opener in the committee has a personal share key, or the server would hold enough shares."
	}
}
