package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// blankPolicies are the blank cells options in the order the select lists
// them, the default first.
var blankPolicies = []sheets.BlankPolicy{sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty}

// newBlankSelect is a column's blank cells option, labelled with the words
// the engine's messages quote (app.BlankPolicyLabel). Its width is that of
// the longest label (Fyne sizes a Select by its placeholder), so every row
// lines up and no choice is cut short.
func newBlankSelect() *widget.Select {
	labels := make([]string, len(blankPolicies))
	longest := ""
	for i, p := range blankPolicies {
		labels[i] = app.BlankPolicyLabel(p)
		if len(labels[i]) > len(longest) {
			longest = labels[i]
		}
	}
	sel := widget.NewSelect(labels, nil)
	sel.PlaceHolder = longest
	return sel
}

// blankPolicyOf is the policy a blank cells label names (BlankLeave for
// any other text).
func blankPolicyOf(label string) sheets.BlankPolicy {
	for _, p := range blankPolicies {
		if app.BlankPolicyLabel(p) == label {
			return p
		}
	}
	return sheets.BlankLeave
}

// setBlank saves a column's blank cells option as a configuration version,
// off the UI goroutine. The sheet is re-read first so only that option
// changes.
func (m *mapperScreen) setBlank(c sheets.Column, p sheets.BlankPolicy) {
	if m.sheet == nil || c.Blank == p {
		return
	}
	id, what := m.sheet.ID, fmt.Sprintf("blank cells of %q: %s", c.Name, app.BlankPolicyLabel(p))
	m.mw.goBackground(func() {
		sh, err := m.mw.svc.Sheet(id)
		if err == nil {
			i := slices.IndexFunc(sh.Columns, func(x sheets.Column) bool { return x.ID == c.ID })
			if i < 0 {
				err = fmt.Errorf("column %q is no longer in the sheet", c.Name)
			} else {
				sh.Columns[i].Blank = p
				err = m.mw.svc.SaveSheetSettings(sh, what)
			}
		}
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(fmt.Errorf("save the %s: %w", what, err))
				m.columns.Refresh() // show the option still in force
				return
			}
			m.changed("Saved: "+what, nil)
		})
	})
}
