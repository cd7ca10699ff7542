package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"crmsheets/sheets"
)

func TestRuns(t *testing.T) {
	s := openTest(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	var runs []*sheets.Run
	for i, sheet := range []string{"s1", "s2", "s1", "s1"} {
		r := &sheets.Run{SheetID: sheet, SheetName: "Sheet " + sheet, Object: "Contact", Direction: sheets.Push,
			Policy: sheets.PolicyReview, Trigger: sheets.TriggerManual, Started: day(i + 1)}
		if err := s.CreateRun(r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	if runs[0].ID == 0 || runs[1].ID <= runs[0].ID || runs[0].Status != sheets.RunRunning {
		t.Fatalf("CreateRun should assign increasing ids and the running status: %+v", runs[:2])
	}
	runs[1].Status, runs[1].Ended = sheets.RunPartial, day(2).Add(time.Minute)
	runs[1].Counts = sheets.RunCounts{Updated: 3, Failed: 1}
	if err := s.UpdateRun(runs[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRun(&sheets.Run{ID: 99}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update a missing run: %v", err)
	}
	got, err := s.Run(runs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(runs[1], got); diff != "" {
		t.Errorf("run round trip (-want +got):\n%s", diff)
	}

	ids := func(rs []*sheets.Run) []uint64 {
		var out []uint64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    RunQuery
		want []uint64
	}{
		{"all, newest first", RunQuery{}, []uint64{4, 3, 2, 1}},
		{"one sheet", RunQuery{SheetID: "s1"}, []uint64{4, 3, 1}},
		{"limit", RunQuery{SheetID: "s1", Limit: 2}, []uint64{4, 3}},
		{"since", RunQuery{Since: day(3)}, []uint64{4, 3}},
		{"until excludes", RunQuery{Until: day(2)}, []uint64{1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Runs(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("Runs(%+v) (-want +got):\n%s", tt.q, diff)
			}
		})
	}

	t.Run("interrupted at start-up", func(t *testing.T) {
		now := day(10)
		marked, err := s.MarkInterrupted(now)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]uint64{1, 3, 4}, ids(marked)); diff != "" {
			t.Errorf("marked (-want +got):\n%s", diff)
		}
		r, _ := s.Run(3)
		if r.Status != sheets.RunInterrupted || !r.Ended.Equal(now) || r.Message == "" {
			t.Errorf("interrupted run = %+v", r)
		}
		if r, _ := s.Run(2); r.Status != sheets.RunPartial {
			t.Errorf("a finished run was touched: %v", r.Status)
		}
		if again, _ := s.MarkInterrupted(now); len(again) != 0 {
			t.Errorf("second MarkInterrupted found %d runs", len(again))
		}
	})
}

func TestOutcomes(t *testing.T) {
	s := openTest(t)
	run := &sheets.Run{SheetID: "s1", Direction: sheets.Push}
	if err := s.CreateRun(run); err != nil {
		t.Fatal(err)
	}
	outs := []sheets.RecordOutcome{
		{RowID: 1, RecordID: "003Ab000000001xAAQ", Op: sheets.OpUpdate, OK: true, Fields: []string{"Email"},
			Before: map[string]string{"Email": "old@example.com"}, After: map[string]string{"Email": "new@example.com"}},
		{RowID: 2, Op: sheets.OpCreate, StatusCode: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [LastName]", Fields: []string{"LastName"}},
		{RowID: 3, Op: sheets.OpInvalid, Message: "bad picklist value"},
	}
	if err := s.AddOutcomes(run.ID, outs[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOutcomes(run.ID, outs[2:]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOutcomes(99, outs); !errors.Is(err, ErrNotFound) {
		t.Errorf("outcomes of a missing run: %v", err)
	}
	all, err := s.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range outs {
		outs[i].RunID, outs[i].Seq = run.ID, i+1
	}
	if diff := cmp.Diff(outs, all); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	failed, err := s.Outcomes(run.ID, true)
	if err != nil || len(failed) != 2 || failed[0].RowID != 2 {
		t.Errorf("failed outcomes = %+v, %v", failed, err)
	}
	if _, err := s.Outcomes(99, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("outcomes of a missing run: %v", err)
	}
}

func TestSettings(t *testing.T) {
	s := openTest(t)
	type org struct {
		Name string
		URL  string
	}
	var got org
	if ok, err := s.GetSetting("org", &got); ok || err != nil {
		t.Fatalf("missing setting: %v %v", ok, err)
	}
	want := org{"Demo", "http://127.0.0.1:1234"}
	if err := s.PutSetting("org", want); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.GetSetting("org", &got); !ok || err != nil || got != want {
		t.Fatalf("GetSetting = %v %+v %v", ok, got, err)
	}
	var wrong int
	if _, err := s.GetSetting("org", &wrong); err == nil {
		t.Errorf("decoding into the wrong type should fail")
	}
	if err := s.DeleteSetting("org"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.GetSetting("org", &got); ok {
		t.Errorf("deleted setting still there")
	}
	if err := s.PutSetting("", 1); err == nil {
		t.Errorf("empty key accepted")
	}
}

// TestBatchIsAtomic writes rows, a run update and outcomes in one Batch and
// checks that an error anywhere leaves none of them.
func TestBatchIsAtomic(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	existing := []*sheets.Row{{Cells: map[string]string{name: "Ann"}}}
	if err := s.InsertRows(sh.ID, existing); err != nil {
		t.Fatal(err)
	}
	run := &sheets.Run{SheetID: sh.ID}
	if err := s.CreateRun(run); err != nil {
		t.Fatal(err)
	}
	write := func(fail bool) error {
		return s.Batch(func(tx *Tx) error {
			r := existing[0].Clone()
			r.RecordID = "003Ab000000001xAAQ"
			r.MarkSynced(testNow)
			if err := tx.UpdateRows(sh.ID, []*sheets.Row{r}); err != nil {
				return err
			}
			if err := tx.InsertRows(sh.ID, []*sheets.Row{{Cells: map[string]string{name: "Bob"}}}); err != nil {
				return err
			}
			if err := tx.AddOutcomes(run.ID, []sheets.RecordOutcome{{RowID: r.ID, Op: sheets.OpCreate, OK: true}}); err != nil {
				return err
			}
			done := *run
			done.Status = sheets.RunSucceeded
			if err := tx.UpdateRun(&done); err != nil {
				return err
			}
			if fail {
				return tx.DeleteRows(sh.ID, []sheets.RowID{999})
			}
			// reads inside the transaction see its own writes
			var names []string
			for r, err := range tx.Rows(sh.ID) {
				if err != nil {
					return err
				}
				names = append(names, r.Cells[name])
			}
			if len(names) != 2 || names[1] != "Bob" {
				t.Errorf("Tx.Rows inside the batch = %v", names)
			}
			return nil
		})
	}
	if err := write(true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failing batch: %v", err)
	}
	if n, _ := s.RowCount(sh.ID); n != 1 {
		t.Errorf("failed batch left %d rows", n)
	}
	if outs, _ := s.Outcomes(run.ID, false); len(outs) != 0 {
		t.Errorf("failed batch left outcomes")
	}
	if r, _ := s.Run(run.ID); r.Status != sheets.RunRunning {
		t.Errorf("failed batch changed the run")
	}
	if err := write(false); err != nil {
		t.Fatal(err)
	}
	if r, err := s.RowByRecordID(sh.ID, "003Ab000000001x"); err != nil || r.State != sheets.StateSynced {
		t.Errorf("batch row: %v %v", r, err)
	}
	if n, _ := s.RowCount(sh.ID); n != 2 {
		t.Errorf("batch rows: %d", n)
	}
}

// TestManyOutcomes: thousands of outcomes added in two calls come back
// whole and in order, numbered the next number for Seq 0, an explicit Seq
// kept (and followed on from when it is the highest so far).
func TestManyOutcomes(t *testing.T) {
	s := openTest(t)
	run := &sheets.Run{SheetID: "s1", Direction: sheets.Push}
	if err := s.CreateRun(run); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	outs := make([]sheets.RecordOutcome, n)
	want := make([]int, n)
	seq := 0
	for i := range outs {
		outs[i] = sheets.RecordOutcome{RowID: sheets.RowID(i + 1), RecordID: recordID(i), Op: sheets.OpUpdate, OK: true,
			Fields: []string{"Title"}, Before: map[string]string{"Title": fmt.Sprint("before ", i)}, After: map[string]string{"Title": fmt.Sprint("after ", i)}}
		if i == 3000 {
			outs[i].Seq = seq + 500 // a jump: the numbering goes on from it
		}
		if outs[i].Seq > 0 {
			seq = max(seq, outs[i].Seq)
			want[i] = outs[i].Seq
		} else {
			seq++
			want[i] = seq
		}
	}
	if err := s.AddOutcomes(run.ID, outs[:100]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOutcomes(run.ID, outs[100:]); err != nil {
		t.Fatal(err)
	}
	all, err := s.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d outcomes back, want %d", len(all), n)
	}
	for i, o := range all {
		w := outs[i]
		w.RunID, w.Seq = run.ID, want[i]
		if diff := cmp.Diff(w, o); diff != "" {
			t.Fatalf("outcome %d (-want +got):\n%s", i, diff)
		}
	}
	// The run's numbering goes on after the highest.
	if err := s.AddOutcomes(run.ID, []sheets.RecordOutcome{{RowID: 1, Op: sheets.OpSkip}}); err != nil {
		t.Fatal(err)
	}
	all, _ = s.Outcomes(run.ID, false)
	if last := all[len(all)-1]; last.Seq != seq+1 {
		t.Errorf("next outcome numbered %d, want %d", last.Seq, seq+1)
	}
}
