package grid

import (
	"fmt"
	"strings"

	"crmsheets/sheets"
)

// PageSize is how many rows the model reads from its Source at a time. A
// screen shows about 40 rows, so one page covers a screen and the next
// scroll steps; a page of 20 columns formats in well under a millisecond.
const PageSize = 128

// maxPages bounds the formatted-row cache (maxPages × PageSize rows);
// the oldest page is dropped first, so memory stays flat while a user
// scrolls through 100k rows.
const maxPages = 64

// DisplayRow is one row prepared for display: the text of every column
// already formatted, so the table's UpdateCell only copies strings.
type DisplayRow struct {
	ID       sheets.RowID
	RecordID string
	State    sheets.State
	// Text holds one formatted value per sheet column, in column order.
	Text []string
	// Conflict marks, per column, a cell waiting for the user to settle.
	Conflict []bool
	// Marks holds, per column, what sets the cell apart (changed here,
	// in conflict, an ambiguous reference); nil when nothing does.
	Marks []CellMark
	// Error is the row's last sync error, shown in the state tooltip.
	Error string
	// Row is the stored row the text was formatted from.
	Row *sheets.Row
}

// Tip is the tooltip of the row-state cell: the state in words and, when
// there is one, the last error.
func (r *DisplayRow) Tip() string {
	if r == nil {
		return ""
	}
	tip := r.State.Label()
	if r.RecordID != "" {
		tip += " · " + r.RecordID
	}
	if r.Error != "" {
		tip += "\n" + r.Error
	}
	return tip
}

// page is a run of consecutive view rows.
type page struct {
	rows []*DisplayRow
}

// Model is the display-ready row model behind the grid: the view order of
// row ids (sorted or filtered, or the stored order) and a bounded cache of
// formatted pages. Len is O(1); Row reads at most one page from the
// Source. A Model is used from the UI goroutine only; the orders it is
// given are computed elsewhere and swapped in whole with SetOrder.
type Model struct {
	src     Source
	sheetID string
	sheet   *sheets.Sheet
	order   []sheets.RowID
	pages   map[int]*page
	fifo    []int // page numbers, oldest first
	// Err is the last error reading rows; the grid shows it and goes on
	// with blank rows rather than failing every frame.
	Err error
}

// NewModel opens the model of a sheet: its columns and row ids. It reads
// no row yet.
func NewModel(src Source, sheetID string) (*Model, error) {
	sh, err := src.Sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("open sheet %s in the grid: %w", sheetID, err)
	}
	ids, err := src.RowIDs(sheetID)
	if err != nil {
		return nil, fmt.Errorf("open sheet %q in the grid: %w", sh.Name, err)
	}
	return &Model{src: src, sheetID: sheetID, sheet: sh, order: ids, pages: map[int]*page{}}, nil
}

// Sheet is the sheet's configuration as the model last read it.
func (m *Model) Sheet() *sheets.Sheet { return m.sheet }

// SheetID is the id of the sheet shown.
func (m *Model) SheetID() string { return m.sheetID }

// Len is the number of rows in the view, O(1).
func (m *Model) Len() int { return len(m.order) }

// Columns is the number of sheet columns (the state column excluded).
func (m *Model) Columns() int { return len(m.sheet.Columns) }

// Order returns the view order. Callers must not modify it: take a copy
// (slices.Clone) to compute a new order off the UI goroutine.
func (m *Model) Order() []sheets.RowID { return m.order }

// SetOrder swaps in a new view order (sorted, filtered or reloaded) and
// drops the cached pages, which were laid out for the old order.
func (m *Model) SetOrder(order []sheets.RowID) {
	m.order = order
	m.dropPages()
}

// SetSheet replaces the sheet configuration (after a column change) and
// drops the cached text, which was formatted for the old columns.
func (m *Model) SetSheet(sh *sheets.Sheet) {
	m.sheet = sh
	m.dropPages()
}

// Reload re-reads the sheet and its stored order: after a sync, an import
// or a row insertion.
func (m *Model) Reload() error {
	sh, err := m.src.Sheet(m.sheetID)
	if err != nil {
		return fmt.Errorf("reload sheet %s: %w", m.sheetID, err)
	}
	ids, err := m.src.RowIDs(m.sheetID)
	if err != nil {
		return fmt.Errorf("reload rows of %q: %w", sh.Name, err)
	}
	m.sheet = sh
	m.SetOrder(ids)
	return nil
}

func (m *Model) dropPages() {
	clear(m.pages)
	m.fifo = m.fifo[:0]
}

// Row returns the display row at view index i, or nil when i is out of
// range. It reads the row's page from the Source when it is not cached.
func (m *Model) Row(i int) *DisplayRow {
	if i < 0 || i >= len(m.order) {
		return nil
	}
	n := i / PageSize
	p, ok := m.pages[n]
	if !ok {
		p = m.load(n)
	}
	if j := i - n*PageSize; j < len(p.rows) {
		return p.rows[j]
	}
	return nil
}

