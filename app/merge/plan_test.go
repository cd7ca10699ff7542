package merge

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"crmsheets/sheets"
)

var (
	t0       = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	earlier  = t0.Add(-time.Hour)
	later    = t0.Add(time.Hour)
	recordID = "0035g00000AbCdEAAV"
)

// unknown marks a never-synced row in the tables.
const unknown = "?"

// columnOutcome names what a plan does to one column: send, refresh, rebase,
// review (conflict kept), none; a conflict the policy settled adds
// "(settled)".
func columnOutcome(it Item, id string) string {
	var out string
	switch _, send := it.Send[id]; {
	case send:
		out = "send"
	case it.Refresh != nil && hasKey(it.Refresh, id):
		out = "refresh"
	case it.Conflicts[id].Kept() && hasConflict(it, id):
		return "review"
	case hasKey(it.Rebase, id):
		out = "rebase"
	default:
		out = "none"
	}
	if h, held := it.Held[id]; held {
		out += " held:" + h.Reason.String()
	}
	if hasConflict(it, id) {
		out += " (settled)"
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func hasConflict(it Item, id string) bool { _, ok := it.Conflicts[id]; return ok }

// oneColumn builds the scenario of a single mapped column "c".
func oneColumn(dir sheets.Direction, policy sheets.Policy, blank sheets.BlankPolicy, readOnly bool, base, sheet, remote string, sheetNewer bool) scenario {
	row := &sheets.Row{ID: 1, RecordID: recordID, Cells: map[string]string{}, LocalEdited: earlier, State: sheets.StateModified}
	if sheetNewer {
		row.LocalEdited = later
	}
	if base != unknown {
		row.Base = map[string]string{}
		if base != "" {
			row.Base["c"] = base
		}
	}
	if sheet != "" {
		row.Cells["c"] = sheet
	}
	rem := &Remote{RecordID: recordID, Values: map[string]string{}, Modified: t0}
	if remote != "" {
		rem.Values["c"] = remote
	}
	return scenario{
		opts:   Options{Direction: dir, Policy: policy},
		cols:   []sheets.Column{{ID: "c", Name: "Phone", Type: sheets.TypePhone, Field: "Phone", ReadOnly: readOnly, Blank: blank}},
		row:    row,
		remote: rem,
	}
}

func TestPlanColumnRules(t *testing.T) {
	const (
		pull, push, both          = sheets.Pull, sheets.Push, sheets.Both
		sfWins, sheetWins, recent = sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent
		review                    = sheets.PolicyReview
		leave, clear, fill        = sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty
	)
	tests := []struct {
		name                string
		dir                 sheets.Direction
		policy              sheets.Policy
		blank               sheets.BlankPolicy
		readOnly            bool
		base, sheet, remote string
		sheetNewer          bool
		want                string
	}{
		{"all equal: nothing", both, review, leave, false, "a", "a", "a", false, "none"},
		{"line endings only (sheet LF, base and Salesforce CRLF): push sends nothing, cell takes Salesforce's text", push, sheetWins, leave, false, "1 Main\r\nSuite 2", "1 Main\nSuite 2", "1 Main\r\nSuite 2", true, "refresh"},
		{"line endings only (lone CR): both sends nothing", both, sheetWins, leave, false, "x\ry", "x\ny", "x\r\ny", true, "refresh"},
		{"line endings only, never synced: push sends nothing", push, review, leave, false, unknown, "x\ny", "x\r\ny", true, "refresh"},
		{"line endings only in Salesforce's change: base moves, nothing sent", push, sheetWins, leave, false, "x\ny", "x\ny", "x\r\ny", true, "refresh"},
		{"sheet changed beyond line endings: sent", push, review, leave, false, "x\r\ny", "x\nz", "x\r\ny", false, "send"},
		{"sheet changed only in line endings, Salesforce changed: refreshed, no conflict", both, review, leave, false, "x\r\ny", "x\ny", "x\r\nw", false, "refresh"},
		{"only Salesforce changed: pull refreshes", pull, review, leave, false, "a", "a", "b", false, "refresh"},
		{"only Salesforce changed: push refreshes instead of overwriting", push, sheetWins, leave, false, "a", "a", "b", true, "refresh"},
		{"only Salesforce changed: both refreshes", both, review, leave, false, "a", "a", "b", false, "refresh"},
		{"only Salesforce changed to blank: refreshes to blank", push, review, leave, false, "a", "a", "", false, "refresh"},
		{"only sheet changed: push sends", push, review, leave, false, "a", "b", "a", false, "send"},
		{"only sheet changed: both sends", both, review, leave, false, "a", "b", "a", false, "send"},
		{"only sheet changed: pull keeps the local edit", pull, sfWins, leave, false, "a", "b", "a", false, "none"},
		{"both changed alike: rebase", both, review, leave, false, "a", "b", "b", false, "rebase"},
		{"both changed alike in pull: rebase", pull, review, leave, false, "a", "b", "b", false, "rebase"},
		{"conflict, Salesforce wins", both, sfWins, leave, false, "a", "b", "c", true, "refresh (settled)"},
		{"conflict, sheet wins", both, sheetWins, leave, false, "a", "b", "c", false, "send (settled)"},
		{"conflict, sheet wins, push", push, sheetWins, leave, false, "a", "b", "c", false, "send (settled)"},
		{"conflict, sheet wins, pull keeps and rebases", pull, sheetWins, leave, false, "a", "b", "c", false, "rebase (settled)"},
		{"conflict, most recent: Salesforce newer", both, recent, leave, false, "a", "b", "c", false, "refresh (settled)"},
		{"conflict, most recent: sheet newer", both, recent, leave, false, "a", "b", "c", true, "send (settled)"},
		{"conflict, most recent in pull: sheet newer keeps", pull, recent, leave, false, "a", "b", "c", true, "rebase (settled)"},
		{"conflict, review keeps it", both, review, leave, false, "a", "b", "c", true, "review"},
		{"conflict, review keeps it in pull", pull, review, leave, false, "a", "b", "c", true, "review"},
		{"conflict, review keeps it in push", push, review, leave, false, "a", "b", "c", true, "review"},
		{"conflict with remote blanked, review", both, review, clear, false, "a", "b", "", false, "review"},
		{"blank cell, leave: not sent, kept blank", push, sheetWins, leave, false, "a", "", "a", true, "none held:blank-kept"},
		{"blank cell, leave, Salesforce changed: kept blank, base follows", both, sheetWins, leave, false, "a", "", "b", true, "rebase held:blank-kept"},
		{"blank cell, leave, base blank: filled from Salesforce", push, review, leave, false, "", "", "b", false, "refresh"},
		{"blank cell, leave, pull keeps the blank", pull, review, leave, false, "a", "", "a", false, "none"},
		{"blank cell, clear: sends null", push, review, clear, false, "a", "", "a", false, "send"},
		{"blank cell, clear, Salesforce changed: conflict", both, review, clear, false, "a", "", "b", false, "review"},
		{"blank cell, clear, sheet wins", both, sheetWins, clear, false, "a", "", "b", false, "send (settled)"},
		{"blank cell, fill-empty: not sent, kept blank", push, sheetWins, fill, false, "a", "", "a", false, "none held:blank-kept"},
		{"fill-empty: sent where Salesforce is blank", push, review, fill, false, "", "b", "", false, "send"},
		{"fill-empty: Salesforce's value kept, so is the cell", push, sheetWins, fill, false, "a", "b", "a", true, "none held:fill-only"},
		{"fill-empty: Salesforce cleared, sheet changed", both, review, fill, false, "a", "b", "", false, "send (settled)"},
		{"fill-empty: both changed, Salesforce set", both, sheetWins, fill, false, "a", "b", "c", true, "rebase held:fill-only"},
		{"fill-empty in pull: local edit kept", pull, review, fill, false, "a", "b", "a", false, "none"},
		{"read-only: refreshed in push", push, sheetWins, leave, true, "a", "b", "c", true, "refresh"},
		{"read-only: refreshed in pull", pull, review, leave, true, "a", "a", "c", false, "refresh"},
		{"read-only: local edit refreshed", both, sheetWins, clear, true, "a", "b", "a", true, "refresh"},
		{"read-only: equal, base moves", both, review, leave, true, "a", "c", "c", false, "rebase"},
		{"never synced, equal: base set", both, review, leave, false, unknown, "a", "a", false, "rebase"},
		{"never synced, equal blanks: base set", push, review, leave, false, unknown, "", "", false, "rebase"},
		{"never synced, differ: pull refreshes", pull, review, leave, false, unknown, "a", "b", false, "refresh"},
		{"never synced, differ: push sends", push, review, leave, false, unknown, "a", "b", false, "send"},
		{"never synced, differ: both reviews", both, review, leave, false, unknown, "a", "b", false, "review"},
		{"never synced, differ: both, sheet wins", both, sheetWins, leave, false, unknown, "a", "b", false, "send (settled)"},
		{"never synced, differ: both, Salesforce wins", both, sfWins, leave, false, unknown, "a", "b", false, "refresh (settled)"},
		{"never synced, blank cell: filled from Salesforce", push, review, leave, false, unknown, "", "b", false, "refresh"},
		{"never synced, Salesforce blank: push sends", push, review, fill, false, unknown, "a", "", false, "send"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := oneColumn(tc.dir, tc.policy, tc.blank, tc.readOnly, tc.base, tc.sheet, tc.remote, tc.sheetNewer)
			p, err := New(sc.cols, sc.opts)
			if err != nil {
				t.Fatal(err)
			}
			it := p.Plan(sc.row, sc.remote)
			if got := columnOutcome(it, "c"); got != tc.want {
				t.Errorf("column outcome = %q, want %q; item %+v", got, tc.want, it)
			}
			checkInvariants(t, sc)
		})
	}
}

func TestPlanRowLevel(t *testing.T) {
	cols := []sheets.Column{
		{ID: "c1", Name: "Last Name", Field: "LastName", Type: sheets.TypeText},
		{ID: "c2", Name: "Email", Field: "Email", Type: sheets.TypeEmail},
		{ID: "c3", Name: "Account", Field: "Account.Name", Type: sheets.TypeText, ReadOnly: true},
		{ID: "c4", Name: "Notes", Type: sheets.TypeTextArea}, // local-only
	}
	newRow := func() *sheets.Row {
		return &sheets.Row{ID: 7, Cells: map[string]string{"c1": "Lovelace", "c3": "Acme", "c4": "call back"}, State: sheets.StateNew}
	}
	synced := func() *sheets.Row {
		r := &sheets.Row{ID: 8, RecordID: recordID, Cells: map[string]string{"c1": "Lovelace", "c2": "ada@example.com", "c3": "Acme", "c4": "n"}}
		r.MarkSynced(t0)
		return r
	}
	sameRemote := &Remote{RecordID: recordID, Values: map[string]string{"c1": "Lovelace", "c2": "ada@example.com", "c3": "Acme"}, Modified: t0}
	tests := []struct {
		name       string
		opts       Options
		row        *sheets.Row
		remote     *Remote
		wantAction Action
		wantWrites bool
		wantSend   map[string]Change
		wantReason string
	}{
		{
			name: "create on push with create-missing", opts: Options{Direction: sheets.Push, CreateMissing: true},
			row: newRow(), wantAction: Create, wantWrites: true,
			wantSend: map[string]Change{"c1": {After: "Lovelace"}},
		},
		{
			name: "no create without create-missing", opts: Options{Direction: sheets.Both},
			row: newRow(), wantAction: Skip,
			wantReason: "not found in Salesforce: turn on creating missing records to create it",
		},
		{
			name: "no create on pull", opts: Options{Direction: sheets.Pull, CreateMissing: true},
			row: newRow(), wantAction: Skip,
			wantReason: "new row: a pull does not create records; push to create it",
		},
		{
			name: "nothing writable to create", opts: Options{Direction: sheets.Push, CreateMissing: true},
			row: &sheets.Row{ID: 9, Cells: map[string]string{"c3": "Acme", "c4": "x"}}, wantAction: Skip,
			wantReason: "nothing to create: the row has no value in a writable mapped column",
		},
		{
			name: "deleted in Salesforce", opts: Options{Direction: sheets.Both},
			row: synced(), wantAction: DeletedRemotely, wantWrites: true,
		},
		{
			name: "already marked deleted writes nothing", opts: Options{Direction: sheets.Both},
			row:        func() *sheets.Row { r := synced(); r.State = sheets.StateDeletedRemotely; return r }(),
			wantAction: DeletedRemotely,
		},
		{
			name: "no-op on a synced row", opts: Options{Direction: sheets.Both},
			row: synced(), remote: sameRemote, wantAction: Unchanged,
		},
		{
			name: "no-op on a synced row, pull", opts: Options{Direction: sheets.Pull},
			row: synced(), remote: sameRemote, wantAction: Unchanged,
		},
		{
			name: "local-only column edit rebases without sending", opts: Options{Direction: sheets.Push},
			row:    func() *sheets.Row { r := synced(); r.Set("c4", "changed", later); return r }(),
			remote: sameRemote, wantAction: Unchanged, wantWrites: true,
		},
		{
			name: "key-matched row takes the record id", opts: Options{Direction: sheets.Push},
			row: newRow(), remote: &Remote{RecordID: recordID, Values: map[string]string{"c1": "Byron", "c3": "Acme"}, Modified: t0},
			wantAction: Update, wantWrites: true,
			wantSend: map[string]Change{"c1": {Before: "Byron", After: "Lovelace"}},
		},
		{
			name: "matched record without id is skipped", opts: Options{Direction: sheets.Push},
			row: newRow(), remote: &Remote{Values: map[string]string{}}, wantAction: Skip,
			wantReason: "the matching Salesforce record came without an id",
		},
		{
			name: "error state is cleared by a no-op", opts: Options{Direction: sheets.Push},
			row:    func() *sheets.Row { r := synced(); r.State, r.Error = sheets.StateError, "boom"; return r }(),
			remote: sameRemote, wantAction: Unchanged, wantWrites: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(cols, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			it := p.Plan(tc.row, tc.remote)
			if it.Action != tc.wantAction || it.Writes() != tc.wantWrites || it.Reason != tc.wantReason {
				t.Errorf("Plan = %s writes=%v reason=%q, want %s writes=%v reason=%q",
					it.Action, it.Writes(), it.Reason, tc.wantAction, tc.wantWrites, tc.wantReason)
			}
			if diff := cmp.Diff(tc.wantSend, it.Send, equateEmpty); diff != "" {
				t.Errorf("Send (-want +got):\n%s", diff)
			}
			checkInvariants(t, scenario{opts: tc.opts, cols: cols, row: tc.row, remote: tc.remote})
		})
	}
}

func TestApply(t *testing.T) {
	cols := []sheets.Column{
		{ID: "c1", Name: "Phone", Field: "Phone"},
		{ID: "c2", Name: "Title", Field: "Title"},
		{ID: "c3", Name: "Score", Field: "Score__c", ReadOnly: true},
		{ID: "c4", Name: "Notes"},
	}
	p, err := New(cols, Options{Direction: sheets.Both, Policy: sheets.PolicyReview, CreateMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	base := func() *sheets.Row {
		return &sheets.Row{
			ID: 3, RecordID: recordID, State: sheets.StateModified, LocalEdited: later,
			Cells: map[string]string{"c1": "111", "c2": "CEO", "c3": "5", "c4": "mine"},
			Base:  map[string]string{"c1": "100", "c2": "CTO", "c3": "5"},
		}
	}
	remote := &Remote{RecordID: recordID, Values: map[string]string{"c1": "100", "c2": "CFO", "c3": "9"}, Modified: t0}

	t.Run("send succeeded", func(t *testing.T) {
		row := base()
		it := p.Plan(row, remote)
		p.Apply(row, it, Outcome{})
		want := &sheets.Row{
			ID: 3, RecordID: recordID, State: sheets.StateConflict, LocalEdited: later, RemoteModified: t0,
			Cells:     map[string]string{"c1": "111", "c2": "CEO", "c3": "9", "c4": "mine"},
			Base:      map[string]string{"c1": "111", "c2": "CTO", "c3": "9", "c4": "mine"},
			Conflicts: map[string]sheets.Conflict{"c2": {Base: "CTO", Remote: "CFO", At: t0}},
		}
		if diff := cmp.Diff(want, row); diff != "" {
			t.Errorf("row (-want +got):\n%s", diff)
		}
	})
	t.Run("send failed", func(t *testing.T) {
		row := base()
		it := p.Plan(row, remote)
		p.Apply(row, it, Outcome{Err: errors.New("UNABLE_TO_LOCK_ROW: unable to obtain exclusive access")})
		if row.State != sheets.StateError || row.Error == "" {
			t.Errorf("state %s error %q, want error state with message", row.State, row.Error)
		}
		if row.Base["c1"] != "100" || row.Cells["c1"] != "111" {
			t.Errorf("failed field: cell %q base %q, want cell kept and base = Salesforce's", row.Cells["c1"], row.Base["c1"])
		}
		if row.Cells["c3"] != "9" {
			t.Errorf("refresh not applied after a failed send: %q", row.Cells["c3"])
		}
	})
	t.Run("create succeeded", func(t *testing.T) {
		row := &sheets.Row{ID: 4, Cells: map[string]string{"c1": "5", "c3": "1", "c4": "n"}, State: sheets.StateCreatePending}
		it := p.Plan(row, nil)
		p.Apply(row, it, Outcome{CreatedID: recordID})
		if row.RecordID != recordID || row.State != sheets.StateModified || row.Base["c1"] != "5" || row.Base["c4"] != "n" {
			t.Errorf("after create: %+v (read-only c3 stays to refresh: modified)", row)
		}
	})
	t.Run("create without id is an error", func(t *testing.T) {
		row := &sheets.Row{ID: 4, Cells: map[string]string{"c1": "5"}}
		it := p.Plan(row, nil)
		p.Apply(row, it, Outcome{})
		if row.State != sheets.StateError || row.RecordID != "" {
			t.Errorf("after create without id: %+v", row)
		}
	})
}

func TestSettle(t *testing.T) {
	cols := []sheets.Column{{ID: "c", Name: "Title", Field: "Title"}}
	for _, keepSheet := range []bool{true, false} {
		t.Run(map[bool]string{true: "keep sheet", false: "take Salesforce"}[keepSheet], func(t *testing.T) {
			p, err := New(cols, Options{Direction: sheets.Both})
			if err != nil {
				t.Fatal(err)
			}
			row := &sheets.Row{ID: 1, RecordID: recordID, Cells: map[string]string{"c": "CEO"}, Base: map[string]string{"c": "CTO"}}
			remote := &Remote{RecordID: recordID, Values: map[string]string{"c": "CFO"}, Modified: t0}
			p.Apply(row, p.Plan(row, remote), Outcome{})
			if row.State != sheets.StateConflict {
				t.Fatalf("state %s, want conflict", row.State)
			}
			if err := Settle(row, "c", keepSheet, later); err != nil {
				t.Fatal(err)
			}
			it := p.Plan(row, remote)
			want := map[bool]Action{true: Update, false: Unchanged}[keepSheet]
			if it.Action != want || it.KeptConflicts() != 0 {
				t.Errorf("after settling, plan = %s with %d conflicts, want %s", it.Action, it.KeptConflicts(), want)
			}
			if err := Settle(row, "c", keepSheet, later); !errors.Is(err, ErrNoConflict) {
				t.Errorf("settling twice: %v, want ErrNoConflict", err)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		cols []sheets.Column
		opts Options
	}{
		{"unknown direction", nil, Options{Direction: "sideways"}},
		{"unknown policy", nil, Options{Direction: sheets.Push, Policy: "coin-toss"}},
		{"unknown blank policy", []sheets.Column{{ID: "c", Field: "Phone", Blank: "zero"}}, Options{Direction: sheets.Push}},
		{"duplicate column id", []sheets.Column{{ID: "c", Field: "Phone"}, {ID: "c", Field: "Email"}}, Options{Direction: sheets.Push}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cols, tc.opts); !errors.Is(err, ErrBadOptions) {
				t.Errorf("New = %v, want ErrBadOptions", err)
			}
		})
	}
}
