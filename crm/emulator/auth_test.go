package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// browser drives the authorize page like a user agent: GET the form, POST
// it, stop at the redirect to the loopback listener.
func browser() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func tokenCall(t *testing.T, base string, form url.Values) (int, map[string]any) {
	t.Helper()
	res, err := http.PostForm(base+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}

// testApp is the connected app the tests register: PKCE required, one
// callback on localhost.
const (
	testKey      = "test-app"
	testCallback = "http://localhost:5050/OauthRedirect"
)

func newAuthOrg(t *testing.T, opts Options) *org {
	t.Helper()
	opts.Apps = append(opts.Apps, ConnectedApp{ConsumerKey: testKey, CallbackURLs: []string{testCallback}, RequirePKCE: true})
	return newOrg(t, opts)
}

func authorizeQuery(clientID, redirect, challenge string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"state": {"st-1"}, "scope": {"api refresh_token"}, "code_challenge": {challenge}}
}

// authorize logs in through the page and returns the code and state the
// redirect carries.
func authorize(t *testing.T, base, redirect, challenge string) (code, state string) {
	t.Helper()
	loc := submitLogin(t, base, authorizeQuery(testKey, redirect, challenge))
	if !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("redirect %q", loc)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// submitLogin GETs the login page of q, posts the demo login and returns
// where the browser is sent.
func submitLogin(t *testing.T, base string, q url.Values) *url.URL {
	t.Helper()
	res, err := browser().Get(base + "/services/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), `name="username" value="`+DemoUsername+`"`) {
		t.Fatalf("authorize page %d: %s", res.StatusCode, page)
	}
	q.Set("username", DemoUsername)
	q.Set("password", DemoPassword)
	q.Set("action", "allow")
	res, err = browser().PostForm(base+"/services/oauth2/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("login status %d", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// getAuthorize sends the browser to the authorize URL of q and returns
// where it is redirected ("" when the page is served).
func getAuthorize(t *testing.T, base string, q url.Values) (int, *url.URL) {
	t.Helper()
	res, err := browser().Get(base + "/services/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	return res.StatusCode, loc
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	o := newAuthOrg(t, Options{})
	verifier := strings.Repeat("v3rifier-", 8)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := testCallback

	tests := []struct {
		name      string
		verifier  *string
		redirect  string
		wantError string
	}{
		{"missing verifier", nil, redirect, "invalid_grant"},
		{"wrong verifier", ptr("not-the-verifier"), redirect, "invalid_request"},
		{"other redirect", &verifier, "http://127.0.0.1:5050/OauthRedirect", "redirect_uri_mismatch"},
		{"success", &verifier, redirect, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, state := authorize(t, o.ts.URL, redirect, challenge)
			if state != "st-1" || code == "" {
				t.Fatalf("code %q state %q", code, state)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"client_id": {testKey}, "redirect_uri": {tt.redirect}}
			if tt.verifier != nil {
				form.Set("code_verifier", *tt.verifier)
			}
			status, body := tokenCall(t, o.ts.URL, form)
			if tt.wantError != "" {
				if status != 400 || body["error"] != tt.wantError {
					t.Fatalf("status %d body %v", status, body)
				}
				return
			}
			if status != 200 {
				t.Fatalf("status %d body %v", status, body)
			}
			for _, k := range []string{"access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"} {
				if _, ok := body[k].(string); !ok {
					t.Errorf("token response lacks string %s: %v", k, body)
				}
			}
			if issued := body["issued_at"].(string); len(issued) != 13 {
				t.Errorf("issued_at %q is not 13 digits of milliseconds", issued)
			}
			if body["instance_url"] != o.ts.URL || !strings.HasPrefix(body["access_token"].(string), o.srv.OrgID()[:15]+"!") {
				t.Errorf("instance_url/access_token %v", body)
			}
			// The code is single use.
			status, body = tokenCall(t, o.ts.URL, form)
			if status != 400 || body["error"] != "invalid_grant" {
				t.Fatalf("reused code: %d %v", status, body)
			}
		})
	}
}

// TestAuthorizeErrorPage: an unknown consumer key, a callback that is not
// an exact match and a blocked app end on Salesforce's error page; the
// browser is never sent to the unverified redirect_uri.
func TestAuthorizeErrorPage(t *testing.T) {
	o := newAuthOrg(t, Options{Apps: []ConnectedApp{{ConsumerKey: "blocked-app", CallbackURLs: []string{testCallback}, Blocked: true}}})
	tests := []struct {
		name, client, redirect, want string
	}{
		{"unknown key", "3MVG9-not-registered", testCallback, "OAUTH_EC_APP_NOT_FOUND"},
		{"no key", "", testCallback, "invalid_client_id"},
		{"127.0.0.1 for localhost", testKey, "http://127.0.0.1:5050/OauthRedirect", "redirect_uri_mismatch"},
		{"other port", testKey, "http://localhost:5051/OauthRedirect", "redirect_uri_mismatch"},
		{"trailing slash", testKey, testCallback + "/", "redirect_uri_mismatch"},
		{"other path case", testKey, "http://localhost:5050/oauthredirect", "redirect_uri_mismatch"},
		{"remote host", testKey, "https://evil.example/OauthRedirect", "redirect_uri_mismatch"},
		{"another app's callback", testKey, PlatformCLICallbackURL, "redirect_uri_mismatch"},
		{"blocked app", "blocked-app", testCallback, "OAUTH_APP_BLOCKED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, loc := getAuthorize(t, o.ts.URL, authorizeQuery(tt.client, tt.redirect, "challenge"))
			if status != http.StatusFound || loc.Path != errorPagePath || loc.Query().Get("error") != tt.want || loc.Query().Get("error_description") == "" {
				t.Fatalf("%d → %v, want the error page with %s", status, loc, tt.want)
			}
			res, err := http.Get(o.ts.URL + loc.String())
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(page), tt.want+" : ") || !strings.Contains(string(page), "We can't authorize you because of an OAuth error") {
				t.Errorf("error page: %s", page)
			}
		})
	}
}

// TestAuthorizeRedirectedErrors: once the app and its callback are known,
// request errors go back to the callback with the state.
func TestAuthorizeRedirectedErrors(t *testing.T) {
	o := newAuthOrg(t, Options{Apps: []ConnectedApp{{ConsumerKey: "api-only", CallbackURLs: []string{testCallback}, Scopes: []string{"api"}}}})
	tests := []struct {
		name string
		q    url.Values
		want string
	}{
		{"PKCE required", authorizeQuery(testKey, testCallback, ""), "invalid_request"},
		{"token response type", func() url.Values {
			q := authorizeQuery(testKey, testCallback, "c")
			q.Set("response_type", "token")
			return q
		}(), "unsupported_response_type"},
		{"scope not selected", authorizeQuery("api-only", testCallback, "c"), "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, loc := getAuthorize(t, o.ts.URL, tt.q)
			if status != http.StatusFound || !strings.HasPrefix(loc.String(), testCallback+"?") ||
				loc.Query().Get("error") != tt.want || loc.Query().Get("state") != "st-1" {
				t.Fatalf("%d → %v, want %s at the callback", status, loc, tt.want)
			}
		})
	}
	// The Salesforce CLI's app does not require PKCE: no challenge is fine.
	q := authorizeQuery(PlatformCLIClientID, PlatformCLICallbackURL, "")
	if loc := submitLogin(t, o.ts.URL, q); !strings.HasPrefix(loc.String(), PlatformCLICallbackURL+"?code=") {
		t.Fatalf("PlatformCLI login → %v", loc)
	}
}