// Text is the formatted text at view row i and sheet column c; "" when out
// of range.
func (m *Model) Text(i, c int) string {
	r := m.Row(i)
	if r == nil || c < 0 || c >= len(r.Text) {
		return ""
	}
	return r.Text[c]
}

func (m *Model) load(n int) *page {
	lo := n * PageSize
	hi := min(lo+PageSize, len(m.order))
	rows, err := m.src.RowsByID(m.sheetID, m.order[lo:hi])
	p := &page{rows: make([]*DisplayRow, hi-lo)}
	if err != nil {
		m.Err = fmt.Errorf("read rows %d-%d of %q: %w", lo+1, hi, m.sheet.Name, err)
		for j := range p.rows {
			p.rows[j] = &DisplayRow{ID: m.order[lo+j], Text: make([]string, len(m.sheet.Columns))}
		}
	} else {
		for j, r := range rows {
			p.rows[j] = m.format(r)
		}
	}
	if len(m.fifo) >= maxPages {
		delete(m.pages, m.fifo[0])
		m.fifo = m.fifo[1:]
	}
	m.pages[n] = p
	m.fifo = append(m.fifo, n)
	return p
}

// format prepares a stored row for display.
func (m *Model) format(r *sheets.Row) *DisplayRow {
	cols := m.sheet.Columns
	d := &DisplayRow{ID: r.ID, RecordID: r.RecordID, State: r.State, Error: r.Error, Row: r, Text: make([]string, len(cols))}
	for c, col := range cols {
		d.Text[c] = sheets.Format(col.Type, r.Cells[col.ID])
	}
	if len(r.Conflicts) > 0 {
		d.Conflict = make([]bool, len(cols))
		for c, col := range cols {
			_, d.Conflict[c] = r.Conflicts[col.ID]
		}
	}
	if r.Base != nil || len(r.Conflicts) > 0 || len(r.Candidates) > 0 {
		for c, col := range cols {
			m := cellMarkOf(r, col.ID)
			if c == 0 && len(r.Candidates[sheets.DuplicatesKey]) > 0 {
				m = MarkDuplicate
			}
			if m == MarkNone {
				continue
			}
			if d.Marks == nil {
				d.Marks = make([]CellMark, len(cols))
			}
			d.Marks[c] = m
		}
	}
	return d
}

// CellMark is what sets a cell apart from a plain synced value; the grid
// draws it as a coloured strip and explains it on hover.
type CellMark uint8

// The cell marks, most pressing first.
const (
	MarkNone CellMark = iota
	// MarkModified: changed here since the last sync (the hover shows
	// Salesforce's value).
	MarkModified
	// MarkConflict: changed here and in Salesforce (the hover shows both).
	MarkConflict
	// MarkAmbiguous: a reference value matching several records (Enter or
	// a double-click offers them).
	MarkAmbiguous
	// MarkDuplicate: on the first cell of a row whose create Salesforce's
	// duplicate rule refused (Enter or a double-click offers to link the
	// row to a match or to create it anyway).
	MarkDuplicate
)

// cellMarkOf is the mark of one cell of a stored row.
func cellMarkOf(r *sheets.Row, colID string) CellMark {
	switch {
	case len(r.Candidates[colID]) > 0:
		return MarkAmbiguous
	case r.Conflicts != nil && hasKey(r.Conflicts, colID):
		return MarkConflict
	case r.Base != nil && r.Cells[colID] != r.Base[colID]:
		return MarkModified
	}
	return MarkNone
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// Mark is the mark of a cell of the view (row i, sheet column c).
func (m *Model) Mark(i, c int) CellMark {
	r := m.Row(i)
	if r == nil || c < 0 || c >= len(r.Marks) {
		return MarkNone
	}
	return r.Marks[c]
}

// Replace puts a freshly stored row (after an edit) at view index i, so
// only that row is re-formatted.
func (m *Model) Replace(i int, r *sheets.Row) {
	if i < 0 || i >= len(m.order) || m.order[i] != r.ID {
		return
	}
	n := i / PageSize
	if p, ok := m.pages[n]; ok {
		if j := i - n*PageSize; j < len(p.rows) {
			p.rows[j] = m.format(r)
		}
	}
}

// IndexOf finds the view index of a row id, or -1. It is O(n): use it for
// one-off jumps (history → row), not per frame.
func (m *Model) IndexOf(id sheets.RowID) int {
	for i, x := range m.order {
		if x == id {
			return i
		}
	}
	return -1
}

// CellRef names a cell the way the editor bar shows it: "Email · row 12".
func (m *Model) CellRef(i, c int) string {
	if c < 0 || c >= len(m.sheet.Columns) || i < 0 {
		return ""
	}
	return fmt.Sprintf("%s · row %d", m.sheet.Columns[c].Name, i+1)
}

// matches reports whether any formatted cell of r contains the lower-cased
// query.
func matches(sh *sheets.Sheet, r *sheets.Row, lowerQuery string) bool {
	for _, col := range sh.Columns {
		if strings.Contains(strings.ToLower(sheets.Format(col.Type, r.Cells[col.ID])), lowerQuery) {
			return true
		}
	}
	return false
}
