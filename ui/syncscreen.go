package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// ProductionConfirmThreshold is the number of record changes above which a
// run against a production org asks the user to type the sheet's name.
const ProductionConfirmThreshold = app.ProductionConfirmThreshold

var (
	directionLabels = []string{"Pull", "Push", "Both"}
	directions      = []sheets.Direction{sheets.Pull, sheets.Push, sheets.Both}
	policyLabels    = []string{"Salesforce wins", "Sheet wins", "Most recent wins", "Review each conflict"}
	policies        = []sheets.Policy{sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview}
	scheduleLabels  = []string{"Off", "Every hour", "Every 4 hours", "Every 12 hours", "Every day"}
	scheduleHours   = []int{0, 1, 4, 12, 24}
)

// syncScreen is the Sync tab: settings, filter with Validate, Plan, and
// Run with progress and Cancel.
type syncScreen struct {
	mw *MainWindow
	// host brings History forward with the last run selected.
	host      screenHost
	direction *widget.RadioGroup
	policy    *widget.Select
	filter    *widget.Entry
	filterRes *widget.Label
	// samples shows Validate's sample records in the mapped columns.
	samples    *widget.Table
	sampleCols []string
	sampleRows []map[string]string
	sampleBox  *fyne.Container
	lookback   *widget.Entry
	schedule   *widget.Select
	// nextRun says when the schedule fires next while the app is open.
	nextRun *widget.Label
	create  *widget.Check
	full    *widget.Check
	plan    *widget.Label
	changes *widget.Table
	rows    []app.CellChange
	// sortCol is the plan table\'s sort column (-1: the plan\'s order) and
	// sortDesc its direction.
	sortCol  int
	sortDesc bool
	phase    *widget.Label
	bar      *widget.ProgressBar
	// activity replaces bar while the total is unknown (a pull learns
	// only the records it has read so far).
	activity   *widget.ProgressBarInfinite
	planBtn    *widget.Button
	runBtn     *widget.Button
	cancelBtn  *widget.Button
	summary    *widget.Label
	historyBtn *widget.Button
	// rebindBtn appears when a run or plan was refused because the sheet
	// belongs to another org (see rebind.go); orgLine names the sheet's org.
	rebindBtn *widget.Button
	orgLine   *widget.Label
	cancel    context.CancelFunc
	lastRun   uint64
	body      fyne.CanvasObject
}

