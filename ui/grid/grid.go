package grid

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// Grid is the spreadsheet view of one sheet: a formula bar over a
// virtualized table. It is created and used on the UI goroutine; work that
// reads the whole sheet (sort, filter, find, paste) runs in goroutines and
// comes back through uiloop.Do.
type Grid struct {
	widget.BaseWidget

	src   Source
	model *Model
	table *sheetTable
	ref   *widget.Label
	ed    *editors
	tip   *widget.PopUp
	// cellEd is the editor drawn over the cursor's cell, in layer over
	// the table; cellObj maps the drawn cells to their templates so it
	// can be placed (updateCell keeps it current).
	// candidates is the open list of an ambiguous reference's records.
	candidates *widget.PopUp
	cellEd     *cellEntry
	layer      *fyne.Container
	cellObj    map[widget.TableCellID]fyne.CanvasObject
	objCell    map[fyne.CanvasObject]widget.TableCellID

	// cur is the cursor and anchor the other corner of the selected range,
	// in model coordinates (view row, sheet column).
	cur, anchor widget.TableCellID
	undo        undoStack
	view        ViewSpec
	cancelView  context.CancelFunc
	busy        sync.WaitGroup
	// sizing hides the rows from the table while widths are applied.
	sizing bool
	// writing is set while a multi-cell write is on its way (writeCells).
	writing bool
	// repainting is set while Repaint redraws every visible cell.
	repainting bool

	// OnMessage reports what the user should read: a refused value, a
	// failed write, the result of a paste. err marks failures.
	OnMessage func(text string, err bool)
	// OnEdited is called after local edits land (rows changed state).
	OnEdited func()
	// OnShortcut receives the shortcuts the grid does not handle itself,
	// so the window's own shortcuts still work while the grid has focus.
	OnShortcut func(fyne.Shortcut)
	// OnViewChanged is called when a sort or filter has been applied.
	OnViewChanged func(spec ViewSpec, rows int)
	// OnColumnResized is called on the UI goroutine when the user has
	// dragged a column's header edge, with the column id and new width, so
	// the caller can save it in the sheet (Column.Width).
	OnColumnResized func(colID string, width float32)
	// OnLongTask is called on the UI goroutine when a write of at least
	// LongWriteCells cells starts, to show that it is running; the func it
	// returns is called when the write ends. The write is one transaction
	// and cannot be cancelled halfway.
	OnLongTask func(title string) (done func())
	// OnHeaderMenu is called when a column header is right-clicked, with
	// the column id and the pointer's absolute position, to open the
	// column menu (insert, rename, change type, move, remove).
	OnHeaderMenu func(colID string, at fyne.Position)
}

var _ fyne.Widget = (*Grid)(nil)

// New opens a sheet in a grid. It reads the sheet and its row ids (fast
// even for 100k rows) but no row: rows are paged in as they are drawn.
func New(src Source, sheetID string) (*Grid, error) {
	m, err := NewModel(src, sheetID)
	if err != nil {
		return nil, err
	}
	g := &Grid{src: src, model: m, ref: widget.NewLabel("")}
	g.ref.TextStyle.Bold = true
	g.ed = newEditors(g)
	g.cellEd = newCellEntry(g)
	g.cellObj = map[widget.TableCellID]fyne.CanvasObject{}
	g.objCell = map[fyne.CanvasObject]widget.TableCellID{}
	g.table = newSheetTable(g)
	g.applyWidths()
	g.ExtendBaseWidget(g)
	if m.Len() > 0 && m.Columns() > 0 {
		// Fill the formula bar only: selecting in a table that has no size
		// yet would make Fyne walk every row.
		g.fillBar()
	}
	return g, nil
}

// Model is the grid's row model.
func (g *Grid) Model() *Model { return g.model }

// Table is the underlying table, for focus and tests.
func (g *Grid) Table() *widget.Table { return &g.table.Table }

// Focusable is what the window focuses to give the grid the keyboard.
func (g *Grid) Focusable() fyne.Focusable { return g.table }

// CreateRenderer stacks the formula bar over the table.
func (g *Grid) CreateRenderer() fyne.WidgetRenderer {
	bar := container.NewBorder(nil, nil, g.ref, nil, g.ed.holder)
	return widget.NewSimpleRenderer(container.NewBorder(bar, nil, nil, nil, g.editLayer()))
}

