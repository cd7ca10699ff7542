package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"crmsheets/crm"

	"golang.org/x/oauth2"
)

// The loopback callback. Salesforce compares the redirect_uri with the
// app's registered callback URLs as strings, so CRM Sheets always sends
// http://localhost:<port>/OauthRedirect (never 127.0.0.1) and listens on
// that one port: register exactly CallbackURL(port) in the app.
const (
	// CallbackPath is the path of the callback, as the Salesforce CLI uses.
	CallbackPath = "/OauthRedirect"
	// CallbackHost is the host name of the callback URL.
	CallbackHost = "localhost"
	// DefaultCallbackPort is the callback port when none is configured. It
	// is not 1717, the Salesforce CLI's, so both can log in at once.
	DefaultCallbackPort = 1718
)

// CallbackURL is the redirect URI for a callback port (0 means
// DefaultCallbackPort): the exact string to register in the app.
func CallbackURL(port int) string {
	if port == 0 {
		port = DefaultCallbackPort
	}
	return "http://" + CallbackHost + ":" + strconv.Itoa(port) + CallbackPath
}

// DefaultScopes are requested when Config.Scopes is empty: REST API access
// and a refresh token.
var DefaultScopes = []string{"api", "refresh_token"}

// Config describes how to log in. The zero value is not usable: Env and
// ClientID are required.
type Config struct {
	// Env is where to log in; it is stored with the session and used for
	// every refresh.
	Env Environment
	// ClientID is the consumer key of the org's External Client App (or
	// connected app); a public client, no secret.
	ClientID string
	// Scopes requested; DefaultScopes when empty.
	Scopes []string
	// Timeout bounds the wait for the browser login (default 5 minutes).
	Timeout time.Duration
	// RedirectPort is the port of the callback URL and its listener; 0
	// means DefaultCallbackPort. A busy port is an error
	// (*CallbackPortBusyError), never a silent switch to another port.
	RedirectPort int
	// OpenBrowser opens the login page (pkg/browser from the CLI,
	// fyne.App.OpenURL in the GUI). nil opens nothing: use OnURL.
	OpenBrowser func(url string) error
	// OnURL receives the login page URL before the browser opens, so that
	// a CLI can print it for the user to open by hand.
	OnURL func(url string)
	// Store keeps the tokens; nil keeps them in memory only.
	Store TokenStore
	// Logger receives login and refresh events (never tokens); nil discards.
	Logger *slog.Logger
	// HTTPClient is used for the token, revoke and userinfo endpoints; nil
	// means a client with a 30-second timeout.
	HTTPClient *http.Client
}

func (c Config) validate() error {
	if err := c.Env.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return ErrNoClientID
	}
	if c.RedirectPort < 0 || c.RedirectPort > 65535 {
		return fmt.Errorf("redirect port %d out of range", c.RedirectPort)
	}
	return nil
}

func (c Config) oauthConfig(redirect string) *oauth2.Config {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	return &oauth2.Config{ClientID: c.ClientID, Endpoint: c.Env.endpoint(), RedirectURL: redirect, Scopes: scopes}
}

func (c Config) store() TokenStore {
	if c.Store == nil {
		return NewMemoryStore()
	}
	return c.Store
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return c.HTTPClient
}

// Login runs the OAuth 2.0 authorization code flow with PKCE (S256) for a
// native app: it listens on the callback port, checks that Salesforce
// accepts the consumer key and callback URL before the browser opens (an
// unknown key or a callback mismatch only shows on Salesforce's own error
// page, which the app would never see), shows the Salesforce login page
// (OnURL, OpenBrowser), checks the state of the callback, exchanges the code
// with the verifier, saves the token in cfg.Store and returns the session.
// Errors Salesforce returns, a busy port, a timeout and a forged callback
// come back as a *Problem (one sentence with the fix); a cancelled ctx as
// ctx's error.
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm
func Login(ctx context.Context, cfg Config) (*Session, error) {
	s, err := login(ctx, cfg)
	return s, Explain(err)
}

