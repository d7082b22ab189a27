// Package seal holds the cryptographic building blocks of sealed bids: a
// key file kept outside the database, per-tender envelope encryption,
// hiding and binding commitments, signed heads of the audit chain, and an
// append-only checkpoint file of those heads. It knows nothing of HTTP,
// SQL or the rest of footprint; the tender use cases and the store put
// the blocks together. The formats are specified in docs/sealing.md,
// precisely enough for an independent verifier.
//
// # Threat model
//
// The adversary reads and writes the database (a stolen backup, a
// compromised database server or administrator, an SQL injection) but does
// not hold the key file, which lives on the application servers only. The
// blocks give:
//
//   - Bid confidentiality before the opening. Each tender has its own age
//     X25519 key pair (TenderKey). Bids are sealed to its public recipient
//     (SealFor), which needs no secret; its identity is stored only
//     wrapped to the key file's current age recipient (Keys.Wrap), so a
//     database reader cannot open bids. An age ciphertext is authenticated
//     (ChaCha20-Poly1305 per 64 KiB chunk, with a final-chunk flag), so an
//     altered or truncated one fails to open (ErrCorrupt, ErrNoKey).
//     A BatchKey (batch.go) seals a run of one tender's bids under one
//     random key, itself sealed to the recipient (NewBatchKey): a
//     database reader learns no more, and an opening does one X25519
//     exchange per run instead of one per bid.
//   - Hiding digests. What the database and GET …/bids show before the
//     opening is a commitment (Commit), an HMAC-SHA256 keyed by a 256-bit
//     nonce that is sealed inside the bid: without the nonce, no brute
//     force over the plausible bids of a public notice can match it.
//     After the opening the nonce is revealed and anyone checks the
//     commitment (CheckCommitment), which binds the bidder to its bid.
//   - An audit chain the database writer cannot recompute. The chain's
//     head (tender, seq, hash, time) is signed with the key file's Ed25519
//     key (Keys.SignHead); the signed head goes into the bidder's receipt,
//     the exports and the checkpoint file. Someone who edits, reorders or
//     rewrites events can recompute the unkeyed SHA-256 chain but not a
//     signature, so a verifier holding the public keys (VerifyHead) sees
//     that the database's head is not one the server signed.
//   - Truncation and rollback detection. The checkpoint file (Checkpoint),
//     kept apart from the database and append-only, remembers every signed
//     head: a chain that ends before the checkpoint's latest seq was
//     truncated, one that lacks a checkpointed hash was rewritten, and two
//     lines signing one seq with different hashes (ErrConflict) show a
//     fork.
//
// What they do not give: an adversary who holds the key file (an attacker
// on the application server) can open every bid whose tender key is
// wrapped to it, and sign any head. Sealing does not authenticate the
// bidder (anyone with the recipient can seal): a bid's integrity comes
// from its commitment in the signed chain, and a tender's recipient must be
// covered by the signed chain too (docs/sealing.md, "For the integration"):
// a database writer can otherwise substitute a recipient of its own,
// wrapped to the server's public recipient, before bids arrive. The server
// opens the bids of a tender whose key is wrapped to it whenever it
// chooses. Committee custody (custody.go) removes that power: the tender
// key is split among the openers' holder keys (SplitTenderKey), each
// locked under the opener's personal token (HolderKey.Lock), so that only
// k of them rebuild it (CombineShares), and the key file alone opens
// nothing before the opening.
//
// # The key file
//
// One text file (docs/sealing.md) holds the age identities (current first)
// and the Ed25519 signing key, and the public keys of earlier signing
// keys. Generate creates it, Save writes it (mode 0600, atomically), Load
// reads it and refuses a file readable by group or others, Parse reads its
// content from elsewhere (an environment variable fed from a secret
// store). Keep it on the application servers, e.g. /etc/footprint/keys
// owned by the service user, never in the database nor beside it in the
// same backup: back it up separately (an offline copy, a secret manager),
// because losing it makes every sealed, unopened bid unreadable and every
// head unverifiable, and a backup holding both the database and the key
// file gives away everything the key file protects. Publish the public
// verify keys (VerifyKeys, KeyID) with the tender notices, so that
// bidders and auditors can check receipts without the server.
//
// # Rotation
//
//  1. Keys.Rotate and Save the result (the new age identity and signing key
//     become current; the old identities stay, the old signing key's
//     public key stays as a verify key).
//  2. Restart or reload every server with the new file: new tenders' keys
//     are wrapped to the new recipient, new heads signed with the new key.
//  3. Optionally, to retire an old identity: Keys.Rewrap every stored
//     wrapped tender key (each then opens with the current identity),
//     then delete the old age-identity line from the file. Keep
//     verify-key lines as long as heads signed with them must verify.
//
// If the key file leaked, rotate, rewrap, delete the leaked identity, and
// treat heads signed with the leaked key after the leak as unproven.
package seal
