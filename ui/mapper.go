package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/app/fieldmap"
	"crmsheets/sheets"
	"crmsheets/ui/grid"
	"crmsheets/ui/uiloop"
)

// noKeyColumn is the key column choice meaning "match by record id only".
const noKeyColumn = "(none: match by record id only)"

// mapperScreen is the Mapper tab: each column with the field it maps to and
// a searchable field picker, its blank cells option (what a push does with
// a cell left blank), Auto-map with a proposal to review, a column added
// from a field, the warnings of ValidateMapping, the key column and
// create-missing setting, and the configuration history with restore. Every
// change goes through the Service and is saved as a configuration version.
type mapperScreen struct {
	mw *MainWindow
	// sheet is the definition the screen shows (re-read after each change).
	sheet *sheets.Sheet
	// fields are the mappable fields of the sheet's object, loaded off the
	// UI goroutine when the tab is shown; nil until then.
	fields  []fieldmap.FieldOption
	columns *widget.List
	issues  []fieldmap.Issue
	issueL  *widget.List
	key     *widget.Select
	create  *widget.Check
	// quiet suppresses the settings' OnChanged while the form is filled in.
	quiet    bool
	versions []mapperVersion
	history  *widget.List
	restore  *widget.Button
	chosen   int // index in versions of the selected version, -1 for none
	verText  *widget.Label
	autoBtn  *widget.Button
	addBtn   *widget.Button
	// rollupBtn opens the roll-up column dialog (mapperrollup.go).
	rollupBtn *widget.Button
	message   *widget.Label
	body      fyne.CanvasObject
	loadedAt  string // the sheet id the fields were loaded for
	// pending is the proposal under review and its dialog, nil when none.
	pending       *proposalReview
	pendingDialog dialog.Dialog
	// pendingRollup is the open roll-up dialog, nil when none.
	pendingRollup *rollupDialog
}

