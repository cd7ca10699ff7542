package soql

import (
	"errors"
	"strings"
	"testing"
)

// fakeSchema is a tiny org: fields per object (canonical name → type) and
// relationships per object (canonical name → target object).
type fakeSchema struct {
	fields        map[string]map[string]string
	relationships map[string]map[string]string
}

var testSchema = fakeSchema{
	fields: map[string]map[string]string{
		"Account": {"Id": "id", "Name": "string", "Industry": "picklist", "AnnualRevenue": "currency",
			"NumberOfEmployees": "int", "CreatedDate": "datetime", "OwnerId": "reference", "IsDeleted": "boolean",
			"Customer_Tier__c": "picklist", "Regions__c": "multipicklist", "Website": "url", "Description": "textarea"},
		"Contact": {"Id": "id", "LastName": "string", "Email": "email", "AccountId": "reference", "Birthdate": "date",
			"OwnerId": "reference", "CreatedDate": "datetime"},
		"User": {"Id": "id", "Name": "string", "Email": "email"},
		"Name": {"Id": "id", "Name": "string", "Email": "email"},
		"Task": {"Id": "id", "Subject": "string", "WhoId": "reference", "ActivityDate": "date"},
		"Lead": {"Id": "id", "LastName": "string", "Company": "string", "IsConverted": "boolean"},
		"Opportunity": {"Id": "id", "Name": "string", "Amount": "currency", "Probability": "percent",
			"CloseDate": "date", "StageName": "picklist", "AccountId": "reference"},
	},
	relationships: map[string]map[string]string{
		"Account":     {"Owner": "User"},
		"Contact":     {"Account": "Account", "Owner": "User"},
		"Task":        {"Who": "Name"},
		"Opportunity": {"Account": "Account"},
	},
}

// testChildren are the child relationships of the fake org.
var testChildren = map[string]map[string]string{
	"Account": {"Contacts": "Contact", "Opportunities": "Opportunity"},
}

func (s fakeSchema) ChildRelationship(object, rel string) (string, string, bool) {
	name, child, ok := lookupFold(testChildren[object], rel)
	return child, name, ok
}

func lookupFold[V any](m map[string]V, key string) (string, V, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	var zero V
	return "", zero, false
}

func (s fakeSchema) ObjectName(object string) (string, bool) {
	name, _, ok := lookupFold(s.fields, object)
	return name, ok
}

func (s fakeSchema) RelatedObject(object, relationship string) (string, bool) {
	_, target, ok := lookupFold(s.relationships[object], relationship)
	return target, ok
}

func (s fakeSchema) FieldType(object, path string) (string, string, bool) {
	obj, fields, ok := lookupFold(s.fields, object)
	if !ok {
		return "", "", false
	}
	parts := strings.Split(path, ".")
	var canonical []string
	for _, rel := range parts[:len(parts)-1] {
		name, target, ok := lookupFold(s.relationships[obj], rel)
		if !ok {
			return "", "", false
		}
		canonical = append(canonical, name)
		obj, fields = target, s.fields[target]
	}
	name, typ, ok := lookupFold(fields, parts[len(parts)-1])
	if !ok {
		return "", "", false
	}
	return typ, strings.Join(append(canonical, name), "."), true
}

// plainSchema hides RelatedObject, to test the probing fallback.
type plainSchema struct{ Schema }

func TestResolveCanonicalises(t *testing.T) {
	q, err := Parse("select id, account.name, OWNER.name from contact where email like '%@x.com' and account.owner.email != null order by birthdate desc")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Resolve(testSchema); err != nil {
		t.Fatal(err)
	}
	if !q.Resolved() {
		t.Error("Resolved() = false after Resolve")
	}
	want := "SELECT Id, Account.Name, Owner.Name FROM Contact WHERE Email LIKE '%@x.com' AND Account.Owner.Email != null ORDER BY Birthdate DESC"
	if got := q.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if q.Fields[1].Type != "string" || q.OrderBy[0].Field.Type != "date" {
		t.Errorf("types not set: %+v %+v", q.Fields[1], q.OrderBy[0].Field)
	}
}

