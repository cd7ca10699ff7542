package app

import (
	"crmsheets/app/fieldmap"
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
		return fieldmap.FromSalesforce(bc.field.Type, v)
	}
	return fieldmap.FromSalesforce(fieldmap.SalesforceTypeOf(bc.col.Type), v)
}

// valueToSalesforce turns a canonical cell into the JSON value to send;
// "" is sent as null (a cleared field).
func valueToSalesforce(f *crm.Field, canonical string) (any, error) {
	if canonical == "" {
		return nil, nil
	}
	return fieldmap.ToSalesforce(f, canonical)
}

// valueType is the Salesforce type of the values a bound column is
// compared with in a query: its field's type, or for a relationship path
// the type its column holds.
func (bc *boundColumn) valueType() string {
	if !bc.path && bc.field != nil {
		return bc.field.Type
	}
	return fieldmap.SalesforceTypeOf(bc.col.Type)
}

// validatePush checks the values a push is about to send with the mapper's
// fieldmap.ValidateRow: the columns to send for an update, every writable
// mapped column for a create (so a blank required field is caught).
// Relationship columns are checked by their resolution instead. It returns
// the problems in column order.
func (e *engine) validatePush(r *sheets.Row, send map[string]bool, create bool) []fieldmap.RowProblem {
	fields := map[string]*crm.Field{}
	for _, bc := range e.b.cols {
		if bc.path || !bc.writable(create) {
			continue
		}
		if create || send[bc.col.ID] {
			fields[bc.col.ID] = bc.field
		}
	}
	op := fieldmap.PushUpdate
	if create {
		op = fieldmap.PushCreate
	}
	return fieldmap.ValidateRow(e.sh, r, fields, op)
}
