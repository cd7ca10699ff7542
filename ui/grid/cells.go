package grid

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// stateColumnWidth is the width of the row-state column (column 0).
const stateColumnWidth = 34

// defaultColumnWidth is the width of a sheet column the user never resized.
const defaultColumnWidth = 150

// StateColor is the colour of a row state in the state column: green
// synced, blue modified or new, orange conflict, red error, grey deleted in
// Salesforce. The colours read on light and dark themes alike.
func StateColor(s sheets.State) color.Color {
	switch s {
	case sheets.StateSynced:
		return color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}
	case sheets.StateModified:
		return color.NRGBA{R: 0x2f, G: 0x7d, B: 0xe1, A: 0xff}
	case sheets.StateNew, sheets.StateCreatePending:
		return color.NRGBA{R: 0x8a, G: 0x5c, B: 0xf6, A: 0xff}
	case sheets.StateConflict:
		return color.NRGBA{R: 0xf0, G: 0x8c, B: 0x00, A: 0xff}
	case sheets.StateError:
		return color.NRGBA{R: 0xd9, G: 0x30, B: 0x25, A: 0xff}
	case sheets.StateDeletedRemotely:
		return color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	}
	return color.Transparent
}

// stateGlyph is the letter beside the colour, so the state does not rest
// on colour alone.
func stateGlyph(s sheets.State) string {
	switch s {
	case sheets.StateSynced:
		return "✓"
	case sheets.StateModified:
		return "M"
	case sheets.StateNew:
		return "+"
	case sheets.StateCreatePending:
		return "…"
	case sheets.StateConflict:
		return "!"
	case sheets.StateError:
		return "×"
	case sheets.StateDeletedRemotely:
		return "D"
	}
	return ""
}

// TypeGlyph is the small type badge of a column header.
func TypeGlyph(t sheets.Type) string {
	switch t {
	case sheets.TypeNumber:
		return "123"
	case sheets.TypeCurrency:
		return "$"
	case sheets.TypePercent:
		return "%"
	case sheets.TypeDate:
		return "Date"
	case sheets.TypeDateTime:
		return "Time"
	case sheets.TypeBool:
		return "✓"
	case sheets.TypePicklist:
		return "▾"
	case sheets.TypeMultiPicklist:
		return "▾▾"
	case sheets.TypeReference:
		return "Ref"
	case sheets.TypeEmail:
		return "@"
	case sheets.TypePhone:
		return "Tel"
	case sheets.TypeURL:
		return "URL"
	case sheets.TypeTextArea:
		return "¶"
	}
	return "Aa"
}

// cell is the template of a data cell: a background (range selection,
// conflict) under a truncating label, the row-state mark (column 0 only),
// a strip at the left edge marking a changed, conflicting or ambiguous
// cell, and over it all a hover area that explains the mark. The parts are
// only re-coloured and re-texted in UpdateCell, never re-created.
type cell struct {
	bg    *canvas.Rectangle
	label *widget.Label
	state *stateMark
	strip *canvas.Rectangle
	hover *cellHover
}

func newCell(g *Grid) fyne.CanvasObject {
	c := &cell{bg: canvas.NewRectangle(color.Transparent), label: widget.NewLabel(""), strip: canvas.NewRectangle(color.Transparent)}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.state = newStateMark(g)
	c.hover = newCellHover(g)
	c.strip.Hide()
	return container.New(cellLayout{}, c.bg, c.label, c.state, c.strip, c.hover)
}

// cellOf recovers the parts of a template made by newCell.
func cellOf(o fyne.CanvasObject) (bg *canvas.Rectangle, label *widget.Label, mark *stateMark, strip *canvas.Rectangle, hover *cellHover) {
	objs := o.(*fyne.Container).Objects
	return objs[0].(*canvas.Rectangle), objs[1].(*widget.Label), objs[2].(*stateMark), objs[3].(*canvas.Rectangle), objs[4].(*cellHover)
}

// stripWidth is the width of the mark at a cell's left edge.
const stripWidth = 3

// cellLayout stacks a cell's parts over its whole area, except the strip,
// which runs down the left edge.
type cellLayout struct{}

func (cellLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		if i == 3 {
			o.Resize(fyne.NewSize(stripWidth, size.Height))
			continue
		}
		o.Resize(size)
	}
}

func (cellLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs[:3] {
		m = m.Max(o.MinSize())
	}
	return m
}

// markColor is the strip colour of a cell mark: the row-state colours, so
// a changed cell reads like a changed row.
func markColor(m CellMark) color.Color {
	switch m {
	case MarkModified:
		return StateColor(sheets.StateModified)
	case MarkConflict:
		return StateColor(sheets.StateConflict)
	case MarkAmbiguous, MarkDuplicate:
		return StateColor(sheets.StateError)
	}
	return color.Transparent
}

// cellHover is the invisible area over a marked cell that shows, while
// the pointer rests on it, what the mark means: Salesforce's value of a
// changed cell, both values of a conflict, the candidates of an ambiguous
// reference. It is hidden over plain cells, so they keep the table's own
// hover.
type cellHover struct {
	widget.BaseWidget
	grid *Grid
	// row and col are the view row and sheet column shown.
	row, col int
}

var _ desktop.Hoverable = (*cellHover)(nil)

func newCellHover(g *Grid) *cellHover {
	h := &cellHover{grid: g, row: -1, col: -1}
	h.ExtendBaseWidget(h)
	h.Hide()
	return h
}

// MouseIn shows the cell's tooltip.
func (h *cellHover) MouseIn(*desktop.MouseEvent) { h.grid.showCellTip(h, h.row, h.col) }

