package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

func TestOrgs(t *testing.T) {
	env := newTestEnv(t)
	s := env.svc
	orgs, err := s.Orgs()
	if err != nil || len(orgs) != 1 || orgs[0].ID != DemoOrgID {
		t.Fatalf("new home orgs = %+v, %v; want the demo org only", orgs, err)
	}
	if st := s.Status(); st.State != StateConnected || st.Env != EnvDemo || st.Username == "" || st.Production {
		t.Errorf("status after connectDemo = %+v, want connected demo org with a user", st)
	}

	tests := []struct {
		name    string
		org     Org
		wantErr bool
		prod    bool
	}{
		{"production", Org{Name: "Prod", Env: EnvProduction}, false, true},
		{"sandbox", Org{Name: "UAT", Env: EnvSandbox}, false, false},
		{"my domain", Org{Name: "Acme", Env: EnvMyDomain, URL: "https://acme.my.salesforce.com/"}, false, true},
		{"my domain sandbox", Org{Env: EnvMyDomain, URL: "https://acme--uat.sandbox.my.salesforce.com"}, false, false},
		{"loopback emulator", Org{Env: EnvMyDomain, URL: "http://127.0.0.1:8787"}, false, false},
		{"loopback declared production", Org{Env: EnvMyDomain, URL: "http://127.0.0.1:8788", Declared: EnvProduction}, false, true},
		{"my domain declared sandbox", Org{Env: EnvMyDomain, URL: "https://acme-uat.my.salesforce.com", Declared: EnvSandbox}, false, false},
		{"declared something else", Org{Env: EnvMyDomain, URL: "https://beta.my.salesforce.com", Declared: EnvDemo}, true, false},
		{"plain http", Org{Env: EnvMyDomain, URL: "http://acme.example.com"}, true, false},
		{"no url", Org{Env: EnvMyDomain}, true, false},
		{"unknown env", Org{Env: "moon"}, true, false},
		{"second demo", Org{Env: EnvDemo}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := s.addOrg(tt.org)
			if (err != nil) != tt.wantErr {
				t.Fatalf("addOrg(%+v) error %v, want error %v", tt.org, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if o.ID == "" || o.Production() != tt.prod || strings.HasSuffix(o.URL, "/") {
				t.Errorf("added %+v: production %v, want %v", o, o.Production(), tt.prod)
			}
		})
	}
	orgs, _ = s.Orgs()
	if len(orgs) != 8 {
		t.Fatalf("%d orgs saved, want 8", len(orgs))
	}
	sandbox := orgs[2]
	if err := s.SwitchOrg(sandbox.ID); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.State != StateDisconnected || st.OrgID != sandbox.ID {
		t.Errorf("after switching: %+v, want the sandbox, disconnected", st)
	}
	if _, err := s.Sheets(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Plan(env.ctx, "nope", SyncOptions{}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("plan while disconnected: %v, want ErrNotConnected", err)
	}
	if err := s.ConnectActive(env.ctx); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("ConnectActive on a never-connected org: %v, want ErrNeedsReauth", err)
	}
	if st := s.Status(); st.State != StateNeedsReauth {
		t.Errorf("status = %s, want needs-reauth", st.State)
	}
	if err := s.RemoveOrg(sandbox.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.ActiveOrg(); a.ID != DemoOrgID {
		t.Errorf("removing the active org left %q active, want the demo org", a.ID)
	}
	if err := s.RemoveOrg(DemoOrgID); err == nil {
		t.Error("the demo org was removed")
	}
	if err := s.SwitchOrg("org-missing"); !errors.Is(err, ErrUnknownOrg) {
		t.Errorf("switch to a missing org: %v, want ErrUnknownOrg", err)
	}
	// Orgs survive a restart.
	s.Close()
	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	orgs, _ = env.svc.Orgs()
	if len(orgs) != 7 {
		t.Errorf("after restart %d orgs, want 7", len(orgs))
	}
	for _, o := range orgs {
		if o.URL == "http://127.0.0.1:8788" && !o.Production() {
			t.Errorf("after restart the org declared production is not: %+v", o)
		}
	}
}

func TestDisconnect(t *testing.T) {
	env := newTestEnv(t)
	if err := env.svc.Disconnect(env.ctx); err != nil {
		t.Fatal(err)
	}
	if st := env.svc.Status(); st.State != StateDisconnected {
		t.Errorf("after Disconnect: %s", st.State)
	}
	if err := env.svc.ConnectActive(env.ctx); err != nil {
		t.Fatalf("reconnect the demo org: %v", err)
	}
	st, err := env.svc.RefreshUsage(env.ctx)
	if err != nil || st.APILimit == 0 || st.APIUsed == 0 {
		t.Errorf("usage = %d/%d, %v; want known figures", st.APIUsed, st.APILimit, err)
	}
}

// TestNoDemoOrg checks that a Service built without a demo org says so
// instead of failing somewhere deeper.
func TestNoDemoOrg(t *testing.T) {
	svc, err := Open(context.Background(), Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.connectDemo(context.Background()); !errors.Is(err, ErrNoDemoOrg) {
		t.Errorf("connectDemo without a demo org: %v, want ErrNoDemoOrg", err)
	}
}

func TestResolveAllConflicts(t *testing.T) {
	for _, keepSheet := range []bool{true, false} {
		t.Run(map[bool]string{true: "keep sheet", false: "take Salesforce"}[keepSheet], func(t *testing.T) {
			env := newTestEnv(t)
			ids := env.seedContacts(3)
			sh := env.contactSheet(false)
			env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
			title := col(t, sh, "Title")
			env.editAll(sh.ID, title, "Mine", 0)
			for _, id := range ids {
				if err := env.org.Update("Contact", id, map[string]any{"Title": "Theirs"}); err != nil {
					t.Fatal(err)
				}
			}
			run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Policy: sheets.PolicyReview})
			if run.Counts.Conflicts != 3 {
				t.Fatalf("run %+v, want 3 conflicts", run.Counts)
			}
			n, err := env.svc.ResolveAll(sh.ID, nil, keepSheet)
			if err != nil || n != 3 {
				t.Fatalf("ResolveAll = %d, %v; want 3", n, err)
			}
			if cs, _ := env.svc.Conflicts(sh.ID); len(cs) != 0 {
				t.Errorf("%d conflicts left", len(cs))
			}
			env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Policy: sheets.PolicyReview})
			want := map[bool]string{true: "Mine", false: "Theirs"}[keepSheet]
			for _, id := range ids {
				if got := env.get("Contact", id, "Title"); got != want {
					t.Errorf("org Title %v, want %s", got, want)
				}
				if r := env.rowByRecord(sh.ID, id); r.Cells[title] != want || r.State != sheets.StateSynced {
					t.Errorf("row Title %q %s, want %s synced", r.Cells[title], r.State, want)
				}
			}
		})
	}
}

