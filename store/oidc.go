package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// Single sign-on links (issue 18, migration 00011): an officer account
// may be linked to one person at an OpenID Connect provider, named by the
// provider's issuer URL and the subject it gives that person. The store
// keeps the link in the officer's row, unique per (issuer, subject); it
// checks nothing about the provider itself (package officers and the
// server do).

// ErrOIDCLinked marks a single sign-on identity already linked to another
// officer.
var ErrOIDCLinked = errors.New("this single sign-on identity is linked to another officer")

// OIDCLink names a person at an OpenID Connect provider: its issuer URL
// and the subject ("sub") it gives them. The zero link is no link.
type OIDCLink struct {
	Issuer  string
	Subject string
}

// IsZero reports whether l is no link.
func (l OIDCLink) IsZero() bool { return l.Issuer == "" && l.Subject == "" }

// OIDCLinks keeps the single sign-on links of officer accounts. The SQL
// stores implement it beside Accounts; OIDCLinksOf finds it.
type OIDCLinks interface {
	// LinkOfficerOIDC sets officer id's link (the zero link removes it)
	// and, when the link changes, revokes the officer's live sessions at
	// now, in one transaction. It returns how many sessions it revoked:
	// ErrNotFound for no such officer, ErrOIDCLinked (naming the other
	// officer) when another account has the link.
	LinkOfficerOIDC(ctx context.Context, id string, l OIDCLink, now time.Time) (int, error)
	// OfficerByOIDC reads the officer linked to l (ErrNotFound).
	OfficerByOIDC(ctx context.Context, l OIDCLink) (Officer, error)
	// OfficerOIDC reads officer id's link (the zero link for none;
	// ErrNotFound for no such officer).
	OfficerOIDC(ctx context.Context, id string) (OIDCLink, error)
	// OfficersOIDC returns every officer's link, by officer id (officers
	// without one are absent).
	OfficersOIDC(ctx context.Context) (map[string]OIDCLink, error)
}

// OIDCLinksOf returns st's single sign-on links, or false when st keeps
// none (as AccountsOf).
func OIDCLinksOf(st any) (OIDCLinks, bool) { return unwrapTo[OIDCLinks](st) }

// nullable is s, or NULL for "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// LinkOfficerOIDC implements OIDCLinks.
func (s *sqlStore) LinkOfficerOIDC(ctx context.Context, id string, l OIDCLink, now time.Time) (int, error) {
	if (l.Issuer == "") != (l.Subject == "") {
		return 0, fmt.Errorf("%w: a single sign-on link needs both an issuer and a subject", tender.ErrInvalid)
	}
	revoked := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		o, err := s.scanOfficer(tx.QueryRowContext(ctx, s.d.q("SELECT "+officerCols+" FROM officers WHERE id = ?"+s.d.forUpdate()), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("officer %s: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		if o.Tampered {
			// Re-tagging would launder what a database writer changed.
			return fmt.Errorf("officer %s: %w; re-create the account", id, ErrAccountTag)
		}
		if o.OIDC == l {
			return nil // unchanged: nothing to end
		}
		if !l.IsZero() {
			var other string
			err := tx.QueryRowContext(ctx, s.d.q("SELECT id FROM officers WHERE oidc_issuer = ? AND oidc_subject = ? AND id <> ?"), l.Issuer, l.Subject, id).Scan(&other)
			if err == nil {
				return fmt.Errorf("%w (%s)", ErrOIDCLinked, other)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		o.OIDC = l
		if _, err := tx.ExecContext(ctx, s.d.q("UPDATE officers SET oidc_issuer = ?, oidc_subject = ?, tag = ? WHERE id = ?"), nullable(l.Issuer), nullable(l.Subject), s.tag(officerTagLabel, officerTagValue(o)), id); err != nil {
			return err
		}
		revoked, err = s.revokeSessions(ctx, tx, id, now)
		return err
	})
	return revoked, err
}

// OfficerByOIDC implements OIDCLinks.
func (s *sqlStore) OfficerByOIDC(ctx context.Context, l OIDCLink) (Officer, error) {
	var o Officer
	if l.Issuer == "" || l.Subject == "" {
		return o, fmt.Errorf("single sign-on identity: %w", ErrNotFound)
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = s.scanOfficer(tx.QueryRowContext(ctx, s.d.q("SELECT "+officerCols+" FROM officers WHERE oidc_issuer = ? AND oidc_subject = ?"), l.Issuer, l.Subject))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("single sign-on identity: %w", ErrNotFound)
	}
	if err == nil && o.Tampered {
		return o, fmt.Errorf("officer %s: %w", o.ID, ErrAccountTag)
	}
	return o, err
}

// OfficerOIDC implements OIDCLinks.
func (s *sqlStore) OfficerOIDC(ctx context.Context, id string) (OIDCLink, error) {
	var iss, sub sql.NullString
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.d.q("SELECT oidc_issuer, oidc_subject FROM officers WHERE id = ?"), id).Scan(&iss, &sub)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return OIDCLink{}, fmt.Errorf("officer %s: %w", id, ErrNotFound)
	}
	return OIDCLink{Issuer: iss.String, Subject: sub.String}, err
}

// OfficersOIDC implements OIDCLinks.
func (s *sqlStore) OfficersOIDC(ctx context.Context) (map[string]OIDCLink, error) {
	out := map[string]OIDCLink{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, oidc_issuer, oidc_subject FROM officers WHERE oidc_issuer IS NOT NULL")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var l OIDCLink
			if err := rows.Scan(&id, &l.Issuer, &l.Subject); err != nil {
				return err
			}
			out[id] = l
		}
		return rows.Err()
	})
	return out, err
}
