package templates

import (
	"slices"
	"strings"

	"crmsheets/sheets"
)

// FieldInfo is what FromDescribe needs to know of a Salesforce field. The
// app converts the crm package's describe into it, so templates does not
// depend on crm.
type FieldInfo struct {
	Name     string   // API name, e.g. "Email", "Industry", "Custom__c"
	Label    string   // label shown in Salesforce
	Type     string   // Salesforce field type: string, email, picklist, double, reference, address...
	Picklist []string // active picklist values
	// Restricted is Describe's restrictedPicklist: only Picklist values are
	// accepted (an unrestricted picklist takes any value).
	Restricted bool
	ReadOnly   bool // neither createable nor updateable (formula, system or audit field)
}

// MaxDescribeColumns caps the columns FromDescribe picks: enough for the
// fields people edit, few enough for a readable first view.
const MaxDescribeColumns = 15

// SheetType maps a Salesforce field type to a column type. ok is false for
// types a sheet cannot hold as one cell (address, location, base64).
func SheetType(sfType string) (t sheets.Type, ok bool) {
	switch strings.ToLower(sfType) {
	case "string", "combobox", "encryptedstring", "time", "anytype":
		return sheets.TypeText, true
	case "textarea":
		return sheets.TypeTextArea, true
	case "double", "int", "long":
		return sheets.TypeNumber, true
	case "currency":
		return sheets.TypeCurrency, true
	case "percent":
		return sheets.TypePercent, true
	case "date":
		return sheets.TypeDate, true
	case "datetime":
		return sheets.TypeDateTime, true
	case "boolean":
		return sheets.TypeBool, true
	case "picklist":
		return sheets.TypePicklist, true
	case "multipicklist":
		return sheets.TypeMultiPicklist, true
	case "reference", "id":
		return sheets.TypeReference, true
	case "email":
		return sheets.TypeEmail, true
	case "phone":
		return sheets.TypePhone, true
	case "url":
		return sheets.TypeURL, true
	}
	return "", false
}

// systemFields are standard fields that are bookkeeping, not data people
// work with in a sheet. Id and LastModifiedDate are synced by the engine
// without columns.
var systemFields = map[string]bool{
	"id": true, "isdeleted": true, "masterrecordid": true, "createddate": true, "createdbyid": true,
	"lastmodifieddate": true, "lastmodifiedbyid": true, "systemmodstamp": true, "lastactivitydate": true,
	"lastvieweddate": true, "lastreferenceddate": true, "photourl": true, "jigsaw": true,
	"jigsawcompanyid": true, "jigsawcontactid": true, "cleanstatus": true, "connectionreceivedid": true,
	"connectionsentid": true, "emailbouncedreason": true, "emailbounceddate": true, "isemailbounced": true,
	"recordtypeid": true, "isarchived": true, "isclosed": true, "iswon": true, "forecastcategory": true,
	"hasopportunitylineitem": true, "pricebook2id": true, "fiscalquarter": true, "fiscalyear": true,
	"fiscal": true, "isconverted": true, "converteddate": true, "convertedaccountid": true,
	"convertedcontactid": true, "convertedopportunityid": true, "isunreadbyowner": true,
}

// rank orders candidate fields: lower first. Names and the fields that
// identify a record come first, then e-mail, website and main phones, then
// the picklists, amounts and dates that classify it, then custom fields and
// the main address, then other fields, and references and read-only fields last.
func rank(f FieldInfo) int {
	n := strings.ToLower(f.Name)
	switch {
	case n == "name" || n == "firstname" || n == "lastname" || n == "subject" || n == "casenumber":
		return 0
	case f.Type == "email" || n == "website" || n == "company" || n == "title":
		return 1
	case n == "phone" || n == "mobilephone":
		return 2
	case f.Type == "reference" || f.ReadOnly:
		return 6
	case n == "salutation":
		return 5
	case f.Type == "picklist" || f.Type == "currency" || f.Type == "date" || n == "amount":
		return 3
	case strings.HasSuffix(n, "__c") || primaryAddress(n):
		return 4
	}
	return 5
}

// primaryAddress reports the lines of an object's main address (Billing on
// accounts, Mailing on contacts, the plain one on leads), which outrank the
// secondary ones (Shipping, Other).
func primaryAddress(lower string) bool {
	for _, p := range []string{"", "billing", "mailing"} {
		switch strings.TrimPrefix(lower, p) {
		case "street", "city", "state", "postalcode", "country":
			return strings.HasPrefix(lower, p)
		}
	}
	return false
}

// addressPart reports the parts of compound address fields that are not
// address lines: geocodes (BillingLatitude, GeocodeAccuracy...).
func addressPart(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "geocodeaccuracy") || strings.HasSuffix(n, "latitude") || strings.HasSuffix(n, "longitude")
}

// FromDescribe builds a sheet for any object from its fields: up to
// MaxDescribeColumns sensible default columns (names, e-mail, phone, key
// fields and classifying picklists first; system fields, compound fields
// such as addresses and Contact.Name, and types a cell cannot hold
// skipped), typed from the Salesforce types, named by label, read-only when
// the field is, with picklist choices. The key column is the Email field
// when there is one, else Website. Columns keep the describe's order among
// equals. The sheet is named after the object and not stored.
func FromDescribe(object string, fields []FieldInfo) *sheets.Sheet {
	names := map[string]bool{}
	for _, f := range fields {
		names[strings.ToLower(f.Name)] = true
	}
	type cand struct {
		f    FieldInfo
		t    sheets.Type
		rank int
		i    int
	}
	var cands []cand
	for i, f := range fields {
		n := strings.ToLower(f.Name)
		t, ok := SheetType(f.Type)
		if !ok || systemFields[n] || f.Name == "" || addressPart(f.Name) {
			continue
		}
		// Contact and Lead "Name" is compound: FirstName and LastName are the
		// editable parts.
		if n == "name" && names["firstname"] && names["lastname"] {
			continue
		}
		cands = append(cands, cand{f: f, t: t, rank: rank(f), i: i})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return a.rank - b.rank })
	if len(cands) > MaxDescribeColumns {
		cands = cands[:MaxDescribeColumns]
	}
	// Identity and contact fields (ranks 0-2) lead; within that group and
	// within the rest, describe order, which follows Salesforce's layout.
	lead := func(c cand) int {
		if c.rank <= 2 {
			return 0
		}
		return 1
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if lead(a) != lead(b) {
			return lead(a) - lead(b)
		}
		return a.i - b.i
	})
	sh := &sheets.Sheet{Name: object, Object: object}
	used := map[string]bool{}
	for _, c := range cands {
		name := strings.TrimSpace(c.f.Label)
		if name == "" || used[strings.ToLower(name)] {
			name = c.f.Name
		}
		used[strings.ToLower(name)] = true
		col := sh.AddColumn(sheets.Column{Name: name, Type: c.t, Field: c.f.Name, ReadOnly: c.f.ReadOnly})
		if c.t == sheets.TypePicklist || c.t == sheets.TypeMultiPicklist {
			sh.Columns[len(sh.Columns)-1].Choices = slices.Clone(c.f.Picklist)
			sh.Columns[len(sh.Columns)-1].Restricted = c.f.Restricted
		}
		if !c.f.ReadOnly {
			switch {
			case c.t == sheets.TypeEmail && strings.EqualFold(c.f.Name, "Email"):
				sh.KeyColumn = col.ID
			case sh.KeyColumn == "" && strings.EqualFold(c.f.Name, "Website"):
				sh.KeyColumn = col.ID
			}
		}
	}
	sh.Sync = DefaultSync(sh.KeyColumn != "")
	return sh
}
