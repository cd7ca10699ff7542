package grid

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// CellTip is the tooltip of a marked cell (view row i, sheet column c):
// Salesforce's value of a cell changed here, both values of a conflict,
// the candidates of an ambiguous reference; "" for a plain cell.
func (g *Grid) CellTip(i, c int) string {
	r := g.model.Row(i)
	col, ok := g.column(c)
	if r == nil || r.Row == nil || !ok {
		return ""
	}
	show := func(v string) string {
		if v == "" {
			return "(blank)"
		}
		return sheets.Format(col.Type, v)
	}
	row := r.Row
	switch g.model.Mark(i, c) {
	case MarkModified:
		return fmt.Sprintf("Changed here: %s\nSalesforce has: %s\nThe next push sends your value.", show(row.Cells[col.ID]), show(row.Base[col.ID]))
	case MarkConflict:
		cf := row.Conflicts[col.ID]
		when := ""
		if !cf.At.IsZero() {
			when = " (changed " + cf.At.Local().Format("2006-01-02 15:04") + ")"
		}
		return fmt.Sprintf("Conflict — both sides changed %s\nHere: %s\nSalesforce: %s%s\nWas: %s\nSettle it in the Conflicts tab.", col.Name, show(row.Cells[col.ID]), show(cf.Remote), when, show(cf.Base))
	case MarkAmbiguous:
		cands := row.Candidates[col.ID]
		var b strings.Builder
		fmt.Fprintf(&b, "%d records match %q:\n", len(cands), row.Cells[col.ID])
		for _, cd := range cands {
			b.WriteString("• " + candidateLabel(cd) + "\n")
		}
		b.WriteString("Press Enter or double-click to choose one.")
		return b.String()
	case MarkDuplicate:
		m := row.Candidates[sheets.DuplicatesKey]
		var b strings.Builder
		fmt.Fprintf(&b, "Salesforce's duplicate rule found %d existing record(s) like this row:\n", len(m))
		for _, cd := range m {
			b.WriteString("• " + duplicateLabel(cd) + "\n")
		}
		b.WriteString("Press Enter or double-click to link the row to one, or create it anyway.")
		return b.String()
	}
	return ""
}

// duplicateLabel names a record a duplicate rule matched.
func duplicateLabel(c sheets.Candidate) string {
	var parts []string
	for _, p := range []string{c.Email, c.Website, c.City} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return c.Name + " · " + c.ID
	}
	return c.Name + " — " + strings.Join(parts, " · ")
}

// settleDuplicate offers, over the cursor's row, the records a duplicate
// rule matched ("Link to …") and "Create anyway". It reports false when
// the cursor is not on a refused duplicate.
func (g *Grid) settleDuplicate() bool {
	if g.model.Mark(g.cur.Row, g.cur.Col) != MarkDuplicate {
		return false
	}
	r := g.model.Row(g.cur.Row)
	cv := fyne.CurrentApp().Driver().CanvasForObject(g)
	if cv == nil {
		return true
	}
	g.showCursor()
	var pop *widget.PopUp
	list := container.NewVBox(widget.NewLabel("Salesforce already has a record like this row. Link the row to it (nothing is created; your values are sent to it), or create a new one anyway:"))
	for _, cd := range r.Row.Candidates[sheets.DuplicatesKey] {
		b := widget.NewButton("Link to "+duplicateLabel(cd), func() {
			pop.Hide()
			g.SettleDuplicate(cd.ID)
		})
		b.Alignment = widget.ButtonAlignLeading
		list.Add(b)
	}
	list.Add(widget.NewButton("Create anyway", func() { pop.Hide(); g.SettleDuplicate("") }))
	list.Add(widget.NewButton("Cancel", func() { pop.Hide(); g.focusTable() }))
	pop = g.popUpBelowCursor(list, cv)
	return true
}

// SettleDuplicate links the cursor's refused row to the match recordID,
// or with "" marks it to be created anyway; the next push acts on it.
func (g *Grid) SettleDuplicate(recordID string) {
	r := g.model.Row(g.cur.Row)
	if r == nil {
		return
	}
	name := ""
	for _, cd := range r.Row.Candidates[sheets.DuplicatesKey] {
		if cd.ID == recordID {
			name = duplicateLabel(cd)
		}
	}
	row, err := g.src.SettleDuplicate(g.model.SheetID(), r.ID, recordID)
	if err != nil {
		g.message(err.Error(), true)
		return
	}
	g.model.Replace(g.cur.Row, row)
	g.table.RefreshItem(widget.TableCellID{Row: g.cur.Row, Col: 0})
	g.table.RefreshItem(widget.TableCellID{Row: g.cur.Row, Col: g.cur.Col + 1})
	g.edited()
	g.focusTable()
	if recordID == "" {
		g.message("The next push creates this row although Salesforce has a record like it", false)
		return
	}
	g.message(fmt.Sprintf("Row linked to %s: the next push sends your values to it", name), false)
}

