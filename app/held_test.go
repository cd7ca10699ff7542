package app

import (
	"strings"
	"testing"

	"crmsheets/sheets"
)

// blankScenario is a synced Contacts sheet of one contact whose columns
// Last (LastName, required) and Title follow one blank cells option.
type blankScenario struct {
	env     *testEnv
	sh      *sheets.Sheet
	id      string // the contact
	row     sheets.RowID
	columns map[string]string // field -> column id
}

func newBlankScenario(t *testing.T, blank sheets.BlankPolicy) *blankScenario {
	t.Helper()
	env := newTestEnv(t)
	id := env.insert("Contact", map[string]any{"LastName": "Smith", "Email": "smith@example.com", "Title": "Boss", "Department": "Sales"})
	sh := &sheets.Sheet{Name: "Contacts", Object: "Contact"}
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	last := sh.AddColumn(sheets.Column{Name: "Last Name", Type: sheets.TypeText, Field: "LastName", Blank: blank})
	title := sh.AddColumn(sheets.Column{Name: "Title", Type: sheets.TypeText, Field: "Title", Blank: blank})
	dept := sh.AddColumn(sheets.Column{Name: "Department", Type: sheets.TypeText, Field: "Department", Blank: blank})
	sh.KeyColumn = email.ID
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	return &blankScenario{env: env, sh: sh, id: id, row: env.rowByRecord(sh.ID, id).ID,
		columns: map[string]string{"LastName": last.ID, "Title": title.ID, "Department": dept.ID}}
}

