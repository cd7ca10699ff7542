package xlsx

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The metadata tab of an export is very hidden (not listed by Excel's
// "Unhide"), and laid out as label/value rows:
//
//	crmsheets export | 1
//	sheet            | <sheet id>
//	tab              | <data tab name>
//	row ids          | <header of the hidden row-id column>
//	column           | <header> | <column id>      (one per exported column)
//
// Row ids travel in a hidden column of the data tab rather than in this tab,
// so that they stay with their rows when the user sorts, inserts or deletes
// rows in Excel; a list keyed by position here would silently pair edits
// with the wrong rows after a sort.
const (
	metaMagic        = "crmsheets export"
	metaVersion      = "1"
	rowIDHeader      = "_crmsheets_row"
	recordIDColumnID = "_recordid" // the column id of the exported record-id column
	ignoredColumnID  = "-"         // columns added for the reader only (failure messages)
)

// exportMeta is the content of the metadata tab.
type exportMeta struct {
	sheetID     string
	tab         string
	rowIDHeader string
	columns     map[string]string // header -> column id
}

// readMeta reads the metadata tab; a tab that is not ours (wrong magic) is
// ignored rather than trusted.
func (wb *Workbook) readMeta(part string) (*exportMeta, error) {
	sst, err := wb.sharedStrings()
	if err != nil {
		return nil, err
	}
	tr := &tabReader{wb: wb, sst: sst, lim: wb.pkg.lim, loc: time.UTC, name: metaTab}
	rows, _, err := tr.readTab(context.Background(), part)
	if err != nil {
		return nil, fmt.Errorf("read export metadata: %w", err)
	}
	text := func(r rawRow, j int) string {
		if j < len(r.cells) {
			return strings.TrimSpace(r.cells[j].text)
		}
		return ""
	}
	if len(rows) == 0 || text(rows[0], 0) != metaMagic {
		return nil, nil
	}
	m := &exportMeta{columns: map[string]string{}}
	for _, r := range rows[1:] {
		switch text(r, 0) {
		case "sheet":
			m.sheetID = text(r, 1)
		case "tab":
			m.tab = text(r, 1)
		case "row ids":
			m.rowIDHeader = text(r, 1)
		case "column":
			if h := text(r, 1); h != "" {
				m.columns[h] = text(r, 2)
			}
		}
	}
	if m.rowIDHeader == "" {
		m.rowIDHeader = rowIDHeader
	}
	return m, nil
}
