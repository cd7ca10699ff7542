package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// showImport picks an XLSX file, previews what it would change in the open
// sheet (off the UI goroutine) and applies it on confirmation.
func (mw *MainWindow) showImport() {
	if mw.sheet == nil {
		mw.report(fmt.Errorf("open or create the sheet to import into first"))
		return
	}
	im, err := mw.importer()
	if err != nil {
		mw.report(err)
		return
	}
	sheetID := mw.sheet.ID
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		mw.info("Reading " + path + "…")
		mw.goBackground(func() {
			p, err := im.PreviewImport(mw.ctx, sheetID, path)
			fyne.Do(func() {
				if err != nil {
					mw.report(fmt.Errorf("read %s: %w", path, err))
					return
				}
				mw.showImportPreview(im, sheetID, p)
			})
		})
	}, mw.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx"}))
	fd.Show()
}

// showImportPreview shows the preview table and applies on Import.
func (mw *MainWindow) showImportPreview(im xlsxImporter, sheetID string, p ImportPreview) {
	header, rows := p.Header(), p.Rows()
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(rows), len(header) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(rows) && id.Col < len(rows[id.Row]) {
				o.(*widget.Label).SetText(rows[id.Row][id.Col])
			}
		})
	t.ShowHeaderColumn = false
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(header) {
			o.(*widget.Label).SetText(header[id.Col])
		}
	}
	summary := widget.NewLabel(p.Summary())
	summary.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(summary, nil, nil, nil, t)
	d := dialog.NewCustomConfirm("Import preview", "Import", "Cancel", body, func(ok bool) {
		if !ok {
			return
		}
		mw.goBackground(func() {
			res, err := im.ApplyImport(mw.ctx, sheetID, p)
			fyne.Do(func() {
				if err != nil {
					mw.report(err)
					return
				}
				mw.reloadSheet()
				dialog.ShowInformation("Import done", res, mw.win)
			})
		})
	}, mw.win)
	d.Resize(fyne.NewSize(900, 560))
	d.Show()
}

// showExport saves the open sheet as an XLSX file.
func (mw *MainWindow) showExport() {
	if mw.sheet == nil {
		return
	}
	ex, err := mw.exporter()
	if err != nil {
		mw.report(err)
		return
	}
	sh := mw.sheet
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		if !strings.HasSuffix(strings.ToLower(path), ".xlsx") {
			path += ".xlsx"
		}
		mw.info("Exporting " + sh.Name + "…")
		mw.goBackground(func() {
			err := ex.ExportXLSX(mw.ctx, sh.ID, path)
			fyne.Do(func() {
				if err != nil {
					mw.report(err)
					return
				}
				mw.info(fmt.Sprintf("Exported %q to %s", sh.Name, path))
			})
		})
	}, mw.win)
	fd.SetFileName(sh.Name + ".xlsx")
	fd.Show()
}
