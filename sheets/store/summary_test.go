package store

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"crmsheets/sheets"
)

// summaryCols is the column pool of random rows: few columns, so cells and
// base entries often meet.
var summaryCols = []string{"c0", "c1", "c2", "c3", "c4", "c5"}

// randomSummaryRow is a row with random cells (blank ones included), a base
// that is nil, equal to the cells, or differs from them in random ways
// (changed, blank, missing and extra entries), and sometimes conflicts,
// candidates or more than 127 cells.
func randomSummaryRow(rng *rand.Rand, id sheets.RowID) *sheets.Row {
	values := []string{"", "a", "b", "ünï"}
	r := &sheets.Row{ID: id, State: sheets.State(rng.IntN(7))}
	if rng.IntN(3) > 0 {
		r.RecordID = fmt.Sprintf("003%015d", rng.IntN(1000))
	}
	ncols := len(summaryCols)
	pool := summaryCols
	if rng.IntN(20) == 0 { // wide: counts take two bytes
		pool = nil
		for i := range 150 + rng.IntN(100) {
			pool = append(pool, fmt.Sprintf("w%d", i))
		}
		ncols = len(pool)
	}
	if rng.IntN(8) > 0 {
		r.Cells = map[string]string{}
		for range rng.IntN(ncols + 1) {
			r.Cells[pool[rng.IntN(ncols)]] = values[rng.IntN(len(values))]
		}
	}
	switch rng.IntN(4) {
	case 0: // never synced
	case 1: // synced: base equals the non-blank cells
		r.Base = map[string]string{}
		for k, v := range r.Cells {
			if v != "" {
				r.Base[k] = v
			}
		}
	default:
		r.Base = map[string]string{}
		for k, v := range r.Cells {
			if rng.IntN(4) > 0 {
				r.Base[k] = v
			}
		}
		for range rng.IntN(3) {
			r.Base[pool[rng.IntN(ncols)]] = values[rng.IntN(len(values))]
		}
	}
	if rng.IntN(6) == 0 {
		r.Conflicts = map[string]sheets.Conflict{pool[rng.IntN(ncols)]: {Base: "x", Remote: "y", At: testNow}}
	}
	if rng.IntN(10) == 0 {
		r.Candidates = map[string][]sheets.Candidate{pool[0]: {{ID: "001", Name: "Acme"}}}
	}
	if rng.IntN(2) == 0 {
		r.LocalEdited = testNow.Add(time.Duration(rng.IntN(1000)) * time.Second)
	}
	return r
}

// encodeRowV1 writes a row in format 1 (the base as a full list of pairs,
// blank values kept), as stores written before format 2 hold them.
func encodeRowV1(r *sheets.Row, cols *columnTable) []byte {
	enc, err := encodeRow(nil, &sheets.Row{ID: r.ID, State: r.State, RecordID: r.RecordID,
		RemoteModified: r.RemoteModified, LocalEdited: r.LocalEdited, Error: r.Error, Cells: r.Cells}, cols)
	if err != nil {
		panic(err)
	}
	// the prefix up to the end of the cells is the same in both formats;
	// format 2 then has a nil base (0), conflicts (0) and candidates (0)
	buf := append([]byte{rowFormatV1}, enc[1:len(enc)-3]...)
	if r.Base == nil {
		buf = append(buf, 0)
	} else {
		buf = binary.AppendUvarint(buf, uint64(len(r.Base))+1)
		for k, v := range r.Base {
			buf = binary.AppendUvarint(buf, cols.intern(k))
			buf = appendString(buf, v)
		}
	}
	tail, err := encodeRow(nil, &sheets.Row{Conflicts: r.Conflicts, Candidates: r.Candidates}, cols)
	if err != nil {
		panic(err)
	}
	// a row of id 0 and no cells takes 8 bytes up to its base, which is
	// nil (1 byte)
	return append(buf, tail[9:]...)
}

