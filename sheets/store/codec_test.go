package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

// codecRows are rows exercising every part of the encoding.
func codecRows() []*sheets.Row {
	at := time.Date(2026, 3, 31, 14, 5, 0, 123_000_000, time.UTC)
	return []*sheets.Row{
		{ID: 1},
		{ID: 2, RecordID: "003Ab000000001xAAQ", State: sheets.StateModified, Cells: map[string]string{"c1": "Ann", "c2": "ann@example.com"},
			Base: map[string]string{"c1": "Anne"}, RemoteModified: at, LocalEdited: at.Add(time.Hour)},
		{ID: 1 << 40, State: sheets.StateConflict, Error: "boom", Base: map[string]string{},
			Conflicts:  map[string]sheets.Conflict{"c1": {Base: "a", Remote: "b", At: at}},
			Candidates: map[string][]sheets.Candidate{"c3": {{ID: "001", Name: "Acme", Owner: "me"}}}},
		{ID: 3, RemoteModified: time.Unix(0, 0).UTC(), Cells: map[string]string{"c1": "ünïcödé ✓", "c9": "\x00\xff"}},
		// base equal to the cells, differing, blank, missing, and extra
		{ID: 4, Cells: map[string]string{"c1": "same", "c2": "new", "c3": "added"},
			Base: map[string]string{"c1": "same", "c2": "old", "c4": "", "c5": "removed"}},
		{ID: 5, Base: map[string]string{"c1": "only in base"}},
		wideCodecRow(6, 200), // counts of 128 and more take two bytes
		wideCodecRow(7, 127),
	}
}

// wideCodecRow is a row of n cells whose base differs from them in every
// way appendBase writes: equal, changed, blank, missing and extra entries.
func wideCodecRow(id sheets.RowID, n int) *sheets.Row {
	r := &sheets.Row{ID: id, Cells: map[string]string{}, Base: map[string]string{}}
	for i := range n {
		col, v := fmt.Sprintf("w%d", i), fmt.Sprintf("value %d", i)
		r.Cells[col] = v
		switch i % 5 {
		case 0, 1:
			r.Base[col] = v
		case 2:
			r.Base[col] = "old " + v
		case 3:
			r.Base["gone"+col] = v // a column with no cell
		case 4: // a cell with no base entry
		}
	}
	r.Base["blank"] = ""
	return r
}

func TestCodecRoundTrip(t *testing.T) {
	cols := &columnTable{index: map[string]uint64{}}
	for _, r := range codecRows() {
		enc, err := encodeRow(nil, r, cols)
		if err != nil {
			t.Fatal(err)
		}
		// the column table survives its own encoding
		table, err := decodeColumnTable(cols.encode())
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRow(enc, table)
		if err != nil {
			t.Fatalf("row %d: %v", r.ID, err)
		}
		if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", r.ID, diff)
		}
		if (r.Base == nil) != (got.Base == nil) {
			t.Errorf("row %d: a nil base (never synced) must stay distinct from an empty one", r.ID)
		}
		if id, err := decodeRowID(enc); err != nil || id != r.ID {
			t.Errorf("decodeRowID = %d, %v; want %d", id, err, r.ID)
		}
	}
}

// TestCodecReadsFormat1 decodes a row written in the first format, whose
// base was a full list of pairs.
func TestCodecReadsFormat1(t *testing.T) {
	cols := &columnTable{index: map[string]uint64{}}
	cols.intern("c1")
	v1 := []byte{rowFormatV1, 7, byte(sheets.StateModified), 0, 0, 0, 0,
		1, 0, 1, 'x', // cells: c1 = "x"
		2, 0, 1, 'y', // base: 1 pair + 1: c1 = "y"
		0, 0} // no conflicts, no candidates
	got, err := decodeRow(v1, cols)
	if err != nil {
		t.Fatal(err)
	}
	want := &sheets.Row{ID: 7, State: sheets.StateModified, Cells: map[string]string{"c1": "x"}, Base: map[string]string{"c1": "y"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("format 1 row (-want +got):\n%s", diff)
	}
}

func TestCodecBlankCellsAreDropped(t *testing.T) {
	cols := &columnTable{index: map[string]uint64{}}
	enc, err := encodeRow(nil, &sheets.Row{ID: 1, Cells: map[string]string{"c1": "", "c2": "x"}}, cols)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeRow(enc, cols)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Cells["c1"]; ok || got.Cells["c2"] != "x" {
		t.Errorf("cells = %v; a blank cell is a missing key", got.Cells)
	}
}

// FuzzDecodeRow feeds arbitrary bytes to the row decoder, as a damaged file
// would: it must fail cleanly, never panic or allocate without bound, and
// whatever it accepts must encode and decode to the same row.
func FuzzDecodeRow(f *testing.F) {
	cols := &columnTable{index: map[string]uint64{}}
	for _, r := range codecRows() {
		enc, err := encodeRow(nil, r, cols)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Add([]byte{rowFormat, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{})
	table := cols.encode()
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, err := decodeColumnTable(table)
		if err != nil {
			t.Fatal(err)
		}
		r, err := decodeRow(b, cols)
		if err != nil {
			return
		}
		enc, err := encodeRow(nil, r, cols)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeRow(enc, cols)
		if err != nil {
			t.Fatalf("re-encoded row does not decode: %v", err)
		}
		if diff := cmp.Diff(r, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("re-encoded row differs (-first +second):\n%s", diff)
		}
	})
}
