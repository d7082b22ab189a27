package main

// The -sizes phase: for each bid count N, a tender in committee custody
// (two opener accounts made with POST /v1/officers, committee
// {openers:[a,b], k:2}, max_bids ≥ N) is filled with N bids over HTTP;
// once every tender's deadline has passed, each is opened by the two
// approvals, each with its opener's personal token (the second approval
// rebuilds the key, decrypts and evaluates: its time is the opening's),
// then exported: GET …/evaluation (JSON and CSV), GET …/ocds and GET
// …/bids. With -pid, the server's peak RSS (VmHWM) is reset before each
// step (echo 5 > /proc/PID/clear_refs) and read after it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// parseSizes reads "1000,10000 50000" (commas or spaces).
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 100000 {
			return nil, fmt.Errorf("-sizes: %q is not a bid count of 1..100000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// rss reads and resets a process's peak resident set.
type rss struct{ pid int }

// reset restarts the peak (VmHWM) from the current RSS.
func (r rss) reset() {
	if r.pid > 0 {
		_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", r.pid), []byte("5"), 0)
	}
}

// read returns VmHWM and VmRSS in MiB (0, 0 without a pid).
func (r rss) read() (peak, now float64) {
	if r.pid <= 0 {
		return 0, 0
	}
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", r.pid))
	for _, l := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		switch k {
		case "VmHWM":
			peak = float64(kb) / 1024
		case "VmRSS":
			now = float64(kb) / 1024
		}
	}
	return peak, now
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// officer makes an opener account and returns its personal token.
func (c *client) officer(id string) (string, error) {
	st, b, err := c.do(http.MethodPost, "/v1/officers", c.token, []byte(fmt.Sprintf(`{"id":%q,"name":"Bench opener %s","role":"opener"}`, id, id)))
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated {
		return "", fmt.Errorf("create officer %s: status %d: %.300s", id, st, b)
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("create officer %s: no token in the answer", id)
	}
	return v.Token, nil
}

// committeeTender creates a carbon_price tender of at most maxBids bids
// whose committee is openers with k = len(openers), and checks that it is
// in committee custody.
func (c *client) committeeTender(ref string, deadline time.Time, maxBids int, openers []string) (string, error) {
	ops, _ := json.Marshal(openers)
	body := fmt.Sprintf(`{"reference":%q,"title":"Benchmark","buyer":"Bench buyer","method":"us-federal@2025.1","currency":"EUR",`+
		`"deadline":%q,"max_bids":%d,"committee":{"openers":%s,"k":%d},"award":{"rule":"carbon_price","carbon_price_per_t":"100","limits":"report"}}`,
		ref, deadline.UTC().Format(time.RFC3339), maxBids, ops, len(openers))
	st, b, err := c.do(http.MethodPost, "/v1/tenders", c.token, []byte(body))
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated {
		return "", fmt.Errorf("create tender: status %d: %.300s", st, b)
	}
	var v struct {
		ID      string `json:"id"`
		Custody struct {
			Kind string `json:"kind"`
		} `json:"custody"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("create tender: no id in %.300s", b)
	}
	if v.Custody.Kind != "committee" {
		return "", fmt.Errorf("create tender: custody %q, want committee: %.300s", v.Custody.Kind, b)
	}
	return v.ID, nil
}

// fetch GETs path as the officer and reads the answer to its end without
// keeping it; it returns the time to the last byte and the size.
func (c *client) fetch(path string) (time.Duration, int64, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	d := time.Since(start)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return d, n, err
}

// sizeRun is one tender of the -sizes phase.
type sizeRun struct {
	n  int
	id string
}

// step is one measured request: its time, answer size and the server's
// peak RSS during it.
type step struct {
	name  string
	d     time.Duration
	bytes int64
	peak  float64
	start float64 // the RSS when the step began
}

// sizesPhase runs the -sizes phase; rate (the measured submissions/s)
// sizes the time until the tenders' common deadline.
func sizesPhase(cl *client, c config, rate float64, out io.Writer) error {
	fmt.Fprintf(out, "== tenders of %v bids in committee custody (k = 2); load average %s\n", c.sizes, loadavg())
	suffix := strconv.FormatInt(time.Now().UnixNano()%1_000_000_000, 36)
	a, b := "bench-a-"+suffix, "bench-b-"+suffix
	tokA, err := cl.officer(a)
	if err != nil {
		return err
	}
	tokB, err := cl.officer(b)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range c.sizes {
		total += n
	}
	// One deadline for every tender: the fill at c.margin of the measured
	// rate, plus a few seconds. The openings come after it, one at a time,
	// with nothing else running on the server.
	window := 3*time.Second + time.Duration(float64(total)/max(rate*c.margin, 50)*float64(time.Second))
	deadline := time.Now().Add(window).Truncate(time.Second).Add(time.Second)
	runs := make([]sizeRun, len(c.sizes))
	for i, n := range c.sizes {
		id, err := cl.committeeTender(fmt.Sprintf("size-%s-%d", suffix, i), deadline, max(n, 1000), []string{a, b})
		if err != nil {
			return err
		}
		runs[i] = sizeRun{n: n, id: id}
	}
	for _, r := range runs {
		s := &submitter{c: cl, id: r.id}
		start := time.Now()
		ctx, cancel := contextUntil(deadline.Add(-200 * time.Millisecond))
		lat := s.work(ctx, c.fill, r.n)
		cancel()
		el := time.Since(start)
		if len(lat) != r.n {
			return fmt.Errorf("only %d of %d bids were accepted before the deadline (%d errors): raise -margin's headroom (a lower -margin) or run on a quieter machine", len(lat), r.n, s.errs.Load())
		}
		fmt.Fprintf(out, "filled %d bids in %.1f s (%.0f/s, %d connections)\n", r.n, el.Seconds(), float64(r.n)/el.Seconds(), c.fill)
	}
	if w := time.Until(deadline); w > 0 {
		fmt.Fprintf(out, "waiting %.1f s for the deadline\n", w.Seconds())
		time.Sleep(w + 100*time.Millisecond)
	}
	m := rss{c.pid}
	type row struct {
		n     int
		steps []step
		base  float64
		load  string
	}
	var rows []row
	for _, r := range runs {
		// Let the server settle (a GC, the scavenger) so that each
		// opening starts from the same resting RSS.
		time.Sleep(2 * time.Second)
		_, base := m.read()
		rw := row{n: r.n, base: base, load: loadavg()}
		if _, _, err := approve(cl, r.id, tokA, false); err != nil {
			return err
		}
		m.reset()
		_, start := m.read()
		d, size, err := approve(cl, r.id, tokB, true)
		if err != nil {
			return err
		}
		peak, _ := m.read()
		rw.steps = append(rw.steps, step{"opening (2nd approval)", d, size, peak, start})
		for _, g := range []struct{ name, path string }{
			{"GET …/evaluation (JSON)", "/evaluation"},
			{"GET …/evaluation?format=csv", "/evaluation?format=csv"},
			{"GET …/ocds", "/ocds"},
			{"GET …/bids (sealed list)", "/bids"},
		} {
			time.Sleep(500 * time.Millisecond)
			m.reset()
			_, start := m.read()
			d, size, err := cl.fetch("/v1/tenders/" + r.id + g.path)
			if err != nil {
				return err
			}
			peak, _ := m.read()
			rw.steps = append(rw.steps, step{g.name, d, size, peak, start})
		}
		rows = append(rows, rw)
		fmt.Fprintf(out, "-- %d bids (RSS before the opening %.0f MiB; load average %s)\n", rw.n, rw.base, rw.load)
		for _, s := range rw.steps {
			fmt.Fprintf(out, "   %-30s %8.0f ms  %8.1f MiB answer  peak RSS %s (%+.0f MiB over its start)\n", s.name, ms(s.d), float64(s.bytes)/(1<<20), mib(s.peak), s.peak-s.start)
		}
	}
	fmt.Fprintf(out, "summary (time / the server's peak RSS during the step):\n%8s", "bids")
	for _, s := range rows[0].steps {
		fmt.Fprintf(out, " | %-28s", s.name)
	}
	fmt.Fprintln(out)
	for _, rw := range rows {
		fmt.Fprintf(out, "%8d", rw.n)
		for _, s := range rw.steps {
			fmt.Fprintf(out, " | %-28s", fmt.Sprintf("%.0f ms / %s", ms(s.d), mib(s.peak)))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "load average at the end: %s\n", loadavg())
	return nil
}

// mib writes a peak RSS, or "-" when none was read.
func mib(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", v)
}

// approve posts an approval of tender id with a personal token; when
// opens, the answer must say the tender opened. It returns the time and
// the answer's size.
func approve(cl *client, id, token string, opens bool) (time.Duration, int64, error) {
	start := time.Now()
	st, b, err := cl.do(http.MethodPost, "/v1/tenders/"+id+"/approvals", token, nil)
	d := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if st != http.StatusOK {
		return 0, 0, fmt.Errorf("approval: status %d: %.300s", st, b)
	}
	var v struct {
		Opened bool `json:"opened"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return 0, 0, fmt.Errorf("approval: %w", err)
	}
	if v.Opened != opens {
		return 0, 0, errors.New("approval: the tender opened at the wrong approval")
	}
	return d, int64(len(b)), nil
}
