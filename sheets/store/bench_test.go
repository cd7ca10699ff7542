package store

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"crmsheets/sheets"
)

const benchRows = 100_000

// BenchmarkInsert100k inserts 100k rows of 20 columns in one call. Target:
// under 2 s on a 2-core machine.
func BenchmarkInsert100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := openBench(b)
		sh := wideSheet(b, s, 20)
		rows := wideRows(sh, 0, benchRows)
		b.StartTimer()
		if err := s.InsertRows(sh.ID, rows); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		reportFileSize(b, s)
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUpdate100k replaces every row of a 100k×20 sheet in one call,
// as a pull refreshing a synced sheet does.
func BenchmarkUpdate100k(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	rows := wideRows(sh, 0, benchRows)
	if err := s.InsertRows(sh.ID, rows); err != nil {
		b.Fatal(err)
	}
	col := sh.Columns[3].ID
	b.ReportAllocs()
	gen := 0
	for b.Loop() {
		b.StopTimer()
		gen++
		for _, r := range rows {
			r.Cells[col] = "generation " + strconv.Itoa(gen)
		}
		b.StartTimer()
		if err := s.UpdateRows(sh.ID, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScan100k iterates over a 100k×20 sheet in order and reports the
// peak heap seen while scanning. Targets: under 0.5 s and 250 MB.
func BenchmarkScan100k(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, benchRows)); err != nil {
		b.Fatal(err)
	}
	reportFileSize(b, s)
	// Two collections: the first one after a big write leaves part of the
	// transaction's garbage counted in HeapAlloc.
	runtime.GC()
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("live heap before the scan: %.1f MB", float64(ms.HeapAlloc)/(1<<20))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for _, err := range s.Rows(sh.ID) {
			if err != nil {
				b.Fatal(err)
			}
			n++
			if n%10_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if n != benchRows {
			b.Fatalf("scanned %d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkRowByRecordID looks rows up by record id in a 100k-row sheet.
func BenchmarkRowByRecordID(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, benchRows)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := recordID((i * 7919) % benchRows)
		if _, err := s.RowByRecordID(sh.ID, id); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkRowIDs lists the ids of a 100k-row sheet, as the grid does.
func BenchmarkRowIDs(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, benchRows)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ids, err := s.RowIDs(sh.ID)
		if err != nil || len(ids) != benchRows {
			b.Fatal(len(ids), err)
		}
	}
}

// openBench opens a store with fsync on, as the app runs, without the
// integrity check of openTest (it reads everything).
func openBench(b *testing.B) *Store {
	b.Helper()
	s, err := Open(fmt.Sprintf("%s/%s", b.TempDir(), FileName), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// reportFileSize reports the bytes a row takes in the store: the pages in
// use by the sheet's rows and indexes, over the number of rows, and the
// file's size over the rows (which includes free pages and growth room).
func reportFileSize(b *testing.B, s *Store) {
	b.Helper()
	var used, rows int
	err := s.view(func(tx *Tx) error {
		return tx.tx.Bucket(bucketData).ForEachBucket(func(k []byte) error {
			st := tx.tx.Bucket(bucketData).Bucket(k).Stats()
			used += st.BranchInuse + st.LeafInuse
			sd, err := tx.sheet(string(k))
			if err != nil {
				return err
			}
			rows += int(sd.count)
			return nil
		})
	})
	if err != nil || rows == 0 {
		b.Fatal(rows, err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(used)/float64(rows), "bytes/row")
	b.ReportMetric(float64(fi.Size())/float64(rows), "file-bytes/row")
}

// BenchmarkRowSummaries100k summarizes every row of a 100k×20 sheet whose
// rows all carry one local edit (as a push's candidate scan meets them),
// and reports its time over a scan of the same rows with Rows, measured in
// the same iteration (x-rows-scan: below 1 is faster).
func BenchmarkRowSummaries100k(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	rows := wideRows(sh, 0, benchRows)
	for _, r := range rows {
		r.Base = maps.Clone(r.Cells)
		r.Set(sh.Columns[3].ID, "edited", testNow)
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var scan time.Duration
	for b.Loop() {
		n := 0
		scan += untimedScan(b, s, sh.ID, func(r *sheets.Row) {
			if len(r.Changed()) > 0 {
				n++
			}
		})
		m := 0
		for r, err := range s.RowSummaries(sh.ID) {
			if err != nil {
				b.Fatal(err)
			}
			if r.Changed {
				m++
			}
		}
		if n != benchRows || m != benchRows {
			b.Fatalf("%d and %d changed rows, want %d", n, m, benchRows)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(b.Elapsed().Seconds()/scan.Seconds(), "x-rows-scan")
}

// BenchmarkAddOutcomes100k stores 100k push outcomes (an update with the
// field it wrote and the value it overwrote) in one transaction, as a push
// of 100k rows writes back, and reports its time over storing the same
// outcomes encoded with json.Marshal, measured in the same iteration
// (x-marshal: below 1 is faster).
func BenchmarkAddOutcomes100k(b *testing.B) {
	s := openBench(b)
	outs := make([]sheets.RecordOutcome, benchRows)
	for i := range outs {
		outs[i] = sheets.RecordOutcome{RowID: sheets.RowID(i + 1), RecordID: recordID(i), Op: sheets.OpUpdate, OK: true,
			Fields: []string{"Title"}, Before: map[string]string{"Title": "Title 1"}, After: map[string]string{"Title": "Title 2"}}
	}
	newRun := func() uint64 {
		r := &sheets.Run{SheetID: "s", Direction: sheets.Push}
		if err := s.CreateRun(r); err != nil {
			b.Fatal(err)
		}
		return r.ID
	}
	b.ReportAllocs()
	var marshal time.Duration
	for b.Loop() {
		b.StopTimer()
		id := newRun()
		start := time.Now()
		err := s.update(func(tx *Tx) error {
			bk, err := tx.tx.Bucket(bucketOutcomes).CreateBucket(u64(id))
			if err != nil {
				return err
			}
			bk.FillPercent = 1.0
			for i, o := range outs {
				o.RunID, o.Seq = id, i+1
				if err := putJSON(bk, binary.BigEndian.AppendUint64(nil, uint64(o.Seq)), o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		marshal += time.Since(start)
		id = newRun()
		b.StartTimer()
		if err := s.AddOutcomes(id, outs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "outcomes/s")
	b.ReportMetric(b.Elapsed().Seconds()/marshal.Seconds(), "x-marshal")
}

// BenchmarkRowsByID100k reads every row of a 100k×20 sheet by id in one
// call, as a push reads the rows it sends, and reports its time over a
// scan of the same rows with Rows measured in the same iteration
// (x-rows-scan).
func BenchmarkRowsByID100k(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, benchRows)); err != nil {
		b.Fatal(err)
	}
	ids, err := s.RowIDs(sh.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var scan time.Duration
	for b.Loop() {
		scan += untimedScan(b, s, sh.ID, func(*sheets.Row) {})
		rows, err := s.RowsByID(sh.ID, ids)
		if err != nil || len(rows) != benchRows {
			b.Fatal(len(rows), err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(b.Elapsed().Seconds()/scan.Seconds(), "x-rows-scan")
}

// untimedScan scans a sheet's rows with Rows, calling each, with the
// benchmark's timer stopped, and returns how long the scan took: the
// baseline a benchmark reports its own time against.
func untimedScan(b *testing.B, s *Store, sheetID string, each func(*sheets.Row)) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	start := time.Now()
	for r, err := range s.Rows(sheetID) {
		if err != nil {
			b.Fatal(err)
		}
		each(r)
	}
	return time.Since(start)
}

// BenchmarkRewriteRows100k rewrites 100k rows of 20 columns in
// transactions of 10,000 (as a push's write-back does) with an fn that
// moves each row's base to its cells, once on one goroutine and once on
// the parallel path; the ratio is the parallel path's gain.
func BenchmarkRewriteRows100k(b *testing.B) {
	s := openBench(b)
	sh := wideSheet(b, s, 20)
	rows := wideRows(sh, 0, benchRows)
	if err := s.InsertRows(sh.ID, rows); err != nil {
		b.Fatal(err)
	}
	ids := make([]sheets.RowID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	col := sh.Columns[3].ID
	gen := 0
	rewrite := func(parallelFrom int) time.Duration {
		saved := rewriteParallelRows
		rewriteParallelRows = parallelFrom
		defer func() { rewriteParallelRows = saved }()
		gen++
		value := "generation " + strconv.Itoa(gen)
		start := time.Now()
		for from := 0; from < len(ids); from += 10_000 {
			err := s.Batch(func(tx *Tx) error {
				return tx.RewriteRows(sh.ID, ids[from:from+10_000], func(_ int, cur *sheets.Row) (*sheets.Row, error) {
					cur.Base = maps.Clone(cur.Base)
					cur.Base[col] = cur.Cells[col]
					cur.Cells[col] = value
					cur.State = sheets.StateModified
					return cur, nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var one, par time.Duration
	for b.Loop() {
		one += rewrite(1 << 30)
		par += rewrite(1)
	}
	b.ReportMetric(par.Seconds()/float64(b.N), "parallel-s/op")
	b.ReportMetric(one.Seconds()/float64(b.N), "one-goroutine-s/op")
	b.ReportMetric(par.Seconds()/one.Seconds(), "x-one-goroutine")
}
