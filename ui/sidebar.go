package ui

import (
	"fmt"
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

// sidebar lists the sheets and holds the sheet actions: new (from a
// template, an object or an XLSX file), rename and delete.
type sidebar struct {
	mw     *MainWindow
	sheets []*sheets.Sheet
	counts map[string]int
	list   *widget.List
	box    *fyne.Container
	// quiet suppresses OnSelected while the list is re-selected in code.
	quiet bool
}

func newSidebar(mw *MainWindow) *sidebar {
	s := &sidebar{mw: mw, counts: map[string]int{}}
	s.list = widget.NewList(
		func() int { return len(s.sheets) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("sheet name")
			name.TextStyle.Bold = true
			name.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("object · rows")
			sub.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(name, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(s.sheets) {
				return
			}
			sh := s.sheets[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(sh.Name)
			box.Objects[1].(*widget.Label).SetText(sheetSubtitle(sh, s.counts[sh.ID]))
		},
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		if s.quiet || i >= len(s.sheets) {
			return
		}
		if s.mw.sheet != nil && s.mw.sheet.ID == s.sheets[i].ID {
			return
		}
		_ = s.mw.OpenSheet(s.sheets[i].ID)
	}
	newMenu := fyne.NewMenu("",
		fyne.NewMenuItem("From a CRM template…", mw.showNewFromTemplate),
		fyne.NewMenuItem("From a Salesforce object…", mw.showNewFromObject),
		fyne.NewMenuItem("From an XLSX file…", mw.showNewFromXLSX),
		fyne.NewMenuItem("Blank sheet…", mw.showNewBlank),
	)
	var newBtn *widget.Button
	newBtn = widget.NewButtonWithIcon("New sheet", theme.ContentAddIcon(), func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(newBtn)
		widget.ShowPopUpMenuAtPosition(newMenu, mw.win.Canvas(), pos.Add(fyne.NewPos(0, newBtn.Size().Height)))
	})
	newBtn.Importance = widget.HighImportance
	rename := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), mw.showRename)
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), mw.confirmDelete)
	title := widget.NewLabel("Sheets")
	title.TextStyle.Bold = true
	top := container.NewVBox(title, container.NewBorder(nil, nil, nil, container.NewHBox(rename, del), newBtn))
	s.box = container.NewBorder(top, nil, nil, nil, s.list)
	return s
}

// sheetSubtitle is the second line of a sheet in the list.
func sheetSubtitle(sh *sheets.Sheet, rows int) string {
	obj := sh.Object
	if obj == "" {
		obj = "local sheet"
	}
	return fmt.Sprintf("%s · %d rows", obj, rows)
}

// reload re-reads the list of sheets and their row counts.
func (s *sidebar) reload() {
	list, err := s.mw.svc.Sheets()
	if err != nil {
		s.mw.report(fmt.Errorf("list the sheets: %w", err))
		return
	}
	s.sheets = list
	for _, sh := range list {
		if n, err := s.mw.svc.RowCount(sh.ID); err == nil {
			s.counts[sh.ID] = n
		}
	}
	s.list.Refresh()
	if s.mw.sheet != nil {
		s.mark(s.mw.sheet.ID)
	}
}

// mark highlights a sheet in the list without reopening it.
func (s *sidebar) mark(id string) bool {
	for i, sh := range s.sheets {
		if sh.ID == id {
			s.quiet = true
			s.list.Select(i)
			s.quiet = false
			return true
		}
	}
	return false
}

// selectID opens a sheet by id; false when there is no such sheet.
func (s *sidebar) selectID(id string) bool {
	if id == "" || !s.mark(id) {
		return false
	}
	return s.mw.OpenSheet(id) == nil
}

// selectFirst opens the first sheet, if any.
func (s *sidebar) selectFirst() {
	if len(s.sheets) > 0 {
		s.selectID(s.sheets[0].ID)
	}
}

// sheetCreated lists and opens a new sheet.
func (mw *MainWindow) sheetCreated(sh *sheets.Sheet) {
	mw.sidebar.reload()
	mw.sidebar.selectID(sh.ID)
	mw.info(fmt.Sprintf("Created %q. Map its columns, then Plan and Run a pull in the Sync tab.", sh.Name))
}

