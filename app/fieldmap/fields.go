package fieldmap

import (
	"slices"
	"strings"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// FieldOption is one Salesforce field, or relationship path one level up, a
// column can be mapped to. It carries what the mapping screen shows and what
// push validation checks, so callers need no second look at the describe.
type FieldOption struct {
	// Path is what a column's Field holds: the field's API name ("Email")
	// or a relationship path ("Account.Name").
	Path string
	// Label is the name a user recognises: the field's label, or for a
	// path the relationship and the parent field ("Account: Account Name").
	Label string
	// Type is Salesforce's type of the field the values come from (for a
	// path, the parent's field).
	Type string
	// Required is true for fields a create must set (own fields only).
	Required bool
	// ReadOnly columns are pulled but never pushed: formula, system and
	// other fields neither createable nor updateable, and paths whose
	// reference field cannot be written.
	ReadOnly bool
	// Createable and Updateable say which pushes may write the value; for
	// a path they are those of the reference field it resolves to.
	Createable, Updateable bool
	Custom                 bool
	// Picklist lists the active values of a picklist field, in
	// Salesforce's order; Restricted is set when no other value is accepted.
	Picklist   []string
	Restricted bool
	// ReferenceTo lists the objects a reference field points to.
	ReferenceTo []string
	// Relationship is the relationship name of a path ("Account"), "" for
	// own fields.
	Relationship string
	// ResolvesTo is, for a writable path, the reference field a push sets
	// once the value is resolved to a record id ("AccountId").
	ResolvesTo string
	// Field is the describe of the field the values come from (the
	// parent's field for a path); Via is the reference field of a path.
	// Both are shared with the describe cache: do not modify them.
	Field *crm.Field
	Via   *crm.Field
}

// SheetType is the column type that holds this field's values.
func (o FieldOption) SheetType() sheets.Type { return SheetTypeOf(o.Type) }

// IsPath reports whether the option is a relationship path.
func (o FieldOption) IsPath() bool { return o.Relationship != "" }

// SheetTypeOf maps a Salesforce field type to the column type that holds
// its values. Types without a closer match (time, encryptedstring, combobox,
// anyType) are text.
func SheetTypeOf(salesforceType string) sheets.Type {
	switch salesforceType {
	case "textarea":
		return sheets.TypeTextArea
	case "double", "int", "long":
		return sheets.TypeNumber
	case "currency":
		return sheets.TypeCurrency
	case "percent":
		return sheets.TypePercent
	case "date":
		return sheets.TypeDate
	case "datetime":
		return sheets.TypeDateTime
	case "boolean":
		return sheets.TypeBool
	case "picklist":
		return sheets.TypePicklist
	case "multipicklist":
		return sheets.TypeMultiPicklist
	case "reference", "id":
		return sheets.TypeReference
	case "email":
		return sheets.TypeEmail
	case "phone":
		return sheets.TypePhone
	case "url":
		return sheets.TypeURL
	}
	return sheets.TypeText
}

// unmappable lists field types a column cannot hold: compound fields
// (whose parts are separate fields) and binary content.
var unmappable = map[string]bool{"address": true, "location": true, "base64": true, "complexvalue": true}

// MappableFields lists what a column of the object can map to: its own
// standard and custom fields in describe order, then, for each reference
// field with a relationship name, the paths one level up that identify a
// parent record (its Name, and its idLookup, external id and unique fields:
// Account.Name, Owner.Name, Who.Email). parents returns the describe of a
// parent object, or false when it is not known (the path is then left out);
// for a polymorphic reference (Who → Contact or Lead) only the fields every
// known parent has are offered. desc must not be nil.
func MappableFields(desc *crm.ObjectDescribe, parents func(object string) (*crm.ObjectDescribe, bool)) []FieldOption {
	var own, paths []FieldOption
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if unmappable[f.Type] {
			continue
		}
		own = append(own, ownOption(f))
		if f.Type != "reference" || f.RelationshipName == "" || parents == nil {
			continue
		}
		paths = append(paths, pathOptions(f, parents)...)
	}
	return append(own, paths...)
}

func ownOption(f *crm.Field) FieldOption {
	o := FieldOption{
		Path:        f.Name,
		Label:       f.Label,
		Type:        f.Type,
		Required:    f.Required(),
		ReadOnly:    f.Calculated || !f.Createable && !f.Updateable,
		Createable:  f.Createable && !f.Calculated,
		Updateable:  f.Updateable && !f.Calculated,
		Custom:      f.Custom,
		Restricted:  f.RestrictedPicklist,
		ReferenceTo: slices.Clone(f.ReferenceTo),
		Field:       f,
	}
	for _, p := range f.PicklistValues {
		if p.Active {
			o.Picklist = append(o.Picklist, p.Value)
		}
	}
	return o
}

// pathOptions lists the identifying fields of a reference's parents.
func pathOptions(ref *crm.Field, parents func(string) (*crm.ObjectDescribe, bool)) []FieldOption {
	var known []*crm.ObjectDescribe
	for _, obj := range ref.ReferenceTo {
		if d, ok := parents(obj); ok && d != nil {
			known = append(known, d)
		}
	}
	if len(known) == 0 {
		return nil
	}
	relLabel := strings.TrimSuffix(strings.TrimSuffix(ref.Label, " ID"), " Id")
	writable := (ref.Createable || ref.Updateable) && !ref.Calculated
	var out []FieldOption
	for i := range known[0].Fields {
		pf := &known[0].Fields[i]
		if !identifies(pf) || !inAll(known[1:], pf.Name) {
			continue
		}
		o := FieldOption{
			Path:         ref.RelationshipName + "." + pf.Name,
			Label:        relLabel + ": " + pf.Label,
			Type:         pf.Type,
			ReadOnly:     !writable,
			Createable:   ref.Createable && writable,
			Updateable:   ref.Updateable && writable,
			Custom:       ref.Custom,
			ReferenceTo:  slices.Clone(ref.ReferenceTo),
			Relationship: ref.RelationshipName,
			Field:        pf,
			Via:          ref,
		}
		if writable {
			o.ResolvesTo = ref.Name
		}
		if pf.Name == "Name" {
			out = slices.Insert(out, 0, o) // the name first: what people usually map
		} else {
			out = append(out, o)
		}
	}
	return out
}

// identifies reports whether a parent's field identifies a record well
// enough to be shown and resolved: its name, or an id lookup, external id or
// unique field (not the Id itself, which the reference field already holds).
func identifies(f *crm.Field) bool {
	if f.Type == "id" || unmappable[f.Type] {
		return false
	}
	return f.Name == "Name" || f.IDLookup || f.ExternalID || f.Unique
}

func inAll(ds []*crm.ObjectDescribe, field string) bool {
	for _, d := range ds {
		if _, ok := d.Field(field); !ok {
			return false
		}
	}
	return true
}

// SalesforceTypeOf is the Salesforce field type whose values a column of
// type t holds, the reverse of SheetTypeOf: it reads relationship paths,
// whose parent field's describe is not at hand.
func SalesforceTypeOf(t sheets.Type) string {
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
