-- A tender's notice details (issue 17): the buyer as an organisation, the
-- CPV code, nature and description that eForms and OCDS notices need, as
-- the JSON of tender.Notice; '' for a tender without them (made before, or
-- created without). TenderDigest covers them, so the created event's
-- digest vouches for what is stored here. Shipped: never edit; add a new
-- numbered migration instead.

-- +goose Up
ALTER TABLE tenders ADD COLUMN notice TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenders DROP COLUMN notice;
