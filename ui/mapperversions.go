package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/dialog"

	"crmsheets/sheets"
)

// mapperVersion is one saved configuration as the history list shows it.
type mapperVersion struct {
	n    int
	text string
}

// loadVersions lists the configuration history, newest first.
func (m *mapperScreen) loadVersions() {
	vs, err := m.mw.svc.ConfigVersions(m.sheet.ID)
	if err != nil {
		m.mw.report(err)
		return
	}
	m.versions = m.versions[:0]
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		note := v.Note
		if note == "" {
			note = "saved"
		}
		m.versions = append(m.versions, mapperVersion{n: v.N, text: fmt.Sprintf("v%d · %s · %s", v.N, v.Saved.Local().Format("2006-01-02 15:04"), note)})
	}
	m.chosen = -1
	m.history.UnselectAll()
	m.restore.Disable()
	m.history.Refresh()
}

// viewVersion shows the mapping saved in a version.
func (m *mapperScreen) viewVersion(i int) {
	if i < 0 || i >= len(m.versions) || m.sheet == nil {
		return
	}
	m.chosen = i
	old, err := m.mw.svc.ConfigVersion(m.sheet.ID, m.versions[i].n)
	if err != nil {
		m.mw.report(err)
		return
	}
	m.verText.SetText(versionSummary(old))
	if i == 0 {
		m.restore.Disable() // the current configuration
	} else {
		m.restore.Enable()
	}
}

// versionSummary lists a saved configuration's mapping, briefly.
func versionSummary(sh *sheets.Sheet) string {
	var lines []string
	mapped := 0
	for _, c := range sh.Columns {
		if c.Mapped() {
			mapped++
			if len(lines) < 8 {
				lines = append(lines, c.Name+" → "+c.Field)
			}
		}
	}
	if mapped > len(lines) {
		lines = append(lines, fmt.Sprintf("… and %d more", mapped-len(lines)))
	}
	head := fmt.Sprintf("%d of %d columns mapped", mapped, len(sh.Columns))
	if k, ok := sh.Column(sh.KeyColumn); ok {
		head += ", key " + k.Name
	}
	return head + "\n" + strings.Join(lines, "\n")
}

// confirmRestore brings back the selected version after a confirmation.
func (m *mapperScreen) confirmRestore() {
	if m.chosen < 0 || m.chosen >= len(m.versions) {
		return
	}
	n := m.versions[m.chosen].n
	dialog.ShowConfirm("Restore configuration", fmt.Sprintf("Bring back the mapping and sync settings of version %d?\nCells are kept; the restore is saved as a new version.", n), func(ok bool) {
		if ok {
			m.restoreVersion(n)
		}
	}, m.mw.win)
}

// restoreVersion restores version n.
func (m *mapperScreen) restoreVersion(n int) {
	if _, err := m.mw.svc.RestoreConfigVersion(m.sheet.ID, n); err != nil {
		m.mw.report(err)
		return
	}
	m.changed(fmt.Sprintf("Restored configuration version %d", n), nil)
}
