// Package shamir splits a secret into n shares of which any k reconstruct
// it and any k−1 reveal nothing about it: Shamir's threshold secret
// sharing over the finite field GF(2⁸), applied to each byte of the
// secret independently.
//
// It is self-contained (standard library only) and knows nothing of the
// rest of footprint. The tender use cases use it to split a tender's
// opening key among the members of its opening committee (issue 18).
//
// # The scheme
//
// The field is GF(2⁸) with the AES reduction polynomial
// x⁸ + x⁴ + x³ + x + 1 (0x11B); addition is XOR. For each byte s of the
// secret, Split draws k−1 coefficients a₁…a_{k−1} uniformly from the
// given random source (a zero leading coefficient is allowed: excluding
// it would bias the shares) and gives share number i (X = i, for
// i = 1…n) the value
//
//	f(X) = s + a₁X + a₂X² + … + a_{k−1}X^{k−1}.
//
// Combine evaluates at 0 the polynomial of lowest degree through the
// given points (Lagrange interpolation). With at least k shares of one
// Split that polynomial is f, and f(0) is the secret. With fewer than k
// shares every secret is equally consistent with the shares (for any k−1
// distinct non-zero X the map from (a₁…a_{k−1}) to the k−1 share values
// is a bijection, whatever s is), so k−1 shares carry no information at
// all about the secret — not merely little.
//
// # What Combine cannot know
//
// A share carries no threshold, no identifier of the Split it came from
// and no checksum. Combine given fewer than k shares, shares of different
// Splits, or an altered share therefore returns a wrong secret, not an
// error: it cannot tell. Callers must authenticate what they reconstruct
// (for example, a reconstructed age identity either decrypts the tender's
// authenticated ciphertexts or it does not) and keep the threshold and
// the identity of the split alongside the shares. Combine returns an
// error only for share sets that are malformed on their face: none, a
// zero or repeated X, or values of different lengths.
//
// With k = 1 every share equals the secret; Split allows it (a committee
// of one) but it gives no secrecy against a share holder.
//
// # Arithmetic: table-free and branch-free
//
// Multiplication is a carry-less shift-and-add product reduced modulo
// 0x11B, eight fixed rounds, with every conditional replaced by a mask
// (mul); the inverse is a^254 by a fixed chain of multiplications
// (inv). Neither indexes memory by a secret value nor branches on one,
// so their timing does not depend on the secret or share bytes, unlike
// log/exp tables (whose lookups leak through the cache). The price is
// speed — several times the work of a log/exp table lookup — which is
// irrelevant for secrets of a few dozen bytes. The Go compiler gives no
// formal constant-time guarantee; "branch-free source" is the claim.
// Input validation (lengths, X values) does branch, on public data only.
//
// # Encoding
//
// A share's text form (MarshalText, UnmarshalText) is its X in decimal,
// a colon and its Y in standard padded base64, e.g. "3:q83vASNFZ4k=". Its
// binary form (MarshalBinary, UnmarshalBinary) is the byte X followed by
// Y. Parsing is strict: one canonical form per share, X in 1…255 without
// sign, spaces or leading zeros, canonical base64, and Y of 1…MaxSecret
// bytes. A Share prints (String, GoString) without its Y, so logging one
// leaks nothing.
package shamir
