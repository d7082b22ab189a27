package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// Officer accounts and sessions (issue 18, migration 00008). The store
// keeps what package officers decides: it checks nothing about roles or
// credentials itself, but it revokes an officer's sessions in the same
// transaction that changes the officer's role or disables the account.

// ErrOfficerExists marks an officer id already taken.
var ErrOfficerExists = errors.New("an officer with this id exists")

// ErrAccountTag marks an officer's or a session's row whose tag does not
// check with the key file: it was inserted or changed outside footprint
// (by whoever can write the database). It authenticates no one.
var ErrAccountTag = errors.New("the row's tag does not check with the key file: it was changed outside footprint")

// Tag labels (seal.Keys.Tag) of account and session rows.
const (
	officerTagLabel = "officer-row-v1"
	sessionTagLabel = "session-row-v1"
)

// officerTagValue is what an officer row's tag covers: every column but
// the tag, in a fixed order, as a JSON array.
func officerTagValue(o Officer) string {
	raw, _ := json.Marshal([]any{o.ID, o.Name, o.Role, o.TokenHash, o.Params, o.Disabled,
		tender.Stamp(o.Created).UTC().Format(time.RFC3339Nano), o.ShareRecipient, hex.EncodeToString(o.ShareKey), o.OIDC.Issuer, o.OIDC.Subject})
	return string(raw)
}

// sessionTagValue is what a session row's tag covers: its id hash, its
// officer and its times (not its revocation: a revoked row is refused
// whatever its tag).
func sessionTagValue(se Session) string {
	raw, _ := json.Marshal([]any{se.IDHash, se.OfficerID,
		tender.Stamp(se.Created).UTC().Format(time.RFC3339Nano), tender.Stamp(se.Expires).UTC().Format(time.RFC3339Nano)})
	return string(raw)
}

// tag is the key file's tag of value under label; "" without the key file.
func (s *sqlStore) tag(label, value string) string {
	if s.o.Keys == nil {
		return ""
	}
	return s.o.Keys.Tag(label, value)
}

// checkTag reports whether tag is value's (always, without the key file).
func (s *sqlStore) checkTag(label, value, tag string) bool {
	return s.o.Keys == nil || s.o.Keys.CheckTag(label, value, tag)
}

// Officer is one stored officer account.
type Officer struct {
	ID   string
	Name string
	// Role is one of package officers' roles, kept as text.
	Role string
	// TokenHash is the argon2id hash of the personal token; Params the
	// salt and parameters it was made with (package officers' format).
	TokenHash string
	Params    string
	Disabled  bool
	Created   time.Time
	// ShareRecipient is the public recipient of the officer's share key
	// (seal.HolderKey), to which shares of tender keys are sealed, and
	// ShareKey its identity locked under the personal token
	// (seal.HolderKey.Lock); "" and nil for an account made before share
	// keys, whose committee shares the server holds.
	ShareRecipient string
	ShareKey       []byte
	// OIDC is the single sign-on identity the account is linked to (the
	// zero link for none; store/oidc.go, migration 00011). The row's tag
	// covers it, so that a database writer cannot link an identity of its
	// own to an account.
	OIDC OIDCLink
	// Tampered is set by Officers on a row whose tag does not check (it
	// was changed outside footprint, migration 00010): such an account
	// authenticates no one.
	Tampered bool
}

// Session is one server-side session: IDHash is the SHA-256 (hex) of the
// session id handed to the officer, never the id itself.
type Session struct {
	IDHash    string
	OfficerID string
	Created   time.Time
	Expires   time.Time
	// Revoked is when the session was ended (sign-out, a role change, a
	// disabled account); nil while it lasts.
	Revoked *time.Time
}

// OfficerChange is a change of an officer's account; nil fields stay.
type OfficerChange struct {
	Role     *string
	Disabled *bool
}

// Accounts keeps officer accounts and sessions. The SQL stores implement
// it; AccountsOf finds it.
type Accounts interface {
	// CreateOfficer stores a new officer (ErrOfficerExists when the id is
	// taken).
	CreateOfficer(ctx context.Context, o Officer) error
	// Officer reads one officer (ErrNotFound).
	Officer(ctx context.Context, id string) (Officer, error)
	// Officers lists every officer by id.
	Officers(ctx context.Context) ([]Officer, error)
	// UpdateOfficer applies ch to officer id and, when the role changes or
	// the account is disabled, revokes its live sessions at now, in one
	// transaction. It returns the officer as stored and how many sessions
	// it revoked.
	UpdateOfficer(ctx context.Context, id string, ch OfficerChange, now time.Time) (Officer, int, error)
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// Session reads the session whose id hashes to idHash (ErrNotFound).
	Session(ctx context.Context, idHash string) (Session, error)
	// RevokeSession ends one session at now (ErrNotFound when there is
	// no such session; ending an ended one again is no error).
	RevokeSession(ctx context.Context, idHash string, now time.Time) error
}

