package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
	"crmsheets/sheets/xlsx"
)

// XLSX flows: the engine-side glue of sheets/xlsx. Reading and planning
// never write; creating a sheet and applying a merge each write in one
// store transaction, so a failed import leaves the store as it was.

// InspectXLSX lists the tabs of a workbook file, for the user to choose one.
func (s *Service) InspectXLSX(path string, lim ImportLimits) ([]WorkbookTab, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	wb, err := xlsx.Inspect(f, size, lim.toXLSX())
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", path, err)
	}
	tabs := make([]WorkbookTab, len(wb.Tabs))
	for i, t := range wb.Tabs {
		tabs[i] = WorkbookTab{Name: t.Name, Hidden: t.Hidden, Dimension: t.Dimension, Rows: t.Rows, Columns: t.Columns}
	}
	return tabs, nil
}

// ReadXLSX reads one tab of a workbook for a preview; both the new-sheet and
// the merge flows start from its Table.
func (s *Service) ReadXLSX(ctx context.Context, path string, opt ImportReadOptions, lim ImportLimits) (*ImportTable, error) {
	t, err := xlsx.ReadTableFile(ctx, path, opt.toXLSX(), lim.toXLSX())
	if err != nil {
		return nil, err
	}
	return importTable(t), nil
}

func openFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("open workbook: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("open workbook %s: %w", path, err)
	}
	return f, st.Size(), nil
}

// CreateSheetFromXLSX creates a local sheet from a Table: one column per
// file column with its inferred type (the record-id column becomes the
// rows' record ids instead), the first email column as key column, and
// every row; sheet and rows are written in one transaction. Columns of
// ambiguous dates must be settled first (ErrAmbiguousDates). Cells that did
// not read are blank; the Table's Problems say which.
func (s *Service) CreateSheetFromXLSX(name string, t *ImportTable) (*sheets.Sheet, error) {
	var pending []string
	for _, c := range t.Columns {
		if c.AmbiguousDate() {
			pending = append(pending, fmt.Sprintf("%q", c.Name))
		}
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("create sheet %q: columns %s: %w", name, strings.Join(pending, ", "), ErrAmbiguousDates)
	}
	sh := &sheets.Sheet{Name: name}
	colIDs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		if i == t.RecordIDColumn {
			continue
		}
		col := sh.AddColumn(sheets.Column{Name: c.Name, Type: c.Type})
		colIDs[i] = col.ID
		if sh.KeyColumn == "" && c.Type == sheets.TypeEmail {
			sh.KeyColumn = col.ID
		}
	}
	now := s.now()
	rows := make([]*sheets.Row, len(t.Rows))
	for i, cells := range t.Rows {
		r := &sheets.Row{Cells: make(map[string]string, len(cells)), LocalEdited: now}
		for j, v := range cells {
			switch {
			case v == "":
			case j == t.RecordIDColumn:
				r.RecordID = v
			default:
				r.Cells[colIDs[j]] = v
			}
		}
		r.Touch()
		rows[i] = r
	}
	err := s.store.Batch(func(tx *store.Tx) error {
		if err := tx.CreateSheet(sh); err != nil {
			return err
		}
		return tx.InsertRows(sh.ID, rows)
	})
	if err != nil {
		return nil, fmt.Errorf("create sheet %q from XLSX: %w", name, err)
	}
	return sh, nil
}

// PlanXLSXImport previews merging a Table into an existing sheet (see
// xlsx.PlanMerge); nothing is written.
func (s *Service) PlanXLSXImport(sheetID string, t *ImportTable, opt ImportOptions) (*ImportPlan, error) {
	sh, err := s.store.Sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("plan XLSX merge: sheet %s: %w", sheetID, err)
	}
	if t.t == nil {
		return nil, fmt.Errorf("plan XLSX merge into %q: the table was not read by ReadXLSX", sh.Name)
	}
	p, err := xlsx.PlanMerge(sh, s.store.Rows(sheetID), t.t, opt.toXLSX())
	if err != nil {
		return nil, fmt.Errorf("plan XLSX merge into %q: %w", sh.Name, err)
	}
	return importPlan(p), nil
}