func newSyncScreen(mw *MainWindow, host screenHost) *syncScreen {
	s := &syncScreen{mw: mw, host: host, direction: widget.NewRadioGroup(directionLabels, nil), policy: widget.NewSelect(policyLabels, nil),
		filter: widget.NewMultiLineEntry(), filterRes: widget.NewLabel(""), lookback: widget.NewEntry(),
		schedule: widget.NewSelect(scheduleLabels, nil), create: widget.NewCheck("Create records for rows not found in Salesforce", nil),
		plan:  widget.NewLabel("Press Plan to see what a run will do and what it costs before running it."),
		phase: widget.NewLabel(""), bar: widget.NewProgressBar(), summary: widget.NewLabel("")}
	s.sortCol = -1
	s.direction.Horizontal = true
	// A run always has a direction: clicking the selected one keeps it.
	s.direction.Required = true
	s.nextRun = widget.NewLabel("")
	s.nextRun.Truncation = fyne.TextTruncateEllipsis
	s.schedule.OnChanged = func(string) { s.showNextRun() }
	// The phase line above carries the figures: Fyne writes the bar's own
	// text in white, unreadable on the light theme's pale track.
	s.bar.TextFormatter = func() string { return "" }
	s.full = widget.NewCheck("Full pull: every record matching the filter, not only those changed since the last sync", nil)
	s.filter.SetPlaceHolder("SOQL WHERE clause, e.g. MailingCountry = 'France' AND CreatedDate = LAST_N_DAYS:90")
	s.filter.SetMinRowsVisible(2)
	s.filter.Wrapping = fyne.TextWrapWord
	s.filterRes.Wrapping = fyne.TextWrapWord
	s.plan.Wrapping = fyne.TextWrapWord
	s.summary.Wrapping = fyne.TextWrapWord
	s.lookback.SetPlaceHolder("days")
	s.planBtn = widget.NewButtonWithIcon("Plan", theme.SearchIcon(), s.doPlan)
	s.runBtn = widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), func() { s.doRun(false) })
	s.runBtn.Importance = widget.HighImportance
	s.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	s.cancelBtn.Disable()
	s.historyBtn = widget.NewButtonWithIcon("Open in history", theme.HistoryIcon(), func() {
		s.host.showRun(s.lastRun)
	})
	s.historyBtn.Hide()
	s.rebindBtn = widget.NewButtonWithIcon("Re-bind to the connected org…", theme.ViewRefreshIcon(), s.confirmRebind)
	s.rebindBtn.Hide()
	s.orgLine = widget.NewLabel("")
	s.orgLine.Wrapping = fyne.TextWrapWord
	s.bar.Hide()
	s.activity = widget.NewProgressBarInfinite()
	s.activity.Hide()
	s.changes = widget.NewTableWithHeaders(func() (int, int) { return len(s.rows), 5 },
		func() fyne.CanvasObject { return newTipLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(s.rows) {
				return
			}
			o.(*tipLabel).SetText(changeCells(s.rows[id.Row])[id.Col])
		})
	s.changes.ShowHeaderColumn = false
	// A header tap sorts by that column; another tap reverses.
	s.changes.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	s.changes.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 || id.Col >= len(changeHeaders) {
			return
		}
		b := o.(*widget.Button)
		text := changeHeaders[id.Col]
		if s.sortCol == id.Col {
			text += map[bool]string{false: " ↑", true: " ↓"}[s.sortDesc]
		}
		b.SetText(text)
		col := id.Col
		b.OnTapped = func() { s.sortChanges(col) }
	}
	for i, w := range []float32{90, 200, 140, 220, 220} {
		s.changes.SetColumnWidth(i, w)
	}
	validate := widget.NewButton("Validate", s.doValidate)
	s.samples = widget.NewTableWithHeaders(func() (int, int) { return len(s.sampleRows), len(s.sampleCols) },
		func() fyne.CanvasObject { return newTipLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(s.sampleRows) && id.Col < len(s.sampleCols) {
				o.(*tipLabel).SetText(s.sampleRows[id.Row][s.sampleCols[id.Col]])
			}
		})
	s.samples.ShowHeaderColumn = false
	s.samples.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(s.sampleCols) {
			o.(*widget.Label).SetText(s.sampleCols[id.Col])
		}
	}
	s.sampleBox = container.New(&atLeast{h: 150}, s.samples)
	s.sampleBox.Hide()
	save := widget.NewButtonWithIcon("Save settings", theme.DocumentSaveIcon(), func() { s.save() })
	form := widget.NewForm(
		widget.NewFormItem("Direction", s.direction),
		widget.NewFormItem("Conflicts", s.policy),
		widget.NewFormItem("Filter", container.NewBorder(nil, container.NewVBox(s.filterRes, s.sampleBox), nil, validate, s.filter)),
		widget.NewFormItem("Lookback", container.NewBorder(nil, nil, nil, widget.NewLabel("days of overlap for incremental pulls"), s.lookback)),
		widget.NewFormItem("Schedule", container.NewBorder(nil, nil, s.schedule, nil, s.nextRun)),
		widget.NewFormItem("", s.create),
		widget.NewFormItem("", s.full),
		widget.NewFormItem("Org", s.orgLine),
	)
	actions := container.NewHBox(save, s.planBtn, s.runBtn, s.cancelBtn, s.rebindBtn)
	progress := container.NewVBox(s.phase, s.bar, s.activity, s.summary, container.NewHBox(s.historyBtn))
	top := container.NewVBox(form, actions, progress, widget.NewSeparator(), s.plan)
	// The settings scroll above; the plan's table takes the rest of the
	// height below (drag the divider to share it differently).
	split := container.NewVSplit(container.NewVScroll(container.NewPadded(top)), s.changes)
	split.Offset = 0.6
	s.body = split
	s.load()
	return s
}

func (s *syncScreen) content() fyne.CanvasObject { return s.body }

func (s *syncScreen) shown() { s.load() }

// load fills the form from the open sheet's settings.
func (s *syncScreen) load() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	d := sh.Sync.Direction
	if d == "" {
		d = sheets.Both
	}
	for i, x := range directions {
		if x == d {
			s.direction.SetSelected(directionLabels[i])
		}
	}
	for i, p := range policies {
		if p == sh.Sync.EffectivePolicy() {
			s.policy.SetSelectedIndex(i)
		}
	}
	s.filter.SetText(sh.Filter)
	s.lookback.SetText(strconv.Itoa(int(sh.Sync.EffectiveLookback().Hours() / 24)))
	s.schedule.SetSelectedIndex(0)
	for i, h := range scheduleHours {
		if h == sh.Sync.EveryHours {
			s.schedule.SetSelectedIndex(i)
		}
	}
	s.create.SetChecked(sh.Sync.CreateMissing)
	s.showOrg(sh)
	s.showNextRun()
}

