package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"crmsheets/crm"
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

// MappingIssue is one finding about a sheet's mapping, worded for the
// sales-ops person who has to act on it.
type MappingIssue struct {
	Severity   Severity
	Column     string // column id; "" for issues of the whole mapping
	ColumnName string
	Field      string // the field path concerned, if any
	Message    string
}

// ValidateMapping checks a sheet's mapping against the object's fields (as
// MappableFields lists them): fields that no longer exist, two columns on one
// field, column types that do not fit the field (a date column to a text
// field is fine, a text column to a number field warns, a date column to a
// checkbox is an error), read-only fields (pull-only), required fields a
// create needs (an error when the sheet creates missing records, info
// otherwise) and an unmapped key column. Issues come errors first, then
// warnings, then info, each in column order.
func ValidateMapping(sh *sheets.Sheet, fields []FieldOption) []MappingIssue {
	byPath := make(map[string]*FieldOption, len(fields))
	for i := range fields {
		byPath[strings.ToLower(fields[i].Path)] = &fields[i]
	}
	object := cmp.Or(sh.Object, "the object")
	var issues []MappingIssue
	add := func(sev Severity, c sheets.Column, field, format string, args ...any) {
		issues = append(issues, MappingIssue{Severity: sev, Column: c.ID, ColumnName: c.Name, Field: field, Message: fmt.Sprintf(format, args...)})
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
		if sev, why := validateTypeFit(c.Type, f); sev != 0 {
			add(sev, c, f.Path, "Column %q (%s) is mapped to %s (%s, %s): %s", c.Name, strings.ToLower(c.Type.Label()), f.Label, f.Path, f.Type, why)
		}
	}
	for _, f := range fields {
		if !f.Required || f.IsPath() || covered[strings.ToLower(f.Path)] {
			continue
		}
		if sh.Sync.CreateMissing {
			issues = append(issues, MappingIssue{Severity: SeverityError, Field: f.Path, Message: fmt.Sprintf(
				"Creating %s records needs %s (%s), which no column is mapped to. Map a column to it, or turn off creating missing records.", object, f.Label, f.Path)})
		} else {
			issues = append(issues, MappingIssue{Severity: SeverityInfo, Field: f.Path, Message: fmt.Sprintf(
				"%s (%s) is required to create %s records; no column is mapped to it, so this sheet can update records but not create them.", f.Label, f.Path, object)})
		}
	}
	if sh.KeyColumn != "" {
		if kc, ok := sh.Column(sh.KeyColumn); ok && !kc.Mapped() {
			add(SeverityWarning, kc, "", "Key column %q is not mapped to a field, so rows without a record id cannot be matched in Salesforce. Map it (for example to Email) or choose another key column.", kc.Name)
		}
	}
	slices.SortStableFunc(issues, func(a, b MappingIssue) int {
		if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
			return c
		}
		return cmp.Compare(sh.ColumnIndex(a.Column), sh.ColumnIndex(b.Column))
	})
	return issues
}

