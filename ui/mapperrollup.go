package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// rollupDialog is the Mapper's "Add roll-up column" form: which related
// records (Opportunities, Cases…), which function and field, an optional
// condition and the column's name. The Service checks the roll-up with
// Salesforce and fills the column before the dialog closes.
type rollupDialog struct {
	m        *mapperScreen
	children []app.RollupChild
	child    *widget.Select
	fn       *widget.Select
	field    *widget.Select
	where    *widget.Entry
	name     *widget.Entry
	d        *dialog.FormDialog
}

// childLabel names a kind of related record in the select.
func childLabel(c app.RollupChild) string { return c.Label + " (" + c.Object + "." + c.Via + ")" }

// showRollupDialog loads what can be rolled up (off the UI goroutine: it
// reads describes), then opens the form.
func (m *mapperScreen) showRollupDialog() {
	if m.sheet == nil {
		return
	}
	id := m.sheet.ID
	m.mw.goBackground(func() {
		children, err := m.mw.svc.RollupChildren(m.mw.ctx, id)
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.openRollupDialog(children)
		})
	})
}

func (m *mapperScreen) openRollupDialog(children []app.RollupChild) *rollupDialog {
	rd := &rollupDialog{m: m, children: children}
	labels := make([]string, len(children))
	for i, c := range children {
		labels[i] = childLabel(c)
	}
	rd.field = widget.NewSelect(nil, nil)
	rd.fn = widget.NewSelect(app.RollupFuncs, func(string) { rd.fillFields() })
	rd.child = widget.NewSelect(labels, func(string) { rd.fillFields() })
	rd.where = widget.NewEntry()
	rd.where.SetPlaceHolder("e.g. StageName = 'Closed Won' (optional)")
	rd.name = widget.NewEntry()
	rd.name.SetPlaceHolder("e.g. Won amount (optional)")
	rd.fn.SetSelected("sum")
	items := []*widget.FormItem{
		widget.NewFormItem("Related records", rd.child),
		widget.NewFormItem("Function", rd.fn),
		widget.NewFormItem("Field", rd.field),
		widget.NewFormItem("Only where", rd.where),
		widget.NewFormItem("Column name", rd.name),
	}
	rd.d = dialog.NewForm("Add a roll-up column", "Add", "Cancel", items, func(ok bool) {
		if ok {
			rd.add()
		}
	}, m.mw.win)
	rd.d.Resize(fyne.NewSize(560, 360))
	rd.d.Show()
	m.pendingRollup = rd
	return rd
}

// chosenChild is the related records chosen, nil for none.
func (rd *rollupDialog) chosenChild() *app.RollupChild {
	for i, c := range rd.children {
		if childLabel(c) == rd.child.Selected {
			return &rd.children[i]
		}
	}
	return nil
}

// fillFields offers the fields the chosen function can take: numbers for
// sum and average, numbers and dates for min and max, any record to count,
// any field for the latest child's value.
func (rd *rollupDialog) fillFields() {
	ch := rd.chosenChild()
	var opts []string
	if ch != nil {
		for _, f := range ch.Fields {
			switch {
			case !f.Takes(rd.fn.Selected):
			case rd.fn.Selected == "count":
				opts = append(opts, "records ("+f.Name+")")
			default:
				opts = append(opts, f.Name)
			}
		}
	}
	rd.field.Options = opts
	rd.field.ClearSelected()
	if len(opts) > 0 {
		rd.field.SetSelected(opts[0])
	}
	rd.field.Refresh()
}

// add asks the Service to add the roll-up (it checks it with Salesforce
// and fills the column) and shows the result in the Mapper.
func (rd *rollupDialog) add() {
	m := rd.m
	ch := rd.chosenChild()
	if ch == nil {
		m.mw.report(fmt.Errorf("choose which related records to roll up"))
		return
	}
	field := rd.field.Selected
	if strings.HasPrefix(field, "records (") {
		field = strings.TrimSuffix(strings.TrimPrefix(field, "records ("), ")")
	}
	r := sheets.Rollup{Func: rd.fn.Selected, Child: ch.Object, Via: ch.Via, Field: field, Where: strings.TrimSpace(rd.where.Text)}
	name, id := strings.TrimSpace(rd.name.Text), m.sheet.ID
	m.mw.goBackground(func() {
		col, err := m.mw.svc.AddRollupColumn(m.mw.ctx, id, name, r)
		uiloop.Do(func() {
			m.pendingRollup = nil
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Roll-up column %q added: %s, refreshed by every pull", col.Name, col.Rollup), nil)
		})
	})
}
