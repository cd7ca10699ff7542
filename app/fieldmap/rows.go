package fieldmap

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"crmsheets/crm"
	"crmsheets/sheets"
)

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

// problem builds a RowProblem whose message names the value and the
// field as the user knows them.
func problem(f *crm.Field, value, code, format string, args ...any) *RowProblem {
	return &RowProblem{
		Field:   f.Name,
		Value:   value,
		Code:    code,
		Message: fmt.Sprintf("Salesforce would reject %s for %s: ", quote(value), cmp.Or(f.Label, f.Name)) + fmt.Sprintf(format, args...),
	}
}

func quote(v string) string {
	if utf8.RuneCountInString(v) > 40 {
		r := []rune(v)
		v = string(r[:40]) + "…"
	}
	return "'" + v + "'"
}

// ValidateRow checks the values a push is about to send for one row
// against the describe, the way Salesforce would: required fields on create
// (and required fields cleared on update), restricted picklist values, text
// length, number range, date and email formats, record id format, and
// whether the field may be written at all. fieldsByColumn holds exactly the
// columns about to be sent (column id → field); a blank cell among them is
// sent as null. For a relationship column (Account.Name) pass the parent's
// field: its value is checked as a value of that field, and whether the
// reference may be written is the resolver's business. A row with problems
// must not be sent; the problems come in column order.
func ValidateRow(sh *sheets.Sheet, row *sheets.Row, fieldsByColumn map[string]*crm.Field, op PushOp) []RowProblem {
	var out []RowProblem
	for _, col := range sh.Columns {
		f, ok := fieldsByColumn[col.ID]
		if !ok || f == nil {
			continue
		}
		v := row.Cells[col.ID]
		for _, p := range checkValue(f, v, op, col.IsRelationship()) {
			p.Column, p.ColumnName = col.ID, col.Name
			out = append(out, *p)
		}
	}
	return out
}

// checkValue lists what Salesforce would refuse in writing v to f.
func checkValue(f *crm.Field, v string, op PushOp, relationship bool) []*RowProblem {
	if !relationship {
		switch {
		case f.Calculated || op == PushCreate && !f.Createable || op == PushUpdate && !f.Updateable:
			return []*RowProblem{problem(f, v, "INVALID_FIELD_FOR_INSERT_UPDATE", "the field cannot be written on %s.", op)}
		case v == "" && op == PushCreate && f.Required():
			return []*RowProblem{problem(f, v, "REQUIRED_FIELD_MISSING", "a value is required to create the record.")}
		case v == "" && op == PushUpdate && !f.Nillable && f.Type != "boolean":
			return []*RowProblem{problem(f, v, "REQUIRED_FIELD_MISSING", "the field is required and cannot be cleared.")}
		}
	}
	if v == "" {
		return nil
	}
	if err := CheckSalesforce(f, v); err != nil {
		var p *RowProblem
		if errors.As(err, &p) {
			return []*RowProblem{p}
		}
		return []*RowProblem{problem(f, v, "INVALID_TYPE_ON_FIELD_IN_RECORD", "%v.", err)}
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
		p := problem(f, bad, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "not an allowed value of this restricted picklist")
		p.Value = v
		out = append(out, p)
	}
	if isText(f.Type) && f.Length > 0 {
		if n := utf8.RuneCountInString(v); n > f.Length {
			out = append(out, problem(f, v, "STRING_TOO_LONG", "%d characters, at most %d allowed.", n, f.Length))
		}
	}
	if p := numberRange(f, v); p != nil {
		out = append(out, p)
	}
	return out
}

// isText reports whether Salesforce limits the type's values by
// Length in characters.
func isText(t string) bool {
	switch t {
	case "string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring":
		return true
	}
	return false
}

// numberRange checks the digits before the decimal point against the
// field's precision and scale (int: digits). Extra decimals are not an
// error: Salesforce rounds them to the scale.
func numberRange(f *crm.Field, v string) *RowProblem {
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
		return problem(f, v, "NUMBER_OUTSIDE_VALID_RANGE", "at most %d digits before the decimal point.", max)
	}
	return nil
}
