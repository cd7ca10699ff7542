package app

import (
	"os"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestMain replaces the OS keychain with go-keyring's in-memory mock for
// every test of the package: a test run never reads or writes the user's
// keychain, whatever Service it opens. Every push checks at its end that
// none of its rows wrote to a plan lean rows share.
func TestMain(m *testing.M) {
	keyring.MockInit()
	checkLeanPlans = true
	os.Exit(m.Run())
}
