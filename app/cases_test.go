package app

import (
	"strings"
	"testing"

	"crmsheets/sheets"
)

// TestCasesTemplate: a sheet from the Cases template pulls cases with
// their contact's e-mail and account's name, and a new row becomes a case
// linked to both through those values; its case number (read-only, the
// key) comes back from Salesforce with the next pull.
func TestCasesTemplate(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(1)
	acct := env.insert("Account", map[string]any{"Name": "Globex Cases"})
	contact := env.insert("Contact", map[string]any{"LastName": "Case", "Email": "casey@globex.example", "AccountId": acct})
	existing := env.insert("Case", map[string]any{"Subject": "Cannot log in", "ContactId": contact, "AccountId": acct, "Origin": "Web"})

	sh, err := env.svc.NewSheetFromTemplate("cases", "Cases")
	if err != nil {
		t.Fatal(err)
	}
	if !sh.Sync.CreateMissing {
		t.Fatal("the Cases template does not create missing cases")
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
	r := env.rowByRecord(sh.ID, existing)
	if r.Get(col(t, sh, "Contact Email")) != "casey@globex.example" || r.Get(col(t, sh, "Account Name")) != "Globex Cases" ||
		r.Get(col(t, sh, "Case Number")) == "" || r.Get(col(t, sh, "Status")) != "New" {
		t.Fatalf("pulled case row: %v", r.Cells)
	}

	added, err := env.svc.AddRows(sh.ID, 0, []map[string]string{{
		col(t, sh, "Subject"): "Printer on fire", col(t, sh, "Priority"): "High", col(t, sh, "Origin"): "Phone",
		col(t, sh, "Contact Email"): "casey@globex.example", col(t, sh, "Account Name"): "Globex Cases",
	}})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both})
	if run.Counts.Created != 1 || run.Counts.Failed != 0 {
		t.Fatalf("push of a new case: %+v (%s)", run.Counts, run.Message)
	}
	row, err := env.svc.Row(sh.ID, added[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if row.RecordID == "" {
		t.Fatalf("the new case row has no record id: %+v", row)
	}
	if env.get("Case", row.RecordID, "ContactId") != contact || env.get("Case", row.RecordID, "AccountId") != acct || env.get("Case", row.RecordID, "Priority") != "High" {
		t.Fatal("the case was not linked to the contact and account of the row")
	}
	// The case number Salesforce assigned arrives with the next pull.
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	if row, err = env.svc.Row(sh.ID, added[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := row.Get(col(t, sh, "Case Number")); n == "" || n != env.get("Case", row.RecordID, "CaseNumber") {
		t.Fatalf("the row's case number %q is not the org's %v", n, env.get("Case", row.RecordID, "CaseNumber"))
	}
}

// TestCaseCommentsBoundThroughTheCaseNumber: a Case Comments sheet pulls
// each comment with its case's number, and a new row becomes a comment on
// the case whose number it gives (ParentId found through Parent.CaseNumber,
// as Account.Name finds AccountId); an unknown number is refused on the row.
func TestCaseCommentsBoundThroughTheCaseNumber(t *testing.T) {
	env := newTestEnv(t)
	cs := env.insert("Case", map[string]any{"Subject": "Slow dashboard"})
	number := env.get("Case", cs, "CaseNumber").(string)
	env.insert("CaseComment", map[string]any{"ParentId": cs, "CommentBody": "First reply"})

	sh, err := env.svc.NewSheetFromTemplate("case-comments", "Comments")
	if err != nil {
		t.Fatal(err)
	}
	sh.Sync.CreateMissing = true
	if err := env.svc.SaveSheetSettings(sh, "create missing"); err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
	rows := env.rows(sh.ID)
	if len(rows) != 1 || rows[0].Get(col(t, sh, "Case Number")) != number || rows[0].Get(col(t, sh, "Comment")) != "First reply" {
		t.Fatalf("pulled comments: %+v", rows)
	}
	added, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
		{col(t, sh, "Case Number"): number, col(t, sh, "Comment"): "Sent the fix", col(t, sh, "Public"): "true"},
		{col(t, sh, "Case Number"): "99999999", col(t, sh, "Comment"): "Lost comment"},
	})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if run.Counts.Created != 1 {
		t.Fatalf("push of two comments, one on an unknown case: %+v", run.Counts)
	}
	ok, err := env.svc.Row(sh.ID, added[0].ID)
	if err != nil || ok.RecordID == "" {
		t.Fatalf("comment row %+v (%v)", ok, err)
	}
	if env.get("CaseComment", ok.RecordID, "ParentId") != cs || env.get("CaseComment", ok.RecordID, "IsPublished") != true {
		t.Fatal("the comment is not on the case its number names")
	}
	bad, err := env.svc.Row(sh.ID, added[1].ID)
	if err != nil || bad.RecordID != "" || !strings.Contains(bad.Error, "99999999") {
		t.Fatalf("comment on an unknown case: %+v (%v)", bad, err)
	}
}
