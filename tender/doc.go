// Package tender is the domain of a tender: an officer's call for bids under
// one pinned method version, suppliers' sealed bids, the opening after the
// deadline, the evaluation that ranks the bids, and the hash-chained audit
// trail of everything that happened. It knows nothing of SQL, HTTP or CSV:
// the store, the REST service, the web pages and the CLI are built on it.
//
// # States
//
// A tender is open (bids accepted while now is before its deadline), then
// closed (the deadline has passed; content still sealed), then opened (an
// officer opened it and the evaluation exists); it may be cancelled. The
// clock is always a parameter (now time.Time): the package holds no state
// and reads no clock, so every rule is a pure function that tests and
// several servers sharing one database evaluate alike. Nothing about a
// tender changes once it has received a bid (ErrTenderFrozen).
//
// # Award rules
//
// Every amount is an exact decimal in the tender's currency; nothing goes
// through floating point. The lowest notional price wins; equal notional
// prices go to the earlier receipt, then (for total determinism) to the
// smaller bid id.
//
//   - price_only: notional = price.
//   - carbon_price: notional = price + W × t CO2e, W the tender's declared
//     carbon price per tonne and t = kg CO2e / 1000 (exact). This is the
//     pattern of Rijkswaterstaat's MKI-W (a declared shadow price per unit of
//     environmental cost) and of life-cycle costing with a declared carbon
//     cost under EU Directive 2014/24, Article 68.
//   - ladder: notional = price × (1 − discount[level]), with the buyer's
//     table of fictitious discounts per declared certification level (the
//     CO2 Performance Ladder pattern); a bid without a level gets none.
//
// The package ships no default carbon price and no default discount table:
// a tender declares its own, and validation refuses a rule without them.
//
// Procurement limits of the pinned method are applied by the tender's
// limits rule: exclude (a bid failing any limit is ranked out, with the
// failing limits as its reason) or report (the failures are shown, the bid
// is ranked).
//
// # Rounding
//
// Notional prices are computed exactly and ranked exactly; only reported
// amounts are rounded: money to 2 places, half to even; kg CO2e by the
// pinned method's rounding rule. The evaluation's digest is the SHA-256 of
// its canonical JSON, so the same tender and bids give the same digest on
// any server and after any restart.
//
// # Audit trail
//
// Every event (created, bid_received, withdrawn, opened, evaluated,
// exported) carries the hash of the one before it and the digests it
// concerns, named by what they digest (Digests: tender, bid, result,
// evaluation, ocds); its hash covers each name and value. Events stored
// before digests were named are Legacy: hashed over the values only, as
// they were stored, and named when read (NameLegacy). Verify recomputes the chain and names the first event that
// does not verify. Bid and officer tokens are stored only as their
// SHA-256 (HashToken) and compared in constant time (EqualTokenHash).
package tender
