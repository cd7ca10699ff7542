package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// columnMenu is the grid's column header menu (right-click a header, or
// the toolbar's Column button for the cursor's column): the spreadsheet
// basics on columns. `crmsheets column` does the same from scripts.
func (mw *MainWindow) columnMenu(colID string) *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem("Insert column…", func() { mw.showInsertColumn(colID) }),
		fyne.NewMenuItem("Rename…", func() { mw.showRenameColumn(colID) }),
		fyne.NewMenuItem("Change type…", func() { mw.showRetypeColumn(colID) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Move left", func() { mw.moveColumn(colID, -1) }),
		fyne.NewMenuItem("Move right", func() { mw.moveColumn(colID, 1) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Remove column…", func() { mw.confirmRemoveColumn(colID) }),
	)
}

// showColumnMenu opens the column menu at an absolute position.
func (mw *MainWindow) showColumnMenu(colID string, at fyne.Position) {
	widget.ShowPopUpMenuAtPosition(mw.columnMenu(colID), mw.win.Canvas(), at)
}

// openColumn is a column of the open sheet by id.
func (mw *MainWindow) openColumn(colID string) (sheets.Column, bool) {
	if mw.sheet == nil {
		return sheets.Column{}, false
	}
	return mw.sheet.Column(colID)
}

// columnsChanged re-reads the open sheet after a column operation and says
// what happened.
func (mw *MainWindow) columnsChanged(msg string) {
	mw.reloadSheet()
	mw.info(msg)
}

// typeLabels are the column types as the type pickers show them.
func typeLabels() []string {
	out := make([]string, len(sheets.Types))
	for i, t := range sheets.Types {
		out[i] = t.Label()
	}
	return out
}

func (mw *MainWindow) showInsertColumn(afterID string) {
	name := widget.NewEntry()
	name.SetPlaceHolder("Column name")
	kind := widget.NewSelect(typeLabels(), nil)
	kind.SetSelectedIndex(0)
	form := []*widget.FormItem{widget.NewFormItem("Name", name), widget.NewFormItem("Type", kind)}
	d := dialog.NewForm("Insert column", "Insert", "Cancel", form, func(ok bool) {
		if ok {
			mw.insertColumn(afterID, name.Text, sheets.Types[max(kind.SelectedIndex(), 0)])
		}
	}, mw.win)
	d.Resize(fyne.NewSize(420, 220))
	d.Show()
	mw.win.Canvas().Focus(name)
}

// insertColumn adds a column right after afterID (at the end when it is
// not found).
func (mw *MainWindow) insertColumn(afterID, name string, t sheets.Type) {
	if mw.sheet == nil {
		return
	}
	name = strings.TrimSpace(name)
	if name == "" {
		mw.report(fmt.Errorf("give the new column a name"))
		return
	}
	id := mw.sheet.ID
	c, err := mw.svc.AddColumn(id, sheets.Column{Name: name, Type: t})
	if err != nil {
		mw.report(err)
		return
	}
	if at := mw.sheet.ColumnIndex(afterID); at >= 0 {
		if err := mw.svc.MoveColumn(id, c.ID, at+1); err != nil {
			mw.report(err)
		}
	}
	mw.columnsChanged(fmt.Sprintf("Inserted column %q", c.Name))
}

func (mw *MainWindow) showRenameColumn(colID string) {
	col, ok := mw.openColumn(colID)
	if !ok {
		return
	}
	name := widget.NewEntry()
	name.SetText(col.Name)
	dialog.ShowForm("Rename column", "Rename", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", name)}, func(ok bool) {
		if ok {
			mw.renameColumn(colID, name.Text)
		}
	}, mw.win)
	mw.win.Canvas().Focus(name)
}

// renameColumn renames a column of the open sheet.
func (mw *MainWindow) renameColumn(colID, name string) {
	col, ok := mw.openColumn(colID)
	name = strings.TrimSpace(name)
	if !ok || name == "" || name == col.Name {
		return
	}
	if err := mw.svc.RenameColumn(mw.sheet.ID, colID, name); err != nil {
		mw.report(err)
		return
	}
	mw.columnsChanged(fmt.Sprintf("Renamed column %q to %q", col.Name, name))
}

// retypeDialog is the Change type dialog: a type, its choices for a
// picklist, and a preview of the values that would not convert; Change is
// enabled only when every value converts.
type retypeDialog struct {
	mw      *MainWindow
	col     sheets.Column
	kind    *widget.Select
	choices *widget.Entry
	preview *widget.Label
	apply   *widget.Button
	d       dialog.Dialog
}

func (mw *MainWindow) showRetypeColumn(colID string) *retypeDialog {
	col, ok := mw.openColumn(colID)
	if !ok {
		return nil
	}
	r := &retypeDialog{mw: mw, col: col}
	r.kind = widget.NewSelect(typeLabels(), func(string) { r.check() })
	r.choices = widget.NewEntry()
	r.choices.SetPlaceHolder("Picklist values, comma-separated")
	r.choices.SetText(strings.Join(col.Choices, ", "))
	r.choices.OnChanged = func(string) { r.check() }
	r.preview = widget.NewLabel("")
	r.preview.Wrapping = fyne.TextWrapWord
	r.apply = widget.NewButton("Change type", r.commit)
	r.apply.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { r.d.Hide() })
	form := widget.NewForm(widget.NewFormItem("Type", r.kind), widget.NewFormItem("Choices", r.choices))
	body := container.NewBorder(form, container.NewHBox(cancel, r.apply), nil, nil, container.NewVScroll(r.preview))
	r.d = dialog.NewCustomWithoutButtons(fmt.Sprintf("Change the type of %q", col.Name), body, mw.win)
	r.d.Resize(fitSize(mw.win, fyne.NewSize(520, 360)))
	for i, t := range sheets.Types {
		if t == col.Type {
			r.kind.SetSelectedIndex(i)
		}
	}
	r.d.Show()
	return r
}

