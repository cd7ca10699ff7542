package ui

import (
	"context"
	"errors"
	"fmt"
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

// historyRuns is how many runs the History tab lists.
const historyRuns = 200

// runColumns are the History table's columns.
// The tab shows the open sheet's runs only, so the sheet's name is not a
// column.
var runColumns = []string{"Started", "Direction", "Status", "Pulled", "Created", "Updated", "Conflicts", "Invalid", "Failed", "API", "Time"}

// Indexes of runColumns the code refers to.
const (
	runStatusCol  = 2 // coloured by outcome
	runInvalidCol = 7
	runFailedCol  = 8
)

// historyScreen is the History tab: every run of the open sheet, a chart of
// synced and failed records per run, and the selected run's errors with
// Jump to row, Export errors and Revert.
type historyScreen struct {
	mw       *MainWindow
	runs     []*sheets.Run
	table    *widget.Table
	chart    *runChart
	detail   *widget.Label
	errors   *widget.List
	outcomes []sheets.RecordOutcome
	// names names the failed records' rows the way a person knows
	// them (app.RecordName), by row id.
	names    map[sheets.RowID]string
	selected *sheets.Run
	revert   *widget.Button
	export   *widget.Button
	body     fyne.CanvasObject
}

func newHistoryScreen(mw *MainWindow) *historyScreen {
	h := &historyScreen{mw: mw, detail: widget.NewLabel("Select a run to see its details."), chart: newRunChart()}
	h.detail.Wrapping = fyne.TextWrapWord
	h.table = widget.NewTableWithHeaders(func() (int, int) { return len(h.runs), len(runColumns) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(h.runs) {
				return
			}
			l := o.(*widget.Label)
			l.Importance = widget.MediumImportance
			if id.Col == runStatusCol {
				l.Importance = statusImportance(h.runs[id.Row].Status)
			}
			l.SetText(runCells(h.runs[id.Row])[id.Col])
		})
	h.table.ShowHeaderColumn = false
	h.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(runColumns) {
			o.(*widget.Label).SetText(runColumns[id.Col])
		}
	}
	for i, w := range []float32{162, 70, 86, 62, 66, 68, 76, 58, 54, 46, 54} {
		h.table.SetColumnWidth(i, w)
	}
	h.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(h.runs) {
			h.show(h.runs[id.Row])
		}
	}
	h.errors = widget.NewList(func() int { return len(h.outcomes) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(h.outcomes) {
				text := outcomeText(h.outcomes[i])
				if n := h.names[h.outcomes[i].RowID]; n != "" {
					text = n + " — " + text
				}
				o.(*widget.Label).SetText(text)
			}
		})
	h.errors.OnSelected = func(i widget.ListItemID) {
		if i < len(h.outcomes) {
			h.jump(h.outcomes[i])
		}
		h.errors.UnselectAll()
	}
	h.revert = widget.NewButtonWithIcon("Revert this push", theme.ContentUndoIcon(), h.confirmRevert)
	h.export = widget.NewButtonWithIcon("Export errors…", theme.DocumentSaveIcon(), h.exportErrors)
	h.revert.Disable()
	h.export.Disable()
	detail := container.NewBorder(container.NewVBox(h.detail, container.NewHBox(h.revert, h.export), widget.NewLabel("Errors (click one to jump to its row):")), nil, nil, nil, h.errors)
	top := container.NewBorder(nil, nil, nil, nil, h.table)
	// A log scale, so a 2-record push stays visible beside a 1,500-record
	// pull.
	legend := widget.NewLabel("Records per run, oldest first, log scale: synced (green), failed (red)")
	legend.Wrapping = fyne.TextWrapWord
	chart := container.NewBorder(legend, nil, nil, nil, h.chart)
	runsAndChart := container.NewHSplit(top, chart)
	runsAndChart.Offset = 0.9 // the runs table's columns first (the chart keeps its minimum)
	split := container.NewVSplit(runsAndChart, detail)
	split.Offset = 0.55
	h.body = split
	return h
}