func login(ctx context.Context, cfg Config) (*Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	port := cfg.RedirectPort
	if port == 0 {
		port = DefaultCallbackPort
	}
	lns, err := listenCallback(port)
	if err != nil {
		return nil, err
	}
	redirect := CallbackURL(port)
	oc := cfg.oauthConfig(redirect)
	verifier := oauth2.GenerateVerifier()
	state, err := randomState()
	if err != nil {
		closeAll(lns)
		return nil, fmt.Errorf("login: %w", err)
	}
	cb := newCallback(state, OAuthError{Stage: StageAuthorize, ClientID: cfg.ClientID, CallbackURL: redirect, LoginURL: cfg.Env.URL})
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go func() { _ = srv.Serve(ln) }()
	}
	defer func() {
		// Let the callback page finish rendering, then stop listening.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	authURL := oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	log := cfg.logger()
	if err := precheck(ctx, cfg.httpClient(), authURL, redirect); err != nil {
		var oe *OAuthError
		if errors.As(err, &oe) {
			oe.Stage, oe.ClientID, oe.CallbackURL, oe.LoginURL = StageAuthorize, cfg.ClientID, redirect, cfg.Env.URL
			return nil, oe
		}
		log.Warn("could not check the login page before opening the browser", "error", err.Error())
	}
	if cfg.OnURL != nil {
		cfg.OnURL(authURL)
	}
	if cfg.OpenBrowser != nil {
		if err := cfg.OpenBrowser(authURL); err != nil {
			log.Warn("could not open the browser; open the login URL by hand", "error", err.Error())
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = loginTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var code string
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("login to %s: %w", cfg.Env, ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("login to %s: no answer from the browser within %v: %w", cfg.Env, timeout, ErrLoginTimeout)
	case res := <-cb.result:
		if res.err != nil {
			return nil, fmt.Errorf("login to %s: %w", cfg.Env, res.err)
		}
		code = res.code
	}
	xctx := context.WithValue(ctx, oauth2.HTTPClient, cfg.httpClient())
	tok, err := oc.Exchange(xctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, oauthFailure("login to "+cfg.Env.String()+": exchange the authorization code", err, StageCode, cfg, redirect)
	}
	s, err := sessionFromToken(ctx, cfg, tok, redirect)
	if err != nil {
		return nil, err
	}
	log.Info("logged in to salesforce", "env", cfg.Env.String(), "user", s.Username, "instance", s.InstanceURL)
	return s, nil
}

// listenCallback listens on the callback port of 127.0.0.1 and, when the
// machine has IPv6 loopback, of ::1: browsers may resolve localhost to
// either. The IPv4 listener is required; a busy port is a
// *CallbackPortBusyError.
func listenCallback(port int) ([]net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
			return nil, &CallbackPortBusyError{Port: port, Err: err}
		}
		return nil, fmt.Errorf("listen for the login callback on port %d: %w", port, err)
	}
	lns := []net.Listener{ln}
	if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port))); err == nil {
		lns = append(lns, ln6)
	} else if errors.Is(err, syscall.EADDRINUSE) {
		ln.Close()
		return nil, &CallbackPortBusyError{Port: port, Err: err}
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// errorInBody finds "error=CODE&error_description=TEXT" (the plain form
// Salesforce shows for a bad client_id or redirect_uri) or "CODE : TEXT"
// with an OAUTH_ code (its OAuth error page) in a page.
var errorInBody = regexp.MustCompile(`error=([A-Za-z_]+)(?:&(?:amp;)?error_description=([^&"<\s]*))?|\b(OAUTH_[A-Z_]+)\s*:\s*([^<\n]*)`)

// precheck loads the authorize URL the way the browser will, without
// logging in, and returns an *OAuthError when Salesforce refuses the
// request before the login page: an unknown consumer key or a callback
// mismatch show on Salesforce's error page, an error on the callback's
// redirect. It follows redirects only on the login host and never calls
// the callback. Network failures are returned as plain errors: the
// browser may still get through (a proxy), so the caller only logs them.
func precheck(ctx context.Context, hc *http.Client, authURL, redirect string) error {
	client := &http.Client{Transport: hc.Transport, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	host := next.Host
	for range 5 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return &redactedError{op: "check the login page", err: err}
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			to, err := next.Parse(loc)
			if err != nil {
				return err
			}
			q := to.Query()
			if strings.HasPrefix(to.String(), redirect) || to.Host == host && q.Get("error") != "" {
				if code := q.Get("error"); code != "" {
					return &OAuthError{Code: code, Description: q.Get("error_description")}
				}
				return nil
			}
			if to.Host != host {
				return nil // single sign-on or another login host: the browser's business
			}
			next = to
			continue
		}
		if resp.StatusCode >= 400 || strings.Contains(next.Path, "RemoteAccessErrorPage") {
			if m := errorInBody.FindStringSubmatch(string(body)); m != nil {
				if m[1] != "" {
					desc, _ := url.QueryUnescape(m[2])
					return &OAuthError{Code: m[1], Description: desc}
				}
				return &OAuthError{Code: m[3], Description: strings.TrimSpace(html.UnescapeString(m[4]))}
			}
		}
		return nil
	}
	return nil
}

