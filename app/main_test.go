package app

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestMain replaces the OS keychain with go-keyring's in-memory mock for
// every test of the package: a test run never reads or writes the user's
// keychain, whatever Service it opens. After the tests it checks that no
// push wrote to emptyPlan, the plan compacted rows share read-only.
func TestMain(m *testing.M) {
	keyring.MockInit()
	code := m.Run()
	if !reflect.DeepEqual(*emptyPlan, pushPlan{}) {
		fmt.Fprintln(os.Stderr, "a push wrote to emptyPlan, the plan compacted rows share")
		code = 1
	}
	os.Exit(code)
}