func TestValidateFilter(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(12)
	sh := env.contactSheet(false)
	tests := []struct {
		name      string
		where     string
		wantCount int
		wantErr   bool
	}{
		{"everything", "", 12, false},
		{"like", "Email LIKE 'person1%'", 3, false},
		{"with WHERE", "WHERE LastName = 'Last4'", 1, false},
		{"unknown field", "Nope__c = 1", 0, true},
		{"malformed", "LastName = ", 0, true},
		{"injection", "LastName = 'x') OR (Id != null", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, err := env.svc.ValidateFilter(env.ctx, sh.ID, tt.where)
			if tt.wantErr {
				var fe *FilterError
				if !errors.As(err, &fe) && !errors.Is(err, crm.ErrUnsafeSOQL) {
					t.Fatalf("ValidateFilter(%q) = %+v, %v; want a FilterError", tt.where, fc, err)
				}
				if fe != nil && fe.Message == "" {
					t.Errorf("no Salesforce message in %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fc.Count != tt.wantCount || len(fc.Samples) != min(tt.wantCount, FilterSamples) {
				t.Errorf("count %d samples %d, want %d", fc.Count, len(fc.Samples), tt.wantCount)
			}
			for _, s := range fc.Samples {
				if s["Email"] == "" || s["Id"] == "" {
					t.Errorf("sample %+v lacks Email or Id", s)
				}
			}
		})
	}
}

func TestPlanWritesNothing(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(5)
	sh := env.contactSheet(true)
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull})
	if err != nil {
		t.Fatal(err)
	}
	if plan.New != 5 || plan.APICalls != 1 || plan.APICallsSpent != 1 || plan.APILimit == 0 {
		t.Errorf("first pull plan %+v, want 5 new rows for one query page, and one page to pull", plan)
	}
	if len(plan.Changes) != 5 || plan.Unlisted != 0 {
		t.Errorf("first pull plan lists %d records (%d unlisted), want all 5", len(plan.Changes), plan.Unlisted)
	}
	if n, _ := env.svc.RowCount(sh.ID); n != 0 {
		t.Fatalf("plan wrote %d rows", n)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
	env.edit(sh.ID, env.rowByRecord(sh.ID, ids[0]).ID, title, "Boss")
	env.org.Update("Contact", ids[1], map[string]any{"Title": "Remote"})
	env.svc.AddRows(sh.ID, 0, []map[string]string{{last: "Fresh", email: "fresh@example.com"}})
	before, _ := env.svc.Runs(RunQuery{SheetID: sh.ID})
	plan, err = env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Both})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Updates != 1 || plan.Creates != 1 || plan.Refreshes != 1 {
		t.Errorf("both plan: %d updates %d creates %d refreshes, want 1 each (%+v)", plan.Updates, plan.Creates, plan.Refreshes, plan)
	}
	var sawUpdate, sawRefresh bool
	for _, c := range plan.Changes {
		if c.Op == sheets.OpUpdate && c.Field == "Title" && c.Old == "Engineer" && c.New == "Boss" {
			sawUpdate = true
		}
		if c.Op == sheets.OpRefresh && c.Target == "sheet" && c.New == "Remote" {
			sawRefresh = true
		}
	}
	if !sawUpdate || !sawRefresh {
		t.Errorf("diff %+v lacks Engineer → Boss or the refresh to Remote", plan.Changes)
	}
	if env.get("Contact", ids[0], "Title") != "Engineer" || env.org.Count("Contact") != 5 {
		t.Error("the plan wrote to the org")
	}
	if r := env.rowByRecord(sh.ID, ids[1]); r.Cells[title] != "Engineer" {
		t.Error("the plan wrote to the sheet")
	}
	if after, _ := env.svc.Runs(RunQuery{SheetID: sh.ID}); len(after) != len(before) {
		t.Error("the plan was recorded as a run")
	}
}

