package xlsx

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/sheets"
)

// ExportOptions tune Export and ExportFailures. The zero value is ready.
type ExportOptions struct {
	// Location is the zone datetimes are shown in (Excel has no zones, it
	// stores wall clocks); nil is UTC. Import with the same
	// ReadOptions.Location to read them back as the same instants.
	Location *time.Location
	// Tab names the data tab; "" uses the sheet's name, shortened and
	// cleaned to what Excel accepts.
	Tab string
}

// Export writes a sheet and its rows as a workbook: a styled, frozen header;
// typed cells (numbers as numbers, dates and datetimes as Excel dates with an
// ISO format, checkboxes as booleans, everything else as text formatted "@"
// so Excel never turns it into a number or a formula); a leading "Record ID"
// column for sheets mapped to a Salesforce object; shaded read-only columns;
// drop-downs of the allowed values of picklist columns; and the metadata a
// re-import needs to match every row exactly (a hidden row-id column and a
// very hidden tab with the sheet and column ids).
//
// Rows are streamed from the iterator to excelize's StreamWriter (which
// spills to a temporary file past 16 MB), and nothing is written to w until
// every row was read: an iterator error leaves w untouched.
func Export(w io.Writer, sheet *sheets.Sheet, rows iter.Seq2[*sheets.Row, error], opt ExportOptions) error {
	ex, err := newExporter(sheet, nil, opt)
	if err != nil {
		return err
	}
	defer ex.close()
	for row, err := range rows {
		if err != nil {
			return fmt.Errorf("export sheet %q: read rows: %w", sheet.Name, err)
		}
		if err := ex.writeRow(row, nil); err != nil {
			return err
		}
	}
	return ex.finish(w)
}

// extraColumn is a read-only column the exporter adds before the sheet's
// columns (failure details); the importer ignores it.
type extraColumn struct {
	name  string
	width float64
}

// exporter writes one workbook.
type exporter struct {
	f        *excelize.File
	sw       *excelize.StreamWriter
	sheet    *sheets.Sheet
	tab      string
	loc      *time.Location
	extras   []extraColumn
	recordID string // header of the record-id column; "" when not exported
	styles   []int  // per sheet column
	textRO   int    // style of read-only text cells (extras, record ids)
	rowNum   int
	buf      []any
	cells    []excelize.Cell
}

// Style choices.
const (
	headerFill   = "DDEBF7"
	readOnlyFill = "EDEDED"
	maxTabName   = 31
	lastExcelRow = 1048576
)

func newExporter(sheet *sheets.Sheet, extras []extraColumn, opt ExportOptions) (*exporter, error) {
	ex := &exporter{f: excelize.NewFile(), sheet: sheet, extras: extras, loc: opt.Location}
	if ex.loc == nil {
		ex.loc = time.UTC
	}
	ex.tab = tabName(opt.Tab, sheet.Name)
	if err := ex.setup(); err != nil {
		ex.close()
		return nil, fmt.Errorf("export sheet %q: %w", sheet.Name, err)
	}
	return ex, nil
}

func (ex *exporter) close() { _ = ex.f.Close() }

// setup creates the tabs, styles, widths, header and data validations.
func (ex *exporter) setup() error {
	f := ex.f
	if err := f.SetSheetName("Sheet1", ex.tab); err != nil {
		return fmt.Errorf("name tab: %w", err)
	}
	if ex.sheet.Object != "" {
		ex.recordID = uniqueHeader(ex.sheet, "Record ID", "Salesforce Record ID", "Salesforce Id (export)")
	}
	headerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	if err != nil {
		return fmt.Errorf("header style: %w", err)
	}
	ex.textRO, err = ex.cellStyle(sheets.TypeText, true)
	if err != nil {
		return err
	}
	ex.styles = make([]int, len(ex.sheet.Columns))
	for i, c := range ex.sheet.Columns {
		if ex.styles[i], err = ex.cellStyle(c.Type, c.ReadOnly); err != nil {
			return err
		}
	}
	if ex.sw, err = f.NewStreamWriter(ex.tab); err != nil {
		return fmt.Errorf("stream writer: %w", err)
	}
	// Widths and the hidden row-id column must precede the first row.
	col := 1
	var header []any
	for _, e := range ex.extras {
		if err := ex.sw.SetColWidth(col, col, e.width); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
		header = append(header, excelize.Cell{StyleID: headerStyle, Value: e.name})
		col++
	}
	if ex.recordID != "" {
		if err := ex.sw.SetColWidth(col, col, 21); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
		header = append(header, excelize.Cell{StyleID: headerStyle, Value: ex.recordID})
		col++
	}
	first := col
	for _, c := range ex.sheet.Columns {
		if err := ex.sw.SetColWidth(col, col, columnWidth(c)); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
		header = append(header, excelize.Cell{StyleID: headerStyle, Value: c.Name})
		col++
	}
	if err := ex.sw.SetColVisible(col, col, false); err != nil {
		return fmt.Errorf("hide row ids: %w", err)
	}
	header = append(header, excelize.Cell{StyleID: headerStyle, Value: rowIDHeader})
	if err := ex.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	if err := ex.sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	ex.rowNum = 1
	if err := ex.addDropDowns(first); err != nil {
		return err
	}
	if err := ex.writeMeta(); err != nil {
		return err
	}
	ex.buf = make([]any, col)
	ex.cells = make([]excelize.Cell, col)
	return nil
}

