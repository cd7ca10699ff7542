package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

func TestPullIntoTemplateSheet(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(5)
	sh, err := env.svc.NewSheetFromTemplate("people", "People")
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if run.Status != sheets.RunSucceeded || run.Counts.Pulled != 5 {
		t.Fatalf("run = %s %+v, want succeeded with 5 pulled", run.Status, run.Counts)
	}
	email, company := col(t, sh, "Email"), ""
	if c, ok := sh.ColumnByField("Account.Name"); ok {
		company = c.ID
	}
	for i, id := range ids {
		r := env.rowByRecord(sh.ID, id)
		if r.State != sheets.StateSynced {
			t.Errorf("row of %s: state %s, want synced", id, r.State)
		}
		if got, want := r.Cells[email], fmt.Sprintf("person%d@example.com", i); got != want {
			t.Errorf("row of %s: email %q, want %q", id, got, want)
		}
		if company != "" && r.Cells[company] != "Acme" {
			t.Errorf("row of %s: company %q, want Acme (pulled through Account.Name)", id, r.Cells[company])
		}
	}
	if n := len(env.rows(sh.ID)); n != 5 {
		t.Errorf("sheet has %d rows, want 5", n)
	}
	if env.org.Count("Contact") != 5 {
		t.Errorf("org has %d contacts, want the 5 seeded: a pull must not write", env.org.Count("Contact"))
	}
	// A second pull changes nothing and costs one query.
	again := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if again.APICalls > 1 || len(env.rows(sh.ID)) != 5 {
		t.Errorf("second pull: %d calls, %d rows; want ≤1 call and 5 rows", again.APICalls, len(env.rows(sh.ID)))
	}
}

func TestEditAndPush(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	r := env.rowByRecord(sh.ID, ids[1])
	env.edit(sh.ID, r.ID, title, "CTO")

	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Status != sheets.RunSucceeded || run.Counts.Updated != 1 {
		t.Fatalf("push = %s %+v (%s), want 1 update", run.Status, run.Counts, run.Message)
	}
	if got := env.get("Contact", ids[1], "Title"); got != "CTO" {
		t.Errorf("org Title = %v, want CTO", got)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Engineer" {
		t.Errorf("untouched contact Title = %v, want Engineer", got)
	}
	r = env.rowByRecord(sh.ID, ids[1])
	if r.State != sheets.StateSynced || r.Base[title] != "CTO" {
		t.Errorf("row after push: state %s base %q, want synced with base CTO", r.State, r.Base[title])
	}
	outs, err := env.svc.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Before["Title"] != "Engineer" || outs[0].After["Title"] != "CTO" {
		t.Errorf("outcomes = %+v, want one update Engineer → CTO", outs)
	}
	// Re-running the finished sync changes nothing and spends at most one query.
	again := env.sync(sh.ID, SyncOptions{Direction: sheets.Both})
	if again.APICalls > 1 || again.Counts.Updated+again.Counts.Created != 0 {
		t.Errorf("re-run: %d calls, counts %+v; want ≤1 call and no change", again.APICalls, again.Counts)
	}
}

func TestCreateWithDedupeByEmail(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(2)
	sh := env.contactSheet(true)
	first, last, email, title := col(t, sh, "First"), col(t, sh, "Last"), col(t, sh, "Email"), col(t, sh, "Title")
	_, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{first: "Known", last: "Last0", email: "PERSON0@example.com", title: "Director"}, // exists: matched, not created
		{first: "New", last: "Person", email: "new.person@example.com", title: "Analyst"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: sheets.PolicySheetWins})
	if run.Counts.Created != 1 || run.Counts.Updated != 1 {
		t.Fatalf("push counts %+v (%s), want 1 created and 1 updated", run.Counts, run.Message)
	}
	if n := env.org.Count("Contact"); n != 3 {
		t.Errorf("org has %d contacts, want 3 (no duplicate of person0)", n)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Director" {
		t.Errorf("matched contact Title = %v, want Director", got)
	}
	for _, r := range env.rows(sh.ID) {
		if r.RecordID == "" || r.State != sheets.StateSynced {
			t.Errorf("row %d: record %q state %s, want an id and synced", r.ID, r.RecordID, r.State)
		}
	}
	// Running again creates nothing more.
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if n := env.org.Count("Contact"); n != 3 {
		t.Errorf("after a second push the org has %d contacts, want 3", n)
	}
}

func TestCreateMissingOff(t *testing.T) {
	env := newTestEnv(t)
	sh := env.contactSheet(false)
	last, email := col(t, sh, "Last"), col(t, sh, "Email")
	if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{last: "Nobody", email: "nobody@example.com"}}); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if env.org.Count("Contact") != 0 || run.Counts.Created != 0 {
		t.Errorf("create-missing off: org has %d contacts, run %+v; want nothing created", env.org.Count("Contact"), run.Counts)
	}
	// The row left out is counted, explained in history and on the row.
	const why = "not found in Salesforce by Email; turn on Create missing to create it"
	if run.Counts.Skipped != 1 || run.Status != sheets.RunSucceeded || !strings.Contains(run.Message, "1 row") {
		t.Errorf("run %+v, status %s, message %q; want 1 skipped, succeeded, the skip in the message", run.Counts, run.Status, run.Message)
	}
	outs, err := env.svc.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Op != sheets.OpSkip || outs[0].Message != why || outs[0].OK {
		t.Errorf("outcomes %+v, want one skip saying %q", outs, why)
	}
	rows := env.rows(sh.ID)
	if len(rows) != 1 || rows[0].Error != why || rows[0].State != sheets.StateNew {
		t.Errorf("row %+v, want state new with error %q", rows[0], why)
	}
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Skipped != 1 || len(plan.Problems) != 1 || plan.Problems[0].Reason != why {
		t.Errorf("plan skipped %d, problems %+v; want the same reason", plan.Skipped, plan.Problems)
	}
}

