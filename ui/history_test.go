package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestOutcomeText formats error lines with the parts a record has and no
// stray separators when some are missing.
func TestOutcomeText(t *testing.T) {
	tests := []struct {
		name string
		o    sheets.RecordOutcome
		want string
	}{
		{"everything", sheets.RecordOutcome{RowID: 7, RecordID: "003A", Op: sheets.OpUpdate, Fields: []string{"Email", "Phone"}, StatusCode: "INVALID_EMAIL_ADDRESS", Message: "bad email"},
			"row 7 · 003A · update · Email, Phone · INVALID_EMAIL_ADDRESS: bad email"},
		{"no status code", sheets.RecordOutcome{RowID: 5, RecordID: "003B", Op: sheets.OpConflict, Fields: []string{"Title"}, Message: "changed in both"},
			"row 5 · 003B · conflict · Title: changed in both"},
		{"new row, no record", sheets.RecordOutcome{RowID: 3, Op: sheets.OpInvalid, Fields: []string{"LastName"}, Message: "required"},
			"row 3 · invalid · LastName: required"},
		{"no row, no message", sheets.RecordOutcome{RecordID: "003C", Op: sheets.OpDelete, StatusCode: "ENTITY_IS_DELETED"},
			"003C · delete · ENTITY_IS_DELETED"},
		{"message only", sheets.RecordOutcome{Message: "lost"}, "lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcomeText(tt.o); got != tt.want {
				t.Errorf("outcomeText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProgressText: a push's Bulk job reads as the push, with the job's
// state and the records Salesforce has processed.
func TestProgressText(t *testing.T) {
	for _, tt := range []struct {
		p    app.Progress
		want string
	}{
		{app.Progress{Phase: app.PhasePush, Done: 3, Total: 10}, "Pushing to Salesforce: 3 of 10"},
		{app.Progress{Phase: app.PhasePush + " (Bulk API job: processing)", Done: 35000, Total: 100000}, "Pushing to Salesforce (Bulk API job: processing): 35000 of 100000"},
		{app.Progress{Phase: app.PhasePull, Done: 2000}, "Pulling from Salesforce: 2000 so far"},
		{app.Progress{Phase: "something new (detail)", Done: 1}, "something new (detail): 1 so far"},
	} {
		if got := progressText(tt.p); got != tt.want {
			t.Errorf("progressText(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// TestRunCellsTime: the runs table's last column is the run's time, to
// the millisecond under a second and the tenth above, blank while it runs.
func TestRunCellsTime(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		took time.Duration
		want string
	}{{2549 * time.Millisecond, "2.5s"}, {42 * time.Millisecond, "42ms"}, {0, ""}} {
		r := &sheets.Run{Status: sheets.RunSucceeded, Started: start}
		if tt.took > 0 {
			r.Ended = start.Add(tt.took)
		}
		cells := runCells(r)
		if len(cells) != len(runColumns) || runColumns[len(cells)-1] != "Time" || cells[len(cells)-1] != tt.want {
			t.Errorf("run of %v: cells %q under %q, want the time %q last", tt.took, cells, runColumns, tt.want)
		}
	}
}

// TestBulkJobsText: a run's Bulk jobs are named where Salesforce lists
// them.
func TestBulkJobsText(t *testing.T) {
	want := "Bulk API jobs (Salesforce Setup → Bulk Data Load Jobs): 750A, 750B."
	if got := bulkJobsText([]string{"750A", "750B"}); got != want {
		t.Errorf("bulkJobsText = %q, want %q", got, want)
	}
}

// TestRunSummaryTime: a finished run's summary says how long it took and
// how much of that it waited for Salesforce; a run still going says
// neither.
func TestRunSummaryTime(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	r := &sheets.Run{ID: 4, Status: sheets.RunSucceeded, Started: start, Ended: start.Add(2500 * time.Millisecond), SalesforceTime: 400 * time.Millisecond}
	if got := runSummary(r); !strings.Contains(got, "Took 2.5s, 400ms of it waiting for Salesforce.") {
		t.Errorf("summary %q does not give the time", got)
	}
	// A run recorded before runs kept the wait says only its time.
	old := *r
	old.SalesforceTime, old.APICalls = 0, 3
	if got := runSummary(&old); !strings.Contains(got, "Took 2.5s.") || strings.Contains(got, "waiting") {
		t.Errorf("an older run's summary %q claims a wait", got)
	}
	// A run still going, or one the app was stopped in the middle of
	// (its end is the next start), gives no time.
	interrupted := *r
	interrupted.Status, interrupted.Ended = sheets.RunInterrupted, start.Add(26*time.Hour)
	r.Ended = time.Time{}
	for _, run := range []*sheets.Run{r, &interrupted} {
		if got := runSummary(run); strings.Contains(got, "Took") {
			t.Errorf("a %s run's summary gives a time: %q", run.Status, got)
		}
	}
}

// TestHistoryShowsRecordedStatus pushes an edit and a title too long for
// Salesforce: the
// runs table shows the status the engine recorded (partial, in amber, not
// succeeded) with the invalid count, and the error line reads cleanly.
func TestHistoryShowsRecordedStatus(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	rows, err := mw.svc.RowIDs(sh.ID)
	if err != nil || len(rows) < 2 {
		t.Fatalf("rows %v %v", rows, err)
	}
	if _, err := mw.svc.EditCell(sh.ID, rows[0], colByField(t, sh, "Title"), "Head of Partnerships"); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.EditCell(sh.ID, rows[1], colByField(t, sh, "Title"), strings.Repeat("x", 300)); err != nil {
		t.Fatal(err)
	}
	run, err := mw.svc.Sync(context.Background(), sh.ID, app.SyncOptions{Direction: sheets.Push}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Counts.Invalid+run.Counts.Failed == 0 {
		t.Fatalf("the push has no invalid or failed row: %+v", run.Counts)
	}
	if run.Status != sheets.RunPartial {
		t.Errorf("engine recorded %q for a push with invalid rows, want partial", run.Status)
	}

	mw.ShowScreen("history")
	mw.WaitIdle()
	h := mw.screens.history
	if len(h.runs) != 2 || h.runs[0].ID != run.ID {
		t.Fatalf("history runs %v", h.runs)
	}
	cells := runCells(h.runs[0])
	if cells[runStatusCol] != string(run.Status) || cells[runInvalidCol] != fmt.Sprint(run.Counts.Invalid) || cells[runFailedCol] != fmt.Sprint(run.Counts.Failed) {
		t.Errorf("push row %q", cells)
	}
	if got := statusImportance(run.Status); got != widget.WarningImportance {
		t.Errorf("status %q coloured %v, want warning", run.Status, got)
	}
	mw.WaitIdle()
	if len(h.outcomes) == 0 {
		t.Fatal("no error lines for the push")
	}
	for _, o := range h.outcomes {
		line := outcomeText(o)
		if strings.Contains(line, " · :") || strings.Contains(line, "·  ·") {
			t.Errorf("error line %q has an empty part", line)
		}
		if o.RowID != 0 && h.names[o.RowID] == "" {
			t.Errorf("error line of row %d does not name its record", o.RowID)
		}
	}
}

// TestChartReadableWithVeryDifferentRuns: a 1,509-record pull beside two
// 2-record pushes (one with a failure) on a 200-unit chart — every run's
// bar is visible, the small ones at least a tenth of the big one, and the
// failure shows.
func TestChartReadableWithVeryDifferentRuns(t *testing.T) {
	big, _ := barHeights(1509, 0, 1509, 200)
	small, _ := barHeights(2, 0, 1509, 200)
	hs, hf := barHeights(1, 1, 1509, 200)
	if big != 200 {
		t.Errorf("the biggest run fills the height: %v", big)
	}
	if small < big/10 || hf < 2 || hs+hf < big/10 {
		t.Errorf("small runs unreadable: 2 records %v, 1+1 failed %v+%v, beside %v", small, hs, hf, big)
	}
	if a, _ := barHeights(0, 0, 1509, 200); a != 0 {
		t.Errorf("an empty run has a bar %v", a)
	}
}

// TestHistoryBadgeFromStoredRuns: a push that ends partial (as a scheduled
// run overnight would) puts a badge on History; it stays when the sheet is
// opened again (a restart), goes once History is looked at, stays gone
// after the next opening, and comes back for the next failed run.
func TestHistoryBadgeFromStoredRuns(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	rows, err := mw.svc.RowIDs(sh.ID)
	if err != nil || len(rows) < 2 {
		t.Fatalf("rows %v %v", rows, err)
	}
	failPush := func() {
		t.Helper()
		if _, err := mw.svc.EditCell(sh.ID, rows[1], colByField(t, sh, "Title"), strings.Repeat("x", 300)); err != nil {
			t.Fatal(err)
		}
		run, err := mw.svc.Sync(context.Background(), sh.ID, app.SyncOptions{Direction: sheets.Push}, nil)
		if err != nil || run.Status != sheets.RunPartial {
			t.Fatalf("push: %+v %v, want a partial run", run, err)
		}
	}
	reopen := func() {
		t.Helper()
		if err := mw.OpenSheet(sh.ID); err != nil {
			t.Fatal(err)
		}
		mw.WaitIdle()
	}
	failPush()
	reopen()
	if got := mw.tabTitle(tabHistory); got != "History (1)" {
		t.Fatalf("History tab %q after a failed run, want a badge of 1", got)
	}
	reopen()
	if got := mw.tabTitle(tabHistory); got != "History (1)" {
		t.Fatalf("History tab %q after opening the sheet again, want the badge kept", got)
	}
	mw.ShowScreen("history")
	mw.WaitIdle()
	if got := mw.tabTitle(tabHistory); got != "History" {
		t.Fatalf("History tab %q while looked at, want no badge", got)
	}
	mw.ShowScreen("main")
	reopen()
	if got := mw.tabTitle(tabHistory); got != "History" {
		t.Fatalf("History tab %q after it was seen and the sheet opened again, want no badge", got)
	}
	failPush()
	mw.reloadSheet()
	mw.WaitIdle()
	if got := mw.tabTitle(tabHistory); got != "History (1)" {
		t.Fatalf("History tab %q after another failed run, want a badge of 1", got)
	}
}
