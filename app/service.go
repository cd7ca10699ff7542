package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/auth"
	"crmsheets/sheets/store"
)

// TokensEnv names the environment variable that, set to "file", keeps
// OAuth tokens in files in the home directory instead of the OS keychain
// (Options.TokensInFile).
const TokensEnv = "CRMSHEETS_TOKENS"

// StoreFileName is the name of the app's database inside the home
// directory (the store's own default, defined there once).
const StoreFileName = store.FileName

// Options configure a Service. The zero value is the real app: the default
// home directory, the system clock, a discarding logger.
type Options struct {
	// Home is the directory holding the store, the demo org's data and the
	// token fallback file; "" means store.DefaultDir() ($CRMSHEETS_HOME or
	// the user config dir).
	Home string
	// Logger receives operational logs (never tokens). nil discards.
	Logger *slog.Logger
	// Now is the clock used for edit times, run times and the scheduler;
	// nil means time.Now.
	Now func() time.Time
	// HTTPClient is the base client whose Transport carries Salesforce
	// traffic (the OAuth token is layered on top); nil uses a default with
	// timeouts. Tests pass one to reach an httptest server.
	HTTPClient *http.Client
	// OpenTimeout bounds the wait for the store's file lock; another
	// process holding it makes Open fail with ErrStoreLocked. 0 = 1s.
	OpenTimeout time.Duration
	// DemoOrg is the demo org the Service starts on the first connectDemo
	// and whose demo login it uses; main.go passes internal/demoorg's. nil
	// means no demo org: connectDemo fails with ErrNoDemoOrg.
	DemoOrg DemoOrg
	// DemoOrgURL, when set, is the base URL of an already running demo org
	// (a standalone emulator or a test server) used instead of starting
	// DemoOrg; DemoOrg still supplies the login.
	DemoOrgURL string
	// DemoSeedAccounts is the size of the embedded demo org seeded on first
	// start; 0 means DefaultDemoSeedAccounts.
	DemoSeedAccounts int
	// DemoOrgSalesforceID is the embedded demo org's Salesforce org id
	// (00D…); "" keeps the demo org's own. Another id makes the same data
	// another org, as a sandbox is a copy of production under its own id.
	DemoOrgSalesforceID string
	// BulkThreshold is the number of records a push sends above which it
	// uses Bulk API 2.0 instead of sObject Collections; 0 means
	// crm.DefaultBulkThreshold (the one threshold of the app, measured in
	// docs/BENCHMARKS.md), negative disables Bulk.
	BulkThreshold int
	// MaxChangeShare is the safety rail: a run that would overwrite more
	// than this share of a sheet's records (and more than 10 records)
	// aborts with *TooManyChangesError unless forced. 0 means 0.5; a value
	// >= 1 disables the rail.
	MaxChangeShare float64
	// PushBatchSize is how many rows a push handles per round (one re-read,
	// one write call, one store transaction); 0 means 200, the sObject
	// Collections limit, which is also the maximum. Smaller rounds commit
	// more often (tests use them to multiply crash points).
	PushBatchSize int
	// Retry overrides how Salesforce requests are retried (tests shorten
	// the backoff); nil keeps the client's default of eight attempts
	// within two minutes.
	Retry *RetryPolicy
	// Keyring selects where OAuth tokens are kept; nil means the OS
	// keychain with a 0600 file in Home as a visible fallback, or with
	// TokensInFile the file alone.
	Keyring TokenVault
	// TokensInFile keeps OAuth tokens in 0600 files in Home and never
	// touches the OS keychain: for servers and CI runners without one, and
	// for tests, which must leave the user's keychain alone. The CLI sets
	// it when $CRMSHEETS_TOKENS is "file" (TokensEnv).
	TokensInFile bool
	// ScheduleUnit is the length of one unit of SyncSettings.EveryHours;
	// 0 means an hour. Tests shorten it (seconds) to watch scheduled runs
	// fire while the app is open; people never set it.
	ScheduleUnit time.Duration
	// SchedulerTick is how often the scheduler looks for due sheets; 0
	// means SchedulerTick (a minute). Tests shorten it with ScheduleUnit.
	SchedulerTick time.Duration
}

