package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tipLabel is a one-line label cut with an ellipsis that shows its whole
// text in a tooltip while the pointer rests on it, when it was cut: field
// names, warnings and table cells stay readable in a small window.
type tipLabel struct {
	widget.Label
	tip *widget.PopUp
}

var _ desktop.Hoverable = (*tipLabel)(nil)

func newTipLabel(text string) *tipLabel {
	l := &tipLabel{}
	l.Text = text
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// cut reports whether the text is wider than the label.
func (l *tipLabel) cut() bool {
	full := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
	return full > l.Size().Width
}

// tooltip is the text the tooltip would show, "" when nothing is cut.
func (l *tipLabel) tooltip() string {
	if l.Text == "" || !l.cut() {
		return ""
	}
	return l.Text
}

// MouseIn shows the whole text under the label when it is cut.
func (l *tipLabel) MouseIn(*desktop.MouseEvent) {
	text := l.tooltip()
	c := fyne.CurrentApp().Driver().CanvasForObject(l)
	if text == "" || c == nil {
		return
	}
	full := widget.NewLabel(text)
	full.Wrapping = fyne.TextWrapWord
	l.tip = widget.NewPopUp(full, c)
	width := min(fyne.MeasureText(text, theme.TextSize(), l.TextStyle).Width+4*theme.InnerPadding(), c.Size().Width*0.8)
	l.tip.Resize(fyne.NewSize(width, full.MinSize().Height))
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l).Add(fyne.NewPos(0, l.Size().Height))
	l.tip.ShowAtPosition(pos)
}

// MouseMoved does nothing: the tooltip stays where it opened.
func (l *tipLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (l *tipLabel) MouseOut() {
	if l.tip != nil {
		l.tip.Hide()
		l.tip = nil
	}
}
