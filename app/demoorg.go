package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// DemoOrgFileName is the demo org's own database inside the home directory.
const DemoOrgFileName = "demo-org.db"

// DefaultDemoSeedAccounts is the size of a new demo org: the accounts
// generated (with their contacts, opportunities and so on) on its first
// start, by the app and by `crmsheets emulator` alike.
const DefaultDemoSeedAccounts = 500

// DemoOrg is the Salesforce-compatible demo org as app and the CLI need it.
// main.go builds it (internal/demoorg, over crm/emulator) and passes it in
// Options, so app never imports the emulator: the engine talks to the demo
// org over HTTP like to any org, and a build or a test chooses what serves
// it.
type DemoOrg interface {
	// Start serves the demo org on a free loopback port until stop is
	// called and returns its base URL. The Service starts it on the first
	// connectDemo.
	Start(cfg DemoOrgConfig) (url string, stop func() error, err error)
	// Serve runs the demo org standalone on the loopback address addr
	// until ctx ends, printing its URL and login to out (`crmsheets
	// emulator`).
	Serve(ctx context.Context, addr string, cfg DemoOrgConfig, out io.Writer) error
	// Login is the demo user's password login.
	Login() DemoLogin
}

// DemoOrgConfig is how a demo org is started: its data, its size, its id
// and, for testing, the faults it injects.
type DemoOrgConfig struct {
	// DataFile is the bbolt file the org persists to; "" keeps it in memory.
	DataFile string
	// SeedAccounts is the number of accounts generated (with their
	// contacts, opportunities and so on) when the data file is empty.
	SeedAccounts int
	// Seed seeds the deterministic data generator.
	Seed int64
	// OrgID is the org's Salesforce id (00D…); "" keeps the demo org's own.
	OrgID string
	// DailyAPILimit is the daily API request limit; 0 is the demo org's.
	DailyAPILimit int
	// TokenTTL is the access token lifetime; 0 is the demo org's (2 h).
	TokenTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Faults make the org misbehave like a busy real one.
	Faults DemoOrgFaults
	// Apps are connected apps the org knows besides its own and the
	// Salesforce CLI's, in the form of `crmsheets emulator --app`:
	// KEY=CALLBACK_URL[,CALLBACK_URL…][,pkce][,scopes=a+b][,blocked][,admin-approved].
	Apps []string
}

// DemoOrgFaults are injected failures, for testing clients against a
// misbehaving org.
type DemoOrgFaults struct {
	Latency          time.Duration // added to every request
	Rate503          float64       // share of requests answered 503
	LockRate         float64       // share of records failing with UNABLE_TO_LOCK_ROW
	ExpireTokenEvery int           // expire the access token every N calls
	DropRate         float64       // share of responses whose connection is dropped
	Seed             int64         // seed of the fault sequence
}

// DemoLogin is the demo user's password login: the connected app's
// consumer key, the username and the password.
type DemoLogin struct {
	ClientID, Username, Password string
}

// runningDemo is the embedded demo org while the Service lives.
type runningDemo struct {
	url  string
	stop func() error
}

// demoURL returns the demo org's base URL, starting the embedded demo org
// the first time (or using Options.DemoOrgURL).
func (s *Service) demoURL() (string, error) {
	if s.opt.DemoOrgURL != "" {
		return s.opt.DemoOrgURL, nil
	}
	if s.opt.DemoOrg == nil {
		return "", ErrNoDemoOrg
	}
	// Starting (and seeding) the demo org takes a while: it has its own
	// lock so Status and the other short calls never wait for it.
	s.demoMu.Lock()
	defer s.demoMu.Unlock()
	s.mu.Lock()
	d := s.demo
	s.mu.Unlock()
	if d != nil {
		return d.url, nil
	}
	dataFile := filepath.Join(s.home, DemoOrgFileName)
	url, stop, err := s.opt.DemoOrg.Start(DemoOrgConfig{DataFile: dataFile, SeedAccounts: s.opt.DemoSeedAccounts, OrgID: s.opt.DemoOrgSalesforceID, Now: s.now})
	if err != nil {
		return "", fmt.Errorf("start the demo org (%s): %w", dataFile, err)
	}
	s.mu.Lock()
	s.demo = &runningDemo{url: url, stop: stop}
	s.mu.Unlock()
	s.log.Info("demo org started", "url", url)
	return url, nil
}

// demoLogin is the demo user's login, from the injected demo org.
func (s *Service) demoLogin() (DemoLogin, error) {
	if s.opt.DemoOrg == nil {
		return DemoLogin{}, ErrNoDemoOrg
	}
	return s.opt.DemoOrg.Login(), nil
}
