package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
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
	// The settings scroll; the buttons, the progress and the plan's
	// summary stay in view under them, and the plan's table takes the rest
	// of the height below (drag the divider to share it differently).
	// The summary scrolls in three lines' height: a long plan (a first
	// pull's, one with invalid rows) never spills over the table.
	summary := container.NewVScroll(s.plan)
	summary.SetMinSize(fyne.NewSize(0, 3*(theme.TextSize()+theme.InnerPadding())))
	controls := container.NewVBox(actions, progress, widget.NewSeparator(), summary)
	upper := container.NewBorder(nil, container.NewPadded(controls), nil, nil, container.NewVScroll(container.NewPadded(form)))
	split := container.NewVSplit(upper, s.changes)
	split.Offset = 0.7
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