func TestSyncAllOrdersParentsFirst(t *testing.T) {
	env := newTestEnv(t)
	contacts := env.contactSheet(true)
	accounts := &sheets.Sheet{Name: "Accounts", Object: "Account"}
	an := accounts.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"})
	accounts.KeyColumn = an.ID
	accounts.Sync.CreateMissing = true
	accounts, err := env.svc.NewLocalSheet(accounts)
	if err != nil {
		t.Fatal(err)
	}
	// A new contact points at a new account: only accounts-first works.
	if _, err := env.svc.AddRows(accounts.ID, 0, []map[string]string{{an.ID: "Newco"}}); err != nil {
		t.Fatal(err)
	}
	last, email, company := col(t, contacts, "Last"), col(t, contacts, "Email"), col(t, contacts, "Company")
	if _, err := env.svc.AddRows(contacts.ID, 0, []map[string]string{{last: "Hire", email: "hire@newco.example", company: "Newco"}}); err != nil {
		t.Fatal(err)
	}
	runs, err := env.svc.SyncAll(env.ctx, SyncOptions{Direction: sheets.Push}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Object != "Account" || runs[1].Object != "Contact" {
		t.Fatalf("runs %+v, want Account then Contact", runs)
	}
	if runs[1].Counts.Created != 1 {
		t.Errorf("contact run %+v, want the contact created under the new account", runs[1].Counts)
	}
}

func TestSchedulerRunsDueSheets(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(2)
	sh := env.contactSheet(false)
	if got := env.svc.RunDue(env.ctx); len(got) != 0 {
		t.Fatalf("scheduler ran %d syncs with scheduling off", len(got))
	}
	sh.Sync.EveryHours, sh.Sync.Direction = 2, sheets.Pull
	if err := env.svc.SaveSheetSettings(sh, "every 2 hours"); err != nil {
		t.Fatal(err)
	}
	runs := env.svc.RunDue(env.ctx)
	if len(runs) != 1 || runs[0].Trigger != sheets.TriggerScheduled || runs[0].Counts.Pulled != 2 {
		t.Fatalf("first due run: %+v", runs)
	}
	env.clock.Advance(time.Hour)
	if got := env.svc.RunDue(env.ctx); len(got) != 0 {
		t.Errorf("ran again after 1h of 2h")
	}
	env.clock.Advance(90 * time.Minute)
	if got := env.svc.RunDue(env.ctx); len(got) != 1 {
		t.Errorf("not run again after 2.5h")
	}
	env.svc.StartScheduler(env.ctx, nil)
	env.svc.StopScheduler()
}

// TestSchedulerRetriesFailedRunSooner: a scheduled run that fails is not
// recorded as run, so it is retried after scheduleRetry, not after a whole
// interval; the one after a success waits the interval.
func TestSchedulerRetriesFailedRunSooner(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(1)
	sh := env.contactSheet(false)
	object := sh.Object
	sh.Sync.EveryHours, sh.Sync.Direction, sh.Object = 2, sheets.Pull, "NoSuchObject__c"
	if err := env.svc.SaveSheetSettings(sh, "broken: every 2 hours"); err != nil {
		t.Fatal(err)
	}
	start := env.clock.Now()
	if runs := env.svc.RunDue(env.ctx); len(runs) == 1 && runs[0].Status == sheets.RunSucceeded {
		t.Fatalf("a run against a missing object succeeded: %+v", runs[0])
	}
	next, ok, err := env.svc.NextScheduledRun(sh.ID)
	if err != nil || !ok || next.Sub(start) > scheduleRetry+time.Minute || next.Sub(start) < scheduleRetry-time.Minute {
		t.Fatalf("next run after a failure at %v: %v (ok %v, %v), want in about %v", start, next, ok, err, scheduleRetry)
	}
	sh.Object = object // the user fixes the sheet
	if err := env.svc.SaveSheetSettings(sh, "fixed"); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(scheduleRetry / 2)
	if got := env.svc.RunDue(env.ctx); len(got) != 0 {
		t.Fatalf("retried %d time(s) before the retry delay", len(got))
	}
	env.clock.Advance(scheduleRetry)
	runs := env.svc.RunDue(env.ctx)
	if len(runs) != 1 || runs[0].Status != sheets.RunSucceeded {
		t.Fatalf("retry after %v: %+v, want one succeeded run (a whole interval is 2h)", scheduleRetry*3/2, runs)
	}
	env.clock.Advance(time.Hour)
	if got := env.svc.RunDue(env.ctx); len(got) != 0 {
		t.Errorf("ran again 1h after a success, with a 2h interval")
	}
}

// TestCloseWaitsForRuns: Close refuses new runs at once but leaves the
// store open until the run in progress ends, instead of closing it under
// the run.
func TestCloseWaitsForRuns(t *testing.T) {
	env := newTestEnv(t)
	sh := env.contactSheet(false)
	unlock, err := env.svc.lockSheet(sh.ID) // a run in progress
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- env.svc.Close() }()
	for {
		u, err := env.svc.lockSheet("another")
		if errors.Is(err, ErrClosing) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		u() // started before Close began
	}
	// Close has begun and waits: the run can still use the store.
	if _, err := env.svc.Sheets(); err != nil {
		t.Fatalf("store closed under a run in progress: %v", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a run was in progress", err)
	default:
	}
	unlock()
	if err := <-closed; err != nil {
		t.Fatalf("Close after the run ended: %v", err)
	}
}

func TestSingleRunLock(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(1)
	sh := env.contactSheet(false)
	unlock, err := env.svc.lockSheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull}, nil); !errors.Is(err, ErrSyncRunning) {
		t.Errorf("second sync: %v, want ErrSyncRunning", err)
	}
	unlock()
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
}

