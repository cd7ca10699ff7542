package xlsx

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"crmsheets/sheets"
)

// MatchKind says how a file row found its sheet row.
type MatchKind uint8

// Ways a file row matches a sheet row, strongest first: the hidden row id of
// this app's own export (survives any edit of the cells), the Salesforce
// record id (15 or 18 characters), the normalized key column.
const (
	MatchRowID MatchKind = iota + 1
	MatchRecordID
	MatchKey
)

func (k MatchKind) String() string {
	switch k {
	case MatchRowID:
		return "row id"
	case MatchRecordID:
		return "record id"
	case MatchKey:
		return "key"
	}
	return "none"
}

// MergeOptions choose how PlanMerge matches and what it changes.
type MergeOptions struct {
	// KeyColumn is the sheet column id matched on when a row has no row or
	// record id; "" uses the sheet's own key column, if any.
	KeyColumn string
	// Columns maps Table column indexes to sheet column ids, overriding the
	// automatic mapping (exported column id, then name, then field name);
	// an empty id leaves a file column out. nil maps automatically.
	Columns map[int]string
	// OnlyEmpty writes only into blank cells (enrichment that never
	// overwrites); otherwise file values overwrite.
	OnlyEmpty bool
	// AddUnmatched adds file rows that match no sheet row as new rows.
	AddUnmatched bool
	// ClearBlanks lets a blank file cell clear a sheet value. Off by
	// default: a vendor's file with a blank column must not erase data. An
	// app re-importing its own edited export may turn it on.
	ClearBlanks bool
	// Now stamps the edits Apply makes; zero means time.Now at Apply.
	Now time.Time
}

// ColumnMatch is a file column mapped to a sheet column.
type ColumnMatch struct {
	Table    int    `json:"table"`    // index in Table.Columns
	Name     string `json:"name"`     // the file column's name
	ColumnID string `json:"columnId"` // the sheet column
	By       string `json:"by"`       // "id", "name" or "field"
}

// CellChange is one cell a merge would change.
type CellChange struct {
	SourceRow int          `json:"sourceRow"` // Excel row number
	RowID     sheets.RowID `json:"rowId"`
	ColumnID  string       `json:"columnId"`
	Column    string       `json:"column"` // the sheet column's name
	Old       string       `json:"old"`    // canonical value before
	New       string       `json:"new"`    // canonical value after
}

// MatchedRow is a file row matched to a sheet row.
type MatchedRow struct {
	SourceRow int          `json:"sourceRow"`
	By        MatchKind    `json:"by"`
	Row       *sheets.Row  `json:"row"` // the sheet row as it was (a copy)
	Changes   []CellChange `json:"changes"`
}

// NewRow is a file row that will be added.
type NewRow struct {
	SourceRow int         `json:"sourceRow"`
	Row       *sheets.Row `json:"row"` // ID 0: the store assigns one
}

// DuplicateKey is a key (normalized) or record id found on several file
// rows. Only the first is applied when they match the same sheet row.
type DuplicateKey struct {
	Key        string `json:"key"`
	SourceRows []int  `json:"sourceRows"`
}

// MergePlan is the preview of a merge import and, through Apply, its
// result. Nothing in it has been written anywhere.
type MergePlan struct {
	Columns          []ColumnMatch  `json:"columns"`
	UnmatchedColumns []string       `json:"unmatchedColumns"` // file columns mapped to no sheet column
	ReadOnlyColumns  []string       `json:"readOnlyColumns"`  // file columns mapped to read-only sheet columns: never written
	Matched          []MatchedRow   `json:"matched"`
	New              []NewRow       `json:"new"`
	Unmatched        []int          `json:"unmatched"` // source rows neither matched nor added
	Unchanged        int            `json:"unchanged"` // matched rows with nothing to change
	Invalid          []CellProblem  `json:"invalid"`
	DuplicateKeys    []DuplicateKey `json:"duplicateKeys"`
	// Skipped are file rows not applied because an earlier file row matched
	// the same sheet row, or because their key matches several sheet rows.
	Skipped []CellProblem `json:"skipped"`
	// ForeignRowIDs is set when the file is an export of another sheet: its
	// hidden row ids were not used.
	ForeignRowIDs bool `json:"foreignRowIDs"`
	// BlanksKept are the cells blank in the file whose value in the sheet
	// the merge leaves alone (Old is the value kept, New is blank): a blank
	// never clears a value unless MergeOptions.ClearBlanks. The preview
	// lists them so a person sees which values a file did not carry.
	BlanksKept []CellChange `json:"blanksKept"`

	now time.Time
}