// cellStyle creates the style of a column's cells.
func (ex *exporter) cellStyle(t sheets.Type, readOnly bool) (int, error) {
	st := &excelize.Style{}
	switch t {
	case sheets.TypeNumber, sheets.TypeBool:
	case sheets.TypeCurrency:
		code := "#,##0.00"
		st.CustomNumFmt = &code
	case sheets.TypePercent:
		code := `General"%"`
		st.CustomNumFmt = &code
	case sheets.TypeDate:
		code := "yyyy-mm-dd"
		st.CustomNumFmt = &code
	case sheets.TypeDateTime:
		code := "yyyy-mm-dd hh:mm:ss"
		st.CustomNumFmt = &code
	default:
		st.NumFmt = 49 // "@": text stays text when edited in Excel
	}
	if t == sheets.TypeTextArea {
		st.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
	}
	if readOnly {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{readOnlyFill}}
		st.Font = &excelize.Font{Color: "595959"}
	}
	id, err := ex.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("style of %s cells: %w", t, err)
	}
	return id, nil
}

// addDropDowns adds a list validation to each picklist column. Excel keeps
// an inline list to 255 characters; longer lists (or values with commas or
// quotes, which an inline list cannot hold) go to a hidden lists tab.
func (ex *exporter) addDropDowns(first int) error {
	listCol := 0
	for i, c := range ex.sheet.Columns {
		if c.Type != sheets.TypePicklist || len(c.Choices) == 0 {
			continue
		}
		letter, err := excelize.ColumnNumberToName(first + i)
		if err != nil {
			return fmt.Errorf("drop-down of %q: %w", c.Name, err)
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", letter, letter, lastExcelRow))
		if c.Restricted {
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Name, "Choose one of the allowed values.")
		} else {
			// An unrestricted picklist takes other values too (as Salesforce
			// does): the list suggests, Excel only informs.
			dv.SetError(excelize.DataValidationErrorStyleInformation, c.Name, "Not one of the listed values; Salesforce accepts it for this field.")
		}
		inline := !strings.ContainsAny(strings.Join(c.Choices, ""), `,"`)
		if inline {
			if err := dv.SetDropList(c.Choices); err != nil {
				if !errors.Is(err, excelize.ErrDataValidationFormulaLength) {
					return fmt.Errorf("drop-down of %q: %w", c.Name, err)
				}
				inline = false
			}
		}
		if !inline {
			ref, err := ex.writeList(listCol, c.Choices)
			if err != nil {
				return fmt.Errorf("drop-down of %q: %w", c.Name, err)
			}
			dv.SetSqrefDropList(ref)
			listCol++
		}
		if err := ex.f.AddDataValidation(ex.tab, dv); err != nil {
			return fmt.Errorf("drop-down of %q: %w", c.Name, err)
		}
	}
	return nil
}

// writeList writes a picklist's values to a column of the hidden lists tab
// and returns the absolute reference a validation points to.
func (ex *exporter) writeList(col int, values []string) (string, error) {
	if col == 0 {
		if _, err := ex.f.NewSheet(listsTab); err != nil {
			return "", err
		}
		if err := ex.f.SetSheetVisible(listsTab, false, true); err != nil {
			return "", err
		}
	}
	letter, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return "", err
	}
	for i, v := range values {
		if err := ex.f.SetCellStr(listsTab, fmt.Sprintf("%s%d", letter, i+1), v); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("'%s'!$%s$1:$%s$%d", listsTab, letter, letter, len(values)), nil
}

// writeMeta writes the very hidden metadata tab (see meta.go).
func (ex *exporter) writeMeta() error {
	f := ex.f
	if _, err := f.NewSheet(metaTab); err != nil {
		return fmt.Errorf("metadata tab: %w", err)
	}
	rows := [][]string{
		{metaMagic, metaVersion},
		{"sheet", ex.sheet.ID},
		{"tab", ex.tab},
		{"row ids", rowIDHeader},
	}
	for _, e := range ex.extras {
		rows = append(rows, []string{"column", e.name, ignoredColumnID})
	}
	if ex.recordID != "" {
		rows = append(rows, []string{"column", ex.recordID, recordIDColumnID})
	}
	for _, c := range ex.sheet.Columns {
		rows = append(rows, []string{"column", c.Name, c.ID})
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(metaTab, cell, v); err != nil {
				return fmt.Errorf("metadata tab: %w", err)
			}
		}
	}
	if err := f.SetSheetVisible(metaTab, false, true); err != nil {
		return fmt.Errorf("hide metadata tab: %w", err)
	}
	return nil
}

