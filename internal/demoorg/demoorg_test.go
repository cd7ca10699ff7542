package demoorg_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"crmsheets/app"
	"crmsheets/internal/demoorg"
	"crmsheets/sheets"
)

// TestEmbeddedDemoOrg opens a Service with the demo org main.go injects,
// connects it the way a new user's first start does and pulls from it.
func TestEmbeddedDemoOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a demo org")
	}
	ctx := context.Background()
	home := t.TempDir()
	svc, err := app.Open(ctx, app.Options{Home: home, DemoOrg: demoorg.New(), DemoSeedAccounts: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.ConnectActive(ctx); err != nil {
		t.Fatalf("connect the embedded demo org: %v", err)
	}
	sh, err := svc.NewSheetFromTemplate("accounts", "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	run, err := svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull}, nil)
	if err != nil || run.Counts.Pulled != 5 {
		t.Fatalf("pull from the embedded demo org: %+v %v, want 5 accounts", run, err)
	}
	if !strings.HasPrefix(svc.Status().InstanceURL, "http://127.0.0.1:") {
		t.Errorf("demo org at %q, want loopback", svc.Status().InstanceURL)
	}
	// A second process on the same home is refused quickly.
	start := time.Now()
	if _, err := app.Open(ctx, app.Options{Home: home, DemoOrg: demoorg.New(), OpenTimeout: 200 * time.Millisecond}); !errors.Is(err, app.ErrStoreLocked) {
		t.Errorf("second Open: %v, want app.ErrStoreLocked", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
	}
}
