package grid

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"time"

	"crmsheets/sheets"
)

// fakeSource is an in-memory Source: the grid's tests and benchmarks run
// without a store. It parses edits with sheets.Parse as the engine does.
type fakeSource struct {
	mu    sync.Mutex
	sheet *sheets.Sheet
	ids   []sheets.RowID
	rows  map[sheets.RowID]*sheets.Row
	next  sheets.RowID
	reads int // RowsByID calls, to check paging
	// batches counts EditCells calls, to check a gesture is one write.
	batches int
	// chosen lists the records ChooseCandidate settled on.
	chosen []string
	// settled lists the SettleDuplicate decisions ("" = create anyway).
	settled []string
}

func newFakeSource(cols []sheets.Column, n int, cell func(row int, col sheets.Column) string) *fakeSource {
	sh := &sheets.Sheet{ID: "s1", Name: "People"}
	for _, c := range cols {
		sh.AddColumn(c)
	}
	f := &fakeSource{sheet: sh, rows: make(map[sheets.RowID]*sheets.Row, n)}
	f.ids = make([]sheets.RowID, 0, n)
	for i := range n {
		f.next++
		r := &sheets.Row{ID: f.next, State: sheets.StateSynced, Cells: make(map[string]string, len(cols))}
		for _, c := range sh.Columns {
			r.Cells[c.ID] = cell(i, c)
		}
		r.Base = maps.Clone(r.Cells)
		r.RecordID = fmt.Sprintf("003%015d", f.next)
		f.rows[r.ID] = r
		f.ids = append(f.ids, r.ID)
	}
	return f
}

var errNoSheet = errors.New("no such sheet")

func (f *fakeSource) Sheet(id string) (*sheets.Sheet, error) {
	if id != f.sheet.ID {
		return nil, errNoSheet
	}
	return f.sheet, nil
}

func (f *fakeSource) RowIDs(string) ([]sheets.RowID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ids), nil
}

func (f *fakeSource) RowsByID(_ string, ids []sheets.RowID) ([]*sheets.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	out := make([]*sheets.Row, len(ids))
	for i, id := range ids {
		r, ok := f.rows[id]
		if !ok {
			return nil, fmt.Errorf("row %d: not found", id)
		}
		out[i] = r.Clone()
	}
	return out, nil
}

