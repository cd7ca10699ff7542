package xlsx

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"crmsheets/sheets"
)

// ReadOptions choose what ReadTable reads. The zero value reads the first
// visible tab, detects the header and keeps hidden rows.
type ReadOptions struct {
	// Tab is the tab's name; "" is the first visible tab.
	Tab string
	// HeaderRow is the Excel row number (1-based) of the header; 0 detects
	// it: the first row where most cells of the widest row hold text.
	HeaderRow int
	// DateFormats are the user's choices for columns of text dates, by
	// ColumnInfo.SourceIndex. A choice that does not fit the column's values
	// is ignored. Table.ChooseDateFormat does the same after reading.
	DateFormats map[int]DateFormat
	// SkipHiddenRows leaves out rows hidden in Excel (by a filter or by
	// hand). By default they are kept: an import never drops data the user
	// cannot see in the preview.
	SkipHiddenRows bool
	// Location is the zone of datetimes without one (Excel stores wall
	// clocks); nil is UTC, the zone Export writes. Dates are calendar days
	// and never shift, whatever the zone.
	Location *time.Location
}

// ColumnInfo describes one column of a Table.
type ColumnInfo struct {
	Name       string       `json:"name"`       // from the header, trimmed, made unique ("Email (2)"); "Column C" for a blank header
	Header     string       `json:"header"`     // the header cell as in the file
	Type       sheets.Type  `json:"type"`       // inferred from the values
	DateFormat DateFormat   `json:"dateFormat"` // the format of text dates in a date or datetime column; "" for serial dates
	Ambiguous  []DateFormat `json:"ambiguous"`
	// MixedDates says why a column is ambiguous when some of its day-month
	// text dates have a day above 12: real date cells sit among text dates
	// only Ambiguous[0] reads, so the spreadsheet likely read the real
	// ones in the other order.
	MixedDates  bool   `json:"mixedDates,omitempty"`
	SourceIndex int    `json:"sourceIndex"` // 0-based column of the tab (0 is A)
	ColumnID    string `json:"columnId"`    // the sheet column it was exported from, when the file is this app's export
	// RecordIDs marks the column holding Salesforce record ids (Table.RecordIDColumn).
	RecordIDs bool `json:"recordIDs"`
}

// AmbiguousDate reports whether the column holds text dates whose order of
// day and month cannot be told (no day above 12), or real date cells mixed
// with text dates only one order reads (MixedDates). Such a column stays text,
// its cells as typed, until the user picks one of Ambiguous with
// Table.ChooseDateFormat.
func (c ColumnInfo) AmbiguousDate() bool { return len(c.Ambiguous) > 0 }

// CellProblem is a value that could not be read or does not fit its column.
// The cell is left blank; the problem is shown in the preview. Column is ""
// for problems of a whole row.
type CellProblem struct {
	Row    int    `json:"row"`    // Excel row number
	Column string `json:"column"` // column name
	Value  string `json:"value"`  // the value as in the file, when there is one
	Reason string `json:"reason"`
}

func (p CellProblem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", p.Row)
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %q", p.Column)
	}
	if p.Value != "" {
		fmt.Fprintf(&b, ", %q", truncate(p.Value, 60))
	}
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Table is one tab read for import: typed columns and canonical cells. It
// holds values only; nothing is written anywhere until the caller applies a
// MergePlan or creates a sheet from it.
type Table struct {
	Tab       string
	HeaderRow int // Excel row number of the header
	Columns   []ColumnInfo
	// Rows hold canonical cells (sheets.Parse's text), one per column;
	// SourceRows their Excel row numbers.
	Rows       [][]string
	SourceRows []int
	Problems   []CellProblem
	// HiddenRows counts the rows hidden in Excel: kept, or skipped when
	// ReadOptions.SkipHiddenRows.
	HiddenRows int
	// RecordIDColumn is the index in Columns of the column of Salesforce
	// ids (18 characters), or -1.
	RecordIDColumn int
	// SheetID and RowIDs come from the hidden metadata of a workbook this
	// app exported: the sheet it came from and each row's id (0 for rows
	// added in Excel). RowIDs is nil for other workbooks.
	SheetID string
	RowIDs  []sheets.RowID
	// Date1904 reports the workbook's date system, for information.
	Date1904 bool

	loc *time.Location
}

// recordIDHeaders are header names (lower case, without spaces, dots or
// underscores) that name a column of record ids.
var recordIDHeaders = map[string]bool{"id": true, "recordid": true, "salesforceid": true, "sfid": true, "sfdcid": true, "casesafeid": true}