func TestConflictPolicies(t *testing.T) {
	tests := []struct {
		policy     sheets.Policy
		sheetLater bool   // the local edit is newer than the change in Salesforce
		wantOrg    string // Title in Salesforce after the sync
		wantCell   string // Title in the sheet after the sync
		wantState  sheets.State
	}{
		{sheets.PolicySalesforceWins, true, "From Salesforce", "From Salesforce", sheets.StateSynced},
		{sheets.PolicySheetWins, false, "From Sheet", "From Sheet", sheets.StateSynced},
		{sheets.PolicyMostRecent, true, "From Sheet", "From Sheet", sheets.StateSynced},
		{sheets.PolicyMostRecent, false, "From Salesforce", "From Salesforce", sheets.StateSynced},
		{sheets.PolicyReview, true, "From Salesforce", "From Sheet", sheets.StateConflict},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/sheet-later=%v", tt.policy, tt.sheetLater), func(t *testing.T) {
			env := newTestEnv(t)
			ids := env.seedContacts(1)
			sh := env.contactSheet(false)
			env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
			title := col(t, sh, "Title")
			r := env.rowByRecord(sh.ID, ids[0])
			change := func() {
				if err := env.org.Update("Contact", ids[0], map[string]any{"Title": "From Salesforce"}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.sheetLater {
				change()
				env.clock.Advance(time.Minute)
				env.edit(sh.ID, r.ID, title, "From Sheet")
			} else {
				env.edit(sh.ID, r.ID, title, "From Sheet")
				env.clock.Advance(time.Minute)
				change()
			}
			run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Policy: tt.policy})
			if got := env.get("Contact", ids[0], "Title"); got != tt.wantOrg {
				t.Errorf("org Title = %v, want %q", got, tt.wantOrg)
			}
			r = env.rowByRecord(sh.ID, ids[0])
			if r.Cells[title] != tt.wantCell || r.State != tt.wantState {
				t.Errorf("row: Title %q state %s, want %q %s (run %+v %s)", r.Cells[title], r.State, tt.wantCell, tt.wantState, run.Counts, run.Message)
			}
			if tt.policy == sheets.PolicyReview {
				cs, err := env.svc.Conflicts(sh.ID)
				if err != nil || len(cs) != 1 || cs[0].Remote != "From Salesforce" || cs[0].Sheet != "From Sheet" || cs[0].Base != "Engineer" {
					t.Fatalf("conflicts = %+v, %v; want one Engineer/From Sheet/From Salesforce", cs, err)
				}
				// Keep mine, then push: the sheet's value goes out.
				if _, err := env.svc.ResolveConflict(sh.ID, r.ID, title, true); err != nil {
					t.Fatal(err)
				}
				env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: tt.policy})
				if got := env.get("Contact", ids[0], "Title"); got != "From Sheet" {
					t.Errorf("after keeping the sheet's value: org Title = %v, want From Sheet", got)
				}
			}
		})
	}
}