// writeRow streams one row; extras are the values of the extra columns.
func (ex *exporter) writeRow(row *sheets.Row, extras []string) error {
	if ex.rowNum >= lastExcelRow {
		return fmt.Errorf("export sheet %q: more than %d rows do not fit in a workbook: %w", ex.sheet.Name, lastExcelRow-1, ErrTooLarge)
	}
	ex.rowNum++
	k := 0
	put := func(style int, v any) {
		ex.cells[k] = excelize.Cell{StyleID: style, Value: v}
		ex.buf[k] = &ex.cells[k]
		k++
	}
	for i := range ex.extras {
		var v any
		if i < len(extras) && extras[i] != "" {
			v = extras[i]
		}
		put(ex.textRO, v)
	}
	if ex.recordID != "" {
		var v any
		if row.RecordID != "" {
			v = row.RecordID
		}
		put(ex.textRO, v)
	}
	for i, c := range ex.sheet.Columns {
		put(ex.styles[i], ex.typed(c.Type, row.Cells[c.ID]))
	}
	var id any
	if row.ID != 0 {
		id = uint64(row.ID)
	}
	put(0, id)
	cell, err := excelize.CoordinatesToCellName(1, ex.rowNum)
	if err != nil {
		return fmt.Errorf("export sheet %q: %w", ex.sheet.Name, err)
	}
	if err := ex.sw.SetRow(cell, ex.buf); err != nil {
		return fmt.Errorf("export sheet %q row %d: %w", ex.sheet.Name, row.ID, err)
	}
	return nil
}

// typed is the Excel value of a canonical cell: a number, a date serial
// (rounded to 15 digits, see excelSerial), a boolean, or text. Dates before
// 1900-03-01 are text (see firstSafeDay). A cell that is not canonical for
// its type is written as the text it holds, never dropped.
func (ex *exporter) typed(t sheets.Type, v string) any {
	if v == "" {
		return nil
	}
	switch t {
	case sheets.TypeNumber, sheets.TypeCurrency, sheets.TypePercent:
		if f, ok := sheets.Float(v); ok {
			return f
		}
	case sheets.TypeDate:
		if d, ok := sheets.Time(t, v); ok && serialSafe(d) {
			return excelSerial(d)
		}
	case sheets.TypeDateTime:
		if d, ok := sheets.Time(t, v); ok {
			if d = d.In(ex.loc); serialSafe(d) {
				return excelSerial(d)
			}
		}
	case sheets.TypeBool:
		switch v {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return v
}

// finish flushes the stream and writes the workbook to w.
func (ex *exporter) finish(w io.Writer) error {
	if err := ex.sw.Flush(); err != nil {
		return fmt.Errorf("export sheet %q: flush: %w", ex.sheet.Name, err)
	}
	if _, err := ex.f.WriteTo(w); err != nil {
		return fmt.Errorf("export sheet %q: write workbook: %w", ex.sheet.Name, err)
	}
	return nil
}

// columnWidth is a column's width in Excel's character units: the user's
// width (Fyne units, about 7 per character) or a default by type.
func columnWidth(c sheets.Column) float64 {
	if c.Width > 0 {
		return min(max(float64(c.Width)/7, 6), 100)
	}
	w := float64(len([]rune(c.Name)) + 4)
	switch c.Type {
	case sheets.TypeDate:
		w = max(w, 12)
	case sheets.TypeDateTime:
		w = max(w, 20)
	case sheets.TypeBool:
		w = max(w, 9)
	case sheets.TypeNumber, sheets.TypeCurrency, sheets.TypePercent:
		w = max(w, 14)
	case sheets.TypeEmail, sheets.TypeURL:
		w = max(w, 28)
	case sheets.TypeTextArea:
		w = max(w, 40)
	case sheets.TypeReference:
		w = max(w, 20)
	default:
		w = max(w, 18)
	}
	return min(w, 60)
}

// tabName makes a name Excel accepts: at most 31 characters, none of
// []:*?/\ and not starting or ending with an apostrophe.
func tabName(want, fallback string) string {
	s := want
	if strings.TrimSpace(s) == "" {
		s = fallback
	}
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(strings.TrimSpace(s), "'")
	if r := []rune(s); len(r) > maxTabName {
		s = string(r[:maxTabName])
	}
	if s == "" || s == metaTab || s == listsTab {
		s = "Sheet"
	}
	return s
}

// uniqueHeader returns the first candidate no column of the sheet is named.
func uniqueHeader(sheet *sheets.Sheet, candidates ...string) string {
	for _, c := range candidates {
		if _, taken := sheet.ColumnByName(c); !taken && c != rowIDHeader {
			return c
		}
	}
	return candidates[len(candidates)-1] + " " + sheet.ID
}
