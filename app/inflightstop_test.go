package app

import (
	"testing"

	"crmsheets/sheets"
)

// TestStoppedPushKeepsAnEarlierRunsSend: a push that recognises a value an
// interrupted run sent (its in-flight entry: Salesforce holds the value,
// the row's base does not) and then stops before its write-back — here the
// API budget, on a later round's key lookup — keeps that entry, so the
// next push still moves the base and the row's new edit goes out without
// a conflict.
func TestStoppedPushKeepsAnEarlierRunsSend(t *testing.T) {
	defer func(n int) { bulkPlanRows = n }(bulkPlanRows)
	bulkPlanRows = 1 // the sent row and the new row in two rounds
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 1 }))
	ids := env.seedContacts(2)
	sh := env.contactSheet(true)
	sh.Sync.APIReserve = 0.5
	if err := env.svc.SaveSheetSettings(sh, "reserve"); err != nil {
		t.Fatal(err)
	}
	pulled := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
	a := env.rowByRecord(sh.ID, ids[0])

	// The interrupted run: its update reached Salesforce, not the row.
	const sent = "Sent by a dead run"
	env.edit(sh.ID, a.ID, title, sent)
	if err := env.org.Update("Contact", ids[0], map[string]any{"Title": sent}); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.store.PutSetting(inflightKey(sh.ID), inflightUpdates{rowKey(a.ID): {title: sent}}); err != nil {
		t.Fatal(err)
	}
	// A new row whose key lookup comes in the second round.
	if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{last: "New", email: "new.person@example.com", title: "New"}}); err != nil {
		t.Fatal(err)
	}
	// The org allows the freshness check, then the reserve stops the run.
	used := pulled.APIUsed
	env.org.SetDailyAPILimit(2*used + 1)
	stopped := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if stopped.Status == sheets.RunSucceeded {
		t.Fatalf("the push was not stopped by the budget: %s %q %+v", stopped.Status, stopped.Message, stopped.Counts)
	}
	kept := inflightUpdates{}
	if _, err := env.svc.store.GetSetting(inflightKey(sh.ID), &kept); err != nil {
		t.Fatal(err)
	}
	if r := env.rowByRecord(sh.ID, ids[0]); kept[rowKey(a.ID)][title] != sent && r.Base[title] != sent {
		t.Errorf("after the stopped push neither the in-flight entry (%v) nor the row's base (%q) remembers the earlier send", kept, r.Base[title])
	}

	env.org.SetDailyAPILimit(100000)
	env.edit(sh.ID, a.ID, title, "Edited again")
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: sheets.PolicyReview})
	if run.Counts.Conflicts != 0 || run.Counts.Updated != 1 || run.Counts.Created != 1 {
		t.Errorf("push after the stopped one: %s %+v, want one update, one create, no conflict", run.Status, run.Counts)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Edited again" {
		t.Errorf("org Title %v, want the new edit", got)
	}
}
