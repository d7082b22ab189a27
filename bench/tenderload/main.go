// Command tenderload is the load generator of bench/tender.sh. Against a
// running `footprint serve` on loopback it
//
//   - creates a tender whose deadline is an hour away and POSTs 20-line
//     bids to it from CONNS connections for DURATION, each request with a
//     distinct body and its own Idempotency-Key (a reused key would be a
//     replay, not a submission), and prints submissions/s, p50/p99 latency
//     and the error count;
//
//   - with -open N: creates a tender whose deadline is a few seconds away,
//     submits N bids, waits for the deadline, and prints the time of
//     POST …/open and of GET …/evaluation.
//
//     tenderload -url http://127.0.0.1:18182 -token T [-duration 10s] [-conns 8] [-open 1000]
//
// The officer token comes from -token or FOOTPRINT_OFFICER_TOKEN. Requests
// and time are bounded: -duration, -max-requests and -open cap them, and
// every request has a timeout. It is a benchmark tool, not a test: it
// asserts nothing about time.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tenderload:", err)
		os.Exit(1)
	}
}

// config holds the flags.
type config struct {
	base     string
	token    string
	duration time.Duration
	conns    int
	maxReq   int
	open     int
	sizes    []int
	pid      int
	fill     int
	margin   float64
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tenderload", flag.ContinueOnError)
	var c config
	var err error
	fs.StringVar(&c.base, "url", "http://127.0.0.1:18182", "base URL of the server (loopback only)")
	fs.StringVar(&c.token, "token", os.Getenv("FOOTPRINT_OFFICER_TOKEN"), "officer token (default $FOOTPRINT_OFFICER_TOKEN)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long to submit bids (0: skip the throughput phase)")
	fs.IntVar(&c.conns, "conns", 8, "concurrent connections")
	fs.IntVar(&c.maxReq, "max-requests", 200000, "at most this many submissions in the throughput phase")
	fs.IntVar(&c.open, "open", 0, "bids in the tender to open and evaluate (0: skip)")
	sizes := fs.String("sizes", "", "comma-separated bid counts: for each, a committee-custody tender of that many bids is filled, opened by two approvals and exported (see sizes.go)")
	fs.IntVar(&c.pid, "pid", 0, "the server's process id, whose peak RSS (VmHWM) is reset and read around each measured step (0: no RSS figures)")
	fs.IntVar(&c.fill, "fill-conns", 16, "connections that fill the -sizes tenders")
	fs.Float64Var(&c.margin, "margin", 0.6, "the -sizes tenders' deadline assumes the fill runs at this fraction of the measured submissions/s")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.sizes, err = parseSizes(*sizes); err != nil {
		return err
	}
	u, perr := url.Parse(c.base)
	err = perr
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		return fmt.Errorf("-url must be a loopback http URL, e.g. http://127.0.0.1:18182")
	}
	if c.token == "" {
		return errors.New("no officer token: set FOOTPRINT_OFFICER_TOKEN or -token")
	}
	if c.conns < 1 || c.conns > 256 || c.fill < 1 || c.fill > 256 || c.duration < 0 || c.duration > 10*time.Minute || c.open < 0 || c.open > 100000 || c.maxReq < 1 || c.margin <= 0 || c.margin > 1 {
		return errors.New("-conns and -fill-conns 1..256, -duration 0..10m, -open 0..100000, -max-requests ≥ 1, -margin in (0, 1]")
	}
	cl := &client{base: strings.TrimRight(c.base, "/"), token: c.token,
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.conns, MaxConnsPerHost: c.conns}}}
	rate := 100.0 // submissions/s assumed when the throughput phase is skipped
	if c.duration > 0 {
		if rate, err = throughput(cl, c, out); err != nil {
			return err
		}
	}
	if c.open > 0 {
		if err := openPhase(cl, c, rate, out); err != nil {
			return err
		}
	}
	if len(c.sizes) > 0 {
		return sizesPhase(cl, c, rate, out)
	}
	return nil
}

// client talks to the server.
type client struct {
	base, token string
	hc          *http.Client
}

// do sends one request and returns its status and body (bounded to 512 MiB).
func (c *client) do(method, path, auth string, body []byte, hdr ...string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	return resp.StatusCode, b, err
}

// createTender creates a carbon_price tender under us-federal@2025.1 with
// the given deadline and returns its id.
func (c *client) createTender(ref string, deadline time.Time) (string, error) {
	body := fmt.Sprintf(`{"reference":%q,"title":"Benchmark","buyer":"Bench buyer","method":"us-federal@2025.1","currency":"EUR",`+
		`"deadline":%q,"award":{"rule":"carbon_price","carbon_price_per_t":"100","limits":"report"}}`, ref, deadline.UTC().Format(time.RFC3339))
	st, b, err := c.do(http.MethodPost, "/v1/tenders", c.token, []byte(body))
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated {
		return "", fmt.Errorf("create tender: status %d: %.300s", st, b)
	}
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("create tender: no id in %.300s", b)
	}
	return v.ID, nil
}

// acts is the mix of a bid's lines: fuels, grid electricity and freight,
// as in bench/bid20.lua.
var acts = [][4]string{
	{"fuel.natural_gas", "US", "1000", "mmBtu"},
	{"electricity.grid", "US-CAMX", "250", "MWh"},
	{"freight.road", "US", "5000", "short_ton.mi"},
	{"fuel.diesel", "US", "1200", "gal"},
}

