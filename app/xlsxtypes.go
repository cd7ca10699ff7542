package app

import (
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/xlsx"
)

// The XLSX flows hand the views app's own values (tables, previews,
// options), converted from the importer's in this file, so ui and app/cli
// never depend on sheets/xlsx's shapes (DESIGN.md: only sheets/xlsx touches
// spreadsheet files, and ui speaks to app alone). arch_test fails on an
// alias of another layer's type here.

// DateFormat is a day/month/year order of text dates, such as "DD/MM/YYYY".
type DateFormat string

// ImportReadOptions choose the tab, header row, date orders and zone of a read.
type ImportReadOptions struct {
	Tab            string             // "" is the first visible tab
	HeaderRow      int                // Excel row number of the header; 0 detects it
	DateFormats    map[int]DateFormat // chosen orders of text-date columns, by ImportColumn.SourceIndex
	SkipHiddenRows bool               // leave out rows hidden in Excel (kept by default)
	Location       *time.Location     // zone of datetimes without one; nil is UTC
}

func (o ImportReadOptions) toXLSX() xlsx.ReadOptions {
	x := xlsx.ReadOptions{Tab: o.Tab, HeaderRow: o.HeaderRow, SkipHiddenRows: o.SkipHiddenRows, Location: o.Location}
	if o.DateFormats != nil {
		x.DateFormats = make(map[int]xlsx.DateFormat, len(o.DateFormats))
		for k, v := range o.DateFormats {
			x.DateFormats[k] = xlsx.DateFormat(v)
		}
	}
	return x
}

// ImportLimits bound what an import reads; zero fields are the defaults.
type ImportLimits struct {
	MaxFileBytes int64 // size of the .xlsx file itself
	MaxPartBytes int64 // inflated size of any one part of the file
	MaxRows      int   // rows of the tab, header included
	MaxColumns   int   // columns of the tab
	MaxCellBytes int   // one cell's text
}

func (l ImportLimits) toXLSX() xlsx.Limits { return xlsx.Limits(l) }

// WorkbookTab describes one tab of a workbook.
type WorkbookTab struct {
	Name      string
	Hidden    bool   // hidden or very hidden in Excel
	Dimension string // the range the file claims to use, such as "A1:T100001"
	Rows      int    // from Dimension; 0 when unknown
	Columns   int    // from Dimension; 0 when unknown
}

// CellProblem is a file cell that could not be imported, with its reason.
// Column is "" for a problem of a whole row.
type CellProblem struct {
	Row    int    `json:"row"`    // Excel row number
	Column string `json:"column"` // column name
	Value  string `json:"value"`  // the value as in the file, when there is one
	Reason string `json:"reason"`
}

// String says where the problem is and why, for a list shown to the user.
func (p CellProblem) String() string { return xlsx.CellProblem(p).String() }

func cellProblems(ps []xlsx.CellProblem) []CellProblem {
	if ps == nil {
		return nil
	}
	out := make([]CellProblem, len(ps))
	for i, p := range ps {
		out[i] = CellProblem(p)
	}
	return out
}

// ImportColumn is one column of an ImportTable.
type ImportColumn struct {
	Name       string       `json:"name"`       // from the header, made unique; "Column C" for a blank header
	Header     string       `json:"header"`     // the header cell as in the file
	Type       sheets.Type  `json:"type"`       // inferred from the values
	DateFormat DateFormat   `json:"dateFormat"` // the order of text dates; "" for serial dates
	Ambiguous  []DateFormat `json:"ambiguous"`  // orders to choose from when the file cannot tell
	// MixedDates: real date cells sit among text dates only Ambiguous[0]
	// reads, so the spreadsheet likely read the real ones in another order.
	MixedDates  bool   `json:"mixedDates,omitempty"`
	SourceIndex int    `json:"sourceIndex"` // 0-based column of the tab (0 is A)
	ColumnID    string `json:"columnId"`    // the sheet column it was exported from, for this app's exports
	RecordIDs   bool   `json:"recordIDs"`   // the column holds Salesforce record ids
}

