package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"crmsheets/crm/auth"
)

// Env is the kind of Salesforce environment an org lives in.
type Env string

// Environments. EnvMyDomain takes any https URL (or a loopback http URL for
// a standalone emulator); EnvDemo is the embedded demo org.
const (
	EnvProduction Env = "production"
	EnvSandbox    Env = "sandbox"
	EnvMyDomain   Env = "mydomain"
	EnvDemo       Env = "demo"
)

// DemoOrgID is the id of the always-present demo org entry.
const DemoOrgID = "demo"

// settingOrgs is the settings key holding the saved orgs.
const settingOrgs = "orgs"

// Org is a saved connection target. Several can be saved; one is active.
type Org struct {
	ID   string `json:"id"`   // local id, stable; DemoOrgID for the demo org
	Name string `json:"name"` // label chosen by the user
	Env  Env    `json:"env"`
	URL  string `json:"url,omitempty"` // My Domain (or emulator) base URL; "" for production/sandbox defaults
	// ClientID is the consumer key of the org's External Client App (or
	// connected app). "" is allowed only for a local demo org on loopback,
	// which CRM Sheets' own demo app (emulator.DemoClientID) serves.
	ClientID string `json:"clientId,omitempty"`
	// CallbackPort is the port of the callback URL registered in the app
	// (http://localhost:PORT/OauthRedirect); 0 means
	// auth.DefaultCallbackPort.
	CallbackPort int `json:"callbackPort,omitempty"`
	// Declared is what the person said a My Domain org is when logging
	// in (`login --env production --url …`: EnvProduction or EnvSandbox;
	// "" when not said). It outranks the URL's look in Production: a My
	// Domain URL does not always tell a sandbox from production, and a
	// production org reached through a local address (a proxy, a
	// rehearsal against a standalone demo org) is still treated as one.
	Declared Env `json:"declared,omitempty"`
	// Filled in by a successful connection, shown in the switcher.
	Username    string `json:"username,omitempty"`
	OrgID       string `json:"orgId,omitempty"` // Salesforce's 00D… id
	InstanceURL string `json:"instanceUrl,omitempty"`
	// NeedsLogin is set when Salesforce refused the saved session (a
	// revoked or expired refresh token, an inactive user…) and cleared by the next successful
	// connection; it is kept so that `crmsheets orgs` and the switcher say
	// so in a later process, for example after a failed scheduled run.
	NeedsLogin bool `json:"needsLogin,omitempty"`
	// LoginProblem is why Salesforce refused the saved session, in words
	// (an explained error pointing at the admin guide); "" when unknown.
	LoginProblem string `json:"loginProblem,omitempty"`
}

// Production reports whether changes in this org touch live data: the UI
// marks such orgs clearly and asks for typed confirmation of big runs.
func (o Org) Production() bool {
	if o.Env == EnvMyDomain && o.Declared != "" {
		return o.Declared == EnvProduction
	}
	return o.Env == EnvProduction || (o.Env == EnvMyDomain && !strings.Contains(o.URL, ".sandbox.") && !isLoopbackURL(o.URL))
}

type orgsState struct {
	Active string `json:"active"`
	Orgs   []Org  `json:"orgs"`
}

func (s *Service) loadOrgs() (orgsState, error) {
	var st orgsState
	if _, err := s.store.GetSetting(settingOrgs, &st); err != nil {
		return st, fmt.Errorf("read saved orgs: %w", err)
	}
	return st, nil
}

func (s *Service) saveOrgs(st orgsState) error {
	if err := s.store.PutSetting(settingOrgs, st); err != nil {
		return fmt.Errorf("save orgs: %w", err)
	}
	return nil
}

// ensureDefaultOrg makes sure the demo org exists and something is active:
// a new user starts on the demo org.
func (s *Service) ensureDefaultOrg() error {
	st, err := s.loadOrgs()
	if err != nil {
		return err
	}
	changed := false
	if !slices.ContainsFunc(st.Orgs, func(o Org) bool { return o.ID == DemoOrgID }) {
		st.Orgs = append([]Org{{ID: DemoOrgID, Name: "Demo org", Env: EnvDemo}}, st.Orgs...)
		changed = true
	}
	if st.Active == "" || !slices.ContainsFunc(st.Orgs, func(o Org) bool { return o.ID == st.Active }) {
		st.Active = DemoOrgID
		changed = true
	}
	if changed {
		return s.saveOrgs(st)
	}
	return nil
}

// Orgs lists the saved orgs, the demo org first.
func (s *Service) Orgs() ([]Org, error) {
	st, err := s.loadOrgs()
	return st.Orgs, err
}