// ReadTableFile is ReadTable on a file path.
func ReadTableFile(ctx context.Context, path string, opt ReadOptions, lim Limits) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open workbook: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open workbook %s: %w", path, err)
	}
	t, err := ReadTable(ctx, f, st.Size(), opt, lim)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return t, nil
}

// ReadTable reads one tab of a workbook: see Table. Errors are ErrNotXLSX,
// ErrLegacyXLS, ErrEncrypted, ErrEmpty, ErrNoHeader, ErrNoSuchTab,
// *TooLargeError or the context's error; values that do not fit are not
// errors but Table.Problems.
func ReadTable(ctx context.Context, r io.ReaderAt, size int64, opt ReadOptions, lim Limits) (*Table, error) {
	wb, err := openWorkbook(r, size, lim.withDefaults())
	if err != nil {
		return nil, err
	}
	return wb.ReadTable(ctx, opt)
}

// ReadTable reads one tab of an inspected workbook (see the function
// ReadTable). The ReaderAt given to Inspect must still be open.
func (wb *Workbook) ReadTable(ctx context.Context, opt ReadOptions) (*Table, error) {
	tab, err := wb.tab(opt.Tab)
	if err != nil {
		return nil, err
	}
	sst, err := wb.sharedStrings()
	if err != nil {
		return nil, err
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	tr := &tabReader{wb: wb, sst: sst, lim: wb.pkg.lim, loc: loc, name: tab.Name}
	rows, merges, err := tr.readTab(ctx, tab.part)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("tab %q: %w", tab.Name, ErrEmpty)
	}
	slices.SortStableFunc(rows, func(a, b rawRow) int { return a.num - b.num })
	applyMerges(rows, merges, wb.pkg.lim.MaxColumns)
	hi, err := findHeader(rows, opt.HeaderRow)
	if err != nil {
		return nil, fmt.Errorf("tab %q: %w", tab.Name, err)
	}
	meta := wb.meta
	if meta != nil && meta.tab != tab.Name {
		meta = nil // the metadata describes another tab
	}
	t := &Table{Tab: tab.Name, HeaderRow: rows[hi].num, RecordIDColumn: -1, Date1904: wb.Date1904, loc: loc}
	if err := t.build(ctx, rows[hi], rows[hi+1:], meta, opt); err != nil {
		return nil, fmt.Errorf("tab %q: %w", tab.Name, err)
	}
	return t, nil
}

// applyMerges copies the top-left value of each merged range into the other
// cells of the range, in the rows that exist (a row that only a merge
// reaches holds nothing of its own). Ranges are clipped to maxCols columns,
// so a merge cannot widen a table past the limits.
func applyMerges(rows []rawRow, merges []mergeRange, maxCols int) {
	for _, m := range merges {
		m.c2 = min(m.c2, maxCols-1)
		top, ok := slices.BinarySearchFunc(rows, m.r1, func(r rawRow, n int) int { return r.num - n })
		if !ok || m.c1 >= len(rows[top].cells) {
			continue
		}
		v := rows[top].cells[m.c1]
		if v.kind == kindEmpty {
			continue
		}
		for i := top; i < len(rows) && rows[i].num <= m.r2; i++ {
			for c := m.c1; c <= m.c2; c++ {
				if i == top && c == m.c1 {
					continue
				}
				for len(rows[i].cells) <= c {
					rows[i].cells = append(rows[i].cells, cell{})
				}
				rows[i].cells[c] = v
			}
		}
	}
}

// headerScan is how many non-empty rows header detection looks at.
const headerScan = 30

// findHeader returns the index of the header row: the given Excel row, or
// the first of the first rows whose text cells number at least half the
// widest row's cells (so a title line above a table is passed over, and a
// row of numbers is never a header).
func findHeader(rows []rawRow, want int) (int, error) {
	if want > 0 {
		for i, r := range rows {
			if r.num == want {
				return i, nil
			}
		}
		return 0, fmt.Errorf("row %d is empty: %w", want, ErrNoHeader)
	}
	scan := rows[:min(len(rows), headerScan)]
	widest := 0
	for _, r := range scan {
		widest = max(widest, nonEmpty(r.cells))
	}
	for i, r := range scan {
		text := 0
		for _, c := range r.cells {
			if c.kind == kindText && !numberText(strings.TrimSpace(c.text)) {
				text++
			}
		}
		if text > 0 && 2*text >= widest && 2*text >= nonEmpty(r.cells) {
			return i, nil
		}
	}
	return 0, ErrNoHeader
}