// validateTypeFit says whether a column of type ct can hold values of the
// field: 0 when it fits, a warning when some values will not (text to a
// number), an error when none can (a date column to a checkbox).
func validateTypeFit(ct sheets.Type, f *FieldOption) (Severity, string) {
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

// PushOp is the operation a row's values are validated for.
type PushOp uint8

// Push operations.
const (
	PushUpdate PushOp = iota + 1
	PushCreate
)

// String returns "update" or "create".
func (o PushOp) String() string {
	if o == PushCreate {
		return "create"
	}
	return "update"
}

// ErrWouldBeRejected is matched (errors.Is) by every *RowProblem: a value
// Salesforce would refuse, caught before sending.
var ErrWouldBeRejected = errors.New("Salesforce would reject the value")

// RowProblem is one value of a row that Salesforce would refuse. Code is
// the status code Salesforce would answer with (REQUIRED_FIELD_MISSING,
// INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, STRING_TOO_LONG,
// NUMBER_OUTSIDE_VALID_RANGE, INVALID_TYPE_ON_FIELD_IN_RECORD,
// INVALID_EMAIL_ADDRESS, MALFORMED_ID, INVALID_FIELD_FOR_INSERT_UPDATE), so
// history shows checks caught early like errors Salesforce returned.
type RowProblem struct {
	Column     string // column id ("" when converting a lone value)
	ColumnName string
	Field      string // field API name
	Value      string // canonical cell text
	Code       string
	Message    string
}

// Error returns the message, written for the user.
func (p *RowProblem) Error() string { return p.Message }

// Is makes errors.Is(err, ErrWouldBeRejected) true for every RowProblem.
func (p *RowProblem) Is(target error) bool { return target == ErrWouldBeRejected }

// validateProblem builds a RowProblem whose message names the value and the
// field as the user knows them.
func validateProblem(f *crm.Field, value, code, format string, args ...any) *RowProblem {
	return &RowProblem{
		Field:   f.Name,
		Value:   value,
		Code:    code,
		Message: fmt.Sprintf("Salesforce would reject %s for %s: ", validateQuote(value), cmp.Or(f.Label, f.Name)) + fmt.Sprintf(format, args...),
	}
}

func validateQuote(v string) string {
	if utf8.RuneCountInString(v) > 40 {
		r := []rune(v)
		v = string(r[:40]) + "…"
	}
	return "'" + v + "'"
}

// ValidateRowForPush checks the values a push is about to send for one row
// against the describe, the way Salesforce would: required fields on create
// (and required fields cleared on update), restricted picklist values, text
// length, number range, date and email formats, record id format, and
// whether the field may be written at all. fieldsByColumn holds exactly the
// columns about to be sent (column id → field); a blank cell among them is
// sent as null. For a relationship column (Account.Name) pass the parent's
// field: its value is checked as a value of that field, and whether the
// reference may be written is the resolver's business. A row with problems
// must not be sent; the problems come in column order.
func ValidateRowForPush(sh *sheets.Sheet, row *sheets.Row, fieldsByColumn map[string]*crm.Field, op PushOp) []RowProblem {
	var out []RowProblem
	for _, col := range sh.Columns {
		f, ok := fieldsByColumn[col.ID]
		if !ok || f == nil {
			continue
		}
		v := row.Cells[col.ID]
		for _, p := range validateFieldValue(f, v, op, col.IsRelationship()) {
			p.Column, p.ColumnName = col.ID, col.Name
			out = append(out, *p)
		}
	}
	return out
}

// validateFieldValue lists what Salesforce would refuse in writing v to f.
func validateFieldValue(f *crm.Field, v string, op PushOp, relationship bool) []*RowProblem {
	if !relationship {
		switch {
		case f.Calculated || op == PushCreate && !f.Createable || op == PushUpdate && !f.Updateable:
			return []*RowProblem{validateProblem(f, v, "INVALID_FIELD_FOR_INSERT_UPDATE", "the field cannot be written on %s.", op)}
		case v == "" && op == PushCreate && f.Required():
			return []*RowProblem{validateProblem(f, v, "REQUIRED_FIELD_MISSING", "a value is required to create the record.")}
		case v == "" && op == PushUpdate && !f.Nillable && f.Type != "boolean":
			return []*RowProblem{validateProblem(f, v, "REQUIRED_FIELD_MISSING", "the field is required and cannot be cleared.")}
		}
	}
	if v == "" {
		return nil
	}
	if _, err := ToSalesforceValue(f, v); err != nil {
		var p *RowProblem
		if errors.As(err, &p) {
			return []*RowProblem{p}
		}
		return []*RowProblem{validateProblem(f, v, "INVALID_TYPE_ON_FIELD_IN_RECORD", "%v.", err)}
	}
	var out []*RowProblem
	if !f.AllowsValue(v) {
		bad := v
		if f.Type == "multipicklist" {
			for _, item := range strings.Split(v, ";") {
				if !f.AllowsValue(item) {
					bad = item
					break
				}
			}
		}
		p := validateProblem(f, bad, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "not an allowed value of this restricted picklist")
		p.Value = v
		out = append(out, p)
	}
	if validateIsText(f.Type) && f.Length > 0 {
		if n := utf8.RuneCountInString(v); n > f.Length {
			out = append(out, validateProblem(f, v, "STRING_TOO_LONG", "%d characters, at most %d allowed.", n, f.Length))
		}
	}
	if p := validateNumberRange(f, v); p != nil {
		out = append(out, p)
	}
	return out
}

// validateIsText reports whether Salesforce limits the type's values by
// Length in characters.
func validateIsText(t string) bool {
	switch t {
	case "string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring":
		return true
	}
	return false
}

// validateNumberRange checks the digits before the decimal point against the
// field's precision and scale (int: digits). Extra decimals are not an
// error: Salesforce rounds them to the scale.
func validateNumberRange(f *crm.Field, v string) *RowProblem {
	var max int
	switch f.Type {
	case "double", "currency", "percent":
		if f.Precision == 0 {
			return nil
		}
		max = f.Precision - f.Scale
	case "int":
		max = f.Digits
	default:
		return nil
	}
	if max <= 0 {
		return nil
	}
	num, err := sheets.ParseNumber(v)
	if err != nil {
		return nil // reported by the conversion
	}
	intDigits := len(strconv.FormatFloat(math.Trunc(math.Abs(num)), 'f', 0, 64))
	if math.Abs(num) < 1 {
		intDigits = 0
	}
	if intDigits > max {
		return validateProblem(f, v, "NUMBER_OUTSIDE_VALID_RANGE", "at most %d digits before the decimal point.", max)
	}
	return nil
}

// ToSalesforceValue turns canonical cell text into the JSON value sent for
// the field: numbers as float64 (int fields as int64), booleans as bool,
// dates "YYYY-MM-DD", datetimes "2006-01-02T15:04:05.000Z" in UTC,
// multi-select picklists "a;b", ids checked for shape and checksum, emails
// checked for form, everything else as the text itself. A blank cell is nil
// (null: the field is cleared). A value of the wrong type is a *RowProblem
// naming the value and the field.
func ToSalesforceValue(f *crm.Field, canonical string) (any, error) {
	if canonical == "" {
		return nil, nil
	}
	switch f.Type {
	case "boolean":
		b, err := sheets.Parse(sheets.TypeBool, canonical, nil)
		if err != nil {
			return nil, validateProblem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "use true or false.")
		}
		return b == "true", nil
	case "double", "currency", "percent":
		n, err := sheets.ParseNumber(canonical)
		if err != nil {
			return nil, validateProblem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a number.")
		}
		return n, nil
	case "int", "long":
		n, err := sheets.ParseNumber(canonical)
		if err != nil || n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, validateProblem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a whole number.")
		}
		return int64(n), nil
	case "date":
		if d, err := time.Parse(sheets.DateLayout, canonical); err == nil {
			return d.Format(sheets.DateLayout), nil
		}
		if ts, err := sheets.ParseDateTime(canonical); err == nil {
			return ts.UTC().Format(sheets.DateLayout), nil
		}
		return nil, validateProblem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a date (YYYY-MM-DD).")
	case "datetime":
		if ts, err := sheets.ParseDateTime(canonical); err == nil {
			return ts.UTC().Format(sheets.DateTimeLayout), nil
		}
		if d, err := time.Parse(sheets.DateLayout, canonical); err == nil {
			return d.Format(sheets.DateTimeLayout), nil
		}
		return nil, validateProblem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a date and time.")
	case "multipicklist":
		return validateJoinItems(canonical), nil
	case "reference", "id":
		if !crm.ValidID(canonical) {
			return nil, validateProblem(f, canonical, "MALFORMED_ID", "not a Salesforce record id (15 or 18 letters and digits).")
		}
		return canonical, nil
	case "email":
		if _, err := sheets.Parse(sheets.TypeEmail, canonical, nil); err != nil {
			return nil, validateProblem(f, canonical, "INVALID_EMAIL_ADDRESS", "not a valid email address.")
		}
		return canonical, nil
	}
	return canonical, nil
}

