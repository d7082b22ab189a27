package tender

import (
	"regexp"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Notice holds what a procurement notice (eForms, OCDS) needs of a tender
// beyond what the tender's rules need: the buyer as an organisation, the
// purchase's classification and nature. All optional at creation; a
// notice export names the ones it lacks. Covered by TenderDigest like
// every other field, so the signed audit chain vouches for them.
type Notice struct {
	// BuyerLegalName is the buyer's official name (eForms BT-500).
	BuyerLegalName string `json:"buyer_legal_name,omitempty"`
	// BuyerID is the buyer's organisation identifier, e.g. its VAT or
	// company register number (BT-501).
	BuyerID string `json:"buyer_id,omitempty"`
	// BuyerCountry is the buyer's country, ISO 3166-1 alpha-3 as eForms
	// codes it ("DEU", "NLD"; BT-514).
	BuyerCountry string `json:"buyer_country,omitempty"`
	// BuyerTown and BuyerPostcode are the buyer's address (BT-513, BT-512).
	BuyerTown     string `json:"buyer_town,omitempty"`
	BuyerPostcode string `json:"buyer_postcode,omitempty"`
	// BuyerEmail is the buyer's contact address (BT-506).
	BuyerEmail string `json:"buyer_email,omitempty"`
	// BuyerURL is the buyer's internet address (BT-505).
	BuyerURL string `json:"buyer_url,omitempty"`
	// BuyerLegalType is the eForms buyer-legal-type code, e.g. "body-pl",
	// "cga", "ra" (BT-11).
	BuyerLegalType string `json:"buyer_legal_type,omitempty"`
	// BuyerActivity is the eForms main-activity code of the authority,
	// e.g. "gen-pub", "env-pro" (BT-10).
	BuyerActivity string `json:"buyer_activity,omitempty"`
	// CPV is the purchase's main Common Procurement Vocabulary code, eight
	// digits (BT-262), e.g. "45233142".
	CPV string `json:"cpv,omitempty"`
	// ContractNature is "works", "supplies" or "services" (BT-23).
	ContractNature string `json:"contract_nature,omitempty"`
	// Description says what is bought (BT-24).
	Description string `json:"description,omitempty"`
	// BuyerPhone is the buyer's contact telephone (BT-503).
	BuyerPhone string `json:"buyer_phone,omitempty"`
	// BuyerNUTS is the NUTS 3 code of the buyer's address, e.g. "DE300"
	// (BT-507); eForms requires it for buyers in NUTS countries, and the
	// eForms export uses the buyer's address as the place of performance.
	BuyerNUTS string `json:"buyer_nuts,omitempty"`
	// ReviewBodyName, ReviewBodyID, ReviewBodyTown, ReviewBodyPostcode
	// and ReviewBodyNUTS describe the body that hears appeals against
	// the procedure (an eForms notice must name it: OPT-301; BT-500,
	// BT-501, BT-513, BT-512, BT-507 of that organisation), in the
	// buyer's country.
	ReviewBodyName     string `json:"review_body_name,omitempty"`
	ReviewBodyID       string `json:"review_body_id,omitempty"`
	ReviewBodyTown     string `json:"review_body_town,omitempty"`
	ReviewBodyPostcode string `json:"review_body_postcode,omitempty"`
	ReviewBodyNUTS     string `json:"review_body_nuts,omitempty"`
}

// Bounds of notice texts, in characters.
const (
	MaxNoticeText        = 400
	MaxNoticeDescription = 4000
)

var (
	cpvRe     = regexp.MustCompile(`^[0-9]{8}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{3}$`)
	codeRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
	emailRe   = regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$`)
	nutsRe    = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{1,3}$`)
	phoneRe   = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]{2,39}$`)
)

// checkNotice adds the problems of n to ps, each at /notice/<field>.
func checkNotice(ps *problems, n *Notice) {
	if n == nil {
		return
	}
	texts := []struct {
		ptr, v string
		max    int
	}{
		{"buyer_legal_name", n.BuyerLegalName, MaxNoticeText}, {"buyer_id", n.BuyerID, MaxNoticeText},
		{"buyer_town", n.BuyerTown, MaxNoticeText}, {"buyer_postcode", n.BuyerPostcode, 40},
		{"buyer_email", n.BuyerEmail, MaxNoticeText}, {"buyer_url", n.BuyerURL, MaxNoticeText},
		{"description", n.Description, MaxNoticeDescription},
		{"review_body_name", n.ReviewBodyName, MaxNoticeText}, {"review_body_id", n.ReviewBodyID, MaxNoticeText},
		{"review_body_town", n.ReviewBodyTown, MaxNoticeText}, {"review_body_postcode", n.ReviewBodyPostcode, 40},
	}
	for _, f := range texts {
		if f.v == "" {
			continue
		}
		if len([]rune(f.v)) > f.max {
			ps.add("/notice/"+f.ptr, ErrInvalid, "too long: at most %d characters", f.max)
			continue
		}
		if strings.TrimSpace(f.v) != f.v || strings.ContainsAny(f.v, "\x00\r") {
			ps.add("/notice/"+f.ptr, ErrInvalid, "%q has leading or trailing spaces or control characters", clip.Text(f.v))
		}
	}
	if n.BuyerCountry != "" && !countryRe.MatchString(n.BuyerCountry) {
		ps.add("/notice/buyer_country", ErrInvalid, "%q is not an ISO 3166-1 alpha-3 code; give three capital letters, e.g. DEU", clip.Text(n.BuyerCountry))
	}
	if n.CPV != "" && !cpvRe.MatchString(n.CPV) {
		ps.add("/notice/cpv", ErrInvalid, "%q is not a CPV code; give its eight digits without the check digit, e.g. 45233142", clip.Text(n.CPV))
	}
	for _, c := range []struct{ ptr, v string }{{"buyer_nuts", n.BuyerNUTS}, {"review_body_nuts", n.ReviewBodyNUTS}} {
		if c.v != "" && !nutsRe.MatchString(c.v) {
			ps.add("/notice/"+c.ptr, ErrInvalid, "%q is not a NUTS code; give the NUTS 3 code of the address, e.g. DE300", clip.Text(c.v))
		}
	}
	if n.BuyerPhone != "" && !phoneRe.MatchString(n.BuyerPhone) {
		ps.add("/notice/buyer_phone", ErrInvalid, "%q is not a telephone number; give digits, spaces and an optional leading +, e.g. +49 30 1234567", clip.Text(n.BuyerPhone))
	}
	if n.BuyerEmail != "" && !emailRe.MatchString(n.BuyerEmail) {
		ps.add("/notice/buyer_email", ErrInvalid, "%q is not an e-mail address", clip.Text(n.BuyerEmail))
	}
	if n.BuyerURL != "" && !strings.HasPrefix(n.BuyerURL, "https://") && !strings.HasPrefix(n.BuyerURL, "http://") {
		ps.add("/notice/buyer_url", ErrInvalid, "%q is not an http(s) address", clip.Text(n.BuyerURL))
	}
	for _, c := range []struct{ ptr, v string }{{"buyer_legal_type", n.BuyerLegalType}, {"buyer_activity", n.BuyerActivity}} {
		if c.v != "" && !codeRe.MatchString(c.v) {
			ps.add("/notice/"+c.ptr, ErrInvalid, "%q is not an eForms code (lower-case letters, digits and hyphens, e.g. body-pl)", clip.Text(c.v))
		}
	}
	switch n.ContractNature {
	case "", "works", "supplies", "services":
	default:
		ps.add("/notice/contract_nature", ErrInvalid, "%q: use works, supplies or services", clip.Text(n.ContractNature))
	}
}

// Missing lists the notice fields of n (JSON names) that are empty among
// want, for an export that needs them.
func (n *Notice) Missing(want ...string) []string {
	var v Notice
	if n != nil {
		v = *n
	}
	have := map[string]string{"buyer_legal_name": v.BuyerLegalName, "buyer_id": v.BuyerID, "buyer_country": v.BuyerCountry,
		"buyer_town": v.BuyerTown, "buyer_postcode": v.BuyerPostcode, "buyer_email": v.BuyerEmail, "buyer_url": v.BuyerURL,
		"buyer_legal_type": v.BuyerLegalType, "buyer_activity": v.BuyerActivity, "cpv": v.CPV,
		"contract_nature": v.ContractNature, "description": v.Description, "buyer_phone": v.BuyerPhone, "buyer_nuts": v.BuyerNUTS,
		"review_body_name": v.ReviewBodyName, "review_body_id": v.ReviewBodyID, "review_body_town": v.ReviewBodyTown,
		"review_body_postcode": v.ReviewBodyPostcode, "review_body_nuts": v.ReviewBodyNUTS}
	var out []string
	for _, w := range want {
		if have[w] == "" {
			out = append(out, w)
		}
	}
	return out
}
