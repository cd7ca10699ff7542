package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// Roll-up columns aggregate a field of the records related to each row:
// on Accounts, the sum of Opportunity Amount where StageName = 'Closed Won',
// the count of open Cases, the date of the last Task. A roll-up column is
// read-only and unmapped; every pull refreshes it with one aggregate SOQL
// query per roll-up column and batch of rows (GROUP BY the parent id),
// never a query per row.

// RollupFuncs are the aggregate functions a roll-up column offers.
// "latest" is the value of the most recently created matching child.
var RollupFuncs = []string{"sum", "count", "min", "max", "avg", "latest"}

// rollupMaxBatch is the most parent ids one roll-up query names: one group
// per parent, and Salesforce returns at most 2,000 groups per aggregate
// query.
const rollupMaxBatch = 2000

// rollupIDBytes is what one more id adds to an encoded query's URI at most:
// '001…' and a comma, URL-encoded (%27 twice, %2C once, 18 characters).
var rollupIDBytes = len(url.QueryEscape("'001000000000000AAA',"))

// rollupBatchSize is how many parent ids each roll-up query of cols can
// name: as many as the longest of the queries leaves room for under
// Salesforce's URI limit (about 580 with a short condition), at most
// rollupMaxBatch. Fewer, fuller queries spend fewer API calls.
func rollupBatchSize(ctx context.Context, c *crm.Client, parent string, cols []sheets.Column) (int, error) {
	n := rollupMaxBatch
	for _, col := range cols {
		room, err := c.QueryRoom(ctx, rollupQuery(parent, *col.Rollup, nil))
		if err != nil {
			return 0, fmt.Errorf("roll-up column %q: %w", col.Name, err)
		}
		n = min(n, room/rollupIDBytes)
	}
	if n < 1 {
		return 0, fmt.Errorf("roll-up column conditions are too long to fit one record id in a query; shorten them")
	}
	return n, nil
}

// RollupChild is a kind of related record a roll-up column can aggregate,
// with the fields each function can take.
type RollupChild struct {
	Object       string        `json:"object"`       // child object, e.g. Opportunity
	Label        string        `json:"label"`        // e.g. Opportunities
	Via          string        `json:"via"`          // its reference field to the sheet's object, e.g. AccountId
	Relationship string        `json:"relationship"` // e.g. Opportunities
	Fields       []RollupField `json:"fields"`
}

// RollupField is a child field a roll-up can take.
type RollupField struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Type    string `json:"type"`    // Salesforce type
	Numeric bool   `json:"numeric"` // sum and avg take numeric fields only
}

// Takes reports whether the roll-up function fn can take the field: sum
// and avg a number, min and max a number or a date, count the Id, latest
// any field but the Id.
func (f RollupField) Takes(fn string) bool {
	switch fn {
	case "sum", "avg":
		return f.Numeric
	case "min", "max":
		return f.Numeric || f.Type == "date" || f.Type == "datetime"
	case "count":
		return f.Type == "id"
	case "latest":
		return f.Type != "id" && f.Type != "address" && f.Type != "location"
	}
	return false
}

// rollupFieldOf describes a child field for roll-ups.
func rollupFieldOf(f *crm.Field) (RollupField, bool) {
	rf := RollupField{Name: f.Name, Label: f.Label, Type: f.Type}
	switch f.Type {
	case "currency", "double", "percent", "int", "long":
		rf.Numeric = true
	}
	return rf, true
}

// RollupChildren lists what a roll-up column of the sheet can aggregate:
// the child relationships of its object and their fields (one describe of
// the sheet's object and one per child object, cached).
func (s *Service) RollupChildren(ctx context.Context, sheetID string) ([]RollupChild, error) {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	if sh.Object == "" {
		return nil, fmt.Errorf("sheet %q: %w", sh.Name, ErrNotSyncable)
	}
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	d, err := c.Describe(ctx, sh.Object)
	if err != nil {
		s.noteCallErr(err)
		return nil, fmt.Errorf("describe %s: %w", sh.Object, err)
	}
	var out []RollupChild
	for _, cr := range d.ChildRelationships {
		if cr.RelationshipName == "" {
			continue
		}
		cd, err := c.Describe(ctx, cr.ChildSObject)
		if err != nil {
			s.noteCallErr(err)
			return nil, fmt.Errorf("describe %s: %w", cr.ChildSObject, err)
		}
		if !cd.Queryable {
			continue
		}
		ch := RollupChild{Object: cd.Name, Label: cd.LabelPlural, Via: cr.Field, Relationship: cr.RelationshipName}
		for i := range cd.Fields {
			if rf, ok := rollupFieldOf(&cd.Fields[i]); ok {
				ch.Fields = append(ch.Fields, rf)
			}
		}
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b RollupChild) int { return strings.Compare(a.Label+a.Via, b.Label+b.Via) })
	return out, nil
}

