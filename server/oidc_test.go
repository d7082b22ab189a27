package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// The single sign-on tests run a real OpenID provider in the test:
// zitadel/oidc's op package with its example in-memory storage and login
// page (a username and password form), served by httptest. Nothing of
// go-oidc or oauth2 is mocked: discovery, the keys, the code exchange
// with PKCE and the ID token are the provider's.

// The provider's people: Alice is linked to an officer account, Bob is
// not (his subject is known to no account).
const (
	ssoClientID   = "footprint-test"
	ssoSecret     = "client-secret-for-tests-only"
	aliceSub      = "alice-subject-0001"
	aliceUser     = "alice@agency.example"
	bobSub        = "bob-subject-0002"
	bobUser       = "bob@agency.example"
	ssoPassword   = "correct horse battery staple"
	aliceOfficer  = "alice"
	aliceFullName = "Alice Martin"
)

// ssoUsers is the provider's user store (storage.UserStore).
type ssoUsers map[string]*storage.User

func (u ssoUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u ssoUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u ssoUsers) ExampleClientID() string { return "service" }

// logBuffer is a concurrency-safe buffer for the server's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ssoEnv is a footprint server with single sign-on and its provider, both
// listening on the loopback.
type ssoEnv struct {
	app, idp *httptest.Server
	s        *Server
	st       store.Store
	log      *logBuffer
}

// newSSOEnv starts the provider and a footprint server (SQLite store) whose
// officer alice is linked to Alice's subject. cfg adjusts the server's
// configuration before it is built.
func newSSOEnv(t *testing.T, cfg func(*Config)) *ssoEnv {
	t.Helper()
	app := httptest.NewUnstartedServer(nil)
	idp := httptest.NewUnstartedServer(nil)
	issuer := "http://" + idp.Listener.Addr().String()
	redirect := "http://" + app.Listener.Addr().String() + OIDCCallbackPath

	users := ssoUsers{
		aliceSub: {ID: aliceSub, Username: aliceUser, Password: ssoPassword, FirstName: "Alice", LastName: "Martin", EmailVerified: true, PreferredLanguage: language.English},
		bobSub:   {ID: bobSub, Username: bobUser, Password: ssoPassword, FirstName: "Bob", LastName: "Stone", EmailVerified: true, PreferredLanguage: language.English},
	}
	clients := map[string]*storage.Client{ssoClientID: storage.WebClient(ssoClientID, ssoSecret, redirect)}
	idp.Config.Handler = exampleop.SetupServer(issuer, storage.NewStorageWithClients(users, clients), nil, false)
	idp.Start()
	t.Cleanup(idp.Close)

	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "sso.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &logBuffer{}
	c := Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: st, OfficerTokenHash: tender.HashToken(officerToken),
		OfficerHashParams: officers.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32},
		Logger:            slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		OIDC:              &OIDCConfig{Issuer: issuer, ClientID: ssoClientID, ClientSecret: ssoSecret, RedirectURL: redirect}}
	if cfg != nil {
		cfg(&c)
	}
	s, err := newServer(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.tenders.officers.AddLinked(ctx, officers.Bootstrap(), aliceOfficer, aliceFullName, officers.RoleBuyer,
		officers.Link{Issuer: issuer, Subject: aliceSub}); err != nil {
		t.Fatal(err)
	}
	app.Config.Handler = s
	app.Start()
	t.Cleanup(app.Close)
	return &ssoEnv{app: app, idp: idp, s: s, st: st, log: logs}
}

// issuer is the provider's issuer URL.
func (e *ssoEnv) issuer() string { return e.idp.URL }

// ssoClient is a browser-like client: a cookie jar, redirects followed,
// every URL it visits recorded.
type ssoClient struct {
	*http.Client
	mu      sync.Mutex
	visited []string
}

func newSSOClient(t *testing.T) *ssoClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &ssoClient{}
	c.Client = &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		c.mu.Lock()
		c.visited = append(c.visited, r.URL.String())
		c.mu.Unlock()
		if len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return c
}

