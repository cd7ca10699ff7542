package app

import (
	"strings"
	"testing"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// TestDuplicateRuleDecisions: a create the demo org's duplicate rule
// refuses keeps the matching record on the row; linking the row sends its
// values to that record (no create), creating anyway makes a second record
// with the same e-mail; both are decisions the user takes on the row.
func TestDuplicateRuleDecisions(t *testing.T) {
	env := newTestEnv(t)
	existing := env.insert("Contact", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})
	sh := env.contactSheet(true)
	sh.KeyColumn = "" // a sheet matched by record id only: the duplicate rule is the safety net
	if err := env.svc.SaveSheetSettings(sh, "no key"); err != nil {
		t.Fatal(err)
	}
	rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{col(t, sh, "Last"): "Lovelace", col(t, sh, "Email"): "ada@example.com", col(t, sh, "Title"): "Countess"},
		{col(t, sh, "Last"): "Byron", col(t, sh, "Email"): "ADA@example.com"},
		{col(t, sh, "Last"): "Babbage", col(t, sh, "Email"): "charles@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 1 || run.Counts.Failed != 2 || run.Status != sheets.RunPartial {
		t.Fatalf("first push: %+v %s", run.Counts, run.Status)
	}
	outs, err := env.svc.Outcomes(run.ID, true)
	if err != nil || len(outs) != 2 || outs[0].StatusCode != crm.CodeDuplicatesDetected || !strings.Contains(outs[0].Message, "create it anyway") {
		t.Fatalf("outcomes %+v (%v)", outs, err)
	}
	for _, r := range rows[:2] {
		got, _ := env.svc.Row(sh.ID, r.ID)
		m := got.Candidates[sheets.DuplicatesKey]
		if got.State != sheets.StateError || len(m) != 1 || m[0].ID != existing || m[0].Name != "Ada Lovelace" || m[0].Email != "ada@example.com" {
			t.Fatalf("row %d after the refused create: state %s, matches %+v", r.ID, got.State, m)
		}
	}
	if _, err := env.svc.SettleDuplicate(sh.ID, rows[2].ID, ""); err == nil {
		t.Error("a row without a duplicate was settled")
	}
	if _, err := env.svc.SettleDuplicate(sh.ID, rows[0].ID, "003000000000000AAA"); err == nil {
		t.Error("a row was linked to a record the rule did not match")
	}
	if _, err := env.svc.SettleDuplicate(sh.ID, rows[0].ID, existing); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.SettleDuplicate(sh.ID, rows[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	run = env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 1 || run.Counts.Updated != 1 || run.Counts.Failed != 0 {
		t.Fatalf("push after the decisions: %+v (%s)", run.Counts, run.Message)
	}
	if env.get("Contact", existing, "Title") != "Countess" || env.get("Contact", existing, "FirstName") != "Ada" {
		t.Error("the linked row's values did not go to the existing record (or a blank cell erased its first name)")
	}
	linked, _ := env.svc.Row(sh.ID, rows[0].ID)
	anyway, _ := env.svc.Row(sh.ID, rows[1].ID)
	if linked.RecordID != existing || anyway.RecordID == "" || anyway.RecordID == existing || len(anyway.Candidates) > 0 {
		t.Fatalf("rows after the push: linked %+v, created anyway %+v", linked, anyway)
	}
	if e, _ := env.get("Contact", anyway.RecordID, "Email").(string); !strings.EqualFold(e, "ada@example.com") {
		t.Error("the row created anyway is not in the org")
	}
	// Nothing left to send: the decision is not applied twice.
	if run = env.sync(sh.ID, SyncOptions{Direction: sheets.Push}); run.Counts.Created+run.Counts.Updated+run.Counts.Failed != 0 {
		t.Fatalf("third push sent %+v", run.Counts)
	}
}

// TestDuplicatesInABulkPush: a push big enough for Bulk API 2.0 gets the
// matches of its refused duplicates too (asked again by Collections), and
// the rows created anyway go with the duplicate rule header.
func TestDuplicatesInABulkPush(t *testing.T) {
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 2 }))
	existing := env.insert("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.com"})
	sh := env.contactSheet(true)
	sh.KeyColumn = ""
	if err := env.svc.SaveSheetSettings(sh, "no key"); err != nil {
		t.Fatal(err)
	}
	rows, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{col(t, sh, "Last"): "Byron", col(t, sh, "Email"): "ada@example.com"},
		{col(t, sh, "Last"): "Babbage", col(t, sh, "Email"): "charles@example.com"},
		{col(t, sh, "Last"): "Somerville", col(t, sh, "Email"): "mary@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	got, _ := env.svc.Row(sh.ID, rows[0].ID)
	if run.Counts.Created != 2 || run.Counts.Failed != 1 || len(got.Candidates[sheets.DuplicatesKey]) != 1 || got.Candidates[sheets.DuplicatesKey][0].ID != existing {
		t.Fatalf("bulk push: %+v, duplicate row %+v", run.Counts, got)
	}
	if _, err := env.svc.SettleDuplicate(sh.ID, rows[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{col(t, sh, "Last"): "Hopper", col(t, sh, "Email"): "grace@example.com"},
		{col(t, sh, "Last"): "Hamilton", col(t, sh, "Email"): "margaret@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	if run = env.sync(sh.ID, SyncOptions{Direction: sheets.Push}); run.Counts.Created != 3 || run.Counts.Failed != 0 {
		t.Fatalf("bulk push with a row created anyway: %+v (%s)", run.Counts, run.Message)
	}
}