// TestCodesExpireAndBindToTheirClient: a code lives 15 minutes and only for
// the client and verifier it was issued to; a refresh token works only for
// its client.
func TestCodesExpireAndBindToTheirClient(t *testing.T) {
	o := newAuthOrg(t, Options{})
	verifier := strings.Repeat("x", 50)
	code, _ := authorize(t, o.ts.URL, testCallback, pkceChallenge(verifier))
	o.clock.Advance(codeTTL + time.Second)
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testKey},
		"redirect_uri": {testCallback}, "code_verifier": {verifier}}
	if status, body := tokenCall(t, o.ts.URL, exchange); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("expired code: %d %v", status, body)
	}

	code, _ = authorize(t, o.ts.URL, testCallback, pkceChallenge(verifier))
	exchange.Set("code", code)
	exchange.Set("client_id", PlatformCLIClientID)
	if status, body := tokenCall(t, o.ts.URL, exchange); status != 400 || body["error"] != "invalid_client_id" {
		t.Fatalf("code of another client: %d %v", status, body)
	}

	code, _ = authorize(t, o.ts.URL, testCallback, pkceChallenge(verifier))
	exchange.Set("code", code)
	exchange.Set("client_id", testKey)
	status, body := tokenCall(t, o.ts.URL, exchange)
	if status != 200 {
		t.Fatalf("exchange: %d %v", status, body)
	}
	refresh := body["refresh_token"].(string)
	other := url.Values{"grant_type": {"refresh_token"}, "client_id": {PlatformCLIClientID}, "refresh_token": {refresh}}
	if status, body := tokenCall(t, o.ts.URL, other); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("refresh token with another client: %d %v", status, body)
	}
	mine := url.Values{"grant_type": {"refresh_token"}, "client_id": {testKey}, "refresh_token": {refresh}}
	if status, body := tokenCall(t, o.ts.URL, mine); status != 200 {
		t.Fatalf("refresh: %d %v", status, body)
	}

	// Deleting the app makes its key unknown and ends its tokens.
	o.srv.RemoveApp(testKey)
	if status, body := tokenCall(t, o.ts.URL, mine); status != 400 || body["error"] != "invalid_client_id" {
		t.Fatalf("refresh after the app was deleted: %d %v", status, body)
	}
}