func newMapperScreen(mw *MainWindow) *mapperScreen {
	m := &mapperScreen{mw: mw, chosen: -1, message: widget.NewLabel(""), verText: widget.NewLabel("Select a version to see its mapping.")}
	m.message.Wrapping = fyne.TextWrapWord
	m.verText.Wrapping = fyne.TextWrapWord
	m.columns = widget.NewList(
		func() int { return m.columnCount() },
		func() fyne.CanvasObject {
			name := newTipLabel("column name")
			name.TextStyle.Bold = true
			field := newTipLabel("mapped field")
			pick := widget.NewButtonWithIcon("Field…", theme.SearchIcon(), nil)
			unmap := widget.NewButtonWithIcon("", theme.ContentClearIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(newBlankSelect(), pick, unmap), container.NewGridWithColumns(2, name, field))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { m.updateColumn(i, o) },
	)
	m.columns.OnSelected = func(i widget.ListItemID) {
		m.columns.UnselectAll()
		if m.sheet != nil && i < len(m.sheet.Columns) {
			m.pickField(m.sheet.Columns[i])
		}
	}
	m.issueL = widget.NewList(func() int { return len(m.issues) },
		func() fyne.CanvasObject {
			l := newTipLabel("issue")
			return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(m.issues) {
				return
			}
			is := m.issues[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*tipLabel).SetText(issueText(is))
			c.Objects[1].(*widget.Icon).SetResource(severityIcon(is.Severity))
		})
	m.key = widget.NewSelect(nil, func(string) { m.saveSettings("key column") })
	m.create = widget.NewCheck("Create records for rows not found in Salesforce", func(bool) { m.saveSettings("create missing records") })
	m.history = widget.NewList(func() int { return len(m.versions) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("version")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(m.versions) {
				o.(*widget.Label).SetText(m.versions[i].text)
			}
		})
	m.history.OnSelected = func(i widget.ListItemID) { m.viewVersion(i) }
	m.restore = widget.NewButtonWithIcon("Restore this version", theme.HistoryIcon(), m.confirmRestore)
	m.restore.Disable()
	m.autoBtn = widget.NewButtonWithIcon("Auto-map…", theme.MediaFastForwardIcon(), m.doAutoMap)
	m.autoBtn.Importance = widget.HighImportance
	m.addBtn = widget.NewButtonWithIcon("Add column from field…", theme.ContentAddIcon(), m.pickNewColumn)
	validate := widget.NewButtonWithIcon("Check mapping", theme.ConfirmIcon(), m.validate)

	m.rollupBtn = widget.NewButtonWithIcon("Add roll-up column…", theme.ContentAddIcon(), m.showRollupDialog)
	toolbar := container.NewHBox(m.autoBtn, m.addBtn, m.rollupBtn, validate)
	settings := widget.NewForm(widget.NewFormItem("Key column", m.key), widget.NewFormItem("", m.create))
	head := container.NewVBox(toolbar, settings, m.message)
	colsTitle := boldLabel("Columns (click one to choose its field)")
	issuesBox := container.NewBorder(boldLabel("Warnings"), nil, nil, nil, m.issueL)
	left := container.NewVSplit(container.NewBorder(container.NewVBox(colsTitle, columnsHeader()), nil, nil, nil, m.columns), issuesBox)
	left.Offset = 0.65
	right := container.NewBorder(boldLabel("Configuration history"), container.NewVBox(m.verText, m.restore), nil, nil, m.history)
	split := container.NewHSplit(left, right)
	split.Offset = 0.72
	m.body = container.NewBorder(container.NewPadded(head), nil, nil, nil, split)
	m.reload()
	return m
}

// columnsHeader names the parts of the columns list's rows, each over its
// part: the blank cells title is as wide as the rows' select, and a blank
// as wide as their two buttons follows it.
func columnsHeader() fyne.CanvasObject {
	caption := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle.Italic = true // readable on both themes, unlike LowImportance's grey
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	blank := canvas.NewRectangle(color.Transparent)
	blank.SetMinSize(newBlankSelect().MinSize())
	pick := widget.NewButtonWithIcon("Field…", theme.SearchIcon(), nil).MinSize()
	unmap := widget.NewButtonWithIcon("", theme.ContentClearIcon(), nil).MinSize()
	buttons := canvas.NewRectangle(color.Transparent)
	buttons.SetMinSize(fyne.NewSize(pick.Width+unmap.Width+theme.Padding(), 0))
	right := container.NewHBox(container.NewStack(blank, caption("Blank cells, on push")), buttons)
	return container.NewBorder(nil, nil, nil, right, container.NewGridWithColumns(2, caption("Column"), caption("Salesforce field")))
}

// boldLabel is a section title.
func boldLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	return l
}

func (m *mapperScreen) content() fyne.CanvasObject { return m.body }

// shown re-reads the sheet and, the first time for a sheet, loads the
// object's fields and checks the mapping.
func (m *mapperScreen) shown() {
	m.reload()
	if m.sheet != nil && m.loadedAt != m.sheet.ID {
		m.loadFields()
	}
}

func (m *mapperScreen) columnCount() int {
	if m.sheet == nil {
		return 0
	}
	return len(m.sheet.Columns)
}

// updateColumn fills one row of the columns list.
func (m *mapperScreen) updateColumn(i int, o fyne.CanvasObject) {
	if m.sheet == nil || i >= len(m.sheet.Columns) {
		return
	}
	c := m.sheet.Columns[i]
	row := o.(*fyne.Container)
	labels := row.Objects[0].(*fyne.Container)
	buttons := row.Objects[1].(*fyne.Container)
	labels.Objects[0].(*tipLabel).SetText(grid.TypeGlyph(c.Type) + "  " + c.Name)
	labels.Objects[1].(*tipLabel).SetText(m.mappedText(c))
	blank := buttons.Objects[0].(*widget.Select)
	pick := buttons.Objects[1].(*widget.Button)
	unmap := buttons.Objects[2].(*widget.Button)
	blank.OnChanged = nil // the row may be recycled: no save while it is filled in
	blank.SetSelected(app.BlankPolicyLabel(c.Blank))
	blank.OnChanged = func(label string) { m.setBlank(c, blankPolicyOf(label)) }
	if c.Mapped() && !c.ReadOnly {
		blank.Enable()
	} else {
		blank.Disable() // a local-only or read-only column never pushes
	}
	pick.OnTapped = func() { m.pickField(c) }
	unmap.OnTapped = func() { m.unmap(c) }
	if c.Mapped() {
		unmap.Enable()
	} else {
		unmap.Disable()
	}
}

