package fieldmap

import (
	"reflect"
	"testing"

	"crmsheets/crm"
)

// TestCheckSalesforceAgreesWithToSalesforce: the check a push makes of
// every cell it sends refuses exactly what the conversion refuses, with the
// same problem, for every type and for good, bad and blank values.
func TestCheckSalesforceAgreesWithToSalesforce(t *testing.T) {
	types := []string{"string", "textarea", "boolean", "double", "currency", "percent", "int", "long",
		"date", "datetime", "multipicklist", "reference", "id", "email", "phone", "url", "picklist"}
	values := []string{"", "x", "true", "false", "12", "12.5", "-3", "1e400", "2024-05-01", "2024-05-01T10:00:00.000Z",
		"a; b;;c", "003000000000001AAA", "003000000000001", "jane@example.com", "jane@", " spaced "}
	for _, typ := range types {
		f := &crm.Field{Name: "F", Label: "F", Type: typ}
		for _, v := range values {
			want, wantErr := ToSalesforce(f, v)
			gotErr := CheckSalesforce(f, v)
			if !reflect.DeepEqual(gotErr, wantErr) {
				t.Errorf("%s %q: CheckSalesforce says %v, ToSalesforce %v", typ, v, gotErr, wantErr)
			}
			if wantErr == nil && v != "" && want == nil {
				t.Errorf("%s %q: ToSalesforce gave no value", typ, v)
			}
			if text := typ == "string" || typ == "email" || typ == "id" || typ == "picklist"; text && wantErr == nil && want != any(v) && v != "" {
				t.Errorf("%s %q: ToSalesforce gave %#v, want the text itself", typ, v, want)
			}
		}
	}
}