func (g *Grid) length() (int, int) {
	if g.sizing {
		return 0, g.model.Columns() + 1
	}
	return g.model.Len(), g.model.Columns() + 1
}

// applyWidths sets the saved column widths. Each SetColumnWidth refreshes
// the table, and a table not laid out yet walks every row when it
// refreshes (Fyne 2.7 treats a zero height as "all rows visible"), so the
// rows are hidden while the widths are set: 21 refreshes of 100k rows
// would cost a third of a second.
func (g *Grid) applyWidths() {
	g.sizing = true
	defer func() { g.sizing = false }()
	g.table.SetColumnWidth(0, stateColumnWidth)
	for i, c := range g.model.Sheet().Columns {
		g.table.SetColumnWidth(i+1, columnWidth(c))
	}
}

// Repaint redraws the visible cells and headers in the current theme's
// colours (after the user switches theme): cells whose text did not
// change are otherwise left with the old colours until scrolled.
func (g *Grid) Repaint() {
	g.repainting = true
	defer func() { g.repainting = false }()
	g.table.Refresh()
	g.Refresh()
}

// SetColumnWidth resizes a sheet column (by index, state column excluded)
// in the open sheet. The caller saves the width in the sheet to remember
// it; dragging a header edge does both (OnColumnResized).
func (g *Grid) SetColumnWidth(col int, width float32) {
	if col < 0 || col >= g.model.Columns() {
		return
	}
	width = max(width, minColumnWidth)
	g.model.Sheet().Columns[col].Width = width
	g.table.SetColumnWidth(col+1, width)
}

// updateCell copies prepared text into a cell template: no formatting and
// no reads beyond the model's page cache.
func (g *Grid) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	if old, ok := g.objCell[o]; ok && old != id {
		delete(g.cellObj, old)
	}
	g.objCell[o], g.cellObj[id] = id, o
	bg, label, mark, strip, hover := cellOf(o)
	r := g.model.Row(id.Row)
	if id.Col == 0 {
		label.Hide()
		strip.Hide()
		hover.Hide()
		mark.Show()
		if r != nil {
			mark.set(id.Row, r.State)
		}
		return
	}
	mark.Hide()
	label.Show()
	c := id.Col - 1
	hover.row, hover.col = id.Row, c
	if cm := g.model.Mark(id.Row, c); cm != MarkNone {
		strip.FillColor = markColor(cm)
		strip.Show()
		strip.Refresh()
		hover.Show()
	} else {
		strip.Hide()
		hover.Hide()
	}
	text, conflict := "", false
	if r != nil && c < len(r.Text) {
		text = r.Text[c]
		conflict = r.Conflict != nil && r.Conflict[c]
	}
	if label.Text != text {
		label.SetText(text)
	} else if g.repainting {
		label.Refresh() // new theme colours for an unchanged text
	}
	fill := color.Color(color.Transparent)
	switch {
	case g.inRange(id.Row, c) && !g.single():
		fill = theme.Color(theme.ColorNameSelection)
	case conflict:
		fill = color.NRGBA{R: 0xf0, G: 0x8c, B: 0x00, A: 0x40}
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
}

// updateHeader shows the column name (tap to sort), mapped field and type.
func (g *Grid) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*headerCell)
	h.col = id.Col
	cols := g.model.Sheet().Columns
	h.onMenu = nil
	if id.Col <= 0 || id.Col-1 >= len(cols) {
		h.set("", "", 0, nil)
		return
	}
	col := cols[id.Col-1]
	name, sub := headerText(g.model.Sheet(), col, g.view)
	h.set(name, sub, columnWidth(col), func() { g.toggleSort(col.ID) })
	h.onMenu = func(at fyne.Position) {
		if g.OnHeaderMenu != nil {
			g.OnHeaderMenu(col.ID, at)
		}
	}
}

