package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/dialog"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// showOrg names the Salesforce org the open sheet belongs to on the Sync
// tab, so a user sees which org a run will touch before pressing Run.
func (s *syncScreen) showOrg(sh *sheets.Sheet) {
	b, ok, err := s.mw.svc.SheetOrg(sh.ID)
	switch {
	case err != nil:
		s.orgLine.SetText(err.Error())
	case !ok:
		s.orgLine.SetText("not bound yet: the first sync binds the sheet to the connected org")
	default:
		s.orgLine.SetText(b.Describe() + " — syncs with any other org are refused")
	}
}

// offerRebind shows the Re-bind action when a run or plan was refused
// because the sheet belongs to another org.
func (s *syncScreen) offerRebind(err error) {
	if errors.Is(err, app.ErrOtherOrg) {
		s.rebindBtn.Show()
	}
}

// confirmRebind explains what a re-bind does and runs it on confirmation.
func (s *syncScreen) confirmRebind() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	now, err := s.mw.svc.ConnectedOrg()
	if err != nil {
		s.mw.report(err)
		return
	}
	msg := fmt.Sprintf("Move %q to %s?\n\nEvery row forgets its record id in the old org. A full pull then matches rows\nto this org's records by the key column, never by record id. Rows found keep\ntheir edits; rows not found become new rows (a push creates them only if\n\"Create records for rows not found\" is on).", sh.Name, now.Describe())
	d := dialog.NewConfirm("Re-bind the sheet to another org", msg, func(ok bool) {
		if ok {
			s.rebind(sh)
		}
	}, s.mw.win)
	d.SetConfirmText("Re-bind")
	d.Show()
}

// rebind runs RebindSheet in the background and shows its run.
func (s *syncScreen) rebind(sh *sheets.Sheet) {
	s.rebindBtn.Disable()
	s.runBtn.Disable()
	s.planBtn.Disable()
	s.phase.SetText("Re-binding: full pull, matching rows by key…")
	s.mw.goBackground(func() {
		run, err := s.mw.svc.RebindSheet(s.mw.ctx, sh.ID, nil)
		uiloop.Do(func() {
			s.rebindBtn.Enable()
			s.runBtn.Enable()
			s.planBtn.Enable()
			s.phase.SetText("")
			s.mw.reloadSheet()
			s.mw.conn.usageChanged()
			if run != nil {
				s.lastRun = run.ID
				s.historyBtn.Show()
				s.summary.SetText(runSummary(run))
			}
			if err != nil {
				s.mw.report(err)
				return
			}
			s.rebindBtn.Hide()
			s.showOrg(sh)
		})
	})
}
