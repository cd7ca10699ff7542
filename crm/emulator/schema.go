package emulator

import (
	"strings"
)

// Field types as describe reports them in "type".
const (
	typeID            = "id"
	typeString        = "string"
	typeTextarea      = "textarea"
	typePicklist      = "picklist"
	typeMultipicklist = "multipicklist"
	typeCombobox      = "combobox"
	typeEmail         = "email"
	typePhone         = "phone"
	typeURL           = "url"
	typeBoolean       = "boolean"
	typeInt           = "int"
	typeDouble        = "double"
	typeCurrency      = "currency"
	typePercent       = "percent"
	typeDate          = "date"
	typeDatetime      = "datetime"
	typeReference     = "reference"
)

// soapTypes maps a field type to the soapType describe reports for it
// (API-REFERENCE.md §3.2, observed across all captured describes).
var soapTypes = map[string]string{
	typeID: "tns:ID", typeReference: "tns:ID",
	typeString: "xsd:string", typeTextarea: "xsd:string", typePicklist: "xsd:string",
	typeMultipicklist: "xsd:string", typeCombobox: "xsd:string", typeEmail: "xsd:string",
	typePhone: "xsd:string", typeURL: "xsd:string",
	typeBoolean: "xsd:boolean", typeInt: "xsd:int",
	typeDouble: "xsd:double", typeCurrency: "xsd:double", typePercent: "xsd:double",
	typeDate: "xsd:date", typeDatetime: "xsd:dateTime",
}

// PicklistValue is one entry of a picklist field's value set.
type PicklistValue struct {
	Value   string
	Label   string
	Default bool
	// Probability is the Opportunity stage's default probability (percent);
	// only StageName values use it.
	Probability float64
}

// Field is the metadata of one field of an object of the demo org. Its
// describe JSON is derived from it (see describe.go); validation and SOQL
// typing read it directly.
type Field struct {
	Name  string
	Label string
	Type  string
	// Length is the maximum number of characters of text-like fields;
	// numeric fields use Precision and Scale (int fields Digits).
	Length, Precision, Scale, Digits int

	Nillable, Createable, Updateable          bool
	DefaultedOnCreate, Unique, ExternalID     bool
	IDLookup, Calculated, Custom, NameField   bool
	AutoNumber, CaseSensitive, HTMLFormatted  bool
	RestrictedPicklist, PolymorphicForeignKey bool

	// Formula is the calculatedFormula text of a formula field.
	Formula string
	// DefaultValue is describe's defaultValue (booleans report false).
	DefaultValue any
	Picklist     []PicklistValue
	// ReferenceTo lists the objects a reference field may point to, in
	// describe order; several means polymorphic (Task.WhoId).
	ReferenceTo      []string
	RelationshipName string
	// childRel is the child relationship the lookup creates on its parent
	// (Contact.AccountId → Account.Contacts); "" for none.
	childRel string

	index   int    // position in Object.Fields and in every record's values
	lowered string // strings.ToLower(Name), for case-insensitive lookups
}

// RequiredOnCreate reports whether a create must supply the field: the rule
// the real describes obey (createable, not nillable, not defaulted on create).
func (f *Field) RequiredOnCreate() bool {
	return f.Createable && !f.Nillable && !f.DefaultedOnCreate
}

// isText reports whether values of the field are JSON strings checked
// against Length.
func (f *Field) isText() bool {
	switch f.Type {
	case typeString, typeTextarea, typePicklist, typeMultipicklist, typeCombobox,
		typeEmail, typePhone, typeURL:
		return true
	}
	return false
}

// isNumber reports whether values of the field are JSON numbers.
func (f *Field) isNumber() bool {
	switch f.Type {
	case typeInt, typeDouble, typeCurrency, typePercent:
		return true
	}
	return false
}

// picklistHas reports whether v is an active value of the picklist (exact
// match, as Salesforce compares restricted picklist values).
func (f *Field) picklistHas(v string) bool {
	for _, p := range f.Picklist {
		if p.Value == v {
			return true
		}
	}
	return false
}

