-- A tender's declared uncertainty report (issue 20): the JSON of
-- tender.UncertaintySetting (draws, the too-close-to-call threshold);
-- '' for a tender that declares none (every tender made before it),
-- whose evaluation is what it always was. TenderDigest covers it, so the
-- created event's digest vouches for what is stored here; the seed is
-- derived from that digest (tender.UncertaintySeed). Shipped: never
-- edit; add a new numbered migration instead.

-- +goose Up
ALTER TABLE tenders ADD COLUMN uncertainty TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenders DROP COLUMN uncertainty;
