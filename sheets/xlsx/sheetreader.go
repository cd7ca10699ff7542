package xlsx

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// cellKind is what a cell holds once its type and number format are read.
type cellKind uint8

const (
	kindEmpty    cellKind = iota
	kindText              // text as typed (shared, inline or formula string)
	kindNumber            // canonical number
	kindBool              // "true" or "false"
	kindDate              // canonical date
	kindDateTime          // canonical datetime (UTC)
	kindTime              // a time of day "15:04:05" (no date part)
	kindError             // a formula error such as "#N/A", or why the cell is unreadable
)

// cell is one read cell.
type cell struct {
	kind cellKind
	text string
}

// rawRow is one non-empty row of a tab as stored: its Excel row number and
// its cells by 0-based column (trailing blanks trimmed).
type rawRow struct {
	num    int
	hidden bool
	cells  []cell
}

// mergeRange is a merged range in 0-based columns and 1-based rows.
type mergeRange struct{ c1, r1, c2, r2 int }

// tabReader streams one worksheet part.
type tabReader struct {
	wb   *Workbook
	sst  []string
	lim  Limits
	loc  *time.Location
	name string
}

// readTab reads every non-empty row of a tab and its merged ranges. Memory
// is the cells themselves: the XML is never held whole.
func (tr *tabReader) readTab(ctx context.Context, part string) ([]rawRow, []mergeRange, error) {
	rc, err := tr.wb.pkg.open(part)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var (
		rows    []rawRow
		merges  []mergeRange
		scratch []cell // the row being read, reused across rows
		cur     rawRow
		inRow   bool
		rowNum  int
		colNum  int
		c       xmlCell
		inCell  bool
		text    strings.Builder
		inText  bool
		inIS    bool
		inRPh   int
	)
	fail := func(err error) ([]rawRow, []mergeRange, error) {
		if errIsLimit(err) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("read tab %q: %v: %w", tr.name, err, ErrNotXLSX)
	}
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				if len(rows)%1024 == 0 && ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				rowNum++
				if r := attr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < 1 {
						return fail(fmt.Errorf("bad row number %q", r))
					}
					rowNum = n
				}
				if rowNum > tr.lim.MaxRows {
					return nil, nil, &TooLargeError{What: "rows", Limit: int64(tr.lim.MaxRows)}
				}
				h := attr(t, "hidden")
				cur = rawRow{num: rowNum, hidden: h == "1" || h == "true", cells: scratch[:0]}
				inRow, colNum = true, 0
			case "c":
				if !inRow {
					continue
				}
				c = xmlCell{col: colNum}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						col, _, ok := parseCellRef(a.Value)
						if !ok {
							return fail(fmt.Errorf("bad cell reference %q", a.Value))
						}
						c.col = col
					case "s":
						c.style, _ = strconv.Atoi(a.Value)
					case "t":
						c.typ = a.Value
					}
				}
				if c.col >= tr.lim.MaxColumns {
					return nil, nil, &TooLargeError{What: "columns", Limit: int64(tr.lim.MaxColumns)}
				}
				colNum = c.col + 1
				inCell = true
			case "v":
				if inCell {
					inText = true
					text.Reset()
				}
			case "f":
				if inCell {
					c.formula = true
				}
			case "is":
				if inCell {
					inIS = true
					text.Reset()
				}
			case "rPh":
				inRPh++
			case "t":
				inText = inIS && inRPh == 0
			case "mergeCell":
				if m, ok := parseRange(attr(t, "ref")); ok {
					merges = append(merges, m)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				scratch = cur.cells[:0]
				if nonEmpty(cur.cells) > 0 {
					cur.cells = append(make([]cell, 0, len(cur.cells)), cur.cells...) // exact size: the scratch is reused
					rows = append(rows, cur)
				}
				inRow = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				v := tr.value(&c)
				if v.kind == kindEmpty {
					continue
				}
				if len(v.text) > tr.lim.MaxCellBytes {
					v = cell{kind: kindError, text: fmt.Sprintf("longer than %d bytes", tr.lim.MaxCellBytes)}
				}
				for len(cur.cells) < c.col {
					cur.cells = append(cur.cells, cell{})
				}
				if c.col < len(cur.cells) {
					cur.cells[c.col] = v // a repeated reference: the last one wins
				} else {
					cur.cells = append(cur.cells, v)
				}
			case "v":
				if inText {
					c.v = text.String()
					c.hasV = true
					inText = false
				}
			case "is":
				if inIS {
					c.v = text.String()
					c.hasV = true
					inIS = false
				}
			case "rPh":
				inRPh--
			case "t":
				if inIS {
					inText = false
				}
			}
		case xml.CharData:
			if inText {
				if text.Len()+len(t) > tr.lim.MaxCellBytes+1 {
					continue // keep the oversize marker without holding the text
				}
				text.Write(t)
			}
		}
	}
	return rows, merges, nil
}

