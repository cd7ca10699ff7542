package emulator

import (
	"encoding/json"
	"net/url"
	"testing"
)

// columns=true (issue 14 item 2), against the shapes of real responses in
// salesforcecli/plugin-data's test/test-files/queryFields.exemplars.ts.
func TestQueryColumnMetadata(t *testing.T) {
	o := newOrg(t, Options{})
	get := func(soql string) queryColumns {
		t.Helper()
		r := o.do("GET", "/query?columns=true&q="+url.QueryEscape(soql), nil)
		o.mustStatus(r, 200)
		var c queryColumns
		r.json(t, &c)
		return c
	}
	c := get("SELECT Id, Name, Owner.Name, Owner.Email, (SELECT LastName FROM Contacts) FROM Account")
	if c.EntityName != "Account" || c.GroupBy || !c.IDSelected || c.KeyPrefix == nil || *c.KeyPrefix != "001" {
		t.Fatalf("header %+v", c)
	}
	if len(c.ColumnMetadata) != 4 {
		t.Fatalf("columns %+v", c.ColumnMetadata)
	}
	id, name, owner, contacts := c.ColumnMetadata[0], c.ColumnMetadata[1], c.ColumnMetadata[2], c.ColumnMetadata[3]
	if id.ColumnName != "Id" || *id.ApexType != "Id" || id.TextType || id.Insertable {
		t.Errorf("Id column %+v", id)
	}
	if name.ColumnName != "Name" || *name.ApexType != "String" || !name.TextType || name.Aggregate || name.ForeignKeyName != nil {
		t.Errorf("Name column %+v", name)
	}
	if owner.ColumnName != "Owner" || owner.ForeignKeyName == nil || *owner.ForeignKeyName != "OwnerId" || owner.ApexType != nil ||
		len(owner.JoinColumns) != 2 || owner.JoinColumns[0].ColumnName != "Name" || owner.JoinColumns[1].ColumnName != "Email" {
		t.Errorf("Owner column %+v", owner)
	}
	if !contacts.Aggregate || contacts.ColumnName != "Contacts" || len(contacts.JoinColumns) != 1 ||
		contacts.JoinColumns[0].ColumnName != "LastName" || !contacts.JoinColumns[0].Insertable {
		t.Errorf("Contacts column %+v", contacts)
	}

	c = get("SELECT StageName, AVG(Amount), COUNT(Id) n FROM Opportunity GROUP BY StageName")
	if c.EntityName != "AggregateResult" || !c.GroupBy || c.IDSelected || c.KeyPrefix != nil || len(c.ColumnMetadata) != 3 {
		t.Fatalf("aggregate %+v", c)
	}
	avg, n := c.ColumnMetadata[1], c.ColumnMetadata[2]
	if !avg.Aggregate || avg.ColumnName != "expr0" || avg.DisplayName != "avg(Amount)" || !avg.NumberType || avg.ApexType != nil {
		t.Errorf("avg column %+v", avg)
	}
	if n.ColumnName != "n" || n.DisplayName != "count(Id)" {
		t.Errorf("aliased column %+v", n)
	}

	// Every key of the real shape is present, nulls included.
	r := o.do("GET", "/query?columns=true&q="+url.QueryEscape("SELECT Name FROM Contact"), nil)
	var raw struct {
		ColumnMetadata []map[string]json.RawMessage `json:"columnMetadata"`
	}
	r.json(t, &raw)
	for _, k := range []string{"aggregate", "apexType", "booleanType", "columnName", "custom", "displayName",
		"foreignKeyName", "insertable", "joinColumns", "numberType", "textType", "updatable"} {
		if _, ok := raw.ColumnMetadata[0][k]; !ok {
			t.Errorf("column lacks %q: %s", k, r.body)
		}
	}
	// A bad query gets the query's own error.
	r = o.do("GET", "/query?columns=true&q="+url.QueryEscape("SELECT Nmae FROM Contact"), nil)
	o.mustStatus(r, 400)
}
