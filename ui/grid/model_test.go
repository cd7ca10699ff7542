package grid

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"crmsheets/sheets"
)

func TestModelPagesRowsInAndBoundsItsCache(t *testing.T) {
	src := newFakeSource(peopleColumns, 3*PageSize+5, peopleCell)
	m, err := NewModel(src, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if src.reads != 0 {
		t.Fatalf("NewModel read %d pages, want none", src.reads)
	}
	tests := []struct {
		row, col  int
		want      string
		wantReads int
	}{
		{0, 0, "Person 000", 1},
		{PageSize - 1, 1, fmt.Sprintf("p%d@example.com", PageSize-1), 1},
		{PageSize, 0, fmt.Sprintf("Person %03d", PageSize), 2},
		{3 * PageSize, 0, fmt.Sprintf("Person %03d", 3*PageSize), 3},
		{3*PageSize + 5, 0, "", 3}, // past the end
		{-1, 0, "", 3},
		{0, 99, "", 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("row%d col%d", tt.row, tt.col), func(t *testing.T) {
			if got := m.Text(tt.row, tt.col); got != tt.want {
				t.Errorf("Text = %q, want %q", got, tt.want)
			}
			if src.reads != tt.wantReads {
				t.Errorf("reads = %d, want %d", src.reads, tt.wantReads)
			}
		})
	}
	big := newFakeSource(peopleColumns[:1], (maxPages+10)*PageSize, peopleCell)
	bm, _ := NewModel(big, "s1")
	for i := 0; i < bm.Len(); i += PageSize {
		bm.Row(i)
	}
	if len(bm.pages) > maxPages {
		t.Errorf("cache holds %d pages after a full scroll, want at most %d", len(bm.pages), maxPages)
	}
}

func TestModelFormatsForDisplay(t *testing.T) {
	cols := []sheets.Column{{Name: "P", Type: sheets.TypePercent}, {Name: "M", Type: sheets.TypeMultiPicklist}}
	src := newFakeSource(cols, 1, func(_ int, c sheets.Column) string {
		if c.Type == sheets.TypePercent {
			return "12.5"
		}
		return "a;b"
	})
	m, _ := NewModel(src, "s1")
	if diff := cmp.Diff([]string{"12.5%", "a; b"}, m.Row(0).Text); diff != "" {
		t.Errorf("formatted row (-want +got):\n%s", diff)
	}
}

func TestComputeOrder(t *testing.T) {
	src := newFakeSource(peopleColumns, 20, peopleCell)
	sh := src.sheet
	emp := sh.Columns[2].ID
	tests := []struct {
		name  string
		spec  ViewSpec
		check func(t *testing.T, ids []sheets.RowID)
	}{
		{"stored order", ViewSpec{}, func(t *testing.T, ids []sheets.RowID) {
			if len(ids) != 20 || ids[0] != 1 || ids[19] != 20 {
				t.Errorf("ids = %v", ids)
			}
		}},
		{"numeric ascending", ViewSpec{SortColumn: emp}, func(t *testing.T, ids []sheets.RowID) {
			prev := -1.0
			for _, id := range ids {
				f, _ := sheets.Float(src.rows[id].Cells[emp])
				if f < prev {
					t.Fatalf("not ascending at row %d: %v < %v", id, f, prev)
				}
				prev = f
			}
		}},
		{"numeric descending", ViewSpec{SortColumn: emp, Descending: true}, func(t *testing.T, ids []sheets.RowID) {
			first, _ := sheets.Float(src.rows[ids[0]].Cells[emp])
			last, _ := sheets.Float(src.rows[ids[len(ids)-1]].Cells[emp])
			if first < last {
				t.Errorf("first %v < last %v", first, last)
			}
		}},
		{"filter text", ViewSpec{Filter: "PERSON 01"}, func(t *testing.T, ids []sheets.RowID) {
			if len(ids) != 10 { // Person 010..019
				t.Errorf("got %d rows, want 10", len(ids))
			}
		}},
		{"filter state", ViewSpec{States: []sheets.State{sheets.StateConflict}}, func(t *testing.T, ids []sheets.RowID) {
			if len(ids) != 0 {
				t.Errorf("got %d rows, want none", len(ids))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, err := ComputeOrder(context.Background(), src, sh, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, ids)
		})
	}
	if _, err := ComputeOrder(context.Background(), src, sh, ViewSpec{SortColumn: "nope"}); err == nil {
		t.Error("sorting by an unknown column succeeded")
	}
}

func TestFindNextWrapsAround(t *testing.T) {
	src := newFakeSource(peopleColumns, 300, peopleCell)
	order, _ := src.RowIDs("")
	tests := []struct {
		from    int
		query   string
		row, co int
	}{
		{-1, "p5@example", 5, 1},
		{5, "p5@example", 5, 1}, // wraps back to itself
		{10, "person 002", 2, 0},
		{0, "P299@", 299, 1},
		{0, "absent", -1, -1},
		{0, "", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r, c, err := FindNext(context.Background(), src, src.sheet, order, tt.from, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if r != tt.row || c != tt.co {
				t.Errorf("FindNext = %d,%d want %d,%d", r, c, tt.row, tt.co)
			}
		})
	}
}
