package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
)

// KeysEnv names the environment variable that may hold the key file's
// content instead of a file (--keys).
const KeysEnv = "FOOTPRINT_KEYS"

// Default names of the key file and the checkpoint file: beside a SQLite
// database, in the working directory for PostgreSQL.
const (
	defaultKeysName       = "footprint.keys"
	defaultCheckpointName = "footprint.checkpoint"
)

// dbOptions are the flags that say where tenders are kept: the database
// (--db), the key file that signs their audit chains (--keys, or
// FOOTPRINT_KEYS) and the checkpoint file of signed heads (--checkpoint),
// both outside the database.
type dbOptions struct {
	url, keys, checkpoint *string
	creates               bool
}

// dbFlag registers --db, --keys and --checkpoint for serve and the tenders
// commands. creates says whether the command creates a missing SQLite file
// and key file (serve, tenders create) or refuses them.
func dbFlag(fs *flag.FlagSet, creates bool) *dbOptions {
	sqlite, keys := "an existing file; a missing one is an error", "an existing file"
	if creates {
		sqlite, keys = "a file, created when missing", "created with a new key when missing"
	}
	return &dbOptions{
		url:  fs.String("db", store.DefaultURL, "database: sqlite:PATH ("+sqlite+") or postgres://user@host/dbname"),
		keys: fs.String("keys", "", "key file that signs the audit chains, kept outside the database and its backups ("+keys+"; default "+defaultKeysName+" beside a SQLite database, else in the working directory; "+KeysEnv+" may hold its content instead)"),
		checkpoint: fs.String("checkpoint", "", "checkpoint file of signed chain heads, kept outside the database (created when missing; default "+
			defaultCheckpointName+" beside the key file)"),
		creates: creates,
	}
}

// baseDir is where the key and checkpoint files go by default: the SQLite
// database's directory, or the working directory.
func (o *dbOptions) baseDir() string {
	if p, ok := strings.CutPrefix(*o.url, "sqlite:"); ok {
		return filepath.Dir(strings.TrimPrefix(p, "//"))
	}
	return "."
}

// loadKeys reads the key file (or FOOTPRINT_KEYS), creating it when the
// command creates and it is missing. It says on stderr when it creates one.
func (o *dbOptions) loadKeys(e *env, cmd string) (*seal.Keys, string, error) {
	path := *o.keys
	if path == "" {
		if v := e.getenv(KeysEnv); v != "" {
			k, err := seal.Parse([]byte(v))
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", KeysEnv, err)
			}
			return k, o.baseDir(), nil
		}
		path = filepath.Join(o.baseDir(), defaultKeysName)
	}
	k, err := seal.Load(path)
	switch {
	case err == nil:
		return k, filepath.Dir(path), nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", err
	case !o.creates:
		return nil, "", fmt.Errorf("no key file at %s: footprint serve (or tenders create) makes one at first start; give --keys FILE or %s", clip.Prefix(path), KeysEnv)
	}
	if k, err = seal.Generate(); err != nil {
		return nil, "", err
	}
	if err := k.Save(path); err != nil {
		return nil, "", err
	}
	fmt.Fprintf(e.stderr, "footprint %s: created the key file %s (mode 0600): it signs every tender's audit chain; keep it, and a copy, apart from the database and its backups (docs/sealing.md)\n", cmd, path)
	return k, filepath.Dir(path), nil
}

// sealedStore is a store with its checkpoint file, closed together.
type sealedStore struct {
	store.Store
	cp    *seal.Checkpoint
	keys  []ed25519.PublicKey
	vault *seal.Keys
}

// Unwrap is the database the store wraps (store.AccountsOf finds the
// officer accounts there).
func (s sealedStore) Unwrap() store.Store { return s.Store }

// Close closes the database and the checkpoint file.
func (s sealedStore) Close() error {
	return errors.Join(s.Store.Close(), s.cp.Close())
}

// open opens the database with its audit chains sealed: every event
// signed with the key file's key, every signed head appended to the
// checkpoint file. A command that does not create refuses a missing
// SQLite file.
func (o *dbOptions) open(ctx context.Context, e *env, cmd string) (store.Store, error) {
	if u := *o.url; !strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return store.Open(ctx, u) // the store's message for an unsupported URL
	}
	if p, ok := strings.CutPrefix(*o.url, "sqlite:"); ok && !o.creates {
		p = strings.TrimPrefix(p, "//")
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("--db %s: no database there (%w)", clip.Prefix(*o.url), errors.Unwrap(err))
		}
	}
	k, dir, err := o.loadKeys(e, cmd)
	if err != nil {
		return nil, err
	}
	cpPath := *o.checkpoint
	if cpPath == "" {
		cpPath = filepath.Join(dir, defaultCheckpointName)
	}
	cp, err := seal.OpenCheckpoint(cpPath, k.VerifyKeys())
	if err != nil {
		return nil, err
	}
	st, err := store.OpenWith(ctx, *o.url, store.Options{Keys: k, Checkpoint: cp})
	if err != nil {
		cp.Close()
		return nil, err
	}
	return sealedStore{st, cp, k.VerifyKeys(), k}, nil
}