// headerText is a column header: the name with the sort arrow, and the
// caption with the type badge, mapped field, read-only and key marks.
func headerText(sh *sheets.Sheet, col sheets.Column, view ViewSpec) (name, sub string) {
	name = col.Name
	if view.SortColumn == col.ID {
		if view.Descending {
			name += " ↓"
		} else {
			name += " ↑"
		}
	}
	sub = TypeGlyph(col.Type) + "  "
	switch {
	case col.Rollup != nil:
		sub += "Σ " + col.Rollup.String() // computed by every pull
	case col.Field == "":
		sub += "not mapped"
	default:
		sub += "→ " + col.Field
	}
	if col.ReadOnly {
		sub += " · read-only"
	}
	if sh.KeyColumn == col.ID {
		sub += " · key"
	}
	return name, sub
}

func (g *Grid) toggleSort(colID string) {
	spec := g.view
	switch {
	case spec.SortColumn != colID:
		spec.SortColumn, spec.Descending = colID, false
	case !spec.Descending:
		spec.Descending = true
	default:
		spec.SortColumn, spec.Descending = "", false
	}
	g.SetView(spec)
}

func (g *Grid) message(text string, isErr bool) {
	if g.OnMessage != nil {
		g.OnMessage(text, isErr)
	}
}

// SetView sorts and filters the view. The new order is computed on a
// goroutine from the stored rows and swapped in once; a newer SetView
// cancels an older one still running.
func (g *Grid) SetView(spec ViewSpec) {
	if g.cancelView != nil {
		g.cancelView()
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancelView = cancel
	sh := g.model.Sheet()
	g.busy.Add(1)
	go func() {
		defer g.busy.Done()
		var order []sheets.RowID
		var err error
		if spec.Active() {
			order, err = ComputeOrder(ctx, g.src, sh, spec)
		} else {
			order, err = g.src.RowIDs(sh.ID)
		}
		if ctx.Err() != nil {
			return
		}
		uiloop.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				g.message(fmt.Sprintf("Sort/filter %q: %v", sh.Name, err), true)
				return
			}
			g.view = spec
			g.model.SetOrder(order)
			g.cur, g.anchor = widget.TableCellID{}, widget.TableCellID{}
			g.table.Refresh()
			if g.model.Len() > 0 {
				g.showCursor()
			}
			if g.OnViewChanged != nil {
				g.OnViewChanged(spec, len(order))
			}
		})
	}()
}

// View is the sort and filter in force.
func (g *Grid) View() ViewSpec { return g.view }

// Find moves the cursor to the next cell containing query after the
// cursor, searching on a goroutine.
func (g *Grid) Find(query string) {
	sh, order, from := g.model.Sheet(), slices.Clone(g.model.Order()), g.cur.Row
	g.busy.Add(1)
	go func() {
		defer g.busy.Done()
		row, col, err := FindNext(context.Background(), g.src, sh, order, from, query)
		uiloop.Do(func() {
			switch {
			case err != nil:
				g.message(err.Error(), true)
			case row < 0:
				g.message(fmt.Sprintf("%q not found", query), false)
			default:
				g.moveTo(row, col, false)
				g.message(fmt.Sprintf("Found %q in row %d", query, row+1), false)
			}
		})
	}()
}

// Reload re-reads the sheet after a sync, import or mapping change, keeping
// the view's sort and filter.
func (g *Grid) Reload() {
	if err := g.model.Reload(); err != nil {
		g.message(err.Error(), true)
		return
	}
	g.applyWidths()
	if g.view.Active() {
		g.SetView(g.view)
		return
	}
	g.cur.Row = min(g.cur.Row, max(g.model.Len()-1, 0))
	g.anchor = g.cur
	g.table.Refresh()
	if g.model.Len() > 0 {
		g.showCursor()
	}
}

// showTip opens the state tooltip of a view row beside its mark.
func (g *Grid) showTip(o fyne.CanvasObject, row int) {
	g.hideTip()
	r := g.model.Row(row)
	c := fyne.CurrentApp().Driver().CanvasForObject(g)
	if r == nil || c == nil {
		return
	}
	g.tip = widget.NewPopUp(widget.NewLabel(r.Tip()), c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	g.tip.ShowAtPosition(pos.Add(fyne.NewPos(o.Size().Width, 0)))
}

func (g *Grid) hideTip() {
	if g.tip != nil {
		g.tip.Hide()
		g.tip = nil
	}
}

// WaitIdle blocks until the grid's background work (sort, filter, find)
// has finished and been swapped in. Tests call it; the app never needs it.
func (g *Grid) WaitIdle() { g.busy.Wait() }
