package store

import (
	"strconv"
	"sync"
	"testing"
)

// TestConcurrentReadersAndWriter runs lookups and scans while a writer
// changes rows and the sheet definition; run with -race it checks that the
// shared parsed definitions are never written, and it checks that readers
// always see whole committed states.
func TestConcurrentReadersAndWriter(t *testing.T) {
	s := openTest(t)
	sh := wideSheet(t, s, 4)
	const n = 300
	rows := wideRows(sh, 0, n)
	col := sh.Columns[2].ID
	for _, r := range rows {
		r.Cells[col] = "gen 0"
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // writer
		defer wg.Done()
		defer close(stop)
		for gen := 1; gen <= 15; gen++ {
			for _, r := range rows {
				r.Cells[col] = "gen " + strconv.Itoa(gen)
			}
			if err := s.UpdateRows(sh.ID, rows); err != nil {
				t.Error(err)
				return
			}
			def, err := s.Sheet(sh.ID)
			if err != nil {
				t.Error(err)
				return
			}
			def.Filter = "gen " + strconv.Itoa(gen)
			if err := s.SaveSheet(def); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() { // readers
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.RowByRecordID(sh.ID, recordID(i%n)); err != nil {
					t.Error(err)
					return
				}
				gens := map[string]bool{}
				for r, err := range s.Rows(sh.ID) {
					if err != nil {
						t.Error(err)
						return
					}
					gens[r.Cells[col]] = true
				}
				if len(gens) != 1 { // fewer rows than rowBatch: one read transaction, one generation
					t.Errorf("a scan saw generations %v", gens)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, _ := s.Sheet(sh.ID); got.Filter != "gen 15" {
		t.Errorf("final filter %q", got.Filter)
	}
}