func (h *historyScreen) content() fyne.CanvasObject { return h.body }

// shown reloads the runs (off the UI goroutine).
func (h *historyScreen) shown() {
	sh := h.mw.sheet
	if sh == nil {
		return
	}
	h.mw.goBackground(func() {
		runs, err := h.mw.svc.Runs(app.RunQuery{SheetID: sh.ID, Limit: historyRuns})
		uiloop.Do(func() {
			if err != nil {
				h.mw.report(err)
				return
			}
			h.runs = runs
			h.table.Refresh()
			h.chart.set(runs)
			if h.selected == nil && len(runs) > 0 {
				h.table.Select(widget.TableCellID{Row: 0, Col: 0}) // the latest run's details
			}
		})
	})
}

// selectRun shows a run by id once the list has loaded.
func (h *historyScreen) selectRun(id uint64) {
	run, err := h.mw.svc.RunRecord(id)
	if err != nil {
		h.mw.report(err)
		return
	}
	h.show(run)
}

// runCells is one row of the runs table. The status is the one the engine
// recorded: "partial" when records failed or were invalid.
func runCells(r *sheets.Run) []string {
	c := r.Counts
	return []string{r.Started.Local().Format("2006-01-02 15:04:05"), string(r.Direction), string(r.Status),
		fmt.Sprint(c.Pulled), fmt.Sprint(c.Created), fmt.Sprint(c.Updated), fmt.Sprint(c.Conflicts), fmt.Sprint(c.Invalid), fmt.Sprint(c.Failed), fmt.Sprint(r.APICalls),
		shortDuration(r.Took())}
}

// bulkJobsText names a run's Bulk API jobs where Salesforce lists them.
func bulkJobsText(ids []string) string {
	return fmt.Sprintf("Bulk API jobs (Salesforce Setup → Bulk Data Load Jobs): %s.", strings.Join(ids, ", "))
}

// shortDuration is a run's time as the history lists it: to the
// millisecond under a second, to a tenth of a second above ("" while it
// runs).
func shortDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return sheets.RoundTime(d).String()
}