// Object is the metadata of one sObject type of the demo org.
type Object struct {
	Name        string
	Label       string
	LabelPlural string
	KeyPrefix   string
	Custom      bool
	// readOnly objects (Organization, Profile) refuse create, update and
	// delete through the API; only the demo org itself writes them.
	readOnly bool
	Fields   []*Field
	// Children lists the child relationships describe reports.
	Children []ChildRelationship

	byName map[string]*Field // lower-case field name → field
	byRel  map[string]*Field // lower-case relationship name → reference field
	// Well-known field positions, filled by index().
	idIdx, isDeletedIdx, createdIdx, modifiedIdx, modstampIdx, ownerIdx int
	createdByIdx, modifiedByIdx                                         int
	// formulas recompute calculated fields from the record's other values.
	formulas []formula
}

// ChildRelationship is one entry of describe's childRelationships.
type ChildRelationship struct {
	ChildSObject     string
	Field            string
	RelationshipName string
	CascadeDelete    bool
}

// formula computes a read-only field from the other values of a record.
type formula struct {
	field *Field
	eval  func(obj *Object, vals []any) any
}

// Field returns the field with the given name, compared case-insensitively
// as Salesforce compares API names.
func (o *Object) Field(name string) (*Field, bool) {
	f, ok := o.byName[strings.ToLower(name)]
	return f, ok
}

// relationship returns the reference field whose relationshipName is name.
func (o *Object) relationship(name string) (*Field, bool) {
	f, ok := o.byRel[strings.ToLower(name)]
	return f, ok
}

func (o *Object) index() {
	o.byName = make(map[string]*Field, len(o.Fields))
	o.byRel = map[string]*Field{}
	o.ownerIdx, o.createdByIdx, o.modifiedByIdx, o.isDeletedIdx = -1, -1, -1, -1
	for i, f := range o.Fields {
		f.index = i
		f.lowered = strings.ToLower(f.Name)
		o.byName[f.lowered] = f
		if f.RelationshipName != "" {
			o.byRel[strings.ToLower(f.RelationshipName)] = f
		}
		switch f.Name {
		case "Id":
			o.idIdx = i
		case "IsDeleted":
			o.isDeletedIdx = i
		case "CreatedDate":
			o.createdIdx = i
		case "LastModifiedDate":
			o.modifiedIdx = i
		case "SystemModstamp":
			o.modstampIdx = i
		case "OwnerId":
			o.ownerIdx = i
		case "CreatedById":
			o.createdByIdx = i
		case "LastModifiedById":
			o.modifiedByIdx = i
		}
	}
}

// Schema is the set of objects of the demo org.
type Schema struct {
	// Objects in global-describe order (alphabetical by name).
	Objects  []*Object
	byName   map[string]*Object
	byPrefix map[string]*Object
}

// Object returns the object with the given API name, case-insensitively.
func (s *Schema) Object(name string) (*Object, bool) {
	o, ok := s.byName[strings.ToLower(name)]
	return o, ok
}

// objectForID returns the object whose key prefix starts id.
func (s *Schema) objectForID(id string) (*Object, bool) {
	if len(id) < 3 {
		return nil, false
	}
	o, ok := s.byPrefix[id[:3]]
	return o, ok
}

func newSchema(objs ...*Object) *Schema {
	s := &Schema{byName: map[string]*Object{}, byPrefix: map[string]*Object{}}
	for _, o := range objs {
		o.index()
		s.Objects = append(s.Objects, o)
		s.byName[strings.ToLower(o.Name)] = o
		s.byPrefix[o.KeyPrefix] = o
	}
	// Child relationships are derived from every lookup that names one.
	for _, child := range s.Objects {
		for _, f := range child.Fields {
			if f.Type != typeReference || f.childRel == "" {
				continue
			}
			for _, parentName := range f.ReferenceTo {
				if parent, ok := s.byName[strings.ToLower(parentName)]; ok {
					parent.Children = append(parent.Children, ChildRelationship{
						ChildSObject: child.Name, Field: f.Name,
						RelationshipName: f.childRel,
						CascadeDelete:    f.Name == "AccountId" && child.Name == "Opportunity",
					})
				}
			}
		}
	}
	return s
}
