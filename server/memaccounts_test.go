package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/footprint-gpp/footprint/store"
)

// memStore keeps officer accounts and sessions as the SQL stores do
// (store.Accounts): a role change or disabling revokes the officer's
// sessions at once.

func (m *memStore) accounts() {
	if m.officers == nil {
		m.officers, m.sessions = map[string]store.Officer{}, map[string]store.Session{}
	}
}

func (m *memStore) CreateOfficer(_ context.Context, o store.Officer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	if _, ok := m.officers[o.ID]; ok {
		return fmt.Errorf("%w: %s", store.ErrOfficerExists, o.ID)
	}
	m.officers[o.ID] = o
	return nil
}

func (m *memStore) Officer(_ context.Context, id string) (store.Officer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	o, ok := m.officers[id]
	if !ok {
		return o, store.ErrNotFound
	}
	return o, nil
}

func (m *memStore) Officers(context.Context) ([]store.Officer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	var out []store.Officer
	for _, o := range m.officers {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b store.Officer) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) UpdateOfficer(_ context.Context, id string, ch store.OfficerChange, now time.Time) (store.Officer, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	o, ok := m.officers[id]
	if !ok {
		return o, 0, store.ErrNotFound
	}
	revoke := false
	if ch.Role != nil && *ch.Role != o.Role {
		o.Role, revoke = *ch.Role, true
	}
	if ch.Disabled != nil {
		revoke = revoke || *ch.Disabled && !o.Disabled
		o.Disabled = *ch.Disabled
	}
	m.officers[id] = o
	n := 0
	if revoke {
		for k, se := range m.sessions {
			if se.OfficerID == id && se.Revoked == nil {
				t := now
				se.Revoked = &t
				m.sessions[k] = se
				n++
			}
		}
	}
	return o, n, nil
}

func (m *memStore) CreateSession(_ context.Context, se store.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	m.sessions[se.IDHash] = se
	return nil
}

func (m *memStore) Session(_ context.Context, idHash string) (store.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	se, ok := m.sessions[idHash]
	if !ok {
		return se, store.ErrNotFound
	}
	return se, nil
}

func (m *memStore) RevokeSession(_ context.Context, idHash string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts()
	se, ok := m.sessions[idHash]
	if !ok {
		return store.ErrNotFound
	}
	if se.Revoked == nil {
		se.Revoked = &now
		m.sessions[idHash] = se
	}
	return nil
}