func nonEmpty(cells []cell) int {
	n := 0
	for _, c := range cells {
		if c.kind != kindEmpty {
			n++
		}
	}
	return n
}

// headerText is a cell's text as a column name.
func headerText(c cell) string {
	if c.kind == kindEmpty || c.kind == kindError {
		return ""
	}
	return strings.Join(strings.Fields(c.text), " ")
}

// build turns the header and data rows into columns and canonical cells.
func (t *Table) build(ctx context.Context, header rawRow, data []rawRow, meta *exportMeta, opt ReadOptions) error {
	width := len(header.cells)
	for _, r := range data {
		width = max(width, len(r.cells))
	}
	headers := make([]string, width)
	for j := range width {
		if j < len(header.cells) {
			headers[j] = headerText(header.cells[j])
		}
	}
	// Rows to keep: not hidden (when asked), not a repeat of the header.
	kept := data[:0:0]
	for _, r := range data {
		if r.hidden {
			t.HiddenRows++
			if opt.SkipHiddenRows {
				continue
			}
		}
		if repeatsHeader(r, headers) {
			t.Problems = append(t.Problems, CellProblem{Row: r.num, Reason: "the header row is repeated here; the row is skipped"})
			continue
		}
		kept = append(kept, r)
	}
	clear(data) // kept holds the rows now; each is released once canonicalised
	// Columns: every column with a header or data; our own row-id and
	// ignored columns are set aside.
	hasData := make([]bool, width)
	for _, r := range kept {
		for j, c := range r.cells {
			if c.kind != kindEmpty {
				hasData[j] = true
			}
		}
	}
	rowIDCol := -1
	var srcs []int
	for j := range width {
		if meta != nil && headers[j] != "" {
			if headers[j] == meta.rowIDHeader {
				rowIDCol = j
				continue
			}
			if meta.columns[headers[j]] == ignoredColumnID {
				continue
			}
		}
		if headers[j] == "" && !hasData[j] {
			continue
		}
		srcs = append(srcs, j)
	}
	if len(srcs) == 0 {
		return ErrNoHeader
	}
	if meta != nil {
		t.SheetID = meta.sheetID
	}
	seen := map[string]bool{}
	next := map[string]int{} // next suffix to try per base name, so dedup stays linear
	for _, j := range srcs {
		name := headers[j]
		if name == "" {
			name = "Column " + columnLetters(j)
		}
		base := strings.ToLower(name)
		if seen[base] {
			n := max(next[base], 2)
			for seen[strings.ToLower(fmt.Sprintf("%s (%d)", name, n))] {
				n++
			}
			next[base] = n + 1
			name = fmt.Sprintf("%s (%d)", name, n)
		}
		seen[strings.ToLower(name)] = true
		ci := ColumnInfo{Name: name, Header: headers[j], SourceIndex: j}
		if meta != nil {
			ci.ColumnID = meta.columns[headers[j]]
		}
		t.Columns = append(t.Columns, ci)
	}
	// Infer each column's type, then canonicalise.
	t.Rows = make([][]string, len(kept))
	t.SourceRows = make([]int, len(kept))
	flat := make([]string, len(kept)*len(srcs))
	for i, r := range kept {
		t.Rows[i] = flat[i*len(srcs) : (i+1)*len(srcs) : (i+1)*len(srcs)]
		t.SourceRows[i] = r.num
	}
	// Infer each column's type from all its cells first.
	guesses := make([]columnGuess, len(srcs))
	for k, j := range srcs {
		if err := ctx.Err(); err != nil {
			return err
		}
		agg := newColumnAgg()
		for _, r := range kept {
			if j < len(r.cells) && r.cells[j].kind != kindEmpty && r.cells[j].kind != kindError {
				agg.add(factsOf(r.cells[j], t.loc))
			}
		}
		g := agg.guess(opt.DateFormats[j])
		guesses[k] = g
		col := &t.Columns[k]
		col.Type, col.DateFormat, col.Ambiguous, col.MixedDates = g.typ, g.dateFormat, g.ambiguous, g.mixed
		if t.RecordIDColumn < 0 && g.typ == sheets.TypeReference &&
			(col.ColumnID == recordIDColumnID || recordIDHeaders[squash(col.Header)]) {
			t.RecordIDColumn = k
			col.RecordIDs = true
		}
	}
	// Then canonicalise row by row, letting each raw row go once done.
	var rowIDs []sheets.RowID
	if rowIDCol >= 0 {
		rowIDs = make([]sheets.RowID, len(kept))
	}
	for i := range kept {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		r := &kept[i]
		for k, j := range srcs {
			if j >= len(r.cells) {
				continue
			}
			c, g := r.cells[j], guesses[k]
			var f cellFacts
			if c.kind == kindText && (g.typ == sheets.TypeDate || g.typ == sheets.TypeDateTime) {
				f = factsOf(c, t.loc)
			}
			v, why := canonicalCell(c, f, g, t.loc)
			if why != "" {
				raw := ""
				if c.kind == kindText {
					raw = c.text
				}
				t.Problems = append(t.Problems, CellProblem{Row: r.num, Column: t.Columns[k].Name, Value: raw, Reason: why})
				continue
			}
			t.Rows[i][k] = v
		}
		if rowIDCol >= 0 && rowIDCol < len(r.cells) {
			if n, err := strconv.ParseUint(strings.TrimSpace(r.cells[rowIDCol].text), 10, 64); err == nil {
				rowIDs[i] = sheets.RowID(n)
			}
		}
		r.cells = nil
	}
	t.RowIDs = rowIDs
	slices.SortStableFunc(t.Problems, func(a, b CellProblem) int { return a.Row - b.Row })
	return nil
}