// AmbiguousDate reports whether the column's day/month order must be
// chosen (ImportTable.ChooseDateFormat) before it can be imported as dates.
func (c ImportColumn) AmbiguousDate() bool { return len(c.Ambiguous) > 0 }

// ImportTable is a workbook tab read for a preview: typed columns and
// canonical cells. Nothing is written until it is applied or a sheet is
// created from it.
type ImportTable struct {
	Tab            string
	HeaderRow      int // Excel row number of the header
	Columns        []ImportColumn
	Rows           [][]string // canonical cells, one per column
	SourceRows     []int      // the Excel row number of each of Rows
	Problems       []CellProblem
	HiddenRows     int // rows hidden in Excel
	RecordIDColumn int // index in Columns of the record-id column, or -1
	SheetID        string
	RowIDs         []sheets.RowID // from this app's own export; nil otherwise
	Date1904       bool

	t *xlsx.Table // what was read; the Service plans and creates from it
}

func importTable(t *xlsx.Table) *ImportTable {
	it := &ImportTable{t: t}
	it.refresh()
	return it
}

// refresh copies the read table's values into the exported fields.
func (it *ImportTable) refresh() {
	t := it.t
	it.Tab, it.HeaderRow, it.Rows, it.SourceRows = t.Tab, t.HeaderRow, t.Rows, t.SourceRows
	it.Problems, it.HiddenRows, it.RecordIDColumn = cellProblems(t.Problems), t.HiddenRows, t.RecordIDColumn
	it.SheetID, it.RowIDs, it.Date1904 = t.SheetID, t.RowIDs, t.Date1904
	it.Columns = make([]ImportColumn, len(t.Columns))
	for i, c := range t.Columns {
		ic := ImportColumn{Name: c.Name, Header: c.Header, Type: c.Type, DateFormat: DateFormat(c.DateFormat),
			MixedDates: c.MixedDates, SourceIndex: c.SourceIndex, ColumnID: c.ColumnID, RecordIDs: c.RecordIDs}
		for _, f := range c.Ambiguous {
			ic.Ambiguous = append(ic.Ambiguous, DateFormat(f))
		}
		it.Columns[i] = ic
	}
}

// ChooseDateFormat settles an ambiguous column of text dates: its cells are
// read again in format f, and those that do not fit become problems.
func (it *ImportTable) ChooseDateFormat(col int, f DateFormat) error {
	err := it.t.ChooseDateFormat(col, xlsx.DateFormat(f))
	it.refresh()
	return err
}

// ImportOptions choose the key column and whether to overwrite or add rows.
type ImportOptions struct {
	KeyColumn    string         // sheet column id matched on; "" is the sheet's key column
	Columns      map[int]string // file column index → sheet column id; nil maps automatically
	OnlyEmpty    bool           // write only into blank cells
	AddUnmatched bool           // add file rows that match no sheet row
	ClearBlanks  bool           // let a blank file cell clear a sheet value
	Now          time.Time      // stamps the edits; zero is the time of the apply
}

func (o ImportOptions) toXLSX() xlsx.MergeOptions { return xlsx.MergeOptions(o) }

// ImportColumnMatch pairs a file column with a sheet column.
type ImportColumnMatch struct {
	Table    int    `json:"table"`    // index in ImportTable.Columns
	Name     string `json:"name"`     // the file column's name
	ColumnID string `json:"columnId"` // the sheet column
	By       string `json:"by"`       // "id", "name" or "field"
}

// ImportCellChange is one cell a merge import would change.
type ImportCellChange struct {
	SourceRow int          `json:"sourceRow"` // Excel row number
	RowID     sheets.RowID `json:"rowId"`
	ColumnID  string       `json:"columnId"`
	Column    string       `json:"column"` // the sheet column's name
	Old       string       `json:"old"`    // canonical value before
	New       string       `json:"new"`    // canonical value after
}

