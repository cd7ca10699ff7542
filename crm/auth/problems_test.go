package auth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
)

// wantProblem checks that err is an explained Problem of the given row that
// points at the guide.
func wantProblem(t *testing.T, err error, row string, words ...string) {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) || p.Row != row {
		t.Fatalf("err = %v, want the problem %q", err, row)
	}
	msg := err.Error()
	for _, w := range append(words, GuidePath, "“"+row+"”") {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

// TestLoginRefusedBeforeTheBrowser: what Salesforce shows only on its own
// error page (unknown key, callback mismatch, blocked app) or sends back
// before any login (scope) is found before the browser opens.
func TestLoginRefusedBeforeTheBrowser(t *testing.T) {
	org := newDemoOrg(t)
	org.srv.RegisterApp(emulator.ConnectedApp{ConsumerKey: "blocked", CallbackURLs: []string{CallbackURL(org.port)}, Blocked: true})
	org.srv.RegisterApp(emulator.ConnectedApp{ConsumerKey: "api-only", CallbackURLs: []string{CallbackURL(org.port)}, Scopes: []string{"api"}})
	other := freePort(t)
	for other == org.port {
		other = freePort(t)
	}
	tests := []struct {
		name, key string
		port      int
		row       string
		words     []string
	}{
		{"unknown key", "3MVG9-typo", org.port, "OAUTH_EC_APP_NOT_FOUND", []string{`"3MVG9-typo"`, "--client-id"}},
		{"other port", testClientID, other, "redirect_uri_mismatch", []string{CallbackURL(other), "--callback-port"}},
		{"blocked app", "blocked", org.port, "OAUTH_APP_BLOCKED", []string{"unblock"}},
		{"scope not selected", "api-only", org.port, "invalid_scope", []string{"refresh_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := org.config(t, nil, nil)
			cfg.ClientID, cfg.RedirectPort = tt.key, tt.port
			cfg.OpenBrowser = func(string) error { t.Error("the browser was opened"); return nil }
			_, err := Login(context.Background(), cfg)
			wantProblem(t, err, tt.row, tt.words...)
			if !errors.Is(err, ErrLoginDenied) {
				t.Errorf("%v is not ErrLoginDenied", err)
			}
		})
	}
}

func TestCallbackPortBusy(t *testing.T) {
	org := newDemoOrg(t)
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(org.port))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := org.config(t, nil, nil)
	cfg.OpenBrowser = func(string) error { t.Error("the browser was opened"); return nil }
	_, err = Login(context.Background(), cfg)
	if !errors.Is(err, ErrCallbackPortBusy) {
		t.Fatalf("err = %v", err)
	}
	wantProblem(t, err, RowPortBusy, "Port "+strconv.Itoa(org.port), CallbackURL(org.port), "--callback-port")
}

func TestNoConsumerKey(t *testing.T) {
	_, err := Login(context.Background(), Config{Env: ProductionEnv()})
	wantProblem(t, err, RowNoClientID, "CRMSHEETS_CLIENT_ID")
}

