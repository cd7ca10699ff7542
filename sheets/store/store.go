package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the store's file name inside the directory DefaultDir returns.
const FileName = "crmsheets.db"

// HomeEnv names the environment variable that overrides DefaultDir, for tests
// and for keeping several independent setups on one machine.
const HomeEnv = "CRMSHEETS_HOME"

// DefaultTimeout is how long Open waits for another process to release the
// file when Options.Timeout is zero.
const DefaultTimeout = time.Second

// initialMmapSize is the address space mapped at open (see Open). On
// Windows bbolt grows the file itself to the mapped size, so there the map
// starts small and grows with the data.
func initialMmapSize() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 1 << 30
}

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process before failing with ErrLocked. Zero means DefaultTimeout; it is
	// never infinite, so the app cannot hang on start-up.
	Timeout time.Duration
	// ReadOnly opens the file with a shared lock: several read-only openers
	// may coexist, but not with a writer. Changes fail with ErrReadOnly.
	ReadOnly bool
	// Now is the clock used to stamp sheets and versions; nil means time.Now.
	Now func() time.Time
	// NoSync skips fsync on commit. Only for tests and benchmarks: a crash
	// may then lose or damage recent commits.
	NoSync bool
}

// Store is the app's local database. Open it once per process, share it,
// Close it on exit. All methods are safe for concurrent use.
type Store struct {
	db     *bolt.DB
	path   string
	now    func() time.Time
	parsed parsedSheets
}

// DefaultDir is the directory the app keeps its store in: $CRMSHEETS_HOME
// when set, else "crmsheets" in the user's config directory
// (os.UserConfigDir). It does not create the directory; Open does.
func DefaultDir() (string, error) {
	if home := os.Getenv(HomeEnv); home != "" {
		return home, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config directory (set %s to choose one): %w", HomeEnv, err)
	}
	return filepath.Join(cfg, "crmsheets"), nil
}

// Open opens or creates the store file at path, creating its directory, and
// brings its schema up to date (see migrations) in one transaction. When
// another process holds the file, Open fails within opts.Timeout with an
// error matching ErrLocked that names the path.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create the store directory: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opts.Timeout,
		ReadOnly:     opts.ReadOnly,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType,
		// Reserve address space up front: when the map grows during a write,
		// bbolt copies every node the transaction touched out of the old
		// map, which made a 100k-row insert three times slower; and readers
		// never wait for a remap below this size. Only address space: the
		// file grows as data is written.
		InitialMmapSize: initialMmapSize(),
	})
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now}
	if err := s.migrate(opts.ReadOnly); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if !opts.ReadOnly {
		// key entries a bulk load left pending when it was interrupted
		if err := s.indexPendingAll(); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	return s, nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close releases the file. Iterators still running fail with ErrClosed.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, translate(err))
	}
	return nil
}

// view runs fn in a read transaction. Values read must be copied before fn
// returns: bbolt's bytes are only valid inside the transaction.
func (s *Store) view(fn func(tx *Tx) error) error {
	return translate(s.db.View(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, now: s.now, parsed: &s.parsed})
	}))
}

// update runs fn in a write transaction, committed when fn returns nil.
// When the transaction does not commit, row ids it assigned are reset to 0,
// so the caller's rows never carry ids the store does not hold.
func (s *Store) update(fn func(tx *Tx) error) error {
	var tx *Tx
	err := s.db.Update(func(btx *bolt.Tx) error {
		tx = &Tx{tx: btx, now: s.now, parsed: &s.parsed}
		return fn(tx)
	})
	if err != nil && tx != nil {
		for _, r := range tx.assigned {
			r.ID = 0
		}
	}
	return translate(err)
}

// Batch runs fn in one write transaction: every change fn makes through tx is
// committed together when fn returns nil, or none is. The sync engine uses it
// to write a batch's row changes and the run's outcomes atomically. fn must
// not call the Store's own methods (that would deadlock on bbolt's writer
// lock) and must not keep tx after returning. When the batch fails, row ids
// it assigned are reset to 0.
func (s *Store) Batch(fn func(tx *Tx) error) error {
	return s.update(fn)
}

// Check verifies the integrity of the whole file (bbolt's page checks) and
// the store's own invariants: every row reachable by id, indexes and counts
// matching the rows. It reads everything, so it is for tests and repair
// tools, not for every start-up.
func (s *Store) Check() error {
	return s.view(func(tx *Tx) error {
		for err := range tx.tx.Check() {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return tx.checkSheets()
	})
}
