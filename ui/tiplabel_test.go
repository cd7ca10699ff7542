package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestCutTextShowsTooltip: a label too narrow for its text shows the whole
// text on hover; one that fits shows none.
func TestCutTextShowsTooltip(t *testing.T) {
	test.NewTempApp(t)
	long := newTipLabel("Account.Owner.Manager.Email (a rather long field path) · email  [read-only]")
	short := newTipLabel("Email")
	w := test.NewTempWindow(t, container2(long, short))
	w.Resize(fyne.NewSize(300, 100))
	long.MouseIn(nil)
	if long.tip == nil || !long.tip.Visible() || long.tip.Content.(*widget.Label).Text != long.Text {
		t.Fatalf("no tooltip with the whole text over a cut label")
	}
	long.MouseOut()
	if long.tip != nil {
		t.Error("tooltip stayed after the pointer left")
	}
	short.MouseIn(nil)
	if short.tip != nil {
		t.Error("a label that fits shows a tooltip")
	}
}

func container2(a, b fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: gridLayout2{}, Objects: []fyne.CanvasObject{a, b}}
}

// gridLayout2 stacks two objects, each the full width and half the height.
type gridLayout2 struct{}

func (gridLayout2) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, o := range objs {
		o.Move(fyne.NewPos(0, float32(i)*size.Height/2))
		o.Resize(fyne.NewSize(size.Width, size.Height/2))
	}
}

func (gridLayout2) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(10, 10) }
