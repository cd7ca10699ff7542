package grid

import "strings"

// ParseTSV reads tab-separated text as Excel and Google Sheets put it on
// the clipboard: rows end with \n or \r\n, cells are separated by tabs, and
// a cell holding a tab, newline or quote is quoted with "" doubling inner
// quotes. A trailing newline does not make an empty last row. Malformed
// quoting is read leniently, as spreadsheets do: an unclosed quote runs to
// the end of the text.
func ParseTSV(text string) [][]string {
	var (
		rows [][]string
		row  []string
		cell strings.Builder
	)
	quoted, atStart := false, true
	endCell := func() {
		row = append(row, cell.String())
		cell.Reset()
		atStart = true
	}
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case quoted:
			if ch == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					cell.WriteByte('"')
					i++
				} else {
					quoted = false
				}
				continue
			}
			cell.WriteByte(ch)
		case ch == '"' && atStart:
			quoted, atStart = true, false
		case ch == '\t':
			endCell()
		case ch == '\r' && i+1 < len(text) && text[i+1] == '\n':
			// the \n ends the row
		case ch == '\n':
			endCell()
			rows = append(rows, row)
			row = nil
		default:
			cell.WriteByte(ch)
			atStart = false
		}
	}
	if !atStart || cell.Len() > 0 || len(row) > 0 {
		endCell()
		rows = append(rows, row)
	}
	return rows
}

// FormatTSV writes cells as tab-separated text that ParseTSV, Excel and
// Google Sheets read back: cells with a tab, newline or quote, or starting
// with a quote, are quoted; rows end with \n.
func FormatTSV(rows [][]string) string {
	var b strings.Builder
	for _, row := range rows {
		for c, cell := range row {
			if c > 0 {
				b.WriteByte('\t')
			}
			if strings.ContainsAny(cell, "\t\n\r\"") {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(cell, `"`, `""`))
				b.WriteByte('"')
			} else {
				b.WriteString(cell)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