// changeHeaders are the plan table's column titles.
var changeHeaders = []string{"Operation", "Record", "Column", "Now", "After the run"}

// changeCells is one plan change as the table shows it: the record named,
// a new row from a pull said as such.
func changeCells(c app.CellChange) []string {
	if c.Op == app.OpAdd {
		return []string{"add row", app.ChangeRecord(c), "", "", "new row from Salesforce"}
	}
	return []string{c.Op, app.ChangeRecord(c), c.Column, c.Old, c.New}
}

// sortChanges sorts the plan table by a column (again: the other way).
func (s *syncScreen) sortChanges(col int) {
	if s.sortCol == col {
		s.sortDesc = !s.sortDesc
	} else {
		s.sortCol, s.sortDesc = col, false
	}
	s.applySort()
	s.changes.Refresh()
}

// applySort orders the rows by the chosen column, stably.
func (s *syncScreen) applySort() {
	if s.sortCol < 0 {
		return
	}
	col, desc := s.sortCol, s.sortDesc
	slices.SortStableFunc(s.rows, func(a, b app.CellChange) int {
		c := strings.Compare(strings.ToLower(changeCells(a)[col]), strings.ToLower(changeCells(b)[col]))
		if desc {
			return -c
		}
		return c
	})
}

// options are the run options the form shows.
func (s *syncScreen) options() app.SyncOptions {
	o := app.SyncOptions{Trigger: sheets.TriggerManual}
	for i, l := range directionLabels {
		if l == s.direction.Selected {
			o.Direction = directions[i]
		}
	}
	if i := s.policy.SelectedIndex(); i >= 0 {
		o.Policy = policies[i]
	}
	o.Full = s.full.Checked
	return o
}

// formSheet is the open sheet with the form's settings applied.
func (s *syncScreen) formSheet() (sheets.Sheet, error) {
	c := *s.mw.sheet
	days, err := strconv.Atoi(strings.TrimSpace(s.lookback.Text))
	if err != nil || days < 0 {
		return c, fmt.Errorf("lookback must be a whole number of days, not %q", s.lookback.Text)
	}
	o := s.options()
	c.Sync.Direction, c.Sync.Policy = o.Direction, o.Policy
	c.Sync.Lookback = time.Duration(days) * 24 * time.Hour
	c.Sync.CreateMissing = s.create.Checked
	if i := s.schedule.SelectedIndex(); i >= 0 {
		c.Sync.EveryHours = scheduleHours[i]
	}
	c.Filter = strings.TrimSpace(s.filter.Text)
	return c, nil
}

// dirty reports whether the form differs from the saved settings.
func (s *syncScreen) dirty() bool {
	sh := s.mw.sheet
	if sh == nil {
		return false
	}
	c, err := s.formSheet()
	if err != nil {
		return true
	}
	return c.Sync.Direction != sh.Sync.Direction && !(sh.Sync.Direction == "" && c.Sync.Direction == sheets.Both) ||
		c.Sync.Policy != sh.Sync.EffectivePolicy() ||
		c.Sync.EffectiveLookback() != sh.Sync.EffectiveLookback() ||
		c.Sync.CreateMissing != sh.Sync.CreateMissing ||
		c.Sync.EveryHours != sh.Sync.EveryHours ||
		c.Filter != sh.Filter
}

// save stores the form in the sheet's settings (one configuration
// version) and reports whether it could.
func (s *syncScreen) save() bool {
	if s.mw.sheet == nil {
		return false
	}
	c, err := s.formSheet()
	if err != nil {
		s.mw.report(err)
		return false
	}
	if err := s.mw.svc.SaveSheetSettings(&c, "sync settings"); err != nil {
		s.mw.report(err)
		return false
	}
	s.mw.reloadSheet()
	s.showNextRun()
	s.mw.info("Sync settings saved")
	return true
}

// doValidate checks the filter against Salesforce (count and samples).
func (s *syncScreen) doValidate() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	where := strings.TrimSpace(s.filter.Text)
	s.filterRes.TextStyle.Monospace = false
	s.filterRes.SetText("Checking the filter…")
	s.sampleBox.Hide()
	s.mw.goBackground(func() {
		res, err := s.mw.svc.ValidateFilter(s.mw.ctx, sh.ID, where)
		uiloop.Do(func() {
			s.mw.conn.usageChanged()
			if err != nil {
				var fe *app.FilterError
				if errors.As(err, &fe) {
					// Monospace, so the caret stands under the character
					// Salesforce stopped at in the filter's own text.
					s.filterRes.TextStyle.Monospace = true
					s.filterRes.SetText("✗ " + fe.Message)
				} else {
					s.filterRes.SetText("✗ " + err.Error())
				}
				return
			}
			s.showSamples(sh, res)
		})
	})
}

