package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// localSheetChoice is the object choice of a sheet kept local.
const localSheetChoice = "(none: a local sheet, link it later)"

// showNewFromXLSX makes a new sheet from a workbook the user picks.
func (mw *MainWindow) showNewFromXLSX() {
	mw.openXLSXDialog(mw.newSheetFromFile)
}

// newSheetFromFile reads a workbook and shows the new-sheet dialog.
func (mw *MainWindow) newSheetFromFile(path string) {
	mw.readFile(path, "", 0, func(src *importSource) { mw.showNewSheet(src) })
}

// showNewSheet shows the new-sheet dialog for a workbook read.
func (mw *MainWindow) showNewSheet(src *importSource) *newSheetDialog {
	d := newNewSheetDialog(mw, src)
	d.show()
	return d
}

// newSheetDialog makes a sheet from a workbook: the tab and header row, the
// columns with their inferred types, a choice of order for ambiguous date
// columns, the first rows, the problems, and optionally the Salesforce
// object the sheet is for; with one, the Mapper opens on an auto-mapping
// proposal once the sheet exists.
type newSheetDialog struct {
	workbookChoice
	objects []app.ObjectInfo

	name      *widget.Entry
	object    *widget.Select
	dates     *fyne.Container
	info      *widget.Label
	sample    *widget.Table
	createBtn *widget.Button
	d         *dialog.CustomDialog
}

func newNewSheetDialog(mw *MainWindow, src *importSource) *newSheetDialog {
	d := &newSheetDialog{workbookChoice: newWorkbookChoice(mw, src), dates: container.NewVBox(), info: widget.NewLabel("")}
	d.changed = d.refill
	d.info.Wrapping = fyne.TextWrapWord
	d.name = widget.NewEntry()
	d.name.SetText(strings.TrimSuffix(filepath.Base(src.Path), filepath.Ext(src.Path)))
	d.object = widget.NewSelect([]string{localSheetChoice}, nil)
	d.object.SetSelected(localSheetChoice)
	reread := widget.NewButtonWithIcon("Read again", theme.ViewRefreshIcon(), d.reread)
	d.sample = widget.NewTableWithHeaders(
		func() (int, int) { return len(d.src.Sample), len(d.src.Columns) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(d.src.Sample) || id.Col >= len(d.src.Sample[id.Row]) || id.Col >= len(d.src.Columns) {
				return
			}
			o.(*widget.Label).SetText(sheets.Format(d.src.Columns[id.Col].Type, d.src.Sample[id.Row][id.Col]))
		})
	d.sample.ShowHeaderColumn = false
	d.sample.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(d.src.Columns) {
			o.(*widget.Label).SetText(columnHeading(d.src.Columns[id.Col]))
		}
	}
	d.refill()
	form := widget.NewForm(
		widget.NewFormItem("Tab", container.NewBorder(nil, nil, nil, reread, container.NewGridWithColumns(3, d.tab, widget.NewLabel("Header row"), d.header))),
		widget.NewFormItem("Sheet name", d.name),
		widget.NewFormItem("Salesforce object", d.object),
	)
	top := container.NewVBox(form, d.dates, d.info)
	d.createBtn = widget.NewButtonWithIcon("Create sheet", theme.ConfirmIcon(), d.create)
	d.createBtn.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.d.Hide() })
	d.d = dialog.NewCustomWithoutButtons("New sheet from "+shortPath(src.Path), container.NewBorder(top, nil, nil, nil, d.sample), mw.win)
	d.d.SetButtons([]fyne.CanvasObject{cancel, d.createBtn})
	d.loadObjects()
	return d
}

func (d *newSheetDialog) show() {
	d.d.Resize(fyne.NewSize(980, 640))
	d.d.Show()
}

// columnHeading is a file column's name with its inferred type.
func columnHeading(c importColumn) string {
	switch {
	case c.RecordIDs:
		return c.Name + " (record ids)"
	case len(c.DateOrders) > 0:
		return c.Name + " (dates: choose the order)"
	}
	return c.Name + " (" + c.Type.Label() + ")"
}

// refill shows the source's columns, date choices and problems.
func (d *newSheetDialog) refill() {
	d.dates.Objects = dateChoices(d.src, d.chooseDate)
	d.dates.Refresh()
	for i, c := range d.src.Columns {
		w := float32(len(columnHeading(c))*8 + 24)
		d.sample.SetColumnWidth(i, min(max(w, 110), 260))
	}
	d.sample.Refresh()
	text := fmt.Sprintf("Tab %q, header on row %d: %d column(s), %d row(s); the first %d are shown.", d.src.Tab, d.src.HeaderRow, len(d.src.Columns), d.src.Rows, len(d.src.Sample))
	if n := len(d.src.Problems); n > 0 {
		shown := d.src.Problems[:min(n, 3)]
		text += fmt.Sprintf("\n%d cell(s) could not be read and stay blank: %s", n, strings.Join(shown, "; "))
		if n > len(shown) {
			text += "; …"
		}
	}
	d.info.SetText(text)
}

// loadObjects lists the org's objects off the UI goroutine; offline, the
// sheet can still be made local.
func (d *newSheetDialog) loadObjects() {
	d.mw.goBackground(func() {
		objs, err := d.mw.svc.Objects(d.mw.ctx)
		uiloop.Do(func() {
			if err != nil {
				d.object.PlaceHolder = "offline: the sheet will be local"
				return
			}
			d.objects = objs
			opts := []string{localSheetChoice}
			for _, o := range objs {
				opts = append(opts, objectChoice(o))
			}
			d.object.Options = opts
			d.object.Refresh()
		})
	})
}

// objectChoice is an object as the select lists it.
func objectChoice(o app.ObjectInfo) string { return o.Label + " (" + o.Name + ")" }

// chosenObject is the API name of the object chosen, "" for a local sheet.
func (d *newSheetDialog) chosenObject() string {
	for _, o := range d.objects {
		if objectChoice(o) == d.object.Selected {
			return o.Name
		}
	}
	return ""
}

// chooseObject selects an object by API name (tests and keyboard users).
func (d *newSheetDialog) chooseObject(name string) bool {
	for _, o := range d.objects {
		if o.Name == name {
			d.object.SetSelected(objectChoice(o))
			return true
		}
	}
	return false
}

// create makes the sheet (one transaction), links it to the object chosen
// and opens it; with an object, the Mapper proposes a mapping to review.
func (d *newSheetDialog) create() {
	name := strings.TrimSpace(d.name.Text)
	if name == "" {
		d.mw.report(fmt.Errorf("give the new sheet a name"))
		return
	}
	for _, c := range d.src.Columns {
		if len(c.DateOrders) > 0 {
			d.mw.report(fmt.Errorf("choose how to read the dates of column %q first: the app never guesses a date", c.Name))
			return
		}
	}
	object, src := d.chosenObject(), d.src
	d.d.Hide()
	_, b := d.mw.startBusy("Creating the sheet", fmt.Sprintf("Writing %d rows into %q…", src.Rows, name), false)
	d.mw.goBackground(func() {
		sh, err := src.create(name)
		if err == nil && object != "" {
			sh.Object = object
			err = d.mw.svc.SaveSheetSettings(sh, "linked to "+object)
		}
		uiloop.Do(func() {
			b.done()
			if err != nil {
				d.mw.report(err)
				if sh == nil {
					return
				}
			}
			d.mw.sheetCreated(sh)
			d.mw.info(fmt.Sprintf("Created %q from %s: %d rows", sh.Name, shortPath(src.Path), src.Rows))
			if object != "" {
				d.mw.proposeMapping()
			}
		})
	})
}