func TestRelationshipResolution(t *testing.T) {
	env := newTestEnv(t)
	globex := env.insert("Account", map[string]any{"Name": "Globex", "BillingCity": "Springfield"})
	dupA := env.insert("Account", map[string]any{"Name": "Initech", "BillingCity": "Austin"})
	env.insert("Account", map[string]any{"Name": "Initech", "BillingCity": "Boston"})
	sh := env.contactSheet(true)
	last, email, company := col(t, sh, "Last"), col(t, sh, "Email"), col(t, sh, "Company")
	rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{last: "Found", email: "found@example.com", company: "Globex"},
		{last: "Missing", email: "missing@example.com", company: "Umbrella"},
		{last: "Twice", email: "twice@example.com", company: "Initech"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 1 || run.Counts.Invalid != 2 || run.Status != sheets.RunPartial {
		t.Fatalf("run %s %+v, want partial with 1 created and 2 invalid", run.Status, run.Counts)
	}
	found, _ := env.svc.Row(sh.ID, rows[0].ID)
	if got := env.get("Contact", found.RecordID, "AccountId"); got != globex {
		t.Errorf("Found's AccountId = %v, want Globex %s", got, globex)
	}
	missing, _ := env.svc.Row(sh.ID, rows[1].ID)
	if missing.State != sheets.StateError || !strings.Contains(missing.Error, "Umbrella") || missing.RecordID != "" {
		t.Errorf("Missing row: state %s error %q record %q; want an error naming Umbrella and nothing created", missing.State, missing.Error, missing.RecordID)
	}
	twice, _ := env.svc.Row(sh.ID, rows[2].ID)
	if len(twice.Candidates[company]) != 2 || twice.RecordID != "" {
		t.Fatalf("Twice row: candidates %+v record %q; want two candidates and nothing created", twice.Candidates, twice.RecordID)
	}
	if env.org.Count("Contact") != 1 {
		t.Errorf("org has %d contacts, want 1", env.org.Count("Contact"))
	}
	// The user chooses; the choice is remembered and the next push creates the contact.
	if _, err := env.svc.ChooseCandidate(sh.ID, twice.ID, company, dupA); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	twice, _ = env.svc.Row(sh.ID, rows[2].ID)
	if twice.RecordID == "" || env.get("Contact", twice.RecordID, "AccountId") != dupA {
		t.Errorf("after choosing: record %q, want created under %s", twice.RecordID, dupA)
	}
}

func TestInvalidPicklistCaughtBeforeSending(t *testing.T) {
	env := newTestEnv(t)
	id := env.insert("Account", map[string]any{"Name": "Acme", "Customer_Tier__c": "Gold"})
	sh := &sheets.Sheet{Name: "Accounts", Object: "Account"}
	sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"})
	tier := sh.AddColumn(sheets.Column{Name: "Tier", Type: sheets.TypeText, Field: "Customer_Tier__c"})
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	r := env.rowByRecord(sh.ID, id)
	env.edit(sh.ID, r.ID, tier.ID, "Diamond")
	env.svc.client() // keep the connection warm
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Invalid != 1 || len(plan.Problems) != 1 || !strings.Contains(plan.Problems[0].Reason, "Diamond") {
		t.Errorf("plan: invalid %d problems %+v; want the Diamond row reported", plan.Invalid, plan.Problems)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Invalid != 1 || run.Counts.Updated != 0 {
		t.Errorf("run counts %+v, want 1 invalid and nothing sent", run.Counts)
	}
	if got := env.get("Account", id, "Customer_Tier__c"); got != "Gold" {
		t.Errorf("org tier = %v, want Gold untouched", got)
	}
	outs, _ := env.svc.Outcomes(run.ID, true)
	if len(outs) != 1 || outs[0].Op != sheets.OpInvalid {
		t.Errorf("failed outcomes = %+v, want one invalid", outs)
	}
}

func TestIncrementalPullPicksUpOnlyChanges(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(30)
	env.clock.Advance(time.Hour) // the seed is older than the lookback window
	sh := env.contactSheet(false)
	sh.Sync.Lookback = time.Minute
	if err := env.svc.SaveSheetSettings(sh, "short lookback"); err != nil {
		t.Fatal(err)
	}
	first := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if first.Counts.Pulled != 30 {
		t.Fatalf("first pull %d records, want 30", first.Counts.Pulled)
	}
	env.clock.Advance(48 * time.Hour)
	if err := env.org.Update("Contact", ids[7], map[string]any{"Title": "VP"}); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if run.Counts.Pulled != 1 {
		t.Errorf("incremental pull read %d records, want only the changed one", run.Counts.Pulled)
	}
	if r := env.rowByRecord(sh.ID, ids[7]); r.Cells[col(t, sh, "Title")] != "VP" || r.State != sheets.StateSynced {
		t.Errorf("changed row: Title %q state %s, want VP synced", r.Cells[col(t, sh, "Title")], r.State)
	}
	full := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
	if full.Counts.Pulled != 30 {
		t.Errorf("full pull read %d, want 30", full.Counts.Pulled)
	}
}

func TestRemoteDelete(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	env.clock.Advance(time.Hour)
	sh := env.contactSheet(false)
	sh.Sync.Lookback = time.Minute
	if err := env.svc.SaveSheetSettings(sh, "short lookback"); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	env.clock.Advance(time.Hour) // the deletion is seen by an incremental pull
	if err := env.org.Delete("Contact", ids[2]); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if run.Counts.Deleted != 1 {
		t.Errorf("run counts %+v, want 1 deleted", run.Counts)
	}
	r := env.rowByRecord(sh.ID, ids[2])
	if r.State != sheets.StateDeletedRemotely {
		t.Errorf("row state %s, want deleted-remotely", r.State)
	}
	if n := len(env.rows(sh.ID)); n != 3 {
		t.Errorf("sheet has %d rows, want 3: nothing disappears silently", n)
	}
	// A push leaves the deleted record alone.
	env.edit(sh.ID, r.ID, col(t, sh, "Title"), "Ghost")
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if env.org.Count("Contact") != 2 {
		t.Errorf("org has %d contacts, want 2 (a deleted record is not recreated)", env.org.Count("Contact"))
	}
}

func TestRevertPush(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	sh := env.contactSheet(true)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
	for _, id := range ids[:2] {
		env.edit(sh.ID, env.rowByRecord(sh.ID, id).ID, title, "Manager")
	}
	if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{last: "Created", email: "created@example.com"}}); err != nil {
		t.Fatal(err)
	}
	push := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if push.Counts.Updated != 2 || push.Counts.Created != 1 {
		t.Fatalf("push %+v, want 2 updated 1 created", push.Counts)
	}
	// Someone changes one of the pushed fields in Salesforce afterwards.
	env.clock.Advance(time.Minute)
	if err := env.org.Update("Contact", ids[1], map[string]any{"Title": "Changed Since"}); err != nil {
		t.Fatal(err)
	}
	rev, err := env.svc.Revert(env.ctx, push.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rev.RevertOf != push.ID || rev.Counts.Updated != 1 || rev.Counts.Deleted != 1 {
		t.Errorf("revert run %+v counts %+v, want 1 restored and 1 deleted", rev, rev.Counts)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Engineer" {
		t.Errorf("reverted Title = %v, want Engineer", got)
	}
	if got := env.get("Contact", ids[1], "Title"); got != "Changed Since" {
		t.Errorf("Title changed since = %v, want it left as Changed Since", got)
	}
	if env.org.Count("Contact") != 3 {
		t.Errorf("org has %d contacts, want 3 (the created one deleted)", env.org.Count("Contact"))
	}
	if r := env.rowByRecord(sh.ID, ids[0]); r.Cells[title] != "Engineer" || r.State != sheets.StateSynced {
		t.Errorf("reverted row: Title %q state %s, want Engineer synced", r.Cells[title], r.State)
	}
	orig, _ := env.svc.RunRecord(push.ID)
	if orig.RevertedBy != rev.ID {
		t.Errorf("pushed run RevertedBy = %d, want %d", orig.RevertedBy, rev.ID)
	}
	if _, err := env.svc.Revert(env.ctx, push.ID, nil); !errors.Is(err, ErrNotRevertible) {
		t.Errorf("second revert: %v, want ErrNotRevertible", err)
	}
}

func TestCancelMidPush(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(500)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	env.editAll(sh.ID, title, "Edited", 0)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	run, err := env.svc.Sync(ctx, sh.ID, SyncOptions{Direction: sheets.Push, Force: true}, func(p Progress) {
		if p.Phase == PhasePush && p.Done >= pushChunkRows {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != sheets.RunCancelled || run.Counts.Updated != pushChunkRows {
		t.Fatalf("cancelled run %s %+v, want cancelled after %d updates", run.Status, run.Counts, pushChunkRows)
	}
	edited := 0
	for _, id := range ids {
		if env.get("Contact", id, "Title") == "Edited" {
			edited++
		}
	}
	if edited != pushChunkRows {
		t.Errorf("org has %d edited contacts, want %d", edited, pushChunkRows)
	}
	rest := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
	if rest.Counts.Updated != 500-pushChunkRows {
		t.Errorf("resumed push updated %d, want %d", rest.Counts.Updated, 500-pushChunkRows)
	}
}

func TestSafetyRail(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(40)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	env.editAll(sh.ID, title, "Bulk", 30)
	_, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push}, nil)
	var tm *TooManyChangesError
	if !errors.As(err, &tm) || !errors.Is(err, ErrSyncAborted) || tm.Changes != 30 || tm.Rows != 40 {
		t.Fatalf("push of 30/40 rows: %v, want *TooManyChangesError 30 of 40", err)
	}
	for _, c := range env.org.Records("Contact") {
		if c["Title"] == "Bulk" {
			t.Fatal("the safety rail let a change through")
		}
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
	if run.Counts.Updated != 30 {
		t.Errorf("forced push updated %d, want 30", run.Counts.Updated)
	}
}

func TestAPIBudgetPausesAndResumes(t *testing.T) {
	env := newTestEnv(t, withAPILimit(20))
	env.seedContacts(2000)
	sh := env.contactSheet(false)
	sh.Sync.APIReserve = 0.5 // leave 10 of 20 calls
	if err := env.svc.SaveSheetSettings(sh, "reserve"); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	env.editAll(sh.ID, title, "Budget", 0)
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
	if run.Status != sheets.RunPartial || !strings.Contains(run.Message, "reserve") || run.Counts.Updated == 0 || run.Counts.Updated == 2000 {
		t.Fatalf("run %s %q %+v, want a partial run paused at the reserve", run.Status, run.Message, run.Counts)
	}
	if run.APILimit != 20 || run.APILimit-run.APIUsed < 10 {
		t.Errorf("the run ate into the reserve: used %d of %d", run.APIUsed, run.APILimit)
	}
	done := run.Counts.Updated
	env.org.ResetAPIUsage()
	for i := 0; i < 10 && done < 2000; i++ {
		r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
		done += r.Counts.Updated
		env.org.ResetAPIUsage()
	}
	if done != 2000 {
		t.Errorf("after resuming, %d of 2000 updates went out, want every one exactly once", done)
	}
}

func TestInterruptedRunsAtStartup(t *testing.T) {
	env := newTestEnv(t)
	r := &sheets.Run{SheetID: "x", Status: sheets.RunRunning, Started: env.clock.Now(), Direction: sheets.Push}
	if err := env.svc.store.CreateRun(r); err != nil {
		t.Fatal(err)
	}
	env.svc.Close()
	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	got, err := env.svc.RunRecord(r.ID)
	if err != nil || got.Status != sheets.RunInterrupted {
		t.Errorf("run after restart: %+v %v, want interrupted", got, err)
	}
}

func TestTwoRowsWithOneKeyCreateOneRecord(t *testing.T) {
	env := newTestEnv(t)
	sh := env.contactSheet(true)
	last, email := col(t, sh, "Last"), col(t, sh, "Email")
	rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{last: "One", email: "same@example.com"},
		{last: "Two", email: "SAME@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if env.org.Count("Contact") != 1 || run.Counts.Created != 1 || run.Counts.Invalid != 1 {
		t.Fatalf("org has %d contacts, run %+v; want one created and the twin refused", env.org.Count("Contact"), run.Counts)
	}
	twin, _ := env.svc.Row(sh.ID, rows[1].ID)
	if twin.State != sheets.StateError || !strings.Contains(twin.Error, "same") {
		t.Errorf("twin row: %s %q", twin.State, twin.Error)
	}
}

func TestPushAboveThresholdUsesBulk(t *testing.T) {
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 50; o.MaxChangeShare = 1 }))
	ids := env.seedContacts(120)
	sh := env.contactSheet(true)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
	env.editAll(sh.ID, title, "Bulk edited", 0)
	var add []map[string]string
	for i := range 60 {
		add = append(add, map[string]string{last: fmt.Sprintf("Bulk%d", i), email: fmt.Sprintf("bulk%d@example.com", i)})
	}
	if _, err := env.svc.AddRows(sh.ID, 0, add); err != nil {
		t.Fatal(err)
	}
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	var phases []string
	var jobs []Progress // the last progress of each Bulk job
	run, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push}, func(p Progress) {
		phases = append(phases, p.Phase)
		if strings.Contains(p.Phase, "Bulk API job: done") {
			jobs = append(jobs, p)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two Bulk jobs (updates, creates) cost several calls each, not one
	// per 200 records: the plan's estimate is close to what the run spent.
	if d := plan.APICalls - run.APICalls; d < -4 || d > 4 {
		t.Errorf("plan estimated %d API calls, the bulk push spent %d", plan.APICalls, run.APICalls)
	}
	if run.Counts.Updated != 120 || run.Counts.Created != 60 || run.Status != sheets.RunSucceeded {
		t.Fatalf("bulk push %s %+v (%s), want 120 updated and 60 created", run.Status, run.Counts, run.Message)
	}
	if !slices.ContainsFunc(phases, func(p string) bool { return strings.Contains(p, "Bulk API") }) {
		t.Errorf("progress phases %v show no Bulk API job", phases)
	}
	// The run names its two jobs, as Salesforce's Setup lists them, and
	// the history keeps them.
	if len(run.BulkJobs) != 2 || run.BulkJobs[0] == run.BulkJobs[1] || !strings.HasPrefix(run.BulkJobs[0], "750") || !strings.HasPrefix(run.BulkJobs[1], "750") {
		t.Errorf("run's Bulk jobs %q, want the updates' and the creates'", run.BulkJobs)
	}
	if stored, err := env.svc.RunRecord(run.ID); err != nil || !slices.Equal(stored.BulkJobs, run.BulkJobs) {
		t.Errorf("history keeps Bulk jobs %v (%v), the run had %q", stored, err, run.BulkJobs)
	}
	// Each job's progress ends with every record processed: the updates',
	// then the creates'.
	if len(jobs) != 2 || jobs[0].Done != 120 || jobs[0].Total != 120 || jobs[1].Done != 60 || jobs[1].Total != 60 {
		t.Errorf("the Bulk jobs ended their progress at %+v, want 120 of 120, then 60 of 60", jobs)
	}
	for _, id := range ids {
		if got := env.get("Contact", id, "Title"); got != "Bulk edited" {
			t.Fatalf("contact %s Title %v after the bulk push", id, got)
		}
	}
	if env.org.Count("Contact") != 180 {
		t.Errorf("org has %d contacts, want 180", env.org.Count("Contact"))
	}
	// The demo org returns result files shuffled and re-spelled, as
	// Salesforce does: every row still holds its own record.
	for _, r := range env.rows(sh.ID) {
		if r.State != sheets.StateSynced || r.RecordID == "" {
			t.Fatalf("row %d %s %q after the bulk push", r.ID, r.State, r.RecordID)
		}
		if got := env.get("Contact", r.RecordID, "Email"); !strings.EqualFold(fmt.Sprint(got), r.Cells[email]) {
			t.Fatalf("row %d (%s) holds the record of %v", r.ID, r.Cells[email], got)
		}
	}
}

func TestCancelMidPull(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(5000)
	sh := env.contactSheet(false)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	run, err := env.svc.Sync(ctx, sh.ID, SyncOptions{Direction: sheets.Pull}, func(p Progress) {
		if p.Phase == PhasePull && p.Done >= pullPageRows {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := env.svc.RowCount(sh.ID)
	if run.Status != sheets.RunCancelled || run.Counts.Pulled != n || n == 0 || n == 5000 {
		t.Fatalf("cancelled pull: %s %+v with %d rows, want cancelled with the pages that landed recorded", run.Status, run.Counts, n)
	}
	if got, _ := env.svc.Sheet(sh.ID); !got.Watermark.IsZero() {
		t.Error("an incomplete pull moved the watermark")
	}
	again := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if n, _ := env.svc.RowCount(sh.ID); n != 5000 || again.Status != sheets.RunSucceeded {
		t.Errorf("after the next pull: %d rows, %s; want all 5000 and no duplicate row", n, again.Status)
	}
}

// TestEditDuringPushIsKept: a cell edited in the grid while a push is on
// the wire is neither overwritten by the engine's write-back nor lost: the
// row stays modified and the next push sends it. A row deleted from the
// sheet meanwhile does not fail the run.
func TestEditDuringPushIsKept(t *testing.T) {
	t.Run("collections", func(t *testing.T) { testEditDuringPushIsKept(t, newTestEnv(t)) })
	t.Run("bulk", func(t *testing.T) {
		// Through a Bulk job, planned in rounds of two rows: the rows are
		// let go between planning and the write-back, which reads them
		// again and must still see the edit made meanwhile.
		rounds := bulkPlanRows
		bulkPlanRows = 2
		t.Cleanup(func() { bulkPlanRows = rounds })
		env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 1; o.MaxChangeShare = 1 }))
		testEditDuringPushIsKept(t, env)
		runs, err := env.svc.Runs(RunQuery{Limit: 2})
		if err != nil || len(runs) != 2 {
			t.Fatalf("runs %v %v", runs, err)
		}
		// Newest first: the push of the two edits (the later push sends
		// one row, by Collections).
		if r := runs[1]; r.APICalls < 4 {
			t.Errorf("run %d spent %d calls: not through a Bulk job", r.ID, r.APICalls)
		}
	})
}

func testEditDuringPushIsKept(t *testing.T, env *testEnv) {
	ids := env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	a, b := env.rowByRecord(sh.ID, ids[0]), env.rowByRecord(sh.ID, ids[1])
	env.edit(sh.ID, a.ID, title, "First edit")
	env.edit(sh.ID, b.ID, title, "Doomed")
	once := true
	env.onWrite(func() {
		if once {
			once = false
			env.edit(sh.ID, a.ID, title, "Second edit")
			if err := env.svc.DeleteRows(sh.ID, []sheets.RowID{b.ID}); err != nil {
				t.Error(err)
			}
		}
	})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	env.onWrite(nil)
	if run.Status != sheets.RunSucceeded || run.Counts.Updated != 2 {
		t.Fatalf("push %s %+v (%s)", run.Status, run.Counts, run.Message)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "First edit" {
		t.Errorf("org Title %v, want the first edit", got)
	}
	r := env.rowByRecord(sh.ID, ids[0])
	if r.Cells[title] != "Second edit" || r.State != sheets.StateModified || r.Base[title] != "First edit" {
		t.Fatalf("row after the push: %q %s base %q; want the second edit kept, modified, based on the first", r.Cells[title], r.State, r.Base[title])
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if got := env.get("Contact", ids[0], "Title"); got != "Second edit" {
		t.Errorf("org Title %v after the next push, want the second edit", got)
	}
	if n, _ := env.svc.RowCount(sh.ID); n != 2 {
		t.Errorf("%d rows, want 2 (the deleted row stays deleted)", n)
	}
}

// TestRequestLimitExceededStopsCleanly: when Salesforce itself refuses
// with REQUEST_LIMIT_EXCEEDED (the limit dropped under the run), the run
// stops as partial with what it did recorded, and the next run resumes
// without redoing it.
func TestRequestLimitExceededStopsCleanly(t *testing.T) {
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.PushBatchSize = 50; o.MaxChangeShare = 1 }))
	env.seedContacts(200)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push}) // warm up: nothing to push
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	env.editAll(sh.ID, col(t, sh, "Title"), "Limited", 0)
	writes := 0
	env.onWrite(func() {
		if writes++; writes == 1 { // the limit drops once the first batch is in
			used, _ := env.org.APIUsage()
			env.org.SetDailyAPILimit(used)
		}
	})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	env.onWrite(nil)
	if run.Status != sheets.RunPartial || !strings.Contains(run.Message, "REQUEST_LIMIT_EXCEEDED") || run.Counts.Updated == 0 || run.Counts.Updated == 200 {
		t.Fatalf("run %s %q %+v, want partial after the limit with some updates recorded", run.Status, run.Message, run.Counts)
	}
	if st := env.svc.Status(); st.State != StateConnected {
		t.Errorf("the limit made the connection %s; it is still connected", st.State)
	}
	env.org.SetDailyAPILimit(100000)
	rest := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Updated+rest.Counts.Updated != 200 {
		t.Errorf("%d + %d updates, want 200 exactly once", run.Counts.Updated, rest.Counts.Updated)
	}
	for _, c := range env.org.Records("Contact") {
		if c["Title"] != "Limited" {
			t.Fatalf("contact %v not updated", c["Id"])
		}
	}
}

