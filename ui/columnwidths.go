package ui

import (
	"crmsheets/ui/uiloop"
	"fmt"
	"maps"
	"time"
)

// widthSaveDelay is how long after the last column resize the widths are
// saved: one drag after another (fitting several columns) is one save.
const widthSaveDelay = 800 * time.Millisecond

// columnResized records a column's new width (from the grid, on the UI
// goroutine) and schedules the save.
func (mw *MainWindow) columnResized(colID string, width float32) {
	if mw.sheet == nil {
		return
	}
	if mw.widths == nil {
		mw.widths = map[string]float32{}
	}
	mw.widths[colID] = width
	if mw.widthTimer != nil {
		mw.widthTimer.Stop()
	}
	mw.widthTimer = time.AfterFunc(widthSaveDelay, func() { uiloop.Do(mw.saveColumnWidths) })
}

// saveColumnWidths writes the pending widths into the open sheet
// (Column.Width, through Service.SaveSheetSettings) off the UI goroutine,
// so the sheet opens with them next time. It re-reads the sheet first so
// that only the widths change.
func (mw *MainWindow) saveColumnWidths() {
	if mw.widthTimer != nil {
		mw.widthTimer.Stop()
		mw.widthTimer = nil
	}
	if mw.sheet == nil || len(mw.widths) == 0 || mw.ctx.Err() != nil {
		return
	}
	id, widths := mw.sheet.ID, maps.Clone(mw.widths)
	clear(mw.widths)
	mw.goBackground(func() {
		sh, err := mw.svc.Sheet(id)
		if err == nil {
			for i, c := range sh.Columns {
				if w, ok := widths[c.ID]; ok {
					sh.Columns[i].Width = w
				}
			}
			err = mw.svc.SaveSheetSettings(sh, "Column widths")
		}
		if err != nil {
			uiloop.Do(func() { mw.report(fmt.Errorf("save the column widths: %w", err)) })
		}
	})
}
