package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// conflictColumns are the Conflicts table's columns; the last two are the
// per-field actions.
var conflictColumns = []string{"Record", "Column", "Base (last sync)", "Sheet (mine)", "Salesforce (theirs)", "", ""}

// conflictsScreen is the Conflicts tab: each conflicting field with its
// base, sheet and Salesforce values side by side, settled per field or for
// all at once.
type conflictsScreen struct {
	mw    *MainWindow
	items []app.ConflictItem
	table *widget.Table
	count *widget.Label
	body  fyne.CanvasObject
}

func newConflictsScreen(mw *MainWindow) *conflictsScreen {
	s := &conflictsScreen{mw: mw, count: widget.NewLabel("")}
	s.table = widget.NewTableWithHeaders(func() (int, int) { return len(s.items), len(conflictColumns) },
		func() fyne.CanvasObject {
			l := newTipLabel("")
			b := widget.NewButton("", nil)
			return container.NewStack(l, b)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			l, b := box.Objects[0].(*tipLabel), box.Objects[1].(*widget.Button)
			if id.Row >= len(s.items) {
				return
			}
			it := s.items[id.Row]
			if id.Col >= 5 {
				l.Hide()
				b.Show()
				keep := id.Col == 5
				b.SetText(map[bool]string{true: "Keep mine", false: "Take theirs"}[keep])
				b.OnTapped = func() { s.resolve(it, keep) }
				return
			}
			b.Hide()
			l.Show()
			rec := it.Record
			if rec == "" {
				rec = it.RecordID
			}
			l.SetText([]string{rec, it.ColumnName, it.Base, it.Sheet, it.Remote}[id.Col])
		})
	s.table.ShowHeaderColumn = false
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(conflictColumns) {
			o.(*widget.Label).SetText(conflictColumns[id.Col])
		}
	}
	for i, w := range []float32{170, 120, 150, 150, 150, 110, 120} {
		s.table.SetColumnWidth(i, w)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Col < 5 && id.Row < len(s.items) && mw.grid != nil {
			it := s.items[id.Row]
			mw.ShowScreen("main")
			mw.grid.MoveToRow(it.RowID, it.ColumnID)
		}
	}
	mine := widget.NewButton("Keep mine for all", func() { s.resolveAll(true) })
	theirs := widget.NewButton("Take theirs for all", func() { s.resolveAll(false) })
	top := container.NewBorder(nil, nil, s.count, container.NewHBox(mine, theirs))
	s.body = container.NewBorder(top, nil, nil, nil, s.table)
	return s
}

func (s *conflictsScreen) content() fyne.CanvasObject { return s.body }

// shown reloads the conflicts of the open sheet.
func (s *conflictsScreen) shown() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	items, err := s.mw.svc.Conflicts(sh.ID)
	if err != nil {
		s.mw.report(err)
		return
	}
	s.items = items
	switch len(items) {
	case 0:
		s.count.SetText("No conflicts: nothing waits for you.")
	default:
		s.count.SetText(fmt.Sprintf("%d conflicting field(s): pick the value to keep. Mine is pushed at the next sync; theirs replaces the cell.", len(items)))
	}
	s.table.Refresh()
}

// resolve settles one field.
func (s *conflictsScreen) resolve(it app.ConflictItem, keepMine bool) {
	if _, err := s.mw.svc.ResolveConflict(s.mw.sheet.ID, it.RowID, it.ColumnID, keepMine); err != nil {
		s.mw.report(err)
		return
	}
	s.settled(1)
}

// resolveAll settles every listed conflict the same way.
func (s *conflictsScreen) resolveAll(keepMine bool) {
	if len(s.items) == 0 {
		return
	}
	seen := map[sheets.RowID]bool{}
	var ids []sheets.RowID
	for _, it := range s.items {
		if !seen[it.RowID] {
			seen[it.RowID] = true
			ids = append(ids, it.RowID)
		}
	}
	n, err := s.mw.svc.ResolveAll(s.mw.sheet.ID, ids, keepMine)
	if err != nil {
		s.mw.report(err)
		return
	}
	s.settled(n)
}

func (s *conflictsScreen) settled(n int) {
	s.shown()
	s.mw.reloadSheet()
	s.mw.info(fmt.Sprintf("Settled %d conflict(s)", n))
}