// PasswordLogin logs in with Salesforce's username-password flow. Use it
// only for the embedded demo org: Salesforce discourages the flow for real
// orgs. The flow issues no refresh token, so the session keeps the
// credentials in memory (never in the TokenStore) to log in again when the
// access token expires.
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_username_password_flow.htm
func PasswordLogin(ctx context.Context, cfg Config, username, password string) (*Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("password login: %w", err)
	}
	oc := cfg.oauthConfig("")
	relogin := func(ctx context.Context) (*oauth2.Token, error) {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, cfg.httpClient())
		tok, err := oc.PasswordCredentialsToken(ctx, username, password)
		if err != nil {
			return nil, oauthFailure("log in to "+cfg.Env.String()+" as "+username, err, StagePassword, cfg, "")
		}
		return tok, nil
	}
	tok, err := relogin(ctx)
	if err != nil {
		return nil, err
	}
	s, err := sessionFromToken(ctx, cfg, tok, "")
	if err != nil {
		return nil, err
	}
	s.relogin = relogin
	if s.Username == "" {
		s.Username = username
	}
	return s, nil
}

// sessionFromToken reads instance_url and id from a token response, asks
// userinfo for the username and saves the token.
func sessionFromToken(ctx context.Context, cfg Config, tok *oauth2.Token, redirect string) (*Session, error) {
	instance, _ := tok.Extra("instance_url").(string)
	if _, err := crm.NewClient(instance); err != nil {
		return nil, fmt.Errorf("login to %s: token response has an unusable instance_url: %w", cfg.Env, err)
	}
	info := SessionInfo{Env: cfg.Env, ClientID: cfg.ClientID, InstanceURL: strings.TrimRight(instance, "/")}
	if id, ok := tok.Extra("id").(string); ok {
		// https://login.salesforce.com/id/<org id>/<user id>
		parts := strings.Split(strings.TrimRight(id, "/"), "/")
		if len(parts) >= 3 && parts[len(parts)-3] == "id" {
			info.OrgID, info.UserID = parts[len(parts)-2], parts[len(parts)-1]
		}
	}
	s := newSession(cfg, info, tok, redirect)
	if err := s.fillUserInfo(ctx); err != nil {
		s.log.Warn("could not read the Salesforce user info", "error", err.Error())
	}
	if err := s.store.Save(s.Key(), tok); err != nil {
		return nil, fmt.Errorf("login to %s: save the token: %w", cfg.Env, err)
	}
	return s, nil
}

// fillUserInfo reads the username (and ids, if the token had none) from the
// OpenID userinfo endpoint.
func (s *Session) fillUserInfo(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.InstanceURL+"/services/oauth2/userinfo", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return &redactedError{op: "userinfo", err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("userinfo: HTTP %d", resp.StatusCode)
	}
	var ui struct {
		UserID            string `json:"user_id"`
		OrganizationID    string `json:"organization_id"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ui); err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	s.Username = ui.PreferredUsername
	if s.UserID == "" {
		s.UserID = ui.UserID
	}
	if s.OrgID == "" {
		s.OrgID = ui.OrganizationID
	}
	return nil
}

func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// callback is the one-shot handler of the loopback redirect.
type callback struct {
	state  string
	errs   OAuthError // what the login used, copied into an error the callback carries
	once   sync.Once
	result chan callbackResult
}

type callbackResult struct {
	code string
	err  error
}

func newCallback(state string, errs OAuthError) *callback {
	return &callback{state: state, errs: errs, result: make(chan callbackResult, 1)}
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != CallbackPath {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	var res callbackResult
	switch {
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(c.state)) != 1:
		res.err = ErrStateMismatch
	case q.Get("error") != "":
		oe := c.errs
		oe.Code, oe.Description = q.Get("error"), q.Get("error_description")
		res.err = &oe
	case q.Get("code") == "":
		res.err = fmt.Errorf("callback without a code: %w", ErrLoginDenied)
	default:
		res.code = q.Get("code")
	}
	delivered := false
	c.once.Do(func() {
		c.result <- res
		delivered = true
	})
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case !delivered:
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, page("This login link was already used", "Go back to CRM Sheets."))
	case res.err != nil:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, page("Login failed", Explain(res.err).Error()+". Go back to CRM Sheets."))
	default:
		fmt.Fprint(w, page("You are logged in to Salesforce", "You can close this window and go back to CRM Sheets."))
	}
}

func page(title, text string) string {
	return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		"</title></head><body><h1>" + html.EscapeString(title) + "</h1><p>" + html.EscapeString(text) + "</p></body></html>"
}
