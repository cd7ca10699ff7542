package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

func TestRowRoundTrip(t *testing.T) {
	s := openTest(t)
	sh := &sheets.Sheet{Name: "All types"}
	cells := map[string]string{}
	for _, typ := range sheets.Types {
		c := sh.AddColumn(sheets.Column{Name: typ.Label(), Type: typ})
		cells[c.ID] = ""
	}
	if err := s.CreateSheet(sh); err != nil {
		t.Fatal(err)
	}
	// canonical values of every type, as sheets.Parse produces them
	inputs := map[sheets.Type]string{
		sheets.TypeText: "Ådne Ørsted — «quoted»", sheets.TypeTextArea: "line one\nline two\n",
		sheets.TypeNumber: "-12.5", sheets.TypeCurrency: "1000000.25", sheets.TypePercent: "7.5",
		sheets.TypeDate: "2024-02-29", sheets.TypeDateTime: "2024-03-31T14:05:00+02:00",
		sheets.TypeBool: "yes", sheets.TypePicklist: "Hot", sheets.TypeMultiPicklist: "A;B",
		sheets.TypeReference: "001000000000001AAA", sheets.TypeEmail: "ann@example.com",
		sheets.TypePhone: "+1 (415) 555-0100", sheets.TypeURL: "https://example.com/a?b=c",
	}
	for _, c := range sh.Columns {
		v, err := sheets.Parse(c.Type, inputs[c.Type], nil)
		if err != nil {
			t.Fatalf("Parse(%s, %q): %v", c.Type, inputs[c.Type], err)
		}
		cells[c.ID] = v
	}
	edited := time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	want := &sheets.Row{
		RecordID: "003000000000001AAA", Cells: cells, Base: map[string]string{"c1": "old", "c2": ""},
		RemoteModified: time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), LocalEdited: edited,
		State: sheets.StateConflict, Error: "REQUIRED_FIELD_MISSING: LastName",
		Conflicts:  map[string]sheets.Conflict{"c1": {Base: "old", Remote: "theirs", At: edited}},
		Candidates: map[string][]sheets.Candidate{"c11": {{ID: "001000000000001AAA", Name: "Acme", City: "Oslo"}}},
	}
	empty := &sheets.Row{}
	if err := s.InsertRows(sh.ID, []*sheets.Row{want, empty}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []*sheets.Row{want, empty} {
		got, err := s.Row(sh.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("row %d round trip (-want +got):\n%s", w.ID, diff)
		}
	}
}

func TestInsertAssignsIDsAndRejectsDuplicates(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	rows := []*sheets.Row{{}, {}, {ID: 10}, {}}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	if got, want := []sheets.RowID{rows[0].ID, rows[1].ID, rows[2].ID, rows[3].ID}, []sheets.RowID{1, 2, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
	failed := []*sheets.Row{{}, {ID: 2}}
	err := s.InsertRows(sh.ID, failed)
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate id: err = %v, want ErrDuplicate", err)
	}
	if failed[0].ID != 0 || failed[1].ID != 2 {
		t.Errorf("after a failed insert ids are %d, %d; want the assigned one reset to 0, the given one kept", failed[0].ID, failed[1].ID)
	}
	if n, _ := s.RowCount(sh.ID); n != 4 {
		t.Errorf("after a failed insert RowCount = %d, want 4 (the call is one transaction)", n)
	}
}