// outcomes returns every outcome of a run.
func (sc *blankScenario) outcomes(t *testing.T, run *sheets.Run) []sheets.RecordOutcome {
	t.Helper()
	out, err := sc.env.svc.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBlankedCellUnderEachOption blanks a required and a non-required field
// of a synced contact under each blank cells option and pushes (or syncs
// both ways). Under "Leave Salesforce as it is" and "Fill only where
// Salesforce is blank" Salesforce keeps its value and so does the sheet's
// blank: the row stays modified, says why, and the plan, the run's counts,
// outcome and message all tell the user how to send it. Under "Clear the
// field" the non-required field is cleared and the required one is refused
// before sending with REQUIRED_FIELD_MISSING.
func TestBlankedCellUnderEachOption(t *testing.T) {
	tests := []struct {
		blank     sheets.BlankPolicy
		field     string
		direction sheets.Direction
		// what happens
		held    bool   // kept blank in the sheet, not sent
		cleared bool   // cleared in Salesforce
		refused string // status code of a row refused before sending
	}{
		{sheets.BlankLeave, "Title", sheets.Push, true, false, ""},
		{sheets.BlankLeave, "LastName", sheets.Push, true, false, ""},
		{sheets.BlankLeave, "LastName", sheets.Both, true, false, ""},
		{sheets.BlankFillEmpty, "Title", sheets.Push, true, false, ""},
		{sheets.BlankFillEmpty, "LastName", sheets.Push, true, false, ""},
		{sheets.BlankClear, "Title", sheets.Push, false, true, ""},
		{sheets.BlankClear, "Title", sheets.Both, false, true, ""},
		{sheets.BlankClear, "LastName", sheets.Push, false, false, "REQUIRED_FIELD_MISSING"},
	}
	for _, tt := range tests {
		t.Run(BlankPolicyLabel(tt.blank)+"/"+tt.field+"/"+string(tt.direction), func(t *testing.T) {
			sc := newBlankScenario(t, tt.blank)
			env, colID := sc.env, sc.columns[tt.field]
			before := env.get("Contact", sc.id, tt.field)
			env.edit(sc.sh.ID, sc.row, colID, "")
			opt := SyncOptions{Direction: tt.direction, Policy: sheets.PolicySheetWins}

			plan, err := env.svc.Plan(env.ctx, sc.sh.ID, opt)
			if err != nil {
				t.Fatal(err)
			}
			run := env.sync(sc.sh.ID, opt)
			outs := sc.outcomes(t, run)
			row := env.rowByRecord(sc.sh.ID, sc.id)
			sf := env.get("Contact", sc.id, tt.field)

			if row.Cells[colID] != "" {
				t.Errorf("cell = %q, want the user's blank kept", row.Cells[colID])
			}
			switch {
			case tt.held:
				if sf != before {
					t.Errorf("Salesforce %s = %v, want %v kept", tt.field, sf, before)
				}
				if row.State != sheets.StateModified || !strings.Contains(row.Error, "left blank but not cleared") {
					t.Errorf("row %s %q, want modified saying why its blank was not sent", row.State, row.Error)
				}
				want, got := sheets.RunCounts{Skipped: 1}, run.Counts
				got.Pulled, got.Unchanged = 0, 0 // a both-ways run's pull phase reads the record too
				if got != want || run.Status != sheets.RunSucceeded {
					t.Errorf("run %s %+v, want succeeded %+v", run.Status, run.Counts, want)
				}
				for _, s := range []string{"left blank but not cleared in Salesforce", `"` + BlankPolicyLabel(tt.blank) + `"`, `set the column's blank cells option to "Clear the field" and push again`} {
					if !strings.Contains(run.Message, s) {
						t.Errorf("run message %q does not say %q", run.Message, s)
					}
				}
				if len(outs) != 1 || outs[0].Op != sheets.OpSkip || outs[0].OK || outs[0].StatusCode != codeHeldByBlankOption ||
					len(outs[0].Fields) != 1 || outs[0].Fields[0] != tt.field || !strings.Contains(outs[0].Message, "was left blank") {
					t.Errorf("outcomes %+v, want one skip of %s saying it was left blank", outs, tt.field)
				}
				if plan.Held != 1 || plan.Skipped != 1 || plan.Updates != 0 || plan.Refreshes != 0 ||
					len(plan.Problems) != 1 || plan.Problems[0].Op != sheets.OpSkip || plan.Problems[0].Reason != outs[0].Message {
					t.Errorf("plan held %d skipped %d updates %d refreshes %d problems %+v; want the held blank listed as run will record it",
						plan.Held, plan.Skipped, plan.Updates, plan.Refreshes, plan.Problems)
				}
				if len(plan.Changes) != 1 || plan.Changes[0].Op != OpHeld || plan.Changes[0].Field != tt.field ||
					plan.Changes[0].Old != before || plan.Changes[0].New != "" {
					t.Errorf("plan changes %+v, want the held cell (Salesforce keeps %v)", plan.Changes, before)
				}
			case tt.cleared:
				if sf != nil {
					t.Errorf("Salesforce %s = %v, want cleared", tt.field, sf)
				}
				if row.State != sheets.StateSynced || run.Counts.Updated != 1 || run.Counts.Skipped != 0 || run.Status != sheets.RunSucceeded || run.Message != "" {
					t.Errorf("row %s, run %s %+v %q: want synced, one update, no message", row.State, run.Status, run.Counts, run.Message)
				}
				if plan.Updates != 1 || plan.Held != 0 || len(plan.Problems) != 0 {
					t.Errorf("plan %+v, want one update", plan)
				}
			default: // refused before sending
				if sf != before {
					t.Errorf("Salesforce %s = %v, want %v kept", tt.field, sf, before)
				}
				if run.Counts.Invalid != 1 || run.Counts.Updated != 0 || run.Status != sheets.RunPartial {
					t.Errorf("run %s %+v, want partial with one invalid row", run.Status, run.Counts)
				}
				if len(outs) != 1 || outs[0].Op != sheets.OpInvalid || outs[0].StatusCode != tt.refused {
					t.Errorf("outcomes %+v, want one invalid with %s", outs, tt.refused)
				}
				if row.State != sheets.StateError || !strings.Contains(row.Error, "Last Name") {
					t.Errorf("row %s %q, want an error naming Last Name", row.State, row.Error)
				}
				if plan.Invalid != 1 || plan.Updates != 0 || len(plan.Problems) != 1 || !strings.Contains(plan.Problems[0].Reason, "Last Name") {
					t.Errorf("plan invalid %d updates %d problems %+v, want the row refused", plan.Invalid, plan.Updates, plan.Problems)
				}
			}
		})
	}
}

// TestHeldBlankIsSentOnceTheColumnClears: the held blank is still in the
// sheet, so following the message (switch the column to "Clear the field"
// and push again) erases the field; re-running before that changes nothing
// in the org or the sheet.
func TestHeldBlankIsSentOnceTheColumnClears(t *testing.T) {
	sc := newBlankScenario(t, sheets.BlankLeave)
	env, title := sc.env, sc.columns["Title"]
	env.edit(sc.sh.ID, sc.row, title, "")
	env.sync(sc.sh.ID, SyncOptions{Direction: sheets.Push})
	again := env.sync(sc.sh.ID, SyncOptions{Direction: sheets.Push})
	if env.get("Contact", sc.id, "Title") != "Boss" || again.Counts != (sheets.RunCounts{Skipped: 1}) {
		t.Fatalf("second push: Title %v, counts %+v; want Boss kept and the blank reported again", env.get("Contact", sc.id, "Title"), again.Counts)
	}

	sh, err := env.svc.Sheet(sc.sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sh.Columns {
		if sh.Columns[i].ID == title {
			sh.Columns[i].Blank = sheets.BlankClear
		}
	}
	if err := env.svc.SaveSheetSettings(sh, "clear blank titles"); err != nil {
		t.Fatal(err)
	}
	run := env.sync(sc.sh.ID, SyncOptions{Direction: sheets.Push})
	if got := env.get("Contact", sc.id, "Title"); got != nil {
		t.Errorf("Title = %v after switching to Clear the field, want cleared", got)
	}
	row := env.rowByRecord(sc.sh.ID, sc.id)
	if run.Counts != (sheets.RunCounts{Updated: 1}) || row.State != sheets.StateSynced || row.Error != "" {
		t.Errorf("run %+v, row %s %q: want one update and the row synced without a message", run.Counts, row.State, row.Error)
	}
}

// TestFillOnlyKeepsBothValues: under "Fill only where Salesforce is blank"
// a new value where Salesforce already has one is not sent, and the cell
// keeps it (nothing the user typed is undone); the run and the plan say why
// and how to overwrite. Where Salesforce is blank it is written.
func TestFillOnlyKeepsBothValues(t *testing.T) {
	sc := newBlankScenario(t, sheets.BlankFillEmpty)
	env, dept := sc.env, sc.columns["Department"]
	other := env.insert("Contact", map[string]any{"LastName": "Jones", "Email": "jones@example.com"})
	env.sync(sc.sh.ID, SyncOptions{Direction: sheets.Pull})
	env.edit(sc.sh.ID, sc.row, dept, "Marketing")
	env.edit(sc.sh.ID, env.rowByRecord(sc.sh.ID, other).ID, dept, "Marketing")

	plan, err := env.svc.Plan(env.ctx, sc.sh.ID, SyncOptions{Direction: sheets.Push})
	if err != nil {
		t.Fatal(err)
	}
	run := env.sync(sc.sh.ID, SyncOptions{Direction: sheets.Push})
	if got := env.get("Contact", sc.id, "Department"); got != "Sales" {
		t.Errorf("Department = %v, want Salesforce's Sales kept", got)
	}
	if got := env.get("Contact", other, "Department"); got != "Marketing" {
		t.Errorf("blank Department = %v, want filled with Marketing", got)
	}
	row := env.rowByRecord(sc.sh.ID, sc.id)
	if row.Cells[dept] != "Marketing" || row.State != sheets.StateModified {
		t.Errorf("row %q %s, want the user's Marketing kept, modified", row.Cells[dept], row.State)
	}
	want := `Department "Marketing" was not sent: Salesforce already has "Sales"`
	if run.Counts != (sheets.RunCounts{Updated: 1, Skipped: 1}) || !strings.Contains(run.Message, want) ||
		!strings.Contains(run.Message, `set the column's blank cells option to "Leave Salesforce as it is" and push again`) {
		t.Errorf("run %+v %q, want one update, one skip saying %q", run.Counts, run.Message, want)
	}
	if plan.Held != 1 || plan.Updates != 1 || len(plan.Problems) != 1 || !strings.HasPrefix(plan.Problems[0].Reason, want) {
		t.Errorf("plan held %d updates %d problems %+v, want the held value listed", plan.Held, plan.Updates, plan.Problems)
	}
}
