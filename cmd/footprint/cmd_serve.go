package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"

	"github.com/footprint-gpp/footprint/server"
	"github.com/footprint-gpp/footprint/tenders"
)

// serveMemoryLimit is serve's soft memory limit (runtime/debug.
// SetMemoryLimit) when GOMEMLIMIT is not set. An opening's or an
// export's peak resident set is about this plus what is not Go's heap
// (the binary's pages, SQLite's cache: about 50 MiB): 80 MiB keeps the
// exports of a 50,000-bid tender under 150 MiB, for about a tenth more
// time than 100 MiB (docs/tenders.md "Performance").
const serveMemoryLimit = 80 << 20

func cmdServe(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "serve", "serve [--addr :8080] [--methods DIR] [--data DIR] [--db URL] [--keys FILE] [--checkpoint FILE] [--log-level info] [--log-format text] [--public-url URL] [--oidc-issuer URL --oidc-client-id ID [--oidc-client-secret-file FILE] [--oidc-redirect-url URL]]\n\n"+
		"Runs the REST service (/v1/...) and the web form (/) until SIGINT or SIGTERM,\n"+
		"then finishes the requests in flight and exits. Logs go to stderr. Tenders\n"+
		"are kept in the --db database, opened at start (a missing SQLite file is\n"+
		"created, with the schema). --public-url is the address the service is\n"+
		"published at (https://host[/path]): the OCDS exports' uri and extension\n"+
		"URLs are absolute under it; without it GET /v1/tenders/{id}/ocds answers 409.\n"+
		"--oidc-issuer and --oidc-client-id turn on single sign-on for officers\n"+
		"through that OpenID Connect provider; the client secret is read from\n"+
		"$"+oidcSecretEnv+" or --oidc-client-secret-file (never a flag value),\n"+
		"and the redirect URL is --public-url + "+server.OIDCCallbackPath+" unless given.")
	var df dataFlags
	df.register(fs)
	addr := fs.String("addr", ":8080", "address to listen on (host:port; 127.0.0.1:8080 for loopback only)")
	level := fs.String("log-level", "info", "log level: debug, info (one line per request), warn or error")
	format := fs.String("log-format", "text", "log format: text or json")
	db := dbFlag(fs, true)
	public := fs.String("public-url", "", "the service's public base URL, e.g. https://tenders.example.org (the OCDS exports need it)")
	sso := ssoFlags(e, fs, server.OIDCCallbackPath)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "footprint serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *public != "" {
		if _, err := tenders.CheckPublicURL(*public); err != nil {
			fmt.Fprintln(e.stderr, "footprint serve: --public-url:", err)
			return exitUsage
		}
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(e.stderr, "footprint serve: --log-level %q: use debug, info, warn or error\n", *level)
		return exitUsage
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch strings.ToLower(*format) {
	case "text":
		h = slog.NewTextHandler(e.stderr, opts)
	case "json":
		h = slog.NewJSONHandler(e.stderr, opts)
	default:
		fmt.Fprintf(e.stderr, "footprint serve: --log-format %q: use text or json\n", *format)
		return exitUsage
	}
	log := slog.New(h)
	if e.getenv("GOGC") == "" {
		// Requests allocate short-lived decimals and JSON; the live heap is a
		// few MB. Collecting less often doubles throughput (bench/server.sh).
		debug.SetGCPercent(400)
	}
	if e.getenv("GOMEMLIMIT") == "" {
		// With GOGC=400 the heap may grow to five times what is live
		// before a collection: after a personal token's argon2id (64 MiB)
		// or during an opening or export of tens of thousands of bids,
		// whose live set is their per-bid rows (tens of MB), that would
		// be hundreds of MB. A soft limit makes the collector run sooner
		// then, and never between ordinary requests, whose live heap is a
		// few MB (docs/tenders.md "Performance").
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitFailed
	}
	st, err := db.open(ctx, e, "serve")
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitFailed
	}
	defer st.Close()
	cfg := server.Config{Library: w.lib, Registry: w.reg, Engine: w.engine, Logger: log, AccessLog: lv <= slog.LevelInfo, Store: st, PublicURL: *public}
	if c, err := sso.config(e, *public); err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitUsage
	} else if c != nil {
		cfg.OIDC = &server.OIDCConfig{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL}
		if err := server.CheckOIDCConfig(*cfg.OIDC); err != nil {
			fmt.Fprintln(e.stderr, "footprint serve:", err)
			return exitUsage
		}
	}
	if err := officerToken(ctx, e, &cfg); err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitFailed
	}
	handler, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitFailed
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint serve:", err)
		return exitFailed
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.Int("methods", len(w.reg.All())), slog.Int("datasets", len(w.lib.DatasetRefs())))
	if err := server.Serve(ctx, ln, handler, log); err != nil {
		log.Error("server stopped", slog.Any("err", err))
		return exitFailed
	}
	return exitOK
}

// officerToken sets cfg.OfficerTokenHash from the server's database
// (cfg.Store, which serve always opens): from FOOTPRINT_OFFICER_TOKEN,
// else the stored hash, else a token generated now, printed here once
// (only its hash is stored). A Config without a Store needs no token.
func officerToken(ctx context.Context, e *env, cfg *server.Config) error {
	if cfg.Store == nil {
		return nil
	}
	if ss, ok := cfg.Store.(sealedStore); ok {
		cfg.Vault = ss.vault
	}
	hash, generated, err := server.OfficerToken(ctx, cfg.Store, e.getenv, cfg.Vault)
	if err != nil {
		return err
	}
	cfg.OfficerTokenHash = hash
	if generated != "" {
		fmt.Fprintf(e.stderr, "footprint serve: generated the officer token (shown once; only its hash is stored; set %s to choose your own):\n  %s\n",
			server.OfficerTokenEnv, generated)
	}
	return nil
}
