package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
	"crmsheets/ui/grid"
)

// stateFilters are the choices of the toolbar's row-state filter.
var stateFilters = []struct {
	label  string
	states []sheets.State
}{
	{"All rows", nil},
	{"Changed here", []sheets.State{sheets.StateModified, sheets.StateNew}},
	{"Conflicts", []sheets.State{sheets.StateConflict}},
	{"Errors", []sheets.State{sheets.StateError}},
	{"Deleted in Salesforce", []sheets.State{sheets.StateDeletedRemotely}},
}

// newSheetView is the Sheet tab: a toolbar (rows, undo, find, filter)
// over the grid.
func newSheetView(mw *MainWindow, g *grid.Grid) fyne.CanvasObject {
	find := widget.NewEntry()
	find.SetPlaceHolder("Find (Ctrl+F)")
	find.OnSubmitted = func(q string) { g.Find(q) }
	filter := widget.NewEntry()
	filter.SetPlaceHolder("Filter rows containing…")
	states := widget.NewSelect(nil, nil)
	for _, f := range stateFilters {
		states.Options = append(states.Options, f.label)
	}
	apply := func() {
		spec := g.View()
		spec.Filter = filter.Text
		spec.States = nil
		if i := states.SelectedIndex(); i > 0 {
			spec.States = stateFilters[i].states
		}
		g.SetView(spec)
	}
	filter.OnSubmitted = func(string) { apply() }
	// Create again acts on rows deleted in Salesforce: it shows with the
	// filter that lists them, keeping the usual toolbar short.
	recreate := widget.NewButtonWithIcon("Create again", theme.MediaReplayIcon(), func() { mw.confirmRecreateRows() })
	recreate.Hide()
	states.SetSelectedIndex(0)
	states.OnChanged = func(string) {
		if f := stateFilters[max(states.SelectedIndex(), 0)]; len(f.states) == 1 && f.states[0] == sheets.StateDeletedRemotely {
			recreate.Show()
		} else {
			recreate.Hide()
		}
		apply() // last: it filters the rows in the background
	}
	mw.findEntry = find
	mw.stateFilter, mw.recreateBtn = states, recreate
	bar := container.NewHBox(
		widget.NewButtonWithIcon("Row", theme.ContentAddIcon(), g.AddRow),
		widget.NewButtonWithIcon("Delete rows", theme.ContentRemoveIcon(), func() { mw.confirmDeleteRows() }),
		recreate,
		widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), g.Undo),
		columnButton(mw, g),
		widget.NewSeparator(),
		widget.NewButtonWithIcon("Import…", theme.UploadIcon(), mw.showImport),
		widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), mw.showExport),
	)
	right := container.NewGridWithColumns(3, find, filter, states)
	// The toolbar scrolls sideways in a narrow window rather than setting
	// the window's minimum width; the find and filter boxes keep a
	// readable width.
	top := container.NewHScroll(container.NewBorder(nil, nil, bar, nil, container.New(&atLeast{w: 420}, right)))
	return container.NewBorder(top, nil, nil, nil, g)
}

// atLeast lays its objects over its whole area and asks for at least w
// of width and h of height.
type atLeast struct{ w, h float32 }

func (l *atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := fyne.NewSize(l.w, l.h)
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// columnButton opens the column menu of the cursor's column (the same menu
// as a right-click on its header).
func columnButton(mw *MainWindow, g *grid.Grid) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("Column", theme.MenuDropDownIcon(), func() {
		_, c := g.Cursor()
		cols := g.Model().Sheet().Columns
		if c < 0 || c >= len(cols) {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		mw.showColumnMenu(cols[c].ID, pos.Add(fyne.NewPos(0, b.Size().Height)))
	})
	return b
}

// confirmDeleteRows deletes the grid's selected rows after a confirmation.
func (mw *MainWindow) confirmDeleteRows() {
	g := mw.grid
	if g == nil {
		return
	}
	ids := g.SelectedRowIDs()
	if len(ids) == 0 {
		return
	}
	msg := fmt.Sprintf("Delete %d row(s) from the sheet?\nThe records stay in Salesforce.", len(ids))
	dialog.ShowConfirm("Delete rows", msg, func(ok bool) {
		if ok {
			g.DeleteSelectedRows()
			mw.sidebar.reload()
		}
	}, mw.win)
}

// confirmRecreateRows turns the selected rows marked "Deleted in
// Salesforce" (by a revert, or by someone in Salesforce) back into new rows
// after a confirmation, so the next push creates their records again.
// Nothing else ever re-sends such rows.
func (mw *MainWindow) confirmRecreateRows() {
	g := mw.grid
	if g == nil || mw.sheet == nil {
		return
	}
	ids := g.SelectedRowIDs()
	if len(ids) == 0 {
		return
	}
	sheetID := mw.sheet.ID
	msg := fmt.Sprintf("Create the records of the selected rows again?\nRows marked \"Deleted in Salesforce\" among the %d selected become new rows;\nthe next push looks each up by key and creates it. Other rows are left alone.", len(ids))
	dialog.ShowConfirm("Create again in Salesforce", msg, func(ok bool) {
		if !ok {
			return
		}
		n, err := mw.svc.RecreateRows(sheetID, ids)
		if err != nil {
			mw.report(err)
			return
		}
		mw.info(fmt.Sprintf("%d row(s) will be created by the next push", n))
		mw.sidebar.reload()
		mw.updateBadges()
		g.Reload() // last: under a row filter it reads the rows in the background
	}, mw.win)
}
