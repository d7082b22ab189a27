-- Bid content encrypted at rest (issue 15). Shipped: never edit; add a new
-- numbered migration instead. (Numbered 00006: 00005 is the salted
-- commitments' migration.)
--
-- tenders.recipient is the public age recipient (age1…) the tender's bids
-- are sealed to; its digest is in the tender's created event (or, for a
-- tender created before, in its sealed event), which the signed chain
-- covers. '' for a tender without a key yet: the store gives it one when
-- it opens the database with the key file (store.OpenWith, Options.Keys).
--
-- tender_keys holds the tender's key wrapped (seal.Keys.Wrap), one row per
-- (tender, holder): holder 'server' is the key file; a later threshold
-- opening adds one row per named opener's share, without a migration.
--
-- bids.sealed is the bid's content (supplier, price, ladder level, lines
-- with their EPD documents, footprint and limit results, commitment
-- nonce) as one age ciphertext to the tender's recipient; the clear
-- columns supplier, price_amount, price_currency, ladder_level, lines and
-- footprint of a sealed row hold '' and its line_count is NULL. NULL for
-- a bid still in clear (stored before), which the store seals when it
-- opens the database with the key file.
--
-- There is no way down: dropping bids.sealed would lose every sealed bid.

-- +goose Up
ALTER TABLE tenders ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
CREATE TABLE tender_keys (
    tender_id TEXT NOT NULL REFERENCES tenders (id),
    holder    TEXT NOT NULL,
    wrapped   BLOB NOT NULL,
    PRIMARY KEY (tender_id, holder)
);
ALTER TABLE bids ADD COLUMN sealed BLOB;