// AccountsOf returns st's accounts, or false when st keeps none (a store
// of tests that predates accounts). A store that wraps another (with a
// checkpoint file, say) says which it wraps with an Unwrap() Store method.
func AccountsOf(st Store) (Accounts, bool) { return unwrapTo[Accounts](st) }

// unwrapTo returns st, or the first store it wraps (through Unwrap()
// Store methods), that implements T.
func unwrapTo[T any](st any) (T, bool) {
	for st != nil {
		if v, ok := st.(T); ok {
			return v, true
		}
		u, ok := st.(interface{ Unwrap() Store })
		if !ok {
			break
		}
		st = u.Unwrap()
	}
	var zero T
	return zero, false
}

const officerCols = "id, name, role, token_hash, params, disabled, created, share_recipient, share_key, tag, oidc_issuer, oidc_subject"

// scanOfficer reads an officer row (officerCols) and checks its tag:
// Tampered when it does not check.
func (s *sqlStore) scanOfficer(row interface{ Scan(...any) error }) (Officer, error) {
	o, tag, err := scanOfficerRow(row)
	if err != nil {
		return o, err
	}
	o.Tampered = !s.checkTag(officerTagLabel, officerTagValue(o), tag)
	return o, nil
}

// scanOfficerRow reads an officer row (officerCols) and its tag.
func scanOfficerRow(row interface{ Scan(...any) error }) (Officer, string, error) {
	var o Officer
	var created timeCol
	var tag string
	var iss, sub sql.NullString
	if err := row.Scan(&o.ID, &o.Name, &o.Role, &o.TokenHash, &o.Params, &o.Disabled, &created, &o.ShareRecipient, &o.ShareKey, &tag, &iss, &sub); err != nil {
		return o, "", err
	}
	o.Created, o.OIDC = created.t, OIDCLink{Issuer: iss.String, Subject: sub.String}
	return o, tag, nil
}

// CreateOfficer implements Accounts.
func (s *sqlStore) CreateOfficer(ctx context.Context, o Officer) error {
	if o.ID == "" || o.TokenHash == "" {
		return fmt.Errorf("%w: an officer needs an id and a token hash", tender.ErrInvalid)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		o.Created = tender.Stamp(o.Created)
		res, err := tx.ExecContext(ctx, s.d.q("INSERT INTO officers ("+officerCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"),
			o.ID, o.Name, o.Role, o.TokenHash, o.Params, o.Disabled, s.d.ts(o.Created), o.ShareRecipient, o.ShareKey, s.tag(officerTagLabel, officerTagValue(o)),
			nullable(o.OIDC.Issuer), nullable(o.OIDC.Subject))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: %s", ErrOfficerExists, o.ID)
		}
		return nil
	})
}

// Officer implements Accounts.
func (s *sqlStore) Officer(ctx context.Context, id string) (Officer, error) {
	var o Officer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = s.scanOfficer(tx.QueryRowContext(ctx, s.d.q("SELECT "+officerCols+" FROM officers WHERE id = ?"), id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("officer %s: %w", id, ErrNotFound)
	}
	if err == nil && o.Tampered {
		return o, fmt.Errorf("officer %s: %w", id, ErrAccountTag)
	}
	return o, err
}

// Officers implements Accounts.
func (s *sqlStore) Officers(ctx context.Context) ([]Officer, error) {
	var out []Officer
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+officerCols+" FROM officers ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := s.scanOfficer(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateOfficer implements Accounts.
func (s *sqlStore) UpdateOfficer(ctx context.Context, id string, ch OfficerChange, now time.Time) (Officer, int, error) {
	var o Officer
	revoked := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = s.scanOfficer(tx.QueryRowContext(ctx, s.d.q("SELECT "+officerCols+" FROM officers WHERE id = ?"+s.d.forUpdate()), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("officer %s: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		if o.Tampered {
			// Re-tagging would launder what a database writer changed.
			return fmt.Errorf("officer %s: %w; re-create the account", id, ErrAccountTag)
		}
		revoke := false
		if ch.Role != nil && *ch.Role != o.Role {
			o.Role, revoke = *ch.Role, true
		}
		if ch.Disabled != nil {
			if *ch.Disabled && !o.Disabled {
				revoke = true
			}
			o.Disabled = *ch.Disabled
		}
		if _, err := tx.ExecContext(ctx, s.d.q("UPDATE officers SET role = ?, disabled = ?, tag = ? WHERE id = ?"), o.Role, o.Disabled, s.tag(officerTagLabel, officerTagValue(o)), id); err != nil {
			return err
		}
		if !revoke {
			return nil
		}
		revoked, err = s.revokeSessions(ctx, tx, id, now)
		return err
	})
	return o, revoked, err
}

// revokeSessions ends officer id's live sessions at now in tx and says
// how many.
func (s *sqlStore) revokeSessions(ctx context.Context, tx *sql.Tx, id string, now time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, s.d.q("UPDATE sessions SET revoked = ? WHERE officer_id = ? AND revoked IS NULL"), s.d.ts(tender.Stamp(now)), id)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CreateSession implements Accounts.
func (s *sqlStore) CreateSession(ctx context.Context, se Session) error {
	if len(se.IDHash) != 64 || se.OfficerID == "" {
		return fmt.Errorf("%w: a session needs its id's SHA-256 and an officer", tender.ErrInvalid)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.q("INSERT INTO sessions (id_hash, officer_id, created, expires, tag) VALUES (?, ?, ?, ?, ?)"),
			se.IDHash, se.OfficerID, s.d.ts(tender.Stamp(se.Created)), s.d.ts(tender.Stamp(se.Expires)), s.tag(sessionTagLabel, sessionTagValue(se)))
		return err
	})
}