// ChangedCells counts the cells the merge would change.
func (p *MergePlan) ChangedCells() int {
	n := 0
	for _, m := range p.Matched {
		n += len(m.Changes)
	}
	return n
}

// Apply returns the rows to write in one store transaction: copies of the
// matched sheet rows with the changes set as local edits (Row.Set: the state
// becomes modified and the next sync pushes them), and the new rows. Rows
// without changes are not returned. Apply does not change the plan and may
// be called again.
func (p *MergePlan) Apply() (update, insert []*sheets.Row) {
	now := p.now
	if now.IsZero() {
		now = time.Now()
	}
	for _, m := range p.Matched {
		if len(m.Changes) == 0 {
			continue
		}
		r := m.Row.Clone()
		for _, c := range m.Changes {
			r.Set(c.ColumnID, c.New, now)
		}
		update = append(update, r)
	}
	for _, n := range p.New {
		r := n.Row.Clone()
		r.LocalEdited = now
		insert = append(insert, r)
	}
	return update, insert
}

// candidate is the best sheet row found so far for a file row.
type candidate struct {
	by   MatchKind
	row  *sheets.Row
	many bool // several sheet rows match at this strength
}

// PlanMerge compares a Table with the rows of an existing sheet and plans
// the merge (see MergePlan). existing is read once, in one pass; only the
// rows that match are kept. An iterator error is returned as is, wrapped.
func PlanMerge(sheet *sheets.Sheet, existing iter.Seq2[*sheets.Row, error], t *Table, opt MergeOptions) (*MergePlan, error) {
	p := &MergePlan{now: opt.Now}
	p.Invalid = append(p.Invalid, t.Problems...)
	cols := p.mapColumns(sheet, t, opt)
	p.Columns = cols
	keyCol := opt.KeyColumn
	if keyCol == "" {
		keyCol = sheet.KeyColumn
	}
	if keyCol != "" {
		if _, ok := sheet.Column(keyCol); !ok {
			return nil, fmt.Errorf("plan merge into %q: key column %q does not exist", sheet.Name, keyCol)
		}
	}
	// Convert every mapped cell to its sheet column's type once.
	values := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		values[i] = make([]string, len(cols))
		for k, cm := range cols {
			sc, _ := sheet.Column(cm.ColumnID)
			v, err := convertCell(sc, t.Columns[cm.Table].Type, r[cm.Table], t.loc)
			if err != nil {
				p.Invalid = append(p.Invalid, CellProblem{Row: t.SourceRows[i], Column: t.Columns[cm.Table].Name, Value: r[cm.Table], Reason: reason(err)})
				continue
			}
			values[i][k] = v
		}
	}
	// Cells the file holds but that could not be read are problems, not
	// blanks.
	unreadable := map[CellProblem]bool{}
	for _, pr := range p.Invalid {
		unreadable[CellProblem{Row: pr.Row, Column: pr.Column}] = true
	}
	keyIdx := slices.IndexFunc(cols, func(c ColumnMatch) bool { return c.ColumnID == keyCol && keyCol != "" })

	// File-side indexes.
	useRowIDs := t.RowIDs != nil && t.SheetID == sheet.ID
	p.ForeignRowIDs = t.RowIDs != nil && !useRowIDs
	byRowID := map[sheets.RowID]int{}
	byRecord := map[string][]int{}
	byKey := map[string][]int{}
	recordIDs := make([]string, len(t.Rows))
	for i := range t.Rows {
		if useRowIDs && t.RowIDs[i] != 0 {
			if _, dup := byRowID[t.RowIDs[i]]; !dup {
				byRowID[t.RowIDs[i]] = i // a copied row in Excel repeats the id: the first keeps it
			}
		}
		if t.RecordIDColumn >= 0 {
			if id, ok := recordID18(t.Rows[i][t.RecordIDColumn]); ok {
				recordIDs[i] = id
				byRecord[id] = append(byRecord[id], i)
			}
		}
		if keyIdx >= 0 {
			if k := sheets.NormalizeKey(values[i][keyIdx]); k != "" {
				byKey[k] = append(byKey[k], i)
			}
		}
	}
	p.DuplicateKeys = duplicates(t, byRecord, byKey)

	// One pass over the sheet's rows.
	best := make([]candidate, len(t.Rows))
	offer := func(i int, by MatchKind, r *sheets.Row) {
		c := &best[i]
		switch {
		case c.by == 0 || by < c.by:
			*c = candidate{by: by, row: r}
		case by == c.by && c.row.ID != r.ID:
			c.many = true
		}
	}
	for r, err := range existing {
		if err != nil {
			return nil, fmt.Errorf("plan merge into %q: read rows: %w", sheet.Name, err)
		}
		var kept *sheets.Row
		keep := func() *sheets.Row {
			if kept == nil {
				kept = r.Clone()
			}
			return kept
		}
		if i, ok := byRowID[r.ID]; ok {
			offer(i, MatchRowID, keep())
		}
		if r.RecordID != "" {
			if id, ok := recordID18(r.RecordID); ok {
				for _, i := range byRecord[id] {
					offer(i, MatchRecordID, keep())
				}
			}
		}
		if keyIdx >= 0 {
			if k := sheets.NormalizeKey(r.Cells[keyCol]); k != "" {
				for _, i := range byKey[k] {
					offer(i, MatchKey, keep())
				}
			}
		}
	}

	// Claim sheet rows, strongest matches first, then file order.
	claimed := map[sheets.RowID]int{}
	matched := make([]bool, len(t.Rows))
	for _, by := range []MatchKind{MatchRowID, MatchRecordID, MatchKey} {
		for i, c := range best {
			if c.by != by {
				continue
			}
			if c.many {
				p.Skipped = append(p.Skipped, CellProblem{Row: t.SourceRows[i], Reason: fmt.Sprintf("its %s matches several sheet rows", by)})
				matched[i] = true
				continue
			}
			if first, taken := claimed[c.row.ID]; taken {
				p.Skipped = append(p.Skipped, CellProblem{Row: t.SourceRows[i], Reason: fmt.Sprintf("row %d of the file already matches the same sheet row", t.SourceRows[first])})
				matched[i] = true
				continue
			}
			claimed[c.row.ID] = i
			matched[i] = true
			m := MatchedRow{SourceRow: t.SourceRows[i], By: by, Row: c.row}
			m.Changes = p.changes(sheet, t, cols, values[i], c.row, i, keyCol, opt, unreadable)
			if !opt.ClearBlanks {
				p.keptBlanks(sheet, t, cols, i, c.row, unreadable)
			}
			if len(m.Changes) == 0 {
				p.Unchanged++
			}
			p.Matched = append(p.Matched, m)
		}
	}
	slices.SortStableFunc(p.Matched, func(a, b MatchedRow) int { return a.SourceRow - b.SourceRow })
	slices.SortStableFunc(p.BlanksKept, func(a, b CellChange) int { return a.SourceRow - b.SourceRow })
	slices.SortStableFunc(p.Skipped, func(a, b CellProblem) int { return a.Row - b.Row })
	for i := range t.Rows {
		if matched[i] {
			continue
		}
		if !opt.AddUnmatched {
			p.Unmatched = append(p.Unmatched, t.SourceRows[i])
			continue
		}
		r := &sheets.Row{RecordID: recordIDs[i], Cells: map[string]string{}}
		for k, cm := range cols {
			if v := values[i][k]; v != "" {
				if sc, _ := sheet.Column(cm.ColumnID); !sc.ReadOnly {
					r.Cells[cm.ColumnID] = v
				}
			}
		}
		r.Touch()
		p.New = append(p.New, NewRow{SourceRow: t.SourceRows[i], Row: r})
	}
	slices.SortStableFunc(p.Invalid, func(a, b CellProblem) int { return a.Row - b.Row })
	return p, nil
}

