package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// Creates whose answers are lost are not success: the run is partial, the
// rows stay create-pending with an outcome each, and the next runs settle
// them by key without creating any twice.
func TestUnconfirmedCreatesMakeThePushPartial(t *testing.T) {
	retry := RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 10 * time.Second}
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Retry = &retry; o.PushBatchSize = 20 }))
	sh := env.contactSheet(true)
	email, last := col(t, sh, "Email"), col(t, sh, "Last")
	var add []map[string]string
	for i := range 100 {
		add = append(add, map[string]string{email: fmt.Sprintf("n%d@lost.example", i), last: fmt.Sprintf("Lost %d", i)})
	}
	if _, err := env.svc.AddRows(sh.ID, 0, add); err != nil {
		t.Fatal(err)
	}
	env.org.SetFaults(emulator.Faults{DropRate: 0.4, Seed: 3})
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Status != sheets.RunPartial || r.Counts.Unconfirmed == 0 || r.Counts.Created+r.Counts.Unconfirmed != 100 ||
		!strings.Contains(r.Message, "reconciles them by key") {
		t.Fatalf("push with lost answers: %s %+v %q, want partial with unconfirmed rows", r.Status, r.Counts, r.Message)
	}
	outs, err := env.svc.Outcomes(r.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range outs {
		if o.StatusCode == CodeUnconfirmed {
			n++
			if !strings.Contains(o.Message, "@lost.example") {
				t.Errorf("unconfirmed outcome %q does not name the row's key", o.Message)
			}
		}
	}
	if n != r.Counts.Unconfirmed {
		t.Errorf("%d unconfirmed outcomes for %d unconfirmed rows", n, r.Counts.Unconfirmed)
	}
	env.org.SetFaults(emulator.Faults{})
	r = env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Status != sheets.RunSucceeded {
		t.Fatalf("next push: %s %+v %q", r.Status, r.Counts, r.Message)
	}
	seen := map[string]int{}
	for _, c := range env.org.Records("Contact") {
		seen[fmt.Sprint(c["Email"])]++
	}
	for i := range 100 {
		if e := fmt.Sprintf("n%d@lost.example", i); seen[e] != 1 {
			t.Errorf("%s: %d records, want 1", e, seen[e])
		}
	}
	for _, row := range env.rows(sh.ID) {
		if row.State != sheets.StateSynced || row.RecordID == "" {
			t.Errorf("row %d after settling: %s %q", row.ID, row.State, row.RecordID)
		}
	}
}

// A pull says how many rows it added, apart from the records it read.
func TestPullCountsAddedRows(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(3)
	sh := env.contactSheet(false)
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if r.Counts.Pulled != 3 || r.Counts.Added != 3 {
		t.Fatalf("first pull counts %+v, want 3 pulled and 3 added", r.Counts)
	}
	env.clock.Advance(time.Minute)
	env.insert("Contact", map[string]any{"LastName": "Late", "Email": "late@example.com"})
	r = env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
	if r.Counts.Pulled != 4 || r.Counts.Added != 1 || r.Counts.Unchanged != 3 {
		t.Fatalf("second pull counts %+v, want 4 pulled, 1 added, 3 unchanged", r.Counts)
	}
}

// Errors carry each piece of context once: "describe X:" and "run N:" are
// never repeated by the layers above the one that said them.
func TestErrorsDoNotRepeatTheirPrefix(t *testing.T) {
	env := newTestEnv(t)
	_, err := env.svc.RunRecord(9999)
	if err == nil || strings.Count(err.Error(), "run 9999") != 1 {
		t.Errorf("missing run: %v", err)
	}
	sh := &sheets.Sheet{Name: "Ghosts", Object: "Ghost__c"}
	sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"})
	out, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := env.svc.Sync(env.ctx, out.ID, SyncOptions{Direction: sheets.Pull}, nil)
			return err
		},
		func() error { _, err := env.svc.Plan(env.ctx, out.ID, SyncOptions{Direction: sheets.Pull}); return err },
		func() error { _, err := env.svc.Fields(env.ctx, out.ID); return err },
		func() error { _, err := env.svc.NewSheetFromObject(env.ctx, "Ghost__c", "G2"); return err },
	} {
		err := call()
		if err == nil || strings.Count(err.Error(), "describe Ghost__c") != 1 {
			t.Errorf("describe of a missing object: %v", err)
		}
	}
}

