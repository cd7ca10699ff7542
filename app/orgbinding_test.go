package app

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// secondOrg starts another demo org with its own org id (a sandbox of the
// first: the same records, so the same record ids) and reopens the env's
// Service on it, as a user switching the active org would.
func (e *testEnv) secondOrg(orgID string, seed func(*emulator.Server)) *emulator.Server {
	e.t.Helper()
	org, err := emulator.New(emulator.Options{Now: e.clock.Now, TokenTTL: 365 * 24 * time.Hour, OrgID: orgID})
	if err != nil {
		e.t.Fatal(err)
	}
	if seed != nil {
		seed(org)
	}
	srv := httptest.NewServer(org.Handler())
	e.t.Cleanup(func() { srv.Close(); org.Close() })
	if err := e.svc.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open(Options{Home: e.home, Now: e.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: srv.URL})
	return org
}

func TestSheetRefusesAnotherOrgAndRebindsByKey(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	sh := env.contactSheet(false)
	title := col(t, sh, "Title")
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	a, ok, err := env.svc.SheetOrg(sh.ID)
	if err != nil || !ok || a.OrgID != env.org.OrgID() {
		t.Fatalf("after the first pull the sheet is bound to %+v (%v, %v), want %s", a, ok, err, env.org.OrgID())
	}
	row := env.rowByRecord(sh.ID, ids[0])
	env.edit(sh.ID, row.ID, title, "Chief")
	push := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if push.OrgID != a.OrgID || push.Counts.Updated != 1 {
		t.Fatalf("push run %+v", push)
	}
	env.edit(sh.ID, row.ID, title, "Chief of Staff")

	// Org B: a sandbox copy, same record ids, another org id.
	b := env.secondOrg("00D000000000002", func(o *emulator.Server) {
		acct, _ := o.Insert("Account", map[string]any{"Name": "Acme"})
		for i := range 3 {
			id, err := o.Insert("Contact", map[string]any{"LastName": "Sandbox", "Email": []string{"person0@example.com", "person1@example.com", "person2@example.com"}[i], "Title": "Sandbox", "AccountId": acct})
			if err != nil || id != ids[i] {
				t.Fatalf("sandbox record %s (%v), want the production id %s", id, err, ids[i])
			}
		}
	})
	var other *OtherOrgError
	_, err = env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push}, nil)
	if !errors.As(err, &other) || !errors.Is(err, ErrOtherOrg) {
		t.Fatalf("push to the other org: %v, want an OtherOrgError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, a.OrgID) || !strings.Contains(msg, b.OrgID()) {
		t.Fatalf("refusal %q does not name both orgs", msg)
	}
	if _, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Both}); !errors.Is(err, ErrOtherOrg) {
		t.Fatalf("plan against the other org: %v", err)
	}
	if _, err := env.svc.Revert(env.ctx, push.ID, nil); !errors.Is(err, ErrOtherOrg) {
		t.Fatalf("revert in the other org: %v", err)
	}
	if rec, _ := b.Get("Contact", ids[0]); rec["Title"] != "Sandbox" {
		t.Fatalf("org B changed: %v", rec["Title"])
	}
	runs, _ := env.svc.Runs(RunQuery{SheetID: sh.ID})
	if len(runs) != 2 {
		t.Fatalf("refused runs were recorded: %d runs", len(runs))
	}

	// Re-bind: rows matched by key; the unsent edit stays an edit, the
	// others take the sandbox's values.
	r, err := env.svc.RebindSheet(env.ctx, sh.ID, nil)
	if err != nil || r.Status != sheets.RunSucceeded || !strings.Contains(r.Message, "matched by key: 3") {
		t.Fatalf("rebind: %+v, %v", r, err)
	}
	nb, _, _ := env.svc.SheetOrg(sh.ID)
	if nb.OrgID != b.OrgID() {
		t.Fatalf("bound to %s after the re-bind, want %s", nb.OrgID, b.OrgID())
	}
	got := env.rowByRecord(sh.ID, ids[0])
	if got.Cells[title] != "Chief of Staff" || got.State != sheets.StateConflict && got.State != sheets.StateModified {
		t.Fatalf("edited row after re-bind: %v %s", got.Cells, got.State)
	}
	if other := env.rowByRecord(sh.ID, ids[1]); other.Cells[title] != "Sandbox" || other.State != sheets.StateSynced {
		t.Fatalf("unedited row after re-bind: %v %s", other.Cells, other.State)
	}
	if n := len(env.rows(sh.ID)); n != 3 {
		t.Fatalf("re-bind appended rows: %d", n)
	}
}
