package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// Status messages belong to the last action and expire: an error stays
// long enough to be read, then the bar goes back to "Ready".
var (
	infoExpiry  = 8 * time.Second
	errorExpiry = 20 * time.Second
)

// setStatus shows text in the status bar until the next message or its
// expiry; "" puts the bar back to "Ready" at once.
func (mw *MainWindow) setStatus(text string, imp widget.Importance) {
	mw.statusGen++
	if mw.statusTimer != nil {
		mw.statusTimer.Stop()
		mw.statusTimer = nil
	}
	if text == "" {
		mw.status.Importance = widget.MediumImportance
		mw.status.SetText("Ready")
		return
	}
	mw.status.Importance = imp
	mw.status.SetText(text)
	gen, after := mw.statusGen, infoExpiry
	if imp == widget.DangerImportance {
		after = errorExpiry
	}
	mw.statusTimer = time.AfterFunc(after, func() {
		uiloop.Do(func() {
			if mw.statusGen == gen && mw.ctx.Err() == nil {
				mw.setStatus("", 0)
			}
		})
	})
}

// tabBase is a tab's title without its badge: "Conflicts (3)" → "Conflicts".
func tabBase(title string) string {
	if i := strings.Index(title, " ("); i > 0 {
		return title[:i]
	}
	return title
}

// stateCounts counts a sheet's rows by state.
func (mw *MainWindow) stateCounts(sheetID string) (map[sheets.State]int, error) {
	n := map[sheets.State]int{}
	for r, err := range mw.svc.Rows(sheetID) {
		if err != nil {
			return nil, err
		}
		n[r.State]++
	}
	return n, nil
}

// updateBadges puts counts on the Conflicts tab (conflicts waiting) and
// the History tab (failed or partial runs not yet seen there, kept per
// sheet in the store so the badge survives a restart).
// It reads the sheet once, after a run or a change, not per frame.
func (mw *MainWindow) updateBadges() {
	if mw.sheet == nil {
		return
	}
	id := mw.sheet.ID
	conflicts := 0
	if cs, err := mw.svc.Conflicts(id); err == nil {
		conflicts = len(cs)
	}
	if mw.currentTab != nil && tabBase(mw.currentTab.Text) == tabHistory {
		_ = mw.svc.MarkHistorySeen(id) // in view: a badge there would say nothing new
	}
	failed, _ := mw.svc.UnseenFailedRuns(id)
	mw.setBadge(tabConflicts, conflicts)
	mw.setBadge(tabHistory, failed)
}

// setBadge shows n after a tab's title (nothing when 0).
func (mw *MainWindow) setBadge(base string, n int) {
	for _, t := range mw.tabs.Items {
		if tabBase(t.Text) != base {
			continue
		}
		want := base
		if n > 0 {
			want = fmt.Sprintf("%s (%d)", base, n)
		}
		if t.Text != want {
			t.Text = want
			mw.tabs.Refresh()
		}
	}
}

// tabTitle is the current title of a tab by its base title.
func (mw *MainWindow) tabTitle(base string) string {
	for _, t := range mw.tabs.Items {
		if tabBase(t.Text) == base {
			return t.Text
		}
	}
	return ""
}