func TestObjectsAndSheetFromObject(t *testing.T) {
	env := newTestEnv(t)
	objs, err := env.svc.Objects(env.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Name)
	}
	for _, want := range []string{"Account", "Contact", "Lead", "Opportunity"} {
		if !slices.Contains(names, want) {
			t.Errorf("objects %v lack %s", names, want)
		}
	}
	env.insert("Lead", map[string]any{"LastName": "Lead", "Company": "Initech"})
	sh, err := env.svc.NewSheetFromObject(env.ctx, "Lead", "My leads")
	if err != nil {
		t.Fatal(err)
	}
	if sh.Name != "My leads" || sh.Object != "Lead" || len(sh.Columns) == 0 {
		t.Fatalf("sheet %+v", sh)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if run.Counts.Pulled != 1 {
		t.Errorf("pulled %d leads, want 1 (%s)", run.Counts.Pulled, run.Message)
	}
	issues, err := env.svc.ValidateMapping(env.ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		if is.Severity == fieldmap.SeverityError {
			t.Errorf("a sheet made from the describe has a mapping error: %s", is.Message)
		}
	}
}

func TestAutoMapAndConfigVersions(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(2)
	sh := &sheets.Sheet{Name: "Import", Object: "Contact"}
	sh.AddColumn(sheets.Column{Name: "E-mail", Type: sheets.TypeText})
	sh.AddColumn(sheets.Column{Name: "Surname", Type: sheets.TypeText})
	sh.AddColumn(sheets.Column{Name: "Favourite colour", Type: sheets.TypeText})
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.svc.AutoMap(env.ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Matches) != 2 {
		t.Fatalf("proposal %+v, want E-mail and Surname matched", p)
	}
	if got, _ := env.svc.Sheet(sh.ID); got.Columns[0].Field != "" {
		t.Fatal("AutoMap changed the sheet before ApplyMapping")
	}
	if _, err := env.svc.ApplyMapping(sh.ID, p); err != nil {
		t.Fatal(err)
	}
	got, _ := env.svc.Sheet(sh.ID)
	if got.Columns[0].Field != "Email" || got.Columns[0].Type != sheets.TypeEmail || got.Columns[1].Field != "LastName" {
		t.Errorf("mapped columns %+v", got.Columns)
	}
	col, err := env.svc.AddColumnFromField(env.ctx, sh.ID, "Title")
	if err != nil || col.Field != "Title" {
		t.Fatalf("AddColumnFromField = %+v, %v", col, err)
	}
	vs, err := env.svc.ConfigVersions(sh.ID)
	if err != nil || len(vs) < 3 {
		t.Fatalf("config versions %+v %v, want created, mapped, column added", vs, err)
	}
	restored, err := env.svc.RestoreConfigVersion(sh.ID, vs[0].N)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Columns[0].Field != "" {
		t.Errorf("restoring the first version kept the mapping: %+v", restored.Columns[0])
	}
	if len(restored.Columns) != 4 {
		t.Errorf("restore dropped a column: %d columns", len(restored.Columns))
	}
}

