package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// backfillVersion is the Go migration that follows the SQL migration
// 00002 in both dialects: it cannot be SQL, because SQLite has no SHA-256
// and the digests are computed over the bids' canonical JSON.
const backfillVersion = 3

// backfill is migration 00003 (both dialects). It replaces every stored
// Idempotency-Key with HashIdempotencyKey of it, so that no key is kept
// (a retry of a key sent before the upgrade still replays: the same key
// hashes to the same value), and fills each older bid's summary columns
// (bid_digest, result_digest, line_count) from its content, one bid at a
// time. There is no way down: the keys are gone.
func backfill(d dialect) *goose.Migration {
	return goose.NewGoMigration(backfillVersion, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		return runBackfill(ctx, tx, d)
	}}, nil)
}

// bidKey names one bid row.
type bidKey struct{ tender, id string }

func runBackfill(ctx context.Context, tx *sql.Tx, d dialect) error {
	s := &sqlStore{d: d}
	// The keys first: short values, read in full (PostgreSQL runs one
	// query at a time on a connection), then rewritten.
	type keyed struct {
		bidKey
		key string
	}
	var keys []keyed
	rows, err := tx.QueryContext(ctx, "SELECT tender_id, id, idempotency_key FROM bids WHERE idempotency_key IS NOT NULL")
	if err != nil {
		return err
	}
	for rows.Next() {
		var k keyed
		if err := rows.Scan(&k.tender, &k.id, &k.key); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, d.q("UPDATE bids SET idempotency_key = ? WHERE tender_id = ? AND id = ?"), HashIdempotencyKey(k.key), k.tender, k.id); err != nil {
			return fmt.Errorf("hash the idempotency key of bid %s: %w", k.id, err)
		}
	}
	// Then the summaries: the ids, then each bid read on its own.
	var ids []bidKey
	rows, err = tx.QueryContext(ctx, "SELECT tender_id, id FROM bids WHERE bid_digest IS NULL OR line_count IS NULL")
	if err != nil {
		return err
	}
	for rows.Next() {
		var k bidKey
		if err := rows.Scan(&k.tender, &k.id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range ids {
		sb, err := s.getBidCols(ctx, tx, bidColsV1, k.tender, k.id)
		if err != nil {
			// A row that no longer reads (edited in the database) keeps
			// no summary; BidSummaries reports it, Verify shows it.
			continue
		}
		bs, err := summarize(sb.bid)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, d.q("UPDATE bids SET bid_digest = ?, result_digest = ?, line_count = ? WHERE tender_id = ? AND id = ?"),
			bs.BidDigest, bs.ResultDigest, len(sb.bid.Lines), k.tender, k.id); err != nil {
			return fmt.Errorf("summarise bid %s: %w", k.id, err)
		}
	}
	return nil
}