// repeatsHeader reports whether a data row is the header again (as when
// two exports were pasted one under the other).
func repeatsHeader(r rawRow, headers []string) bool {
	n := 0
	for j, h := range headers {
		var v string
		if j < len(r.cells) {
			v = headerText(r.cells[j])
		}
		if v != h {
			return false
		}
		if h != "" {
			n++
		}
	}
	return n > 0 && len(r.cells) <= len(headers)
}

// squash lower-cases a header and drops spaces, dots, dashes and
// underscores, for comparing names loosely.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// columnLetters names a 0-based column as Excel does ("A", "AA").
func columnLetters(j int) string {
	var b []byte
	for j++; j > 0; j = (j - 1) / 26 {
		b = append([]byte{byte('A' + (j-1)%26)}, b...)
	}
	return string(b)
}

// ChooseDateFormat settles an ambiguous column (or overrides a detected
// format): its text cells are read again in format f and the column becomes
// a date or datetime column. Cells that do not fit f become problems. It
// fails if the column is not a column of text dates.
func (t *Table) ChooseDateFormat(col int, f DateFormat) error {
	if col < 0 || col >= len(t.Columns) {
		return fmt.Errorf("choose date format: no column %d", col)
	}
	if !f.Valid() {
		return fmt.Errorf("choose date format for %q: unknown format %q", t.Columns[col].Name, f)
	}
	c := &t.Columns[col]
	if !c.AmbiguousDate() && c.DateFormat == "" {
		return fmt.Errorf("choose date format for %q: the column does not hold text dates", c.Name)
	}
	if !c.AmbiguousDate() {
		return fmt.Errorf("choose date format for %q: the format was detected as %s; read the file again with ReadOptions.DateFormats to change it", c.Name, c.DateFormat)
	}
	if t.loc == nil {
		t.loc = time.UTC // a Table built by hand rather than read
	}
	typ := sheets.TypeDate
	for _, row := range t.Rows {
		if td, ok := splitTextDate(row[col]); ok && td.hasTime {
			typ = sheets.TypeDateTime
		}
	}
	g := columnGuess{typ: typ, dateFormat: f}
	for i, row := range t.Rows {
		if row[col] == "" {
			continue
		}
		raw := row[col]
		if _, err := time.Parse(dateLayout, raw); err == nil {
			continue // a serial date read as a date already
		}
		if _, err := time.Parse(sheets.DateTimeLayout, raw); err == nil {
			continue
		}
		cl := cell{kind: kindText, text: raw}
		v, why := canonicalCell(cl, factsOf(cl, t.loc), g, t.loc)
		if why != "" {
			t.Problems = append(t.Problems, CellProblem{Row: t.SourceRows[i], Column: c.Name, Value: raw, Reason: why})
		}
		row[col] = v
	}
	c.Type, c.DateFormat, c.Ambiguous, c.MixedDates = typ, f, nil, false
	slices.SortStableFunc(t.Problems, func(a, b CellProblem) int { return a.Row - b.Row })
	return nil
}