// ActiveOrg returns the org the Service connects to.
func (s *Service) ActiveOrg() (Org, error) {
	st, err := s.loadOrgs()
	if err != nil {
		return Org{}, err
	}
	for _, o := range st.Orgs {
		if o.ID == st.Active {
			return o, nil
		}
	}
	return Org{}, fmt.Errorf("active org %q: %w", st.Active, ErrUnknownOrg)
}

// addOrg saves a new org and returns it with its id. The URL is required
// for My Domain orgs and must be https (or loopback http). Only a
// successful Login saves an org, so that the list means what it says.
func (s *Service) addOrg(o Org) (Org, error) {
	if err := validateOrg(&o); err != nil {
		return Org{}, err
	}
	if o.Env == EnvDemo {
		return Org{}, fmt.Errorf("add org: the demo org is always present")
	}
	b := make([]byte, 6)
	rand.Read(b)
	o.ID = "org-" + hex.EncodeToString(b)
	o.Username, o.OrgID, o.InstanceURL, o.NeedsLogin, o.LoginProblem = "", "", "", false, ""
	st, err := s.loadOrgs()
	if err != nil {
		return Org{}, err
	}
	st.Orgs = append(st.Orgs, o)
	return o, s.saveOrgs(st)
}

// updateOrg changes a saved org's name, URL, consumer key or callback
// port (Login calls it once the new settings worked). Changing the
// environment or URL disconnects it when it is active.
func (s *Service) updateOrg(o Org) error {
	if err := validateOrg(&o); err != nil {
		return err
	}
	st, err := s.loadOrgs()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(st.Orgs, func(x Org) bool { return x.ID == o.ID })
	if i < 0 {
		return fmt.Errorf("update org %q: %w", o.ID, ErrUnknownOrg)
	}
	old := st.Orgs[i]
	if old.Env == EnvDemo {
		o.Env, o.URL = EnvDemo, ""
	}
	o.NeedsLogin, o.LoginProblem = old.NeedsLogin, old.LoginProblem
	if old.Env != o.Env || old.URL != o.URL || old.ClientID != o.ClientID || old.CallbackPort != o.CallbackPort {
		o.Username, o.OrgID, o.InstanceURL = "", "", ""
		s.dropConnection(o.ID)
	} else {
		o.Username, o.OrgID, o.InstanceURL = old.Username, old.OrgID, old.InstanceURL
	}
	st.Orgs[i] = o
	return s.saveOrgs(st)
}

// RemoveOrg forgets a saved org and its stored token. The demo org cannot
// be removed; removing the active org makes the demo org active.
func (s *Service) RemoveOrg(id string) error {
	if id == DemoOrgID {
		return fmt.Errorf("remove org: the demo org cannot be removed")
	}
	st, err := s.loadOrgs()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(st.Orgs, func(x Org) bool { return x.ID == id })
	if i < 0 {
		return fmt.Errorf("remove org %q: %w", id, ErrUnknownOrg)
	}
	st.Orgs = slices.Delete(st.Orgs, i, i+1)
	if st.Active == id {
		st.Active = DemoOrgID
	}
	s.dropConnection(id)
	if err := s.forgetToken(id); err != nil {
		// The org is removed all the same; a token left in the keychain
		// is unused and logged so it can be removed by hand.
		s.log.Warn("remove org: forget its token", "org", id, "err", err)
	}
	return s.saveOrgs(st)
}

// SavedOrgFor returns the saved org that a login to env at url (the My
// Domain URL; "" for production and sandbox) is for, so that logging in
// again reuses it, with its consumer key and callback port, instead of
// saving a second copy. ok is false when none is saved.
func (s *Service) SavedOrgFor(env Env, url string) (o Org, ok bool, err error) {
	orgs, err := s.Orgs()
	if err != nil {
		return Org{}, false, err
	}
	url = strings.TrimRight(strings.TrimSpace(url), "/")
	for _, o := range orgs {
		if o.Env == env && strings.TrimRight(o.URL, "/") == url {
			return o, true, nil
		}
	}
	return Org{}, false, nil
}

// SwitchOrg makes another saved org active. The current connection is
// dropped (its token stays saved); call ConnectActive to connect.
func (s *Service) SwitchOrg(id string) error {
	st, err := s.loadOrgs()
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(st.Orgs, func(o Org) bool { return o.ID == id }) {
		return fmt.Errorf("switch to org %q: %w", id, ErrUnknownOrg)
	}
	if st.Active == id {
		return nil
	}
	st.Active = id
	s.mu.Lock()
	s.conn = nil
	s.lastErr = nil
	s.mu.Unlock()
	return s.saveOrgs(st)
}

// org returns a saved org by id.
func (s *Service) org(id string) (Org, error) {
	st, err := s.loadOrgs()
	if err != nil {
		return Org{}, err
	}
	for _, o := range st.Orgs {
		if o.ID == id {
			return o, nil
		}
	}
	return Org{}, fmt.Errorf("org %q: %w", id, ErrUnknownOrg)
}

