-- Issue 15: what the sealed list reads of a bid without its content, and
-- each tender's bid cap. Shipped: never edit; add a new numbered migration.
--
-- bids.bid_digest, result_digest and line_count are written with each bid
-- (tender.BidDigest, its footprint's result digest, its number of lines);
-- the Go migration 00003 (store/backfill.go) fills them for the bids stored
-- before, and hashes their stored idempotency keys: from then on the
-- column idempotency_key holds store.HashIdempotencyKey of the key (64 hex
-- digits), never the key.
--
-- bids_token covers the credential check (Store.BidTokenHash): the token
-- hash is read from the index alone, never from the bid's row, whose
-- token_hash comes after its lines (on SQLite, reaching it in the row
-- would walk the lines' overflow pages: a time that grows with the bid).
--
-- tenders.max_bids is the cap declared at creation; 0 (the tenders made
-- before) means tender.DefaultMaxBids.

-- +goose Up
ALTER TABLE bids ADD COLUMN bid_digest TEXT;
ALTER TABLE bids ADD COLUMN result_digest TEXT;
ALTER TABLE bids ADD COLUMN line_count INTEGER;
ALTER TABLE tenders ADD COLUMN max_bids INTEGER NOT NULL DEFAULT 0;
CREATE INDEX bids_token ON bids (tender_id, id, token_hash);

-- +goose Down
DROP INDEX bids_token;
ALTER TABLE tenders DROP COLUMN max_bids;
ALTER TABLE bids DROP COLUMN line_count;
ALTER TABLE bids DROP COLUMN result_digest;
ALTER TABLE bids DROP COLUMN bid_digest;