// mappedText says what a column maps to, with the field's badges once the
// fields are known.
func (m *mapperScreen) mappedText(c sheets.Column) string {
	if c.Rollup != nil {
		return "Σ roll-up: " + c.Rollup.String() + " (computed by every pull)"
	}
	if !c.Mapped() {
		return "not mapped (kept in the sheet only)"
	}
	if i := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.Path == c.Field }); i >= 0 {
		return fieldText(m.fields[i])
	}
	s := "→ " + c.Field
	if c.ReadOnly {
		s += "  [read-only]"
	}
	return s
}

// issueText is one validation finding.
func issueText(is fieldmap.Issue) string {
	if is.ColumnName != "" {
		return fmt.Sprintf("%s: %s", is.ColumnName, is.Message)
	}
	return is.Message
}

func severityIcon(s fieldmap.Severity) fyne.Resource {
	switch s {
	case fieldmap.SeverityError:
		return theme.ErrorIcon()
	case fieldmap.SeverityWarning:
		return theme.WarningIcon()
	}
	return theme.InfoIcon()
}

// reload re-reads the sheet's definition and configuration history and
// fills the screen. Both are local reads.
func (m *mapperScreen) reload() {
	open := m.mw.sheet
	if open == nil {
		return
	}
	sh, err := m.mw.svc.Sheet(open.ID)
	if err != nil {
		m.mw.report(err)
		return
	}
	m.sheet = sh
	m.quiet = true
	opts := []string{noKeyColumn}
	sel := noKeyColumn
	for _, c := range sh.Columns {
		opts = append(opts, c.Name)
		if c.ID == sh.KeyColumn {
			sel = c.Name
		}
	}
	m.key.Options = opts
	m.key.SetSelected(sel)
	m.create.SetChecked(sh.Sync.CreateMissing)
	m.quiet = false
	syncable := sh.Object != ""
	for _, b := range []*widget.Button{m.autoBtn, m.addBtn} {
		if syncable {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if !syncable {
		m.message.SetText("This sheet is not linked to a Salesforce object yet: choose one when importing, or create the sheet from an object.")
	}
	m.columns.Refresh()
	m.loadVersions()
}

// loadFields reads the object's fields and the mapping's issues off the
// UI goroutine (the first describe of an object costs API calls).
func (m *mapperScreen) loadFields() {
	sh := m.sheet
	if sh == nil || sh.Object == "" {
		return
	}
	if m.mw.svc.Status().State != app.StateConnected {
		m.message.SetText("Connect to Salesforce to see the fields of " + sh.Object + " and map columns.")
		return // loaded when the connection comes up (MainWindow.connected)
	}
	m.message.SetText("Reading the fields of " + sh.Object + "…")
	m.mw.goBackground(func() {
		fields, err := m.mw.svc.Fields(m.mw.ctx, sh.ID)
		var issues []fieldmap.Issue
		if err == nil {
			issues, err = m.mw.svc.ValidateMapping(m.mw.ctx, sh.ID)
		}
		uiloop.Do(func() {
			if err != nil {
				m.message.SetText("")
				m.mw.report(fmt.Errorf("read the fields of %s (connect to Salesforce to map columns): %w", sh.Object, err))
				return
			}
			m.fields, m.issues, m.loadedAt = fields, issues, sh.ID
			m.message.SetText(fmt.Sprintf("%s has %d fields a column can map to.", sh.Object, len(fields)))
			m.columns.Refresh()
			m.issueL.Refresh()
		})
	})
}

// validate re-checks the mapping off the UI goroutine.
func (m *mapperScreen) validate() {
	if m.sheet == nil || m.sheet.Object == "" {
		return
	}
	id := m.sheet.ID
	m.mw.goBackground(func() {
		issues, err := m.mw.svc.ValidateMapping(m.mw.ctx, id)
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.issues = issues
			m.issueL.Refresh()
			if len(issues) == 0 {
				m.message.SetText("The mapping has no problems.")
			}
		})
	})
}