// statusImportance colours a run's status: plain when everything went
// through (the usual case, and green text reads poorly on the light
// theme), amber when some records did not, red when the run failed or was
// interrupted.
func statusImportance(s sheets.RunStatus) widget.Importance {
	switch s {
	case sheets.RunPartial, sheets.RunCancelled:
		return widget.WarningImportance
	case sheets.RunFailed, sheets.RunInterrupted:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// outcomeText is one error line: the row, record, operation and fields,
// then Salesforce's status code and the message; parts a record lacks are
// left out ("row 5 · 003… · conflict · Title: changed in both").
func outcomeText(o sheets.RecordOutcome) string {
	var parts []string
	if o.RowID != 0 {
		parts = append(parts, fmt.Sprintf("row %d", o.RowID))
	}
	for _, p := range []string{o.RecordID, o.Op, strings.Join(o.Fields, ", "), o.StatusCode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	head := strings.Join(parts, " · ")
	switch {
	case o.Message == "":
		return head
	case head == "":
		return o.Message
	}
	return head + ": " + o.Message
}

// show loads a run's detail and failed records.
func (h *historyScreen) show(r *sheets.Run) {
	h.selected = r
	txt := runSummary(r)
	if r.RevertedBy != 0 {
		txt += fmt.Sprintf("\nReverted by run %d.", r.RevertedBy)
	}
	if r.RevertOf != 0 {
		txt += fmt.Sprintf("\nThis run reverted run %d.", r.RevertOf)
	}
	if len(r.BulkJobs) > 0 {
		txt += "\n" + bulkJobsText(r.BulkJobs)
	}
	h.detail.SetText(txt)
	canRevert := r.Direction != sheets.Pull && r.RevertedBy == 0 && r.RevertOf == 0 && !r.DryRun && r.Status.Finished() && r.Counts.Created+r.Counts.Updated > 0
	if canRevert {
		h.revert.Enable()
	} else {
		h.revert.Disable()
	}
	h.mw.goBackground(func() {
		out, err := h.mw.svc.Outcomes(r.ID, true)
		names := map[sheets.RowID]string{}
		if sh, serr := h.mw.svc.Sheet(r.SheetID); serr == nil {
			for _, o := range out {
				if o.RowID == 0 {
					continue
				}
				if row, rerr := h.mw.svc.Row(sh.ID, o.RowID); rerr == nil {
					names[o.RowID] = app.RecordName(sh, row.Cells)
				}
			}
		}
		uiloop.Do(func() {
			if err != nil {
				h.mw.report(err)
				return
			}
			h.outcomes, h.names = out, names
			h.errors.Refresh()
			if len(out) > 0 {
				h.export.Enable()
			} else {
				h.export.Disable()
			}
		})
	})
}

// jump opens the grid on the row of a failed record.
func (h *historyScreen) jump(o sheets.RecordOutcome) {
	g := h.mw.grid
	if g == nil {
		return
	}
	h.mw.ShowScreen("main")
	col := ""
	if len(o.Fields) > 0 {
		if c, ok := h.mw.sheet.ColumnByField(o.Fields[0]); ok {
			col = c.ID
		}
	}
	if !g.MoveToRow(o.RowID, col) {
		h.mw.info(fmt.Sprintf("Row %d is not in the current view (deleted or filtered out)", o.RowID))
	}
}

// exportErrors writes the run's failed records to an XLSX file.
func (h *historyScreen) exportErrors() {
	r := h.selected
	if r == nil {
		return
	}
	h.mw.saveXLSXDialog(fmt.Sprintf("run-%d-errors.xlsx", r.ID), func(path string) { h.mw.exportRunErrors(r.ID, path) })
}

// confirmRevert undoes a push after confirmation, with progress and Cancel.
func (h *historyScreen) confirmRevert() {
	r := h.selected
	if r == nil {
		return
	}
	msg := fmt.Sprintf("Revert run %d? Fields it changed get their previous values back and records it created are deleted in Salesforce.\nFields changed in Salesforce since are left alone and reported.\nRows whose record is deleted stay in the sheet marked \"Deleted in Salesforce\" with their values;\nno push creates them again unless you select them and choose Create again\n(filter the sheet by \"Deleted in Salesforce\").", r.ID)
	dialog.ShowConfirm("Revert a push", msg, func(ok bool) {
		if !ok {
			return
		}
		ctx, cancel := context.WithCancel(h.mw.ctx)
		bar := widget.NewProgressBar()
		phase := widget.NewLabel("Reverting…")
		wait := dialog.NewCustom("Reverting run "+fmt.Sprint(r.ID), "Cancel", container.NewVBox(phase, bar), h.mw.win)
		wait.SetOnClosed(cancel)
		wait.Show()
		th := newThrottle(func(p app.Progress) {
			phase.SetText(progressText(p))
			if p.Total > 0 {
				bar.SetValue(float64(p.Done) / float64(p.Total))
			}
		})
		h.mw.goBackground(func() {
			run, err := h.mw.svc.Revert(ctx, r.ID, th.Report)
			th.Stop()
			uiloop.Do(func() {
				wait.Hide()
				cancel()
				h.mw.reloadSheet()
				h.mw.conn.usageChanged()
				h.shown()
				switch {
				case errors.Is(err, app.ErrNotRevertible):
					h.mw.report(fmt.Errorf("run %d cannot be reverted: %w", r.ID, err))
				case err != nil && !errors.Is(err, context.Canceled):
					h.mw.report(err)
				case run != nil:
					h.show(run)
					h.mw.info(runSummary(run))
				}
			})
		})
	}, h.mw.win)
}
