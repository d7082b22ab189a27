-- Salted commitments (issue 15): what the sealed list, the receipt and the
-- audit trail show of a bid before opening. commitment is
-- seal.Commit(nonce, tender.CommitmentContent(bid digest, result digest)):
-- an HMAC-SHA256 keyed by a secret 256-bit nonce, which reveals nothing a
-- brute force over plausible bids could match; commit_nonce (hex) is
-- revealed at opening, in the evaluation, so that anyone can then check
-- the commitment against the opened bid. Bids stored before keep their
-- plain digests (NULL here). Shipped: never edit; add a new migration.

-- +goose Up
ALTER TABLE bids ADD COLUMN commitment TEXT;
ALTER TABLE bids ADD COLUMN commit_nonce TEXT;

-- +goose Down
ALTER TABLE bids DROP COLUMN commit_nonce;
ALTER TABLE bids DROP COLUMN commitment;
