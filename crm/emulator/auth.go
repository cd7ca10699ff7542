package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OAuth 2.0 of the demo org (API-REFERENCE.md §1): the authorize page, the
// token endpoint (authorization_code with PKCE, refresh_token, password),
// revoke, userinfo and the identity URL.

// codeTTL is how long an authorization code may be exchanged (Salesforce:
// 15 minutes).
const codeTTL = 15 * time.Minute

type authCode struct {
	clientID, redirectURI, challenge, scope string
	expires                                 time.Time
}

type session struct {
	refresh string // the refresh token the session came from ("" for none)
	expires time.Time
}

type refreshGrant struct {
	clientID, scope string
}

// authState holds the connected apps, codes, sessions and refresh tokens.
type authState struct {
	mu        sync.Mutex
	ttl       time.Duration
	apps      map[string]ConnectedApp // consumer key → app
	orgLocked bool                    // SetOrgLocked: token requests fail with inactive_org
	codes     map[string]authCode
	sessions  map[string]session      // access token → session
	refresh   map[string]refreshGrant // refresh token → grant
	secret    []byte                  // HMAC key of the token signature
}

func newAuthState(ttl time.Duration, apps []ConnectedApp) *authState {
	a := &authState{ttl: ttl, apps: map[string]ConnectedApp{}, codes: map[string]authCode{}, sessions: map[string]session{},
		refresh: map[string]refreshGrant{}, secret: make([]byte, 32)}
	for _, app := range append([]ConnectedApp{DemoApp(), PlatformCLIApp()}, apps...) {
		a.apps[app.ConsumerKey] = app
	}
	_, _ = rand.Read(a.secret)
	return a
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oauthError writes {"error","error_description"} with status 400
// (API-REFERENCE.md §1.6).
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeValue(w, status, map[string]string{"error": code, "error_description": description})
}