func TestEditCellsAllOrNothing(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	rows := env.rows(sh.ID)
	title, email := col(t, sh, "Title"), col(t, sh, "Email")
	got, err := env.svc.EditCells(sh.ID, []CellEdit{
		{Row: rows[0].ID, Column: title, Input: "A"},
		{Row: rows[1].ID, Column: title, Input: "B"},
		{Row: rows[0].ID, Column: email, Input: "a@example.com"},
	})
	if err != nil || len(got) != 2 || got[0].Cells[email] != "a@example.com" || got[0].State != sheets.StateModified {
		t.Fatalf("EditCells = %+v, %v", got, err)
	}
	_, err = env.svc.EditCells(sh.ID, []CellEdit{
		{Row: rows[2].ID, Column: title, Input: "C"},
		{Row: rows[2].ID, Column: email, Input: "not an e-mail"},
	})
	if !errors.Is(err, sheets.ErrInvalidValue) {
		t.Fatalf("invalid paste: %v, want ErrInvalidValue", err)
	}
	if r, _ := env.svc.Row(sh.ID, rows[2].ID); r.Cells[title] != "Engineer" {
		t.Errorf("a failed paste changed a cell: %q", r.Cells[title])
	}
}

func TestOfflineBadgeClearsWhenCallsWorkAgain(t *testing.T) {
	retry := RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxElapsed: 50 * time.Millisecond}
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Retry = &retry }))
	env.seedContacts(1)
	sh := env.contactSheet(false)
	env.org.SetFaults(emulator.Faults{Rate503: 1})
	if _, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull}, nil); err == nil {
		t.Fatal("a sync against an unavailable org succeeded")
	}
	if st := env.svc.Status(); st.State != StateOffline || st.Problem == "" {
		t.Errorf("status %s %q, want offline with the problem in words", st.State, st.Problem)
	}
	env.org.SetFaults(emulator.Faults{})
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if st := env.svc.Status(); st.State != StateConnected {
		t.Errorf("status %s after a good sync, want connected", st.State)
	}
}