func (f *fakeSource) Rows(string) iter.Seq2[*sheets.Row, error] {
	return func(yield func(*sheets.Row, error) bool) {
		ids, _ := f.RowIDs("")
		for _, id := range ids {
			f.mu.Lock()
			r := f.rows[id].Clone()
			f.mu.Unlock()
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (f *fakeSource) EditCell(_ string, id sheets.RowID, colID, input string) (*sheets.Row, error) {
	col, ok := f.sheet.Column(colID)
	if !ok {
		return nil, fmt.Errorf("no column %s", colID)
	}
	v, err := sheets.Parse(col.Type, input, col.Choices)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rows[id]
	r.Set(colID, v, time.Now())
	return r.Clone(), nil
}

// EditCells parses every value first and changes nothing when one is
// refused, as the engine's transaction does.
func (f *fakeSource) EditCells(_ string, edits []CellEdit) ([]*sheets.Row, error) {
	vals := make([]string, len(edits))
	for k, e := range edits {
		col, ok := f.sheet.Column(e.Column)
		if !ok {
			return nil, fmt.Errorf("no column %s", e.Column)
		}
		v, err := sheets.Parse(col.Type, e.Input, col.Choices)
		if err != nil {
			return nil, err
		}
		vals[k] = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches++
	var out []*sheets.Row
	seen := map[sheets.RowID]int{}
	for k, e := range edits {
		r := f.rows[e.Row]
		r.Set(e.Column, vals[k], time.Now())
		if i, ok := seen[r.ID]; ok {
			out[i] = r.Clone()
			continue
		}
		seen[r.ID] = len(out)
		out = append(out, r.Clone())
	}
	return out, nil
}

func (f *fakeSource) AddRows(_ string, after sheets.RowID, cells []map[string]string) ([]*sheets.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*sheets.Row
	at := len(f.ids)
	if i := slices.Index(f.ids, after); i >= 0 {
		at = i + 1
	}
	for range cells {
		f.next++
		r := &sheets.Row{ID: f.next, State: sheets.StateNew, Cells: map[string]string{}}
		f.rows[r.ID] = r
		f.ids = slices.Insert(f.ids, at, r.ID)
		at++
		out = append(out, r.Clone())
	}
	return out, nil
}

func (f *fakeSource) DeleteRows(_ string, ids []sheets.RowID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.rows, id)
	}
	f.ids = slices.DeleteFunc(f.ids, func(id sheets.RowID) bool { _, ok := f.rows[id]; return !ok })
	return nil
}

// peopleColumns are the columns of the tests' sheet.
var peopleColumns = []sheets.Column{
	{Name: "Name", Type: sheets.TypeText, Field: "LastName"},
	{Name: "Email", Type: sheets.TypeEmail, Field: "Email"},
	{Name: "Employees", Type: sheets.TypeNumber, Field: "NumberOfEmployees"},
	{Name: "Since", Type: sheets.TypeDate, Field: "Since__c"},
	{Name: "Active", Type: sheets.TypeBool, Field: "Active__c"},
	{Name: "Tier", Type: sheets.TypePicklist, Field: "Tier__c", Choices: []string{"Gold", "Silver"}},
	{Name: "Score", Type: sheets.TypeNumber, Field: "Score__c", ReadOnly: true},
}

// peopleCell gives row i of the tests' sheet predictable values.
func peopleCell(i int, c sheets.Column) string {
	switch c.Name {
	case "Name":
		return fmt.Sprintf("Person %03d", i)
	case "Email":
		return fmt.Sprintf("p%d@example.com", i)
	case "Employees":
		return fmt.Sprint((i * 37) % 101)
	case "Since":
		return time.Date(2020, 1, 1+i%28, 0, 0, 0, 0, time.UTC).Format(sheets.DateLayout)
	case "Active":
		return fmt.Sprint(i%2 == 0)
	case "Tier":
		return []string{"Gold", "Silver"}[i%2]
	}
	return "1"
}

// SettleDuplicate decides a refused duplicate as the engine does: a link
// must name a match; the row goes back to modified (linked) or new.
func (f *fakeSource) SettleDuplicate(_ string, id sheets.RowID, recordID string) (*sheets.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rows[id]
	m := r.Candidates[sheets.DuplicatesKey]
	if recordID != "" && !slices.ContainsFunc(m, func(c sheets.Candidate) bool { return c.ID == recordID }) {
		return nil, fmt.Errorf("%s is not a match", recordID)
	}
	f.settled = append(f.settled, recordID)
	delete(r.Candidates, sheets.DuplicatesKey)
	r.RecordID, r.State = recordID, sheets.StateModified
	if recordID == "" {
		r.State = sheets.StateNew
	}
	return r.Clone(), nil
}

// ChooseCandidate settles an ambiguous reference as the engine does: the
// record must be a candidate; the row goes back to modified.
func (f *fakeSource) ChooseCandidate(_ string, id sheets.RowID, colID, recordID string) (*sheets.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rows[id]
	if !slices.ContainsFunc(r.Candidates[colID], func(c sheets.Candidate) bool { return c.ID == recordID }) {
		return nil, fmt.Errorf("%s is not a candidate", recordID)
	}
	f.chosen = append(f.chosen, recordID)
	delete(r.Candidates, colID)
	if len(r.Candidates) == 0 {
		r.Candidates = nil
		if r.State == sheets.StateError {
			r.State, r.Error = sheets.StateModified, ""
		}
	}
	return r.Clone(), nil
}
