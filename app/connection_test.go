package app

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"crmsheets/crm/auth"
	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// standaloneOrg registers a connected app for the test in the emulator (its
// callback on a free port, so tests never compete for the default port)
// and returns an org that uses it.
func (e *testEnv) standaloneOrg(t *testing.T) Org {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	const key = "3MVG9-app-tests"
	e.org.RegisterApp(emulator.ConnectedApp{ConsumerKey: key, CallbackURLs: []string{CallbackURL(port)}, RequirePKCE: true})
	return Org{Name: "Standalone", Env: EnvMyDomain, URL: e.url, ClientID: key, CallbackPort: port}
}

var hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// fakeBrowser logs in on the org's authorize page as a user would and
// follows the redirect to the app's loopback listener.
func fakeBrowser(t *testing.T) func(string) error {
	return func(authURL string) error {
		go func() {
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
			resp, err := hc.Get(authURL)
			if err != nil {
				t.Error(err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			form := url.Values{}
			unescape := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'")
			for _, m := range hiddenInputRE.FindAllStringSubmatch(string(page), -1) {
				form.Set(m[1], unescape.Replace(m[2]))
			}
			form.Set("username", emulator.DemoUsername)
			form.Set("password", emulator.DemoPassword)
			form.Set("action", "allow")
			u, _ := url.Parse(authURL)
			resp, err = hc.PostForm(u.Scheme+"://"+u.Host+"/services/oauth2/authorize", form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			resp, err = hc.Get(resp.Header.Get("Location"))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

// TestConnectSavedOrgAndResume logs in to a saved My Domain org (the
// emulator on loopback) with the OAuth code flow, syncs, restarts the app
// and reconnects from the stored token without a browser; Disconnect
// forgets the token.
func TestConnectSavedOrgAndResume(t *testing.T) {
	tokens := auth.NewMemoryStore()
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Keyring = tokens }))
	env.seedContacts(2)
	o, err := env.svc.addOrg(env.standaloneOrg(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Login(env.ctx, o, fakeBrowser(t)); err != nil {
		t.Fatalf("connect: %v", err)
	}
	st := env.svc.Status()
	if st.State != StateConnected || st.OrgID != o.ID || st.Username != emulator.DemoUsername || st.Env != EnvMyDomain {
		t.Fatalf("status %+v, want connected to the saved org", st)
	}
	sh := env.contactSheet(false)
	if r := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull}); r.Counts.Pulled != 2 {
		t.Fatalf("pull over the OAuth session: %+v", r.Counts)
	}

	env.svc.Close()
	svc, err := Open(env.ctx, Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url, Keyring: tokens})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if a, _ := svc.ActiveOrg(); a.ID != o.ID {
		t.Fatalf("active org after restart %q, want %q", a.ID, o.ID)
	}
	if err := svc.ConnectActive(env.ctx); err != nil {
		t.Fatalf("resume from the stored token: %v", err)
	}
	if _, err := svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull}, nil); err != nil {
		t.Fatalf("sync after resume: %v", err)
	}
	if err := svc.Disconnect(env.ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.ConnectActive(env.ctx); err == nil {
		t.Error("reconnected after Disconnect: the token was not forgotten")
	}
	if st := svc.Status(); st.State != StateNeedsReauth {
		t.Errorf("status after disconnect and reconnect attempt: %s, want needs-reauth", st.State)
	}
}

// failingTransport refuses every request, as an unreachable org would.
type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("network is unreachable")
}

// TestDisconnectInAFreshProcess: `crmsheets logout` runs in a process that
// never connected. Disconnect still forgets the saved session and token,
// revokes the token when the org answers, and says so when it does not.
func TestDisconnectInAFreshProcess(t *testing.T) {
	tests := []struct {
		name        string
		unreachable bool
	}{
		{name: "revoked"},
		{name: "org unreachable", unreachable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := auth.NewMemoryStore()
			env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Keyring = tokens }))
			o, err := env.svc.addOrg(env.standaloneOrg(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.svc.Login(env.ctx, o, fakeBrowser(t)); err != nil {
				t.Fatalf("connect: %v", err)
			}
			var info auth.SessionInfo
			if ok, err := env.svc.store.GetSetting(sessionKey(o.ID), &info); !ok || err != nil {
				t.Fatalf("saved session: %v, %v", ok, err)
			}
			tok, err := tokens.Load(info.Key())
			if err != nil || tok.RefreshToken == "" {
				t.Fatalf("saved token: %v", err)
			}
			env.svc.Close()

			so := Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url, Keyring: tokens}
			if tt.unreachable {
				so.HTTPClient = &http.Client{Transport: failingTransport{}}
			}
			svc, err := Open(env.ctx, so)
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			err = svc.Disconnect(env.ctx)
			switch {
			case tt.unreachable && !errors.Is(err, ErrNotRevoked):
				t.Errorf("Disconnect with the org unreachable: %v, want ErrNotRevoked", err)
			case !tt.unreachable && err != nil:
				t.Errorf("Disconnect: %v", err)
			}
			if _, err := tokens.Load(info.Key()); !errors.Is(err, auth.ErrNoToken) {
				t.Errorf("token still saved after Disconnect: %v", err)
			}
			if ok, _ := svc.store.GetSetting(sessionKey(o.ID), &auth.SessionInfo{}); ok {
				t.Error("session description still saved after Disconnect")
			}
			if st := svc.Status(); st.State != StateDisconnected {
				t.Errorf("status after Disconnect: %s, want disconnected", st.State)
			}
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {o.ClientID}}
			resp, err := http.PostForm(env.url+"/services/oauth2/token", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if revoked := resp.StatusCode != http.StatusOK; revoked == tt.unreachable {
				t.Errorf("refresh with the old token after Disconnect: HTTP %d; revoked = %v, want %v", resp.StatusCode, revoked, !tt.unreachable)
			}
		})
	}
}

