package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"crmsheets/crm"

	"golang.org/x/oauth2"
)

// Errors of this package that callers branch on.
var (
	// ErrNeedsReauth: the saved login can no longer be used (the refresh
	// token was revoked or expired, or none is saved); the user must log in
	// again. The app shows the connection as "needs reauthorization".
	ErrNeedsReauth = errors.New("salesforce connection needs to be authorized again")
	// ErrStateMismatch: the login callback carried a state that this login
	// did not issue (a forged or stale redirect); the login is refused.
	ErrStateMismatch = errors.New("login callback state does not match")
	// ErrLoginDenied: the user denied access on the Salesforce page, or
	// Salesforce refused the request (the callback carried an error).
	ErrLoginDenied = errors.New("salesforce login was denied")
	// ErrLoginTimeout: no callback arrived within Config.Timeout.
	ErrLoginTimeout = errors.New("salesforce login timed out")
)

// SessionInfo is the non-secret description of a connection, to be stored
// by the app (the tokens live in the TokenStore under Key()).
type SessionInfo struct {
	Env         Environment `json:"env"`
	ClientID    string      `json:"clientId"`
	InstanceURL string      `json:"instanceUrl"`
	UserID      string      `json:"userId"`
	OrgID       string      `json:"orgId"`
	Username    string      `json:"username"`
}

// Key is the TokenStore key of the connection: one per environment, org and
// user.
func (i SessionInfo) Key() string {
	return "salesforce:" + i.Env.URL + ":" + i.OrgID + ":" + i.UserID
}

// Session is a logged-in connection. It is safe for concurrent use.
type Session struct {
	SessionInfo

	oc    *oauth2.Config
	store TokenStore
	log   *slog.Logger
	hc    *http.Client // for OAuth endpoints

	mu          sync.Mutex
	tok         *oauth2.Token
	needsReauth bool
	inflight    chan struct{} // closed when the running refresh ends
	lastErr     error
	refreshedAt time.Time // when the current token was obtained by a refresh
	// relogin renews a session that has no refresh token (the demo org's
	// username-password flow); nil otherwise.
	relogin func(ctx context.Context) (*oauth2.Token, error)
}

// Resume reopens a connection saved earlier: info as the app stored it and
// the token from cfg.Store. The environment is info.Env; a cfg.Env that
// differs is an error rather than a silent switch. A missing token is
// ErrNeedsReauth.
func Resume(cfg Config, info SessionInfo) (*Session, error) {
	if cfg.Env != (Environment{}) && cfg.Env != info.Env {
		return nil, fmt.Errorf("resume %s: saved for %s, asked for %s: %w", info.Username, info.Env, cfg.Env, ErrInvalidEnvironment)
	}
	cfg.Env = info.Env
	if cfg.ClientID == "" {
		cfg.ClientID = info.ClientID
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("resume %s: %w", info.Username, err)
	}
	tok, err := cfg.store().Load(info.Key())
	if errors.Is(err, ErrNoToken) {
		return nil, fmt.Errorf("resume %s on %s: %w", info.Username, info.Env, ErrNeedsReauth)
	}
	if err != nil {
		return nil, fmt.Errorf("resume %s on %s: %w", info.Username, info.Env, err)
	}
	return newSession(cfg, info, tok, ""), nil
}

func newSession(cfg Config, info SessionInfo, tok *oauth2.Token, redirect string) *Session {
	return &Session{
		SessionInfo: info,
		oc:          cfg.oauthConfig(redirect),
		store:       cfg.store(),
		log:         cfg.logger(),
		hc:          cfg.httpClient(),
		tok:         tok,
	}
}

// NeedsReauth reports whether the session can no longer refresh its token:
// the app should ask the user to log in again.
func (s *Session) NeedsReauth() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.needsReauth
}

// Info returns the non-secret description to store.
func (s *Session) Info() SessionInfo { return s.SessionInfo }

// HTTPClient returns a client for crm.NewClient (WithHTTPClient): its
// transport adds the bearer token to every request and implements
// crm.SessionRefresher, so a 401 refreshes the token (saved through the
// TokenStore) and the request is resent. ctx may carry an oauth2.HTTPClient
// whose transport is used underneath, as with oauth2.NewClient.
func (s *Session) HTTPClient(ctx context.Context) *http.Client {
	base := http.DefaultTransport
	if hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && hc != nil && hc.Transport != nil {
		base = hc.Transport
	}
	return &http.Client{Transport: &Transport{session: s, base: base}, Timeout: crm.DefaultTimeout}
}

// Transport adds the session's bearer token to requests. It implements
// crm.SessionRefresher.
type Transport struct {
	session *Session
	base    http.RoundTripper
}

var _ crm.SessionRefresher = (*Transport)(nil)

// RoundTrip sends req with the current access token. A session that needs
// reauthorization fails with ErrNeedsReauth without sending anything.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.session.token()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.base.RoundTrip(r)
}

// RefreshSession forces a token refresh (see Session.Refresh).
func (t *Transport) RefreshSession(ctx context.Context) error { return t.session.Refresh(ctx) }

