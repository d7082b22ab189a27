// Package tenders holds the tender use cases (DESIGN "Tenders";
// docs/tenders.md): create a tender, submit a bid (idempotently), list the
// sealed bids, read one's own bid, withdraw it, open the tender and
// evaluate its bids, export the evaluation (JSON or CSV) and the OCDS
// package, and verify the audit trail. It is the one place the REST API,
// the web pages and the command line call, so that all three apply the
// same rules and write the same stored data and audit events.
//
// A Service is built once with its dependencies (the store, the method
// registry, the engine and the clock) and passed in; the package keeps no
// state of its own. It knows no HTTP: it returns domain values (package
// tender's, and the views of this package, whose JSON is the API's) and
// errors that carry sentinels for errors.Is — its own (ErrNoStore,
// ErrSealed, ErrNotOpened, ErrForbidden, ErrInvalidTender) and those of
// packages tender, store, methods and factors — with, for invalid input,
// every bad field by its JSON Pointer (*Error). The server maps them to
// statuses and problem types in its one table; the command line to its
// messages and exit codes.
//
// Credentials are the edges' (the server's auth.go): a use case is told
// who asks (Caller) and, for a submission, the hash of the bid token the
// edge made.
//
// A tender is given as JSON by the API and the command line alike:
// TenderRequest is that document, DecodeTenderRequest reads it strictly
// and NewTender validates it and pins its method.
package tenders