// changes lists what a file row changes in its sheet row. A key cell that
// differs only in what NormalizeKey ignores (case, spaces, a website's
// scheme) is not a change: the file merely spells the same key its way.
func (p *MergePlan) changes(sheet *sheets.Sheet, t *Table, cols []ColumnMatch, vals []string, r *sheets.Row, i int, keyCol string, opt MergeOptions, unreadable map[CellProblem]bool) []CellChange {
	var out []CellChange
	src := t.SourceRows[i]
	for k, cm := range cols {
		sc, _ := sheet.Column(cm.ColumnID)
		if sc.ReadOnly || unreadable[CellProblem{Row: src, Column: t.Columns[cm.Table].Name}] {
			continue // an unreadable cell is a problem, never a blank that clears
		}
		nv, old := vals[k], r.Cells[cm.ColumnID]
		if sheets.SameText(nv, old) || nv == "" && !opt.ClearBlanks || opt.OnlyEmpty && old != "" {
			continue
		}
		// The file cannot say what parsing takes away (surrounding
		// whitespace outside long text, a choice's case): a stored value
		// that parses to the file's value was not changed by the file.
		if po, err := sheets.ParseCell(sc, old); err == nil && po != "" && sheets.SameText(nv, po) {
			continue
		}
		if cm.ColumnID == keyCol && nv != "" && sheets.NormalizeKey(nv) == sheets.NormalizeKey(old) {
			continue
		}
		out = append(out, CellChange{SourceRow: src, RowID: r.ID, ColumnID: cm.ColumnID, Column: sc.Name, Old: old, New: nv})
	}
	return out
}

