-- Committee custody of tender keys and tagged accounts (issue 18).
-- Shipped: never edit; add a new numbered migration instead.
--
-- officers.share_recipient is the public age recipient of the officer's
-- share key (seal.HolderKey), to which shares of tender keys are sealed;
-- officers.share_key its identity, locked under the officer's personal
-- token (seal.HolderKey.Lock), which the database never holds. '' and
-- NULL for an account made before: its shares are held by the server.
--
-- officers.tag and sessions.tag are HMAC-SHA256 tags of the row under a
-- key derived from the key file (seal.Keys.Tag): a database writer who
-- changes a role, a token hash, a share key or a revocation, or inserts a
-- row, cannot make its tag; the store refuses a row whose tag does not
-- check. '' for a store used without the key file.
--
-- tenders.custody is the JSON of tender.Custody (who can open the bids:
-- the server's key file, or k of the committee's shares), covered by the
-- tender's digest; '' for a tender made before, whose key is held by the
-- server. A committee's shares are tender_keys rows with holder
-- 'opener:<officer id>' (sealed to the opener's share key, or to the key
-- file for a share the server holds); an approval keeps its released
-- share as 'released:<officer id>', sealed to the key file, until the
-- k-th rebuilds the key, which is then wrapped to the key file (holder
-- 'server') as the opened tender's.
--
-- bids.sealed_token is the bid's content sealed under its bid token
-- (seal.SealWithSecret), so that its supplier reads it before the opening
-- when no one else can; bids.sealed_key the same under the submission's
-- Idempotency-Key, so that a retry is recognised. NULL when not made.

-- +goose Up
ALTER TABLE officers ADD COLUMN share_recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN share_key BLOB;
ALTER TABLE officers ADD COLUMN tag TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN tag TEXT NOT NULL DEFAULT '';
ALTER TABLE tenders ADD COLUMN custody TEXT NOT NULL DEFAULT '';
ALTER TABLE bids ADD COLUMN sealed_token BLOB;
ALTER TABLE bids ADD COLUMN sealed_key BLOB;

-- +goose Down
ALTER TABLE bids DROP COLUMN sealed_key;
ALTER TABLE bids DROP COLUMN sealed_token;
ALTER TABLE tenders DROP COLUMN custody;
ALTER TABLE sessions DROP COLUMN tag;
ALTER TABLE officers DROP COLUMN tag;
ALTER TABLE officers DROP COLUMN share_key;
ALTER TABLE officers DROP COLUMN share_recipient;
