package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"crmsheets/sheets"
)

// RetypeProblem is one cell that would not convert to a column's new type:
// the retype dialog and `crmsheets column retype --dry-run` list them
// before anything changes, so a person can fix the cells first.
type RetypeProblem struct {
	Row    int          `json:"row"` // 1-based position in the sheet's stored order
	RowID  sheets.RowID `json:"rowId"`
	Value  string       `json:"value"`
	Reason string       `json:"reason"`
}

// MaxRetypeProblems caps how many problems RetypePreview lists; Total still
// counts them all.
const MaxRetypeProblems = 20

// RetypePreview lists the cells of a column that would not convert to type
// t (with choices for a picklist), without changing anything: at most
// MaxRetypeProblems of them, and how many there are in all.
func (s *Service) RetypePreview(sheetID, colID string, t sheets.Type, choices []string) (problems []RetypeProblem, total int, err error) {
	if !t.Valid() {
		return nil, 0, fmt.Errorf("preview type change: unknown type %q (types: %s)", t, TypeNames())
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, 0, err
	}
	if _, ok := sh.Column(colID); !ok {
		return nil, 0, fmt.Errorf("preview type change in %q: column %s: %w", sh.Name, colID, ErrNotFound)
	}
	n := 0
	for r, err := range s.store.Rows(sheetID) {
		if err != nil {
			return nil, 0, fmt.Errorf("preview type change in %q: %w", sh.Name, err)
		}
		n++
		v := r.Cells[colID]
		if v == "" {
			continue
		}
		if _, perr := sheets.Parse(t, v, choices); perr != nil {
			total++
			if len(problems) < MaxRetypeProblems {
				reason := perr.Error()
				var ve *sheets.ValueError
				if errors.As(perr, &ve) {
					reason = ve.Reason
				}
				problems = append(problems, RetypeProblem{Row: n, RowID: r.ID, Value: v, Reason: reason})
			}
		}
	}
	return problems, total, nil
}

// TypeNames lists the column types as a person types them ("text, number,
// …"), for messages and the CLI's help.
func TypeNames() string {
	names := make([]string, len(sheets.Types))
	for i, t := range sheets.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// MoveColumn moves a column to position to (0-based, clamped) among the
// sheet's columns; cells are keyed by column id, so only the order shown
// and exported changes. It is saved as a configuration version.
func (s *Service) MoveColumn(sheetID, colID string, to int) error {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return err
	}
	i := sh.ColumnIndex(colID)
	if i < 0 {
		return fmt.Errorf("move column in %q: %s: %w", sh.Name, colID, ErrNotFound)
	}
	to = min(max(to, 0), len(sh.Columns)-1)
	if to == i {
		return nil
	}
	c := sh.Columns[i]
	sh.Columns = slices.Insert(slices.Delete(sh.Columns, i, i+1), to, c)
	return s.SaveSheetSettings(sh, fmt.Sprintf("moved column %q", c.Name))
}

// ColumnByRef finds a column of a sheet by id or name (case-insensitive),
// for the CLI's column commands.
func ColumnByRef(sh *sheets.Sheet, ref string) (sheets.Column, error) {
	if c, ok := sh.Column(ref); ok {
		return c, nil
	}
	for _, c := range sh.Columns {
		if strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(ref)) {
			return c, nil
		}
	}
	return sheets.Column{}, fmt.Errorf("sheet %q has no column %q: %w", sh.Name, ref, ErrNotFound)
}

// BlankSheet is the definition of a blank local sheet with text columns of
// the given names (A, B and C when none are given), ready for
// Service.NewLocalSheet: the grid's "Blank sheet" and `crmsheets new
// --blank` start from it.
func BlankSheet(name string, columns []string) *sheets.Sheet {
	if len(columns) == 0 {
		columns = []string{"A", "B", "C"}
	}
	sh := &sheets.Sheet{Name: strings.TrimSpace(name), Sync: sheets.SyncSettings{Direction: sheets.Both, Policy: sheets.PolicyReview}}
	for _, c := range columns {
		if c = strings.TrimSpace(c); c != "" {
			sh.AddColumn(sheets.Column{Name: c, Type: sheets.TypeText})
		}
	}
	return sh
}