// TestPlanFirstPullNamesRecords: the plan of a first pull lists the records
// it would add by their key value, the first FirstPullListed of them, and
// counts the rest, for the one API call that counts them.
func TestPlanFirstPullNamesRecords(t *testing.T) {
	env := newTestEnv(t)
	n := FirstPullListed + 7
	env.seedContacts(n)
	sh := env.contactSheet(true)
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull})
	if err != nil {
		t.Fatal(err)
	}
	if plan.New != n || plan.Unlisted != 7 || len(plan.Changes) != FirstPullListed {
		t.Fatalf("plan: %d new, %d listed, %d unlisted; want %d, %d, 7", plan.New, len(plan.Changes), plan.Unlisted, n, FirstPullListed)
	}
	if plan.APICallsSpent != 1 || plan.APICalls != 1 {
		t.Errorf("plan spent %d calls and expects %d; want 1 and 1", plan.APICallsSpent, plan.APICalls)
	}
	seen := map[string]bool{}
	for _, c := range plan.Changes {
		if c.Op != OpAdd || !strings.HasPrefix(c.Record, "person") || !strings.HasSuffix(c.Record, "@example.com") || c.RecordID == "" {
			t.Fatalf("change %+v: want an add named by its Email key", c)
		}
		seen[c.Record] = true
	}
	if len(seen) != FirstPullListed {
		t.Errorf("%d distinct records listed, want %d", len(seen), FirstPullListed)
	}
	// The same sheet filtered: only matching records are listed and counted.
	sh.Filter = "Email = 'person3@example.com'"
	if err := env.svc.SaveSheetSettings(sh, "filter"); err != nil {
		t.Fatal(err)
	}
	plan, err = env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Pull})
	if err != nil {
		t.Fatal(err)
	}
	if plan.New != 1 || len(plan.Changes) != 1 || plan.Changes[0].Record != "person3@example.com" || plan.Unlisted != 0 {
		t.Errorf("filtered plan %d new, changes %+v, %d unlisted; want person3 alone", plan.New, plan.Changes, plan.Unlisted)
	}
}

// TestUnseenFailedRunsSurviveRestart: a partial push counts as unseen in
// History, still after the app is closed and opened again; marking the
// history seen clears it, and a later failed run counts again.
func TestUnseenFailedRunsSurviveRestart(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if n, err := env.svc.UnseenFailedRuns(sh.ID); err != nil || n != 0 {
		t.Fatalf("after a clean pull: %d unseen failed runs (%v), want 0", n, err)
	}
	title := col(t, sh, "Title")
	failPush := func() {
		t.Helper()
		env.edit(sh.ID, env.rows(sh.ID)[0].ID, title, strings.Repeat("x", 300))
		run, err := env.svc.Sync(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push}, nil)
		if err != nil || run.Status != sheets.RunPartial {
			t.Fatalf("push %+v %v, want partial", run, err)
		}
	}
	failPush()
	env.svc.Close()
	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	if n, err := env.svc.UnseenFailedRuns(sh.ID); err != nil || n != 1 {
		t.Fatalf("after a restart: %d unseen failed runs (%v), want 1", n, err)
	}
	if err := env.svc.MarkHistorySeen(sh.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := env.svc.UnseenFailedRuns(sh.ID); n != 0 {
		t.Fatalf("after History was seen: %d, want 0", n)
	}
	failPush()
	if n, _ := env.svc.UnseenFailedRuns(sh.ID); n != 1 {
		t.Fatalf("after another failed run: %d, want 1", n)
	}
}
