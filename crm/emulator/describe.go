package emulator

import (
	"encoding/json"
	"fmt"
)

// Describe JSON, with the keys and key order of the real captures in
// shared/salesforce/fixtures/cumulusci (alphabetical; 57 keys per field).

type describeField struct {
	Aggregatable                 bool               `json:"aggregatable"`
	AIPredictionField            bool               `json:"aiPredictionField"`
	AutoNumber                   bool               `json:"autoNumber"`
	ByteLength                   int                `json:"byteLength"`
	Calculated                   bool               `json:"calculated"`
	CalculatedFormula            *string            `json:"calculatedFormula"`
	CascadeDelete                bool               `json:"cascadeDelete"`
	CaseSensitive                bool               `json:"caseSensitive"`
	CompoundFieldName            *string            `json:"compoundFieldName"`
	ControllerName               *string            `json:"controllerName"`
	Createable                   bool               `json:"createable"`
	Custom                       bool               `json:"custom"`
	DefaultValue                 any                `json:"defaultValue"`
	DefaultValueFormula          *string            `json:"defaultValueFormula"`
	DefaultedOnCreate            bool               `json:"defaultedOnCreate"`
	DependentPicklist            bool               `json:"dependentPicklist"`
	DeprecatedAndHidden          bool               `json:"deprecatedAndHidden"`
	Digits                       int                `json:"digits"`
	DisplayLocationInDecimal     bool               `json:"displayLocationInDecimal"`
	Encrypted                    bool               `json:"encrypted"`
	ExternalID                   bool               `json:"externalId"`
	ExtraTypeInfo                *string            `json:"extraTypeInfo"`
	Filterable                   bool               `json:"filterable"`
	FilteredLookupInfo           any                `json:"filteredLookupInfo"`
	FormulaTreatNullNumberAsZero bool               `json:"formulaTreatNullNumberAsZero"`
	Groupable                    bool               `json:"groupable"`
	HighScaleNumber              bool               `json:"highScaleNumber"`
	HTMLFormatted                bool               `json:"htmlFormatted"`
	IDLookup                     bool               `json:"idLookup"`
	InlineHelpText               *string            `json:"inlineHelpText"`
	Label                        string             `json:"label"`
	Length                       int                `json:"length"`
	Mask                         *string            `json:"mask"`
	MaskType                     *string            `json:"maskType"`
	Name                         string             `json:"name"`
	NameField                    bool               `json:"nameField"`
	NamePointing                 bool               `json:"namePointing"`
	Nillable                     bool               `json:"nillable"`
	Permissionable               bool               `json:"permissionable"`
	PicklistValues               []describePicklist `json:"picklistValues"`
	PolymorphicForeignKey        bool               `json:"polymorphicForeignKey"`
	Precision                    int                `json:"precision"`
	QueryByDistance              bool               `json:"queryByDistance"`
	ReferenceTargetField         *string            `json:"referenceTargetField"`
	ReferenceTo                  []string           `json:"referenceTo"`
	RelationshipName             *string            `json:"relationshipName"`
	RelationshipOrder            *int               `json:"relationshipOrder"`
	RestrictedDelete             bool               `json:"restrictedDelete"`
	RestrictedPicklist           bool               `json:"restrictedPicklist"`
	Scale                        int                `json:"scale"`
	SearchPrefilterable          bool               `json:"searchPrefilterable"`
	SoapType                     string             `json:"soapType"`
	Sortable                     bool               `json:"sortable"`
	Type                         string             `json:"type"`
	Unique                       bool               `json:"unique"`
	Updateable                   bool               `json:"updateable"`
	WriteRequiresMasterRead      bool               `json:"writeRequiresMasterRead"`
}

type describePicklist struct {
	Active       bool    `json:"active"`
	DefaultValue bool    `json:"defaultValue"`
	Label        string  `json:"label"`
	ValidFor     *string `json:"validFor"`
	Value        string  `json:"value"`
}