// TestRefusedAfterTheBrowser: a tampered request and a code used twice
// come back from Salesforce as explained problems.
func TestRefusedAfterTheBrowser(t *testing.T) {
	org := newDemoOrg(t)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}

	// The authorize address was edited on its way: Salesforce redirects
	// the error to the callback.
	cfg := org.config(t, nil, nil)
	cfg.OpenBrowser = func(u string) error {
		go func() {
			resp, err := hc.Get(strings.Replace(u, "response_type=code", "response_type=token", 1))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if back, err := http.Get(resp.Header.Get("Location")); err == nil {
				back.Body.Close()
			}
		}()
		return nil
	}
	_, err := Login(context.Background(), cfg)
	wantProblem(t, err, "unsupported_response_type")

	// A code that was already exchanged: invalid_grant at the exchange.
	cfg = org.config(t, nil, nil)
	cfg.OnURL = func(u string) {
		go browser(t, u, "allow", func(q url.Values) {
			resp, err := http.PostForm(org.url+"/services/oauth2/token", url.Values{"grant_type": {"authorization_code"},
				"code": {q.Get("code")}, "client_id": {testClientID}, "redirect_uri": {CallbackURL(org.port)}})
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	_, err = Login(context.Background(), cfg)
	wantProblem(t, err, "invalid_grant", "already used")
}

// TestRefreshRefusals: what an admin changes after the login reaches the
// session as "needs reauthorization" with the reason.
func TestRefreshRefusals(t *testing.T) {
	org := newDemoOrg(t)
	cfg := org.config(t, nil, nil)
	cfg.OnURL = func(u string) { go browser(t, u, "allow", nil) }
	ctx := context.Background()
	app := emulator.ConnectedApp{ConsumerKey: testClientID, CallbackURLs: []string{CallbackURL(org.port)}, RequirePKCE: true}
	tests := []struct {
		row          string
		break_, heal func()
	}{
		{"inactive_user",
			func() { _ = org.srv.Update("User", org.srv.DemoUserID(), map[string]any{"IsActive": false}) },
			func() { _ = org.srv.Update("User", org.srv.DemoUserID(), map[string]any{"IsActive": true}) }},
		{"inactive_org", func() { org.srv.SetOrgLocked(true) }, func() { org.srv.SetOrgLocked(false) }},
		{"invalid_app_access", func() {
			a := app
			a.AdminApproved = true
			org.srv.RegisterApp(a)
		}, func() { org.srv.RegisterApp(app) }},
		{"invalid_client_id", func() { org.srv.RemoveApp(testClientID) }, func() { org.srv.RegisterApp(app) }},
	}
	for _, tt := range tests {
		t.Run(tt.row, func(t *testing.T) {
			sess, err := Login(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c, err := crm.NewClient(sess.InstanceURL, crm.WithHTTPClient(sess.HTTPClient(ctx)))
			if err != nil {
				t.Fatal(err)
			}
			tt.break_()
			defer tt.heal()
			org.expireTokens()
			_, err = c.Count(ctx, "SELECT COUNT() FROM Account")
			if !errors.Is(err, ErrNeedsReauth) || !sess.NeedsReauth() {
				t.Fatalf("err = %v, NeedsReauth %v", err, sess.NeedsReauth())
			}
			wantProblem(t, err, tt.row)
		})
	}
}

// TestEveryRowHasASentence: each Salesforce code the guide lists words its
// fix (no fallback text) and names the code.
func TestEveryRowHasASentence(t *testing.T) {
	for _, code := range []string{"invalid_client_id", "OAUTH_EC_APP_NOT_FOUND", "redirect_uri_mismatch", "invalid_grant",
		"access_denied", "OAUTH_APP_BLOCKED", "OAUTH_APP_ACCESS_DENIED", "invalid_app_access", "inactive_user", "inactive_org",
		"invalid_scope", "unsupported_response_type", "invalid_request"} {
		for _, stage := range []Stage{StageAuthorize, StageCode, StageRefresh} {
			s := (&OAuthError{Code: code, Description: "d", Stage: stage, ClientID: "K", CallbackURL: CallbackURL(0)}).sentence()
			if strings.HasPrefix(s, "Salesforce refused the login ("+code) || !strings.Contains(s, code) || strings.Contains(s, "\n") {
				t.Errorf("%s at %s: %q", code, stage, s)
			}
		}
	}
}

// TestMissingChallengeTimeoutAndForgedState: the remaining rows of the
// guide that a login can end with.
func TestMissingChallengeTimeoutAndForgedState(t *testing.T) {
	org := newDemoOrg(t)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}

	// The PKCE challenge is stripped on the way (the app requires it):
	// Salesforce sends invalid_request back to the callback.
	cfg := org.config(t, nil, nil)
	cfg.OpenBrowser = func(u string) error {
		go func() {
			pu, _ := url.Parse(u)
			q := pu.Query()
			q.Del("code_challenge")
			q.Del("code_challenge_method")
			pu.RawQuery = q.Encode()
			resp, err := hc.Get(pu.String())
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if back, err := http.Get(resp.Header.Get("Location")); err == nil {
				back.Body.Close()
			}
		}()
		return nil
	}
	_, err := Login(context.Background(), cfg)
	wantProblem(t, err, "invalid_request", "missing required code challenge")

	cfg = org.config(t, nil, nil)
	cfg.Timeout = 50 * time.Millisecond
	_, err = Login(context.Background(), cfg)
	wantProblem(t, err, RowTimeout)

	cfg = org.config(t, nil, nil)
	cfg.OnURL = func(u string) { go browser(t, u, "allow", func(q url.Values) { q.Set("state", "forged") }) }
	_, err = Login(context.Background(), cfg)
	wantProblem(t, err, RowStateMismatch)
}

// TestGuideTableMatchesExplain: every row of the guide's troubleshooting
// table is a problem Explain produces, and every problem has its row, so
// the pointer in each message always finds its fix.
func TestGuideTableMatchesExplain(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", GuidePath))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(guide), "## Troubleshooting")
	if !ok {
		t.Fatal("the guide has no Troubleshooting section")
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Row") || strings.HasPrefix(line, "| ---") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(strings.Split(line, "|")[1]), "`")] = true
	}
	want := []string{"OAUTH_EC_APP_NOT_FOUND", "invalid_client_id", "redirect_uri_mismatch", "OAUTH_APP_BLOCKED",
		"OAUTH_APP_ACCESS_DENIED", "invalid_app_access", "access_denied", "invalid_scope", "unsupported_response_type",
		"invalid_request", "invalid_grant", "inactive_user", "inactive_org", RowPortBusy, RowNoClientID, RowTimeout, RowStateMismatch}
	for _, r := range want {
		if !rows[r] {
			t.Errorf("the guide has no row %q", r)
		}
		delete(rows, r)
	}
	for r := range rows {
		t.Errorf("the guide's row %q is not a problem CRM Sheets reports", r)
	}
}
