package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/auth"

	"golang.org/x/oauth2"
)

// ConnState is what the connection badge shows.
type ConnState string

// Connection states.
const (
	StateConnected    ConnState = "connected"
	StateNeedsReauth  ConnState = "needs-reauth"
	StateOffline      ConnState = "offline"
	StateDisconnected ConnState = "disconnected"
)

// ConnStatus is the connection as the UI badge and `crmsheets orgs` show it.
type ConnStatus struct {
	State           ConnState `json:"state"`
	OrgID           string    `json:"orgId"` // local id of the active org
	OrgName         string    `json:"orgName"`
	Env             Env       `json:"env"`
	Username        string    `json:"username"`
	SalesforceOrgID string    `json:"salesforceOrgId"`
	InstanceURL     string    `json:"instanceUrl"`
	APIUsed         int       `json:"apiUsed"` // daily API calls used, from the last response (0/0 when unknown)
	APILimit        int       `json:"apiLimit"`
	Production      bool      `json:"production"` // the UI marks production orgs clearly
	Problem         string    `json:"problem"`    // the last connection error in words, "" when fine
	// KeychainWarning says that OAuth tokens are kept in a file because
	// the system keychain could not be used ("" when it can); the log
	// says it once, the org list every time.
	KeychainWarning string `json:"keychainWarning,omitempty"`
}

// connection is a live session to one org.
type connection struct {
	orgID   string
	session *auth.Session
	client  *crm.Client
}

// ConnectActive connects the active org without user interaction: the demo
// org by password login, a saved org from its stored token. It returns
// ErrNeedsReauth when a saved org has no usable token (the UI then offers
// Connect).
func (s *Service) ConnectActive(ctx context.Context) error {
	o, err := s.ActiveOrg()
	if err != nil {
		return err
	}
	if o.Env == EnvDemo {
		return s.connectDemo(ctx)
	}
	return s.resume(ctx, o)
}

// connectDemo starts the embedded demo org if needed (or uses
// Options.DemoOrgURL), logs in as the demo user and makes the demo org the
// active org.
func (s *Service) connectDemo(ctx context.Context) error {
	baseURL, err := s.demoURL()
	if err != nil {
		return err
	}
	env, err := auth.DemoEnv(baseURL)
	if err != nil {
		return fmt.Errorf("demo org at %s: %w", baseURL, err)
	}
	login, err := s.demoLogin()
	if err != nil {
		return err
	}
	cfg := auth.Config{Env: env, ClientID: login.ClientID, Logger: s.log, HTTPClient: s.opt.HTTPClient}
	ctx = s.httpContext(ctx)
	sess, err := auth.PasswordLogin(ctx, cfg, login.Username, login.Password)
	if err != nil {
		s.setConnErr(err)
		return fmt.Errorf("log in to the demo org at %s: %w", baseURL, err)
	}
	if err := s.SwitchOrg(DemoOrgID); err != nil {
		return err
	}
	return s.attach(ctx, DemoOrgID, sess)
}

// Login logs in to an org with the OAuth authorization code flow (PKCE,
// the callback on localhost at the org's callback port) and makes it the
// active org. o is a saved org, possibly with a new consumer key or
// callback port, or a new org (empty ID). openBrowser is called with the
// authorize URL (the UI passes fyne.App.OpenURL, the CLI prints it and may
// open the browser). It blocks until the callback arrives, ctx ends or the
// login times out. Only a successful login saves anything: the org (new,
// or with its new settings), its session and its token. A failed or
// cancelled login leaves the saved orgs as they were and returns an error
// that is one sentence with the fix (auth.Problem) when Salesforce refused.
func (s *Service) Login(ctx context.Context, o Org, openBrowser func(url string) error) (Org, error) {
	if o.Env == EnvDemo {
		demo, err := s.org(DemoOrgID)
		if err != nil {
			return Org{}, err
		}
		return demo, s.connectDemo(ctx)
	}
	if err := validateOrg(&o); err != nil {
		return Org{}, err
	}
	cfg, err := s.authConfig(o)
	if err != nil {
		return Org{}, err
	}
	cfg.OpenBrowser = openBrowser
	ctx = s.httpContext(ctx)
	sess, err := auth.Login(ctx, cfg)
	if err != nil {
		return Org{}, fmt.Errorf("log in to %s: %w", o.Name, err)
	}
	if o.ID == "" {
		if o, err = s.addOrg(o); err != nil {
			return Org{}, err
		}
	} else if err := s.updateOrg(o); err != nil {
		return Org{}, err
	}
	if err := s.SwitchOrg(o.ID); err != nil {
		return Org{}, err
	}
	if err := s.saveSessionInfo(o.ID, sess.Info()); err != nil {
		return Org{}, err
	}
	if err := s.attach(ctx, o.ID, sess); err != nil {
		return Org{}, err
	}
	return s.org(o.ID)
}