// authorizeForm is the demo org's login page. Its form posts back to
// /services/oauth2/authorize with the hidden OAuth parameters and the
// fields "username", "password" and "action" ("allow" or "deny").
var authorizeForm = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in to the CRM Sheets demo org</title>
<style>body{font-family:sans-serif;max-width:26em;margin:4em auto}label,input,button{display:block;margin:.4em 0}input{width:100%}.err{color:#b00}</style>
</head><body>
<h1>CRM Sheets demo org</h1>
<p>Allow <strong>{{.ClientID}}</strong> to access the demo org ({{.Scope}}).</p>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
<form method="post" action="/services/oauth2/authorize">
<input type="hidden" name="response_type" value="{{.ResponseType}}">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<input type="hidden" name="code_challenge" value="{{.CodeChallenge}}">
<input type="hidden" name="code_challenge_method" value="{{.CodeChallengeMethod}}">
<label>Username <input name="username" value="{{.Username}}" autocomplete="username"></label>
<label>Password <input name="password" type="password" value="{{.Password}}" autocomplete="current-password"></label>
<button name="action" value="allow" type="submit">Allow</button>
<button name="action" value="deny" type="submit">Deny</button>
</form></body></html>`))

type authorizePage struct {
	ResponseType, ClientID, RedirectURI, State, Scope string
	CodeChallenge, CodeChallengeMethod                string
	Username, Password, Error                         string
}

// handleAuthorize serves the login page (GET) and its submission (POST).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid_request: "+err.Error(), http.StatusBadRequest)
		return
	}
	page := authorizePage{
		ResponseType: r.Form.Get("response_type"), ClientID: r.Form.Get("client_id"),
		RedirectURI: r.Form.Get("redirect_uri"), State: r.Form.Get("state"), Scope: r.Form.Get("scope"),
		CodeChallenge: r.Form.Get("code_challenge"), CodeChallengeMethod: r.Form.Get("code_challenge_method"),
	}
	// Errors about the client itself cannot be sent back to an unverified
	// redirect_uri: Salesforce sends the browser to its own error page.
	app, known := s.lookupApp(page.ClientID)
	switch {
	case page.ClientID == "":
		errorPage(w, r, "invalid_client_id", "client identifier invalid")
		return
	case !known:
		// Since External Client Apps, an unknown or uninstalled consumer key
		// shows OAUTH_EC_APP_NOT_FOUND on the error page. The description
		// is a guess at Salesforce's wording.
		errorPage(w, r, "OAUTH_EC_APP_NOT_FOUND", "External client app is not found or not installed in this org")
		return
	case !slices.Contains(app.CallbackURLs, page.RedirectURI):
		errorPage(w, r, "redirect_uri_mismatch", "redirect_uri must match configuration")
		return
	case app.Blocked:
		// Wording a guess (reported by users of blocked apps).
		errorPage(w, r, "OAUTH_APP_BLOCKED", "this app is blocked by admin")
		return
	}
	if page.ResponseType != "code" {
		redirectWith(w, r, page.RedirectURI, url.Values{"error": {"unsupported_response_type"},
			"error_description": {"response type not supported"}, "state": {page.State}})
		return
	}
	if app.RequirePKCE && page.CodeChallenge == "" {
		redirectWith(w, r, page.RedirectURI, url.Values{"error": {"invalid_request"},
			"error_description": {"missing required code challenge"}, "state": {page.State}})
		return
	}
	if page.CodeChallengeMethod != "" && page.CodeChallengeMethod != "S256" {
		redirectWith(w, r, page.RedirectURI, url.Values{"error": {"invalid_request"},
			"error_description": {"unsupported code_challenge_method"}, "state": {page.State}})
		return
	}
	if !app.allowsScope(page.Scope) {
		// Wording a guess.
		redirectWith(w, r, page.RedirectURI, url.Values{"error": {"invalid_scope"},
			"error_description": {"the requested scope is not allowed"}, "state": {page.State}})
		return
	}
	if r.Method == http.MethodGet {
		page.Username, page.Password = DemoUsername, DemoPassword
		s.renderAuthorize(w, http.StatusOK, page)
		return
	}
	if r.Form.Get("action") == "deny" {
		redirectWith(w, r, page.RedirectURI, url.Values{"error": {"access_denied"},
			"error_description": {"end-user denied authorization"}, "state": {page.State}})
		return
	}
	if !validLogin(r.Form.Get("username"), r.Form.Get("password")) {
		page.Username = r.Form.Get("username")
		page.Error = "Please check your username and password. If you still can't log in, contact your Salesforce administrator."
		s.renderAuthorize(w, http.StatusOK, page)
		return
	}
	if !s.demoUserActive() || s.orgLocked() {
		// Salesforce refuses the login on its page; no redirect.
		page.Username = r.Form.Get("username")
		page.Error = "Your access is disabled. Contact your site administrator."
		s.renderAuthorize(w, http.StatusOK, page)
		return
	}
	if app.AdminApproved {
		// The user is not among the app's pre-authorized profiles or
		// permission sets. Wording a guess (reported by users).
		errorPage(w, r, "OAUTH_APP_ACCESS_DENIED", "user is not admin approved to access this app")
		return
	}
	code := randomToken(48)
	s.auth.mu.Lock()
	s.auth.codes[code] = authCode{clientID: page.ClientID, redirectURI: page.RedirectURI,
		challenge: page.CodeChallenge, scope: page.Scope, expires: s.now().Add(codeTTL)}
	s.auth.mu.Unlock()
	redirectWith(w, r, page.RedirectURI, url.Values{"code": {code}, "state": {page.State}})
}

// errorPage sends the browser to Salesforce's OAuth error page, as
// Salesforce does when it cannot trust the redirect_uri (unknown app,
// callback mismatch) or refuses the app itself.
func errorPage(w http.ResponseWriter, r *http.Request, code, description string) {
	q := url.Values{"error": {code}, "error_description": {description}}
	http.Redirect(w, r, errorPagePath+"?"+q.Encode(), http.StatusFound)
}

// errorPagePath is where Salesforce shows OAuth errors it does not redirect
// (seen in the address bar: /setup/secur/RemoteAccessErrorPage.apexp).
const errorPagePath = "/setup/secur/RemoteAccessErrorPage.apexp"

var errorPageTemplate = template.Must(template.New("oauth-error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OAuth Error</title></head><body>
<h1>OAuth Error</h1>
<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>
<p id="error">{{.Code}} : {{.Description}}</p>
</body></html>`))