// AddRollupColumn adds a read-only roll-up column named name to the sheet
// (a unique name is made from the roll-up when name is ""), checks the
// roll-up with Salesforce (its condition included) and fills it for the
// rows already synced. The child object and field are checked against the
// org's describe; the condition is run once so a typo is refused with
// Salesforce's own words before anything is saved.
func (s *Service) AddRollupColumn(ctx context.Context, sheetID, name string, r sheets.Rollup) (sheets.Column, error) {
	r.Func = strings.ToLower(strings.TrimSpace(r.Func))
	r.Where = strings.TrimSpace(r.Where)
	if !slices.Contains(RollupFuncs, r.Func) {
		return sheets.Column{}, fmt.Errorf("roll-up function %q: use one of %s", r.Func, strings.Join(RollupFuncs, ", "))
	}
	children, err := s.RollupChildren(ctx, sheetID)
	if err != nil {
		return sheets.Column{}, err
	}
	var child *RollupChild
	for i, ch := range children {
		if strings.EqualFold(ch.Object, r.Child) && (r.Via == "" || strings.EqualFold(ch.Via, r.Via)) {
			if child != nil && r.Via == "" {
				return sheets.Column{}, fmt.Errorf("%s is related to this sheet's records in several ways (%s, %s): say which reference field", ch.Object, child.Via, ch.Via)
			}
			child = &children[i]
		}
	}
	if child == nil {
		return sheets.Column{}, fmt.Errorf("%s has no related records of type %q (see the roll-up choices for the list)", sheetObject(s, sheetID), r.Child)
	}
	r.Child, r.Via = child.Object, child.Via
	if r.Field == "" && r.Func == "count" {
		r.Field = "Id"
	}
	fi := slices.IndexFunc(child.Fields, func(f RollupField) bool { return strings.EqualFold(f.Name, r.Field) })
	if fi < 0 {
		return sheets.Column{}, fmt.Errorf("%s has no field %q", child.Object, r.Field)
	}
	f := child.Fields[fi]
	r.Field, r.Relationship = f.Name, child.Relationship
	if !f.Takes(r.Func) {
		switch r.Func {
		case "sum", "avg":
			return sheets.Column{}, fmt.Errorf("%s of %s.%s: only a number can be summed or averaged", strings.ToUpper(r.Func), child.Object, f.Name)
		case "count":
			return sheets.Column{}, fmt.Errorf("count(%s) counts records: leave the field out", child.Object)
		default:
			return sheets.Column{}, fmt.Errorf("%s of %s.%s: take a number or a date", strings.ToUpper(r.Func), child.Object, f.Name)
		}
	}
	c, err := s.client()
	if err != nil {
		return sheets.Column{}, err
	}
	check := "SELECT COUNT(Id) FROM " + r.Child
	if r.Where != "" {
		check += " WHERE " + r.Where
	}
	for _, err := range c.Query(ctx, check) {
		if err != nil {
			s.noteCallErr(err)
			return sheets.Column{}, fmt.Errorf("the roll-up's condition %q: %w", r.Where, err)
		}
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return sheets.Column{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = r.String()
	}
	col := sheets.Column{Name: uniqueColumnName(sh, name), Type: rollupType(r.Func, f.Type), ReadOnly: true, Rollup: &r}
	col, err = s.AddColumn(sheetID, col)
	if err != nil {
		return col, err
	}
	if sh, err = s.Sheet(sheetID); err != nil {
		return col, err
	}
	if _, err := s.store.SaveConfigVersion(sheetID, "roll-up column "+col.Name+": "+r.String(), sh); err != nil {
		return col, fmt.Errorf("version the roll-up column: %w", err)
	}
	unlock, err := s.lockSheet(sheetID)
	if err != nil {
		return col, err
	}
	defer unlock()
	if _, err := refreshRollups(ctx, c, s.store, sh, []sheets.Column{col}); err != nil {
		return col, err
	}
	return col, nil
}

func sheetObject(s *Service, sheetID string) string {
	if sh, err := s.Sheet(sheetID); err == nil {
		return sh.Object
	}
	return "the sheet's object"
}

// rollupType is the column type of a roll-up's values.
func rollupType(fn, fieldType string) sheets.Type {
	switch {
	case fn == "count":
		return sheets.TypeNumber
	case fn == "latest" && (fieldType == "picklist" || fieldType == "multipicklist"):
		return sheets.TypeText // the choices are the child's, not the sheet's
	case fn == "avg" && fieldType == "int":
		return sheets.TypeNumber
	}
	return fieldmap.SheetTypeOf(fieldType)
}

// rollupQuery is the aggregate query of one roll-up column for a batch of
// parent ids: one row per parent with children. "latest" is a
// parent-to-child subquery instead (no aggregate says which child is the
// latest): one row per parent, its newest matching child.
func rollupQuery(parent string, r sheets.Rollup, ids []string) string {
	lits := make([]string, len(ids))
	for i, id := range ids {
		lits[i] = "'" + id + "'" // record ids: [0-9A-Za-z] only, checked by the caller
	}
	if r.Func == "latest" {
		sub := "SELECT " + r.Field + " FROM " + r.Relationship
		if r.Where != "" {
			sub += " WHERE " + r.Where
		}
		sub += " ORDER BY CreatedDate DESC LIMIT 1"
		return fmt.Sprintf("SELECT Id, (%s) FROM %s WHERE Id IN (%s)", sub, parent, strings.Join(lits, ","))
	}
	q := fmt.Sprintf("SELECT %s, %s(%s) v FROM %s WHERE %s IN (%s)", r.Via, strings.ToUpper(r.Func), r.Field, r.Child, r.Via, strings.Join(lits, ","))
	if r.Where != "" {
		q += " AND (" + r.Where + ")"
	}
	return q + " GROUP BY " + r.Via
}

// refreshRollups recomputes the roll-up columns cols for every row with a
// record id: one aggregate query per column and batch of rows (as many
// ids as the URI limit allows, see rollupBatchSize).
// A row whose record has no matching child gets 0 for a count and a blank
// otherwise. The value is also the cell's base, so a roll-up never reads as
// an edit. It returns the API calls made.
func refreshRollups(ctx context.Context, c *crm.Client, st storeDoor, sh *sheets.Sheet, cols []sheets.Column) (int, error) {
	if len(cols) == 0 {
		return 0, nil
	}
	var rows []*sheets.Row
	for r, err := range st.Rows(sh.ID) {
		if err != nil {
			return 0, fmt.Errorf("roll-ups of %q: %w", sh.Name, err)
		}
		if r.RecordID != "" && crm.ValidID(r.RecordID) {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	size, err := rollupBatchSize(ctx, c, sh.Object, cols)
	if err != nil {
		return 0, fmt.Errorf("roll-ups of %q: %w", sh.Name, err)
	}
	calls := 0
	values := map[sheets.RowID]map[string]string{} // row → roll-up column → new value
	for start := 0; start < len(rows); start += size {
		batch := rows[start:min(start+size, len(rows))]
		ids := make([]string, len(batch))
		for i, r := range batch {
			ids[i] = r.RecordID
		}
		for _, col := range cols {
			r := *col.Rollup
			got := map[string]string{}
			calls++
			for rec, err := range c.Query(ctx, rollupQuery(sh.Object, r, ids)) {
				if err != nil {
					return calls, fmt.Errorf("roll-up column %q (%s): %w", col.Name, r.String(), err)
				}
				if r.Func == "latest" {
					if kids, _ := rec.Fields[r.Relationship].([]crm.Record); len(kids) > 0 {
						got[normID(rec.ID)] = fieldmap.FromSalesforce(fieldmap.SalesforceTypeOf(col.Type), kids[0].Fields[r.Field])
					}
					continue
				}
				parent, _ := rec.Fields[r.Via].(string)
				got[normID(parent)] = fieldmap.FromSalesforce(fieldmap.SalesforceTypeOf(col.Type), rec.Fields["v"])
			}
			for _, row := range batch {
				v := got[normID(row.RecordID)]
				if v == "" && r.Func == "count" {
					v = "0"
				}
				if row.Cells[col.ID] == v && (row.Base == nil || row.Base[col.ID] == v) {
					continue
				}
				if values[row.ID] == nil {
					values[row.ID] = map[string]string{}
				}
				values[row.ID][col.ID] = v
			}
		}
	}
	if len(values) == 0 {
		return calls, nil
	}
	ids := slices.Sorted(maps.Keys(values))
	// The rows are read again inside the write: an edit made while the
	// queries ran is kept; only the roll-up cells change.
	err = st.Batch(func(tx *store.Tx) error {
		var upd []*sheets.Row
		for _, id := range ids {
			r, err := tx.Row(sh.ID, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if r.Cells == nil {
				r.Cells = map[string]string{}
			}
			for col, v := range values[id] {
				setCell(r.Cells, col, v)
				if r.Base != nil {
					setCell(r.Base, col, v)
				}
			}
			upd = append(upd, r)
		}
		return tx.UpdateRows(sh.ID, upd)
	})
	if err != nil {
		return calls, fmt.Errorf("store the roll-ups of %q: %w", sh.Name, err)
	}
	return calls, nil
}

// rollupColumns are the sheet's roll-up columns.
func rollupColumns(sh *sheets.Sheet) []sheets.Column {
	var out []sheets.Column
	for _, c := range sh.Columns {
		if c.Rollup != nil {
			out = append(out, c)
		}
	}
	return out
}

// refreshRollups is the engine's step after a pull: every roll-up column
// of the sheet recomputed, within the run's API budget.
func (e *engine) refreshRollups(ctx context.Context) error {
	cols := rollupColumns(e.sh)
	if len(cols) == 0 || e.dry != nil {
		return nil
	}
	if !e.budgetAllows(len(cols)) {
		return nil
	}
	if _, err := refreshRollups(ctx, e.c, e.s.store, e.sh, cols); err != nil {
		e.s.noteCallErr(err)
		return err
	}
	return nil
}
