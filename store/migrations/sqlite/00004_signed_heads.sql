-- Signed chain heads (issue 15): every event keeps the signed head of the
-- chain as it stood after it (seal.SignedHead text, signed with the key
-- file's Ed25519 key, which the database does not hold), and the tender
-- its current one. Empty on events written without a key file.
-- Shipped: never edit; add a new numbered migration instead.

-- +goose Up
ALTER TABLE events ADD COLUMN sig TEXT NOT NULL DEFAULT '';
ALTER TABLE tenders ADD COLUMN head_sig TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenders DROP COLUMN head_sig;
ALTER TABLE events DROP COLUMN sig;