type describeChild struct {
	CascadeDelete       bool     `json:"cascadeDelete"`
	ChildSObject        string   `json:"childSObject"`
	DeprecatedAndHidden bool     `json:"deprecatedAndHidden"`
	Field               string   `json:"field"`
	JunctionIDListNames []string `json:"junctionIdListNames"`
	JunctionReferenceTo []string `json:"junctionReferenceTo"`
	RelationshipName    string   `json:"relationshipName"`
	RestrictedDelete    bool     `json:"restrictedDelete"`
}

type describeRecordType struct {
	Active                   bool              `json:"active"`
	Available                bool              `json:"available"`
	DefaultRecordTypeMapping bool              `json:"defaultRecordTypeMapping"`
	DeveloperName            string            `json:"developerName"`
	Master                   bool              `json:"master"`
	Name                     string            `json:"name"`
	RecordTypeID             string            `json:"recordTypeId"`
	URLs                     map[string]string `json:"urls"`
}

type describeScope struct {
	Label string `json:"label"`
	Name  string `json:"name"`
}

type describeSObject struct {
	ActionOverrides       []any                `json:"actionOverrides"`
	Activateable          bool                 `json:"activateable"`
	AssociateEntityType   *string              `json:"associateEntityType"`
	AssociateParentEntity *string              `json:"associateParentEntity"`
	ChildRelationships    []describeChild      `json:"childRelationships"`
	CompactLayoutable     bool                 `json:"compactLayoutable"`
	Createable            bool                 `json:"createable"`
	Custom                bool                 `json:"custom"`
	CustomSetting         bool                 `json:"customSetting"`
	DeepCloneable         bool                 `json:"deepCloneable"`
	DefaultImplementation *string              `json:"defaultImplementation"`
	Deletable             bool                 `json:"deletable"`
	DeprecatedAndHidden   bool                 `json:"deprecatedAndHidden"`
	ExtendedBy            *string              `json:"extendedBy"`
	ExtendsInterfaces     *string              `json:"extendsInterfaces"`
	FeedEnabled           bool                 `json:"feedEnabled"`
	Fields                []describeField      `json:"fields"`
	HasSubtypes           bool                 `json:"hasSubtypes"`
	ImplementedBy         *string              `json:"implementedBy"`
	ImplementsInterfaces  *string              `json:"implementsInterfaces"`
	IsInterface           bool                 `json:"isInterface"`
	IsSubtype             bool                 `json:"isSubtype"`
	KeyPrefix             string               `json:"keyPrefix"`
	Label                 string               `json:"label"`
	LabelPlural           string               `json:"labelPlural"`
	Layoutable            bool                 `json:"layoutable"`
	Listviewable          *bool                `json:"listviewable"`
	LookupLayoutable      *bool                `json:"lookupLayoutable"`
	Mergeable             bool                 `json:"mergeable"`
	MruEnabled            bool                 `json:"mruEnabled"`
	Name                  string               `json:"name"`
	NamedLayoutInfos      []any                `json:"namedLayoutInfos"`
	NetworkScopeFieldName *string              `json:"networkScopeFieldName"`
	Queryable             bool                 `json:"queryable"`
	RecordTypeInfos       []describeRecordType `json:"recordTypeInfos"`
	Replicateable         bool                 `json:"replicateable"`
	Retrieveable          bool                 `json:"retrieveable"`
	SearchLayoutable      bool                 `json:"searchLayoutable"`
	Searchable            bool                 `json:"searchable"`
	SobjectDescribeOption string               `json:"sobjectDescribeOption"`
	SupportedScopes       []describeScope      `json:"supportedScopes"`
	Triggerable           bool                 `json:"triggerable"`
	Undeletable           bool                 `json:"undeletable"`
	Updateable            bool                 `json:"updateable"`
	URLs                  map[string]string    `json:"urls"`
}