func (c *ssoClient) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var loginIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signInAt drives the whole code flow as a browser: the server's start
// route, the provider's login form (filled with user and password), the
// provider's redirect back, the callback. It returns the callback's answer.
func (c *ssoClient) signInAt(t *testing.T, e *ssoEnv, user, password string) (*http.Response, string) {
	t.Helper()
	resp, body := c.get(t, e.app.URL+"/officer/oidc/start")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.idp.URL+"/login/username") {
		t.Fatalf("start: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	m := loginIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the provider's login page has no request id: %.500s", body)
	}
	resp, err := c.PostForm(e.idp.URL+"/login/username", url.Values{"id": {m[1]}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOIDCCodeFlow runs the authorization-code flow end to end with a Go
// client against the provider: Alice, linked, lands signed in (the
// tenders page names her; the session is a server-side one, which
// sign-out ends); Bob, whom no account is linked to, is refused with 401,
// logged without any token or code, and counted by the sign-in limiter
// for his address; a replayed callback is refused.
func TestOIDCCodeFlow(t *testing.T) {
	e := newSSOEnv(t, nil)
	c := newSSOClient(t)

	resp, body := c.get(t, e.app.URL+"/officer/sign-in")
	if !strings.Contains(body, `href="/officer/oidc/start"`) || !strings.Contains(body, "Sign in with single sign-on") {
		t.Fatalf("the sign-in page offers no single sign-on: %d", resp.StatusCode)
	}
	resp, body = c.signInAt(t, e, aliceUser, ssoPassword)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != OIDCCallbackPath || !strings.Contains(body, `http-equiv="refresh" content="0; url=/tenders"`) {
		t.Fatalf("callback: %d at %s: %.500s", resp.StatusCode, resp.Request.URL, body)
	}
	cb := resp.Request.URL
	q := cb.Query()
	if q.Get("code") == "" || q.Get("state") == "" {
		t.Fatalf("the provider came back without a code or state: %s", cb)
	}
	// The authorization request carried PKCE S256, a state and a nonce.
	var authReq *url.URL
	for _, v := range c.visited {
		if u, err := url.Parse(v); err == nil && u.Host == strings.TrimPrefix(e.idp.URL, "http://") && u.Query().Get("client_id") == ssoClientID {
			authReq = u
			break
		}
	}
	if authReq == nil {
		t.Fatalf("no authorization request among %v", c.visited)
	}
	aq := authReq.Query()
	if aq.Get("code_challenge_method") != "S256" || len(aq.Get("code_challenge")) != 43 || aq.Get("nonce") == "" || aq.Get("state") != q.Get("state") ||
		aq.Get("response_type") != "code" || !strings.Contains(aq.Get("scope"), "openid") {
		t.Errorf("authorization request %s: want code flow with PKCE S256, state and nonce", authReq.RawQuery)
	}
	resp, body = c.get(t, e.app.URL+"/tenders")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/tenders" || !strings.Contains(body, "Signed in as "+aliceFullName+" (alice)") {
		t.Fatalf("/tenders after single sign-on: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	appURL, _ := url.Parse(e.app.URL)
	var session string
	for _, ck := range c.Jar.Cookies(appURL) {
		if ck.Name == SessionCookie {
			session = ck.Value
		}
	}
	if a, err := e.s.tenders.officers.Session(context.Background(), session); err != nil || a.ID != aliceOfficer {
		t.Fatalf("the cookie is no server-side session of alice: %+v, %v", a, err)
	}
	// The flow is used once: the callback again is refused.
	if resp, _ := c.get(t, cb.String()); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a replayed callback: %d, want 400", resp.StatusCode)
	}
	// A role change ends the single sign-on session as any other.
	auditor := officers.RoleAuditor
	if _, n, err := e.s.tenders.officers.Update(context.Background(), officers.Bootstrap(), aliceOfficer, officers.Change{Role: &auditor}); err != nil || n != 1 {
		t.Fatalf("role change: %d ended, %v", n, err)
	}
	if resp, _ := c.get(t, e.app.URL+"/tenders"); resp.Request.URL.Path != "/officer/sign-in" {
		t.Errorf("after a role change /tenders ends at %s, want the sign-in page", resp.Request.URL.Path)
	}

	// Bob is known to the provider, not to footprint.
	bob := newSSOClient(t)
	resp, body = bob.signInAt(t, e, bobUser, ssoPassword)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not linked to an officer account") || !strings.Contains(body, bobSub) {
		t.Fatalf("Bob's single sign-on: %d: %.500s", resp.StatusCode, body)
	}
	for _, ck := range bob.Jar.Cookies(appURL) {
		if ck.Name == SessionCookie {
			t.Errorf("Bob got a session cookie")
		}
	}
	logs := e.log.String()
	bobCode := resp.Request.URL.Query().Get("code")
	if !strings.Contains(logs, "single sign-on: no officer is linked") || !strings.Contains(logs, "kind=oidc") || !strings.Contains(logs, bobSub) {
		t.Errorf("the refusal is not logged as a credential refused: %s", logs)
	}
	for _, secret := range []string{bobCode, q.Get("code"), session, ssoSecret, "eyJ"} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the log holds a code, token or secret (%.12s…): %s", secret, logs)
		}
	}
	e.s.guesses.mu.Lock()
	a := e.s.guesses.addrs.live("127.0.0.1", e.s.guesses.lim.Now(), e.s.guesses.lim.Window)
	e.s.guesses.mu.Unlock()
	if a == nil || a.n != 1 {
		t.Errorf("the sign-in limiter counted %+v for 127.0.0.1, want one failure", a)
	}
}

