// Package officers holds the named officer accounts of a tender server
// (issue 18, docs/tenders.md "Officers and roles"): who may do what
// (roles), the personal tokens that authenticate them (kept only as
// argon2id hashes), and the server-side sessions that sign-in makes and
// sign-out, a role change or a disabled account end at once.
//
// It sits under package tenders (cmd → server → tenders → officers →
// store): the tender use cases ask an Actor whether it Can do an action,
// so that the REST API, the web pages and the CLI enforce the same roles.
package officers

import (
	"errors"
	"fmt"
	"regexp"
)

// Role is what an officer may do.
type Role string

// The roles. An administrator manages accounts and may do everything
// else; a buyer creates and manages tenders (create, read, open, export,
// audit); an opener reads tenders and opens them; an auditor reads
// tenders, audit trails, evaluations and exports, and cannot create or
// open. (Opening is the buyer's and the opener's for now; opening
// committees refine it.)
const (
	RoleAdmin   Role = "admin"
	RoleBuyer   Role = "buyer"
	RoleOpener  Role = "opener"
	RoleAuditor Role = "auditor"
)

// Roles lists the roles in the order the documentation gives them.
var roles = [...]Role{RoleAdmin, RoleBuyer, RoleOpener, RoleAuditor}

// Roles returns every role.
func Roles() []Role { return roles[:] }

// ParseRole reads a role's name (ErrInvalid for another).
func ParseRole(s string) (Role, error) {
	for _, r := range roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: role %q: give one of admin, buyer, opener, auditor", ErrInvalid, clipText(s))
}

// Action is something a role may be allowed to do.
type Action string

// The actions the use cases check.
const (
	// ActCreate: create a tender.
	ActCreate Action = "create tenders"
	// ActRead: list tenders, read one, its sealed bid list, its bids
	// after opening.
	ActRead Action = "read tenders"
	// ActOpen: open a tender after its deadline.
	ActOpen Action = "open tenders"
	// ActEvaluate: read the evaluation.
	ActEvaluate Action = "read evaluations"
	// ActExport: take an export (evaluation, OCDS, eForms), which is
	// recorded as an exported event.
	ActExport Action = "export tenders"
	// ActAudit: read the audit trail.
	ActAudit Action = "read audit trails"
	// ActManage: create, list and change officer accounts.
	ActManage Action = "manage officer accounts"
)

// permissions is the table of what each role may do.
var permissions = map[Role]map[Action]bool{
	RoleAdmin:   {ActCreate: true, ActRead: true, ActOpen: true, ActEvaluate: true, ActExport: true, ActAudit: true, ActManage: true},
	RoleBuyer:   {ActCreate: true, ActRead: true, ActOpen: true, ActEvaluate: true, ActExport: true, ActAudit: true},
	RoleOpener:  {ActRead: true, ActOpen: true},
	RoleAuditor: {ActRead: true, ActEvaluate: true, ActExport: true, ActAudit: true},
}

// Allows reports whether role r may do act.
func (r Role) Allows(act Action) bool { return permissions[r][act] }

// Actor is an authenticated person: the officer id (what audit events
// record), the display name and the role.
type Actor struct {
	ID   string
	Name string
	Role Role
	// cred is the personal token the actor authenticated with, kept for
	// the one use that needs it beyond authentication: unlocking the
	// actor's key share when approving a committee's opening. Unexported,
	// so that no JSON, log line or %v shows it.
	cred string
}

// WithCredential returns a with tok as the personal token that unlocks
// its key share (the web pages ask for it when approving an opening).
func (a Actor) WithCredential(tok string) Actor {
	a.cred = tok
	return a
}

// Credential is the personal token a authenticated with ("" for a
// session, the bootstrap token or the command line).
func (a Actor) Credential() string { return a.cred }

// String names the actor by id and role; never its credential.
func (a Actor) String() string { return a.ID + " (" + string(a.Role) + ")" }

// GoString is String.
func (a Actor) GoString() string { return a.String() }

// The ids of the actors that are no account: the bootstrap administrator
// (FOOTPRINT_OFFICER_TOKEN; "officer", the actor today's events already
// name) and the command line run on the database ("cli"). Both are
// administrators, and neither id can be given to an account.
const (
	BootstrapID = "officer"
	CLIID       = "cli"
)

// Bootstrap is the bootstrap administrator.
var bootstrap = Actor{ID: BootstrapID, Name: "bootstrap administrator", Role: RoleAdmin}

// Bootstrap returns the bootstrap administrator.
func Bootstrap() Actor { return bootstrap }

// CLI returns the actor of a command run on the database without --as.
func CLI() Actor { return Actor{ID: CLIID, Name: "command line", Role: RoleAdmin} }

// Can returns nil when a may do act, else an error wrapping ErrForbidden
// that names the role and the action.
func (a Actor) Can(act Action) error {
	if a.Role.Allows(act) {
		return nil
	}
	if a.ID == "" {
		return fmt.Errorf("%w: no officer is named for this action (%s)", ErrForbidden, act)
	}
	return fmt.Errorf("%w: officer %s has the role %s, which may not %s", ErrForbidden, a.ID, a.Role, act)
}

// Errors of the accounts; the edges map them (401, 403, 400, 409).
var (
	// ErrUnauthenticated: no valid credential (a wrong token, an unknown
	// or disabled officer, an ended session).
	ErrUnauthenticated = errors.New("not signed in")
	// ErrForbidden: the officer's role does not allow the action.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrInvalid: a bad id, name or role.
	ErrInvalid = errors.New("invalid officer")
	// ErrExists: the officer id is taken.
	ErrExists = errors.New("officer id taken")
	// ErrNoAccounts: the server runs without a database keeping accounts.
	ErrNoAccounts = errors.New("officer accounts need a database")
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// CheckID checks an officer id: 2 to 32 characters, lower-case letters,
// digits and '-', starting with a letter, and not a reserved id.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%w: id %q: 2 to 32 lower-case letters, digits or '-', starting with a letter", ErrInvalid, clipText(id))
	}
	if id == BootstrapID || id == CLIID {
		return fmt.Errorf("%w: id %q is reserved (the bootstrap administrator and the command line)", ErrInvalid, id)
	}
	return nil
}

// MaxNameLen bounds a display name (bytes).
const MaxNameLen = 200

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
