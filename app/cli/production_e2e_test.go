package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crmsheets/app"
	"crmsheets/internal/clitest"
)

// A big run in a production org is confirmed before anything is written:
// a standalone demo org logged in with `--env production --url` is
// production, so a push of more than app.ProductionConfirmThreshold new
// people from a script (no terminal) is refused with the way forward and
// writes nothing; with --yes it goes ahead.
func TestBigProductionPushNeedsYes(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "2")
	c := newCLI(t)
	if r := c.Login(t, emu.URL, "--env", "production"); r.Code != 0 {
		t.Fatalf("login --env production: exit %d %s", r.Code, r.Err)
	}
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	production := false
	for _, o := range orgs {
		if o["active"] == true {
			production = o["production"] == true
		}
	}
	if !production {
		t.Fatalf("an org logged in with --env production is not production: %v", orgs)
	}
	c.Must(t, "new", "--template", "people", "--name", "Big push")
	file := filepath.Join(t.TempDir(), "big.xlsx")
	c.Must(t, "export", "--sheet", "Big push", file)
	n := app.ProductionConfirmThreshold + 1
	addPeople(t, file, n)
	c.Must(t, "import", file, "--sheet", "Big push", "--add-new")

	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		recs, err := org.Query("SELECT Id FROM Contact WHERE Email LIKE '%@drop.example'")
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	r := c.Run(t, 5*time.Minute, "sync", "--sheet", "Big push", "--direction", "push")
	if r.Code != 1 || !strings.Contains(r.Err, "PRODUCTION") || !strings.Contains(r.Err, "--yes") ||
		!strings.Contains(r.Err, fmt.Sprintf("%d records", n)) || !strings.Contains(r.Err, "nothing was sent") {
		t.Fatalf("big production push without --yes from a script: exit %d (want 1, a refusal naming --yes)\nstdout:\n%s\nstderr:\n%s", r.Code, r.Out, r.Err)
	}
	if got := count(); got != 0 {
		t.Fatalf("the refused run wrote %d contacts", got)
	}
	r = c.Run(t, 5*time.Minute, "sync", "--sheet", "Big push", "--direction", "push", "--yes")
	if r.Code != 0 {
		t.Fatalf("push with --yes: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	if got := count(); got != n {
		t.Fatalf("push with --yes created %d contacts, want %d", got, n)
	}
}
