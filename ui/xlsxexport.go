package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"crmsheets/app"
	"crmsheets/ui/uiloop"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// showExport asks where to save the open sheet as an XLSX file.
func (mw *MainWindow) showExport() {
	if mw.sheet == nil {
		return
	}
	name := mw.sheet.Name
	mw.saveXLSXDialog(name+".xlsx", func(path string) { mw.exportSheet(path) })
}

// saveXLSXDialog is the save dialog for a workbook; save gets the path,
// with ".xlsx" added when missing.
func (mw *MainWindow) saveXLSXDialog(file string, save func(path string)) {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			mw.report(err)
			return
		}
		if wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		if !strings.HasSuffix(strings.ToLower(path), ".xlsx") {
			os.Remove(path) // the dialog created it under the name typed
			path += ".xlsx"
		}
		save(path)
	}, mw.win)
	fd.SetFileName(file)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx"}))
	fd.Show()
}

// exportSheet writes the open sheet to path off the UI goroutine, with
// progress and Cancel.
func (mw *MainWindow) exportSheet(path string) {
	sh := mw.sheet
	if sh == nil {
		return
	}
	opt := app.ExportOptions{Location: workbookZone}
	mw.exportFile(path, "Exporting "+sh.Name, func(w io.Writer) error { return mw.svc.ExportXLSX(w, sh.ID, opt) },
		fmt.Sprintf("Exported %q to %s", sh.Name, path))
}

// exportRunErrors writes a run's failed records to path.
func (mw *MainWindow) exportRunErrors(runID uint64, path string) {
	opt := app.ExportOptions{Location: workbookZone}
	mw.exportFile(path, fmt.Sprintf("Exporting the errors of run %d", runID), func(w io.Writer) error { return mw.svc.ExportRunFailuresXLSX(w, runID, opt) },
		fmt.Sprintf("Exported the errors of run %d to %s", runID, path))
}

// exportFile runs write into a temporary file next to path and renames it
// into place when complete, so a failed or cancelled export never leaves a
// half-written workbook under the name chosen.
func (mw *MainWindow) exportFile(path, title string, write func(io.Writer) error, doneText string) {
	ctx, b := mw.startBusy(title, "Writing "+filepath.Base(path)+"…", true)
	mw.goBackground(func() {
		err := writeFileAtomic(ctx, path, write, func(n int64) { b.report(fmt.Sprintf("Writing %s… %d KB", filepath.Base(path), n>>10)) })
		uiloop.Do(func() {
			b.done()
			switch {
			case errors.Is(err, context.Canceled):
				mw.info("Export cancelled; nothing was written")
			case err != nil:
				mw.report(fmt.Errorf("export to %s: %w", path, err))
			default:
				mw.info(doneText)
			}
		})
	})
}

// writeFileAtomic writes through a writer that stops with ctx's error once
// ctx is cancelled and reports the bytes written.
func writeFileAtomic(ctx context.Context, path string, write func(io.Writer) error, progress func(int64)) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".crmsheets-export-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	cw := &ctxWriter{ctx: ctx, w: tmp, progress: progress}
	if err := write(cw); err != nil {
		tmp.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ctxWriter is an io.Writer that refuses to write once its context is
// done: the engine's export has no context of its own, and a failing
// writer is how a cancel reaches it.
type ctxWriter struct {
	ctx      context.Context
	w        io.Writer
	n        atomic.Int64
	progress func(int64)
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.progress(c.n.Add(int64(n)))
	return n, err
}