// Disconnect logs the active org out on this machine: it forgets the org's
// saved session and token in every case, also when this process never
// connected (as `crmsheets logout` in a fresh process), and revokes the
// token in Salesforce when it can, resuming the saved session to do so.
// The Service is left disconnected. An error wrapping ErrNotRevoked means
// the local logout happened but Salesforce could not be told; other errors
// mean something could not be forgotten locally.
func (s *Service) Disconnect(ctx context.Context) error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.lastErr = nil
	s.mu.Unlock()
	var orgIDs []string
	var sess *auth.Session
	var resumeErr error
	if c != nil {
		orgIDs, sess = append(orgIDs, c.orgID), c.session
	}
	o, err := s.ActiveOrg()
	if err != nil {
		return err
	}
	if c == nil || c.orgID != o.ID {
		orgIDs = append(orgIDs, o.ID)
	}
	if sess == nil {
		sess, resumeErr = s.savedSession(o)
	}
	var errs []error
	for _, id := range orgIDs {
		if err := s.forgetToken(id); err != nil {
			errs = append(errs, err)
		} else {
			s.clearNeedsLogin(id) // nothing saved any more: logged out, not refused
		}
	}
	switch {
	case resumeErr != nil:
		errs = append(errs, fmt.Errorf("%w: %w", ErrNotRevoked, resumeErr))
	case sess != nil:
		if err := sess.Revoke(s.httpContext(ctx)); err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", ErrNotRevoked, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("log out of %s: %w", o.Name, errors.Join(errs...))
	}
	return nil
}

// Status reports the connection for the badge. It makes no API call: usage
// figures come from the last response's Sforce-Limit-Info header.
func (s *Service) Status() ConnStatus {
	o, _ := s.ActiveOrg()
	st := ConnStatus{State: StateDisconnected, OrgID: o.ID, OrgName: o.Name, Env: o.Env,
		Username: o.Username, SalesforceOrgID: o.OrgID, InstanceURL: o.InstanceURL, Production: o.Production(),
		KeychainWarning: s.keychainWarning()}
	s.mu.Lock()
	c, lastErr := s.conn, s.lastErr
	s.mu.Unlock()
	if c != nil && c.orgID == o.ID {
		st.State = StateConnected
		u := c.client.Usage()
		st.APIUsed, st.APILimit = u.Used, u.Max
	}
	if lastErr == nil && o.NeedsLogin && st.State != StateConnected {
		st.State, st.Problem = StateNeedsReauth, o.LoginProblem
	}
	if lastErr != nil {
		st.Problem = lastErr.Error()
		switch {
		case errors.Is(lastErr, auth.ErrNeedsReauth), errors.Is(lastErr, crm.ErrInvalidSession), errors.Is(lastErr, ErrNeedsReauth):
			st.State = StateNeedsReauth
		case crm.IsRetryable(lastErr):
			st.State = StateOffline
		}
	}
	return st
}

// RefreshUsage asks Salesforce for the current API usage (one call) so the
// badge is exact even before any other call.
func (s *Service) RefreshUsage(ctx context.Context) (ConnStatus, error) {
	c, err := s.client()
	if err != nil {
		return s.Status(), err
	}
	if _, err := c.Limits(ctx); err != nil {
		s.noteCallErr(err)
		return s.Status(), fmt.Errorf("read API limits: %w", err)
	}
	s.noteCallOK()
	return s.Status(), nil
}

// client returns the connected org's client or ErrNotConnected.
func (s *Service) client() (*crm.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		if s.lastErr != nil && (errors.Is(s.lastErr, auth.ErrNeedsReauth) || errors.Is(s.lastErr, crm.ErrInvalidSession)) {
			return nil, fmt.Errorf("%w: %w", ErrNeedsReauth, s.lastErr)
		}
		return nil, ErrNotConnected
	}
	return s.conn.client, nil
}

