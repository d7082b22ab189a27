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
-- tenders.max_bids is the cap declared at creation; 0 (the tenders made
-- before) means tender.DefaultMaxBids.

-- +goose Up
ALTER TABLE bids ADD COLUMN bid_digest TEXT;
ALTER TABLE bids ADD COLUMN result_digest TEXT;
ALTER TABLE bids ADD COLUMN line_count INTEGER;
ALTER TABLE tenders ADD COLUMN max_bids INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tenders DROP COLUMN max_bids;
ALTER TABLE bids DROP COLUMN line_count;
ALTER TABLE bids DROP COLUMN result_digest;
ALTER TABLE bids DROP COLUMN bid_digest;
