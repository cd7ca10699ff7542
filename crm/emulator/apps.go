package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The connected apps of the demo org. Salesforce only lets an OAuth client
// in when the org knows its consumer key and the redirect_uri is, string for
// string, one of the app's callback URLs; since September 2025 the app must
// also be installed (or be an External Client App of the org). The demo org
// keeps the same rules so that tests catch a wrong key or callback before a
// real org does.

// Callback URLs and consumer keys of the pre-registered apps.
const (
	// DemoCallbackURL is the callback of the demo org's own app: CRM Sheets'
	// default callback (crm/auth.DefaultCallbackPort on localhost).
	DemoCallbackURL = "http://localhost:1718/OauthRedirect"
	// PlatformCLIClientID is the consumer key of the Salesforce CLI's
	// connected app, pre-installed in every real org.
	PlatformCLIClientID = "PlatformCLI"
	// PlatformCLICallbackURL is the Salesforce CLI's default callback
	// (sfdx-core webOAuthServer, DEFAULT_PORT 1717).
	PlatformCLICallbackURL = "http://localhost:1717/OauthRedirect"
)

// allScopes are the OAuth scopes an app accepts when it lists none.
var allScopes = []string{"api", "refresh_token", "offline_access", "id", "profile", "email", "address", "phone", "openid", "web", "full"}

// ConnectedApp is an OAuth client the demo org knows, as an admin sets it up
// in Setup (connected app or External Client App).
type ConnectedApp struct {
	// ConsumerKey is the client_id clients send.
	ConsumerKey string
	// CallbackURLs are compared with redirect_uri as exact strings (scheme,
	// host spelling, port and path), as Salesforce does.
	CallbackURLs []string
	// RequirePKCE refuses an authorization request without a
	// code_challenge ("Require Proof Key for Code Exchange").
	RequirePKCE bool
	// Scopes are the selected OAuth scopes; a request for another scope is
	// refused with invalid_scope. Empty means every scope.
	Scopes []string
	// Blocked is an admin's Block on Connected Apps OAuth Usage: new
	// authorizations fail with OAUTH_APP_BLOCKED and the app's tokens stop
	// working.
	Blocked bool
	// AdminApproved is the policy "Admin approved users are pre-authorized"
	// with the demo user not approved: the login ends on the error page
	// with OAUTH_APP_ACCESS_DENIED and refreshes fail with
	// invalid_app_access.
	AdminApproved bool
}

// DemoApp is the demo org's own app, which CRM Sheets uses with no set-up:
// consumer key DemoClientID, callback DemoCallbackURL, PKCE required.
func DemoApp() ConnectedApp {
	return ConnectedApp{ConsumerKey: DemoClientID, CallbackURLs: []string{DemoCallbackURL}, RequirePKCE: true}
}

// PlatformCLIApp is the Salesforce CLI's app, so that `sf org login web`
// works against the demo org. The CLI sends a PKCE challenge unless told not
// to; whether Salesforce's own PlatformCLI app requires one is not
// documented, so it is not required here.
func PlatformCLIApp() ConnectedApp {
	return ConnectedApp{ConsumerKey: PlatformCLIClientID, CallbackURLs: []string{PlatformCLICallbackURL}}
}

// ErrBadAppSpec reports a --app value that cannot be read.
var ErrBadAppSpec = errors.New("connected app spec must look like KEY=http://localhost:PORT/OauthRedirect[,pkce][,scopes=api+refresh_token][,blocked][,admin-approved]")

