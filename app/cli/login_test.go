package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// savedOrgs lists the orgs of a CLI home other than the demo org.
func savedOrgs(t *testing.T, c *clitest.CLI) []map[string]any {
	t.Helper()
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	var out []map[string]any
	for _, o := range orgs {
		if o["env"] != "demo" {
			out = append(out, o)
		}
	}
	return out
}

// wantRefused checks a login that must end with exit 1, the documented
// sentence (its code and the guide) and no org saved.
func wantRefused(t *testing.T, c *clitest.CLI, r clitest.Result, before int, words ...string) {
	t.Helper()
	if r.Code != 1 {
		t.Errorf("exit %d, want 1\nstdout %s\nstderr %s", r.Code, r.Out, r.Err)
	}
	for _, w := range append(words, "docs/CONNECT-SALESFORCE.md#troubleshooting") {
		if !strings.Contains(r.Err, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.Err)
		}
	}
	if n := len(savedOrgs(t, c)); n != before {
		t.Errorf("%d orgs saved after a refused login, want %d", n, before)
	}
}

// TestLoginWithConsumerKeyAndCallback: against a demo org that knows one
// app (consumer key, callback on localhost at a given port, PKCE), the
// login works with --client-id and --callback-port or with
// $CRMSHEETS_CLIENT_ID; another key, another port, a busy port, a denied
// consent or a cancelled login end with the documented sentence (or
// nothing at all for the cancel) and save no org.
func TestLoginWithConsumerKeyAndCallback(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	port := fmt.Sprint(emu.CallbackPort)
	c := newCLI(t)

	if r := c.Run(t, time.Minute, "login", "--help"); r.Code != 0 || !strings.Contains(r.Out, "http://localhost:1718/OauthRedirect") ||
		!strings.Contains(r.Out, "CRMSHEETS_CLIENT_ID") || !strings.Contains(r.Out, "--callback-port") {
		t.Errorf("login --help does not show the callback URL to register:\n%s", r.Out)
	}

	// Another consumer key: refused before any browser opens.
	r := c.LoginAs(t, emu.URL, "allow", "--client-id", "3MVG9-not-this-org", "--callback-port", port)
	wantRefused(t, c, r, 0, "OAUTH_EC_APP_NOT_FOUND", `"3MVG9-not-this-org"`)
	if strings.Contains(r.Err, "/services/oauth2/authorize") {
		t.Errorf("a browser was sent to a login that cannot work:\n%s", r.Err)
	}
	// No key at all for a real org: told where to get one (nothing is
	// sent anywhere).
	r = c.Run(t, time.Minute, "login", "--env", "sandbox", "--no-browser")
	wantRefused(t, c, r, 0, "no consumer key", "--client-id")

	// Another callback port than the registered one.
	other := fmt.Sprint(clitest.FreePort(t))
	for other == port {
		other = fmt.Sprint(clitest.FreePort(t))
	}
	r = c.LoginAs(t, emu.URL, "allow", "--client-id", emu.ClientID, "--callback-port", other)
	wantRefused(t, c, r, 0, "redirect_uri_mismatch", "http://localhost:"+other+"/OauthRedirect")

	// The callback port is busy.
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	r = c.LoginAs(t, emu.URL, "allow", clitest.LoginFlags(emu.URL)...)
	ln.Close()
	wantRefused(t, c, r, 0, "Port "+port+" on this computer is in use", "callback port in use")

	// Consent denied in the browser.
	r = c.LoginAs(t, emu.URL, "deny", clitest.LoginFlags(emu.URL)...)
	wantRefused(t, c, r, 0, "access_denied", "choose Allow")

	// Cancelled (Ctrl-C) while the browser is open.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := c.Command(ctx, append([]string{"login", "--url", emu.URL, "--no-browser"}, clitest.LoginFlags(emu.URL)...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "/services/oauth2/authorize") {
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if cmd.ProcessState.ExitCode() == 0 {
		t.Error("a cancelled login exited 0")
	}
	if n := len(savedOrgs(t, c)); n != 0 {
		t.Errorf("%d orgs saved after a cancelled login", n)
	}

	// The right key and port: connected, and both are saved with the org.
	if r := c.Login(t, emu.URL); r.Code != 0 || !strings.Contains(r.Out, "Connected") {
		t.Fatalf("login: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	orgs := savedOrgs(t, c)
	if len(orgs) != 1 || orgs[0]["clientId"] != emu.ClientID || fmt.Sprint(orgs[0]["callbackPort"]) != port || orgs[0]["state"] != "signed in" {
		t.Fatalf("saved orgs %v", orgs)
	}
	// The tests' binary keeps its tokens in the home directory
	// (CRMSHEETS_TOKENS=file), never in the user's keychain.
	if files, _ := filepath.Glob(filepath.Join(c.Home, "token-*.json")); len(files) == 0 {
		t.Errorf("no token file in %s after login: the token went elsewhere (the keychain?)", c.Home)
	}
	// A refused login for a saved org leaves its settings as they were.
	r = c.LoginAs(t, emu.URL, "allow", "--client-id", "3MVG9-typo", "--callback-port", port)
	wantRefused(t, c, r, 1, "OAUTH_EC_APP_NOT_FOUND")
	if orgs := savedOrgs(t, c); orgs[0]["clientId"] != emu.ClientID {
		t.Errorf("a refused login changed the saved key: %v", orgs)
	}

	// $CRMSHEETS_CLIENT_ID gives the key when --client-id is not set.
	t.Setenv("CRMSHEETS_CLIENT_ID", emu.ClientID)
	c2 := newCLI(t)
	if r := c2.LoginAs(t, emu.URL, "allow", "--env", "production", "--callback-port", port); r.Code != 0 {
		t.Fatalf("login with $CRMSHEETS_CLIENT_ID: exit %d\n%s", r.Code, r.Err)
	}
	if orgs := savedOrgs(t, c2); len(orgs) != 1 || orgs[0]["clientId"] != emu.ClientID {
		t.Errorf("saved orgs %v", orgs)
	}
	t.Setenv("CRMSHEETS_CLIENT_ID", "3MVG9-wrong-from-env")
	r = newCLI(t).LoginAs(t, emu.URL, "allow", "--callback-port", port)
	if r.Code != 1 || !strings.Contains(r.Err, `"3MVG9-wrong-from-env"`) {
		t.Errorf("a wrong $CRMSHEETS_CLIENT_ID: exit %d\n%s", r.Code, r.Err)
	}
}

// TestRevokedLoginNeedsReauthorization: a refresh token revoked in
// Salesforce puts the org in "needs reauthorization": the next command
// exits 1 with the login command to run, `orgs` shows it, and logging in
// again clears it. logout forgets the tokens and says what remains.
func TestRevokedLoginNeedsReauthorization(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")

	// The admin revokes the token (Connected Apps OAuth Usage > Revoke):
	// the refresh token the CLI saved stops working.
	files, _ := filepath.Glob(filepath.Join(c.Home, "token-*.json"))
	if len(files) != 1 {
		t.Skipf("the tokens are in the OS keychain (%d token files), not readable by this test", len(files))
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	refresh := jsonField(t, raw, "refresh_token")
	resp, err := http.PostForm(emu.URL+"/services/oauth2/revoke", url.Values{"token": {refresh}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	resp.Body.Close()

	r := c.Run(t, 2*time.Minute, "sync", "--sheet", "People", "--direction", "pull")
	if r.Code != 1 || !strings.Contains(r.Err, "invalid_grant") || !strings.Contains(r.Err, "needs reauthorization") ||
		!strings.Contains(r.Err, "crmsheets login --url "+emu.URL) {
		t.Fatalf("sync after the revocation: exit %d\n%s", r.Code, r.Err)
	}
	out := c.Must(t, "orgs")
	if !strings.Contains(out, "needs reauthorization") || !strings.Contains(out, "crmsheets login --url "+emu.URL) {
		t.Errorf("orgs after the revocation:\n%s", out)
	}
	if orgs := savedOrgs(t, c); orgs[0]["state"] != "needs reauthorization" {
		t.Errorf("orgs --json: %v", orgs)
	}

	// Logging in again clears it.
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login again: exit %d\n%s", r.Code, r.Err)
	}
	if orgs := savedOrgs(t, c); orgs[0]["state"] != "signed in" {
		t.Errorf("after logging in again: %v", orgs)
	}
	c.Must(t, "sync", "--sheet", "People", "--direction", "pull")

	// logout: tokens revoked and forgotten, the org stays saved and says
	// how to come back.
	out = c.Must(t, "logout")
	for _, w := range []string{"Logged out of", "revoked in Salesforce and forgotten", "stays saved", "crmsheets login --url " + emu.URL} {
		if !strings.Contains(out, w) {
			t.Errorf("logout output lacks %q:\n%s", w, out)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(c.Home, "token-*.json")); len(files) != 0 {
		t.Errorf("token files left after logout: %v", files)
	}
	if orgs := savedOrgs(t, c); len(orgs) != 1 || orgs[0]["state"] != "logged out" || orgs[0]["active"] != true {
		t.Errorf("after logout: %v", orgs)
	}
	r = c.Run(t, time.Minute, "sync", "--sheet", "People", "--direction", "pull")
	if r.Code != 1 || !strings.Contains(r.Err, "logged out") || !strings.Contains(r.Err, "crmsheets login --url "+emu.URL) {
		t.Errorf("sync after logout: exit %d\n%s", r.Code, r.Err)
	}
}

// jsonField reads one string field of a JSON object.
func jsonField(t *testing.T, raw []byte, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[field].(string)
	if s == "" {
		t.Fatalf("no %s in %d bytes", field, len(raw))
	}
	return s
}
