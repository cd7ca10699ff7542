package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// doRun runs the sync, first confirming big runs in production.
func (s *syncScreen) doRun(force bool) {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	st := s.mw.svc.Status()
	opt := s.options()
	opt.Force = force
	if st.Production && !force {
		// A production run is planned first so the user sees its size.
		s.plan.SetText("Planning the production run…")
		s.mw.goBackground(func() {
			p, err := s.mw.svc.Plan(s.mw.ctx, sh.ID, opt)
			uiloop.Do(func() {
				if err != nil {
					s.plan.SetText("Plan failed: " + err.Error())
					return
				}
				s.plan.SetText(planSummary(p))
				if n := changesOf(p); n > ProductionConfirmThreshold {
					s.confirmProduction(sh, n, func() { s.start(sh, opt) })
					return
				}
				s.start(sh, opt)
			})
		})
		return
	}
	s.start(sh, opt)
}

// confirmProduction asks the user to type the sheet's name before a run
// that changes many production records.
func (s *syncScreen) confirmProduction(sh *sheets.Sheet, n int, run func()) {
	e := widget.NewEntry()
	e.SetPlaceHolder(sh.Name)
	msg := widget.NewLabel(fmt.Sprintf("This run will change %d records in a PRODUCTION org.\nType the sheet's name, %q, to confirm.", n, sh.Name))
	d := dialog.NewCustomConfirm("Confirm a production run", "Run", "Cancel", container.NewVBox(msg, e), func(ok bool) {
		if !ok {
			return
		}
		if strings.TrimSpace(e.Text) != sh.Name {
			s.mw.report(fmt.Errorf("the name typed does not match %q: nothing was run", sh.Name))
			return
		}
		run()
	}, s.mw.win)
	d.Show()
}

// start runs the sync on a goroutine with throttled progress and Cancel;
// the grid reloads about once a second while rows land.
func (s *syncScreen) start(sh *sheets.Sheet, opt app.SyncOptions) {
	ctx, cancel := context.WithCancel(s.mw.ctx)
	s.cancel = cancel
	s.runBtn.Disable()
	s.planBtn.Disable()
	s.cancelBtn.Enable()
	s.historyBtn.Hide()
	s.summary.SetText("")
	// The plan shown was for this run: its result replaces it.
	s.rows = nil
	s.changes.Refresh()
	s.plan.SetText("Running… the result appears above; press Plan to see what the next run would do.")
	s.bar.SetValue(0)
	s.bar.Hide()
	s.activity.Show()
	s.phase.SetText("Starting…")
	lastReload := time.Now()
	title := s.mw.win.Title()
	s.mw.win.SetTitle(title + " (syncing…)") // visible in the task bar too
	th := newThrottle(func(p app.Progress) {
		s.phase.SetText(progressText(p))
		if p.Total > 0 {
			s.phase.SetText(fmt.Sprintf("%s (%d%%)", progressText(p), p.Done*100/p.Total))
			s.activity.Hide()
			s.bar.Show()
			s.bar.SetValue(float64(p.Done) / float64(p.Total))
		} else {
			s.bar.Hide()
			s.activity.Show()
		}
		if time.Since(lastReload) > time.Second {
			lastReload = time.Now()
			s.mw.conn.usageChanged()
			if p.Phase == app.PhasePull {
				s.mw.reloadRows()
			}
		}
	})
	s.mw.goBackground(func() {
		run, err := s.mw.svc.Sync(ctx, sh.ID, opt, th.Report)
		th.Stop()
		uiloop.Do(func() {
			s.mw.win.SetTitle(title)
			cancel()
			s.cancel = nil
			s.runBtn.Enable()
			s.planBtn.Enable()
			s.cancelBtn.Disable()
			s.bar.Hide()
			s.activity.Hide()
			s.phase.SetText("")
			s.mw.reloadSheet()
			s.mw.conn.usageChanged()
			s.showOrg(sh)
			var tooMany *app.TooManyChangesError
			if errors.As(err, &tooMany) {
				dialog.ShowConfirm("Many records would change", tooMany.Error()+"\nRun anyway?", func(ok bool) {
					if ok {
						s.doRun(true)
					}
				}, s.mw.win)
				return
			}
			if run != nil {
				s.lastRun = run.ID
				s.historyBtn.Show()
				s.summary.SetText(runSummary(run))
				s.plan.SetText("The plan was run (result above). Press Plan to see what the next run would do.")
				if run.Counts.Conflicts > 0 {
					s.plan.SetText(fmt.Sprintf("%d conflict(s) wait in the Conflicts tab.", run.Counts.Conflicts))
				}
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				s.offerRebind(err)
				s.mw.report(err)
			}
		})
	})
}

// progressText is the phase line under the bar.
func progressText(p app.Progress) string {
	names := map[string]string{app.PhasePull: "Pulling from Salesforce", app.PhaseReconcile: "Reconciling pending creates",
		app.PhasePush: "Pushing to Salesforce", app.PhaseRevert: "Reverting"}
	name := names[p.Phase]
	if base, detail, ok := strings.Cut(p.Phase, " ("); name == "" && ok && names[base] != "" {
		name = names[base] + " (" + detail // "push (Bulk API job: …)"
	}
	if name == "" {
		name = p.Phase
	}
	if p.Total > 0 {
		return fmt.Sprintf("%s: %d of %d", name, p.Done, p.Total)
	}
	return fmt.Sprintf("%s: %d so far", name, p.Done)
}

// runSummary is the finished run in a sentence.
func runSummary(r *sheets.Run) string {
	c := r.Counts
	s := fmt.Sprintf("Run %d %s: %d pulled (%d rows added), %d created, %d updated, %d refreshed, %d conflicts, %d invalid, %d failed, %d unconfirmed; %d API calls (%d of %d used today).",
		r.ID, r.Status, c.Pulled, c.Added, c.Created, c.Updated, c.Refreshed, c.Conflicts, c.Invalid, c.Failed, c.Unconfirmed, r.APICalls, r.APIUsed, r.APILimit)
	if took := r.Took(); took > 0 {
		s += fmt.Sprintf(" Took %s", took.Round(time.Millisecond))
		if wait, ok := r.SalesforceWait(); ok {
			s += fmt.Sprintf(", %s of it waiting for Salesforce", wait.Round(time.Millisecond))
		}
		s += "."
	}
	if r.Message != "" {
		s += " " + r.Message
	}
	return s
}
