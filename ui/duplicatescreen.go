package ui

import (
	"fyne.io/fyne/v2"

	"crmsheets/sheets"
)

// openFirstDuplicate puts the cursor on the first row of the open sheet
// that Salesforce refused as a duplicate and presses Enter there, as the
// user would, so the link-or-create choice shows (CRMSHEETS_SCREEN=
// duplicate, for the README's screenshot). It does nothing when no row
// waits for that decision.
func (mw *MainWindow) openFirstDuplicate() bool {
	if mw.sheet == nil || mw.grid == nil || len(mw.sheet.Columns) == 0 {
		return false
	}
	for r, err := range mw.svc.Rows(mw.sheet.ID) {
		if err != nil {
			mw.report(err)
			return false
		}
		if len(r.Candidates[sheets.DuplicatesKey]) == 0 {
			continue
		}
		if !mw.grid.MoveToRow(r.ID, mw.sheet.Columns[0].ID) {
			return false
		}
		c := mw.Window().Canvas()
		c.Focus(mw.grid.Focusable())
		if f := c.Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}
		return true
	}
	return false
}
