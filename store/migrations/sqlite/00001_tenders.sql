-- Tenders, bids, evaluations, the audit chain and settings (issue 10).
-- Shipped: never edit; add a new numbered migration instead.
-- Times are TEXT in UTC RFC 3339 with exactly six fractional digits
-- (tender.Stamp resolution), so that they sort as text; decimals are TEXT
-- in their canonical string; structured values are JSON TEXT.

-- +goose Up
CREATE TABLE tenders (
    id             TEXT PRIMARY KEY,
    reference      TEXT NOT NULL,
    title          TEXT NOT NULL,
    buyer          TEXT NOT NULL,
    currency       TEXT NOT NULL,
    deadline       TEXT NOT NULL,
    method_id      TEXT NOT NULL,
    method_version TEXT NOT NULL,
    method_digest  TEXT NOT NULL,
    award          TEXT NOT NULL,
    status         TEXT NOT NULL,
    created        TEXT NOT NULL,
    -- The head of the audit chain, so that removing its last events shows.
    head_seq       INTEGER NOT NULL,
    head_hash      TEXT NOT NULL
);
CREATE INDEX tenders_created ON tenders (created DESC, id);

CREATE TABLE bids (
    tender_id       TEXT NOT NULL REFERENCES tenders (id),
    id              TEXT NOT NULL,
    supplier        TEXT NOT NULL,
    price_amount    TEXT NOT NULL,
    price_currency  TEXT NOT NULL,
    ladder_level    TEXT NOT NULL,
    lines           TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    withdrawn_at    TEXT,
    footprint       TEXT NOT NULL,
    token_hash      TEXT NOT NULL,
    idempotency_key TEXT,
    -- The audit events that record this bid's receipt and withdrawal.
    event_seq       INTEGER NOT NULL,
    withdrawn_seq   INTEGER,
    PRIMARY KEY (tender_id, id),
    UNIQUE (tender_id, idempotency_key)
);
CREATE INDEX bids_receipt ON bids (tender_id, received_at, event_seq);

CREATE TABLE evaluations (
    tender_id TEXT PRIMARY KEY REFERENCES tenders (id),
    body      TEXT NOT NULL,
    digest    TEXT NOT NULL
);

CREATE TABLE events (
    tender_id TEXT NOT NULL REFERENCES tenders (id),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    digests   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (tender_id, seq)
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE events;
DROP TABLE evaluations;
DROP TABLE bids;
DROP TABLE tenders;
