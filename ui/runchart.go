package ui

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// runChart draws records synced and failed per run as bars, oldest left.
type runChart struct {
	widget.BaseWidget
	runs []*sheets.Run
	box  *fyne.Container
}

var _ fyne.Widget = (*runChart)(nil)

func newRunChart() *runChart {
	c := &runChart{box: container.NewWithoutLayout()}
	c.ExtendBaseWidget(c)
	return c
}

// set replaces the runs (newest first, as History lists them).
func (c *runChart) set(runs []*sheets.Run) {
	c.runs = runs
	c.Refresh()
}

// CreateRenderer draws the bars on every layout.
func (c *runChart) CreateRenderer() fyne.WidgetRenderer {
	return &runChartRenderer{c: c}
}

// MinSize keeps the chart readable and leaves a laptop screen's width to
// the runs table's columns.
func (c *runChart) MinSize() fyne.Size { return fyne.NewSize(160, 120) }

type runChartRenderer struct {
	c    *runChart
	objs []fyne.CanvasObject
	size fyne.Size
}

var (
	syncedColor = color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}
	failedColor = color.NRGBA{R: 0xd9, G: 0x30, B: 0x25, A: 0xff}
)

// synced and failed are a run's bar heights.
func synced(r *sheets.Run) int {
	return r.Counts.Pulled + r.Counts.Created + r.Counts.Updated + r.Counts.Refreshed
}

func failed(r *sheets.Run) int { return r.Counts.Failed + r.Counts.Invalid }

func (r *runChartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.draw()
}

func (r *runChartRenderer) draw() {
	size := r.size
	runs := r.c.runs
	r.objs = r.objs[:0]
	axis := canvas.NewLine(theme.Color(theme.ColorNameForeground))
	axis.Position1, axis.Position2 = fyne.NewPos(0, size.Height-1), fyne.NewPos(size.Width, size.Height-1)
	r.objs = append(r.objs, axis)
	if len(runs) == 0 || size.Width <= 0 {
		return
	}
	peak := 1
	for _, run := range runs {
		peak = max(peak, synced(run)+failed(run))
	}
	slot := size.Width / float32(len(runs))
	w := max(slot*0.7, 1)
	label := theme.CaptionTextSize()
	avail := size.Height - 4 - label // room for the count above the bar
	for i := range runs {
		run := runs[len(runs)-1-i] // oldest left
		x := float32(i)*slot + (slot-w)/2
		hs, hf := barHeights(synced(run), failed(run), peak, avail)
		s := canvas.NewRectangle(syncedColor)
		s.Move(fyne.NewPos(x, size.Height-1-hs))
		s.Resize(fyne.NewSize(w, hs))
		f := canvas.NewRectangle(failedColor)
		f.Move(fyne.NewPos(x, size.Height-1-hs-hf))
		f.Resize(fyne.NewSize(w, hf))
		r.objs = append(r.objs, s, f)
		if n := synced(run) + failed(run); n > 0 && slot >= 28 {
			t := canvas.NewText(fmt.Sprint(n), theme.Color(theme.ColorNameForeground))
			t.TextSize = label
			t.Alignment = fyne.TextAlignCenter
			t.Move(fyne.NewPos(float32(i)*slot, size.Height-1-hs-hf-label-2))
			t.Resize(fyne.NewSize(slot, label))
			r.objs = append(r.objs, t)
		}
	}
}

// barHeights are the heights of a run's synced and failed bars on a log
// scale: the whole bar is log(1+n) of log(1+peak) of the height, shared
// between synced and failed in proportion; a run with records is never
// thinner than 2 units.
func barHeights(synced, failed, peak int, height float32) (hs, hf float32) {
	n := synced + failed
	if n == 0 || height <= 0 {
		return 0, 0
	}
	total := height * float32(math.Log1p(float64(n))/math.Log1p(float64(max(peak, 1))))
	total = max(total, 2)
	hs = total * float32(synced) / float32(n)
	return hs, total - hs
}

func (r *runChartRenderer) MinSize() fyne.Size { return r.c.MinSize() }

func (r *runChartRenderer) Refresh() {
	r.draw()
	canvas.Refresh(r.c)
}

func (r *runChartRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *runChartRenderer) Destroy() {}
