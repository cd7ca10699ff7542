package grid

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// editEntry is the formula-bar entry: Enter commits and moves down, Tab
// commits and moves right, Escape gives the cell its value back and
// returns to the grid.
type editEntry struct {
	widget.Entry
	g *Grid
}

var (
	_ fyne.Tabbable = (*editEntry)(nil)
	_ fyne.Widget   = (*editEntry)(nil)
)

func newEditEntry(g *Grid) *editEntry {
	e := &editEntry{g: g}
	e.ExtendBaseWidget(e)
	e.OnSubmitted = func(text string) { g.commitBar(text, 1, 0) }
	return e
}

// AcceptsTab lets Tab commit the edit instead of moving focus.
func (e *editEntry) AcceptsTab() bool { return true }

// TypedKey adds Escape and Tab to the entry's keys.
func (e *editEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		e.g.CancelEdit()
	case fyne.KeyTab:
		if shiftHeld() {
			e.g.commitBar(e.Text, 0, -1)
		} else {
			e.g.commitBar(e.Text, 0, 1)
		}
	default:
		e.Entry.TypedKey(k)
	}
}

// commitBar saves a value typed or chosen in the bar and gives the grid
// the keyboard back; a refused value stays in the bar's entry.
func (g *Grid) commitBar(text string, dr, dc int) {
	col, _ := g.column(g.cur.Col)
	if g.commit(text, dr, dc) {
		g.focusTable()
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil && col.Type != sheets.TypeBool && col.Type != sheets.TypePicklist {
		c.Focus(g.ed.entry)
	}
}

// editors are the type-aware editors of the formula bar; one is shown at a
// time, matching the current column's type.
type editors struct {
	entry  *editEntry
	pick   *widget.Select
	check  *widget.Check
	date   *widget.Button
	holder *fyne.Container
	// quiet is set while the grid fills an editor, so its change
	// callback does not commit the value it is being shown.
	quiet bool
}

func newEditors(g *Grid) *editors {
	e := &editors{entry: newEditEntry(g)}
	e.pick = widget.NewSelect(nil, func(v string) {
		if !e.quiet {
			g.commitBar(v, 0, 0)
		}
	})
	e.check = widget.NewCheck("", func(v bool) {
		if !e.quiet {
			g.commitBar(boolText(v), 0, 0)
		}
	})
	e.date = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() { g.pickDate() })
	e.holder = container.NewStack(e.entry)
	return e
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

// show fills and shows the editor for a column and its canonical value.
func (e *editors) show(col sheets.Column, canonical string) {
	e.quiet = true
	defer func() { e.quiet = false }()
	var ed fyne.CanvasObject = e.entry
	e.entry.SetText(sheets.Format(col.Type, canonical))
	e.entry.SetPlaceHolder(placeholder(col.Type))
	switch col.Type {
	case sheets.TypePicklist:
		e.pick.Options = append([]string{""}, col.Choices...)
		e.pick.SetSelected(canonical)
		ed = e.pick
	case sheets.TypeBool:
		e.check.SetChecked(canonical == "true")
		ed = e.check
	case sheets.TypeDate:
		ed = container.NewBorder(nil, nil, nil, e.date, e.entry)
	}
	for _, w := range []fyne.Disableable{e.entry, e.pick, e.check, e.date} {
		if col.ReadOnly {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	e.holder.Objects = []fyne.CanvasObject{ed}
	e.holder.Refresh()
}

// placeholder hints the format a column accepts.
func placeholder(t sheets.Type) string {
	switch t {
	case sheets.TypeDate:
		return "YYYY-MM-DD"
	case sheets.TypeDateTime:
		return "YYYY-MM-DDThh:mm:ssZ"
	case sheets.TypeMultiPicklist:
		return "value; value"
	case sheets.TypeEmail:
		return "name@example.com"
	case sheets.TypeNumber, sheets.TypeCurrency, sheets.TypePercent:
		return "1234.56"
	}
	return ""
}

// pickDate opens a calendar under the date editor and commits the chosen
// day.
func (g *Grid) pickDate() {
	c := fyne.CurrentApp().Driver().CanvasForObject(g)
	if c == nil {
		return
	}
	start := time.Now()
	if t, ok := sheets.Time(sheets.TypeDate, g.currentCanonical()); ok {
		start = t
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		pop.Hide()
		g.commitBar(t.Format(sheets.DateLayout), 0, 0)
	})
	pop = widget.NewPopUp(cal, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(g.ed.date)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(0, g.ed.date.Size().Height)))
}
