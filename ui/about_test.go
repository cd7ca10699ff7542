package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
)

// TestAboutShowsTheVersion taps About in the status bar: the dialog names
// the same version `crmsheets --version` prints.
func TestAboutShowsTheVersion(t *testing.T) {
	mw := newTestWindow(t)
	test.Tap(mw.aboutBtn)
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("About opened no dialog")
	}
	text := strings.Join(labelTexts(top), "\n")
	if !strings.Contains(text, "Version "+app.Version) {
		t.Errorf("About says:\n%s\nwant version %s", text, app.Version)
	}
}

// labelTexts collects the text of every label under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	switch w := o.(type) {
	case *widget.Label:
		out = append(out, w.Text)
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		for _, c := range r.Objects() {
			out = append(out, labelTexts(c)...)
		}
	case *fyne.Container:
		for _, c := range w.Objects {
			out = append(out, labelTexts(c)...)
		}
	}
	return out
}