// TestLoginSavesOnlyOnSuccessAndReauthPersists: a refused login saves no
// org and changes no saved setting; a refresh token revoked in Salesforce
// leaves the org "needs reauthorization" with the reason, across restarts,
// until the next login.
func TestLoginSavesOnlyOnSuccessAndReauthPersists(t *testing.T) {
	tokens := auth.NewMemoryStore()
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Keyring = tokens }))
	good := env.standaloneOrg(t)
	bad := good
	bad.ClientID = "3MVG9-wrong"
	_, err := env.svc.Login(env.ctx, bad, func(string) error { t.Error("browser opened for a key the org does not know"); return nil })
	var p *auth.Problem
	if !errors.As(err, &p) || p.Row != "OAUTH_EC_APP_NOT_FOUND" {
		t.Fatalf("login with an unknown key: %v", err)
	}
	if orgs, _ := env.svc.Orgs(); len(orgs) != 1 {
		t.Fatalf("orgs after a refused login: %v", orgs)
	}
	o, err := env.svc.Login(env.ctx, good, fakeBrowser(t))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == "" || o.ClientID != good.ClientID || o.CallbackPort != good.CallbackPort || env.svc.OrgLoginState(o) != LoginSignedIn {
		t.Fatalf("saved org %+v (%s)", o, env.svc.OrgLoginState(o))
	}
	bad.ID = o.ID
	if _, err := env.svc.Login(env.ctx, bad, fakeBrowser(t)); err == nil {
		t.Fatal("login with a wrong key succeeded")
	}
	if again, _ := env.svc.org(o.ID); again.ClientID != good.ClientID {
		t.Errorf("a refused login changed the saved key to %q", again.ClientID)
	}
	if err := env.svc.SwitchOrg(o.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.ConnectActive(env.ctx); err != nil {
		t.Fatal(err)
	}

	// Revoked in Salesforce (by an admin): the next call finds out.
	var info auth.SessionInfo
	if ok, err := env.svc.store.GetSetting(sessionKey(o.ID), &info); !ok || err != nil {
		t.Fatal(ok, err)
	}
	tok, err := tokens.Load(info.Key())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(env.url+"/services/oauth2/revoke", url.Values{"token": {tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, err = env.svc.RefreshUsage(env.ctx)
	if !IsNeedsReauth(err) {
		t.Fatalf("call after revocation: %v", err)
	}
	st := env.svc.Status()
	if st.State != StateNeedsReauth || !strings.Contains(st.Problem, "invalid_grant") || !strings.Contains(st.Problem, auth.GuidePath) {
		t.Fatalf("status after revocation: %+v", st)
	}

	env.svc.Close()
	svc, err := Open(env.ctx, Options{Home: env.home, Now: env.clock.Now, DemoOrgURL: env.url, Keyring: tokens})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	saved, _ := svc.org(o.ID)
	if st := svc.Status(); st.State != StateNeedsReauth || svc.OrgLoginState(saved) != LoginNeedsReauth || !strings.Contains(saved.LoginProblem, "invalid_grant") {
		t.Fatalf("after a restart: %+v, %s, %q", st, svc.OrgLoginState(saved), saved.LoginProblem)
	}
	// Logging out forgets the refused session: logged out, not refused.
	if err := svc.Disconnect(env.ctx); err != nil && !errors.Is(err, ErrNotRevoked) {
		t.Fatal(err)
	}
	if saved, _ = svc.org(o.ID); svc.OrgLoginState(saved) != LoginLoggedOut || saved.LoginProblem != "" {
		t.Fatalf("after logout: %s, %q", svc.OrgLoginState(saved), saved.LoginProblem)
	}
	if _, err := svc.Login(env.ctx, saved, fakeBrowser(t)); err != nil {
		t.Fatal(err)
	}
	saved, _ = svc.org(o.ID)
	if st := svc.Status(); st.State != StateConnected || saved.LoginProblem != "" || svc.OrgLoginState(saved) != LoginSignedIn {
		t.Fatalf("after logging in again: %+v, %q", st, saved.LoginProblem)
	}
}