// handleErrorPage renders the OAuth error page the authorize endpoint
// redirects to.
func (s *Server) handleErrorPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_ = errorPageTemplate.Execute(w, struct{ Code, Description string }{q.Get("error"), q.Get("error_description")})
}

func (s *Server) orgLocked() bool {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return s.auth.orgLocked
}

func (s *Server) renderAuthorize(w http.ResponseWriter, status int, page authorizePage) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	_ = authorizeForm.Execute(w, page)
}

func redirectWith(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, _ := url.Parse(redirectURI)
	q := u.Query()
	for k, v := range params {
		if len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func validLogin(user, password string) bool {
	return strings.EqualFold(user, DemoUsername) &&
		subtle.ConstantTimeCompare([]byte(password), []byte(DemoPassword)) == 1
}

// pkceChallenge computes the S256 code challenge of a verifier.
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenResponse is the token endpoint's JSON (API-REFERENCE.md §1.4); a
// refresh grant's response has no refresh_token (§1.5, checklist item 14).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Signature    string `json:"signature"`
	Scope        string `json:"scope"`
	InstanceURL  string `json:"instance_url"`
	ID           string `json:"id"`
	TokenType    string `json:"token_type"`
	IssuedAt     string `json:"issued_at"`
}

// instanceURL is the base URL of this server as the client reached it.
func instanceURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleToken serves POST /services/oauth2/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusBadRequest, "invalid_request", "must use HTTP POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "invalid form body")
		return
	}
	form := r.PostForm
	clientID := form.Get("client_id")
	if clientID == "" {
		if user, _, ok := r.BasicAuth(); ok {
			clientID = user
		}
	}
	grant := form.Get("grant_type")
	switch grant {
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant type is missing")
		return
	case "authorization_code", "refresh_token", "password":
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type not supported")
		return
	}
	app, known := s.lookupApp(clientID)
	if clientID == "" || !known {
		oauthError(w, http.StatusBadRequest, "invalid_client_id", "client identifier invalid")
		return
	}
	if s.orgLocked() {
		// Salesforce: "The organization has been locked, closed, or
		// suspended"; the description here is a guess.
		oauthError(w, http.StatusBadRequest, "inactive_org", "organization is inactive")
		return
	}
	// userOK answers for a grant that identified the demo user: an
	// inactive user or an app the user is not approved for is refused.
	userOK := func() bool {
		switch {
		case !s.demoUserActive():
			// Wording a guess; the code is Salesforce's.
			oauthError(w, http.StatusBadRequest, "inactive_user", "user is inactive")
			return false
		case app.AdminApproved:
			oauthError(w, http.StatusBadRequest, "invalid_app_access", "user is not admin approved to access this app")
			return false
		}
		return true
	}
	base := instanceURL(r)
	switch grant {
	case "authorization_code":
		s.auth.mu.Lock()
		code, ok := s.auth.codes[form.Get("code")]
		delete(s.auth.codes, form.Get("code")) // single use, even when the exchange fails
		s.auth.mu.Unlock()
		switch {
		case !ok || s.now().After(code.expires):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "invalid authorization code")
		case code.clientID != clientID:
			oauthError(w, http.StatusBadRequest, "invalid_client_id", "client identifier invalid")
		case code.redirectURI != form.Get("redirect_uri"):
			oauthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "redirect_uri must match configuration")
		case code.challenge != "" && form.Get("code_verifier") == "":
			// API-REFERENCE.md §1.2: a challenge without a verifier is
			// invalid_grant, a verifier that does not match is
			// invalid_request (Salesforce's web server flow page, v224).
			oauthError(w, http.StatusBadRequest, "invalid_grant", "code verifier is missing")
		case code.challenge != "" && pkceChallenge(form.Get("code_verifier")) != code.challenge:
			oauthError(w, http.StatusBadRequest, "invalid_request", "invalid code verifier")
		case !userOK():
		default:
			s.sendTokens(w, base, clientID, code.scope, wantsRefresh(code.scope))
		}
	case "refresh_token":
		s.auth.mu.Lock()
		g, ok := s.auth.refresh[form.Get("refresh_token")]
		s.auth.mu.Unlock()
		// A refresh token works only for the client it was issued to. The
		// answer to another client is a guess: the same as for an unknown
		// token, so that a key cannot probe for tokens.
		if !ok || g.clientID != clientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "expired access/refresh token")
			return
		}
		if !userOK() {
			return
		}
		access := s.newSession(form.Get("refresh_token"))
		s.writeTokenResponse(w, base, access, "", g.scope)
	case "password":
		if !validLogin(form.Get("username"), form.Get("password")) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "authentication failure")
			return
		}
		if !userOK() {
			return
		}
		// The username-password flow issues no refresh token (Salesforce
		// behaviour); clients log in again when the session expires.
		s.sendTokens(w, base, clientID, "api", false)
	}
}

