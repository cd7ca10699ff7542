package grid

import (
	"errors"
	"fmt"

	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// CellEdit is one cell a multi-cell gesture (paste, clear, undo) sets:
// user text parsed with the column's type, like Source.EditCell's input.
type CellEdit struct {
	Row    sheets.RowID
	Column string // column id
	Input  string
}

// LongWriteCells is the size from which a multi-cell write reports itself
// through OnLongTask: below it, the write is over before a dialog could
// be read.
const LongWriteCells = 2000

// cellWrite is one multi-cell gesture on its way to the Source.
type cellWrite struct {
	what string // "Pasted", "Cleared", "Undid": the message's verb
	// refused opens the message when nothing was written ("Nothing pasted").
	refused string
	edits   []CellEdit // in gesture order
	view    []int      // the view row of each edit when it was planned
	// undo records the gesture for Undo (false for an undo itself).
	undo bool
	// readOnly counts the cells left out because their column is
	// read-only, for the message.
	readOnly int
}

// writeCells validates and stores w off the UI goroutine as one
// transaction (Source.EditCells: every cell lands or none does). A value
// its column refuses stops the whole gesture before anything is written:
// the cursor goes to that cell and the message says why. Cells whose value
// does not change are left out, so they keep their state. On success the
// rows are swapped into the model once, the gesture is one undo step and
// OnEdited fires. Only one write runs at a time.
func (g *Grid) writeCells(w cellWrite) {
	if g.writing {
		g.message("Still saving the previous change; try again in a moment", true)
		return
	}
	if len(w.edits) == 0 {
		g.message(w.refused+readOnlyNote(w.readOnly), false)
		return
	}
	g.writing = true
	done := func() {}
	if len(w.edits) >= LongWriteCells && g.OnLongTask != nil {
		done = g.OnLongTask(fmt.Sprintf("%s %d cells", w.what, len(w.edits)))
	}
	sh, sheetID := g.model.Sheet(), g.model.SheetID()
	g.busy.Add(1)
	go func() {
		defer g.busy.Done()
		res := g.storeCells(sh, sheetID, w)
		uiloop.Do(func() {
			g.writing = false
			done()
			g.landCells(sh, w, res)
		})
	}()
}

// cellWriteResult is what storeCells did.
type cellWriteResult struct {
	rows    []*sheets.Row
	step    []cellEdit // the undo step: the cells changed, with their old values
	bad     int        // index in edits of the refused cell, -1 when none
	err     error
	changed int
}

// storeCells runs off the UI goroutine: parse every value, read the old
// ones, write the changed cells in one call.
func (g *Grid) storeCells(sh *sheets.Sheet, sheetID string, w cellWrite) cellWriteResult {
	res := cellWriteResult{bad: -1}
	parsed := make([]string, len(w.edits))
	for k, e := range w.edits {
		col, ok := sh.Column(e.Column)
		if !ok {
			res.err = fmt.Errorf("column %s is no longer in %q", e.Column, sh.Name)
			return res
		}
		v, err := sheets.ParseCell(col, e.Input)
		if err != nil {
			res.bad, res.err = k, err
			return res
		}
		parsed[k] = v
	}
	var ids []sheets.RowID
	seen := map[sheets.RowID]bool{}
	for _, e := range w.edits {
		if !seen[e.Row] {
			seen[e.Row] = true
			ids = append(ids, e.Row)
		}
	}
	rows, err := g.src.RowsByID(sheetID, ids)
	if err != nil {
		res.err = fmt.Errorf("read the rows to change: %w", err)
		return res
	}
	old := make(map[sheets.RowID]*sheets.Row, len(rows))
	for _, r := range rows {
		if r != nil {
			old[r.ID] = r
		}
	}
	var edits []CellEdit
	now := map[sheets.RowID]map[string]string{} // values as of earlier edits of this gesture
	for k, e := range w.edits {
		r := old[e.Row]
		if r == nil {
			continue // deleted meanwhile
		}
		before, ok := now[e.Row][e.Column]
		if !ok {
			before = r.Cells[e.Column]
		}
		if before == parsed[k] {
			continue
		}
		if now[e.Row] == nil {
			now[e.Row] = map[string]string{}
		}
		now[e.Row][e.Column] = parsed[k]
		edits = append(edits, e)
		res.step = append(res.step, cellEdit{Row: e.Row, Column: e.Column, Before: before})
	}
	res.changed = len(edits)
	if len(edits) == 0 {
		return res
	}
	res.rows, res.err = g.src.EditCells(sheetID, edits)
	if res.err != nil {
		res.step = nil
	}
	return res
}

// landCells shows the outcome of a write on the UI goroutine.
func (g *Grid) landCells(sh *sheets.Sheet, w cellWrite, res cellWriteResult) {
	if res.bad >= 0 {
		e := w.edits[res.bad]
		col, _ := sh.Column(e.Column)
		if i := w.view[res.bad]; i < g.model.Len() && g.model.Order()[i] == e.Row {
			g.moveTo(i, sh.ColumnIndex(e.Column), false)
		}
		msg := res.err.Error()
		var ve *sheets.ValueError
		if errors.As(res.err, &ve) {
			msg = ve.At(w.view[res.bad]+1, col.Name).Error()
		}
		g.message(w.refused+": "+msg, true)
		return
	}
	if res.err != nil {
		g.message(fmt.Sprintf("%s: %v", w.refused, res.err), true)
		return
	}
	index := make(map[sheets.RowID]int, len(w.edits))
	for k, e := range w.edits {
		index[e.Row] = w.view[k]
	}
	for _, r := range res.rows {
		g.model.Replace(index[r.ID], r)
	}
	if w.undo {
		g.undo.push(res.step)
	}
	g.table.Refresh()
	g.showCursor()
	if res.changed > 0 {
		g.edited()
	}
	g.message(fmt.Sprintf("%s %d cell(s) in %q%s", w.what, res.changed, sh.Name, readOnlyNote(w.readOnly)), false)
}

// readOnlyNote is the message's tail for cells left out as read-only.
func readOnlyNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %d read-only cell(s) left as they are", n)
}