// Session implements Accounts.
func (s *sqlStore) Session(ctx context.Context, idHash string) (Session, error) {
	se := Session{IDHash: idHash}
	err := s.read(ctx, func(tx *sql.Tx) error {
		var created, expires, revoked timeCol
		var tag string
		if err := tx.QueryRowContext(ctx, s.d.q("SELECT officer_id, created, expires, revoked, tag FROM sessions WHERE id_hash = ?"), idHash).
			Scan(&se.OfficerID, &created, &expires, &revoked, &tag); err != nil {
			return err
		}
		se.Created, se.Expires, se.Revoked = created.t, expires.t, revoked.ptr()
		if !s.checkTag(sessionTagLabel, sessionTagValue(se), tag) {
			return fmt.Errorf("session of %s: %w", clip.Prefix(se.OfficerID), ErrAccountTag)
		}
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) {
		return se, fmt.Errorf("session: %w", ErrNotFound)
	}
	return se, err
}

// RevokeSession implements Accounts.
func (s *sqlStore) RevokeSession(ctx context.Context, idHash string, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.q("UPDATE sessions SET revoked = COALESCE(revoked, ?) WHERE id_hash = ?"), s.d.ts(tender.Stamp(now)), idHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("session: %w", ErrNotFound)
		}
		return nil
	})
}

// Retagger re-tags account rows after a rotation of the key file's
// signing key (which the tags' key is derived from). The SQL stores
// implement it.
type Retagger interface {
	// RetagAccounts re-tags, with the store's key file, every officer row
	// whose tag checks with old (the key file before the rotation), and
	// revokes every live session (their tags cannot be carried over: each
	// officer signs in again). Rows whose tags do not check with old stay
	// as they are (refused). It returns how many rows it re-tagged and how
	// many it left.
	RetagAccounts(ctx context.Context, old *seal.Keys, now time.Time) (retagged, left int, err error)
}

// RetaggerOf returns st's Retagger, looking through wrappers as
// AccountsOf does.
func RetaggerOf(st Store) (Retagger, bool) { return unwrapTo[Retagger](st) }

// RetagAccounts implements Retagger.
func (s *sqlStore) RetagAccounts(ctx context.Context, old *seal.Keys, now time.Time) (int, int, error) {
	if s.o.Keys == nil || old == nil {
		return 0, 0, fmt.Errorf("retag: %w", ErrNeedKeys)
	}
	retagged, left := 0, 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+officerCols+" FROM officers ORDER BY id")
		if err != nil {
			return err
		}
		type row struct {
			o   Officer
			tag string
		}
		var all []row
		for rows.Next() {
			o, tag, err := scanOfficerRow(rows)
			if err != nil {
				rows.Close()
				return err
			}
			all = append(all, row{o, tag})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			v := officerTagValue(r.o)
			if !old.CheckTag(officerTagLabel, v, r.tag) {
				left++
				continue
			}
			if _, err := tx.ExecContext(ctx, s.d.q("UPDATE officers SET tag = ? WHERE id = ?"), s.tag(officerTagLabel, v), r.o.ID); err != nil {
				return err
			}
			retagged++
		}
		_, err = tx.ExecContext(ctx, s.d.q("UPDATE sessions SET revoked = ? WHERE revoked IS NULL"), s.d.ts(tender.Stamp(now)))
		return err
	})
	return retagged, left, err
}