// wantsRefresh reports whether a scope earns a refresh token; an empty
// scope means the connected app's default scopes, which include it.
func wantsRefresh(scope string) bool {
	if scope == "" {
		return true
	}
	for _, sc := range strings.Fields(scope) {
		if sc == "refresh_token" || sc == "offline_access" || sc == "full" {
			return true
		}
	}
	return false
}

func (s *Server) sendTokens(w http.ResponseWriter, base, clientID, scope string, withRefresh bool) {
	if scope == "" {
		scope = "api refresh_token"
	}
	refresh := ""
	if withRefresh {
		refresh = s.newRefresh(clientID, scope)
	}
	access := s.newSession(refresh)
	s.writeTokenResponse(w, base, access, refresh, scope)
}

func (s *Server) writeTokenResponse(w http.ResponseWriter, base, access, refresh, scope string) {
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	writeValue(w, http.StatusOK, s.tokenBody(base, access, refresh, scope))
}

func (s *Server) tokenBody(base, access, refresh, scope string) tokenResponse {
	id := base + "/id/" + s.orgID + "/" + s.userID
	issued := strconv.FormatInt(s.now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, s.auth.secret)
	mac.Write([]byte(id + issued))
	return tokenResponse{
		AccessToken: access, RefreshToken: refresh, Scope: scope,
		Signature:   base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		InstanceURL: base, ID: id, TokenType: "Bearer", IssuedAt: issued,
	}
}

// newSession issues an access token: the 15-character org id, "!", and a
// random part, like Salesforce's.
func (s *Server) newSession(refresh string) string {
	access := s.orgID[:15] + "!" + randomToken(72)
	s.auth.mu.Lock()
	s.auth.sessions[access] = session{refresh: refresh, expires: s.now().Add(s.auth.ttl)}
	s.auth.mu.Unlock()
	s.persistAuth()
	return access
}

func (s *Server) newRefresh(clientID, scope string) string {
	refresh := "5Aep" + randomToken(64)
	s.auth.mu.Lock()
	s.auth.refresh[refresh] = refreshGrant{clientID: clientID, scope: scope}
	s.auth.mu.Unlock()
	s.persistAuth()
	return refresh
}

// IssueToken returns a fresh access and refresh token for the demo user, as
// an authorization-code login from instanceURL would, without the browser.
func (s *Server) IssueToken(instanceURL string) (access, refresh string, err error) {
	refresh = s.newRefresh(DemoClientID, "api refresh_token")
	return s.newSession(refresh), refresh, nil
}