func (r *retypeDialog) target() (sheets.Type, []string) {
	t := sheets.Types[max(r.kind.SelectedIndex(), 0)]
	var ch []string
	for _, c := range strings.Split(r.choices.Text, ",") {
		if c = strings.TrimSpace(c); c != "" {
			ch = append(ch, c)
		}
	}
	return t, ch
}

// check previews the values that would not convert.
func (r *retypeDialog) check() {
	if r.preview == nil || r.apply == nil {
		return
	}
	t, ch := r.target()
	problems, total, err := r.mw.svc.RetypePreview(r.mw.sheet.ID, r.col.ID, t, ch)
	switch {
	case err != nil:
		r.preview.SetText(err.Error())
		r.apply.Disable()
	case total == 0:
		r.preview.SetText(fmt.Sprintf("Every value of %q converts to %s.", r.col.Name, strings.ToLower(t.Label())))
		r.apply.Enable()
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%d value(s) would not convert to %s; fix them first:\n", total, strings.ToLower(t.Label()))
		for _, p := range problems {
			fmt.Fprintf(&b, "row %d: %q (%s)\n", p.Row, p.Value, p.Reason)
		}
		if total > len(problems) {
			fmt.Fprintf(&b, "… and %d more", total-len(problems))
		}
		r.preview.SetText(b.String())
		r.apply.Disable()
	}
}

func (r *retypeDialog) commit() {
	t, ch := r.target()
	if err := r.mw.svc.RetypeColumn(r.mw.sheet.ID, r.col.ID, t, ch); err != nil {
		r.preview.SetText(err.Error())
		return
	}
	r.d.Hide()
	r.mw.columnsChanged(fmt.Sprintf("Column %q is now %s", r.col.Name, strings.ToLower(t.Label())))
}

// moveColumn moves a column one place left (-1) or right (+1).
func (mw *MainWindow) moveColumn(colID string, by int) {
	col, ok := mw.openColumn(colID)
	if !ok {
		return
	}
	at := mw.sheet.ColumnIndex(colID) + by
	if at < 0 || at >= len(mw.sheet.Columns) {
		return
	}
	if err := mw.svc.MoveColumn(mw.sheet.ID, colID, at); err != nil {
		mw.report(err)
		return
	}
	mw.columnsChanged(fmt.Sprintf("Moved column %q to position %d", col.Name, at+1))
}

func (mw *MainWindow) confirmRemoveColumn(colID string) {
	col, ok := mw.openColumn(colID)
	if !ok {
		return
	}
	msg := fmt.Sprintf("Remove column %q and its cells from the sheet?\nSalesforce is not touched.", col.Name)
	dialog.ShowConfirm("Remove column", msg, func(ok bool) {
		if ok {
			mw.removeColumn(colID)
		}
	}, mw.win)
}

// removeColumn removes a column of the open sheet.
func (mw *MainWindow) removeColumn(colID string) {
	col, ok := mw.openColumn(colID)
	if !ok {
		return
	}
	if err := mw.svc.RemoveColumn(mw.sheet.ID, colID); err != nil {
		mw.report(err)
		return
	}
	mw.columnsChanged(fmt.Sprintf("Removed column %q", col.Name))
}

// fitSize is want, shrunk to fit inside the window.
func fitSize(w fyne.Window, want fyne.Size) fyne.Size {
	have := w.Canvas().Size()
	if have.Width <= 0 || have.Height <= 0 {
		return want
	}
	return fyne.NewSize(min(want.Width, have.Width-40), min(want.Height, have.Height-40))
}
