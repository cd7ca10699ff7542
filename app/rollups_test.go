package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// TestRollupColumns: on Accounts, the sum of Closed Won Opportunity
// Amount, the count of open Cases and the date of the last Task, each a
// read-only column filled at once and refreshed by every pull with one
// aggregate query per column; a bad condition is refused with Salesforce's
// words and adds nothing.
func TestRollupColumns(t *testing.T) {
	env := newTestEnv(t)
	acme := env.insert("Account", map[string]any{"Name": "Acme"})
	globex := env.insert("Account", map[string]any{"Name": "Globex"})
	env.insert("Opportunity", map[string]any{"Name": "A1", "AccountId": acme, "StageName": "Closed Won", "CloseDate": "2026-01-10", "Amount": 1000})
	env.insert("Opportunity", map[string]any{"Name": "A2", "AccountId": acme, "StageName": "Closed Won", "CloseDate": "2026-02-10", "Amount": 2500.5})
	env.insert("Opportunity", map[string]any{"Name": "A3", "AccountId": acme, "StageName": "Prospecting", "CloseDate": "2026-03-10", "Amount": 9999})
	env.insert("Case", map[string]any{"Subject": "Open", "AccountId": acme, "Status": "New"})
	env.insert("Case", map[string]any{"Subject": "Done", "AccountId": acme, "Status": "Closed"})
	env.insert("Task", map[string]any{"Subject": "Call", "WhatId": acme, "ActivityDate": "2026-02-01"})
	env.insert("Task", map[string]any{"Subject": "Call", "WhatId": acme, "ActivityDate": "2026-02-20"})

	sh, err := env.svc.NewSheetFromTemplate("accounts", "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})

	children, err := env.svc.RollupChildren(env.ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	var opp *RollupChild
	for i := range children {
		if children[i].Object == "Opportunity" {
			opp = &children[i]
		}
	}
	if opp == nil || opp.Via != "AccountId" {
		t.Fatalf("roll-up choices lack Opportunities: %+v", children)
	}

	if _, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "Bad", sheets.Rollup{Func: "sum", Child: "Opportunity", Field: "Amount", Where: "Stage = 'Closed Won'"}); err == nil || !strings.Contains(err.Error(), "Stage") {
		t.Fatalf("a condition on a field that does not exist: %v", err)
	}
	if _, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "Bad", sheets.Rollup{Func: "sum", Child: "Opportunity", Field: "CloseDate"}); err == nil {
		t.Fatal("a sum of dates was accepted")
	}
	won, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "Won", sheets.Rollup{Func: "sum", Child: "Opportunity", Field: "Amount", Where: "StageName = 'Closed Won'"})
	if err != nil {
		t.Fatal(err)
	}
	open, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "Open cases", sheets.Rollup{Func: "count", Child: "Case", Where: "IsClosed = false"})
	if err != nil {
		t.Fatal(err)
	}
	last, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "", sheets.Rollup{Func: "max", Child: "Task", Field: "ActivityDate"})
	if err != nil {
		t.Fatal(err)
	}
	if !won.ReadOnly || won.Field != "" || won.Type != sheets.TypeCurrency || open.Type != sheets.TypeNumber || last.Type != sheets.TypeDate || last.Name != "MAX(Task.ActivityDate)" {
		t.Fatalf("roll-up columns %+v %+v %+v", won, open, last)
	}
	check := func(id, wantWon, wantOpen, wantLast string) {
		t.Helper()
		r := env.rowByRecord(sh.ID, id)
		if r.Get(won.ID) != wantWon || r.Get(open.ID) != wantOpen || r.Get(last.ID) != wantLast {
			t.Fatalf("row %s: won %q open %q last %q; want %q %q %q", id, r.Get(won.ID), r.Get(open.ID), r.Get(last.ID), wantWon, wantOpen, wantLast)
		}
		if r.State != sheets.StateSynced {
			t.Fatalf("a roll-up reads as an edit: state %s", r.State)
		}
	}
	check(acme, "3500.5", "1", "2026-02-20")
	// The latest deal's stage (a parent-to-child subquery, not an
	// aggregate): A3 was created last.
	stage, err := env.svc.AddRollupColumn(env.ctx, sh.ID, "Latest stage", sheets.Rollup{Func: "latest", Child: "Opportunity", Field: "StageName"})
	if err != nil {
		t.Fatal(err)
	}
	if got := env.rowByRecord(sh.ID, acme).Get(stage.ID); got != "Prospecting" || stage.Type != sheets.TypeText {
		t.Fatalf("latest stage %q (type %s), want Prospecting", got, stage.Type)
	}
	if got := env.rowByRecord(sh.ID, globex).Get(stage.ID); got != "" {
		t.Fatalf("latest stage of an account without deals: %q", got)
	}
	check(globex, "", "0", "")

	// A new deal won in Salesforce: the next (incremental) pull refreshes
	// the sum, with one aggregate query per roll-up column.
	env.clock.Advance(60_000_000_000)
	env.insert("Opportunity", map[string]any{"Name": "G1", "AccountId": globex, "StageName": "Closed Won", "CloseDate": "2026-03-01", "Amount": 700})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	check(globex, "700", "0", "")
	if got := env.rowByRecord(sh.ID, globex).Get(stage.ID); got != "Closed Won" {
		t.Fatalf("latest stage after the new deal: %q", got)
	}
	if run.APICalls > 7 {
		t.Errorf("the pull made %d API calls for 2 rows and 4 roll-ups: not one aggregate query per column", run.APICalls)
	}
	// A push never sends a roll-up.
	if p, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push}); err != nil || p.Updates != 0 {
		t.Fatalf("plan after the roll-ups: %+v %v", p, err)
	}
}

// TestRollupQueryFitsTheURILimit: a batch of roll-up parent ids, sized by
// rollupBatchSize for a long condition, stays under Salesforce's
// 16,384-byte URI limit once encoded on a long My Domain URL, so a big
// sheet never meets ErrQueryTooLong; a short condition gets more ids per
// query than a long one, and well over the 300 of a fixed batch.
func TestRollupQueryFitsTheURILimit(t *testing.T) {
	const instance = "https://acme-corporation-worldwide.my.salesforce.com"
	c, err := crm.NewClient(instance, crm.WithAPIVersion("62.0"))
	if err != nil {
		t.Fatal(err)
	}
	long := "StageName = 'Closed Won' AND CloseDate = LAST_N_DAYS:365 AND " + strings.Repeat("Amount > 1000 AND ", 20) + "IsDeleted = false"
	sizes := map[string]int{}
	for _, where := range []string{"", long} {
		for _, fn := range []string{"sum", "latest"} {
			r := sheets.Rollup{Func: fn, Child: "Opportunity", Via: "AccountId", Field: "Amount", Relationship: "Opportunities", Where: where}
			n, err := rollupBatchSize(context.Background(), c, "Account", []sheets.Column{{Name: "Won", Rollup: &r}})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("001Dn00000%05dAAA", i)
			}
			q := rollupQuery("Account", r, ids)
			if u := len(instance + "/services/data/v62.0/query?q=" + url.QueryEscape(q)); u > 16384 {
				t.Errorf("%s where %.20q: %d-byte URI for %d ids", fn, where, u, n)
			}
			sizes[fn+where] = n
		}
	}
	if sizes["sum"] <= sizes["sum"+long] || sizes["sum"] < 500 {
		t.Errorf("batch sizes %v: a short condition should fit more ids, and over 500", sizes)
	}
}