// ParseConnectedApp reads the `crmsheets emulator --app` form
// KEY=CALLBACK_URL[,CALLBACK_URL…][,pkce][,scopes=a+b][,blocked][,admin-approved].
func ParseConnectedApp(spec string) (ConnectedApp, error) {
	key, rest, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok || strings.TrimSpace(key) == "" || rest == "" {
		return ConnectedApp{}, fmt.Errorf("%q: %w", spec, ErrBadAppSpec)
	}
	a := ConnectedApp{ConsumerKey: strings.TrimSpace(key)}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "pkce":
			a.RequirePKCE = true
		case part == "blocked":
			a.Blocked = true
		case part == "admin-approved":
			a.AdminApproved = true
		case strings.HasPrefix(part, "scopes="):
			a.Scopes = strings.FieldsFunc(strings.TrimPrefix(part, "scopes="), func(r rune) bool { return r == '+' || r == ' ' })
		case strings.Contains(part, "://"):
			u, err := url.Parse(part)
			if err != nil || u.Host == "" {
				return ConnectedApp{}, fmt.Errorf("%q: callback %q is not a URL: %w", spec, part, ErrBadAppSpec)
			}
			a.CallbackURLs = append(a.CallbackURLs, part)
		default:
			return ConnectedApp{}, fmt.Errorf("%q: unknown option %q: %w", spec, part, ErrBadAppSpec)
		}
	}
	if len(a.CallbackURLs) == 0 {
		return ConnectedApp{}, fmt.Errorf("%q: no callback URL: %w", spec, ErrBadAppSpec)
	}
	return a, nil
}

// String is the --app form of the app.
func (a ConnectedApp) String() string {
	parts := append([]string(nil), a.CallbackURLs...)
	if a.RequirePKCE {
		parts = append(parts, "pkce")
	}
	if len(a.Scopes) > 0 {
		parts = append(parts, "scopes="+strings.Join(a.Scopes, "+"))
	}
	if a.Blocked {
		parts = append(parts, "blocked")
	}
	if a.AdminApproved {
		parts = append(parts, "admin-approved")
	}
	return a.ConsumerKey + "=" + strings.Join(parts, ",")
}

func (a ConnectedApp) allowsScope(scope string) bool {
	scopes := a.Scopes
	if len(scopes) == 0 {
		scopes = allScopes
	}
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(scopes, sc) {
			return false
		}
	}
	return true
}

// RegisterApp adds a connected app, or replaces the app with the same
// consumer key (an admin editing its policies). Blocking an app ends its
// sessions and refresh tokens, as Salesforce does.
func (s *Server) RegisterApp(a ConnectedApp) {
	s.auth.mu.Lock()
	s.auth.apps[a.ConsumerKey] = a
	if a.Blocked {
		s.auth.revokeClientLocked(a.ConsumerKey)
	}
	s.auth.mu.Unlock()
	if a.Blocked {
		s.persistAuth()
	}
}

// RemoveApp deletes a connected app: its consumer key becomes unknown
// (invalid_client_id) and its tokens stop working.
func (s *Server) RemoveApp(consumerKey string) {
	s.auth.mu.Lock()
	delete(s.auth.apps, consumerKey)
	s.auth.revokeClientLocked(consumerKey)
	s.auth.mu.Unlock()
	s.persistAuth()
}

// Apps lists the registered connected apps, sorted by consumer key.
func (s *Server) Apps() []ConnectedApp {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	out := make([]ConnectedApp, 0, len(s.auth.apps))
	for _, a := range s.auth.apps {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b ConnectedApp) int { return strings.Compare(a.ConsumerKey, b.ConsumerKey) })
	return out
}

// SetOrgLocked locks (or unlocks) the org as Salesforce does with a
// suspended or closed org: every token request fails with inactive_org.
func (s *Server) SetOrgLocked(locked bool) {
	s.auth.mu.Lock()
	s.auth.orgLocked = locked
	s.auth.mu.Unlock()
}

func (s *Server) lookupApp(key string) (ConnectedApp, bool) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	a, ok := s.auth.apps[key]
	return a, ok
}

// demoUserActive reports whether the demo user's IsActive is true (an admin
// may deactivate it through the API).
func (s *Server) demoUserActive() bool {
	u, ok := s.Get("User", s.userID)
	if !ok {
		return false
	}
	active, isBool := u["IsActive"].(bool)
	return !isBool || active
}

// revokeClientLocked drops every refresh token issued to a client and the
// sessions they issued; s.auth.mu is held.
func (a *authState) revokeClientLocked(clientID string) {
	for tok, g := range a.refresh {
		if g.clientID != clientID {
			continue
		}
		delete(a.refresh, tok)
		for k, v := range a.sessions {
			if v.refresh == tok {
				delete(a.sessions, k)
			}
		}
	}
}