// MouseMoved does nothing: the tooltip stays where it opened.
func (h *cellHover) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (h *cellHover) MouseOut() { h.grid.hideTip() }

// CreateRenderer draws nothing.
func (h *cellHover) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// stateMark is the row-state cell: a coloured bar and a glyph, with the
// state in words as a tooltip while the pointer rests on it.
type stateMark struct {
	widget.BaseWidget
	grid  *Grid
	row   int
	bar   *canvas.Rectangle
	glyph *canvas.Text
}

var _ fyne.Widget = (*stateMark)(nil)

func newStateMark(g *Grid) *stateMark {
	m := &stateMark{grid: g, row: -1, bar: canvas.NewRectangle(color.Transparent), glyph: canvas.NewText("", color.White)}
	m.glyph.TextStyle.Bold = true
	m.glyph.Alignment = fyne.TextAlignCenter
	m.ExtendBaseWidget(m)
	return m
}

func (m *stateMark) set(row int, s sheets.State) {
	m.row = row
	m.bar.FillColor = StateColor(s)
	m.glyph.Text = stateGlyph(s)
	m.bar.Refresh()
	m.glyph.Refresh()
}

// MouseIn shows the tooltip.
func (m *stateMark) MouseIn(*desktop.MouseEvent) { m.grid.showTip(m, m.row) }

// MouseMoved does nothing: the tooltip stays where it opened.
func (m *stateMark) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (m *stateMark) MouseOut() { m.grid.hideTip() }

// CreateRenderer lays the bar under the glyph with a small inset.
func (m *stateMark) CreateRenderer() fyne.WidgetRenderer {
	pad := container.New(&insetLayout{inset: theme.Padding()}, m.bar)
	return widget.NewSimpleRenderer(container.NewStack(pad, m.glyph))
}

// insetLayout places its objects inset from every edge.
type insetLayout struct{ inset float32 }

func (l *insetLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(l.inset, l.inset))
		o.Resize(fyne.NewSize(size.Width-2*l.inset, size.Height-2*l.inset))
	}
}

func (l *insetLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(2*l.inset, 2*l.inset)
}

// headerCell is the template of a header cell: the column name (tap to
// sort) over a caption with the type badge and mapped field. It is drawn
// with two small texts so the header is no taller than a data row: the
// table makes every row as tall as its header template.
type headerCell struct {
	widget.BaseWidget
	name  *canvas.Text
	sub   *canvas.Text
	onTap func()
	// onMenu opens the column's menu at an absolute position.
	onMenu func(at fyne.Position)
	// col is the table column shown (0 is the row-state column).
	col int
}

var (
	_ fyne.Widget            = (*headerCell)(nil)
	_ fyne.Tappable          = (*headerCell)(nil)
	_ fyne.SecondaryTappable = (*headerCell)(nil)
)

func newHeader() fyne.CanvasObject {
	h := &headerCell{name: canvas.NewText("", theme.Color(theme.ColorNameForeground)), sub: canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))}
	h.name.TextStyle.Bold = true
	h.name.TextSize = theme.TextSize() - 1
	h.sub.TextSize = theme.CaptionTextSize()
	h.ExtendBaseWidget(h)
	return h
}

// set shows a column's name and caption, cut to fit width.
func (h *headerCell) set(name, sub string, width float32, onTap func()) {
	h.onTap = onTap
	h.name.Text = fit(name, h.name.TextSize, h.name.TextStyle, width)
	h.sub.Text = fit(sub, h.sub.TextSize, h.sub.TextStyle, width)
	h.name.Color = theme.Color(theme.ColorNameForeground)
	h.sub.Color = theme.Color(theme.ColorNamePlaceHolder)
	h.name.Refresh()
	h.sub.Refresh()
}

// fit cuts text with an ellipsis so it is no wider than width.
func fit(text string, size float32, style fyne.TextStyle, width float32) string {
	avail := width - 2*theme.Padding()
	if avail <= 0 || fyne.MeasureText(text, size, style).Width <= avail {
		return text
	}
	r := []rune(text)
	for len(r) > 1 && fyne.MeasureText(string(r)+"…", size, style).Width > avail {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Tapped sorts by the column.
func (h *headerCell) Tapped(*fyne.PointEvent) {
	if h.onTap != nil {
		h.onTap()
	}
}

// TappedSecondary (right-click) opens the column's menu: insert, rename,
// change type, move, remove.
func (h *headerCell) TappedSecondary(e *fyne.PointEvent) {
	if h.onMenu != nil {
		h.onMenu(e.AbsolutePosition)
	}
}

// CreateRenderer stacks the two texts.
func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return &headerRenderer{h: h}
}

type headerRenderer struct{ h *headerCell }

func (r *headerRenderer) Layout(size fyne.Size) {
	p := theme.Padding()
	nh := r.h.name.MinSize().Height
	r.h.name.Move(fyne.NewPos(p, p/2))
	r.h.name.Resize(fyne.NewSize(size.Width-2*p, nh))
	r.h.sub.Move(fyne.NewPos(p, p/2+nh))
	r.h.sub.Resize(fyne.NewSize(size.Width-2*p, r.h.sub.MinSize().Height))
}

func (r *headerRenderer) MinSize() fyne.Size {
	n, s := r.h.name.MinSize(), r.h.sub.MinSize()
	p := theme.Padding()
	return fyne.NewSize(max(n.Width, s.Width)+2*p, n.Height+s.Height+p)
}

func (r *headerRenderer) Refresh() {
	r.h.name.Refresh()
	r.h.sub.Refresh()
}

func (r *headerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.h.name, r.h.sub} }

func (r *headerRenderer) Destroy() {}
