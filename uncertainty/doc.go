// Package uncertainty samples the published uncertainty of a footprint's
// inputs, reproducibly, beside the exact decimal result.
//
// The exact engine (package calc) stays the legal result. This package
// works on float64 coefficients that the exact engine computes once per
// (line, factor): a Model lists the uncertain quantities (Variables: an
// emission factor's gas, a heat content, a line's activity data, a GWP, an
// EPD's declared value), each with the Distribution of its multiplier (the
// ratio of the true value to the value the exact engine used); an Item (a
// line, a bid) is a sum of Terms, each a coefficient times the product of
// some variables' multipliers.
//
// Reproducibility. Every variable has its own random stream: a ChaCha8
// generator (math/rand/v2, the C2SP chacha8rand algorithm) whose 32-byte
// seed is SHA-256 of "footprint/uncertainty/v1", a zero byte, the run's
// seed as 8 bytes big-endian, a zero byte and the variable's key. Draw i
// of a variable is the i-th Uint64 of its stream, made a uniform
// u = (x>>11 + 0.5)·2⁻⁵³ in (0, 1) and a standard normal z = Φ⁻¹(u)
// (NormalQuantile). A variable's draws therefore depend only on the seed
// and its key: they are the same whatever else the model holds, which is
// what makes common random numbers work across lines, bids and methods
// (one draw per uncertain quantity per iteration, shared by every user).
// All arithmetic is deterministic float64 (see detmath.go): no fused
// multiply-add, no platform exp or log, sums taken in a fixed order
// (terms in item order, items in order, iterations in order).
//
// No package-level mutable state; a Model is built once and read by
// Simulate and Rank, which may run on several goroutines but whose results
// never depend on how many.
package uncertainty
