package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/footprint-gpp/footprint/officers"
)

// Officer accounts and sessions over HTTP (docs/api.md "Officers",
// docs/tenders.md "Officers and roles"). The rules — who may manage
// accounts, what a role change ends — are package officers'; these
// handlers decode, authenticate and encode.

// signInRequest is the body of POST /v1/session.
type signInRequest struct {
	// Officer is the officer id; "" for the bootstrap administrator's
	// token (or a personal token, which names its officer).
	Officer string `json:"officer"`
	Token   string `json:"token" validate:"required"`
}

// sessionView answers POST /v1/session.
type sessionView struct {
	Officer string    `json:"officer"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Token   string    `json:"session_token"`
	Expires time.Time `json:"expires"`
	// ShareKey is the fingerprint of the officer's share key: a tender in
	// committee custody lists the key each opener's share is sealed to.
	ShareKey string `json:"share_key,omitempty"`
}

// postSession answers POST /v1/session: a personal token (or the
// bootstrap token) for a session token, valid SessionTTL, to send as a
// bearer token (cheap to check: a SHA-256, no argon2id) until DELETE
// /v1/session ends it. Failures are limited per address and per account
// (429), and logged without the token.
func (s *Server) postSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	var req signInRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.Officer) > 64 {
		req.Officer = req.Officer[:64]
	}
	if err := s.guessSignIn(w, r, req.Officer, req.Token); err != nil {
		return err
	}
	si, err := s.signIn(r, req.Officer, req.Token)
	if err != nil {
		if errors.Is(err, officers.ErrUnauthenticated) {
			return unauthorized(w, req.Token != "", "the officer id and token do not match an active account")
		}
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, sessionView{Officer: si.Actor.ID, Name: si.Actor.Name, Role: string(si.Actor.Role), Token: si.Token, Expires: si.Expires,
		ShareKey: s.tenders.officers.ShareKey(r.Context(), si.Actor.ID)})
}

// deleteSession answers DELETE /v1/session: the bearer session token's
// session ends at once (204); its next request is 401.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	tok := bearer(r)
	if !officers.IsSessionToken(tok) {
		return unauthorized(w, tok != "", "send Authorization: Bearer <session token> (from POST /v1/session)")
	}
	if err := s.guesses.allow(w, r, targetOfficer); err != nil {
		return err
	}
	if err := s.tenders.officers.SignOut(r.Context(), tok); err != nil {
		if errors.Is(err, officers.ErrUnauthenticated) {
			s.guesses.fail(r, guessOfficer, targetOfficer)
			return unauthorized(w, true, "no live session has this token")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// officerRequest is the body of POST /v1/officers.
type officerRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// OIDCSubject links the account to a single sign-on identity at
	// OIDCIssuer (default: the server's --oidc-issuer).
	OIDCSubject string `json:"oidc_subject"`
	OIDCIssuer  string `json:"oidc_issuer"`
}

// officerCreated answers POST /v1/officers: the account and its personal
// token, shown this once.
type officerCreated struct {
	officers.Account
	Token string `json:"token"`
}

// postOfficer answers POST /v1/officers (admin).
func (s *Server) postOfficer(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	who, err := s.requireOfficer(w, r, "")
	if err != nil {
		return err
	}
	var req officerRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var link officers.Link
	if req.OIDCSubject != "" || req.OIDCIssuer != "" {
		if link, err = s.oidcLink(req.OIDCIssuer, req.OIDCSubject); err != nil {
			return err
		}
	}
	acc, tok, err := s.tenders.officers.AddLinked(r.Context(), who, req.ID, req.Name, officers.Role(req.Role), link)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/officers/"+acc.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, officerCreated{Account: acc, Token: tok})
}

// getOfficers answers GET /v1/officers (admin).
func (s *Server) getOfficers(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	who, err := s.requireOfficer(w, r, "")
	if err != nil {
		return err
	}
	list, err := s.tenders.officers.List(r.Context(), who)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, struct {
		Officers []officers.Account `json:"officers"`
	}{list})
}

// officerPatch is the body of PATCH /v1/officers/{id}; absent fields stay.
type officerPatch struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
	// OIDCSubject links the account to a single sign-on identity at
	// OIDCIssuer (default: the server's --oidc-issuer); "" unlinks it.
	OIDCSubject *string `json:"oidc_subject"`
	OIDCIssuer  *string `json:"oidc_issuer"`
}

// patchOfficer answers PATCH /v1/officers/{id} (admin): a role change or
// disabling ends the officer's sessions at once.
func (s *Server) patchOfficer(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	who, err := s.requireOfficer(w, r, "")
	if err != nil {
		return err
	}
	id, _, err := pathIDs(r)
	if err != nil {
		return err
	}
	var req officerPatch
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var ch officers.Change
	if req.Role != nil {
		role := officers.Role(*req.Role)
		ch.Role = &role
	}
	ch.Disabled = req.Disabled
	var link *officers.Link
	if req.OIDCSubject != nil || req.OIDCIssuer != nil {
		var sub, iss string
		if req.OIDCSubject != nil {
			sub = *req.OIDCSubject
		}
		if req.OIDCIssuer != nil {
			iss = *req.OIDCIssuer
		}
		l := officers.Link{} // "oidc_subject": "" unlinks
		if sub != "" || iss != "" {
			if sub == "" {
				return fmt.Errorf("%w: oidc_subject: give the subject to link at oidc_issuer (an empty oidc_subject alone removes the link)", officers.ErrInvalid)
			}
			if l, err = s.oidcLink(iss, sub); err != nil {
				return err
			}
		}
		link = &l
	}
	var acc officers.Account
	n := 0
	if ch.Role != nil || ch.Disabled != nil || link == nil {
		if acc, n, err = s.tenders.officers.Update(r.Context(), who, id, ch); err != nil {
			return err
		}
	}
	if link != nil {
		var m int
		if acc, m, err = s.tenders.officers.Link(r.Context(), who, id, *link); err != nil {
			return err
		}
		n += m
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, struct {
		officers.Account
		SessionsEnded int `json:"sessions_ended"`
	}{acc, n})
}

// oidcLink is the link a request names: the subject at issuer, or at the
// server's single sign-on issuer when issuer is "".
func (s *Server) oidcLink(issuer, subject string) (officers.Link, error) {
	if issuer == "" {
		if s.oidc == nil {
			return officers.Link{}, fmt.Errorf("%w: oidc_issuer: this server has no single sign-on (serve --oidc-issuer); give the provider's issuer URL", officers.ErrInvalid)
		}
		issuer = s.oidc.cfg.Issuer
	}
	l := officers.Link{Issuer: issuer, Subject: subject}
	return l, officers.CheckLink(l)
}