// showNewFromTemplate asks for a template and a name.
func (mw *MainWindow) showNewFromTemplate() {
	tpls := mw.svc.Templates()
	labels := make([]string, len(tpls))
	for i, t := range tpls {
		labels[i] = t.Label + " (" + t.Object + ")"
	}
	pick := widget.NewSelect(labels, nil)
	desc := widget.NewLabel("")
	desc.Wrapping = fyne.TextWrapWord
	name := widget.NewEntry()
	name.SetPlaceHolder("Sheet name (optional)")
	pick.OnChanged = func(string) {
		if i := pick.SelectedIndex(); i >= 0 {
			desc.SetText(tpls[i].Description)
		}
	}
	if len(labels) > 0 {
		pick.SetSelectedIndex(0)
	}
	form := []*widget.FormItem{widget.NewFormItem("Template", pick), widget.NewFormItem("", desc), widget.NewFormItem("Name", name)}
	d := dialog.NewForm("New sheet from a CRM template", "Create", "Cancel", form, func(ok bool) {
		i := pick.SelectedIndex()
		if !ok || i < 0 {
			return
		}
		sh, err := mw.svc.NewSheetFromTemplate(tpls[i].ID, strings.TrimSpace(name.Text))
		if err != nil {
			mw.report(err)
			return
		}
		mw.sheetCreated(sh)
	}, mw.win)
	d.Resize(fyne.NewSize(480, 300))
	d.Show()
}

// showNewBlank asks for a name and column names and starts a blank local
// sheet (text columns; add, retype and map them later).
func (mw *MainWindow) showNewBlank() {
	name := widget.NewEntry()
	name.SetPlaceHolder("Sheet name")
	cols := widget.NewEntry()
	cols.SetText("A, B, C")
	colsItem := widget.NewFormItem("Columns", cols)
	colsItem.HintText = "Comma-separated; change them later from a column header's menu."
	form := []*widget.FormItem{widget.NewFormItem("Name", name), colsItem}
	d := dialog.NewForm("New blank sheet", "Create", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		mw.newBlank(name.Text, cols.Text)
	}, mw.win)
	d.Resize(fyne.NewSize(480, 240))
	d.Show()
}

// newBlank creates and opens a blank local sheet.
func (mw *MainWindow) newBlank(name, columns string) {
	if strings.TrimSpace(name) == "" {
		name = "Untitled sheet"
	}
	sh, err := mw.svc.NewLocalSheet(app.BlankSheet(name, strings.Split(columns, ",")))
	if err != nil {
		mw.report(err)
		return
	}
	mw.sidebar.reload()
	mw.sidebar.selectID(sh.ID)
	mw.info(fmt.Sprintf("Created %q. Add rows with + Row; add, rename or retype columns from a column header's menu (right-click).", sh.Name))
}

// showNewFromObject asks for an sObject API name; the describe runs off the
// UI goroutine.
func (mw *MainWindow) showNewFromObject() {
	obj := widget.NewEntry()
	obj.SetPlaceHolder("API name, e.g. Account or Subscription__c")
	obj.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("enter the object's API name")
		}
		return nil
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("Sheet name (optional)")
	form := []*widget.FormItem{widget.NewFormItem("Object", obj), widget.NewFormItem("Name", name)}
	d := dialog.NewForm("New sheet from a Salesforce object", "Create", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		object, n := strings.TrimSpace(obj.Text), strings.TrimSpace(name.Text)
		mw.info("Reading the " + object + " describe…")
		mw.goBackground(func() {
			sh, err := mw.svc.NewSheetFromObject(mw.ctx, object, n)
			uiloop.Do(func() {
				mw.conn.usageChanged()
				if err != nil {
					mw.report(err)
					return
				}
				mw.sheetCreated(sh)
			})
		})
	}, mw.win)
	d.Resize(fyne.NewSize(480, 220))
	d.Show()
}

// showRename renames the open sheet.
func (mw *MainWindow) showRename() {
	if mw.sheet == nil {
		return
	}
	id := mw.sheet.ID
	e := widget.NewEntry()
	e.SetText(mw.sheet.Name)
	dialog.ShowForm("Rename sheet", "Rename", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", e)}, func(ok bool) {
		name := strings.TrimSpace(e.Text)
		if !ok || name == "" {
			return
		}
		if err := mw.svc.RenameSheet(id, name); err != nil {
			mw.report(err)
			return
		}
		mw.reloadSheet()
		mw.win.SetTitle("CRM Sheets — " + name)
	}, mw.win)
}

// confirmDelete deletes the open sheet after a confirmation that says what
// is and is not deleted.
func (mw *MainWindow) confirmDelete() {
	if mw.sheet == nil {
		return
	}
	sh := mw.sheet
	n, err := mw.svc.RowCount(sh.ID) // now, not when the list was last read
	if err != nil {
		mw.report(err)
		return
	}
	msg := fmt.Sprintf("Delete the sheet %q and its %d rows from this computer?\nNothing is deleted in Salesforce; the run history is kept.", sh.Name, n)
	dialog.ShowConfirm("Delete sheet", msg, func(ok bool) {
		if !ok {
			return
		}
		if err := mw.svc.DeleteSheet(sh.ID); err != nil {
			mw.report(err)
			return
		}
		mw.closeSheet()
		mw.sidebar.reload()
		mw.sidebar.selectFirst()
		mw.info(fmt.Sprintf("Deleted %q", sh.Name))
	}, mw.win)
}