func cellChanges(cs []xlsx.CellChange) []ImportCellChange {
	if cs == nil {
		return nil
	}
	out := make([]ImportCellChange, len(cs))
	for i, c := range cs {
		out[i] = ImportCellChange(c)
	}
	return out
}

// ImportMatchedRow is a file row matched to a sheet row.
type ImportMatchedRow struct {
	SourceRow int                `json:"sourceRow"`
	By        string             `json:"by"`  // "row id", "record id" or "key"
	Row       *sheets.Row        `json:"row"` // the sheet row as it was (a copy)
	Changes   []ImportCellChange `json:"changes"`
}

// ImportNewRow is a file row a merge would add.
type ImportNewRow struct {
	SourceRow int         `json:"sourceRow"`
	Row       *sheets.Row `json:"row"` // ID 0: the store assigns one
}

// ImportDuplicateKey is a key (normalized) or record id found on several file rows.
type ImportDuplicateKey struct {
	Key        string `json:"key"`
	SourceRows []int  `json:"sourceRows"`
}

// ImportPlan is the preview of an import into an existing sheet: rows
// matched, cells to change, rows to add. Nothing in it is written until
// ApplyXLSXImport.
type ImportPlan struct {
	Columns          []ImportColumnMatch  `json:"columns"`
	UnmatchedColumns []string             `json:"unmatchedColumns"` // file columns mapped to no sheet column
	ReadOnlyColumns  []string             `json:"readOnlyColumns"`  // never written
	Matched          []ImportMatchedRow   `json:"matched"`
	New              []ImportNewRow       `json:"new"`
	Unmatched        []int                `json:"unmatched"` // source rows neither matched nor added
	Unchanged        int                  `json:"unchanged"` // matched rows with nothing to change
	Invalid          []CellProblem        `json:"invalid"`
	DuplicateKeys    []ImportDuplicateKey `json:"duplicateKeys"`
	Skipped          []CellProblem        `json:"skipped"`       // rows not applied: an earlier row matched the same sheet row, or the key matched several
	ForeignRowIDs    bool                 `json:"foreignRowIDs"` // the file is another sheet's export: its row ids were not used
	BlanksKept       []ImportCellChange   `json:"blanksKept"`    // cells blank in the file whose sheet value stays

	p *xlsx.MergePlan // what the Service applies
}

func importPlan(p *xlsx.MergePlan) *ImportPlan {
	ip := &ImportPlan{p: p, UnmatchedColumns: p.UnmatchedColumns, ReadOnlyColumns: p.ReadOnlyColumns,
		Unmatched: p.Unmatched, Unchanged: p.Unchanged, Invalid: cellProblems(p.Invalid),
		Skipped: cellProblems(p.Skipped), ForeignRowIDs: p.ForeignRowIDs, BlanksKept: cellChanges(p.BlanksKept)}
	for _, c := range p.Columns {
		ip.Columns = append(ip.Columns, ImportColumnMatch(c))
	}
	for _, m := range p.Matched {
		ip.Matched = append(ip.Matched, ImportMatchedRow{SourceRow: m.SourceRow, By: m.By.String(), Row: m.Row, Changes: cellChanges(m.Changes)})
	}
	for _, n := range p.New {
		ip.New = append(ip.New, ImportNewRow(n))
	}
	for _, d := range p.DuplicateKeys {
		ip.DuplicateKeys = append(ip.DuplicateKeys, ImportDuplicateKey(d))
	}
	return ip
}

// ChangedCells counts the cells the import would change.
func (p *ImportPlan) ChangedCells() int { return p.p.ChangedCells() }

// ExportOptions choose the time zone and tab name of an export.
type ExportOptions struct {
	Location *time.Location // zone datetimes are shown in; nil is UTC
	Tab      string         // the data tab's name; "" is the sheet's name
}

func (o ExportOptions) toXLSX() xlsx.ExportOptions { return xlsx.ExportOptions(o) }
