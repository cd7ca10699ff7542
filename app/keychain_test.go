package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestKeychainFallbackWarnedOnce: the fallback to a token file is logged
// as a warning the first time only, in this process and in the next one
// (a cron job's log does not repeat it), while Status keeps saying it for
// `crmsheets orgs` and the connection dialog.
func TestKeychainFallbackWarnedOnce(t *testing.T) {
	env := newTestEnv(t)
	var logs bytes.Buffer
	env.svc.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if w := env.svc.Status().KeychainWarning; w != "" {
		t.Fatalf("warning before any fallback: %q", w)
	}
	env.svc.noteKeychainFallback("no Secret Service on this machine")
	env.svc.noteKeychainFallback("no Secret Service on this machine")
	if n := strings.Count(logs.String(), "not the system keychain"); n != 1 {
		t.Fatalf("the fallback was logged %d times as a warning:\n%s", n, logs.String())
	}
	if w := env.svc.Status().KeychainWarning; !strings.Contains(w, "no Secret Service") || !strings.Contains(w, env.home) {
		t.Fatalf("status warning %q", w)
	}
}