// TestRowSummaryMatchesDecodedRow checks the summary read from the bytes
// against the decoded row, for many random rows in both formats: Changed
// is len(Changed()) > 0 of the decoded row (and of the row written), and
// every other field is the decoded row's.
func TestRowSummaryMatchesDecodedRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cols := &columnTable{index: map[string]uint64{}}
	changed := 0
	for i := range 20_000 {
		r := randomSummaryRow(rng, sheets.RowID(i+1))
		v2, err := encodeRow(nil, r, cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range [][]byte{v2, encodeRowV1(r, cols)} {
			decoded, err := decodeRow(enc, cols)
			if err != nil {
				t.Fatalf("row %d (format %d): %v", r.ID, enc[0], err)
			}
			got, err := summarize(enc, cols)
			if err != nil {
				t.Fatalf("row %d (format %d): %v", r.ID, enc[0], err)
			}
			want := RowSummary{ID: r.ID, State: r.State, RecordID: r.RecordID, HasCells: len(decoded.Cells) > 0, Changed: len(decoded.Changed()) > 0}
			if got != want || got != summaryOf(decoded) || want.Changed != (len(r.Changed()) > 0) {
				t.Fatalf("format %d row %+v\nbase %v\nsummary %+v, want %+v", enc[0], r, r.Base, got, want)
			}
			if enc[0] == rowFormat && len(r.Candidates) == 0 {
				if _, ok := summarizeV2(enc, cols); !ok {
					t.Fatalf("row %+v: format 2 row not summarized from its bytes", r)
				}
			}
		}
		if len(r.Changed()) > 0 {
			changed++
		}
	}
	if changed < 5_000 || changed > 15_000 {
		t.Errorf("%d of 20000 random rows changed: the generator does not cover both answers", changed)
	}
}

// TestRowSummaryCases pins the base-difference cases one by one.
func TestRowSummaryCases(t *testing.T) {
	tests := []struct {
		name    string
		r       sheets.Row
		changed bool
	}{
		{"empty, never synced", sheets.Row{}, false},
		{"cells, never synced", sheets.Row{Cells: map[string]string{"c1": "a"}}, true},
		{"blank cells, never synced", sheets.Row{Cells: map[string]string{"c1": ""}}, false},
		{"synced", sheets.Row{Cells: map[string]string{"c1": "a"}, Base: map[string]string{"c1": "a"}}, false},
		{"synced empty", sheets.Row{Base: map[string]string{}}, false},
		{"edited", sheets.Row{Cells: map[string]string{"c1": "b"}, Base: map[string]string{"c1": "a"}}, true},
		{"cleared", sheets.Row{Base: map[string]string{"c1": "a"}}, true},
		{"blank base, no cell", sheets.Row{Cells: map[string]string{"c2": "x"}, Base: map[string]string{"c1": "", "c2": "x"}}, false},
		{"blank base, a cell", sheets.Row{Cells: map[string]string{"c1": "a"}, Base: map[string]string{"c1": ""}}, true},
		{"cell without base entry", sheets.Row{Cells: map[string]string{"c1": "a", "c2": "b"}, Base: map[string]string{"c1": "a"}}, true},
	}
	cols := &columnTable{index: map[string]uint64{}}
	for _, tt := range tests {
		enc, err := encodeRow(nil, &tt.r, cols)
		if err != nil {
			t.Fatal(err)
		}
		got, err := summarize(enc, cols)
		if err != nil || got.Changed != tt.changed {
			t.Errorf("%s: changed %v, %v; want %v", tt.name, got.Changed, err, tt.changed)
		}
	}
}

