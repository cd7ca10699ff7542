package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// boundColumn is a mapped column tied to the org's describe of the sheet's
// object: what to select on pull, what to send on push.
type boundColumn struct {
	col sheets.Column
	// field is the object's own field; for a relationship path it is the
	// reference field the path goes through (Account.Name → AccountId).
	field *crm.Field
	// path is set for relationship columns ("Account.Name").
	path        bool
	relName     string   // "Account"
	parentField string   // "Name"
	parents     []string // objects the reference may point to, in order
}

// writable reports whether a push may send this column for the operation.
func (b *boundColumn) writable(create bool) bool {
	if b.col.ReadOnly || b.field == nil || b.field.Calculated {
		return false
	}
	if create {
		return b.field.Createable
	}
	return b.field.Updateable
}

// binding is a sheet's mapping resolved against the describe.
type binding struct {
	object  string
	desc    *crm.ObjectDescribe
	cols    []*boundColumn
	byCol   map[string]*boundColumn
	key     *boundColumn // the key column when mapped, else nil
	missing []string     // columns whose field no longer exists, in words
	// pathCols are the bound columns that map a relationship path
	// (bc.path), in column order: per-row checks for them look these up
	// instead of walking every column a row sends.
	pathCols []*boundColumn
}

// bind resolves the sheet's mapped columns against the object's describe
// (cached by the client: one call the first time).
func bind(ctx context.Context, c *crm.Client, sh *sheets.Sheet) (*binding, error) {
	if sh.Object == "" {
		return nil, fmt.Errorf("sheet %q: %w", sh.Name, ErrNotSyncable)
	}
	d, err := c.Describe(ctx, sh.Object)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sh.Name, err) // crm names the describe
	}
	b := &binding{object: d.Name, desc: d, byCol: map[string]*boundColumn{}}
	for _, col := range sh.Columns {
		if !col.Mapped() {
			continue
		}
		bc := &boundColumn{col: col}
		if rel, parentField, ok := strings.Cut(col.Field, "."); ok {
			ref := referenceByRelationship(d, rel)
			if ref == nil || strings.Contains(parentField, ".") {
				b.missing = append(b.missing, fmt.Sprintf("column %q maps to %s, which %s does not have", col.Name, col.Field, d.Name))
				continue
			}
			bc.path, bc.relName, bc.parentField, bc.field = true, ref.RelationshipName, parentField, ref
			bc.parents = slices.Clone(ref.ReferenceTo)
		} else {
			f, ok := d.Field(col.Field)
			if !ok {
				b.missing = append(b.missing, fmt.Sprintf("column %q maps to %s.%s, which no longer exists", col.Name, d.Name, col.Field))
				continue
			}
			bc.field = f
		}
		b.cols = append(b.cols, bc)
		b.byCol[col.ID] = bc
		if bc.path {
			b.pathCols = append(b.pathCols, bc)
		}
		if col.ID == sh.KeyColumn {
			b.key = bc
		}
	}
	if len(b.cols) == 0 {
		return nil, fmt.Errorf("sheet %q has no column mapped to a field of %s: %w", sh.Name, d.Name, ErrNotSyncable)
	}
	return b, nil
}

// referenceByRelationship finds the reference field behind a relationship
// name ("Account" → AccountId, "Owner" → OwnerId).
func referenceByRelationship(d *crm.ObjectDescribe, rel string) *crm.Field {
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Type == "reference" && strings.EqualFold(f.RelationshipName, rel) {
			return f
		}
	}
	return nil
}

// selectFields lists what a query selects: Id, LastModifiedDate and every
// bound column's field or path, each once.
func (b *binding) selectFields(extra ...string) []string {
	out := []string{"Id", "LastModifiedDate"}
	seen := map[string]bool{"id": true, "lastmodifieddate": true}
	add := func(f string) {
		if !seen[strings.ToLower(f)] {
			seen[strings.ToLower(f)] = true
			out = append(out, f)
		}
	}
	for _, f := range extra {
		add(f)
	}
	for _, bc := range b.cols {
		if bc.path {
			add(bc.relName + "." + bc.parentField)
		} else {
			add(bc.field.Name)
		}
	}
	return out
}

// queryPath is the key of a bound column's value in a queried record.
func (bc *boundColumn) queryPath() string {
	if bc.path {
		return bc.relName + "." + bc.parentField
	}
	return bc.field.Name
}

// remoteCells converts a queried record's fields into canonical cells keyed
// by column id: the "Salesforce now" side of the three-way merge.
func (b *binding) remoteCells(rec crm.Record) map[string]string {
	out := make(map[string]string, len(b.cols))
	for _, bc := range b.cols {
		if s := cellFromSalesforce(bc, recordValue(rec, bc.queryPath())); s != "" {
			out[bc.col.ID] = s
		}
	}
	return out
}

// recordValue reads a field from a record, case-insensitively as
// Salesforce names are.
func recordValue(rec crm.Record, path string) any {
	if v, ok := rec.Fields[path]; ok {
		return v
	}
	for k, v := range rec.Fields {
		if strings.EqualFold(k, path) {
			return v
		}
	}
	return nil
}

// referenceFields lists the id fields behind relationship columns
// (AccountId for Account.Name): a push reads them so a revert can restore
// the exact record a lookup pointed to.
func (b *binding) referenceFields() []string {
	var out []string
	for _, bc := range b.cols {
		if bc.path {
			out = append(out, bc.field.Name)
		}
	}
	return out
}