// bid20 is the n-th 20-line bid: supplier, price and quantities vary with
// n, so that every body is distinct.
func bid20(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"supplier":"Supplier %d","price":{"amount":"%d.%02d","currency":"EUR"},"lines":[`, n, 1_000_000+n*37%50_000, n%100)
	for i := 1; i <= 20; i++ {
		a := acts[(i-1)%len(acts)]
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","activity":"%s","region":"%s","quantity":"%s.%d","unit":"%s"}`, i, a[0], a[1], a[2], (n+i)%1000, a[3])
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// submitter posts bids numbered from a shared counter until stop says so;
// it records latencies of 201 answers and counts the rest.
type submitter struct {
	c       *client
	id, run string
	next    atomic.Int64
	errs    atomic.Int64
	first   sync.Once
}

func (s *submitter) submit(n int) (time.Duration, bool) {
	start := time.Now()
	st, b, err := s.c.do(http.MethodPost, "/v1/tenders/"+s.id+"/bids", "", bid20(n), "Idempotency-Key", newKey())
	d := time.Since(start)
	if err != nil || st != http.StatusCreated {
		s.errs.Add(1)
		s.first.Do(func() { fmt.Fprintf(os.Stderr, "first failed submission: status %d, %v: %.300s\n", st, err, b) })
		return d, false
	}
	return d, true
}

// work runs conns workers until ctx ends or limit submissions were taken;
// it returns the latencies of the successful ones.
func (s *submitter) work(ctx context.Context, conns, limit int) []time.Duration {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			for ctx.Err() == nil {
				n := int(s.next.Add(1))
				if n > limit {
					break
				}
				if d, ok := s.submit(n); ok {
					lat = append(lat, d)
				}
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// throughput runs the first phase and returns the submissions/s.
func throughput(cl *client, c config, out io.Writer) (float64, error) {
	run := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	id, err := cl.createTender(run, time.Now().Add(time.Hour))
	if err != nil {
		return 0, err
	}
	s := &submitter{c: cl, id: id, run: run}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	start := time.Now()
	lat := s.work(ctx, c.conns, c.maxReq)
	el := time.Since(start)
	rate := float64(len(lat)) / el.Seconds()
	fmt.Fprintf(out, "submissions/s: %.0f (%d in %.1f s, %d connections)\n", rate, len(lat), el.Seconds(), c.conns)
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	fmt.Fprintf(out, "latency p50: %.2f ms  p99: %.2f ms\n", ms(p50), ms(p99))
	fmt.Fprintf(out, "errors: %d\n", s.errs.Load())
	return rate, nil
}

// openPhase times the opening of a tender of c.open bids; rate (the
// measured submissions/s) sizes the time until its deadline.
func openPhase(cl *client, c config, rate float64, out io.Writer) error {
	run := fmt.Sprintf("open-%d", time.Now().UnixNano())
	// The deadline has whole seconds (RFC 3339 as sent); the window leaves
	// room for the bids at half the measured rate (at least 50/s).
	window := 2*time.Second + time.Duration(float64(c.open)/max(rate/2, 50)*float64(time.Second))
	deadline := time.Now().Add(window).Truncate(time.Second).Add(time.Second)
	id, err := cl.createTender(run, deadline)
	if err != nil {
		return err
	}
	s := &submitter{c: cl, id: id, run: run}
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(-200*time.Millisecond))
	defer cancel()
	start := time.Now()
	lat := s.work(ctx, c.conns, c.open)
	if len(lat) != c.open {
		return fmt.Errorf("only %d of %d bids were accepted before the deadline (%d errors)", len(lat), c.open, s.errs.Load())
	}
	fmt.Fprintf(out, "submitted %d bids in %.2f s; waiting %.1f s for the deadline\n", c.open, time.Since(start).Seconds(), time.Until(deadline).Seconds())
	time.Sleep(time.Until(deadline) + 50*time.Millisecond)

	t0 := time.Now()
	st, b, err := cl.do(http.MethodPost, "/v1/tenders/"+id+"/open", cl.token, nil)
	dOpen := time.Since(t0)
	if err != nil || st != http.StatusOK {
		return fmt.Errorf("open: status %d, %v: %.300s", st, err, b)
	}
	var ev struct {
		Digest  string            `json:"digest"`
		Ranking []json.RawMessage `json:"ranking"`
	}
	if err := json.Unmarshal(b, &ev); err != nil || len(ev.Ranking) != c.open {
		return fmt.Errorf("open: the evaluation ranks %d of %d bids (%v)", len(ev.Ranking), c.open, err)
	}
	openKiB := len(b) / 1024
	t1 := time.Now()
	st, b, err = cl.do(http.MethodGet, "/v1/tenders/"+id+"/evaluation", cl.token, nil)
	dEval := time.Since(t1)
	if err != nil || st != http.StatusOK {
		return fmt.Errorf("evaluation: status %d, %v: %.300s", st, err, b)
	}
	t2 := time.Now()
	st, b, err = cl.do(http.MethodGet, "/v1/tenders/"+id+"/evaluation?format=csv", cl.token, nil)
	dCSV := time.Since(t2)
	if err != nil || st != http.StatusOK {
		return fmt.Errorf("evaluation CSV: status %d, %v: %.300s", st, err, b)
	}
	fmt.Fprintf(out, "open %d bids (POST …/open): %.0f ms (evaluation %d KiB, digest %.19s…)\n", c.open, ms(dOpen), openKiB, ev.Digest)
	fmt.Fprintf(out, "evaluation (GET …/evaluation): %.0f ms JSON, %.0f ms CSV\n", ms(dEval), ms(dCSV))
	return nil
}

// percentile returns the p-th percentile (nearest rank) of d; 0 for none.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := (len(d)*p + 99) / 100
	return d[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// newKey is a fresh Idempotency-Key: 128 random bits, base64url, as the
// server requires (22 characters).
func newKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// contextUntil is a context that ends at t.
func contextUntil(t time.Time) (context.Context, context.CancelFunc) {
	return context.WithDeadline(context.Background(), t)
}