func TestResolveErrors(t *testing.T) {
	const customField = ". If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
	const customRel = " in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
	tests := []struct {
		name, soql string
		schema     Schema
		code       string
		column     int
		reason     string
	}{
		{"unknown object", "select count() from XYZZY", testSchema, CodeInvalidType, 21,
			"sObject type 'XYZZY' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."},
		{"unknown field", "SELECT Id, Nmae FROM Account", testSchema, CodeInvalidField, 12, "No such column 'Nmae' on entity 'Account'" + customField},
		{"unknown parent field", "SELECT Owner.Nmae FROM Contact", testSchema, CodeInvalidField, 8, "No such column 'Nmae' on entity 'User'" + customField},
		{"unknown parent field without RelationshipSchema", "SELECT Owner.Nmae FROM Contact", plainSchema{testSchema}, CodeInvalidField, 8, "No such column 'Nmae' on entity 'Owner'" + customField},
		{"unknown relationship", "SELECT Acount.Name FROM Contact", testSchema, CodeInvalidField, 8, "Didn't understand relationship 'Acount'" + customRel},
		{"unknown relationship without RelationshipSchema", "SELECT Acount.Name FROM Contact", plainSchema{testSchema}, CodeInvalidField, 8, "Didn't understand relationship 'Acount'" + customRel},
		{"unknown where field", "SELECT Id FROM Account WHERE Nmae = 'x'", testSchema, CodeInvalidField, 30, "No such column 'Nmae' on entity 'Account'" + customField},
		{"unknown order field", "SELECT Id FROM Account ORDER BY Nmae", testSchema, CodeInvalidField, 33, "No such column 'Nmae' on entity 'Account'" + customField},
		{"duplicate field", "SELECT Id, Name, name FROM Account", testSchema, CodeInvalidField, 18, "duplicate field selected: Name"},
		{"string against date", "SELECT Id FROM Contact WHERE Birthdate = '2024-01-01'", testSchema, CodeInvalidField, 42,
			"value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes"},
		{"date against datetime", "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", testSchema, CodeInvalidField, 44,
			"value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"},
		{"datetime against date", "SELECT Id FROM Contact WHERE Birthdate > 2024-01-01T00:00:00Z", testSchema, CodeInvalidField, 42,
			"value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes"},
		{"date literal against string", "SELECT Id FROM Account WHERE Name = TODAY", testSchema, CodeInvalidField, 37,
			"value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"},
		{"number against string", "SELECT Id FROM Account WHERE Name = 5", testSchema, CodeInvalidField, 37,
			"value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"},
		{"string against currency", "SELECT Id FROM Account WHERE AnnualRevenue > '5'", testSchema, CodeInvalidField, 46,
			"value of filter criterion for field 'AnnualRevenue' must be of type double and should not be enclosed in quotes"},
		{"string against int in list", "SELECT Id FROM Account WHERE NumberOfEmployees IN (1, '2')", testSchema, CodeInvalidField, 55,
			"value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes"},
		{"string against boolean", "SELECT Id FROM Account WHERE IsDeleted = 'true'", testSchema, CodeInvalidField, 42,
			"value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed in quotes"},
		{"number against id", "SELECT Id FROM Account WHERE Id = 1", testSchema, CodeInvalidField, 35,
			"value of filter criterion for field 'Id' must be of type id and should be enclosed in quotes"},
		{"malformed id", "SELECT Id FROM Account WHERE OwnerId = 'abc'", testSchema, CodeInvalidFilterOperator, 40, "invalid ID field: abc"},
		{"like on number", "SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'", testSchema, CodeInvalidFilterOperator, 49, "invalid operator on field 'AnnualRevenue'"},
		{"like on multipicklist", "SELECT Id FROM Account WHERE Regions__c LIKE 'a%'", testSchema, CodeInvalidFilterOperator, 46, "invalid operator on multipicklist field"},
		{"includes on text", "SELECT Id FROM Account WHERE Name INCLUDES ('a')", testSchema, CodeInvalidFilterOperator, 30, "includes or excludes operator only valid on multipicklist field"},
		{"order by multipicklist", "SELECT Id FROM Account ORDER BY Regions__c", testSchema, CodeInvalidField, 33, "field 'Regions__c' can not be sorted in a query call"},
		{"boolean ordering", "SELECT Id FROM Account WHERE IsDeleted > false", testSchema, CodeInvalidFilterOperator, 42, "invalid operator on boolean field 'IsDeleted'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.soql)
			if err != nil {
				t.Fatal(err)
			}
			err = q.Resolve(tt.schema)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Resolve: got %v, want *Error", err)
			}
			if e.Code != tt.code || e.Column != tt.column || !strings.HasPrefix(e.Reason, tt.reason) {
				t.Errorf("got %s at column %d: %q\nwant %s at column %d: %q", e.Code, e.Column, e.Reason, tt.code, tt.column, tt.reason)
			}
			if q.Resolved() {
				t.Error("Resolved() = true after a failed Resolve")
			}
		})
	}
}

// TestResolveErrorFraming pins the full wire text against the real
// INVALID_TYPE body captured by CumulusCI (fixtures/cumulusci/cassettes/
// TestCountSObjects.test_count_sobjects__errors.json, copied in
// fixtures/misc/error_bodies_collected.json).
func TestResolveErrorFraming(t *testing.T) {
	q, err := Parse("select count() from XYZZY")
	if err != nil {
		t.Fatal(err)
	}
	err = q.Resolve(testSchema)
	want := "\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\nsObject type 'XYZZY' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
	var e *Error
	if !errors.As(err, &e) || e.Message != want {
		t.Fatalf("got %v\nwant message %q", err, want)
	}
}

func TestResolveAcceptsValidLiterals(t *testing.T) {
	tests := []string{
		"SELECT Id FROM Account WHERE Id = '001000000000001AAA'",
		"SELECT Id FROM Account WHERE Id IN ('001000000000001', null)",
		"SELECT Id FROM Account WHERE OwnerId = ''",
		"SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:3 AND CreatedDate < 2024-01-01T00:00:00Z",
		"SELECT Id FROM Contact WHERE Birthdate = THIS_YEAR OR Birthdate = 2000-01-01 OR Birthdate = null",
		"SELECT Id FROM Account WHERE AnnualRevenue >= -1.5 AND NumberOfEmployees < 10 AND IsDeleted = false",
		"SELECT Id FROM Account WHERE Regions__c INCLUDES ('EMEA;APAC') AND Regions__c = 'EMEA' AND Industry LIKE 'Tech%'",
		"SELECT Id FROM Task WHERE Who.Email LIKE '%@example.com'",
		"SELECT Id FROM Account WHERE Website != null AND Description LIKE '%x%' AND Id LIKE '001%'",
	}
	for _, soql := range tests {
		t.Run(soql, func(t *testing.T) {
			q, err := Parse(soql)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Resolve(testSchema); err != nil {
				t.Fatal(err)
			}
		})
	}
}