func (s *Session) token() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.needsReauth {
		return "", fmt.Errorf("use the %s connection: %w", s.Env.Kind, ErrNeedsReauth)
	}
	return s.tok.AccessToken, nil
}

// Refresh gets a new access token now, even if the current one looks valid
// (Salesforce sends no expiry, so a 401 is the only signal). Concurrent
// callers share one refresh, and a caller whose failed request was sent
// before the last refresh (crm.RequestSentAt) does not refresh again. The new token is saved through the TokenStore;
// a refused refresh token (invalid_grant) puts the session in the
// needs-reauthorization state and returns ErrNeedsReauth.
func (s *Session) Refresh(ctx context.Context) error {
	s.mu.Lock()
	if s.needsReauth {
		s.mu.Unlock()
		return fmt.Errorf("refresh the %s session: %w", s.Env, ErrNeedsReauth)
	}
	if sent, ok := crm.RequestSentAt(ctx); ok && s.refreshedAt.After(sent) {
		// The failed request carried an older token; the current one is
		// newer, so resending is enough.
		s.mu.Unlock()
		return nil
	}
	if ch := s.inflight; ch != nil {
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.lastErr
	}
	ch := make(chan struct{})
	s.inflight = ch
	old := *s.tok
	s.mu.Unlock()

	tok, err := s.fetch(ctx, old)

	s.mu.Lock()
	if err == nil {
		s.tok = tok
		s.refreshedAt = time.Now()
	} else if errors.Is(err, ErrNeedsReauth) {
		s.needsReauth = true
	}
	s.lastErr = err
	s.inflight = nil
	s.mu.Unlock()
	close(ch)
	if err != nil {
		return err
	}
	if serr := s.store.Save(s.Key(), tok); serr != nil {
		// The session works; only the next start will need a login.
		s.log.Warn("could not save the refreshed Salesforce token", "connection", s.Username, "error", serr.Error())
	}
	s.log.Info("salesforce token refreshed", "connection", s.Username, "env", s.Env.String())
	return nil
}

// fetch obtains a new token with the refresh token, or by logging in again
// for password sessions.
func (s *Session) fetch(ctx context.Context, old oauth2.Token) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.hc)
	switch {
	case old.RefreshToken != "":
		tok, err := s.oc.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
		if err != nil {
			return nil, oauthFailure("refresh the token at "+s.Env.String(), err, StageRefresh, Config{Env: s.Env, ClientID: s.oc.ClientID}, "")
		}
		if tok.RefreshToken == "" {
			tok.RefreshToken = old.RefreshToken // Salesforce rotates only when configured to
		}
		return tok, nil
	case s.relogin != nil:
		tok, err := s.relogin(ctx)
		if err != nil {
			return nil, err
		}
		return tok, nil
	default:
		return nil, fmt.Errorf("refresh the %s session: no refresh token: %w", s.Env, ErrNeedsReauth)
	}
}

// Revoke disconnects: it revokes the refresh token (which ends its access
// tokens too) at the session's environment and deletes the saved token. The
// local token is deleted even when Salesforce cannot be reached; that error
// is returned so the user knows the remote revocation may not have happened.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
func (s *Session) Revoke(ctx context.Context) error {
	s.mu.Lock()
	token := s.tok.RefreshToken
	if token == "" {
		token = s.tok.AccessToken
	}
	s.needsReauth = true
	s.mu.Unlock()
	delErr := s.store.Delete(s.Key())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Env.revokeURL(), strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("revoke %s: %w", s.Env, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.hc.Do(req)
	if err != nil {
		return errors.Join(fmt.Errorf("revoke the token at %s: %s", s.Env, crm.RedactSecrets(unwrapURLError(err).Error())), delErr)
	}
	defer resp.Body.Close()
	// 400 invalid_token means it was already revoked: the goal is reached.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
		return errors.Join(fmt.Errorf("revoke the token at %s: HTTP %d", s.Env, resp.StatusCode), delErr)
	}
	return delErr
}

// oauthFailure turns an x/oauth2 error of the token endpoint into an
// explained *OAuthError (a refused refresh matches ErrNeedsReauth); other
// failures keep their chain with the text redacted.
func oauthFailure(op string, err error, stage Stage, cfg Config, redirect string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "" {
			return fmt.Errorf("%s: HTTP %d from the token endpoint", op, re.Response.StatusCode)
		}
		return Explain(&OAuthError{Code: re.ErrorCode, Description: crm.RedactSecrets(re.ErrorDescription), Stage: stage,
			ClientID: cfg.ClientID, CallbackURL: redirect, LoginURL: cfg.Env.URL})
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &redactedError{op: op, err: err}
}

// redactedError keeps the error chain but redacts its text.
type redactedError struct {
	op  string
	err error
}

func (e *redactedError) Error() string {
	return e.op + ": " + crm.RedactSecrets(unwrapURLError(e.err).Error())
}
func (e *redactedError) Unwrap() error { return e.err }

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactQuery(ue.URL), ue.Err)
	}
	return err
}

func redactQuery(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return raw[:i] + "?REDACTED"
	}
	return raw
}

// loginTimeout is the default time a user has to finish the browser login.
const loginTimeout = 5 * time.Minute