// TestRowSummaryHandEncoded feeds format 2 rows the encoder never writes
// (duplicate columns, a deletion of a column without a cell, a diff equal
// to its cell) that decodeRow accepts: the summary still agrees with it.
func TestRowSummaryHandEncoded(t *testing.T) {
	cols := &columnTable{index: map[string]uint64{}}
	cols.intern("c0")
	cols.intern("c1")
	head := []byte{rowFormat, 9, byte(sheets.StateModified), 0, 0, 0, 0}
	tail := []byte{0, 0}
	for _, body := range [][]byte{
		{1, 0, 1, 'a', 1, 1, 0, 1, 'a', 0},            // diff equal to its cell
		{1, 0, 1, 'a', 1, 2, 0, 1, 'b', 0, 1, 'a', 0}, // a diff set twice, back to the cell
		{1, 0, 1, 'a', 1, 2, 0, 1, 'a', 0, 1, 'b', 0}, // a diff set twice, away from it
		{1, 0, 1, 'a', 1, 0, 1, 1},                    // deletion of a column without a cell
		{1, 0, 1, 'a', 1, 1, 1, 1, 'x', 1, 1},         // a diff then its deletion, no cell
		{1, 0, 1, 'a', 1, 1, 0, 1, 'b', 1, 0},         // a diff then its deletion, a cell
		{2, 0, 1, 'a', 0, 0, 1, 0, 0},                 // a blank duplicate cell
		{2, 0, 1, 'a', 0, 1, 'b', 1, 1, 0, 1, 'b', 0}, // cells set twice
		{0, 1, 1, 1, 0, 0},                            // a blank base entry, no cells
		{0, 1, 1, 1, 1, 'z', 0},                       // a base entry, no cells
	} {
		enc := append(append(append([]byte{}, head...), body...), tail...)
		decoded, err := decodeRow(enc, cols)
		if err != nil {
			t.Fatalf("% x: %v", body, err)
		}
		got, err := summarize(enc, cols)
		if err != nil || got != summaryOf(decoded) {
			t.Errorf("% x: summary %+v, %v; want %+v", body, got, err, summaryOf(decoded))
		}
		if _, ok := summarizeV2(enc, cols); !ok {
			t.Errorf("% x: not summarized from its bytes", body)
		}
	}
}

// FuzzRowSummary feeds arbitrary bytes to summarize: it fails exactly when
// decodeRow does, and otherwise returns the summary of the decoded row.
func FuzzRowSummary(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	cols := &columnTable{index: map[string]uint64{}}
	for _, c := range summaryCols {
		cols.intern(c)
	}
	for i := range 30 {
		r := randomSummaryRow(rng, sheets.RowID(i+1))
		if len(r.Cells) > len(summaryCols) {
			continue // keep the seeds small
		}
		enc, err := encodeRow(nil, r, cols)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
		f.Add(encodeRowV1(r, cols))
	}
	for _, r := range codecRows() {
		if len(r.Cells) > len(summaryCols) {
			continue // wide rows make minimizing what the fuzzer finds slow
		}
		if enc, err := encodeRow(nil, r, cols); err == nil {
			f.Add(enc)
		}
	}
	table := cols.encode()
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, err := decodeColumnTable(table)
		if err != nil {
			t.Fatal(err)
		}
		decoded, derr := decodeRow(b, cols)
		got, err := summarize(b, cols)
		if (err != nil) != (derr != nil) {
			t.Fatalf("summarize error %v, decodeRow error %v", err, derr)
		}
		if derr == nil && got != summaryOf(decoded) {
			t.Fatalf("summary %+v, want %+v", got, summaryOf(decoded))
		}
	})
}

// TestRowSummaries checks the store's scan against Rows on a sheet of
// synced, edited, new and blank rows spanning several batches, and that a
// missing sheet fails.
func TestRowSummaries(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	rng := rand.New(rand.NewPCG(5, 6))
	var rows []*sheets.Row
	for i := range 2*rowBatch + 17 {
		r := &sheets.Row{Cells: map[string]string{}}
		switch i % 4 {
		case 0:
			r.RecordID = fmt.Sprintf("003%015d", i)
			r.Cells[name] = fmt.Sprint("name ", rng.IntN(3))
			r.MarkSynced(testNow)
		case 1:
			r.RecordID = fmt.Sprintf("003%015d", i)
			r.Cells[name] = "synced"
			r.MarkSynced(testNow)
			r.Set(name, fmt.Sprint("edited ", i), testNow)
		case 2:
			r.Set(name, "new", testNow)
		}
		rows = append(rows, r)
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	var want []RowSummary
	for r, err := range s.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, summaryOf(r))
	}
	i := 0
	for got, err := range s.RowSummaries(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || got != want[i] {
			t.Fatalf("summary %d = %+v, want %+v", i, got, want[min(i, len(want)-1)])
		}
		i++
	}
	if i != len(want) || i != len(rows) {
		t.Fatalf("%d summaries, %d rows, %d inserted", i, len(want), len(rows))
	}
	for _, err := range s.RowSummaries("nope") {
		if err == nil {
			t.Fatal("summaries of a missing sheet: no error")
		}
	}
}