// TestAdminPoliciesAndInactiveUserOrOrg: what an admin changes in Setup
// reaches clients with Salesforce's codes.
func TestAdminPoliciesAndInactiveUserOrOrg(t *testing.T) {
	o := newAuthOrg(t, Options{})
	verifier := strings.Repeat("y", 50)
	code, _ := authorize(t, o.ts.URL, testCallback, pkceChallenge(verifier))
	status, body := tokenCall(t, o.ts.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testKey},
		"redirect_uri": {testCallback}, "code_verifier": {verifier}})
	if status != 200 {
		t.Fatalf("exchange: %d %v", status, body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {testKey}, "refresh_token": {body["refresh_token"].(string)}}

	// Permitted users: admin approved, and the demo user is not.
	o.srv.RegisterApp(ConnectedApp{ConsumerKey: testKey, CallbackURLs: []string{testCallback}, RequirePKCE: true, AdminApproved: true})
	if status, body := tokenCall(t, o.ts.URL, refresh); status != 400 || body["error"] != "invalid_app_access" {
		t.Fatalf("refresh, user not approved: %d %v", status, body)
	}
	loc := submitLogin(t, o.ts.URL, authorizeQuery(testKey, testCallback, "c"))
	if loc.Path != errorPagePath || loc.Query().Get("error") != "OAUTH_APP_ACCESS_DENIED" {
		t.Fatalf("login, user not approved → %v", loc)
	}
	o.srv.RegisterApp(ConnectedApp{ConsumerKey: testKey, CallbackURLs: []string{testCallback}, RequirePKCE: true})

	// An inactive user.
	if err := o.srv.Update("User", o.srv.DemoUserID(), map[string]any{"IsActive": false}); err != nil {
		t.Fatal(err)
	}
	if status, body := tokenCall(t, o.ts.URL, refresh); status != 400 || body["error"] != "inactive_user" {
		t.Fatalf("refresh, inactive user: %d %v", status, body)
	}
	if status, body := tokenCall(t, o.ts.URL, url.Values{"grant_type": {"password"}, "client_id": {DemoClientID},
		"username": {DemoUsername}, "password": {DemoPassword}}); status != 400 || body["error"] != "inactive_user" {
		t.Fatalf("password grant, inactive user: %d %v", status, body)
	}
	if err := o.srv.Update("User", o.srv.DemoUserID(), map[string]any{"IsActive": true}); err != nil {
		t.Fatal(err)
	}

	// A locked org.
	o.srv.SetOrgLocked(true)
	if status, body := tokenCall(t, o.ts.URL, refresh); status != 400 || body["error"] != "inactive_org" {
		t.Fatalf("refresh, locked org: %d %v", status, body)
	}
	o.srv.SetOrgLocked(false)
	if status, body := tokenCall(t, o.ts.URL, refresh); status != 200 {
		t.Fatalf("refresh once all is well again: %d %v", status, body)
	}

	// Blocking the app ends its refresh tokens.
	o.srv.RegisterApp(ConnectedApp{ConsumerKey: testKey, CallbackURLs: []string{testCallback}, Blocked: true})
	if status, body := tokenCall(t, o.ts.URL, refresh); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("refresh, app blocked: %d %v", status, body)
	}
}

