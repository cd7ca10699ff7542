package ui

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/crm/auth"
	"crmsheets/crm/emulator"
	"crmsheets/internal/demoorg"
)

// browserApp is the test app with a browser: OpenURL records the address
// and logs in on the org's authorize page as a user would, choosing the
// action the test set ("allow" or "deny"), then follows the redirect back
// to the app.
type browserApp struct {
	fyne.App
	t      *testing.T
	mu     sync.Mutex
	opened []string
	action string
}

var inputRE = regexp.MustCompile(`<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"`)

func (a *browserApp) setAction(action string) {
	a.mu.Lock()
	a.action = action
	a.mu.Unlock()
}

func (a *browserApp) OpenURL(u *url.URL) error {
	a.mu.Lock()
	a.opened = append(a.opened, u.String())
	action := a.action
	a.mu.Unlock()
	if action == "" {
		action = "allow"
	}
	if action == "ignore" {
		return nil // the user never finishes in the browser
	}
	go signIn(a.t, u.String(), action)
	return nil
}

// signIn plays the user in the browser on an authorize URL: it loads the
// login page, submits what the page proposes with action ("allow" or
// "deny") and follows the redirect back to the app.
func signIn(t *testing.T, authURL, action string) {
	u, err := url.Parse(authURL)
	if err != nil {
		t.Error(err)
		return
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Error(err)
		return
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("action", action)
	resp, err = hc.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
	if resp, err = hc.Get(resp.Header.Get("Location")); err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
}

// loginSecondOrg logs svc in to a second org (a standalone demo org with an
// app whose callback is on a free port), as a user adds one: orgs are saved
// only by a successful login.
func loginSecondOrg(t *testing.T, svc *app.Service, name string) app.Org {
	t.Helper()
	port := freePort(t)
	const key = "3MVG9-second-org"
	org, err := emulator.New(emulator.Options{SeedAccounts: 1, Apps: []emulator.ConnectedApp{
		{ConsumerKey: key, CallbackURLs: []string{app.CallbackURL(port)}, RequirePKCE: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(org.Handler())
	t.Cleanup(func() { ts.Close(); org.Close() })
	o, err := svc.Login(context.Background(), app.Org{Name: name, Env: app.EnvMyDomain, URL: ts.URL, ClientID: key, CallbackPort: port},
		func(u string) error { go signIn(t, u, "allow"); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (a *browserApp) openedCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.opened)
}

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

// fillAddOrg opens Add an org and types what a user would.
func fillAddOrg(mw *MainWindow, env, domain, key string, port int) *orgForm {
	f := mw.showAddOrg()
	f.env.SetSelected(env)
	test.Type(f.name, "Acme")
	test.Type(f.domain, domain)
	f.key.SetText("")
	test.Type(f.key, key)
	f.port.SetText("")
	test.Type(f.port, strconv.Itoa(port))
	return f
}

// TestConnectionDialogFlows drives the connection panel and dialogs
// against a demo org as strict as Salesforce about apps (one app: a
// consumer key, a callback on localhost at a free port, PKCE): the Add
// dialog shows the exact callback URL; another key, another port and a
// denied consent end with the guide's sentence and save no org; the right
// key and port connect; a refresh token revoked in Salesforce shows
// "Needs reauthorization" and Reconnect fixes it; Disconnect logs out and a
// restart finds the org needing a login.
func TestConnectionDialogFlows(t *testing.T) {
	t.Setenv(ScreenEnv, "")
	t.Setenv("CRMSHEETS_CLIENT_ID", "")
	port, other := freePort(t), freePort(t) // the registered callback port, and one that is not
	for other == port {
		other = freePort(t)
	}
	const key = "3MVG9-ui-tests"
	org, err := emulator.New(emulator.Options{SeedAccounts: 5, Apps: []emulator.ConnectedApp{
		{ConsumerKey: key, CallbackURLs: []string{app.CallbackURL(port)}, RequirePKCE: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(org.Handler())
	t.Cleanup(func() { ts.Close(); org.Close() })
	tokens := auth.NewMemoryStore()
	svc, err := app.Open(context.Background(), app.Options{Home: t.TempDir(), DemoOrg: demoorg.New(), DemoOrgURL: ts.URL, Keyring: tokens})
	if err != nil {
		t.Fatal(err)
	}
	a := &browserApp{App: test.NewTempApp(t), t: t}
	mw := NewMainWindow(a, svc)
	t.Cleanup(func() { mw.stop(); svc.Close() })
	mw.Start()
	mw.WaitIdle()
	demo := svc.Status()
	if demo.State != app.StateConnected || mw.conn.env.Text != "DEMO" {
		t.Fatalf("demo org: %+v, badge %q", demo, mw.conn.env.Text)
	}
	savedOrgs := func() int {
		orgs, _ := svc.Orgs()
		return len(orgs) - 1
	}

	// The dialog shows the callback URL to register, following the port.
	f := mw.showAddOrg()
	if f.callback.Text != "http://localhost:1718/OauthRedirect" {
		t.Errorf("default callback shown: %q", f.callback.Text)
	}
	f.port.SetText("")
	test.Type(f.port, "1719")
	if f.callback.Text != "http://localhost:1719/OauthRedirect" {
		t.Errorf("callback after typing port 1719: %q", f.callback.Text)
	}
	// The admin guide opens from the dialog.
	before := len(mw.win.Canvas().Overlays().List())
	test.Tap(f.guide)
	if len(mw.win.Canvas().Overlays().List()) != before+1 {
		t.Error("the admin guide did not open")
	}
	f.d.Hide()

	refused := []struct {
		name, key string
		port      int
		action    string
		words     []string
		browser   bool
	}{
		{"another key", "3MVG9-other-org", port, "allow", []string{"OAUTH_EC_APP_NOT_FOUND", `"3MVG9-other-org"`}, false},
		{"another port", key, other, "allow", []string{"redirect_uri_mismatch", app.CallbackURL(other)}, false},
		{"denied", key, port, "deny", []string{"access_denied", "choose Allow"}, true},
	}
	for _, tt := range refused {
		a.setAction(tt.action)
		opened := a.openedCount()
		test.Tap(fillAddOrg(mw, "My Domain", ts.URL, tt.key, tt.port).login)
		mw.WaitIdle()
		msg := mw.status.Text
		for _, w := range append(tt.words, "docs/CONNECT-SALESFORCE.md#troubleshooting") {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: status %q lacks %q", tt.name, msg, w)
			}
		}
		if n := savedOrgs(); n != 0 {
			t.Errorf("%s: %d orgs saved after a refused login", tt.name, n)
		}
		if got := a.openedCount() > opened; got != tt.browser {
			t.Errorf("%s: browser opened %v, want %v", tt.name, got, tt.browser)
		}
	}

	// A login cancelled while the browser is open saves nothing.
	a.setAction("ignore")
	opened := a.openedCount()
	wait := mw.connect(app.Org{Name: "Acme", Env: app.EnvMyDomain, URL: ts.URL, ClientID: key, CallbackPort: port})
	for deadline := time.Now().Add(10 * time.Second); a.openedCount() == opened && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	wait.Hide() // Cancel
	mw.WaitIdle()
	if !strings.Contains(mw.status.Text, "cancelled") || savedOrgs() != 0 {
		t.Errorf("after Cancel: status %q, %d orgs saved", mw.status.Text, savedOrgs())
	}

	// The right key and port: connected, saved with both.
	a.setAction("allow")
	test.Tap(fillAddOrg(mw, "My Domain", ts.URL, key, port).login)
	mw.WaitIdle()
	st := svc.Status()
	if st.State != app.StateConnected || st.OrgName != "Acme" || st.Env != app.EnvMyDomain {
		t.Fatalf("after login: %+v (status %q)", st, mw.status.Text)
	}
	if mw.conn.org.Text != "Acme" || mw.conn.env.Text != "MY DOMAIN" || mw.conn.state.Text != "Connected" {
		t.Errorf("panel %q %q %q", mw.conn.org.Text, mw.conn.env.Text, mw.conn.state.Text)
	}
	acme, _ := svc.ActiveOrg()
	if acme.ClientID != key || acme.CallbackPort != port {
		t.Errorf("saved org %+v", acme)
	}

	// Key and port… on the saved org: the form shows them; a wrong port is
	// refused and changes nothing, and no second Acme appears.
	cd := mw.showConnectionDialog()
	before = len(mw.win.Canvas().Overlays().List())
	test.Tap(cd.edit)
	if len(mw.win.Canvas().Overlays().List()) != before {
		t.Error("Key and port… did not replace the connection dialog with the org form")
	}
	mw.win.Canvas().Overlays().Top().Hide()
	ef := mw.showOrgForm(acme)
	if ef.key.Text != key || ef.port.Text != strconv.Itoa(port) || ef.callback.Text != app.CallbackURL(port) || !ef.env.Disabled() {
		t.Fatalf("Key and port… form: %+v", ef)
	}
	ef.port.SetText("")
	test.Type(ef.port, strconv.Itoa(other))
	test.Tap(ef.login)
	mw.WaitIdle()
	if again, _ := svc.ActiveOrg(); !strings.Contains(mw.status.Text, "redirect_uri_mismatch") || again.CallbackPort != port || savedOrgs() != 1 {
		t.Errorf("wrong port for the saved org: status %q, saved %+v, %d orgs", mw.status.Text, again, savedOrgs())
	}
	test.Tap(fillAddOrg(mw, "My Domain", ts.URL, key, port).login)
	mw.WaitIdle()
	if st := svc.Status(); st.State != app.StateConnected || savedOrgs() != 1 {
		t.Fatalf("logging in again through Add: %+v, %d orgs", st, savedOrgs())
	}

	// Said to be production (a My Domain on loopback would not be by its
	// URL): the badge says PRODUCTION, the same org is updated, and its
	// form shows what was said.
	prod := fillAddOrg(mw, "My Domain", ts.URL, key, port)
	prod.kind.SetSelected("Production")
	test.Tap(prod.login)
	mw.WaitIdle()
	if st := svc.Status(); st.State != app.StateConnected || !st.Production || mw.conn.env.Text != "PRODUCTION" || savedOrgs() != 1 {
		t.Fatalf("logging in again as production: %+v, badge %q, %d orgs", st, mw.conn.env.Text, savedOrgs())
	}
	acme, _ = svc.ActiveOrg()
	if pf := mw.showOrgForm(acme); pf.kind.Selected != "Production" {
		t.Errorf("the saved org's form says it is %q, want Production", pf.kind.Selected)
	}
	mw.win.Canvas().Overlays().Top().Hide()

	// A bad My Domain URL is refused before anything is sent.
	test.Tap(fillAddOrg(mw, "My Domain", "acme.my.salesforce.com", key, port).login)
	mw.WaitIdle()
	if n := savedOrgs(); n != 1 || !strings.Contains(mw.status.Text, "My Domain URL") {
		t.Errorf("%d orgs after a bad URL, status %q", n, mw.status.Text)
	}

	// Revoked in Salesforce: the badge says so and Reconnect fixes it.
	var info struct{ refresh string }
	for _, k := range []string{"salesforce:" + ts.URL + ":" + org.OrgID() + ":" + org.DemoUserID()} {
		if tok, err := tokens.Load(k); err == nil {
			info.refresh = tok.RefreshToken
		}
	}
	if info.refresh == "" {
		t.Fatal("no saved refresh token")
	}
	resp, err := http.PostForm(ts.URL+"/services/oauth2/revoke", url.Values{"token": {info.refresh}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mw.conn.refreshNow()
	mw.WaitIdle()
	p := mw.conn
	if p.state.Text != "Needs reauthorization" || p.connect.Text != "Reconnect…" || !strings.Contains(p.problem.Text, "invalid_grant") {
		t.Fatalf("after revocation: panel %q, button %q, problem %q", p.state.Text, p.connect.Text, p.problem.Text)
	}
	cd = mw.showConnectionDialog()
	if !strings.Contains(cd.pick.Selected, "needs reauthorization") || cd.connect.Text != "Reconnect" {
		t.Errorf("switcher shows %q, button %q", cd.pick.Selected, cd.connect.Text)
	}
	test.Tap(cd.connect)
	mw.WaitIdle()
	if st := svc.Status(); st.State != app.StateConnected || p.state.Text != "Connected" {
		t.Fatalf("after Reconnect: %+v, panel %q", st, p.state.Text)
	}

	// Switch to the demo org and back, then Disconnect.
	orgs, err := svc.Orgs()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Env == app.EnvDemo {
			mw.connect(o)
		}
	}
	mw.WaitIdle()
	if st := svc.Status(); st.State != app.StateConnected || st.Env != app.EnvDemo || mw.conn.env.Text != "DEMO" {
		t.Fatalf("after switching to the demo org: %+v, badge %q", st, mw.conn.env.Text)
	}
	if err := svc.SwitchOrg(acme.ID); err != nil {
		t.Fatal(err)
	}
	test.Tap(mw.showConnectionDialog().disconnect)
	mw.WaitIdle()
	if st := svc.Status(); st.State == app.StateConnected || mw.conn.state.Text == "Connected" {
		t.Fatalf("after Disconnect: %+v, badge %q", st, mw.conn.state.Text)
	}
	if !strings.Contains(mw.status.Text, "Logged out of Acme") {
		t.Errorf("status %q", mw.status.Text)
	}

	// A restart finds Acme active and logged out: the panel offers
	// Reconnect, and the switcher says it is logged out.
	mw.stop()
	mw2 := NewMainWindow(a, svc)
	t.Cleanup(mw2.stop)
	mw2.Start()
	mw2.WaitIdle()
	if st := svc.Status(); st.State != app.StateNeedsReauth {
		t.Fatalf("after restart: %+v", st)
	}
	p = mw2.conn
	if p.state.Text != "Needs reauthorization" || p.connect.Text != "Reconnect…" || p.connect.Importance != widget.HighImportance {
		t.Errorf("panel %q, button %q (%v)", p.state.Text, p.connect.Text, p.connect.Importance)
	}
	if cd := mw2.showConnectionDialog(); !strings.Contains(cd.pick.Selected, "logged out") {
		t.Errorf("switcher shows %q", cd.pick.Selected)
	}
}