// globalSObject is one entry of the global describe (describeGlobal).
type globalSObject struct {
	Activateable          bool              `json:"activateable"`
	AssociateEntityType   *string           `json:"associateEntityType"`
	AssociateParentEntity *string           `json:"associateParentEntity"`
	Createable            bool              `json:"createable"`
	Custom                bool              `json:"custom"`
	CustomSetting         bool              `json:"customSetting"`
	DeepCloneable         bool              `json:"deepCloneable"`
	Deletable             bool              `json:"deletable"`
	DeprecatedAndHidden   bool              `json:"deprecatedAndHidden"`
	FeedEnabled           bool              `json:"feedEnabled"`
	HasSubtypes           bool              `json:"hasSubtypes"`
	IsInterface           bool              `json:"isInterface"`
	IsSubtype             bool              `json:"isSubtype"`
	KeyPrefix             string            `json:"keyPrefix"`
	Label                 string            `json:"label"`
	LabelPlural           string            `json:"labelPlural"`
	Layoutable            bool              `json:"layoutable"`
	Mergeable             bool              `json:"mergeable"`
	MruEnabled            bool              `json:"mruEnabled"`
	Name                  string            `json:"name"`
	Queryable             bool              `json:"queryable"`
	Replicateable         bool              `json:"replicateable"`
	Retrieveable          bool              `json:"retrieveable"`
	Searchable            bool              `json:"searchable"`
	Triggerable           bool              `json:"triggerable"`
	Undeletable           bool              `json:"undeletable"`
	Updateable            bool              `json:"updateable"`
	URLs                  map[string]string `json:"urls"`
}