// TestRequestLimitExceededMidBulkJob: the limit drops once a Bulk job is
// uploaded and closed, so Salesforce runs the job while the client's polls
// are refused. The run stops, not succeeded, with the limit named; the
// next run (limit raised) recognises the job's updates as its own: every
// edit in the org, no record written twice, every row synced.
func TestRequestLimitExceededMidBulkJob(t *testing.T) {
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 1; o.MaxChangeShare = 1 }))
	env.seedContacts(200)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	env.editAll(sh.ID, col(t, sh, "Title"), "Limited", 0)
	writes := 0
	env.onWrite(func() {
		// An update-only push: create the job, upload, close. The limit
		// drops once the job is closed.
		if writes++; writes == 3 {
			used, _ := env.org.APIUsage()
			env.org.SetDailyAPILimit(used)
		}
	})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	env.onWrite(nil)
	if run.Status == sheets.RunSucceeded || !strings.Contains(run.Message, "REQUEST_LIMIT_EXCEEDED") {
		t.Fatalf("run %s %q %+v, want stopped at the limit", run.Status, run.Message, run.Counts)
	}
	time.Sleep(200 * time.Millisecond) // the job finishes in the org
	stamps := map[any]any{}
	for _, c := range env.org.Records("Contact") {
		if c["Title"] != "Limited" {
			t.Fatalf("contact %v not updated by the job: nothing to test", c["Id"])
		}
		stamps[c["Id"]] = c["SystemModstamp"]
	}
	env.org.SetDailyAPILimit(100000)
	rest := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if rest.Status != sheets.RunSucceeded || rest.Counts.Updated != 0 {
		t.Errorf("resumed run %s %+v (%s), want succeeded sending nothing", rest.Status, rest.Counts, rest.Message)
	}
	for _, c := range env.org.Records("Contact") {
		if c["Title"] != "Limited" || c["SystemModstamp"] != stamps[c["Id"]] {
			t.Fatalf("contact %v: %v modstamp %v, was %v: written again", c["Id"], c["Title"], c["SystemModstamp"], stamps[c["Id"]])
		}
	}
	for r, err := range env.svc.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.State != sheets.StateSynced {
			t.Fatalf("row %d %s (%s) after the resumed run, want synced", r.ID, r.State, r.Error)
		}
	}
}

