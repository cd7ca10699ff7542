package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// unpushedSheet is a synced sheet with rows changed here and not pushed.
type unpushedSheet struct {
	sheet *sheets.Sheet
	rows  int
}

// unpushedSheets lists the synced sheets with rows changed here (modified,
// new) and how many.
func (mw *MainWindow) unpushedSheets() []unpushedSheet {
	list, err := mw.svc.Sheets()
	if err != nil {
		return nil
	}
	var out []unpushedSheet
	for _, sh := range list {
		if sh.Object == "" {
			continue // a local sheet has nothing to push
		}
		n, err := mw.stateCounts(sh.ID)
		if err != nil {
			continue
		}
		if c := n[sheets.StateModified] + n[sheets.StateNew]; c > 0 {
			out = append(out, unpushedSheet{sheet: sh, rows: c})
		}
	}
	return out
}

// confirmQuit asks before closing when rows changed here are not pushed
// yet: they are kept, but a person should know. Stay keeps the window,
// Quit closes it, Push now pushes those sheets (with progress) and closes
// once every changed row is in Salesforce; a refused row, a conflict or an
// error keeps the window open and says why.
func (mw *MainWindow) confirmQuit(quit func()) {
	list := mw.unpushedSheets()
	rows := 0
	for _, u := range list {
		rows += u.rows
	}
	if rows == 0 {
		quit()
		return
	}
	msg := fmt.Sprintf("%d row(s) in %d sheet(s) changed here are not pushed to Salesforce yet.\nThey are kept on this computer and pushed the next time you sync.", rows, len(list))
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	stay := widget.NewButton("Stay", func() { d.Hide() })
	quitBtn := widget.NewButton("Quit", func() { d.Hide(); quit() })
	push := widget.NewButton("Push now", func() { d.Hide(); mw.pushThenQuit(list, quit) })
	push.Importance = widget.HighImportance
	if st := mw.svc.Status(); st.Production && rows > ProductionConfirmThreshold {
		// Many production changes are confirmed by name on the Sync tab,
		// never pushed in passing on the way out.
		push.Disable()
		text.SetText(msg + fmt.Sprintf("\nMore than %d rows for a production org: push them from the Sync tab.", ProductionConfirmThreshold))
	}
	d = dialog.NewCustomWithoutButtons("Quit with changes not pushed?", text, mw.win)
	d.SetButtons([]fyne.CanvasObject{stay, quitBtn, push})
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// pushThenQuit pushes each sheet in list, one after the other, showing the
// phase and a bar with Cancel; it quits when every changed row was pushed,
// else reports what is left and keeps the window.
func (mw *MainWindow) pushThenQuit(list []unpushedSheet, quit func()) {
	ctx, cancel := context.WithCancel(mw.ctx)
	phase := widget.NewLabel("Starting…")
	bar := widget.NewProgressBar()
	var prog *dialog.CustomDialog
	cancelBtn := widget.NewButton("Cancel", func() { cancel() })
	prog = dialog.NewCustomWithoutButtons("Pushing before quitting", container.NewVBox(phase, bar), mw.win)
	prog.SetButtons([]fyne.CanvasObject{cancelBtn})
	prog.Resize(fyne.NewSize(460, 0))
	prog.Show()
	mw.goBackground(func() {
		var problems []string
		for i, u := range list {
			name := u.sheet.Name
			th := newThrottle(func(p app.Progress) {
				phase.SetText(fmt.Sprintf("%q (%d of %d): %s", name, i+1, len(list), progressText(p)))
				if p.Total > 0 {
					bar.SetValue(float64(p.Done) / float64(p.Total))
				}
			})
			run, err := mw.svc.Sync(ctx, u.sheet.ID, app.SyncOptions{Direction: sheets.Push, Trigger: sheets.TriggerManual}, th.Report)
			th.Stop()
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%q: %v", name, err))
			case run.Status != sheets.RunSucceeded:
				problems = append(problems, fmt.Sprintf("%q: %s", name, runSummary(run)))
			}
			if ctx.Err() != nil {
				break
			}
		}
		left := 0
		if ctx.Err() == nil {
			for _, u := range mw.unpushedSheets() {
				left += u.rows
			}
		}
		uiloop.Do(func() {
			canceled := ctx.Err() != nil
			cancel()
			prog.Hide()
			mw.reloadSheet()
			switch {
			case canceled:
				mw.info("Push canceled: the rows not pushed are kept here; nothing was quit")
			case len(problems) == 0 && left == 0:
				quit()
			default:
				if len(problems) == 0 {
					problems = append(problems, fmt.Sprintf("%d row(s) are still not pushed (changed again meanwhile, or kept for review)", left))
				}
				dialog.ShowInformation("Not everything was pushed",
					"The app stays open so nothing is lost from sight:\n"+strings.Join(problems, "\n")+"\nSee History and Conflicts for each row.", mw.win)
			}
		})
	})
}
