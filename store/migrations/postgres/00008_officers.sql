-- Named officers and their server-side sessions (issue 18). An officer's
-- personal token is kept only as its argon2id hash (token_hash, base64)
-- with the salt and parameters it was made with (params: "argon2id$v=19$
-- m=…,t=…,p=…$<salt base64>"); a session only as the SHA-256 of its id.
-- A role change or disabling an account revokes its sessions in the same
-- transaction. The bootstrap administrator (FOOTPRINT_OFFICER_TOKEN) has no
-- row here; its sessions carry officer_id "officer@<16 hex digits of the
-- SHA-256 of its token's hash>", so a new token ends them. Shipped: never edit;
-- add a new numbered migration instead.

-- +goose Up
CREATE TABLE officers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    params     TEXT NOT NULL,
    disabled   BOOLEAN NOT NULL DEFAULT FALSE,
    created    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL,
    created    TIMESTAMPTZ NOT NULL,
    expires    TIMESTAMPTZ NOT NULL,
    revoked    TIMESTAMPTZ
);
CREATE INDEX sessions_officer ON sessions (officer_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE officers;
