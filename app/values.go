package app

import (
	"crmsheets/crm"
	"crmsheets/sheets"
)

// cellFromSalesforce turns a queried value into canonical cell text with
// the mapper's conversion. Relationship paths are converted by the column's
// own type (the parent field's describe is not needed to read them).
func cellFromSalesforce(bc *boundColumn, v any) string {
	if v == nil {
		return ""
	}
	if !bc.path && bc.field != nil {
		return FromSalesforceValue(bc.field.Type, v)
	}
	return FromSalesforceValue(salesforceTypeOf(bc.col.Type), v)
}

// valueToSalesforce turns a canonical cell into the JSON value to send;
// "" is sent as null (a cleared field).
func valueToSalesforce(f *crm.Field, canonical string) (any, error) {
	if canonical == "" {
		return nil, nil
	}
	return ToSalesforceValue(f, canonical)
}

// salesforceTypeOf is the Salesforce field type whose values a column of
// type t holds, for reading relationship paths.
func salesforceTypeOf(t sheets.Type) string {
	switch t {
	case sheets.TypeNumber:
		return "double"
	case sheets.TypeBool:
		return "boolean"
	case sheets.TypeReference:
		return "reference"
	case sheets.TypeText:
		return "string"
	}
	return string(t)
}

// validatePush checks the values a push is about to send with the mapper's
// ValidateRowForPush: the columns to send for an update, every writable
// mapped column for a create (so a blank required field is caught).
// Relationship columns are checked by their resolution instead. It returns
// the problems in column order.
func (e *engine) validatePush(r *sheets.Row, send map[string]bool, create bool) []RowProblem {
	fields := map[string]*crm.Field{}
	for _, bc := range e.b.cols {
		if bc.path || !bc.writable(create) {
			continue
		}
		if create || send[bc.col.ID] {
			fields[bc.col.ID] = bc.field
		}
	}
	op := PushUpdate
	if create {
		op = PushCreate
	}
	return ValidateRowForPush(e.sh, r, fields, op)
}