// keptBlanks records the cells of file row i that are blank in the file
// and hold a value in sheet row r: the merge leaves them alone.
func (p *MergePlan) keptBlanks(sheet *sheets.Sheet, t *Table, cols []ColumnMatch, i int, r *sheets.Row, unreadable map[CellProblem]bool) {
	for _, cm := range cols {
		sc, _ := sheet.Column(cm.ColumnID)
		old := r.Cells[cm.ColumnID]
		if sc.ReadOnly || old == "" || t.Rows[i][cm.Table] != "" || unreadable[CellProblem{Row: t.SourceRows[i], Column: t.Columns[cm.Table].Name}] {
			continue
		}
		p.BlanksKept = append(p.BlanksKept, CellChange{SourceRow: t.SourceRows[i], RowID: r.ID, ColumnID: cm.ColumnID, Column: sc.Name, Old: old})
	}
}

// mapColumns pairs file columns with sheet columns.
func (p *MergePlan) mapColumns(sheet *sheets.Sheet, t *Table, opt MergeOptions) []ColumnMatch {
	var cols []ColumnMatch
	used := map[string]bool{}
	add := func(i int, id, by string) {
		sc, _ := sheet.Column(id)
		if sc.ReadOnly {
			p.ReadOnlyColumns = append(p.ReadOnlyColumns, t.Columns[i].Name)
		}
		used[id] = true
		cols = append(cols, ColumnMatch{Table: i, Name: t.Columns[i].Name, ColumnID: id, By: by})
	}
	for i, tc := range t.Columns {
		if opt.Columns != nil {
			id, ok := opt.Columns[i]
			if _, exists := sheet.Column(id); ok && exists && !used[id] {
				add(i, id, "choice")
			} else if !tc.RecordIDs {
				p.UnmatchedColumns = append(p.UnmatchedColumns, tc.Name)
			}
			continue
		}
		if tc.RecordIDs {
			continue
		}
		if tc.ColumnID != "" && t.SheetID == sheet.ID {
			if _, ok := sheet.Column(tc.ColumnID); ok && !used[tc.ColumnID] {
				add(i, tc.ColumnID, "id")
				continue
			}
		}
		if sc, ok := sheet.ColumnByName(tc.Name); ok && !used[sc.ID] {
			add(i, sc.ID, "name")
			continue
		}
		if sc, ok := sheet.ColumnByName(tc.Header); ok && tc.Header != "" && !used[sc.ID] {
			add(i, sc.ID, "name")
			continue
		}
		found := false
		for _, sc := range sheet.Columns {
			if !used[sc.ID] && (squash(sc.Name) == squash(tc.Name) || sc.Field != "" && squash(sc.Field) == squash(tc.Name)) {
				add(i, sc.ID, "field")
				found = true
				break
			}
		}
		if !found {
			p.UnmatchedColumns = append(p.UnmatchedColumns, tc.Name)
		}
	}
	return cols
}

// convertCell turns a Table cell (canonical for the file column's inferred
// type) into the canonical value of a sheet column.
func convertCell(sc sheets.Column, from sheets.Type, v string, loc *time.Location) (string, error) {
	if v == "" {
		return "", nil
	}
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case sc.Type == sheets.TypeDateTime && from == sheets.TypeDate:
		d, err := time.Parse(dateLayout, v)
		if err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC().Format(sheets.DateTimeLayout), nil
		}
	case sc.Type == sheets.TypeDate && from == sheets.TypeDateTime:
		if ts, err := time.Parse(sheets.DateTimeLayout, v); err == nil {
			ts = ts.In(loc)
			if ts.Hour() != 0 || ts.Minute() != 0 || ts.Second() != 0 || ts.Nanosecond() != 0 {
				return "", &sheets.ValueError{Type: sc.Type, Input: v, Reason: "has a time of day; the column holds dates"}
			}
			return ts.Format(dateLayout), nil
		}
	case sc.Type == sheets.TypeReference:
		if id, ok := recordID18(v); ok {
			return id, nil
		}
	}
	return sheets.ParseCell(sc, v)
}

// duplicates lists record ids and keys found on several file rows.
func duplicates(t *Table, byRecord, byKey map[string][]int) []DuplicateKey {
	var out []DuplicateKey
	for _, m := range []map[string][]int{byRecord, byKey} {
		for k, rows := range m {
			if len(rows) < 2 {
				continue
			}
			d := DuplicateKey{Key: k}
			for _, i := range rows {
				d.SourceRows = append(d.SourceRows, t.SourceRows[i])
			}
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b DuplicateKey) int { return a.SourceRows[0] - b.SourceRows[0] })
	return out
}