// changed refreshes everything after a mapping change saved by the
// Service: the grid (types and headers may differ), this screen and the
// issues.
func (m *mapperScreen) changed(what string, warnings []string) {
	m.mw.reloadSheet()
	m.reload()
	text := what
	if len(warnings) > 0 {
		text += "\n" + strings.Join(warnings, "\n")
	}
	m.message.SetText(text)
	m.mw.info(what)
	m.checkLoaded()
}

// checkLoaded re-validates the mapping against the fields already loaded:
// fieldmap.Validate is pure and quick, so it runs right here.
func (m *mapperScreen) checkLoaded() {
	if m.sheet == nil || m.loadedAt != m.sheet.ID {
		return
	}
	m.issues = fieldmap.Validate(m.sheet, m.fields)
	m.issueL.Refresh()
}

// saveSettings saves the key column and create-missing choice.
func (m *mapperScreen) saveSettings(what string) {
	if m.quiet || m.sheet == nil {
		return
	}
	sh, err := m.mw.svc.Sheet(m.sheet.ID)
	if err != nil {
		m.mw.report(err)
		return
	}
	sh.KeyColumn = ""
	if c, ok := sh.ColumnByName(m.key.Selected); ok && m.key.Selected != noKeyColumn {
		sh.KeyColumn = c.ID
	}
	sh.Sync.CreateMissing = m.create.Checked
	if err := m.mw.svc.SaveSheetSettings(sh, what); err != nil {
		m.mw.report(err)
		return
	}
	m.changed("Saved: "+what, nil)
}

// unmap makes a column local-only.
func (m *mapperScreen) unmap(c sheets.Column) {
	if err := m.mw.svc.UnmapColumn(m.sheet.ID, c.ID); err != nil {
		m.mw.report(err)
		return
	}
	m.changed(fmt.Sprintf("Column %q is no longer mapped", c.Name), nil)
}

// needFields reports whether the fields are loaded, asking to wait if not.
func (m *mapperScreen) needFields() bool {
	if m.fields != nil && m.loadedAt == m.sheet.ID {
		return true
	}
	m.mw.report(fmt.Errorf("the fields of %s are not loaded yet: connect to Salesforce and open the Mapper again", m.sheet.Object))
	m.loadFields()
	return false
}

// pickField opens the field picker for a column and maps it to the field
// chosen.
func (m *mapperScreen) pickField(c sheets.Column) {
	if m.sheet == nil || c.Rollup != nil || !m.needFields() {
		return // a roll-up column is computed, never mapped
	}
	showFieldPicker(m.mw.win, fmt.Sprintf("Map column %q to a field", c.Name), "Map", m.fields, c.Field, m.takenFields(c.ID), func(f fieldmap.FieldOption) { m.mapColumn(c, f) })
}

// takenFields maps the fields the sheet's columns other than except have
// (lower-case path → column name), for the picker to mark.
func (m *mapperScreen) takenFields(except string) map[string]string {
	out := map[string]string{}
	for _, c := range m.sheet.Columns {
		if c.ID != except && c.Field != "" {
			out[strings.ToLower(c.Field)] = c.Name
		}
	}
	return out
}

// mapColumn maps a column to a field (off the UI goroutine: the Service
// reads the describe).
func (m *mapperScreen) mapColumn(c sheets.Column, f fieldmap.FieldOption) {
	id := m.sheet.ID
	m.mw.goBackground(func() {
		warnings, err := m.mw.svc.MapColumnToField(m.mw.ctx, id, c.ID, f.Path)
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Column %q mapped to %s", c.Name, f.Path), warnings)
		})
	})
}

// pickNewColumn adds a column mapped to a field chosen in the picker.
func (m *mapperScreen) pickNewColumn() {
	if m.sheet == nil || !m.needFields() {
		return
	}
	showFieldPicker(m.mw.win, "Add a column for a field", "Add column", m.fields, "", m.takenFields(""), m.addColumn)
}

// addColumn adds a column mapped to the field.
func (m *mapperScreen) addColumn(f fieldmap.FieldOption) {
	id := m.sheet.ID
	m.mw.goBackground(func() {
		col, err := m.mw.svc.AddColumnFromField(m.mw.ctx, id, f.Path)
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Column %q added for %s; the next pull fills it", col.Name, f.Path), nil)
		})
	})
}
