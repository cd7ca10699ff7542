package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestValidateShowsCountSamplesAndPointsAtTheFilter: Validate says how
// many records match and shows samples as a table of the sheet's mapped
// columns (no ids); a filter with a typo is refused with the caret under
// the person's own text, not under a bracket the app added.
func TestValidateShowsCountSamplesAndPointsAtTheFilter(t *testing.T) {
	mw := newTestWindow(t)
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(mw.ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.filter.SetText("LastName != null")
	test.Tap(findButton(s.content(), "Validate"))
	mw.WaitIdle()
	if !strings.Contains(s.filterRes.Text, "records match") || !s.sampleBox.Visible() || len(s.sampleRows) == 0 {
		t.Fatalf("validate: %q, samples shown %v (%d)", s.filterRes.Text, s.sampleBox.Visible(), len(s.sampleRows))
	}
	joined := strings.Join(s.sampleCols, "|")
	if !strings.Contains(joined, "Last Name") || strings.Contains(joined, "Id") {
		t.Errorf("sample table columns %q", joined)
	}
	if rows, cols := s.samples.Length(); rows != len(s.sampleRows) || cols != len(s.sampleCols) {
		t.Errorf("sample table %dx%d", rows, cols)
	}
	s.filter.SetText("LastName = 'Smith' ANDD Email != null")
	test.Tap(findButton(s.content(), "Validate"))
	mw.WaitIdle()
	lines := strings.Split(s.filterRes.Text, "\n")
	if len(lines) != 3 || lines[1] != "LastName = 'Smith' ANDD Email != null" {
		t.Fatalf("refusal %q", s.filterRes.Text)
	}
	if caret := strings.Index(lines[2], "^"); caret != strings.Index(lines[1], "ANDD") {
		t.Errorf("caret at %d, ANDD at %d:\n%s", caret, strings.Index(lines[1], "ANDD"), s.filterRes.Text)
	}
	if s.sampleBox.Visible() || !s.filterRes.TextStyle.Monospace {
		t.Error("refusal shown with old samples or not in monospace")
	}
}
