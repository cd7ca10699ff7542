package grid

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"crmsheets/sheets"
)

// ViewSpec says how the view orders and filters the rows. The zero value is
// the stored order with every row.
type ViewSpec struct {
	// SortColumn is the id of the column to sort by; "" keeps the stored
	// order.
	SortColumn string
	// Descending reverses the sort.
	Descending bool
	// Filter keeps only rows with a cell containing this text
	// (case-insensitive, on the formatted values); "" keeps all.
	Filter string
	// States, when not empty, keeps only rows in one of these states.
	States []sheets.State
}

// Active reports whether the spec changes the stored order at all.
func (v ViewSpec) Active() bool {
	return v.SortColumn != "" || v.Filter != "" || len(v.States) > 0
}

// ComputeOrder reads every row of the sheet once and returns the view
// order the spec asks for. It is meant to run off the UI goroutine on a
// snapshot (STYLE.md #8); the caller swaps the result in with
// Model.SetOrder. A sort is stable, so equal keys keep the stored order.
func ComputeOrder(ctx context.Context, src Source, sh *sheets.Sheet, spec ViewSpec) ([]sheets.RowID, error) {
	var col sheets.Column
	if spec.SortColumn != "" {
		c, ok := sh.Column(spec.SortColumn)
		if !ok {
			return nil, fmt.Errorf("sort %q: no column %s", sh.Name, spec.SortColumn)
		}
		col = c
	}
	q := strings.ToLower(spec.Filter)
	type keyed struct {
		id  sheets.RowID
		key string
	}
	var out []keyed
	n := 0
	for r, err := range src.Rows(sh.ID) {
		if err != nil {
			return nil, fmt.Errorf("read %q for its view: %w", sh.Name, err)
		}
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(spec.States) > 0 && !slices.Contains(spec.States, r.State) {
			continue
		}
		if q != "" && !matches(sh, r, q) {
			continue
		}
		k := keyed{id: r.ID}
		if col.ID != "" {
			k.key = r.Cells[col.ID]
		}
		out = append(out, k)
	}
	if col.ID != "" {
		slices.SortStableFunc(out, func(a, b keyed) int {
			c := sheets.Compare(col.Type, a.key, b.key)
			if spec.Descending {
				return -c
			}
			return c
		})
	}
	ids := make([]sheets.RowID, len(out))
	for i, k := range out {
		ids[i] = k.id
	}
	return ids, nil
}

// FindNext searches the view order for the next row after index from
// (wrapping around) with a cell containing query, case-insensitively. It
// returns the view index and the column index of the first matching cell,
// or -1, -1. It reads rows a page at a time and runs off the UI goroutine.
func FindNext(ctx context.Context, src Source, sh *sheets.Sheet, order []sheets.RowID, from int, query string) (row, col int, err error) {
	q := strings.ToLower(query)
	n := len(order)
	if q == "" || n == 0 {
		return -1, -1, nil
	}
	start := (from + 1) % n
	if from < 0 {
		start = 0
	}
	for scanned := 0; scanned < n; {
		lo := (start + scanned) % n
		hi := min(lo+PageSize, n, lo+(n-scanned))
		if err := ctx.Err(); err != nil {
			return -1, -1, err
		}
		rows, err := src.RowsByID(sh.ID, order[lo:hi])
		if err != nil {
			return -1, -1, fmt.Errorf("find %q in %q: %w", query, sh.Name, err)
		}
		for j, r := range rows {
			for c, column := range sh.Columns {
				if strings.Contains(strings.ToLower(sheets.Format(column.Type, r.Cells[column.ID])), q) {
					return lo + j, c, nil
				}
			}
		}
		scanned += hi - lo
	}
	return -1, -1, nil
}