// TestOIDCLimiter: an address over its limit of failed sign-ins gets 429
// at the callback, before the code is exchanged.
func TestOIDCLimiter(t *testing.T) {
	e := newSSOEnv(t, func(c *Config) { c.Guesses = GuessLimits{PerAddress: 1} })
	bob := newSSOClient(t)
	if resp, _ := bob.signInAt(t, e, bobUser, ssoPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Bob: %d, want 401", resp.StatusCode)
	}
	alice := newSSOClient(t)
	resp, body := alice.signInAt(t, e, aliceUser, ssoPassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("after a failure from the same address: %d %q: %.300s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

// TestOIDCHandlers checks the edges of the callback and the start route
// one by one: without a flow, with another state, with parameters out of
// bounds or repeated, with another issuer, with the provider's error, on
// a server without single sign-on, with a provider that cannot be
// reached.
func TestOIDCHandlers(t *testing.T) {
	e := newSSOEnv(t, nil)
	// A flow started by this client: its cookie and state.
	start := func(c *ssoClient) string {
		t.Helper()
		resp, _ := c.get(t, e.app.URL+"/officer/oidc/start")
		for _, v := range c.visited {
			if u, err := url.Parse(v); err == nil && u.Query().Get("state") != "" && u.Query().Get("client_id") == ssoClientID {
				return u.Query().Get("state")
			}
		}
		t.Fatalf("start: %d, no state among %v", resp.StatusCode, c.visited)
		return ""
	}
	cbURL := func(q string) string { return e.app.URL + OIDCCallbackPath + "?" + q }
	cases := []struct {
		name   string
		query  func(state string) string
		status int
		want   string
	}{
		{"another state", func(string) string { return "code=abc&state=" + strings.Repeat("x", 43) }, 400, "its state differs"},
		{"no code", func(s string) string { return "state=" + s }, 400, "no authorization code"},
		{"long state", func(string) string { return "code=abc&state=" + strings.Repeat("x", 129) }, 400, "longer than 128 bytes"},
		{"long code", func(s string) string { return "state=" + s + "&code=" + strings.Repeat("c", 5000) }, 400, "longer than 4096 bytes"},
		{"repeated code", func(s string) string { return "state=" + s + "&code=a&code=b" }, 400, "repeated"},
		{"unknown long parameter", func(s string) string { return "state=" + s + "&code=a&zz=" + strings.Repeat("z", 300) }, 400, "longer than 256"},
		{"another issuer", func(s string) string { return "state=" + s + "&code=a&iss=" + url.QueryEscape("https://evil.example") }, 400, "not from this server"},
		{"provider error", func(s string) string { return "state=" + s + "&error=access_denied" }, 401, "access_denied"},
		{"unknown code", func(s string) string { return "state=" + s + "&code=not-a-code" }, 401, "refused this sign-in"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := newSSOClient(t)
			state := start(cl)
			resp, body := cl.get(t, cbURL(c.query(state)))
			if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Errorf("%d, want %d with %q: %.400s", resp.StatusCode, c.status, c.want, body)
			}
			if strings.Contains(body, strings.Repeat("c", 200)) || strings.Contains(body, strings.Repeat("x", 129)) {
				t.Error("the page echoes a long parameter")
			}
		})
	}
	t.Run("no flow", func(t *testing.T) {
		resp, body := newSSOClient(t).get(t, cbURL("code=abc&state=abc"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "No single sign-on was started in this browser") {
			t.Errorf("%d: %.300s", resp.StatusCode, body)
		}
	})
	t.Run("altered flow cookie", func(t *testing.T) {
		req := httptest.NewRequest("GET", OIDCCallbackPath+"?code=abc&state=abc", nil)
		req.AddCookie(&http.Cookie{Name: oidcFlowCookie, Value: strings.Repeat("A", 120)})
		rec := httptest.NewRecorder()
		e.s.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%d, want 400", rec.Code)
		}
		var cleared bool
		for _, ck := range rec.Result().Cookies() {
			cleared = cleared || ck.Name == oidcFlowCookie && ck.MaxAge < 0
		}
		if !cleared {
			t.Error("the flow cookie was not cleared")
		}
	})
	t.Run("start cookie", func(t *testing.T) {
		rec := httptest.NewRecorder()
		e.s.ServeHTTP(rec, httptest.NewRequest("GET", "/officer/oidc/start", nil))
		loc, _ := url.Parse(rec.Header().Get("Location"))
		if rec.Code != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.String(), e.issuer()) {
			t.Fatalf("start: %d to %q", rec.Code, rec.Header().Get("Location"))
		}
		var flow *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == oidcFlowCookie {
				flow = ck
			}
		}
		if flow == nil || !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.Path != "/officer/oidc/" || flow.MaxAge != 600 {
			t.Fatalf("flow cookie %+v", flow)
		}
		for _, part := range []string{loc.Query().Get("state"), loc.Query().Get("nonce")} {
			if strings.Contains(flow.Value, part) {
				t.Error("the flow cookie shows the state or nonce in clear")
			}
		}
	})

	t.Run("not configured", func(t *testing.T) {
		s, _, _ := newTenderServer(t)
		for _, p := range []string{"/officer/oidc/start", OIDCCallbackPath + "?code=a&state=b"} {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no single sign-on") {
				t.Errorf("%s without single sign-on: %d", p, rec.Code)
			}
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/officer/sign-in", nil))
		if strings.Contains(rec.Body.String(), "/officer/oidc/start") {
			t.Error("the sign-in page offers single sign-on on a server without it")
		}
	})
	t.Run("provider down", func(t *testing.T) {
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		d := newSSOEnv(t, func(c *Config) { c.OIDC.Issuer = down.URL })
		resp, body := newSSOClient(t).get(t, d.app.URL+"/officer/oidc/start")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "personal token") {
			t.Errorf("start with the provider down: %d: %.300s", resp.StatusCode, body)
		}
	})
	t.Run("configuration", func(t *testing.T) {
		good := OIDCConfig{Issuer: "https://idp.example.org", ClientID: "c", RedirectURL: "https://tenders.example.org" + OIDCCallbackPath}
		if err := CheckOIDCConfig(good); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []func(*OIDCConfig){
			func(c *OIDCConfig) { c.Issuer = "" }, func(c *OIDCConfig) { c.Issuer = "idp.example.org" },
			func(c *OIDCConfig) { c.ClientID = "" }, func(c *OIDCConfig) { c.RedirectURL = "" },
			func(c *OIDCConfig) { c.RedirectURL = "https://tenders.example.org/elsewhere" },
			func(c *OIDCConfig) { c.RedirectURL = "/officer/oidc/callback" },
		} {
			c := good
			bad(&c)
			if err := CheckOIDCConfig(c); err == nil {
				t.Errorf("CheckOIDCConfig(%+v) = nil", c)
			}
			if _, err := newOIDC(&c); err == nil {
				t.Errorf("newOIDC(%+v) = nil error", c)
			}
		}
	})
}

