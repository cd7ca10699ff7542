package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// usageMeter is the API usage of the day: a caption over a thin bar. A
// widget.ProgressBar writes its caption in white over its track, which is
// unreadable on the light theme's pale track; a label in the theme's text
// colour reads on both.
type usageMeter struct {
	caption     *widget.Label
	track, fill *canvas.Rectangle
	frac        float32
	box         *fyne.Container
}

func newUsageMeter() *usageMeter {
	m := &usageMeter{caption: widget.NewLabel(usageText(0, 0)),
		track: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		fill:  canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))}
	m.caption.SizeName = theme.SizeNameCaptionText
	m.track.CornerRadius, m.fill.CornerRadius = 3, 3
	bar := container.New(&meterLayout{m: m}, m.track, m.fill)
	m.box = container.NewVBox(m.caption, bar)
	return m
}

// set shows used of limit (0/0 when unknown).
func (m *usageMeter) set(used, limit int) {
	m.caption.SetText(usageText(used, limit))
	m.frac = 0
	if limit > 0 {
		m.frac = min(float32(used)/float32(limit), 1)
	}
	m.fill.FillColor = theme.Color(theme.ColorNamePrimary)
	if m.frac >= 0.9 {
		m.fill.FillColor = theme.Color(theme.ColorNameError)
	}
	m.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	m.box.Refresh()
}

// meterLayout sizes the fill to the used share of the track, at least a
// sliver once anything is used so that the bar never looks broken.
type meterLayout struct{ m *usageMeter }

func (l *meterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	w := size.Width * l.m.frac
	if l.m.frac > 0 {
		w = max(w, 4)
	}
	objs[1].Resize(fyne.NewSize(w, size.Height))
}

func (l *meterLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(40, 6) }
