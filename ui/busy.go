package ui

import (
	"context"
	"crmsheets/ui/uiloop"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// busy is the modal progress of a long operation the engine reports no
// counts for (reading a workbook, writing an export): an activity bar, a
// line of text the work may update, and Cancel, which cancels the
// operation's context. Create it and end it on the UI goroutine.
type busy struct {
	d      *dialog.CustomDialog
	label  *widget.Label
	cancel context.CancelFunc
	// status is what the work reports; a ticker paints it (STYLE.md #9).
	status atomic.Pointer[string]
	stop   chan struct{}
}

// startBusy shows the progress dialog and returns the context the work
// must honour. Without cancellable there is no Cancel button: for steps
// the engine runs as one transaction, which cannot stop half-way.
func (mw *MainWindow) startBusy(title, text string, cancellable bool) (context.Context, *busy) {
	ctx, cancel := context.WithCancel(mw.ctx)
	b := &busy{label: widget.NewLabel(text), cancel: cancel, stop: make(chan struct{})}
	bar := widget.NewProgressBarInfinite()
	cancelBtn := widget.NewButton("Cancel", func() {
		b.cancel()
		b.label.SetText("Cancelling…")
	})
	b.d = dialog.NewCustomWithoutButtons(title, container.NewVBox(b.label, bar), mw.win)
	if cancellable {
		b.d.SetButtons([]fyne.CanvasObject{cancelBtn})
	} else {
		b.d.SetButtons(nil)
	}
	b.d.Show()
	go func() {
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-tick.C:
				if s := b.status.Swap(nil); s != nil {
					uiloop.Do(func() { b.label.SetText(*s) })
				}
			}
		}
	}()
	return ctx, b
}

// report sets the progress text; any goroutine may call it, as often as it
// likes.
func (b *busy) report(text string) { b.status.Store(&text) }

// done closes the dialog. Call it once, on the UI goroutine.
func (b *busy) done() {
	close(b.stop)
	b.cancel()
	b.d.Hide()
}
