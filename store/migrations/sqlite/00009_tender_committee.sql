-- A tender's opening committee (issue 18): the JSON of tender.Committee
-- (the openers' ids and k, how many must approve); '' for a tender made
-- before committees, which opens as it always did. TenderDigest covers
-- it, so the created event's digest vouches for what is stored here. The
-- approvals themselves are approved events of the audit chain. (Numbered
-- 00009: 00008 is the officer accounts'.) Shipped: never edit; add a new
-- numbered migration instead.

-- +goose Up
ALTER TABLE tenders ADD COLUMN committee TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenders DROP COLUMN committee;
