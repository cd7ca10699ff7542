package fieldmap

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"crmsheets/sheets"
)

// Severity ranks a mapping issue: errors stop a push, warnings deserve a
// look, info explains.
type Severity uint8

// Severities of mapping issues, most severe first.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
	SeverityInfo
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return "unknown"
}

// Issue is one finding about a sheet's mapping, worded for the
// sales-ops person who has to act on it.
type Issue struct {
	Severity   Severity
	Column     string // column id; "" for issues of the whole mapping
	ColumnName string
	Field      string // the field path concerned, if any
	Message    string
}

// Validate checks a sheet's mapping against the object's fields (as
// MappableFields lists them): fields that no longer exist, two columns on one
// field, column types that do not fit the field (a date column to a text
// field is fine, a text column to a number field warns, a date column to a
// checkbox is an error), read-only fields (pull-only), required fields a
// create needs (an error when the sheet creates missing records, info
// otherwise) and an unmapped key column. Issues come errors first, then
// warnings, then info, each in column order.
func Validate(sh *sheets.Sheet, fields []FieldOption) []Issue {
	byPath := make(map[string]*FieldOption, len(fields))
	for i := range fields {
		byPath[strings.ToLower(fields[i].Path)] = &fields[i]
	}
	object := cmp.Or(sh.Object, "the object")
	var issues []Issue
	add := func(sev Severity, c sheets.Column, field, format string, args ...any) {
		issues = append(issues, Issue{Severity: sev, Column: c.ID, ColumnName: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	used := map[string]string{}  // lower-case path → first column name
	covered := map[string]bool{} // own field names set by some column
	for _, c := range sh.Columns {
		if !c.Mapped() {
			continue
		}
		f, ok := byPath[strings.ToLower(c.Field)]
		if !ok {
			add(SeverityError, c, c.Field, "Column %q is mapped to %s, which %s no longer has (deleted or renamed in Salesforce?). Map the column to another field or unmap it.", c.Name, c.Field, object)
			continue
		}
		if first, dup := used[strings.ToLower(f.Path)]; dup {
			add(SeverityError, c, f.Path, "Columns %q and %q are both mapped to %s (%s). Map one of them to another field.", first, c.Name, f.Label, f.Path)
			continue
		}
		used[strings.ToLower(f.Path)] = c.Name
		covered[strings.ToLower(f.Path)] = true
		if f.ResolvesTo != "" {
			covered[strings.ToLower(f.ResolvesTo)] = true
		}
		if f.ReadOnly {
			add(SeverityInfo, c, f.Path, "Column %q is pull-only: %s (%s) is read-only in Salesforce, so edits in this column are never sent and are replaced by Salesforce's value on the next sync.", c.Name, f.Label, f.Path)
		}
		if sev, why := typeFit(c.Type, f); sev != 0 {
			add(sev, c, f.Path, "Column %q (%s) is mapped to %s (%s, %s): %s", c.Name, strings.ToLower(c.Type.Label()), f.Label, f.Path, f.Type, why)
		}
	}
	for _, f := range fields {
		if !f.Required || f.IsPath() || covered[strings.ToLower(f.Path)] {
			continue
		}
		if sh.Sync.CreateMissing {
			issues = append(issues, Issue{Severity: SeverityError, Field: f.Path, Message: fmt.Sprintf(
				"Creating %s records needs %s (%s), which no column is mapped to. Map a column to it, or turn off creating missing records.", object, f.Label, f.Path)})
		} else {
			issues = append(issues, Issue{Severity: SeverityInfo, Field: f.Path, Message: fmt.Sprintf(
				"%s (%s) is required to create %s records; no column is mapped to it, so this sheet can update records but not create them.", f.Label, f.Path, object)})
		}
	}
	if sh.KeyColumn != "" {
		if kc, ok := sh.Column(sh.KeyColumn); ok && !kc.Mapped() {
			add(SeverityWarning, kc, "", "Key column %q is not mapped to a field, so rows without a record id cannot be matched in Salesforce. Map it (for example to Email) or choose another key column.", kc.Name)
		}
	}
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
			return c
		}
		return cmp.Compare(sh.ColumnIndex(a.Column), sh.ColumnIndex(b.Column))
	})
	return issues
}

// typeFit says whether a column of type ct can hold values of the
// field: 0 when it fits, a warning when some values will not (text to a
// number), an error when none can (a date column to a checkbox).
func typeFit(ct sheets.Type, f *FieldOption) (Severity, string) {
	ft := f.SheetType()
	if ct == ft || ct == "" && ft == sheets.TypeText {
		return 0, ""
	}
	change := fmt.Sprintf("change the column type to %s to check values as they are typed", ft.Label())
	textual := ct == sheets.TypeText || ct == sheets.TypeTextArea || ct == ""
	switch ft {
	case sheets.TypeText, sheets.TypeTextArea, sheets.TypePhone:
		return 0, "" // any value can be written as text
	case sheets.TypeNumber, sheets.TypeCurrency, sheets.TypePercent:
		if ct.Numeric() {
			return 0, ""
		}
		if textual {
			return SeverityWarning, "cells that are not numbers will be refused before sending; " + change + "."
		}
	case sheets.TypeDate:
		if ct == sheets.TypeDateTime {
			return SeverityWarning, "only the date is sent, the time of day is dropped."
		}
		if textual {
			return SeverityWarning, "cells that are not dates (YYYY-MM-DD) will be refused before sending; " + change + "."
		}
	case sheets.TypeDateTime:
		if ct == sheets.TypeDate {
			return SeverityWarning, "dates are sent as midnight UTC."
		}
		if textual {
			return SeverityWarning, "cells that are not date-times will be refused before sending; " + change + "."
		}
	case sheets.TypePicklist, sheets.TypeMultiPicklist:
		if ct == sheets.TypePicklist || ct == sheets.TypeMultiPicklist {
			if ct == sheets.TypeMultiPicklist && ft == sheets.TypePicklist {
				return SeverityWarning, "a cell with several values will be refused: the field takes one."
			}
			return 0, ""
		}
		if textual && f.Restricted {
			return SeverityWarning, "the picklist is restricted, so cells with other values will be refused; change the column type to " + ft.Label() + " to choose from its values."
		}
		if textual {
			return 0, ""
		}
	case sheets.TypeBool, sheets.TypeReference, sheets.TypeEmail, sheets.TypeURL:
		if textual {
			return SeverityWarning, "cells that are not valid for this field will be refused before sending; " + change + "."
		}
	}
	return SeverityError, fmt.Sprintf("a %s column cannot hold %s values; change the column type to %s or map another field.",
		strings.ToLower(ct.Label()), strings.ToLower(ft.Label()), ft.Label())
}
