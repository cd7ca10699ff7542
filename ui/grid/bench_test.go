package grid

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// benchColumns is a 20-column sheet, the size the issue benchmarks.
func benchColumns() []sheets.Column {
	cols := make([]sheets.Column, 20)
	for i := range cols {
		cols[i] = sheets.Column{Name: fmt.Sprintf("C%d", i), Type: []sheets.Type{sheets.TypeText, sheets.TypeNumber, sheets.TypeDate, sheets.TypeEmail}[i%4]}
	}
	return cols
}

func benchCell(i int, c sheets.Column) string {
	switch c.Type {
	case sheets.TypeNumber:
		return fmt.Sprint(i * 7)
	case sheets.TypeDate:
		return "2024-05-17"
	case sheets.TypeEmail:
		return fmt.Sprintf("user%d@example.com", i)
	}
	return fmt.Sprintf("%s value %d", c.Name, i)
}

// visibleRows and visibleCols are what a 1400×900 window shows.
const visibleRows, visibleCols = 40, 10

// frame runs the table's data callbacks for one screen starting at row top,
// as the table does when it draws: Length, then UpdateCell per cell.
func frame(g *Grid, cells [][]fyne.CanvasObject, top int) {
	rows, cols := g.length()
	for r := range visibleRows {
		for c := range min(visibleCols, cols) {
			if top+r < rows {
				g.updateCell(widget.TableCellID{Row: top + r, Col: c}, cells[r][c])
			}
		}
	}
}

// BenchmarkOpenAndScroll100k opens a 100k × 20 sheet in the grid and
// scrolls through it a screen at a time through the table's data callbacks
// (no display). It reports the first frame's time (open + first screen's
// data; target < 200 ms) and the mean time of a scroll step's cell updates
// (target < 5 ms), each including the page reads from the Source.
func BenchmarkOpenAndScroll100k(b *testing.B) {
	const n = 100_000
	src := newFakeSource(benchColumns(), n, benchCell)
	g0, err := New(src, "s1")
	if err != nil {
		b.Fatal(err)
	}
	cells := make([][]fyne.CanvasObject, visibleRows)
	for r := range cells {
		cells[r] = make([]fyne.CanvasObject, visibleCols)
		for c := range cells[r] {
			cells[r][c] = newCell(g0)
		}
	}
	const steps = 200
	var first, scroll time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		g, err := New(src, "s1")
		if err != nil {
			b.Fatal(err)
		}
		frame(g, cells, 0)
		first += time.Since(t0)
		t1 := time.Now()
		for s := 1; s <= steps; s++ {
			frame(g, cells, s*(n/steps)-visibleRows) // jumps: every step misses the cache
		}
		scroll += time.Since(t1)
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms/first-frame")
	b.ReportMetric(float64(scroll.Microseconds())/1000/float64(b.N*steps), "ms/scroll-step")
}
