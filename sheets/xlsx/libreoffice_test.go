package xlsx

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Workbooks saved by LibreOffice (shared strings instead of inline ones,
// its own styles, merged cells and hidden rows in its own way) read exactly
// as the excelize originals.
func TestLibreOfficeSavedReadsTheSame(t *testing.T) {
	for _, name := range []string{"shapes.xlsx", "textdates.xlsx"} {
		t.Run(name, func(t *testing.T) {
			orig, err := readBytes(t, fixture(t, name), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			lo, err := readBytes(t, fixture(t, filepath.Join("libreoffice", name)), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(viewOf(orig), viewOf(lo), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("excelize original vs LibreOffice save (-orig +lo):\n%s", d)
			}
			if orig.HiddenRows != lo.HiddenRows {
				t.Errorf("hidden rows: %d vs %d", orig.HiddenRows, lo.HiddenRows)
			}
		})
	}
}

// An export opened and saved by LibreOffice keeps its hidden row ids and
// metadata: re-importing it matches every row and changes nothing.
func TestLibreOfficeSavedExportMatches(t *testing.T) {
	s, rows := sampleSheet(), sampleRows(8)
	tb, err := readBytes(t, fixture(t, filepath.Join("libreoffice", "export.xlsx")), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Matched {
		if m.By != MatchRowID {
			t.Errorf("row %d matched by %v", m.SourceRow, m.By)
		}
		for _, c := range m.Changes {
			t.Errorf("change after LibreOffice save: %+v", c)
		}
	}
	if len(p.Matched) != len(rows) || len(p.UnmatchedColumns) != 0 || len(p.Invalid) != 0 {
		t.Errorf("%d matched, unmatched columns %v, invalid %v", len(p.Matched), p.UnmatchedColumns, p.Invalid)
	}
}