func TestBlankPolicies(t *testing.T) {
	env := newTestEnv(t)
	acct := env.insert("Account", map[string]any{"Name": "Acme"})
	a := env.insert("Contact", map[string]any{"LastName": "A", "Email": "a@example.com", "Title": "Boss", "Department": "Sales", "AccountId": acct})
	b := env.insert("Contact", map[string]any{"LastName": "B", "Email": "b@example.com", "Title": "Boss", "AccountId": acct})
	sh := &sheets.Sheet{Name: "Enrich", Object: "Contact"}
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	title := sh.AddColumn(sheets.Column{Name: "Title", Type: sheets.TypeText, Field: "Title", Blank: sheets.BlankClear})
	dept := sh.AddColumn(sheets.Column{Name: "Department", Type: sheets.TypeText, Field: "Department", Blank: sheets.BlankFillEmpty})
	phone := sh.AddColumn(sheets.Column{Name: "Phone", Type: sheets.TypePhone, Field: "Phone"}) // leave (default)
	sh.KeyColumn = email.ID
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	ra, rb := env.rowByRecord(sh.ID, a), env.rowByRecord(sh.ID, b)
	env.edit(sh.ID, ra.ID, title.ID, "")         // clear: sent as null
	env.edit(sh.ID, ra.ID, dept.ID, "Marketing") // fill-empty: Salesforce has Sales, kept
	env.edit(sh.ID, rb.ID, dept.ID, "Marketing") // fill-empty: Salesforce blank, written
	env.svc.EditCell(sh.ID, rb.ID, phone.ID, "") // leave: a blank never erases
	env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if got := env.get("Contact", a, "Title"); got != nil {
		t.Errorf("cleared Title = %v, want null", got)
	}
	if got := env.get("Contact", a, "Department"); got != "Sales" {
		t.Errorf("fill-empty overwrote Department: %v", got)
	}
	if got := env.get("Contact", b, "Department"); got != "Marketing" {
		t.Errorf("fill-empty Department of b = %v, want Marketing", got)
	}
	if r := env.rowByRecord(sh.ID, a); r.Cells[dept.ID] != "Marketing" || r.State != sheets.StateModified {
		t.Errorf("row a: Department %q %s, want the user's Marketing held (not sent, not undone)", r.Cells[dept.ID], r.State)
	}
}