// attach builds the client for a fresh session and makes it current.
func (s *Service) attach(ctx context.Context, orgID string, sess *auth.Session) error {
	hc := sess.HTTPClient(ctx)
	opts := []crm.Option{crm.WithHTTPClient(hc), crm.WithLogger(s.log), crm.WithBulkThreshold(s.bulkThreshold()), crm.WithWorkDir(s.home)}
	if s.opt.Retry != nil {
		opts = append(opts, crm.WithRetry(s.opt.Retry.crm()))
	}
	cl, err := crm.NewClient(sess.InstanceURL, opts...)
	if err != nil {
		return fmt.Errorf("set up the Salesforce client for %s: %w", sess.InstanceURL, err)
	}
	s.mu.Lock()
	s.conn = &connection{orgID: orgID, session: sess, client: cl}
	s.lastErr = nil
	s.mu.Unlock()
	if err := s.rememberIdentity(orgID, sess.Username, sess.OrgID, sess.InstanceURL); err != nil {
		return err
	}
	s.log.Info("connected", "org", orgID, "instance", sess.InstanceURL, "user", sess.Username)
	return nil
}

func (s *Service) bulkThreshold() int {
	if s.opt.BulkThreshold < 0 {
		return int(^uint(0) >> 1)
	}
	return s.opt.BulkThreshold
}

// noteCallErr records connection-level failures (expired sessions,
// unreachable org) for Status.
func (s *Service) noteCallErr(err error) {
	if err == nil {
		return
	}
	if errors.Is(err, auth.ErrNeedsReauth) || crm.IsInvalidSession(err) || crm.IsRetryable(err) {
		s.setConnErr(err)
	}
}

// noteCallOK clears a transient connection problem (offline) after calls
// succeeded again; a needed re-login stays until the user logs in.
func (s *Service) noteCallOK() {
	s.mu.Lock()
	if s.lastErr != nil && crm.IsRetryable(s.lastErr) {
		s.lastErr = nil
	}
	s.mu.Unlock()
}

func (s *Service) setConnErr(err error) {
	reauth := errors.Is(err, auth.ErrNeedsReauth) || errors.Is(err, ErrNeedsReauth) || crm.IsInvalidSession(err)
	s.mu.Lock()
	s.lastErr = err
	orgID := ""
	if s.conn != nil {
		orgID = s.conn.orgID
	}
	if reauth {
		s.conn = nil
	}
	s.mu.Unlock()
	// Salesforce refused the saved login: remember it, and why, across
	// processes. A missing login (never logged in, logged out) is not
	// remembered: there is nothing saved to be refused.
	var p *auth.Problem
	if errors.As(err, &p) && errors.Is(err, auth.ErrNeedsReauth) {
		if orgID == "" {
			o, _ := s.ActiveOrg()
			orgID = o.ID
		}
		s.markNeedsLogin(orgID, p.Error())
	}
}

// dropConnection forgets the live session when it belongs to orgID.
func (s *Service) dropConnection(orgID string) {
	s.mu.Lock()
	if s.conn != nil && s.conn.orgID == orgID {
		s.conn = nil
	}
	s.mu.Unlock()
}

// httpContext carries Options.HTTPClient to oauth2 (which reads it from
// the context under oauth2.HTTPClient).
func (s *Service) httpContext(ctx context.Context) context.Context {
	if s.opt.HTTPClient == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, s.opt.HTTPClient)
}

// DefaultCallbackPort is the callback port of an org saved without one.
const DefaultCallbackPort = auth.DefaultCallbackPort

// CallbackURL is the exact callback URL to register in the org's app for a
// callback port (0: DefaultCallbackPort): http://localhost:PORT/OauthRedirect.
func CallbackURL(port int) string { return auth.CallbackURL(port) }

// authConfig is the login configuration of an org. An org without a
// consumer key gets the demo org's own app when its URL is a local demo
// org on loopback; a real org needs its admin's key (auth.ErrNoClientID).
func (s *Service) authConfig(o Org) (auth.Config, error) {
	var env auth.Environment
	var err error
	switch o.Env {
	case EnvProduction:
		env = auth.ProductionEnv()
	case EnvSandbox:
		env = auth.SandboxEnv()
	case EnvMyDomain:
		env, err = auth.MyDomainEnv(o.URL)
	default:
		err = fmt.Errorf("environment %q", o.Env)
	}
	if err != nil {
		return auth.Config{}, fmt.Errorf("org %q: %w", o.Name, err)
	}
	id := o.ClientID
	if id == "" && isLoopbackURL(o.URL) {
		if demo, err := s.demoLogin(); err == nil {
			id = demo.ClientID // a standalone demo org knows its own app
		}
	}
	return auth.Config{Env: env, ClientID: id, RedirectPort: o.CallbackPort, Timeout: 5 * time.Minute, Logger: s.log,
		Store: s.tokenStore(), HTTPClient: s.opt.HTTPClient}, nil
}
