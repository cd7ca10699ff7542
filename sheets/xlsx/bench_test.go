package xlsx

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/sheets"
)

// Benchmarks of the scale: 100,000 rows of 20 columns. Each measures
// this package and bare excelize on the same work in the same run and
// reports the ratio (ours/excelize, target < 1.5) and the peak live heap
// (target < 300 MB).
const (
	benchRows = 100_000
	benchCols = 20
)

// benchSheet has 20 columns of mixed types, like a CRM export.
func benchSheet() *sheets.Sheet {
	s := &sheets.Sheet{ID: "bench", Name: "Bench"}
	types := []sheets.Type{sheets.TypeText, sheets.TypeEmail, sheets.TypeNumber, sheets.TypeCurrency, sheets.TypeDate,
		sheets.TypeDateTime, sheets.TypeBool, sheets.TypePicklist, sheets.TypeText, sheets.TypePhone}
	for i := range benchCols {
		c := sheets.Column{Name: fmt.Sprintf("Col %d", i+1), Type: types[i%len(types)]}
		if c.Type == sheets.TypePicklist {
			c.Choices = []string{"Prospect", "Customer", "Former"}
		}
		s.AddColumn(c)
	}
	return s
}

// benchValue is the canonical value of row i, column j.
func benchValue(t sheets.Type, i, j int) string {
	switch t {
	case sheets.TypeEmail:
		return "person" + strconv.Itoa(i) + "@example.com"
	case sheets.TypeNumber:
		return strconv.Itoa(i * j)
	case sheets.TypeCurrency:
		return strconv.Itoa(i) + ".25"
	case sheets.TypeDate:
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%9000).Format(sheets.DateLayout)
	case sheets.TypeDateTime:
		return time.Date(2020, 1, 1, 0, 0, i%86400, 0, time.UTC).Format(sheets.DateTimeLayout)
	case sheets.TypeBool:
		return strconv.FormatBool(i%2 == 0)
	case sheets.TypePicklist:
		return []string{"Prospect", "Customer", "Former"}[i%3]
	case sheets.TypePhone:
		return "+1 555 " + strconv.Itoa(1000+i%9000)
	}
	return "Value " + strconv.Itoa(i) + "/" + strconv.Itoa(j)
}

// benchRowsSeq yields n rows built on the fly, as the store's iterator does.
func benchRowsSeq(s *sheets.Sheet, n int) func(func(*sheets.Row, error) bool) {
	return func(yield func(*sheets.Row, error) bool) {
		for i := range n {
			r := &sheets.Row{ID: sheets.RowID(i + 1), Cells: make(map[string]string, len(s.Columns))}
			for j, c := range s.Columns {
				r.Cells[c.ID] = benchValue(c.Type, i, j)
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// bareExport writes the same typed cells with a bare StreamWriter: the
// baseline of BenchmarkExport.
func bareExport(w io.Writer, s *sheets.Sheet, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := make([]any, len(s.Columns))
	for j, c := range s.Columns {
		row[j] = c.Name
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	for i := range n {
		for j, c := range s.Columns {
			v := benchValue(c.Type, i, j)
			switch c.Type {
			case sheets.TypeNumber, sheets.TypeCurrency:
				row[j], _ = strconv.ParseFloat(v, 64)
			case sheets.TypeDate:
				d, _ := time.Parse(sheets.DateLayout, v)
				row[j] = toSerial(d)
			case sheets.TypeDateTime:
				d, _ := time.Parse(sheets.DateTimeLayout, v)
				row[j] = toSerial(d)
			case sheets.TypeBool:
				row[j] = v == "true"
			default:
				row[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// peakHeap samples the live heap while fn runs and returns the peak in MB.
func peakHeap(fn func()) float64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return float64(peak) / (1 << 20)
}

// benchWorkbook exports the 100k × 20 sheet into the benchmark's temporary
// directory (removed when the benchmark ends).
func benchWorkbook(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	s := benchSheet()
	if err := Export(f, s, benchRowsSeq(s, benchRows), ExportOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// excelizeStreamRead is the baseline of BenchmarkImport: excelize alone
// stream-reading every row of the data tab.
// excelizeStreamRead reads every cell with excelize's row iterator. raw
// asks for the cells' stored values (RawCellValue: true), as our reader
// reads them; without it excelize applies each styled cell's number
// format, work our reader does not do, so that baseline measures
// excelize's formatting more than reading.
func excelizeStreamRead(path string, raw bool) (int, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows("Bench")
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: raw})
		if err != nil {
			return 0, err
		}
		n += len(cols)
	}
	return n, rows.Close()
}

func BenchmarkImport(b *testing.B) {
	path := benchWorkbook(b)
	var ours, theirs, raw time.Duration
	var heap float64
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := excelizeStreamRead(path, false); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(start)
		start = time.Now()
		if _, err := excelizeStreamRead(path, true); err != nil {
			b.Fatal(err)
		}
		raw += time.Since(start)
		var tb *Table
		var err error
		h := peakHeap(func() {
			start = time.Now()
			tb, err = ReadTableFile(context.Background(), path, ReadOptions{}, Limits{})
			ours += time.Since(start)
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(tb.Rows) != benchRows || len(tb.Columns) != benchCols {
			b.Fatalf("read %d rows × %d columns", len(tb.Rows), len(tb.Columns))
		}
		heap = max(heap, h)
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/import")
	b.ReportMetric(float64(theirs.Milliseconds())/float64(b.N), "ms/excelize-read")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "ms/excelize-raw-read")
	b.ReportMetric(float64(ours)/float64(raw), "ratio-vs-excelize-raw")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio-vs-excelize-formatted")
	b.ReportMetric(heap, "peak-heap-MB")
}

func BenchmarkExport(b *testing.B) {
	s := benchSheet()
	var ours, theirs time.Duration
	var heap float64
	for range b.N {
		start := time.Now()
		if err := bareExport(io.Discard, s, benchRows); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(start)
		var err error
		h := peakHeap(func() {
			start = time.Now()
			err = Export(io.Discard, s, benchRowsSeq(s, benchRows), ExportOptions{})
			ours += time.Since(start)
		})
		if err != nil {
			b.Fatal(err)
		}
		heap = max(heap, h)
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/export")
	b.ReportMetric(float64(theirs.Milliseconds())/float64(b.N), "ms/excelize-write")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
	b.ReportMetric(heap, "peak-heap-MB")
}