// TestPullKeepsImportedValues: rows typed in or imported (never synced)
// and matched by key on a pull keep their values: blanks are filled from
// Salesforce, differences follow the policy.
func TestPullKeepsImportedValues(t *testing.T) {
	tests := []struct {
		policy    sheets.Policy
		wantTitle string
		wantState sheets.State
	}{
		{sheets.PolicyReview, "From vendor", sheets.StateConflict},
		{sheets.PolicySheetWins, "From vendor", sheets.StateModified},
		{sheets.PolicySalesforceWins, "Engineer", sheets.StateSynced},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			env := newTestEnv(t)
			ids := env.seedContacts(1)
			sh := env.contactSheet(false)
			title, email, first := col(t, sh, "Title"), col(t, sh, "Email"), col(t, sh, "First")
			rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{email: "PERSON0@example.com", title: "From vendor"}})
			if err != nil {
				t.Fatal(err)
			}
			env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Policy: tt.policy})
			r, _ := env.svc.Row(sh.ID, rows[0].ID)
			if r.RecordID != ids[0] || r.Cells[first] != "First0" {
				t.Errorf("row %+v: want matched to %s with its blank First filled", r, ids[0])
			}
			if r.Cells[title] != tt.wantTitle || r.State != tt.wantState {
				t.Errorf("Title %q state %s, want %q %s", r.Cells[title], r.State, tt.wantTitle, tt.wantState)
			}
			if n, _ := env.svc.RowCount(sh.ID); n != 1 {
				t.Errorf("%d rows, want the record matched to the imported row, not appended", n)
			}
			if got := env.get("Contact", ids[0], "Title"); got != "Engineer" {
				t.Errorf("a pull wrote to Salesforce: Title %v", got)
			}
		})
	}
}

// TestBothKeepsImportedValues: the same in a both-ways run, where the push
// phase settles the imported row by the policy.
func TestBothKeepsImportedValues(t *testing.T) {
	tests := []struct {
		policy    sheets.Policy
		wantOrg   string
		wantState sheets.State
	}{
		{sheets.PolicyReview, "Engineer", sheets.StateConflict},
		{sheets.PolicySheetWins, "From vendor", sheets.StateSynced},
		{sheets.PolicySalesforceWins, "Engineer", sheets.StateSynced},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			env := newTestEnv(t)
			ids := env.seedContacts(1)
			sh := env.contactSheet(false)
			title, email, first := col(t, sh, "Title"), col(t, sh, "Email"), col(t, sh, "First")
			rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{email: "person0@example.com", title: "From vendor"}})
			if err != nil {
				t.Fatal(err)
			}
			env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Policy: tt.policy})
			r, _ := env.svc.Row(sh.ID, rows[0].ID)
			if got := env.get("Contact", ids[0], "Title"); got != tt.wantOrg {
				t.Errorf("org Title %v, want %s", got, tt.wantOrg)
			}
			if r.RecordID != ids[0] || r.State != tt.wantState || r.Cells[first] != "First0" {
				t.Errorf("row %+v: want matched, %s, First filled", r, tt.wantState)
			}
			if tt.policy != sheets.PolicySalesforceWins && r.Cells[title] != "From vendor" {
				t.Errorf("the imported Title was lost: %q", r.Cells[title])
			}
			if got := env.get("Contact", ids[0], "FirstName"); got != "First0" {
				t.Errorf("a blank imported cell erased FirstName: %v", got)
			}
		})
	}
}

// TestPlanUnderTheSafetyRail: a plan the safety rail would stop still shows
// the whole run (what the user reviews before confirming with Force).
func TestPlanUnderTheSafetyRail(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(40)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	env.editAll(sh.ID, title, "Bulk", 30)
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	if plan.SafetyStop == nil || plan.SafetyStop.Changes != 30 || plan.SafetyStop.Rows != 40 {
		t.Fatalf("SafetyStop = %+v, want 30 of 40", plan.SafetyStop)
	}
	if plan.Updates != 30 || len(plan.Changes) != 30 || plan.Unchanged != 0 {
		t.Errorf("plan under the safety rail: %d updates, %d cell changes, %d unchanged; want 30, 30, 0", plan.Updates, len(plan.Changes), plan.Unchanged)
	}
	// One changed-since query and one collection call per 200 updates (no
	// read-back: the sheet maps nothing Salesforce computes).
	if want := plan.APICallsSpent + 1; plan.APICalls != want || plan.APICallsSpent == 0 {
		t.Errorf("plan API calls %d (spent %d), want %d", plan.APICalls, plan.APICallsSpent, want)
	}
	forced, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
	if err != nil || forced.SafetyStop != nil || forced.Updates != 30 {
		t.Errorf("forced plan: %+v, %v; want 30 updates and no stop", forced, err)
	}
}

// TestKeyLookupMatchesOtherSpellings: rows without a record id are looked
// up by their key as Salesforce may spell it (a website with or without
// scheme, www. and trailing slash; an e-mail in other case or with spaces),
// so a push updates the existing record instead of creating a duplicate.
func TestKeyLookupMatchesOtherSpellings(t *testing.T) {
	tests := []struct {
		name, object, keyField string
		keyType                sheets.Type
		inOrg, inSheet         string
	}{
		{"website bare in Salesforce", "Account", "Website", sheets.TypeURL, "acme.com", "https://www.acme.com/"},
		{"website full in Salesforce", "Account", "Website", sheets.TypeURL, "http://www.Acme.com/", "acme.com"},
		{"website with www only", "Account", "Website", sheets.TypeURL, "www.acme.com", "https://acme.com"},
		{"email in another case with spaces", "Contact", "Email", sheets.TypeEmail, "Pat.Doe@Example.com", "  pat.doe@example.COM "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			fields := map[string]any{tt.keyField: tt.inOrg}
			nameField := "Name"
			if tt.object == "Contact" {
				nameField = "LastName"
			}
			fields[nameField] = "Before"
			id := env.insert(tt.object, fields)
			sh := &sheets.Sheet{Name: "Keyed", Object: tt.object}
			name := sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: nameField})
			key := sh.AddColumn(sheets.Column{Name: "Key", Type: tt.keyType, Field: tt.keyField})
			sh.KeyColumn = key.ID
			sh.Sync.CreateMissing = true
			sh, err := env.svc.NewLocalSheet(sh)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{name.ID: "After", key.ID: tt.inSheet}}); err != nil {
				t.Fatal(err)
			}
			run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: sheets.PolicySheetWins})
			if n := env.org.Count(tt.object); n != 1 || run.Counts.Created != 0 || run.Counts.Updated != 1 {
				t.Fatalf("push of %q against %q: org has %d %s records, counts %+v (%s); want the record updated, none created",
					tt.inSheet, tt.inOrg, n, tt.object, run.Counts, run.Message)
			}
			if got := env.get(tt.object, id, nameField); got != "After" {
				t.Errorf("%s = %v, want After", nameField, got)
			}
			if rows := env.rows(sh.ID); len(rows) != 1 || rows[0].RecordID != id {
				t.Errorf("row attached to %q, want %s", rows[0].RecordID, id)
			}
		})
	}
}