type globalDescribe struct {
	Encoding     string          `json:"encoding"`
	MaxBatchSize int             `json:"maxBatchSize"`
	SObjects     []globalSObject `json:"sobjects"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (f *Field) describe() describeField {
	d := describeField{
		Aggregatable:          f.Type != typeTextarea && f.Type != typeBoolean,
		AutoNumber:            f.AutoNumber,
		Calculated:            f.Calculated,
		CaseSensitive:         f.CaseSensitive,
		Createable:            f.Createable,
		Custom:                f.Custom,
		DefaultValue:          f.DefaultValue,
		DefaultedOnCreate:     f.DefaultedOnCreate,
		Digits:                f.Digits,
		ExternalID:            f.ExternalID,
		Filterable:            f.Type != typeTextarea || f.Length <= 255,
		Groupable:             !f.isNumber() && f.Type != typeDatetime && f.Type != typeTextarea,
		HTMLFormatted:         f.HTMLFormatted,
		IDLookup:              f.IDLookup,
		Label:                 f.Label,
		Name:                  f.Name,
		NameField:             f.NameField,
		Nillable:              f.Nillable,
		Permissionable:        f.Nillable && f.Createable && f.Name != "Name",
		PicklistValues:        []describePicklist{},
		PolymorphicForeignKey: f.PolymorphicForeignKey,
		Precision:             f.Precision,
		ReferenceTo:           []string{},
		RelationshipName:      strPtr(f.RelationshipName),
		RestrictedPicklist:    f.RestrictedPicklist,
		Scale:                 f.Scale,
		SoapType:              soapTypes[f.Type],
		Sortable:              f.Type != typeTextarea || f.Length <= 255,
		Type:                  f.Type,
		Unique:                f.Unique,
		Updateable:            f.Updateable,
	}
	if f.Calculated {
		d.CalculatedFormula = strPtr(f.Formula)
	}
	switch {
	case f.isText():
		d.Length = f.Length
		d.ByteLength = 3 * f.Length
	case f.Type == typeID || f.Type == typeReference:
		d.Length, d.ByteLength = 18, 18
	}
	for _, p := range f.Picklist {
		d.PicklistValues = append(d.PicklistValues, describePicklist{
			Active: true, DefaultValue: p.Default, Label: p.Label, Value: p.Value,
		})
	}
	if f.ReferenceTo != nil {
		d.ReferenceTo = f.ReferenceTo
	}
	return d
}

func objectURLs(o *Object, version string) map[string]string {
	base := fmt.Sprintf("/services/data/v%s/sobjects/%s", version, o.Name)
	return map[string]string{
		"compactLayouts":  base + "/describe/compactLayouts",
		"rowTemplate":     base + "/{ID}",
		"approvalLayouts": base + "/describe/approvalLayouts",
		"listviews":       base + "/listviews",
		"describe":        base + "/describe",
		"quickActions":    base + "/quickActions",
		"layouts":         base + "/describe/layouts",
		"sobject":         base,
	}
}

// describeJSON renders GET /sobjects/{o}/describe for an API version.
func (o *Object) describeJSON(version string) ([]byte, error) {
	d := describeSObject{
		ActionOverrides:       []any{},
		ChildRelationships:    []describeChild{},
		CompactLayoutable:     !o.Custom,
		Createable:            !o.readOnly,
		Custom:                o.Custom,
		Deletable:             !o.readOnly,
		FeedEnabled:           !o.Custom,
		KeyPrefix:             o.KeyPrefix,
		Label:                 o.Label,
		LabelPlural:           o.LabelPlural,
		Layoutable:            true,
		Mergeable:             o.Name == "Account" || o.Name == "Contact" || o.Name == "Lead" || o.Name == "Case",
		MruEnabled:            true,
		Name:                  o.Name,
		NamedLayoutInfos:      []any{},
		Queryable:             true,
		Replicateable:         true,
		Retrieveable:          true,
		SearchLayoutable:      true,
		Searchable:            true,
		SobjectDescribeOption: "FULL",
		SupportedScopes: []describeScope{
			{Label: "All " + lowerFirst(o.LabelPlural), Name: "everything"},
			{Label: "My " + lowerFirst(o.LabelPlural), Name: "mine"},
		},
		Triggerable: !o.readOnly,
		Undeletable: !o.readOnly,
		Updateable:  !o.readOnly,
		URLs:        objectURLs(o, version),
	}
	base := fmt.Sprintf("/services/data/v%s/sobjects/%s", version, o.Name)
	d.RecordTypeInfos = []describeRecordType{{
		Active: true, Available: true, DefaultRecordTypeMapping: true, DeveloperName: "Master",
		Master: true, Name: "Master", RecordTypeID: "012000000000000AAA",
		URLs: map[string]string{"layout": base + "/describe/layouts/012000000000000AAA"},
	}}
	for _, c := range o.Children {
		d.ChildRelationships = append(d.ChildRelationships, describeChild{
			CascadeDelete: c.CascadeDelete, ChildSObject: c.ChildSObject, Field: c.Field,
			JunctionIDListNames: []string{}, JunctionReferenceTo: []string{},
			RelationshipName: c.RelationshipName,
		})
	}
	for _, f := range o.Fields {
		d.Fields = append(d.Fields, f.describe())
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", o.Name, err)
	}
	return b, nil
}

// globalDescribeJSON renders GET /sobjects for an API version.
func (s *Schema) globalDescribeJSON(version string) ([]byte, error) {
	g := globalDescribe{Encoding: "UTF-8", MaxBatchSize: 200, SObjects: []globalSObject{}}
	for _, o := range s.Objects {
		g.SObjects = append(g.SObjects, globalSObject{
			Createable: !o.readOnly, Custom: o.Custom, Deletable: !o.readOnly, FeedEnabled: !o.Custom,
			KeyPrefix: o.KeyPrefix, Label: o.Label, LabelPlural: o.LabelPlural, Layoutable: true,
			Mergeable:  o.Name == "Account" || o.Name == "Contact" || o.Name == "Lead" || o.Name == "Case",
			MruEnabled: true, Name: o.Name, Queryable: true, Replicateable: true, Retrieveable: true,
			Searchable: true, Triggerable: !o.readOnly, Undeletable: !o.readOnly, Updateable: !o.readOnly,
			URLs: objectURLs(o, version),
		})
	}
	b, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("global describe: %w", err)
	}
	return b, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}