// TestOIDCOfficersAPI: /v1/officers links accounts on create and PATCH
// (the issuer defaults to the server's), lists the links, refuses an
// identity linked to another account (409 #oidc-subject-taken) and a bad
// subject (422); "oidc_subject": "" unlinks and ends the sessions.
func TestOIDCOfficersAPI(t *testing.T) {
	e := newSSOEnv(t, nil)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, e.app.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+officerToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := call("POST", "/v1/officers", `{"id":"bob","name":"Bob Stone","role":"opener","oidc_subject":"`+bobSub+`"}`)
	if code != 201 || out["oidc_subject"] != bobSub || out["oidc_issuer"] != e.issuer() || out["token"] == nil {
		t.Fatalf("create with oidc_subject: %d %v", code, out)
	}
	code, out = call("POST", "/v1/officers", `{"id":"carol","name":"Carol","role":"auditor","oidc_subject":"`+aliceSub+`"}`)
	if code != 409 || !strings.HasSuffix(out["type"].(string), "#oidc-subject-taken") || !strings.Contains(out["detail"].(string), "alice") {
		t.Errorf("create with alice's identity: %d %v", code, out)
	}
	code, out = call("POST", "/v1/officers", `{"id":"carol","name":"Carol","role":"auditor","oidc_subject":"has space"}`)
	if code != 422 || !strings.HasSuffix(out["type"].(string), "#invalid-officer") {
		t.Errorf("create with a bad subject: %d %v", code, out)
	}
	code, out = call("GET", "/v1/officers", "")
	if code != 200 || !strings.Contains(jsonText(out), `"oidc_subject":"`+aliceSub+`"`) || !strings.Contains(jsonText(out), `"oidc_subject":"`+bobSub+`"`) {
		t.Errorf("list: %d %v", code, out)
	}
	// Bob signs in through the provider; unlinking him ends that session.
	bob := newSSOClient(t)
	if resp, body := bob.signInAt(t, e, bobUser, ssoPassword); resp.StatusCode != 200 {
		t.Fatalf("Bob's single sign-on: %d %.300s", resp.StatusCode, body)
	}
	code, out = call("PATCH", "/v1/officers/bob", `{"oidc_subject":""}`)
	if code != 200 || out["oidc_subject"] != nil || out["sessions_ended"] != float64(1) {
		t.Errorf("unlink bob: %d %v", code, out)
	}
	if resp, _ := bob.get(t, e.app.URL+"/tenders"); resp.Request.URL.Path != "/officer/sign-in" {
		t.Errorf("Bob's session outlived his link: at %s", resp.Request.URL.Path)
	}
	code, out = call("PATCH", "/v1/officers/bob", `{"role":"buyer","oidc_subject":"bob-new","oidc_issuer":"https://other.example.org"}`)
	if code != 200 || out["oidc_subject"] != "bob-new" || out["oidc_issuer"] != "https://other.example.org" || out["role"] != "buyer" {
		t.Errorf("relink bob elsewhere: %d %v", code, out)
	}
	code, out = call("PATCH", "/v1/officers/bob", `{"oidc_subject":"`+aliceSub+`"}`)
	if code != 409 {
		t.Errorf("link bob to alice's identity: %d %v", code, out)
	}
	code, out = call("PATCH", "/v1/officers/bob", `{"oidc_issuer":"https://other.example.org"}`)
	if code != 422 {
		t.Errorf("an issuer without a subject: %d %v", code, out)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
