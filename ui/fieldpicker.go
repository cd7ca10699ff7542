package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app/fieldmap"
)

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

// showFieldPicker is the searchable list of fields: each with label, API
// name, type and badges; the search matches label, API name and type.
// current is pre-selected. taken maps the fields other columns already
// have (lower-case path → column name): they are listed greyed, naming
// the column, and cannot be chosen, since the engine refuses two columns
// on one field. choose runs on the UI goroutine.
func showFieldPicker(win fyne.Window, title, confirm string, fields []fieldmap.FieldOption, current string, taken map[string]string, choose func(fieldmap.FieldOption)) *fieldPicker {
	fp := newFieldPicker(fields, current, taken)
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
	// taken: fields other columns have (lower-case path → column name).
	taken map[string]string
	// note says why a taken field cannot be chosen.
	note *widget.Label
}

// takenBy names the column that already has f, or "".
func (fp *fieldPicker) takenBy(f fieldmap.FieldOption) string {
	return fp.taken[strings.ToLower(f.Path)]
}

func newFieldPicker(fields []fieldmap.FieldOption, current string, taken map[string]string) *fieldPicker {
	fp := &fieldPicker{all: fields, sel: -1, search: widget.NewEntry(), taken: taken, note: widget.NewLabel("")}
	fp.note.Wrapping = fyne.TextWrapWord
	fp.note.Importance = widget.WarningImportance
	fp.note.Hide()
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
			label := box.Objects[0].(*widget.Label)
			detail := f.Path + " · " + f.Type
			for _, b := range fieldBadges(f) {
				detail += "  [" + b + "]"
			}
			label.Importance = widget.MediumImportance
			if col := fp.takenBy(f); col != "" {
				detail += fmt.Sprintf("  [taken by column %q]", col)
				label.Importance = widget.LowImportance
			}
			label.SetText(f.Label)
			label.Refresh()
			box.Objects[1].(*widget.Label).SetText(detail)
		})
	fp.list.OnSelected = func(i widget.ListItemID) {
		if i < len(fp.shown) {
			if col := fp.takenBy(fp.shown[i]); col != "" {
				// Refused here rather than by the engine afterwards.
				fp.note.SetText(fmt.Sprintf("%s is already mapped by column %q: unmap it there first, or choose another field.", fp.shown[i].Label, col))
				fp.note.Show()
				fp.sel = -1
				fp.list.Unselect(i)
				return
			}
		}
		fp.note.Hide()
		fp.sel = i
	}
	fp.list.OnUnselected = func(widget.ListItemID) { fp.sel = -1 }
	fp.search.OnChanged = fp.filter
	fp.filter("")
	if i := slices.IndexFunc(fp.shown, func(f fieldmap.FieldOption) bool { return f.Path == current }); i >= 0 && current != "" {
		fp.list.Select(i)
		fp.list.ScrollTo(i)
	}
	fp.body = container.NewBorder(fp.search, fp.note, nil, nil, fp.list)
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
	fp.note.Hide()
	fp.list.UnselectAll()
	fp.list.Refresh()
	if len(fp.shown) == 1 && fp.takenBy(fp.shown[0]) == "" {
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
