package crm

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SObjectInfo is one entry of the global describe: an object the user can
// see, with what they may do with it.
type SObjectInfo struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	LabelPlural string `json:"labelPlural"`
	KeyPrefix   string `json:"keyPrefix"`
	Custom      bool   `json:"custom"`
	Createable  bool   `json:"createable"`
	Updateable  bool   `json:"updateable"`
	Deletable   bool   `json:"deletable"`
	Queryable   bool   `json:"queryable"`
}

// ObjectDescribe is the metadata of one sObject: its fields with types and
// write permissions. Values returned by Describe are shared by the cache:
// treat them as read-only.
type ObjectDescribe struct {
	Name        string  `json:"name"`
	Label       string  `json:"label"`
	LabelPlural string  `json:"labelPlural"`
	KeyPrefix   string  `json:"keyPrefix"`
	Custom      bool    `json:"custom"`
	Createable  bool    `json:"createable"`
	Updateable  bool    `json:"updateable"`
	Deletable   bool    `json:"deletable"`
	Queryable   bool    `json:"queryable"`
	Fields      []Field `json:"fields"`
	// ChildRelationships are the objects whose records point at this one
	// (Opportunity.AccountId → Account), what roll-up columns aggregate.
	ChildRelationships []ChildRelationship `json:"childRelationships"`

	byName map[string]int
}

// ChildRelationship is one kind of child record: the child object, its
// reference field to the parent and the relationship's name.
type ChildRelationship struct {
	ChildSObject     string `json:"childSObject"`
	Field            string `json:"field"`
	RelationshipName string `json:"relationshipName"`
}

// Field returns the field with the given API name, compared
// case-insensitively as Salesforce does.
func (d *ObjectDescribe) Field(name string) (*Field, bool) {
	if d.byName != nil {
		i, ok := d.byName[strings.ToLower(name)]
		if !ok {
			return nil, false
		}
		return &d.Fields[i], true
	}
	for i := range d.Fields {
		if strings.EqualFold(d.Fields[i].Name, name) {
			return &d.Fields[i], true
		}
	}
	return nil, false
}

func (d *ObjectDescribe) index() {
	d.byName = make(map[string]int, len(d.Fields))
	for i := range d.Fields {
		d.byName[strings.ToLower(d.Fields[i].Name)] = i
	}
}

// Field is the metadata of one field, as Salesforce describes it. Type is
// Salesforce's field type (string, picklist, multipicklist, reference,
// boolean, currency, double, percent, int, date, datetime, email, phone, url,
// textarea, id, address, ...). Length is in characters for text types;
// Precision and Scale are for numbers, Digits for int.
type Field struct {
	Name               string          `json:"name"`
	Label              string          `json:"label"`
	Type               string          `json:"type"`
	Length             int             `json:"length"`
	Precision          int             `json:"precision"`
	Scale              int             `json:"scale"`
	Digits             int             `json:"digits"`
	Nillable           bool            `json:"nillable"`
	Createable         bool            `json:"createable"`
	Updateable         bool            `json:"updateable"`
	Unique             bool            `json:"unique"`
	ExternalID         bool            `json:"externalId"`
	IDLookup           bool            `json:"idLookup"`
	Calculated         bool            `json:"calculated"`
	Custom             bool            `json:"custom"`
	DefaultedOnCreate  bool            `json:"defaultedOnCreate"`
	RestrictedPicklist bool            `json:"restrictedPicklist"`
	PicklistValues     []PicklistValue `json:"picklistValues"`
	ReferenceTo        []string        `json:"referenceTo"`
	RelationshipName   string          `json:"relationshipName"`
}

// Required reports whether a create must set the field: Salesforce's rule is
// createable, not nillable and not defaulted on create (Account.Name,
// Contact.LastName, Opportunity.CloseDate).
func (f *Field) Required() bool { return f.Createable && !f.Nillable && !f.DefaultedOnCreate }

// AllowsValue reports whether v may be written to a picklist field: any
// value for an unrestricted picklist or a non-picklist field, otherwise an
// active value (compared exactly, as Salesforce does). A multipicklist value
// is checked item by item (separated by ';').
func (f *Field) AllowsValue(v string) bool {
	if !f.RestrictedPicklist || v == "" {
		return true
	}
	items := []string{v}
	if f.Type == "multipicklist" {
		items = strings.Split(v, ";")
	}
	for _, it := range items {
		ok := false
		for _, p := range f.PicklistValues {
			if p.Active && p.Value == it {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// PicklistValue is one choice of a picklist field.
type PicklistValue struct {
	Value   string `json:"value"`
	Label   string `json:"label"`
	Active  bool   `json:"active"`
	Default bool   `json:"defaultValue"`
}

// DescribeGlobal lists the objects of the org (one API call, not cached).
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
func (c *Client) DescribeGlobal(ctx context.Context) ([]SObjectInfo, error) {
	path, err := c.dataPath(ctx, "sobjects/")
	if err != nil {
		return nil, fmt.Errorf("describe global: %w", err)
	}
	var out struct {
		SObjects []SObjectInfo `json:"sobjects"`
	}
	if err := c.callJSON(ctx, http.MethodGet, path, nil, &out, true); err != nil {
		return nil, fmt.Errorf("describe global: %w", err)
	}
	return out.SObjects, nil
}

// Describe returns the metadata of one object. Results are cached per client
// (by case-insensitive name) until ForgetDescribes; concurrent first calls
// may each fetch it. The returned value is shared: do not modify it.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
func (c *Client) Describe(ctx context.Context, object string) (*ObjectDescribe, error) {
	key := strings.ToLower(object)
	c.describeMu.Lock()
	d, ok := c.describes[key]
	c.describeMu.Unlock()
	if ok {
		return d, nil
	}
	if !validName(object) {
		return nil, fmt.Errorf("describe %q: not an object API name: %w", object, ErrUnsafeSOQL)
	}
	path, err := c.dataPath(ctx, "sobjects/"+url.PathEscape(object)+"/describe/")
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", object, err)
	}
	d = &ObjectDescribe{}
	if err := c.callJSON(ctx, http.MethodGet, path, nil, d, true); err != nil {
		return nil, fmt.Errorf("describe %s: %w", object, err)
	}
	d.index()
	c.describeMu.Lock()
	c.describes[key] = d
	c.describeMu.Unlock()
	return d, nil
}

// ForgetDescribes empties the describe cache, so that the next Describe sees
// fields and picklist values changed in Salesforce since.
func (c *Client) ForgetDescribes() {
	c.describeMu.Lock()
	defer c.describeMu.Unlock()
	clear(c.describes)
}