// Two rows of the sheet with one key are refused with a code that says the
// duplicate is in the sheet, not in Salesforce.
func TestDuplicateKeysInTheSheetHaveTheirOwnCode(t *testing.T) {
	env := newTestEnv(t)
	sh := env.contactSheet(true)
	email, last := col(t, sh, "Email"), col(t, sh, "Last")
	if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{email: "twin@example.com", last: "One"}, {email: "Twin@Example.com", last: "Two"},
	}); err != nil {
		t.Fatal(err)
	}
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Status != sheets.RunPartial || r.Counts.Created != 1 || r.Counts.Invalid != 1 {
		t.Fatalf("push of two rows with one key: %s %+v", r.Status, r.Counts)
	}
	outs, _ := env.svc.Outcomes(r.ID, true)
	if len(outs) != 1 || outs[0].StatusCode != "DUPLICATE_KEY_IN_SHEET" {
		t.Fatalf("outcomes %+v, want one DUPLICATE_KEY_IN_SHEET", outs)
	}
}

// Reverting a run that created records leaves the sheet true: the rows are
// marked deleted in Salesforce with their values kept, no push creates them
// again, and only RecreateRows turns them back into rows to create.
func TestRevertOfCreatesLeavesTheSheetTrue(t *testing.T) {
	env := newTestEnv(t)
	sh := env.contactSheet(true)
	email, last := col(t, sh, "Email"), col(t, sh, "Last")
	added, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{email: "a@revert.example", last: "A"}, {email: "b@revert.example", last: "B"},
	})
	if err != nil {
		t.Fatal(err)
	}
	push := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if push.Counts.Created != 2 {
		t.Fatalf("push %+v", push.Counts)
	}
	countOrg := func() int {
		n := 0
		for _, c := range env.org.Records("Contact") {
			if strings.HasSuffix(fmt.Sprint(c["Email"]), "@revert.example") {
				n++
			}
		}
		return n
	}
	rv, err := env.svc.Revert(env.ctx, push.ID, nil)
	if err != nil || rv.Counts.Deleted != 2 || countOrg() != 0 {
		t.Fatalf("revert: %+v %v, %d left in the org", rv, err, countOrg())
	}
	for _, r := range env.rows(sh.ID) {
		if r.State != sheets.StateDeletedRemotely || r.Cells[last] == "" || !strings.Contains(r.Error, "revert") {
			t.Fatalf("row after the revert: %s %v %q", r.State, r.Cells, r.Error)
		}
	}
	for _, dir := range []sheets.Direction{sheets.Push, sheets.Both, sheets.Pull} {
		r := env.sync(sh.ID, SyncOptions{Direction: dir, Full: true})
		if r.Counts.Created != 0 || countOrg() != 0 || r.Status != sheets.RunSucceeded {
			t.Fatalf("%s after the revert: %s %+v, %d records in the org", dir, r.Status, r.Counts, countOrg())
		}
	}
	if n, err := env.svc.RecreateRows(sh.ID, []sheets.RowID{added[0].ID}); err != nil || n != 1 {
		t.Fatalf("RecreateRows: %d %v", n, err)
	}
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Counts.Created != 1 || countOrg() != 1 {
		t.Fatalf("push after recreating one row: %+v, %d in the org", r.Counts, countOrg())
	}
	if left, _ := env.svc.DeletedRows(sh.ID); len(left) != 1 || left[0] != added[1].ID {
		t.Fatalf("rows still deleted: %v", left)
	}
}