// ImportResult counts what ApplyXLSXImport wrote.
type ImportResult struct {
	Updated int `json:"updated"` // rows changed (now modified, pushed by the next sync)
	Added   int `json:"added"`   // rows added
	// Stale lists cells left alone because they changed in the sheet since
	// the preview (a sync or an edit in between); the preview's value is
	// never written over a newer one.
	Stale []ImportCellChange `json:"stale"`
}

// ApplyXLSXImport writes a merge plan in one transaction. Each change is
// applied to the row as it is now, and only where the cell still holds the
// value the preview showed (see ImportResult.Stale); rows deleted since the
// preview are skipped. Nothing is written if any write fails.
func (s *Service) ApplyXLSXImport(sheetID string, p *ImportPlan) (ImportResult, error) {
	if p.p == nil {
		return ImportResult{}, fmt.Errorf("apply XLSX merge to sheet %s: the plan was not made by PlanXLSXImport", sheetID)
	}
	var res ImportResult
	now := s.now()
	err := s.store.Batch(func(tx *store.Tx) error {
		res = ImportResult{}
		var ids []sheets.RowID
		changes := map[sheets.RowID][]ImportCellChange{}
		for _, m := range p.Matched {
			if len(m.Changes) > 0 {
				ids = append(ids, m.Row.ID)
				changes[m.Row.ID] = m.Changes
			}
		}
		var update []*sheets.Row
		for _, id := range ids {
			cur, err := tx.Row(sheetID, id)
			if errors.Is(err, store.ErrNotFound) {
				res.Stale = append(res.Stale, changes[id]...)
				continue
			}
			if err != nil {
				return err
			}
			changed := false
			for _, c := range changes[id] {
				if cur.Cells[c.ColumnID] != c.Old {
					res.Stale = append(res.Stale, c)
					continue
				}
				changed = cur.Set(c.ColumnID, c.New, now) || changed
			}
			if changed {
				update = append(update, cur)
			}
		}
		if len(update) > 0 {
			if err := tx.UpdateRows(sheetID, update); err != nil {
				return err
			}
		}
		_, insert := p.p.Apply()
		for _, r := range insert {
			r.LocalEdited = now
		}
		if len(insert) > 0 {
			if err := tx.InsertRows(sheetID, insert); err != nil {
				return err
			}
		}
		res.Updated, res.Added = len(update), len(insert)
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("apply XLSX merge to sheet %s: %w", sheetID, err)
	}
	return res, nil
}

// ExportXLSX writes a sheet as a workbook (see xlsx.Export).
func (s *Service) ExportXLSX(w io.Writer, sheetID string, opt ExportOptions) error {
	sh, err := s.store.Sheet(sheetID)
	if err != nil {
		return fmt.Errorf("export sheet %s: %w", sheetID, err)
	}
	return xlsx.Export(w, sh, s.store.Rows(sheetID), opt.toXLSX())
}

// ExportRunFailuresXLSX writes the failed records of a run, each with its
// error beside it (see xlsx.ExportFailures). The sheet must still exist.
func (s *Service) ExportRunFailuresXLSX(w io.Writer, runID uint64, opt ExportOptions) error {
	run, err := s.store.Run(runID)
	if err != nil {
		return fmt.Errorf("export failures of run %d: %w", runID, err)
	}
	outs, err := s.store.Outcomes(runID, true)
	if err != nil {
		return fmt.Errorf("export failures of run %d: %w", runID, err)
	}
	sh, err := s.store.Sheet(run.SheetID)
	if err != nil {
		return fmt.Errorf("export failures of run %d: sheet %s: %w", runID, run.SheetID, err)
	}
	return xlsx.ExportFailures(w, sh, s.store.Rows(run.SheetID), outs, opt.toXLSX())
}
