package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"crmsheets/app/fieldmap"
	"crmsheets/app/merge"
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
func (e *engine) validatePush(r *sheets.Row, send map[string]merge.Change, create bool) []fieldmap.RowProblem {
	fs := e.pushFields(send, create)
	op := fieldmap.PushUpdate
	if create {
		op = fieldmap.PushCreate
	}
	return append(fieldmap.ValidateRow(fs.sheet, r, fs.fields, op), e.referenceProblems(r, fs.fields)...)
}

// pushFieldSet is one set of fields validatePush checks (see pushFields).
type pushFieldSet struct {
	fields map[string]*crm.Field // by column id
	// sheet is the sheet narrowed to the columns of fields, in its order:
	// ValidateRow walks its columns, so a row sending one column is
	// checked without a lookup for every column of the sheet.
	sheet *sheets.Sheet
}

// pushFields are the fields validatePush checks for a row sending send:
// the same few sets for every row of a push, so they are made once each
// (a map per row was a tenth of a 100k-row push's planning). Read only.
func (e *engine) pushFields(send map[string]merge.Change, create bool) pushFieldSet {
	// The key is the sorted column ids joined by NUL, made on the stack
	// for the few columns a row sends (a lookup by string(key) does not
	// copy it).
	var colBuf [8]string
	var keyBuf [128]byte
	key := append(keyBuf[:0], "\x00create"...)
	if !create {
		cols := colBuf[:0]
		for col := range send {
			cols = append(cols, col)
		}
		slices.Sort(cols)
		key = key[:0]
		for i, col := range cols {
			if i > 0 {
				key = append(key, 0)
			}
			key = append(key, col...)
		}
	}
	if fs, ok := e.fieldSets[string(key)]; ok {
		return fs
	}
	fields := map[string]*crm.Field{}
	for _, bc := range e.b.cols {
		if bc.path || !bc.writable(create) {
			continue
		}
		if _, ok := send[bc.col.ID]; create || ok {
			fields[bc.col.ID] = bc.field
		}
	}
	narrow := *e.sh
	narrow.Columns = nil
	for _, c := range e.sh.Columns {
		if _, ok := fields[c.ID]; ok {
			narrow.Columns = append(narrow.Columns, c)
		}
	}
	fs := pushFieldSet{fields: fields, sheet: &narrow}
	if e.fieldSets == nil {
		e.fieldSets = map[string]pushFieldSet{}
	}
	e.fieldSets[string(key)] = fs
	return fs
}

// loadKeyPrefixes reads the org's key prefixes (describeGlobal, one call
// per run) when the sheet maps a reference field directly, so a reference
// cell holding an id of the wrong object is refused before sending.
func (e *engine) loadKeyPrefixes(ctx context.Context) error {
	if e.keyPrefixes != nil || !slices.ContainsFunc(e.b.cols, func(bc *boundColumn) bool { return !bc.path && bc.field.Type == "reference" }) {
		return nil
	}
	objs, err := e.c.DescribeGlobal(ctx)
	if err != nil {
		e.s.noteCallErr(err)
		return fmt.Errorf("check reference ids of %q: %w", e.sh.Name, err)
	}
	e.keyPrefixes = make(map[string]string, len(objs))
	for _, o := range objs {
		if o.KeyPrefix != "" {
			e.keyPrefixes[o.KeyPrefix] = o.Name
		}
	}
	return nil
}

// anyReference reports whether fields holds a reference field
// referenceProblems checks: most rows send none, and then their check need
// not walk every column of the sheet.
func anyReference(fields map[string]*crm.Field) bool {
	for _, f := range fields {
		if f != nil && f.Type == "reference" && len(f.ReferenceTo) > 0 {
			return true
		}
	}
	return false
}

// referenceProblems refuses reference cells whose id belongs to an object
// the field does not point to (an Account id in Case.ContactId), which
// Salesforce answers with FIELD_INTEGRITY_EXCEPTION: the id's key prefix
// (its first three characters) is compared with the key prefixes of the
// field's referenceTo objects from describeGlobal.
func (e *engine) referenceProblems(r *sheets.Row, fields map[string]*crm.Field) []fieldmap.RowProblem {
	if len(e.keyPrefixes) == 0 || !anyReference(fields) {
		return nil
	}
	var out []fieldmap.RowProblem
	for _, col := range e.sh.Columns {
		f, ok := fields[col.ID]
		v := r.Cells[col.ID]
		if !ok || f == nil || f.Type != "reference" || len(v) < 3 || len(f.ReferenceTo) == 0 {
			continue
		}
		object, known := e.keyPrefixes[v[:3]]
		if !known {
			continue // a prefix describeGlobal does not list: Salesforce decides
		}
		if slices.ContainsFunc(f.ReferenceTo, func(o string) bool { return strings.EqualFold(o, object) }) {
			continue
		}
		out = append(out, fieldmap.RowProblem{
			Column: col.ID, ColumnName: col.Name, Field: f.Name, Value: v, Code: crm.CodeFieldIntegrity,
			Message: fmt.Sprintf("Salesforce would reject %s for %s: it is the id of a %s record, and this field points to %s.",
				v, cmp.Or(f.Label, f.Name), object, strings.Join(f.ReferenceTo, " or ")),
		})
	}
	return out
}