func TestOrderedIterationWithInserts(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	mk := func(names ...string) []*sheets.Row {
		var out []*sheets.Row
		for _, n := range names {
			out = append(out, &sheets.Row{Cells: map[string]string{name: n}})
		}
		return out
	}
	names := func() []string {
		var out []string
		for _, r := range collect(t, s, sh.ID) {
			out = append(out, r.Cells[name])
		}
		return out
	}
	base := mk("a", "b", "c")
	if err := s.InsertRows(sh.ID, base); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		after sheets.RowID
		rows  []string
		want  []string
	}{
		{"at the top", 0, []string{"top1", "top2"}, []string{"top1", "top2", "a", "b", "c"}},
		{"in the middle", base[0].ID, []string{"a1"}, []string{"top1", "top2", "a", "a1", "b", "c"}},
		{"at the end", base[2].ID, []string{"end"}, []string{"top1", "top2", "a", "a1", "b", "c", "end"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.InsertRowsAt(sh.ID, st.after, mk(st.rows...)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.want, names()); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
	if err := s.InsertRowsAt(sh.ID, 999, mk("x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("insert after a missing row: err = %v, want ErrNotFound", err)
	}
}

// TestInsertExhaustsGaps inserts repeatedly at the same places until the
// position gaps run out many times over, and checks order and ids after.
func TestInsertExhaustsGaps(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	first := []*sheets.Row{{Cells: map[string]string{name: "first"}}, {Cells: map[string]string{name: "last"}}}
	if err := s.InsertRows(sh.ID, first); err != nil {
		t.Fatal(err)
	}
	var want []string
	after := first[0].ID
	for i := range 200 {
		// each insert lands right after the previous one: the gap before
		// "last" halves every time
		r := &sheets.Row{Cells: map[string]string{name: fmt.Sprintf("mid %03d", i)}}
		if err := s.InsertRowsAt(sh.ID, after, []*sheets.Row{r}); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		after = r.ID
		want = append(want, r.Cells[name])
	}
	var top []string
	for i := range 100 { // and at the top, where the first gap halves
		r := &sheets.Row{Cells: map[string]string{name: fmt.Sprintf("top %03d", i)}}
		if err := s.InsertRowsAt(sh.ID, 0, []*sheets.Row{r}); err != nil {
			t.Fatalf("top insert %d: %v", i, err)
		}
		top = append([]string{r.Cells[name]}, top...)
	}
	want = append(append(top, "first"), append(want, "last")...)
	var got []string
	for _, r := range collect(t, s, sh.ID) {
		got = append(got, r.Cells[name])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	ids, err := s.RowIDs(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids { // the id index follows moved rows
		r, err := s.Row(sh.ID, id)
		if err != nil || r.Cells[name] != want[i] {
			t.Fatalf("Row(%d) = %v, %v; want %q", id, r, err, want[i])
		}
	}
}

func TestLookups(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name, email := sh.Columns[0].ID, sh.Columns[1].ID
	rows := []*sheets.Row{
		{RecordID: "003Ab000000001xAAQ", Cells: map[string]string{name: "Ann", email: "Ann@Example.com"}},
		{RecordID: "003aB000000002y", Cells: map[string]string{name: "Bob", email: "bob@example.com"}},
		{Cells: map[string]string{name: "Ann again", email: "ann@example.com"}},
		{Cells: map[string]string{name: "No email"}},
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	recTests := []struct {
		name, id string
		want     sheets.RowID // 0: not found
	}{
		{"18 stored, 18 asked", "003Ab000000001xAAQ", rows[0].ID},
		{"18 stored, 15 asked", "003Ab000000001x", rows[0].ID},
		{"15 stored, 18 asked", "003aB000000002yIAA", rows[1].ID},
		{"case matters in the first 15", "003AB000000001x", 0},
		{"prefix of an id", "003Ab00000", 0},
		{"empty", "", 0},
	}
	for _, tt := range recTests {
		t.Run("record id/"+tt.name, func(t *testing.T) {
			r, err := s.RowByRecordID(sh.ID, tt.id)
			if tt.want == 0 {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("RowByRecordID(%q) = %v, %v; want ErrNotFound", tt.id, r, err)
				}
				return
			}
			if err != nil || r.ID != tt.want {
				t.Fatalf("RowByRecordID(%q) = %v, %v; want row %d", tt.id, r, err, tt.want)
			}
		})
	}
	keyTests := []struct {
		name, value string
		want        []sheets.RowID
	}{
		{"normalized both ways", "  ANN@example.COM", []sheets.RowID{rows[0].ID, rows[2].ID}},
		{"single", "bob@example.com", []sheets.RowID{rows[1].ID}},
		{"unknown", "carl@example.com", nil},
		{"blank matches nothing", " ", nil},
	}
	for _, tt := range keyTests {
		t.Run("key/"+tt.name, func(t *testing.T) {
			got, err := s.RowsByKey(sh.ID, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			var ids []sheets.RowID
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("RowsByKey(%q) = %v, want %v", tt.value, ids, tt.want)
			}
		})
	}

	t.Run("rows by id in the order asked", func(t *testing.T) {
		got, err := s.RowsByID(sh.ID, []sheets.RowID{rows[2].ID, rows[0].ID})
		if err != nil || len(got) != 2 || got[0].ID != rows[2].ID || got[1].ID != rows[0].ID {
			t.Fatalf("RowsByID = %v, %v", got, err)
		}
		if _, err := s.RowsByID(sh.ID, []sheets.RowID{rows[0].ID, 999}); !errors.Is(err, ErrNotFound) {
			t.Errorf("RowsByID with a missing id: %v", err)
		}
	})

	t.Run("indexes follow updates and deletes", func(t *testing.T) {
		r := rows[0].Clone()
		r.RecordID = "003Zz000000009q"
		r.Cells[email] = "ann@new.example.com"
		if err := s.UpdateRows(sh.ID, []*sheets.Row{r}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RowByRecordID(sh.ID, "003Ab000000001x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("old record id still found: %v", err)
		}
		if got, err := s.RowByRecordID(sh.ID, "003Zz000000009q"); err != nil || got.ID != r.ID {
			t.Errorf("new record id: %v, %v", got, err)
		}
		if got, _ := s.RowsByKey(sh.ID, "ann@example.com"); len(got) != 1 || got[0].ID != rows[2].ID {
			t.Errorf("old key still matches row %d: %v", r.ID, got)
		}
		if err := s.DeleteRows(sh.ID, []sheets.RowID{rows[1].ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RowByRecordID(sh.ID, "003aB000000002y"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted row still found by record id: %v", err)
		}
		if got, _ := s.RowsByKey(sh.ID, "bob@example.com"); len(got) != 0 {
			t.Errorf("deleted row still found by key: %v", got)
		}
		if n, _ := s.RowCount(sh.ID); n != 3 {
			t.Errorf("RowCount = %d, want 3", n)
		}
	})

	t.Run("missing rows fail the whole call", func(t *testing.T) {
		err := s.UpdateRows(sh.ID, []*sheets.Row{{ID: rows[2].ID, Cells: map[string]string{name: "changed"}}, {ID: 999}})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("UpdateRows with a missing row: %v", err)
		}
		if got, _ := s.Row(sh.ID, rows[2].ID); got.Cells[name] != "Ann again" {
			t.Errorf("a failed UpdateRows changed row %d: %v", got.ID, got.Cells)
		}
		if err := s.DeleteRows(sh.ID, []sheets.RowID{rows[2].ID, 999}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("DeleteRows with a missing row: %v", err)
		}
		if _, err := s.Row(sh.ID, rows[2].ID); err != nil {
			t.Errorf("a failed DeleteRows deleted row %d: %v", rows[2].ID, err)
		}
	})
}

func TestBulkInsert100k(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk insert in -short mode")
	}
	s := openTest(t)
	// 5 columns keep this test quick under -race; BenchmarkInsert100k
	// measures the 20-column case.
	sh := wideSheet(t, s, 5)
	const n = 100_000
	rows := wideRows(sh, 0, n)
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	if c, err := s.RowCount(sh.ID); err != nil || c != n {
		t.Fatalf("RowCount = %d, %v; want %d", c, err, n)
	}
	i := 0
	for r, err := range s.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != rows[i].ID || r.RecordID != rows[i].RecordID {
			t.Fatalf("row %d = id %d %s, want id %d %s", i, r.ID, r.RecordID, rows[i].ID, rows[i].RecordID)
		}
		i++
	}
	if i != n {
		t.Fatalf("iterated %d rows, want %d", i, n)
	}
	ids, err := s.RowIDs(sh.ID)
	if err != nil || len(ids) != n || ids[n-1] != rows[n-1].ID {
		t.Fatalf("RowIDs: %d ids, %v", len(ids), err)
	}
	r, err := s.RowByRecordID(sh.ID, recordID(n / 2)[:15])
	if err != nil || r.ID != rows[n/2].ID {
		t.Fatalf("RowByRecordID in 100k: %v, %v", r, err)
	}
}

func TestIteratorStopsEarlyAndReportsErrors(t *testing.T) {
	s := openTest(t)
	sh := wideSheet(t, s, 3)
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, rowBatch*2+5)); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, err := range s.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if seen == rowBatch+1 {
			break
		}
	}
	if seen != rowBatch+1 {
		t.Errorf("break after %d rows saw %d", rowBatch+1, seen)
	}
	if got := len(collect(t, s, sh.ID)); got != rowBatch*2+5 {
		t.Errorf("full iteration across batches saw %d rows, want %d", got, rowBatch*2+5)
	}
	for r, err := range s.Rows("no such sheet") {
		if r != nil || !errors.Is(err, ErrNotFound) {
			t.Errorf("Rows of a missing sheet yielded %v, %v; want ErrNotFound", r, err)
		}
	}
}

func TestEditCell(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name, email, employees, status := sh.Columns[0].ID, sh.Columns[1].ID, sh.Columns[2].ID, sh.Columns[3].ID
	synced := &sheets.Row{RecordID: "003Ab000000001xAAQ", Cells: map[string]string{name: "Ann", employees: "10"}}
	synced.MarkSynced(testNow.Add(-time.Hour))
	fresh := &sheets.Row{Cells: map[string]string{name: "New"}}
	if err := s.InsertRows(sh.ID, []*sheets.Row{synced, fresh}); err != nil {
		t.Fatal(err)
	}
	edit := testNow.Add(time.Minute)
	tests := []struct {
		name      string
		row       sheets.RowID
		col       string
		input     string
		wantValue string
		wantState sheets.State
		wantErr   error
	}{
		{"synced row becomes modified", synced.ID, employees, " 12.50 ", "12.5", sheets.StateModified, nil},
		{"back to the base is synced again", synced.ID, employees, "10", "10", sheets.StateSynced, nil},
		{"picklist matches the choice's spelling", synced.ID, status, "closed", "Closed", sheets.StateModified, nil},
		{"new row stays new", fresh.ID, email, "new@example.com", "new@example.com", sheets.StateNew, nil},
		{"invalid number is an error", synced.ID, employees, "1,5", "", 0, sheets.ErrInvalidValue},
		{"unknown column", synced.ID, "c99", "x", "", 0, ErrNotFound},
		{"unknown row", 999, name, "x", "", 0, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.EditCell(sh.ID, tt.row, tt.col, tt.input, edit)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := s.Row(sh.ID, tt.row)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, stored, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("returned row differs from stored (-returned +stored):\n%s", diff)
			}
			if stored.Cells[tt.col] != tt.wantValue || stored.State != tt.wantState || !stored.LocalEdited.Equal(edit) {
				t.Errorf("after edit: cell %q state %v edited %v; want %q %v %v", stored.Cells[tt.col], stored.State, stored.LocalEdited, tt.wantValue, tt.wantState, edit)
			}
		})
	}
	t.Run("an edited key cell is found by its new key", func(t *testing.T) {
		if got, err := s.RowsByKey(sh.ID, "NEW@example.com"); err != nil || len(got) != 1 || got[0].ID != fresh.ID {
			t.Fatalf("RowsByKey after editing the key cell = %v, %v", got, err)
		}
		if _, err := s.EditCell(sh.ID, fresh.ID, email, "newer@example.com", edit); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RowsByKey(sh.ID, "new@example.com"); len(got) != 0 {
			t.Errorf("old key still matches after a second edit: %v", got)
		}
	})
	t.Run("error names row and column", func(t *testing.T) {
		_, err := s.EditCell(sh.ID, fresh.ID, employees, "many", edit)
		var ve *sheets.ValueError
		if !errors.As(err, &ve) || ve.Row != 2 || ve.Column != "Employees" {
			t.Fatalf("err = %v, want a ValueError at row 2, column Employees", err)
		}
	})
	t.Run("read-only column refused", func(t *testing.T) {
		c, err := s.AddColumn(sh.ID, sheets.Column{Name: "Owner", Field: "Owner.Name", ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EditCell(sh.ID, fresh.ID, c.ID, "me", edit); !errors.Is(err, ErrReadOnlyColumn) {
			t.Fatalf("err = %v, want ErrReadOnlyColumn", err)
		}
	})
}
