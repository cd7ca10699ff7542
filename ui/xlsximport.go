package ui

import (
	"context"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Import choices of the preview dialog.
const (
	importOverwrite = "Overwrite cells with the file's values"
	importOnlyEmpty = "Only fill cells that are empty"
)

// showImport imports an XLSX file into the open sheet (or, with no sheet
// open, makes a new sheet from one).
func (mw *MainWindow) showImport() {
	if mw.sheet == nil {
		mw.showNewFromXLSX()
		return
	}
	mw.openXLSXDialog(mw.importFile)
}

// openXLSXDialog is the open dialog for a workbook.
func (mw *MainWindow) openXLSXDialog(open func(path string)) {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			mw.report(err)
			return
		}
		if rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		open(path)
	}, mw.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx"}))
	fd.Show()
}

// readFile reads a tab of a workbook off the UI goroutine with progress and
// Cancel; then runs on the UI goroutine with the result.
func (mw *MainWindow) readFile(path, tab string, headerRow int, then func(*importSource)) {
	ctx, b := mw.startBusy("Reading the workbook", "Reading "+path+"…", true)
	mw.goBackground(func() {
		src, err := readSource(ctx, mw.svc, path, tab, headerRow)
		uiloop.Do(func() {
			b.done()
			switch {
			case errors.Is(err, context.Canceled):
				mw.info("Import cancelled")
			case err != nil:
				mw.report(fmt.Errorf("read %s: %w", path, err))
			default:
				then(src)
			}
		})
	})
}

// importFile reads a workbook and shows what importing it into the open
// sheet would change.
func (mw *MainWindow) importFile(path string) {
	sh := mw.sheet
	if sh == nil {
		return
	}
	mw.readFile(path, "", 0, func(src *importSource) { mw.showImportPreview(sh, src) })
}

// showImportPreview shows the import preview of a workbook read for sheet sh.
func (mw *MainWindow) showImportPreview(sh *sheets.Sheet, src *importSource) *importDialog {
	d := newImportDialog(mw, sh.ID, sh.Name, src)
	d.show()
	d.replan()
	return d
}

// importDialog is the import preview: the tab and header row read, the
// day/month order of ambiguous date columns, the options, the matched,
// new and unmatched columns, and a table of every cell that would change
// and every problem (invalid values with row, column and reason, duplicate
// keys, rows skipped or matching nothing). Import applies it.
type importDialog struct {
	workbookChoice
	sheetID string
	plan    *importPlan

	dates     *fyne.Container
	mode      *widget.RadioGroup
	add       *widget.Check
	summary   *widget.Label
	columns   *widget.Label
	table     *widget.Table
	importBtn *widget.Button
	d         *dialog.CustomDialog
	// result is what the last apply did, as the "Import done" note says it.
	result string
}

func newImportDialog(mw *MainWindow, sheetID, sheetName string, src *importSource) *importDialog {
	d := &importDialog{workbookChoice: newWorkbookChoice(mw, src), sheetID: sheetID,
		summary: widget.NewLabel("Computing the preview…"), columns: widget.NewLabel(""), dates: container.NewVBox()}
	d.changed = func() { d.fillDates(); d.replan() }
	d.summary.Wrapping = fyne.TextWrapWord
	d.columns.Wrapping = fyne.TextWrapWord
	reread := widget.NewButtonWithIcon("Read again", theme.ViewRefreshIcon(), d.reread)
	d.mode = widget.NewRadioGroup([]string{importOverwrite, importOnlyEmpty}, func(string) { d.replan() })
	d.mode.SetSelected(importOverwrite)
	d.mode.Required = true
	d.add = widget.NewCheck("Add unmatched rows as new rows", func(bool) { d.replan() })
	d.table = widget.NewTableWithHeaders(
		func() (int, int) {
			if d.plan == nil {
				return 0, len(previewHeader)
			}
			return len(d.plan.Lines), len(previewHeader)
		},
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if d.plan == nil || id.Row >= len(d.plan.Lines) || id.Col >= len(previewHeader) {
				return
			}
			o.(*widget.Label).SetText(d.plan.Lines[id.Row].cells()[id.Col])
		})
	d.table.ShowHeaderColumn = false
	d.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(previewHeader) {
			o.(*widget.Label).SetText(previewHeader[id.Col])
		}
	}
	for i, w := range []float32{110, 80, 140, 230, 330} {
		d.table.SetColumnWidth(i, w)
	}
	d.fillDates()
	source := container.NewBorder(nil, nil, nil, reread, container.NewGridWithColumns(4, widget.NewLabel("Tab"), d.tab, widget.NewLabel("Header row"), d.header))
	top := container.NewVBox(source, d.dates, d.mode, d.add, widget.NewSeparator(), d.summary, d.columns)
	body := container.NewBorder(top, nil, nil, nil, d.table)
	d.importBtn = widget.NewButtonWithIcon("Import", theme.ConfirmIcon(), d.apply)
	d.importBtn.Importance = widget.HighImportance
	d.importBtn.Disable()
	cancel := widget.NewButton("Cancel", func() { d.d.Hide() })
	d.d = dialog.NewCustomWithoutButtons(fmt.Sprintf("Import %s into %q", shortPath(src.Path), sheetName), body, mw.win)
	d.d.SetButtons([]fyne.CanvasObject{cancel, d.importBtn})
	return d
}