// Service is the engine façade. It is safe for concurrent use by the UI
// goroutine, background syncs and the scheduler. One Service owns one store
// file: open it once per process and Close it on exit.
type Service struct {
	opt   Options
	home  string
	log   *slog.Logger
	now   func() time.Time
	store storeDoor

	demoMu sync.Mutex // serializes starting the embedded demo org

	mu   sync.Mutex // guards conn, demo, lastErr, running, tokens
	conn *connection
	demo *runningDemo
	// lastErr is the last connection-level failure, for Status.
	lastErr error
	// running holds the sheets with a run in progress (single-run lock);
	// runs counts them for Close, and closing refuses new ones.
	running map[string]bool
	runs    sync.WaitGroup
	closing bool
	// tokens is the OAuth token store, made on first use.
	tokens auth.TokenStore

	schedMu   sync.Mutex
	schedStop context.CancelFunc
	schedDone chan struct{}
	// schedRetry is when a sheet whose scheduled run failed may be
	// retried (guarded by mu).
	schedRetry map[string]time.Time
}

// Open opens (creating if needed) the store in the home directory, marks
// runs left "running" by a crashed process as interrupted, and returns the
// Service. It does not connect to Salesforce: call ConnectActive (or
// connectDemo) when the UI or command needs the org.
func Open(ctx context.Context, opt Options) (*Service, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	home := opt.Home
	if home == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("find the CRM Sheets home directory: %w", err)
		}
		home = d
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create home directory %s: %w", home, err)
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.OpenTimeout <= 0 {
		opt.OpenTimeout = time.Second
	}
	if opt.DemoSeedAccounts == 0 {
		opt.DemoSeedAccounts = DefaultDemoSeedAccounts
	}
	if opt.BulkThreshold == 0 {
		opt.BulkThreshold = crm.DefaultBulkThreshold
	}
	if opt.PushBatchSize <= 0 || opt.PushBatchSize > pushChunkRows {
		opt.PushBatchSize = pushChunkRows
	}
	if opt.MaxChangeShare <= 0 {
		opt.MaxChangeShare = 0.5
	}
	st, err := store.Open(filepath.Join(home, StoreFileName), store.Options{Timeout: opt.OpenTimeout})
	if err != nil {
		return nil, fmt.Errorf("open the CRM Sheets store in %s: %w", home, fromStore(err))
	}
	s := &Service{
		opt:     opt,
		home:    home,
		log:     opt.Logger,
		now:     opt.Now,
		store:   storeDoor{st},
		running: map[string]bool{},
	}
	if _, err := st.MarkInterrupted(s.now()); err != nil {
		st.Close()
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	if err := s.ensureDefaultOrg(); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// Home is the directory the Service keeps its files in.
func (s *Service) Home() string { return s.home }

// Close stops the scheduler, waits for the runs in progress to finish (at
// most CloseWait: cancel their context first for a quick exit), stops the
// embedded demo org and closes the store. A run still going after
// CloseWait loses its store under it and shows as interrupted at the next
// start; no new run starts once Close has begun (ErrClosing).
func (s *Service) Close() error {
	s.StopScheduler()
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(CloseWait):
		s.log.Warn("closing with runs still in progress; they will show as interrupted", "waited", CloseWait)
	}
	s.mu.Lock()
	demo := s.demo
	s.demo = nil
	s.conn = nil
	s.mu.Unlock()
	var errs []error
	if demo != nil {
		if err := demo.stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop the demo org: %w", err))
		}
	}
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close the store: %w", err))
	}
	return errors.Join(errs...)
}

// CloseWait bounds how long Close waits for runs in progress.
const CloseWait = 10 * time.Second

// lockSheet takes the single-run lock of a sheet; the returned func
// releases it.
func (s *Service) lockSheet(sheetID string) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, fmt.Errorf("sheet %s: %w", sheetID, ErrClosing)
	}
	if s.running[sheetID] {
		return nil, fmt.Errorf("sheet %s: %w", sheetID, ErrSyncRunning)
	}
	s.running[sheetID] = true
	s.runs.Add(1)
	return func() {
		s.mu.Lock()
		delete(s.running, sheetID)
		s.mu.Unlock()
		s.runs.Done()
	}, nil
}
