package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

func tokenOf(access, refresh string) *oauth2.Token {
	return &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer"}
}

// exerciseStore checks the TokenStore contract.
func exerciseStore(t *testing.T, s TokenStore) {
	t.Helper()
	const key = "salesforce:https://login.salesforce.com:00D:005"
	if _, err := s.Load(key); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Load of nothing = %v, want ErrNoToken", err)
	}
	if err := s.Save(key, tokenOf("a1", "r1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(key, tokenOf("a2", "r1")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(key)
	if err != nil || got.AccessToken != "a2" || got.RefreshToken != "r1" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if _, err := s.Load(key); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Load after Delete = %v", err)
	}
}

func TestMemoryStore(t *testing.T) { exerciseStore(t, NewMemoryStore()) }

// TestFileStore checks the keychain-free store: tokens in 0600 files, the
// (mocked) keychain never written.
func TestFileStore(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := NewFileStore(dir)
	if err := s.Save("k", &oauth2.Token{AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(keyringService, "k"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the file store wrote to the keychain: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files %v, want one token file", entries)
	}
	if fi, _ := entries[0].Info(); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	exerciseStore(t, NewFileStore(t.TempDir()))
}

func TestKeyringStore(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	var warnings []string
	exerciseStore(t, NewKeyringStore(dir, func(s string) { warnings = append(warnings, s) }))
	if len(warnings) != 0 {
		t.Errorf("warned with a keychain available: %v", warnings)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("fallback files written with a keychain available")
	}
}

func TestKeyringFallbackFile(t *testing.T) {
	keyring.MockInitWithError(errors.New("no secret service on this bus"))
	t.Cleanup(keyring.MockInit)
	dir := filepath.Join(t.TempDir(), "config")
	var warnings []string
	s := NewKeyringStore(dir, func(s string) { warnings = append(warnings, s) })
	exerciseStore(t, s)
	if len(warnings) != 1 || !strings.Contains(warnings[0], dir) {
		t.Errorf("warnings = %q, want one naming %s", warnings, dir)
	}
	if err := s.Save("k/../x", tokenOf("a", "r")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files = %v", entries)
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode = %v, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v, want 0700", d.Mode().Perm())
	}
}
