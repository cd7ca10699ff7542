package xlsx

import (
	"fmt"
	"io"
	"iter"
	"strings"

	"crmsheets/sheets"
)

// failureColumns are the columns ExportFailures puts before the sheet's
// columns, so the error sits next to the row it concerns. The importer
// ignores them: a corrected failures file merges back like any export.
var failureColumns = []extraColumn{
	{name: "Error", width: 60},
	{name: "Status code", width: 28},
	{name: "Operation", width: 11},
	{name: "Fields", width: 24},
}

// Failed reports whether an outcome is one ExportFailures lists: a record
// that failed, was invalid or ended in a conflict.
func Failed(o sheets.RecordOutcome) bool {
	return !o.OK || o.Op == sheets.OpInvalid || o.Op == sheets.OpConflict
}

// ExportFailures writes the failed records of a run (see Failed) as a
// workbook laid out like Export, with the error, Salesforce's status code,
// the operation and the fields concerned in leading columns. Rows come from
// the sheet in its order; outcomes whose row is no longer in the sheet are
// listed last with what the outcome itself knows. Like Export, it writes
// nothing to w on error.
func ExportFailures(w io.Writer, sheet *sheets.Sheet, rows iter.Seq2[*sheets.Row, error], outcomes []sheets.RecordOutcome, opt ExportOptions) error {
	type entry struct {
		out  sheets.RecordOutcome
		done bool
	}
	var failed []*entry
	byRow := map[sheets.RowID][]*entry{}
	byRecord := map[string][]*entry{}
	for _, o := range outcomes {
		if !Failed(o) {
			continue
		}
		e := &entry{out: o}
		failed = append(failed, e)
		switch {
		case o.RowID != 0:
			byRow[o.RowID] = append(byRow[o.RowID], e)
		case o.RecordID != "":
			id, ok := recordID18(o.RecordID)
			if !ok {
				id = o.RecordID
			}
			byRecord[id] = append(byRecord[id], e)
		}
	}
	ex, err := newExporter(sheet, failureColumns, opt)
	if err != nil {
		return err
	}
	defer ex.close()
	write := func(r *sheets.Row, e *entry) error {
		e.done = true
		return ex.writeRow(r, []string{e.out.Message, e.out.StatusCode, e.out.Op, strings.Join(e.out.Fields, ", ")})
	}
	if len(failed) > 0 {
		for r, err := range rows {
			if err != nil {
				return fmt.Errorf("export failures of sheet %q: read rows: %w", sheet.Name, err)
			}
			matches := byRow[r.ID]
			if r.RecordID != "" {
				if id, ok := recordID18(r.RecordID); ok {
					matches = append(matches, byRecord[id]...)
				}
			}
			for _, e := range matches {
				if !e.done {
					if err := write(r, e); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, e := range failed {
		if !e.done {
			// The row is gone from the sheet: keep what the outcome knows,
			// without a row id so a re-import cannot match a stranger.
			if err := write(&sheets.Row{RecordID: e.out.RecordID}, e); err != nil {
				return err
			}
		}
	}
	return ex.finish(w)
}
