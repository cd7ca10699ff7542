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
)

func init() {
	screenFactories = append(screenFactories,
		screenFactory{tabMapper, theme.ListIcon, func(mw *MainWindow) screen { return newMapperScreen(mw) }},
	)
}

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
	message  *widget.Label
	body     fyne.CanvasObject
	loadedAt string // the sheet id the fields were loaded for
	// pending is the proposal under review and its dialog, nil when none.
	pending       *proposalReview
	pendingDialog dialog.Dialog
}

// mapperVersion is one saved configuration as the history list shows it.
type mapperVersion struct {
	n    int
	text string
}

func newMapperScreen(mw *MainWindow) *mapperScreen {
	m := &mapperScreen{mw: mw, chosen: -1, message: widget.NewLabel(""), verText: widget.NewLabel("Select a version to see its mapping.")}
	m.message.Wrapping = fyne.TextWrapWord
	m.verText.Wrapping = fyne.TextWrapWord
	m.columns = widget.NewList(
		func() int { return m.columnCount() },
		func() fyne.CanvasObject {
			name := widget.NewLabel("column name")
			name.TextStyle.Bold = true
			name.Truncation = fyne.TextTruncateEllipsis
			field := widget.NewLabel("mapped field")
			field.Truncation = fyne.TextTruncateEllipsis
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
			l := widget.NewLabel("issue")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(m.issues) {
				return
			}
			is := m.issues[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(issueText(is))
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

	toolbar := container.NewHBox(m.autoBtn, m.addBtn, validate)
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
	labels.Objects[0].(*widget.Label).SetText(grid.TypeGlyph(c.Type) + "  " + c.Name)
	labels.Objects[1].(*widget.Label).SetText(m.mappedText(c))
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

// fieldText is one field as the picker and the columns list show it:
// label, API name, type and badges.
func fieldText(f fieldmap.FieldOption) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) · %s", f.Label, f.Path, f.Type)
	for _, badge := range fieldBadges(f) {
		b.WriteString("  [" + badge + "]")
	}
	return b.String()
}

// fieldBadges are the markers of a field: required, read-only, custom.
func fieldBadges(f fieldmap.FieldOption) []string {
	var out []string
	if f.Required {
		out = append(out, "required")
	}
	if f.ReadOnly {
		out = append(out, "read-only")
	}
	if f.Custom {
		out = append(out, "custom")
	}
	return out
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
		onUI(func() {
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
		onUI(func() {
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
		onUI(func() {
			if err != nil {
				m.mw.report(fmt.Errorf("save the %s: %w", what, err))
				m.columns.Refresh() // show the option still in force
				return
			}
			m.changed("Saved: "+what, nil)
		})
	})
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
	if m.sheet == nil || !m.needFields() {
		return
	}
	showFieldPicker(m.mw.win, fmt.Sprintf("Map column %q to a field", c.Name), "Map", m.fields, c.Field, func(f fieldmap.FieldOption) { m.mapColumn(c, f) })
}

// mapColumn maps a column to a field (off the UI goroutine: the Service
// reads the describe).
func (m *mapperScreen) mapColumn(c sheets.Column, f fieldmap.FieldOption) {
	id := m.sheet.ID
	m.mw.goBackground(func() {
		warnings, err := m.mw.svc.MapColumnToField(m.mw.ctx, id, c.ID, f.Path)
		onUI(func() {
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
	showFieldPicker(m.mw.win, "Add a column for a field", "Add column", m.fields, "", m.addColumn)
}

// addColumn adds a column mapped to the field.
func (m *mapperScreen) addColumn(f fieldmap.FieldOption) {
	id := m.sheet.ID
	m.mw.goBackground(func() {
		col, err := m.mw.svc.AddColumnFromField(m.mw.ctx, id, f.Path)
		onUI(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Column %q added for %s; the next pull fills it", col.Name, f.Path), nil)
		})
	})
}

// doAutoMap asks the Service for a proposal (off the UI goroutine) and
// shows it for review.
func (m *mapperScreen) doAutoMap() {
	if m.sheet == nil {
		return
	}
	id := m.sheet.ID
	m.message.SetText("Looking for fields matching the column names…")
	m.mw.goBackground(func() {
		p, err := m.mw.svc.AutoMap(m.mw.ctx, id)
		onUI(func() {
			m.mw.conn.usageChanged()
			if err != nil {
				m.message.SetText("")
				m.mw.report(err)
				return
			}
			m.review(newProposalReview(p))
		})
	})
}

// proposalReview is an auto-map proposal with the user's per-column choice.
type proposalReview struct {
	p        fieldmap.Proposal
	accepted []bool // per match; confident matches start accepted
}

func newProposalReview(p fieldmap.Proposal) *proposalReview {
	r := &proposalReview{p: p, accepted: make([]bool, len(p.Matches))}
	for i, mt := range p.Matches {
		r.accepted[i] = mt.Kind.Confident()
	}
	return r
}

// chosen is the proposal restricted to the accepted matches.
func (r *proposalReview) chosen() fieldmap.Proposal {
	out := fieldmap.Proposal{Unmatched: r.p.Unmatched}
	for i, mt := range r.p.Matches {
		if r.accepted[i] {
			out.Matches = append(out.Matches, mt)
		}
	}
	return out
}

// acceptAll ticks every match.
func (r *proposalReview) acceptAll() {
	for i := range r.accepted {
		r.accepted[i] = true
	}
}

// review shows a proposal: one line per match with a tick, its field and
// reason; the columns left unmatched and why. Apply maps the ticked ones.
func (m *mapperScreen) review(r *proposalReview) {
	m.message.SetText(fmt.Sprintf("Auto-map proposes %d column(s); %d left unmatched. Review and apply.", len(r.p.Matches), len(r.p.Unmatched)))
	if len(r.p.Matches) == 0 {
		dialog.ShowInformation("Auto-map", "No unmapped column matches a field by name, label or a common name.\nUse the field picker of each column instead.", m.mw.win)
		return
	}
	list := widget.NewList(func() int { return len(r.p.Matches) },
		func() fyne.CanvasObject {
			reason := widget.NewLabel("reason")
			reason.Importance = widget.LowImportance
			reason.Truncation = fyne.TextTruncateEllipsis
			check := widget.NewCheck("column → field", nil)
			return container.NewVBox(check, reason)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(r.p.Matches) {
				return
			}
			mt := r.p.Matches[i]
			box := o.(*fyne.Container)
			check := box.Objects[0].(*widget.Check)
			check.OnChanged = nil
			check.Text = fmt.Sprintf("%s  →  %s", mt.ColumnName, fieldText(mt.Field))
			check.SetChecked(r.accepted[i])
			check.OnChanged = func(on bool) { r.accepted[i] = on }
			box.Objects[1].(*widget.Label).SetText(mt.Kind.String() + ": " + mt.Reason)
		})
	var unmatched []string
	for _, u := range r.p.Unmatched {
		unmatched = append(unmatched, fmt.Sprintf("%s: %s", u.ColumnName, u.Reason))
	}
	note := widget.NewLabel("Exact names and labels are ticked; common names deserve a look.")
	note.Wrapping = fyne.TextWrapWord
	var bottom fyne.CanvasObject = widget.NewLabel("")
	if len(unmatched) > 0 {
		l := widget.NewLabel("Left unmapped:\n" + strings.Join(unmatched, "\n"))
		l.Wrapping = fyne.TextWrapWord
		bottom = container.NewVScroll(l)
		bottom.(*container.Scroll).SetMinSize(fyne.NewSize(0, 90))
	}
	var d *dialog.CustomDialog
	apply := func(all bool) {
		if all {
			r.acceptAll()
		}
		d.Hide()
		m.applyProposal(r.chosen())
	}
	applyAll := widget.NewButton("Accept all", func() { apply(true) })
	applySel := widget.NewButtonWithIcon("Apply ticked", theme.ConfirmIcon(), func() { apply(false) })
	applySel.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	body := container.NewBorder(note, bottom, nil, nil, list)
	d = dialog.NewCustomWithoutButtons("Review the auto-mapping", body, m.mw.win)
	d.SetButtons([]fyne.CanvasObject{cancel, applyAll, applySel})
	d.Resize(fyne.NewSize(820, 520))
	d.Show()
	m.pending = r
	m.pendingDialog = d
}

// applyProposal maps the accepted matches (one configuration version).
func (m *mapperScreen) applyProposal(p fieldmap.Proposal) {
	m.pending, m.pendingDialog = nil, nil
	if len(p.Matches) == 0 {
		m.message.SetText("Nothing applied: no match was ticked.")
		return
	}
	id := m.sheet.ID
	m.mw.goBackground(func() {
		warnings, err := m.mw.svc.ApplyMapping(id, p)
		onUI(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Mapped %d column(s); saved as a new configuration version", len(p.Matches)), warnings)
		})
	})
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

// showFieldPicker is the searchable list of fields: each with label, API
// name, type and badges; the search matches label, API name and type.
// current is pre-selected. choose runs on the UI goroutine.
func showFieldPicker(win fyne.Window, title, confirm string, fields []fieldmap.FieldOption, current string, choose func(fieldmap.FieldOption)) *fieldPicker {
	fp := newFieldPicker(fields, current)
	d := dialog.NewCustomConfirm(title, confirm, "Cancel", fp.body, func(ok bool) {
		if f, chosen := fp.selected(); ok && chosen {
			choose(f)
		}
	}, win)
	d.Resize(fyne.NewSize(640, 520))
	d.Show()
	win.Canvas().Focus(fp.search)
	return fp
}

// fieldPicker is the body of the field picker dialog.
type fieldPicker struct {
	all    []fieldmap.FieldOption
	shown  []fieldmap.FieldOption
	sel    int // index in shown, -1 for none
	search *widget.Entry
	list   *widget.List
	body   fyne.CanvasObject
}

func newFieldPicker(fields []fieldmap.FieldOption, current string) *fieldPicker {
	fp := &fieldPicker{all: fields, sel: -1, search: widget.NewEntry()}
	fp.search.SetPlaceHolder("Search by label, API name or type")
	fp.list = widget.NewList(func() int { return len(fp.shown) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("Label")
			label.TextStyle.Bold = true
			label.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("API name · type")
			detail.Importance = widget.LowImportance
			detail.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(label, detail)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(fp.shown) {
				return
			}
			f := fp.shown[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(f.Label)
			detail := f.Path + " · " + f.Type
			for _, b := range fieldBadges(f) {
				detail += "  [" + b + "]"
			}
			box.Objects[1].(*widget.Label).SetText(detail)
		})
	fp.list.OnSelected = func(i widget.ListItemID) { fp.sel = i }
	fp.list.OnUnselected = func(widget.ListItemID) { fp.sel = -1 }
	fp.search.OnChanged = fp.filter
	fp.filter("")
	if i := slices.IndexFunc(fp.shown, func(f fieldmap.FieldOption) bool { return f.Path == current }); i >= 0 && current != "" {
		fp.list.Select(i)
		fp.list.ScrollTo(i)
	}
	fp.body = container.NewBorder(fp.search, nil, nil, nil, fp.list)
	return fp
}

// filter shows the fields whose label, API name or type contain every
// word of q, case-insensitively.
func (fp *fieldPicker) filter(q string) {
	words := strings.Fields(strings.ToLower(q))
	fp.shown = fp.shown[:0]
	for _, f := range fp.all {
		hay := strings.ToLower(f.Label + " " + f.Path + " " + f.Type + " " + strings.Join(fieldBadges(f), " "))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			fp.shown = append(fp.shown, f)
		}
	}
	fp.sel = -1
	fp.list.UnselectAll()
	fp.list.Refresh()
	if len(fp.shown) == 1 {
		fp.list.Select(0)
	}
}

// selected is the field chosen, if any.
func (fp *fieldPicker) selected() (fieldmap.FieldOption, bool) {
	if fp.sel < 0 || fp.sel >= len(fp.shown) {
		return fieldmap.FieldOption{}, false
	}
	return fp.shown[fp.sel], true
}