func TestParseConnectedApp(t *testing.T) {
	a, err := ParseConnectedApp("3MVG9key=http://localhost:1718/OauthRedirect,http://localhost:1719/OauthRedirect,pkce,scopes=api+refresh_token,admin-approved")
	if err != nil {
		t.Fatal(err)
	}
	want := ConnectedApp{ConsumerKey: "3MVG9key", CallbackURLs: []string{"http://localhost:1718/OauthRedirect", "http://localhost:1719/OauthRedirect"},
		RequirePKCE: true, Scopes: []string{"api", "refresh_token"}, AdminApproved: true}
	if a.String() != want.String() {
		t.Fatalf("parsed %v, want %v", a, want)
	}
	if b, err := ParseConnectedApp(a.String()); err != nil || b.String() != a.String() {
		t.Fatalf("round trip: %v %v", b, err)
	}
	for _, bad := range []string{"", "key", "=http://localhost:1/x", "key=", "key=pkce", "key=http://localhost:1/x,sometimes"} {
		if _, err := ParseConnectedApp(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAuthorizeWrongPasswordAndDeny(t *testing.T) {
	o := newAuthOrg(t, Options{})
	q := url.Values{"response_type": {"code"}, "client_id": {testKey}, "redirect_uri": {testCallback}, "code_challenge": {"c"},
		"state": {"s"}, "username": {DemoUsername}, "password": {"nope"}, "action": {"allow"}}
	res, err := browser().PostForm(o.ts.URL+"/services/oauth2/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "check your username and password") {
		t.Fatalf("wrong password: %d %s", res.StatusCode, body)
	}
	q.Set("action", "deny")
	res, err = browser().PostForm(o.ts.URL+"/services/oauth2/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s" {
		t.Fatalf("deny: %d %s", res.StatusCode, loc)
	}
}

func TestPasswordGrantRefreshExpiryAndRevoke(t *testing.T) {
	o := newOrg(t, Options{TokenTTL: time.Hour})
	status, body := tokenCall(t, o.ts.URL, url.Values{"grant_type": {"password"}, "client_id": {DemoClientID},
		"username": {DemoUsername}, "password": {"wrong"}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("bad password: %d %v", status, body)
	}
	status, body = tokenCall(t, o.ts.URL, url.Values{"grant_type": {"password"}, "client_id": {DemoClientID},
		"username": {DemoUsername}, "password": {DemoPassword}})
	if status != 200 || body["refresh_token"] != nil {
		t.Fatalf("password grant: %d %v", status, body)
	}
	o.token = body["access_token"].(string)
	o.mustStatus(o.do("GET", "/sobjects", nil), 200)

	// Expiry: the token dies after TokenTTL with INVALID_SESSION_ID.
	o.clock.Advance(time.Hour)
	r := o.do("GET", "/sobjects", nil)
	o.mustStatus(r, 401)
	if string(r.body) != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` {
		t.Fatalf("401 body %s", r.body)
	}

	// Refresh: a new access token, no new refresh token (checklist 14).
	_, refresh, _ := o.srv.IssueToken(o.ts.URL)
	status, body = tokenCall(t, o.ts.URL, url.Values{"grant_type": {"refresh_token"}, "client_id": {DemoClientID}, "refresh_token": {refresh}})
	if status != 200 || body["refresh_token"] != nil || body["access_token"] == "" {
		t.Fatalf("refresh: %d %v", status, body)
	}
	o.token = body["access_token"].(string)
	o.mustStatus(o.do("GET", "/sobjects", nil), 200)

	// userinfo answers for a live token.
	req, _ := http.NewRequest("GET", o.ts.URL+"/services/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+o.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	_ = json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if res.StatusCode != 200 || info["preferred_username"] != DemoUsername || info["user_id"] != o.srv.DemoUserID() {
		t.Fatalf("userinfo %d %v", res.StatusCode, info)
	}

	// Revoking the refresh token ends its sessions and the token itself.
	res, err = http.PostForm(o.ts.URL+"/services/oauth2/revoke", url.Values{"token": {refresh}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("revoke status %d", res.StatusCode)
	}
	o.mustStatus(o.do("GET", "/sobjects", nil), 401)
	status, body = tokenCall(t, o.ts.URL, url.Values{"grant_type": {"refresh_token"}, "client_id": {DemoClientID}, "refresh_token": {refresh}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("refresh after revoke: %d %v", status, body)
	}
	res, _ = http.PostForm(o.ts.URL+"/services/oauth2/revoke", url.Values{"token": {"unknown"}})
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("revoke unknown: %d", res.StatusCode)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	o := newOrg(t, Options{})
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no grant type", url.Values{"client_id": {DemoClientID}}, "invalid_request"},
		{"unknown grant", url.Values{"grant_type": {"client_credentials"}, "client_id": {DemoClientID}}, "unsupported_grant_type"},
		{"no client id", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, "invalid_client_id"},
		{"unknown client id", url.Values{"grant_type": {"password"}, "client_id": {"crmsheets-desktop"}, "username": {DemoUsername}, "password": {DemoPassword}}, "invalid_client_id"},
		{"bad refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {DemoClientID}, "refresh_token": {"x"}}, "invalid_grant"},
		{"bad code", url.Values{"grant_type": {"authorization_code"}, "client_id": {DemoClientID}, "code": {"x"}}, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := tokenCall(t, o.ts.URL, tt.form)
			if status != 400 || body["error"] != tt.want || body["error_description"] == "" {
				t.Fatalf("%d %v", status, body)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
