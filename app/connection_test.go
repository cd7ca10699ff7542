package app

import (
	"io"
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
	o, err := env.svc.AddOrg(Org{Name: "Standalone", Env: EnvMyDomain, URL: env.url, ClientID: "any-consumer-key"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.svc.Connect(env.ctx, o.ID, fakeBrowser(t)); err != nil {
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
	svc, err := Open(env.ctx, Options{Home: env.home, Now: env.clock.Now, DemoOrgURL: env.url, Keyring: tokens})
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