// xmlCell is a <c> element as read.
type xmlCell struct {
	col     int
	style   int
	typ     string
	v       string
	hasV    bool
	formula bool
}

// noCachedValue is the problem of a formula cell saved without its result:
// files written by programs (excelize, scripts) leave the computing to a
// spreadsheet, which never ran. Reading it as blank would look like a cell
// nobody filled in.
const noCachedValue = "a formula without a saved result: open the file in Excel or LibreOffice, save it, and import it again"

// value interprets a cell by its type attribute and number format. Formula
// cells are read as their cached values; one without is a problem, not a
// blank.
func (tr *tabReader) value(c *xmlCell) cell {
	if c.formula && (!c.hasV || c.typ != "str" && c.typ != "inlineStr" && c.typ != "s" && strings.TrimSpace(c.v) == "") {
		return cell{kind: kindError, text: noCachedValue}
	}
	if !c.hasV {
		return cell{}
	}
	switch c.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(c.v))
		if err != nil || i < 0 || i >= len(tr.sst) {
			return cell{kind: kindError, text: "shared string " + c.v + " missing"}
		}
		return textCell(tr.sst[i])
	case "inlineStr", "str":
		return textCell(c.v)
	case "b":
		if strings.TrimSpace(c.v) == "1" || strings.EqualFold(c.v, "true") {
			return cell{kind: kindBool, text: "true"}
		}
		return cell{kind: kindBool, text: "false"}
	case "e":
		return cell{kind: kindError, text: "formula error " + c.v}
	case "d":
		return isoCell(c.v, tr.loc)
	}
	s := strings.TrimSpace(c.v)
	if s == "" {
		return cell{}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return cell{kind: kindError, text: fmt.Sprintf("%q is not a number", s)}
	}
	switch tr.wb.styles.kind(c.style) {
	case numDate:
		d, err := serialDate(f, tr.wb.Date1904)
		if err != nil {
			return cell{kind: kindError, text: err.Error()}
		}
		return cell{kind: kindDate, text: d}
	case numDateTime:
		d, err := serialDateTime(f, tr.wb.Date1904, tr.loc)
		if err != nil {
			return cell{kind: kindError, text: err.Error()}
		}
		return cell{kind: kindDateTime, text: d}
	case numTime:
		return cell{kind: kindTime, text: serialClock(f)}
	}
	return cell{kind: kindNumber, text: excelNumber(f)}
}

// textCell is a text value with OOXML's _xHHHH_ escapes decoded; blank text
// is an empty cell.
func textCell(s string) cell {
	s = unescapeOOXML(s)
	if strings.TrimSpace(s) == "" {
		return cell{}
	}
	return cell{kind: kindText, text: s}
}

// unescapeOOXML decodes "_x000D_"-style escapes that Excel writes for
// control characters ("_x005F_" escapes a literal underscore).
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+6 < len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 6
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isoCell reads a t="d" cell: an ISO 8601 date or datetime.
func isoCell(s string, loc *time.Location) cell {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(dateLayout, s); err == nil {
		return cell{kind: kindDate, text: d.Format(dateLayout)}
	}
	if ts, err := parseWallDateTime(s, loc); err == nil {
		return cell{kind: kindDateTime, text: ts}
	}
	return cell{kind: kindError, text: fmt.Sprintf("%q is not an ISO 8601 date", s)}
}

// excelNumber is the canonical text of a stored number, rounded to the 15
// significant digits Excel shows, so 0.1+0.2 reads as 0.3 as it does in
// Excel.
func excelNumber(f float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		r = f
	}
	return formatNumber(r)
}

// parseRange reads "A1:C3" (or a single cell).
func parseRange(ref string) (mergeRange, bool) {
	a, b, found := strings.Cut(ref, ":")
	if !found {
		b = a
	}
	c1, r1, ok1 := parseCellRef(a)
	c2, r2, ok2 := parseCellRef(b)
	if !ok1 || !ok2 {
		return mergeRange{}, false
	}
	return mergeRange{c1: min(c1, c2), r1: min(r1, r2), c2: max(c1, c2), r2: max(r1, r2)}, true
}