// candidateLabel names a candidate with the fields that tell it apart.
func candidateLabel(c sheets.Candidate) string {
	var parts []string
	for _, p := range []string{c.Email, c.City, c.Owner, c.Website} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return c.Name + " · " + c.ID
	}
	return c.Name + " — " + strings.Join(parts, " · ")
}

// showCellTip opens a marked cell's tooltip beside it.
func (g *Grid) showCellTip(o fyne.CanvasObject, i, c int) {
	g.hideTip()
	text := g.CellTip(i, c)
	cv := fyne.CurrentApp().Driver().CanvasForObject(g)
	if text == "" || cv == nil {
		return
	}
	g.tip = widget.NewPopUp(widget.NewLabel(text), cv)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	g.tip.ShowAtPosition(pos.Add(fyne.NewPos(0, o.Size().Height)))
}

// chooseCandidate offers the candidates of the cursor's ambiguous cell in
// a list over the cell; choosing one settles the value for every row with
// it (Source.ChooseCandidate remembers the choice) and the next push sends
// the chosen record. It reports false when the cell is not ambiguous.
func (g *Grid) chooseCandidate() bool {
	if g.model.Mark(g.cur.Row, g.cur.Col) != MarkAmbiguous {
		return false
	}
	r := g.model.Row(g.cur.Row)
	col, _ := g.column(g.cur.Col)
	cands := r.Row.Candidates[col.ID]
	cv := fyne.CurrentApp().Driver().CanvasForObject(g)
	if cv == nil {
		return true
	}
	g.showCursor()
	var pop *widget.PopUp
	list := container.NewVBox(widget.NewLabel(fmt.Sprintf("Which record is %q?", r.Row.Cells[col.ID])))
	for _, cd := range cands {
		b := widget.NewButton(candidateLabel(cd), func() {
			pop.Hide()
			g.Choose(cd.ID)
		})
		b.Alignment = widget.ButtonAlignLeading
		list.Add(b)
	}
	list.Add(widget.NewButton("Cancel", func() { pop.Hide(); g.focusTable() }))
	pop = g.popUpBelowCursor(list, cv)
	return true
}

// Choose settles the cursor's ambiguous cell on the candidate recordID.
func (g *Grid) Choose(recordID string) {
	r := g.model.Row(g.cur.Row)
	col, ok := g.column(g.cur.Col)
	if r == nil || !ok {
		return
	}
	row, err := g.src.ChooseCandidate(g.model.SheetID(), r.ID, col.ID, recordID)
	if err != nil {
		g.message(err.Error(), true)
		return
	}
	name := recordID
	for _, cd := range r.Row.Candidates[col.ID] {
		if cd.ID == recordID {
			name = candidateLabel(cd)
		}
	}
	g.model.Replace(g.cur.Row, row)
	g.table.RefreshItem(widget.TableCellID{Row: g.cur.Row, Col: 0})
	g.table.RefreshItem(widget.TableCellID{Row: g.cur.Row, Col: g.cur.Col + 1})
	g.edited()
	g.focusTable()
	g.message(fmt.Sprintf("%s %q is %s: remembered for this sheet; the next push sends it", col.Name, r.Row.Cells[col.ID], name), false)
}

// popUpBelowCursor shows content in a pop-up just under the cursor's cell
// (the top left of the window when the cell is not drawn) and keeps it as
// the grid's open candidates list.
func (g *Grid) popUpBelowCursor(content fyne.CanvasObject, cv fyne.Canvas) *widget.PopUp {
	pop := widget.NewPopUp(content, cv)
	g.candidates = pop
	pos := fyne.NewPos(0, 0)
	if obj := g.cellObj[widget.TableCellID{Row: g.cur.Row, Col: g.cur.Col + 1}]; obj != nil {
		pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(obj).Add(fyne.NewPos(0, obj.Size().Height))
	}
	pop.ShowAtPosition(pos)
	return pop
}