// showSamples shows Validate's result: how many records match, and the
// samples in a small table of the sheet's mapped columns.
func (s *syncScreen) showSamples(sh *sheets.Sheet, res app.FilterCheck) {
	s.filterRes.SetText(filterSummary(res))
	s.sampleCols = s.sampleCols[:0]
	for _, c := range sh.Columns {
		if c.Mapped() {
			s.sampleCols = append(s.sampleCols, c.Name)
		}
	}
	s.sampleRows = res.Samples
	for i := range s.sampleCols {
		s.samples.SetColumnWidth(i, 150)
	}
	s.samples.Refresh()
	if len(res.Samples) > 0 && len(s.sampleCols) > 0 {
		s.sampleBox.Show()
	} else {
		s.sampleBox.Hide()
	}
}

// filterSummary is the Validate result in words.
func filterSummary(res app.FilterCheck) string {
	switch {
	case res.Count == 1:
		return "✓ 1 record matches"
	case len(res.Samples) > 0:
		return fmt.Sprintf("✓ %d records match; a few of them:", res.Count)
	}
	return fmt.Sprintf("✓ %d records match", res.Count)
}

// doPlan runs a dry run and shows what a run would do and cost.
func (s *syncScreen) doPlan() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	s.plan.SetText("Planning…")
	s.planBtn.Disable()
	opt := s.options()
	s.mw.goBackground(func() {
		p, err := s.mw.svc.Plan(s.mw.ctx, sh.ID, opt)
		uiloop.Do(func() {
			s.planBtn.Enable()
			if err != nil {
				s.plan.SetText("Plan failed: " + err.Error())
				s.offerRebind(err)
				return
			}
			s.plan.SetText(planSummary(p))
			s.rows = slices.Clone(p.Changes)
			s.applySort()
			s.changes.Refresh()
			s.mw.conn.usageChanged()
		})
	})
}

// planSummary is the Plan in a few lines a user reads before pressing Run.
func planSummary(p *app.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s of %q (%s, conflicts: %s)\n", strings.ToUpper(string(p.Direction[:1]))+string(p.Direction[1:]), p.SheetName, p.Object, p.Policy)
	fmt.Fprintf(&b, "Pull: %d read, %d new rows, %d rows refreshed.  Push: %d creates, %d updates.  %d unchanged, %d conflicts (%d settled by the policy), %d deleted in Salesforce, %d invalid.\n",
		p.Pulled, p.New, p.Refreshes, p.Creates, p.Updates, p.Unchanged, p.Conflicts, p.Settled, p.DeletedRemotely, p.Invalid)
	fmt.Fprintf(&b, "API calls: about %d (planning spent %d); %d of %d left today, %d kept in reserve.", p.APICalls, p.APICallsSpent, p.APIRemaining, p.APILimit, p.APIReserve)
	if p.WouldPause {
		b.WriteString("\n⚠ The run would reach the API reserve and pause before finishing.")
	}
	if p.SafetyStop != nil {
		fmt.Fprintf(&b, "\n⚠ %v", p.SafetyStop)
	}
	if len(p.Unmapped) > 0 {
		fmt.Fprintf(&b, "\nNot synced (unmapped columns): %s", strings.Join(p.Unmapped, ", "))
	}
	for i, pr := range p.Problems {
		if i == 5 {
			fmt.Fprintf(&b, "\n… and %d more invalid rows", len(p.Problems)-5)
			break
		}
		fmt.Fprintf(&b, "\nInvalid: %s %s — %s", pr.Op, pr.RecordID, pr.Reason)
	}
	if p.Truncated {
		fmt.Fprintf(&b, "\n(the list below shows the first %d changes)", len(p.Changes))
	}
	return b.String()
}

// changesOf is the number of record writes a plan would make.
func changesOf(p *app.Plan) int { return p.Writes() }

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
	name := map[string]string{app.PhasePull: "Pulling from Salesforce", app.PhaseReconcile: "Reconciling pending creates",
		app.PhasePush: "Pushing to Salesforce", app.PhaseRevert: "Reverting"}[p.Phase]
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
	if r.Message != "" {
		s += " " + r.Message
	}
	return s
}