// validateJoinItems is the canonical multi-select spelling: items trimmed,
// blanks dropped, joined with ";".
func validateJoinItems(s string) string {
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ";")
}

// FromSalesforceValue turns a value of a field of the given Salesforce type,
// as decoded from a query's JSON, into canonical cell text: what a pull
// stores and what the three-way merge compares. null is blank; numbers are
// written without exponent or grouping; datetimes such as
// "2024-05-01T10:00:00.000+0000" become UTC "2024-05-01T10:00:00.000Z";
// text is trimmed as Parse trims it (long text is kept as is). A value that
// does not parse as its type is kept as text rather than lost.
func FromSalesforceValue(fieldType string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return sheets.FormatNumber(x)
	case float32:
		return sheets.FormatNumber(float64(x))
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return sheets.FormatNumber(f)
		}
		return x.String()
	case string:
		return validateCanonicalString(fieldType, x)
	}
	b, err := json.Marshal(v) // compound values (address, location)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func validateCanonicalString(fieldType, s string) string {
	if fieldType == "textarea" {
		return s
	}
	s = strings.TrimSpace(s)
	switch fieldType {
	case "datetime":
		if ts, err := sheets.ParseDateTime(s); err == nil {
			return ts.UTC().Format(sheets.DateTimeLayout)
		}
		if d, err := time.Parse(sheets.DateLayout, s); err == nil {
			return d.Format(sheets.DateTimeLayout)
		}
	case "date":
		if ts, err := sheets.ParseDateTime(s); err == nil {
			return ts.UTC().Format(sheets.DateLayout)
		}
	case "double", "currency", "percent", "int", "long":
		if f, err := sheets.ParseNumber(s); err == nil {
			return sheets.FormatNumber(f)
		}
	case "boolean":
		if b, err := sheets.Parse(sheets.TypeBool, s, nil); err == nil {
			return b
		}
	case "multipicklist":
		return validateJoinItems(s)
	}
	return s
}