func (d *importDialog) show() {
	d.d.Resize(fyne.NewSize(980, 660))
	d.d.Show()
}

// shortPath is the file's name for titles.
func shortPath(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// fillDates lists a choice of day/month order for each ambiguous date
// column: the app never guesses a date.
func (d *importDialog) fillDates() {
	d.dates.Objects = dateChoices(d.src, func(col, k int) { d.chooseDate(col, k) })
	d.dates.Refresh()
}

// dateChoices are the selects of the ambiguous date columns of src.
func dateChoices(src *importSource, choose func(col, k int)) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for i, c := range src.Columns {
		if len(c.DateOrders) == 0 {
			continue
		}
		col := i
		sel := widget.NewSelect(c.DateOrders, nil)
		sel.PlaceHolder = "choose the order"
		sel.OnChanged = func(string) { choose(col, sel.SelectedIndex()) }
		label := widget.NewLabel(dateQuestion(c))
		label.Importance = widget.WarningImportance
		out = append(out, container.NewBorder(nil, nil, label, nil, sel))
	}
	return out
}

// dateQuestion asks how to read an ambiguous date column, saying why it is
// ambiguous.
func dateQuestion(c importColumn) string {
	if c.MixedDates {
		return fmt.Sprintf("%q mixes date cells with text dates only %s reads (the spreadsheet may have read the others in the wrong order): read the text dates as", c.Name, c.DateOrders[0])
	}
	return fmt.Sprintf("%q holds dates whose day and month cannot be told apart: read them as", c.Name)
}

// choice are the options as the form shows them.
func (d *importDialog) choice() mergeChoice {
	return mergeChoice{OnlyEmpty: d.mode.Selected == importOnlyEmpty, AddUnmatched: d.add.Checked}
}

// replan computes the preview off the UI goroutine and swaps it in.
func (d *importDialog) replan() {
	if d.src == nil || d.importBtn == nil { // still being built
		return
	}
	choice, src := d.choice(), d.src
	d.importBtn.Disable()
	d.summary.SetText("Computing the preview…")
	d.mw.goBackground(func() {
		p, err := src.plan(d.sheetID, choice)
		uiloop.Do(func() {
			if err != nil {
				d.summary.SetText("")
				d.mw.report(err)
				return
			}
			d.plan = p
			d.summary.SetText(p.summary())
			d.columns.SetText(columnsText(p))
			d.table.Refresh()
			d.table.ScrollToTop()
			if p.ChangedCells > 0 || p.New > 0 {
				d.importBtn.Enable()
			}
		})
	})
}

// columnsText lists matched, unmatched and read-only file columns.
func columnsText(p *importPlan) string {
	lines := []string{"Columns: " + orNone(p.MatchedColumns)}
	if len(p.UnmatchedColumns) > 0 {
		lines = append(lines, "Not imported (no such column in the sheet): "+strings.Join(p.UnmatchedColumns, ", "))
	}
	if len(p.ReadOnlyColumns) > 0 {
		lines = append(lines, "Not imported (read-only in Salesforce): "+strings.Join(p.ReadOnlyColumns, ", "))
	}
	return strings.Join(lines, "\n")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none match the sheet's columns"
	}
	return strings.Join(s, "; ")
}

// apply writes the preview (one transaction in the engine) and says what
// it did.
func (d *importDialog) apply() {
	p := d.plan
	if p == nil {
		return
	}
	d.d.Hide()
	_, b := d.mw.startBusy("Importing", "Writing the changes into the sheet…", false)
	d.mw.goBackground(func() {
		res, err := p.apply()
		uiloop.Do(func() {
			b.done()
			if err != nil {
				d.mw.report(err)
				return
			}
			d.result = resultText(res)
			d.mw.reloadSheet()
			d.mw.conn.usageChanged()
			d.mw.info(fmt.Sprintf("Imported %s: %d updated, %d added", shortPath(d.src.Path), res.Updated, res.Added))
			dialog.ShowInformation("Import done", d.result, d.mw.win)
		})
	})
}