// TestPullProgressHasTotal: a pull reports done/total from the query's
// totalSize, from its start (several store pages, so several events).
func TestPullProgressHasTotal(t *testing.T) {
	const n = pullPageRows + 100
	env := newTestEnv(t)
	env.seedContacts(n)
	sh := env.contactSheet(false)
	var events []Progress
	run, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull}, func(p Progress) { events = append(events, p) })
	if err != nil || run.Counts.Pulled != n {
		t.Fatalf("pull: %v, %+v", err, run)
	}
	var dones []int
	for _, p := range events {
		if p.Phase != PhasePull {
			continue
		}
		dones = append(dones, p.Done)
		if p.Total != n {
			t.Errorf("pull progress %+v, want Total %d", p, n)
		}
	}
	if want := []int{0, pullPageRows, n}; !slices.Equal(dones, want) {
		t.Errorf("pull progress done = %v, want %v", dones, want)
	}
}

// TestNewRowWithTheKeyOfASyncedRow: a new row whose key finds a record
// another row already holds is refused (merge the rows), never attached:
// two rows of one record would leave one stale yet shown as synced.
func TestNewRowWithTheKeyOfASyncedRow(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(2)
	sh := env.contactSheet(true)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	last, email, title := col(t, sh, "Last"), col(t, sh, "Email"), col(t, sh, "Title")
	added, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{last: "Again", email: "PERSON0@example.com", title: "Dup"},
		{last: "Twin", email: "twin@example.com"},
		{last: "Twin", email: "twin@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	twin := env.insert("Contact", map[string]any{"LastName": "Twin", "Email": "twin@example.com"})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: sheets.PolicySheetWins})
	if run.Counts.Invalid != 2 || run.Counts.Created != 0 || env.org.Count("Contact") != 3 {
		t.Errorf("push counts %+v (%s), org %d contacts; want the second holder of each record refused, nothing created", run.Counts, run.Message, env.org.Count("Contact"))
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Engineer" {
		t.Errorf("record of the synced row overwritten through the new row: Title %v", got)
	}
	holders := map[string]int{}
	for _, r := range env.rows(sh.ID) {
		if r.RecordID != "" {
			holders[r.RecordID]++
		}
	}
	if holders[ids[0]] != 1 || holders[twin] != 1 {
		t.Errorf("rows per record %v, want one each", holders)
	}
	if r, _ := env.svc.store.Row(sh.ID, added[0].ID); r.State != sheets.StateError || !strings.Contains(r.Error, "merge the two rows") {
		t.Errorf("refused row %s %q, want an error asking to merge", r.State, r.Error)
	}
}

// TestIncrementalPullCatchesRollupRecalculation: an opportunity's new
// amount recomputes its account's roll-up summary, which moves only the
// account's SystemModstamp (nobody edited the account: LastModifiedDate
// stays ten days old, beyond the lookback). The next incremental pull of
// Accounts picks the new total up because it filters on SystemModstamp.
func TestIncrementalPullCatchesRollupRecalculation(t *testing.T) {
	env := newTestEnv(t)
	acc := env.insert("Account", map[string]any{"Name": "Rollup Co"})
	opp := env.insert("Opportunity", map[string]any{"Name": "Deal", "AccountId": acc, "StageName": "Prospecting", "CloseDate": "2026-06-01", "Amount": 1000.0})
	env.clock.Advance(10 * 24 * time.Hour)
	sh := &sheets.Sheet{Name: "Accounts", Object: "Account"}
	sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"})
	total := sh.AddColumn(sheets.Column{Name: "Pipeline", Type: sheets.TypeNumber, Field: "Total_Opportunity_Amount__c", ReadOnly: true})
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if got := env.rowByRecord(sh.ID, acc).Cells[total.ID]; got != "1000" {
		t.Fatalf("pipeline after the first pull = %q, want 1000", got)
	}
	env.clock.Advance(time.Hour)
	if err := env.org.Update("Opportunity", opp, map[string]any{"Amount": 4200.0}); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if got := env.rowByRecord(sh.ID, acc).Cells[total.ID]; got != "4200" {
		t.Errorf("pipeline after the incremental pull = %q, want 4200 (run %+v)", got, run.Counts)
	}
	if run.APICalls != 1 {
		t.Errorf("incremental pull spent %d calls, want 1", run.APICalls)
	}
}

// TestPushReadsBackWhatItWrote: after a push, the rows it wrote hold
// Salesforce's values in the same run: a formula field (ARR = MRR × 12)
// and a field Salesforce fills on create (Active__c defaults to true,
// Name is defaulted) are current without another pull, and the plan
// counted the read-back call.
func TestPushReadsBackWhatItWrote(t *testing.T) {
	env := newTestEnv(t)
	sub := env.insert("Subscription__c", map[string]any{"Name": "Gold", "MRR__c": 100.0})
	sh := &sheets.Sheet{Name: "Subs", Object: "Subscription__c"}
	name := sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"}).ID
	mrr := sh.AddColumn(sheets.Column{Name: "MRR", Type: sheets.TypeNumber, Field: "MRR__c"}).ID
	arr := sh.AddColumn(sheets.Column{Name: "ARR", Type: sheets.TypeNumber, Field: "ARR__c", ReadOnly: true}).ID
	active := sh.AddColumn(sheets.Column{Name: "Active", Type: sheets.TypeBool, Field: "Active__c"}).ID
	sh.KeyColumn = name
	sh.Sync.CreateMissing = true
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	row := env.rowByRecord(sh.ID, sub)
	if row.Cells[arr] != "1200" {
		t.Fatalf("ARR after the pull = %q, want 1200", row.Cells[arr])
	}
	env.edit(sh.ID, row.ID, mrr, "250")
	added, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{name: "Platinum", mrr: "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Updated != 1 || run.Counts.Created != 1 || run.Counts.Pulled != 0 {
		t.Fatalf("push %s %+v (%s): want 1 updated, 1 created, nothing counted as pulled", run.Status, run.Counts, run.Message)
	}
	if got := env.rowByRecord(sh.ID, sub); got.Cells[arr] != "3000" || got.State != sheets.StateSynced {
		t.Errorf("ARR right after the push = %q (%s), want 3000: the push reads back what it wrote", got.Cells[arr], got.State)
	}
	created, err := env.svc.Row(sh.ID, added[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if created.Cells[arr] != "12000" || created.Cells[active] != "true" || created.State != sheets.StateSynced {
		t.Errorf("created row after the push: ARR %q Active %q %s; want 12000, true (Salesforce's default), synced", created.Cells[arr], created.Cells[active], created.State)
	}
	// changed-since re-read, key lookup of the new row, one update, one
	// create, one read-back.
	if run.APICalls != 5 || plan.APICalls != run.APICalls {
		t.Errorf("push spent %d calls, the plan said %d; want 5 and equal", run.APICalls, plan.APICalls)
	}
}

// TestLargePullRunsAsBulkQuery: a pull of more records than
// crm.DefaultBulkQueryThreshold reads them with one Bulk API 2.0 queryAll
// job (its CSV text converted as query JSON is), and lands the same cells
// as REST paging does; a second pull of the same sheet is incremental and
// stays on REST.
func TestLargePullRunsAsBulkQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10k records")
	}
	env := newTestEnv(t)
	n := crm.DefaultBulkQueryThreshold + 100
	ids := env.seedContacts(n)
	env.insert("Contact", map[string]any{"LastName": "NoCompany", "Email": "", "Title": "  padded  "})
	env.clock.Advance(10 * 24 * time.Hour) // older than the lookback
	bulkSheet := env.contactSheetNamed("Bulk", false)
	run := env.sync(bulkSheet.ID, SyncOptions{Direction: sheets.Pull})
	if run.Counts.Pulled != n+1 || run.Status != sheets.RunSucceeded {
		t.Fatalf("bulk pull %s %+v", run.Status, run.Counts)
	}
	// One REST page (its totalSize chose Bulk), create, polls, one results
	// page: far under the 6 pages REST needs.
	if run.APICalls > 8 {
		t.Errorf("bulk pull spent %d calls", run.APICalls)
	}
	acc, _, err := env.org.IssueToken(env.url)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, env.url+"/services/data/v66.0/jobs/query", nil)
	req.Header.Set("Authorization", "Bearer "+acc)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Records []struct{ Operation string } `json:"records"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Records) != 1 || list.Records[0].Operation != "queryAll" {
		t.Fatalf("query jobs = %+v, want one queryAll job", list.Records)
	}
	// The same records through REST pages only.
	restEnv := env.svc.opt.BulkThreshold
	env.svc.opt.BulkThreshold = -1
	restSheet := env.contactSheetNamed("REST", false)
	env.sync(restSheet.ID, SyncOptions{Direction: sheets.Pull})
	env.svc.opt.BulkThreshold = restEnv
	for _, id := range append(ids[:50:50], ids[n-50:]...) {
		b, r := env.rowByRecord(bulkSheet.ID, id), env.rowByRecord(restSheet.ID, id)
		if !maps.Equal(b.Cells, r.Cells) || !maps.Equal(b.Base, r.Base) || !b.RemoteModified.Equal(r.RemoteModified) {
			t.Fatalf("record %s: bulk pull %v / %v, REST pull %v / %v", id, b.Cells, b.RemoteModified, r.Cells, r.RemoteModified)
		}
	}
	again := env.sync(bulkSheet.ID, SyncOptions{Direction: sheets.Pull})
	if again.APICalls != 1 || again.Counts.Pulled != 0 {
		t.Errorf("incremental pull after the bulk pull: %d calls, %+v", again.APICalls, again.Counts)
	}
}

// TestReadBackWithoutFreshMark: a sheet never pulled (typed in or made
// from a file) has no fresh mark; the records its push creates are still
// read back with one changed-since query from when the push began sending,
// not one query per 200 ids.
func TestReadBackWithoutFreshMark(t *testing.T) {
	env := newTestEnv(t)
	sh := &sheets.Sheet{Name: "New subs", Object: "Subscription__c"}
	name := sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"}).ID
	mrr := sh.AddColumn(sheets.Column{Name: "MRR", Type: sheets.TypeNumber, Field: "MRR__c"}).ID
	arr := sh.AddColumn(sheets.Column{Name: "ARR", Type: sheets.TypeNumber, Field: "ARR__c", ReadOnly: true}).ID
	sh.KeyColumn = name
	sh.Sync.CreateMissing = true
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	var add []map[string]string
	for i := range 500 {
		add = append(add, map[string]string{name: fmt.Sprintf("Sub %03d", i), mrr: fmt.Sprint(i + 1)})
	}
	if _, err := env.svc.AddRows(sh.ID, 0, add); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 500 {
		t.Fatalf("push %s %+v (%s)", run.Status, run.Counts, run.Message)
	}
	for _, r := range env.rows(sh.ID) {
		if want := fmt.Sprint(12 * func() int { var n int; fmt.Sscan(r.Cells[mrr], &n); return n }()); r.Cells[arr] != want {
			t.Fatalf("row %s: ARR %q, want %s", r.Cells[name], r.Cells[arr], want)
		}
	}
	// Key lookups (3 IN queries), 3 create calls, 1 read-back query.
	if run.APICalls != 7 {
		t.Errorf("push spent %d calls, want 7", run.APICalls)
	}
}

// TestRunWaitedForSalesforce: a run records how long it waited for
// Salesforce, at least the demo org's latency on each of its calls and
// never more than the run lasted, and the history keeps it.
func TestRunWaitedForSalesforce(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(5)
	sh := env.contactSheet(false)
	const latency = 15 * time.Millisecond
	env.org.SetFaults(emulator.Faults{Latency: latency})
	start := time.Now()
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	lasted := time.Since(start) // the run's own times are the test's clock
	if run.APICalls == 0 {
		t.Fatalf("the pull made no call: %+v", run)
	}
	if least := time.Duration(run.APICalls) * latency; run.SalesforceTime < least {
		t.Errorf("waited for Salesforce %v over %d calls, want at least %v", run.SalesforceTime, run.APICalls, least)
	}
	if run.SalesforceTime > lasted {
		t.Errorf("waited for Salesforce %v, longer than the run (%v)", run.SalesforceTime, lasted)
	}
	stored, err := env.svc.RunRecord(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SalesforceTime != run.SalesforceTime {
		t.Errorf("history keeps %v, the run had %v", stored.SalesforceTime, run.SalesforceTime)
	}
}

// TestConcurrentRunsCountTheirOwnCalls: two runs on one client at once
// (a scheduled sync beside one the user started, on other sheets) each
// record their own calls and waits, as when they run alone, never the
// other's.
func TestConcurrentRunsCountTheirOwnCalls(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(30)
	people := env.contactSheet(false)
	accounts, err := env.svc.NewSheetFromTemplate("accounts", "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	const latency = 20 * time.Millisecond
	env.org.SetFaults(emulator.Faults{Latency: latency})
	full := SyncOptions{Direction: sheets.Pull, Full: true}
	alone := map[string]int{}
	for _, sh := range []*sheets.Sheet{people, accounts} {
		alone[sh.ID] = env.sync(sh.ID, full).APICalls
	}
	runs := make([]*sheets.Run, 2)
	lasted := make([]time.Duration, 2)
	errs := make(chan error, 2)
	for i, sh := range []*sheets.Sheet{people, accounts} {
		go func() {
			start := time.Now()
			run, err := env.svc.Sync(env.ctx, sh.ID, full, nil)
			runs[i], lasted[i] = run, time.Since(start)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, sh := range []*sheets.Sheet{people, accounts} {
		r := runs[i]
		if r.APICalls != alone[sh.ID] {
			t.Errorf("%s: %d API calls beside another run, %d alone", sh.Name, r.APICalls, alone[sh.ID])
		}
		if r.SalesforceTime < time.Duration(r.APICalls)*latency || r.SalesforceTime > lasted[i] {
			t.Errorf("%s: waited %v for Salesforce over %d calls in %v", sh.Name, r.SalesforceTime, r.APICalls, lasted[i])
		}
	}
}
