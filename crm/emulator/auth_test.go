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

// authorize logs in through the page and returns the code and state the
// redirect carries.
func authorize(t *testing.T, base, redirect, challenge string) (code, state string) {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {"any-client"}, "redirect_uri": {redirect},
		"state": {"st-1"}, "scope": {"api refresh_token"}, "code_challenge": {challenge}}
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
	if err != nil || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("redirect %q", res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	o := newOrg(t, Options{})
	verifier := strings.Repeat("v3rifier-", 8)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := "http://127.0.0.1:1717/OauthRedirect"

	tests := []struct {
		name      string
		verifier  *string
		redirect  string
		wantError string
	}{
		{"missing verifier", nil, redirect, "invalid_grant"},
		{"wrong verifier", ptr("not-the-verifier"), redirect, "invalid_grant"},
		{"other redirect", &verifier, "http://127.0.0.1:9999/cb", "redirect_uri_mismatch"},
		{"success", &verifier, redirect, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, state := authorize(t, o.ts.URL, redirect, challenge)
			if state != "st-1" || code == "" {
				t.Fatalf("code %q state %q", code, state)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"client_id": {"any-client"}, "redirect_uri": {tt.redirect}}
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

func TestAuthorizeRefusesNonLoopbackRedirect(t *testing.T) {
	o := newOrg(t, Options{})
	for _, redirect := range []string{"https://evil.example/cb", "http://10.0.0.1:1717/cb", "http://localhost.evil.example/cb"} {
		q := url.Values{"response_type": {"code"}, "client_id": {"c"}, "redirect_uri": {redirect}}
		res, err := browser().Get(o.ts.URL + "/services/oauth2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || !strings.Contains(string(body), "redirect_uri_mismatch") {
			t.Errorf("%s: %d %s", redirect, res.StatusCode, body)
		}
	}
}

func TestAuthorizeWrongPasswordAndDeny(t *testing.T) {
	o := newOrg(t, Options{})
	q := url.Values{"response_type": {"code"}, "client_id": {"c"}, "redirect_uri": {"http://localhost:5000/cb"},
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
		{"no grant type", url.Values{"client_id": {"c"}}, "invalid_request"},
		{"unknown grant", url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}}, "unsupported_grant_type"},
		{"no client id", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, "invalid_client_id"},
		{"bad refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"c"}, "refresh_token": {"x"}}, "invalid_grant"},
		{"bad code", url.Values{"grant_type": {"authorization_code"}, "client_id": {"c"}, "code": {"x"}}, "invalid_grant"},
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
