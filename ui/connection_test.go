package ui

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/internal/demoorg"
)

// browserApp is the test app with a browser: OpenURL records the address
// and logs in on the org's authorize page as a user would, accepting what
// the page proposes, then follows the redirect back to the app.
type browserApp struct {
	fyne.App
	t      *testing.T
	mu     sync.Mutex
	opened []string
}

var inputRE = regexp.MustCompile(`<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"`)

func (a *browserApp) OpenURL(u *url.URL) error {
	a.mu.Lock()
	a.opened = append(a.opened, u.String())
	a.mu.Unlock()
	go func() {
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
		resp, err := hc.Get(u.String())
		if err != nil {
			a.t.Error(err)
			return
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := url.Values{}
		for _, m := range inputRE.FindAllStringSubmatch(string(page), -1) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
		form.Set("action", "allow")
		resp, err = hc.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
		if err != nil {
			a.t.Error(err)
			return
		}
		resp.Body.Close()
		if resp, err = hc.Get(resp.Header.Get("Location")); err != nil {
			a.t.Error(err)
			return
		}
		resp.Body.Close()
	}()
	return nil
}

// TestConnectionDialogFlows drives the connection panel and dialog against
// the demo org: add a My Domain org (the emulator on loopback) and log in
// through the browser, switch back to the demo org, disconnect, and find
// the My Domain org needing reauthorization after a restart without its
// session.
func TestConnectionDialogFlows(t *testing.T) {
	t.Setenv(ScreenEnv, "")
	home := t.TempDir()
	svc, err := app.Open(context.Background(), app.Options{Home: home, DemoOrg: demoorg.New(), DemoSeedAccounts: 5})
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

	// Add a My Domain org; Connect opens the browser on its login page.
	mw.addOrg("Acme", "My Domain", demo.InstanceURL, "any-consumer-key")
	mw.WaitIdle()
	st := svc.Status()
	if len(a.opened) != 1 || !strings.HasPrefix(a.opened[0], demo.InstanceURL+"/services/oauth2/authorize?") {
		t.Fatalf("browser opened %q", a.opened)
	}
	if st.State != app.StateConnected || st.OrgName != "Acme" || st.Env != app.EnvMyDomain {
		t.Fatalf("after login: %+v (status %q)", st, mw.status.Text)
	}
	if mw.conn.org.Text != "Acme" || mw.conn.env.Text != "MY DOMAIN" || mw.conn.state.Text != "Connected" {
		t.Errorf("panel %q %q %q", mw.conn.org.Text, mw.conn.env.Text, mw.conn.state.Text)
	}
	acme := st.OrgID

	// A bad My Domain URL is refused before anything is saved.
	mw.addOrg("Typo", "My Domain", "acme.my.salesforce.com", "")
	if orgs, _ := svc.Orgs(); len(orgs) != 2 || !strings.Contains(mw.status.Text, "My Domain URL") {
		t.Errorf("orgs %v after a bad URL, status %q", orgs, mw.status.Text)
	}

	// Switch back to the demo org with the switcher's Connect.
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

	// Back to Acme (its session is saved), then Disconnect.
	if err := svc.SwitchOrg(acme); err != nil {
		t.Fatal(err)
	}
	mw.disconnect()
	mw.WaitIdle()
	if st := svc.Status(); st.State == app.StateConnected || mw.conn.state.Text == "Connected" {
		t.Fatalf("after Disconnect: %+v, badge %q", st, mw.conn.state.Text)
	}
	if !strings.Contains(mw.status.Text, "Disconnected") {
		t.Errorf("status %q", mw.status.Text)
	}

	// A restart finds Acme active with no session: needs reauthorization,
	// and the panel offers Reconnect.
	mw.stop()
	mw2 := NewMainWindow(a, svc)
	t.Cleanup(mw2.stop)
	mw2.Start()
	mw2.WaitIdle()
	if st := svc.Status(); st.State != app.StateNeedsReauth {
		t.Fatalf("after restart: %+v", st)
	}
	p := mw2.conn
	if p.state.Text != "Needs reauthorization" || p.connect.Text != "Reconnect…" || p.connect.Importance != widget.HighImportance {
		t.Errorf("panel %q, button %q (%v)", p.state.Text, p.connect.Text, p.connect.Importance)
	}
}
