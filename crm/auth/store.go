package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

// ErrNoToken is returned by TokenStore.Load when nothing is stored under the
// key.
var ErrNoToken = errors.New("no saved token")

// TokenStore keeps OAuth tokens between runs. The auth package declares it
// and the app picks the implementation: NewKeyringStore for real use,
// NewMemoryStore for tests and throwaway sessions. Implementations must be
// safe for concurrent use; Load returns ErrNoToken when nothing is stored.
type TokenStore interface {
	Load(key string) (*oauth2.Token, error)
	Save(key string, t *oauth2.Token) error
	Delete(key string) error
}

// MemoryStore is a TokenStore in memory.
type MemoryStore struct {
	mu     sync.Mutex
	tokens map[string]oauth2.Token
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{tokens: map[string]oauth2.Token{}} }

// Load returns a copy of the token saved under key.
func (m *MemoryStore) Load(key string) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[key]
	if !ok {
		return nil, fmt.Errorf("load token %q: %w", key, ErrNoToken)
	}
	return &t, nil
}

// Save stores a copy of t under key.
func (m *MemoryStore) Save(key string, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[key] = *t
	return nil
}

// Delete forgets the token under key; deleting nothing is not an error.
func (m *MemoryStore) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tokens, key)
	return nil
}

// keyringService is the service name of the OS keychain entries.
const keyringService = "crmsheets"

// keyringStore saves tokens in the OS keychain and, only when no keychain is
// available, in 0600 files under a fallback directory.
type keyringStore struct {
	fileStore
	warn   func(string)
	warned sync.Once
}

// fileStore keeps one 0600 JSON file per key in dir (created 0700).
type fileStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileStore returns a TokenStore that keeps tokens only in 0600 files in
// dir and never touches the OS keychain: for servers and CI runners without
// one, and for tests, which must leave the user's keychain alone.
func NewFileStore(dir string) TokenStore { return &fileStore{dir: dir} }

// Load reads the token saved under key.
func (s *fileStore) Load(key string) (*oauth2.Token, error) { return s.loadFile(key) }

// Save writes t under key.
func (s *fileStore) Save(key string, t *oauth2.Token) error {
	b, err := encodeToken(t)
	if err != nil {
		return fmt.Errorf("save token %q: %w", key, err)
	}
	return s.saveFile(key, b)
}

// Delete removes the token under key; deleting nothing is not an error.
func (s *fileStore) Delete(key string) error { return s.deleteFile(key) }

// NewKeyringStore returns a TokenStore in the OS keychain (macOS Keychain,
// Windows Credential Manager, the Secret Service on Linux) via go-keyring.
// When the keychain is unavailable (no Secret Service on a headless Linux,
// for example) it falls back to one JSON file per key, mode 0600, in
// fallbackDir (created 0700), and calls warn once with a message to show the
// user. warn may be nil.
func NewKeyringStore(fallbackDir string, warn func(string)) TokenStore {
	if warn == nil {
		warn = func(string) {}
	}
	return &keyringStore{fileStore: fileStore{dir: fallbackDir}, warn: warn}
}

// encodeToken stores oauth2.Token's JSON form; the extras (instance_url,
// id) are not kept: they live in SessionInfo.
func encodeToken(t *oauth2.Token) ([]byte, error) { return json.Marshal(t) }

func decodeToken(b []byte) (*oauth2.Token, error) {
	var t oauth2.Token
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *keyringStore) Load(key string) (*oauth2.Token, error) {
	secret, err := keyring.Get(keyringService, key)
	switch {
	case err == nil:
		t, err := decodeToken([]byte(secret))
		if err != nil {
			return nil, fmt.Errorf("load token %q from the keychain: corrupt entry: %w", key, err)
		}
		return t, nil
	case errors.Is(err, keyring.ErrNotFound):
		// It may have been saved to the fallback while the keychain was
		// unavailable.
		return s.loadFile(key)
	default:
		s.fallbackWarning(err)
		return s.loadFile(key)
	}
}

func (s *keyringStore) Save(key string, t *oauth2.Token) error {
	b, err := encodeToken(t)
	if err != nil {
		return fmt.Errorf("save token %q: %w", key, err)
	}
	err = keyring.Set(keyringService, key, string(b))
	if err == nil {
		_ = s.deleteFile(key) // a stale fallback copy must not outlive the keychain one
		return nil
	}
	s.fallbackWarning(err)
	return s.saveFile(key, b)
}

func (s *keyringStore) Delete(key string) error {
	err := keyring.Delete(keyringService, key)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		s.fallbackWarning(err)
	}
	if ferr := s.deleteFile(key); ferr != nil {
		return ferr
	}
	return nil
}

func (s *keyringStore) fallbackWarning(cause error) {
	s.warned.Do(func() {
		s.warn(fmt.Sprintf("No system keychain is available (%v): Salesforce tokens are stored in %s, readable only by your user account. Install or unlock a keychain to store them securely.", cause, s.dir))
	})
}

func (s *fileStore) path(key string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, key)
	return filepath.Join(s.dir, "token-"+safe+".json")
}

func (s *fileStore) loadFile(key string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load token %q: %w", key, ErrNoToken)
	}
	if err != nil {
		return nil, fmt.Errorf("load token %q from the fallback file: %w", key, err)
	}
	t, err := decodeToken(b)
	if err != nil {
		return nil, fmt.Errorf("load token %q from the fallback file: corrupt: %w", key, err)
	}
	return t, nil
}

// saveFile writes atomically (temp file + rename) with mode 0600.
func (s *fileStore) saveFile(key string, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("save token %q: create %s: %w", key, s.dir, err)
	}
	f, err := os.CreateTemp(s.dir, ".token-*")
	if err != nil {
		return fmt.Errorf("save token %q: %w", key, err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save token %q: %w", key, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("save token %q: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save token %q: %w", key, err)
	}
	if err := os.Rename(f.Name(), s.path(key)); err != nil {
		return fmt.Errorf("save token %q: %w", key, err)
	}
	return nil
}

func (s *fileStore) deleteFile(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete token %q: %w", key, err)
	}
	return nil
}
