package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app/fieldmap"
	"crmsheets/ui/uiloop"
)

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
		uiloop.Do(func() {
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
		r.accepted[i] = mt.Basis.Confident()
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
			// SetText repaints: setting Text and then a tick that did not
			// change left the template's "column → field" on screen.
			check.SetText(fmt.Sprintf("%s  →  %s", mt.ColumnName, fieldText(mt.Field)))
			check.SetChecked(r.accepted[i])
			check.OnChanged = func(on bool) { r.accepted[i] = on }
			box.Objects[1].(*widget.Label).SetText(mt.Basis.String() + ": " + mt.Reason)
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
	d.Resize(fitSize(m.mw.win, fyne.NewSize(820, 520)))
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
		uiloop.Do(func() {
			if err != nil {
				m.mw.report(err)
				return
			}
			m.changed(fmt.Sprintf("Mapped %d column(s); saved as a new configuration version", len(p.Matches)), warnings)
		})
	})
}