// rememberIdentity stores what a connection learned about an org; the org
// no longer needs reauthorization.
func (s *Service) rememberIdentity(id, username, orgID, instanceURL string) error {
	st, err := s.loadOrgs()
	if err != nil {
		return err
	}
	for i := range st.Orgs {
		if st.Orgs[i].ID == id {
			st.Orgs[i].Username, st.Orgs[i].OrgID, st.Orgs[i].InstanceURL = username, orgID, instanceURL
			st.Orgs[i].NeedsLogin, st.Orgs[i].LoginProblem = false, ""
		}
	}
	return s.saveOrgs(st)
}

// clearNeedsLogin forgets that Salesforce refused an org's saved session,
// once that session is gone (logged out).
func (s *Service) clearNeedsLogin(id string) {
	st, err := s.loadOrgs()
	if err != nil {
		s.log.Warn("could not clear the org's needs-login mark", "org", id, "err", err)
		return
	}
	for i := range st.Orgs {
		if st.Orgs[i].ID == id && st.Orgs[i].NeedsLogin {
			st.Orgs[i].NeedsLogin, st.Orgs[i].LoginProblem = false, ""
			if err := s.saveOrgs(st); err != nil {
				s.log.Warn("could not clear the org's needs-login mark", "org", id, "err", err)
			}
			return
		}
	}
}

// LoginState is how an org's saved login stands, as the org switcher and
// `crmsheets orgs` show it, without calling Salesforce.
type LoginState string

// Login states.
const (
	// LoginBuiltIn: the demo org, which logs itself in.
	LoginBuiltIn LoginState = "built in"
	// LoginSignedIn: tokens are saved.
	LoginSignedIn LoginState = "signed in"
	// LoginNeedsReauth: Salesforce refused the saved login;
	// Org.LoginProblem says why.
	LoginNeedsReauth LoginState = "needs reauthorization"
	// LoginLoggedOut: nothing saved: never logged in, or logged out.
	LoginLoggedOut LoginState = "logged out"
)

// OrgLoginState tells whether an org can connect without a browser.
func (s *Service) OrgLoginState(o Org) LoginState {
	switch {
	case o.Env == EnvDemo:
		return LoginBuiltIn
	case o.NeedsLogin:
		return LoginNeedsReauth
	}
	var info auth.SessionInfo
	if ok, err := s.store.GetSetting(sessionKey(o.ID), &info); err != nil || !ok {
		return LoginLoggedOut
	}
	return LoginSignedIn
}

func validateOrg(o *Org) error {
	o.Name = strings.TrimSpace(o.Name)
	o.URL = strings.TrimRight(strings.TrimSpace(o.URL), "/")
	switch o.Env {
	case EnvProduction, EnvSandbox, EnvDemo:
	case EnvMyDomain:
		u, err := url.Parse(o.URL)
		if err != nil || u.Host == "" {
			return fmt.Errorf("org %q: %q is not a valid URL", o.Name, o.URL)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackURL(o.URL)) {
			return fmt.Errorf("org %q: the URL must start with https:// (plain http only for a local emulator on 127.0.0.1)", o.Name)
		}
	default:
		return fmt.Errorf("org %q: unknown environment %q", o.Name, o.Env)
	}
	switch o.Declared {
	case "":
	case EnvProduction, EnvSandbox:
		if o.Env != EnvMyDomain {
			o.Declared = "" // production and sandbox say it themselves
		}
	default:
		return fmt.Errorf("org %q: an org is declared production or sandbox, not %q", o.Name, o.Declared)
	}
	if o.CallbackPort < 0 || o.CallbackPort > 65535 {
		return fmt.Errorf("org %q: callback port %d is not a port number (1-65535)", o.Name, o.CallbackPort)
	}
	if o.Name == "" {
		o.Name = string(o.Env)
		if o.URL != "" {
			o.Name = o.URL
		}
	}
	return nil
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "127.0.0.1" || h == "localhost" || h == "::1"
}

// markNeedsLogin records that Salesforce refused an org's saved session,
// and why, so that the org shows "needs reauthorization" in every later
// process too.
func (s *Service) markNeedsLogin(id, why string) {
	st, err := s.loadOrgs()
	if err != nil {
		s.log.Warn("could not note that the org needs a new login", "org", id, "err", err)
		return
	}
	for i := range st.Orgs {
		if st.Orgs[i].ID == id && st.Orgs[i].Env != EnvDemo {
			st.Orgs[i].NeedsLogin, st.Orgs[i].LoginProblem = true, why
			if err := s.saveOrgs(st); err != nil {
				s.log.Warn("could not note that the org needs a new login", "org", id, "err", err)
			}
			return
		}
	}
}