// Validation follows Describe: values of unrestricted picklists are
// accepted and sent; a restricted picklist takes only its values; a
// reference cell holding an id of another object is refused before sending
// by its key prefix (FIELD_INTEGRITY_EXCEPTION), the other rows go out.
func TestValidationAsDescribeSays(t *testing.T) {
	env := newTestEnv(t)
	acct := env.insert("Account", map[string]any{"Name": "Acme"})
	contact := env.insert("Contact", map[string]any{"LastName": "Case", "Email": "case@example.com", "AccountId": acct})
	sh := &sheets.Sheet{Name: "Cases", Object: "Case"}
	subject := sh.AddColumn(sheets.Column{Name: "Subject", Type: sheets.TypeText})
	status := sh.AddColumn(sheets.Column{Name: "Status", Type: sheets.TypeText})
	who := sh.AddColumn(sheets.Column{Name: "Contact", Type: sheets.TypeText})
	sh.KeyColumn = subject.ID
	sh.Sync.CreateMissing = true
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	for col, field := range map[string]string{subject.ID: "Subject", status.ID: "Status", who.ID: "ContactId"} {
		if _, err := env.svc.MapColumnToField(env.ctx, sh.ID, col, field); err != nil {
			t.Fatal(err)
		}
	}
	sh, _ = env.svc.Sheet(sh.ID)
	if c, _ := sh.Column(status.ID); c.Type != sheets.TypePicklist || c.Restricted || len(c.Choices) == 0 {
		t.Fatalf("Status column %+v: want an unrestricted picklist with its values", c)
	}
	rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{subject.ID: "Right contact", status.ID: "working", who.ID: contact},
		{subject.ID: "Account id in ContactId", status.ID: "New", who.ID: acct},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.EditCell(sh.ID, rows[0].ID, status.ID, "Bogus Status"); err != nil {
		t.Fatalf("a value of an unrestricted picklist was refused: %v", err)
	}
	if r, _ := env.svc.EditCell(sh.ID, rows[1].ID, status.ID, "escalated"); r.Cells[status.ID] != "Escalated" {
		t.Errorf("a choice typed in another case is %q, want Salesforce's spelling", r.Cells[status.ID])
	}
	plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil || plan.Creates != 1 || plan.Invalid != 1 {
		t.Fatalf("plan: %+v %v, want 1 create and 1 invalid", plan, err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 1 || run.Counts.Invalid != 1 {
		t.Fatalf("push %+v", run.Counts)
	}
	outs, _ := env.svc.Outcomes(run.ID, true)
	if len(outs) != 1 || outs[0].StatusCode != "FIELD_INTEGRITY_EXCEPTION" || !strings.Contains(outs[0].Message, "Account record") {
		t.Fatalf("refused rows %+v", outs)
	}
	for _, c := range env.org.Records("Case") {
		if c["Subject"] == "Right contact" && c["Status"] != "Bogus Status" {
			t.Errorf("Salesforce has Status %v, want the unrestricted value", c["Status"])
		}
		if c["Subject"] == "Account id in ContactId" {
			t.Errorf("the row with a wrong-object id was sent")
		}
	}

	// A restricted picklist takes only its values.
	ash := &sheets.Sheet{Name: "Accounts", Object: "Account"}
	name := ash.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText})
	tier := ash.AddColumn(sheets.Column{Name: "Tier", Type: sheets.TypeText})
	ash, err = env.svc.NewLocalSheet(ash)
	if err != nil {
		t.Fatal(err)
	}
	for col, field := range map[string]string{name.ID: "Name", tier.ID: "Customer_Tier__c"} {
		if _, err := env.svc.MapColumnToField(env.ctx, ash.ID, col, field); err != nil {
			t.Fatal(err)
		}
	}
	ash, _ = env.svc.Sheet(ash.ID)
	if c, _ := ash.Column(tier.ID); !c.Restricted || c.Type != sheets.TypePicklist {
		t.Fatalf("restricted picklist column %+v", c)
	}
	arows, err := env.svc.AddRows(ash.ID, 0, []map[string]string{{name.ID: "Tiered"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.EditCell(ash.ID, arows[0].ID, tier.ID, "Bogus Tier"); err == nil {
		t.Error("a value outside a restricted picklist was accepted")
	}
}

// A sheet last synced longer ago than Salesforce keeps deleted records is
// not trusted to queryAll: the pull reads every record and marks the rows
// whose record was deleted and purged since; a record that merely left the
// filter is left alone.
func TestStaleSheetReconcilesWithAFullPull(t *testing.T) {
	env := newTestEnv(t)
	ids := env.seedContacts(4)
	sh := env.contactSheet(false)
	sh.Filter = "LastName != 'Hidden'"
	if err := env.svc.SaveSheetSettings(sh, "filter"); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if err := env.org.Delete("Contact", ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := env.org.Update("Contact", ids[1], map[string]any{"LastName": "Hidden"}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(16 * 24 * time.Hour) // the deletion leaves the recycle bin
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if r.Status != sheets.RunSucceeded || r.Counts.Deleted != 1 || r.Counts.Pulled != 2 || !strings.Contains(r.Message, "16 days") {
		t.Fatalf("pull of a stale sheet: %s %+v %q", r.Status, r.Counts, r.Message)
	}
	if got := env.rowByRecord(sh.ID, ids[0]); got.State != sheets.StateDeletedRemotely {
		t.Errorf("row of the purged record: %s, want deleted in Salesforce", got.State)
	}
	if got := env.rowByRecord(sh.ID, ids[1]); got.State != sheets.StateSynced {
		t.Errorf("row of the record outside the filter: %s, want left alone", got.State)
	}
	// The next pull is incremental again.
	env.clock.Advance(time.Hour)
	r = env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if r.Counts.Deleted != 0 || strings.Contains(r.Message, "days ago") {
		t.Fatalf("pull after the reconcile: %+v %q", r.Counts, r.Message)
	}
}

// Line endings are not edits, against the demo org: a street kept with CRLF
// in Salesforce whose cell now holds LF (a resaved file, a paste) sends
// nothing on push or both-ways runs; a real edit of the same row still goes
// out alone.
func TestLineEndingsAreNotSent(t *testing.T) {
	env := newTestEnv(t)
	id := env.insert("Contact", map[string]any{"LastName": "Street", "Email": "street@example.com", "MailingStreet": "1 Main St\r\nSuite 2", "Title": "Old"})
	sh := env.contactSheet(false)
	street := sh.AddColumn(sheets.Column{Name: "Street", Type: sheets.TypeTextArea, Field: "MailingStreet"})
	if err := env.svc.SaveSheetSettings(sh, "street"); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	row := env.rowByRecord(sh.ID, id)
	env.edit(sh.ID, row.ID, street.ID, "1 Main St\nSuite 2")
	for _, dir := range []sheets.Direction{sheets.Push, sheets.Both} {
		plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: dir})
		if err != nil || plan.Updates != 0 {
			t.Fatalf("%s plan after a line-ending change: %+v %v", dir, plan, err)
		}
	}
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Counts.Updated != 0 || env.get("Contact", id, "MailingStreet") != "1 Main St\r\nSuite 2" {
		t.Fatalf("push sent a line-ending change: %+v, Salesforce has %q", r.Counts, env.get("Contact", id, "MailingStreet"))
	}
	if got := env.rowByRecord(sh.ID, id); got.State != sheets.StateSynced {
		t.Errorf("row after the push: %s, want synced", got.State)
	}
	env.edit(sh.ID, row.ID, street.ID, "1 Main St\nSuite 2")
	env.edit(sh.ID, row.ID, col(t, sh, "Title"), "New")
	r = env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Counts.Updated != 1 || env.get("Contact", id, "Title") != "New" || env.get("Contact", id, "MailingStreet") != "1 Main St\r\nSuite 2" {
		t.Fatalf("push of a real edit: %+v, Title %v, street %q", r.Counts, env.get("Contact", id, "Title"), env.get("Contact", id, "MailingStreet"))
	}
}