// handleRevoke serves POST (or GET) /services/oauth2/revoke?token=….
// Revoking a refresh token also ends the sessions it issued.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "invalid form body")
		return
	}
	token := r.Form.Get("token")
	s.auth.mu.Lock()
	_, isAccess := s.auth.sessions[token]
	_, isRefresh := s.auth.refresh[token]
	if isAccess {
		delete(s.auth.sessions, token)
	}
	if isRefresh {
		delete(s.auth.refresh, token)
		for k, v := range s.auth.sessions {
			if v.refresh == token {
				delete(s.auth.sessions, k)
			}
		}
	}
	s.auth.mu.Unlock()
	if !isAccess && !isRefresh {
		oauthError(w, http.StatusBadRequest, "invalid_token", "invalid token")
		return
	}
	s.persistAuth()
	w.WriteHeader(http.StatusOK)
}

// bearer extracts the token of "Authorization: Bearer …" (or the legacy
// "OAuth …" scheme).
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return ""
}

// validSession reports whether an access token is live, expiring it when
// its time has passed.
func (s *Server) validSession(token string) bool {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	sess, ok := s.auth.sessions[token]
	if !ok {
		return false
	}
	if !s.now().Before(sess.expires) {
		delete(s.auth.sessions, token)
		return false
	}
	return true
}

func (s *Server) expireSession(token string) {
	s.auth.mu.Lock()
	delete(s.auth.sessions, token)
	s.auth.mu.Unlock()
}

// authenticate checks the bearer token of a REST call, applying the
// ExpireTokenEvery fault; it writes the 401 itself.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	token := bearer(r)
	ok := token != "" && s.validSession(token)
	if ok {
		s.faultMu.Lock()
		every := s.faults.ExpireTokenEvery
		s.authCalls++
		expire := every > 0 && s.authCalls%every == 0
		s.faultMu.Unlock()
		if expire {
			s.expireSession(token)
			ok = false
		}
	}
	if !ok {
		s.setLimitHeader(w)
		w.Header().Set("WWW-Authenticate", `Token`)
		writeErrors(w, http.StatusUnauthorized, newAPIError(codeInvalidSession, "Session expired or invalid"))
		return false
	}
	return true
}

// handleUserInfo serves GET /services/oauth2/userinfo; an invalid token is
// 403 "Bad_OAuth_Token" as on Salesforce.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if !s.validSession(bearer(r)) {
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("Bad_OAuth_Token"))
		return
	}
	writeValue(w, http.StatusOK, s.userInfo(instanceURL(r)))
}

func (s *Server) userInfo(base string) map[string]any {
	user, _ := s.Get("User", s.userID)
	str := func(k string) string { v, _ := user[k].(string); return v }
	id := base + "/id/" + s.orgID + "/" + s.userID
	return map[string]any{
		"sub": id, "user_id": s.userID, "organization_id": s.orgID,
		"preferred_username": str("Username"), "nickname": str("Alias"), "name": str("Name"),
		"email": str("Email"), "email_verified": true, "given_name": str("FirstName"),
		"family_name": str("LastName"), "zoneinfo": str("TimeZoneSidKey"), "active": true,
		"user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": 0,
		"updated_at": str("LastModifiedDate"),
		"urls": map[string]string{
			"rest":     base + "/services/data/v{version}/",
			"sobjects": base + "/services/data/v{version}/sobjects/",
			"query":    base + "/services/data/v{version}/query/",
			"profile":  base + "/" + s.userID,
		},
	}
}

// handleIdentity serves the identity URL of the token response's "id".
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request) {
	if !s.validSession(bearer(r)) {
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("Bad_OAuth_Token"))
		return
	}
	if r.URL.Path != "/id/"+s.orgID+"/"+s.userID {
		writeErrors(w, http.StatusNotFound, notFound())
		return
	}
	info := s.userInfo(instanceURL(r))
	info["id"] = info["sub"]
	info["username"] = info["preferred_username"]
	info["display_name"] = info["name"]
	b, _ := json.Marshal(info)
	writeJSON(w, http.StatusOK, b)
}
