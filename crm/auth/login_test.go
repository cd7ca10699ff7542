package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
)

// demoOrg runs the emulator with a clock the test can move, and a
// connected app for the tests whose callback is on a free port.
type demoOrg struct {
	srv    *emulator.Server
	url    string
	port   int          // the registered callback port
	offset atomic.Int64 // nanoseconds added to the clock
}

// testClientID is the consumer key of the tests' connected app.
const testClientID = "3MVG9-auth-tests"

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func newDemoOrg(t *testing.T) *demoOrg {
	t.Helper()
	d := &demoOrg{port: freePort(t)}
	app := emulator.ConnectedApp{ConsumerKey: testClientID, CallbackURLs: []string{CallbackURL(d.port)}, RequirePKCE: true}
	srv, err := emulator.New(emulator.Options{SeedAccounts: 3, Seed: 1, TokenTTL: time.Hour, Apps: []emulator.ConnectedApp{app},
		Now: func() time.Time { return time.Now().Add(time.Duration(d.offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	d.srv, d.url = srv, ts.URL
	return d
}

// expireTokens moves the org's clock past the access token lifetime.
func (d *demoOrg) expireTokens() { d.offset.Add(int64(2 * time.Hour)) }

func (d *demoOrg) config(t *testing.T, store TokenStore, logs io.Writer) Config {
	env, err := DemoEnv(d.url)
	if err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = io.Discard
	}
	return Config{Env: env, ClientID: testClientID, RedirectPort: d.port, Store: store, Timeout: 20 * time.Second,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// browser drives the authorize page like a user: it loads the login form,
// submits it with the demo credentials and the given action, and follows
// the redirect to the app's loopback listener, optionally tampering with
// the callback first. It returns the body the listener answered.
func browser(t *testing.T, authURL, action string, tamper func(url.Values)) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Error(err)
		return ""
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	if form.Get("code_challenge") == "" || form.Get("state") == "" {
		t.Errorf("login page lacks PKCE challenge or state: %v", form)
	}
	form.Set("username", emulator.DemoUsername)
	form.Set("password", emulator.DemoPassword)
	form.Set("action", action)
	u, _ := url.Parse(authURL)
	resp, err = hc.PostForm(u.Scheme+"://"+u.Host+"/services/oauth2/authorize", form)
	if err != nil {
		t.Error(err)
		return ""
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Errorf("authorize answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
		return ""
	}
	if tamper != nil {
		q := loc.Query()
		tamper(q)
		loc.RawQuery = q.Encode()
	}
	resp, err = hc.Get(loc.String())
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

// TestLoginFullFlow: authorize page driven over HTTP, code received on the
// loopback listener, PKCE exchange, refresh after expiry (saved to the
// store), revoked refresh token → needs reauthorization; and no token in
// logs or errors along the way.
func TestLoginFullFlow(t *testing.T) {
	org := newDemoOrg(t)
	store := NewMemoryStore()
	var logs bytes.Buffer
	cfg := org.config(t, store, &logs)
	done := make(chan string, 1)
	cfg.OpenBrowser = func(u string) error {
		if !strings.Contains(u, "code_challenge_method=S256") || !strings.Contains(u, "redirect_uri="+url.QueryEscape(CallbackURL(org.port))) {
			t.Errorf("authorize URL %q lacks PKCE S256 or a loopback redirect", u)
		}
		go func() { done <- browser(t, u, "allow", nil) }()
		return nil
	}
	ctx := context.Background()
	sess, err := Login(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if page := <-done; !strings.Contains(page, "You are logged in") {
		t.Errorf("callback page = %q", page)
	}
	if sess.Username != emulator.DemoUsername || sess.InstanceURL != org.url || !crm.ValidID(sess.OrgID) || !crm.ValidID(sess.UserID) {
		t.Errorf("session info = %+v", sess.Info())
	}
	saved, err := store.Load(sess.Key())
	if err != nil || saved.RefreshToken == "" || saved.AccessToken == "" {
		t.Fatalf("saved token: %v", err)
	}
	firstAccess, refresh := saved.AccessToken, saved.RefreshToken

	c, err := crm.NewClient(sess.InstanceURL, crm.WithHTTPClient(sess.HTTPClient(ctx)),
		crm.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	count := func() (int, error) { return c.Count(ctx, "SELECT COUNT() FROM Account") }
	if n, err := count(); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v", n, err)
	}

	// Expiry: the next call gets 401, refreshes and succeeds.
	org.expireTokens()
	if n, err := count(); err != nil || n != 3 {
		t.Fatalf("Count after expiry = %d, %v", n, err)
	}
	rotated, _ := store.Load(sess.Key())
	if rotated.AccessToken == firstAccess || rotated.RefreshToken != refresh {
		t.Errorf("refreshed token not saved (access changed %v, refresh kept %v)", rotated.AccessToken != firstAccess, rotated.RefreshToken == refresh)
	}

	// Revoked refresh token: the connection needs reauthorization.
	resp, err := http.PostForm(org.url+"/services/oauth2/revoke", url.Values{"token": {refresh}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	resp.Body.Close()
	_, err = count()
	if !errors.Is(err, ErrNeedsReauth) || !sess.NeedsReauth() {
		t.Fatalf("after revocation err = %v, NeedsReauth = %v", err, sess.NeedsReauth())
	}
	if _, err := count(); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("second call after revocation: %v", err)
	}

	for what, text := range map[string]string{"logs": logs.String(), "error": err.Error()} {
		for _, secret := range []string{firstAccess, rotated.AccessToken, refresh} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contain a token", what)
			}
		}
	}
	if !strings.Contains(logs.String(), "refreshed") {
		t.Errorf("refresh not logged; the secret check proves little:\n%s", logs.String())
	}
}

func TestLoginRejectsWrongState(t *testing.T) {
	org := newDemoOrg(t)
	cfg := org.config(t, nil, nil)
	done := make(chan string, 1)
	cfg.OnURL = func(u string) {
		go func() { done <- browser(t, u, "allow", func(q url.Values) { q.Set("state", "forged") }) }()
	}
	_, err := Login(context.Background(), cfg)
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
	if page := <-done; !strings.Contains(page, "Login failed") {
		t.Errorf("callback page = %q", page)
	}
}

func TestLoginDenied(t *testing.T) {
	org := newDemoOrg(t)
	cfg := org.config(t, nil, nil)
	cfg.OnURL = func(u string) { go browser(t, u, "deny", nil) }
	_, err := Login(context.Background(), cfg)
	if !errors.Is(err, ErrLoginDenied) || !strings.Contains(err.Error(), "access_denied") || !strings.Contains(err.Error(), "choose Allow") {
		t.Fatalf("err = %v, want ErrLoginDenied", err)
	}
}

func TestLoginTimeoutAndCancel(t *testing.T) {
	org := newDemoOrg(t)
	cfg := org.config(t, nil, nil)
	cfg.Timeout = 30 * time.Millisecond
	if _, err := Login(context.Background(), cfg); !errors.Is(err, ErrLoginTimeout) {
		t.Errorf("err = %v, want ErrLoginTimeout", err)
	}
	cfg.Timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	cfg.OnURL = func(string) { cancel() }
	if _, err := Login(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestPasswordLoginRelogsOnExpiry(t *testing.T) {
	org := newDemoOrg(t)
	cfg := org.config(t, NewMemoryStore(), nil)
	ctx := context.Background()
	if _, err := PasswordLogin(ctx, cfg, emulator.DemoUsername, "wrong"); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("wrong password: %v, want ErrNeedsReauth (invalid_grant)", err)
	}
	sess, err := PasswordLogin(ctx, cfg, emulator.DemoUsername, emulator.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	c, err := crm.NewClient(sess.InstanceURL, crm.WithHTTPClient(sess.HTTPClient(ctx)))
	if err != nil {
		t.Fatal(err)
	}
	org.expireTokens()
	if n, err := c.Count(ctx, "SELECT COUNT() FROM Account"); err != nil || n != 3 {
		t.Fatalf("Count after expiry = %d, %v", n, err)
	}
	tok, _ := cfg.Store.Load(sess.Key())
	if strings.Contains(tok.RefreshToken+tok.AccessToken, emulator.DemoPassword+"@") || tok.RefreshToken != "" {
		t.Errorf("password session stored a refresh token or the password")
	}
}

func TestResumeAndRevoke(t *testing.T) {
	org := newDemoOrg(t)
	store := NewMemoryStore()
	cfg := org.config(t, store, nil)
	cfg.ClientID = emulator.DemoClientID // IssueToken's refresh token is bound to it
	ctx := context.Background()
	access, refresh, err := org.srv.IssueToken(org.url)
	if err != nil {
		t.Fatal(err)
	}
	info := SessionInfo{Env: cfg.Env, ClientID: cfg.ClientID, InstanceURL: org.url, OrgID: "00D000000000001AAA", UserID: "005000000000001AAA", Username: emulator.DemoUsername}
	if _, err := Resume(cfg, info); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("Resume without token: %v", err)
	}
	other := cfg
	other.Env = SandboxEnv()
	if _, err := Resume(other, info); !errors.Is(err, ErrInvalidEnvironment) {
		t.Errorf("Resume in another environment: %v", err)
	}
	if err := store.Save(info.Key(), tokenOf(access, refresh)); err != nil {
		t.Fatal(err)
	}
	sess, err := Resume(cfg, info)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := crm.NewClient(sess.InstanceURL, crm.WithHTTPClient(sess.HTTPClient(ctx)))
	if _, err := c.Count(ctx, "SELECT COUNT() FROM Account"); err != nil {
		t.Fatal(err)
	}
	if err := sess.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(info.Key()); !errors.Is(err, ErrNoToken) {
		t.Errorf("token still saved after Revoke: %v", err)
	}
	// Revoked at Salesforce too: the old access token no longer works.
	req, _ := http.NewRequest("GET", org.url+"/services/data/v62.0/limits/", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked access token: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	if _, err := c.Count(ctx, "SELECT COUNT() FROM Account"); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("call after Revoke: %v", err)
	}
}

// TestConcurrentCallsAfterExpiry: many calls hitting 401 together all
// succeed, sharing refreshes, with no data race.
func TestConcurrentCallsAfterExpiry(t *testing.T) {
	org := newDemoOrg(t)
	store := NewMemoryStore()
	cfg := org.config(t, store, nil)
	cfg.ClientID = emulator.DemoClientID // IssueToken's refresh token is bound to it
	access, refresh, err := org.srv.IssueToken(org.url)
	if err != nil {
		t.Fatal(err)
	}
	info := SessionInfo{Env: cfg.Env, ClientID: cfg.ClientID, InstanceURL: org.url, OrgID: org.srv.OrgID(), UserID: org.srv.DemoUserID()}
	_ = store.Save(info.Key(), tokenOf(access, refresh))
	sess, err := Resume(cfg, info)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, _ := crm.NewClient(org.url, crm.WithHTTPClient(sess.HTTPClient(ctx)), crm.WithAPIVersion("62.0"))
	org.expireTokens()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := c.Count(ctx, "SELECT COUNT() FROM Account")
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if saved, _ := store.Load(info.Key()); saved.AccessToken == access {
		t.Error("refreshed token not saved")
	}
}
