package emulator

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateGetUpdateDelete(t *testing.T) {
	o := newOrg(t, Options{})
	r := o.do("POST", "/sobjects/Account", map[string]any{"Name": "Acme", "Customer_Tier__c": "Gold", "AnnualRevenue": 1200000})
	o.mustStatus(r, 201)
	var created struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
		Errors  []any  `json:"errors"`
	}
	r.json(t, &created)
	if !created.Success || len(created.ID) != 18 || created.ID[:3] != "001" || created.Errors == nil {
		t.Fatalf("create result %s", r.body)
	}
	r = o.do("GET", "/sobjects/Account/"+created.ID[:15], nil)
	o.mustStatus(r, 200)
	if !strings.HasPrefix(string(r.body), `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/`+created.ID+`"},"Id":"`+created.ID+`"`) {
		t.Fatalf("record does not start with attributes then Id: %s", r.body)
	}
	var rec map[string]any
	r.json(t, &rec)
	if rec["Name"] != "Acme" || rec["OwnerId"] != o.srv.DemoUserID() || rec["CreatedDate"] != "2026-03-10T09:30:00.000+0000" {
		t.Fatalf("record %v", rec)
	}
	if !strings.Contains(string(r.body), `"AnnualRevenue":1200000.0`) {
		t.Fatalf("currency not written as Salesforce writes doubles: %s", r.body)
	}

	o.clock.Advance(time.Minute)
	o.mustStatus(o.do("PATCH", "/sobjects/Account/"+created.ID, map[string]any{"Phone": "+44 20 1234"}), 204)
	got, _ := o.srv.Get("Account", created.ID)
	if got["Phone"] != "+44 20 1234" || got["LastModifiedDate"] != "2026-03-10T09:31:00.000+0000" || got["SystemModstamp"] != got["LastModifiedDate"] {
		t.Fatalf("after update %v", got)
	}

	r = o.do("GET", "/sobjects/Account/"+created.ID+"?fields=Name,Phone", nil)
	if string(r.body) != `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/`+created.ID+`"},"Name":"Acme","Phone":"+44 20 1234"}` {
		t.Fatalf("fields= record %s", r.body)
	}

	o.mustStatus(o.do("DELETE", "/sobjects/Account/"+created.ID, nil), 204)
	r = o.do("DELETE", "/sobjects/Account/"+created.ID, nil)
	o.mustStatus(r, 404)
	if string(r.body) != `[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]` {
		t.Fatalf("second delete %s", r.body)
	}
	if o.srv.Count("Account") != 0 {
		t.Fatalf("count after delete %d", o.srv.Count("Account"))
	}
	r = o.do("GET", "/sobjects/Account/not-an-id", nil)
	o.mustStatus(r, 404)
	if !strings.Contains(string(r.body), "Provided external ID field does not exist or is not accessible: not-an-id") {
		t.Fatalf("non-id lookup %s", r.body)
	}
	r = o.do("GET", "/sobjects/Account/001000000000000AAA", nil)
	o.mustStatus(r, 404)
}

func TestWriteValidation(t *testing.T) {
	o := newOrg(t, Options{})
	acc, err := o.srv.Insert("Account", map[string]any{"Name": "Parent"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.srv.Insert("Contact", map[string]any{"LastName": "Taken", "External_Key__c": "K-1"}); err != nil {
		t.Fatal(err)
	}
	deletedAcc, _ := o.srv.Insert("Account", map[string]any{"Name": "Gone"})
	_ = o.srv.Delete("Account", deletedAcc)
	tests := []struct {
		name   string
		object string
		body   map[string]any
		code   string
		fields []string
	}{
		{"required on account", "Account", map[string]any{"Phone": "1"}, "REQUIRED_FIELD_MISSING", []string{"Name"}},
		{"required on lead", "Lead", map[string]any{"FirstName": "A"}, "REQUIRED_FIELD_MISSING", []string{"LastName", "Company"}},
		{"required on opportunity", "Opportunity", map[string]any{"Name": "X"}, "REQUIRED_FIELD_MISSING", []string{"StageName", "CloseDate"}},
		{"restricted picklist", "Account", map[string]any{"Name": "A", "Customer_Tier__c": "Diamond"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", []string{"Customer_Tier__c"}},
		{"too long", "Contact", map[string]any{"LastName": strings.Repeat("x", 81)}, "STRING_TOO_LONG", []string{"LastName"}},
		{"formula field", "Subscription__c", map[string]any{"ARR__c": 5}, "INVALID_FIELD_FOR_INSERT_UPDATE", []string{"ARR__c"}},
		{"system field", "Account", map[string]any{"Name": "A", "CreatedDate": "2020-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE", []string{"CreatedDate"}},
		{"unknown field", "Account", map[string]any{"Name": "A", "Nope__c": 1}, "INVALID_FIELD", nil},
		{"malformed lookup", "Contact", map[string]any{"LastName": "A", "AccountId": "001xyz"}, "MALFORMED_ID", []string{"AccountId"}},
		{"lookup of the wrong type", "Contact", map[string]any{"LastName": "A", "AccountId": o.srv.DemoUserID()}, "FIELD_INTEGRITY_EXCEPTION", []string{"AccountId"}},
		{"lookup to nothing", "Contact", map[string]any{"LastName": "A", "AccountId": newID("001", 999)}, "INVALID_CROSS_REFERENCE_KEY", []string{"AccountId"}},
		{"lookup to deleted", "Contact", map[string]any{"LastName": "A", "AccountId": deletedAcc}, "ENTITY_IS_DELETED", []string{"AccountId"}},
		{"bad number", "Account", map[string]any{"Name": "A", "AnnualRevenue": "lots"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", []string{"AnnualRevenue"}},
		{"bad date", "Opportunity", map[string]any{"Name": "A", "StageName": "Prospecting", "CloseDate": "31/12/2026"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", []string{"CloseDate"}},
		{"bad email", "Contact", map[string]any{"LastName": "A", "Email": "not an email"}, "INVALID_EMAIL_ADDRESS", []string{"Email"}},
		{"duplicate external key", "Contact", map[string]any{"LastName": "B", "External_Key__c": "k-1"}, "DUPLICATE_VALUE", []string{"External_Key__c"}},
		{"id on insert", "Account", map[string]any{"Name": "A", "Id": acc}, "INVALID_FIELD_FOR_INSERT_UPDATE", []string{"Id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := o.do("POST", "/sobjects/"+tt.object, tt.body)
			o.mustStatus(r, 400)
			var errs []struct {
				ErrorCode string   `json:"errorCode"`
				Message   string   `json:"message"`
				Fields    []string `json:"fields"`
			}
			r.json(t, &errs)
			if len(errs) != 1 || errs[0].ErrorCode != tt.code || errs[0].Message == "" {
				t.Fatalf("errors %s, want %s", r.body, tt.code)
			}
			if tt.fields != nil && !slices.Equal(errs[0].Fields, tt.fields) {
				t.Fatalf("fields %v, want %v", errs[0].Fields, tt.fields)
			}
		})
	}
	// A restricted picklist error carries Salesforce's wording.
	r := o.do("PATCH", "/sobjects/Account/"+acc, map[string]any{"Customer_Tier__c": "Diamond"})
	if string(r.body) != `[{"message":"Customer Tier: bad value for restricted picklist field: Diamond","errorCode":"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST","fields":["Customer_Tier__c"]}]` {
		t.Fatalf("picklist error %s", r.body)
	}
	r = o.do("PATCH", "/sobjects/Account/"+acc, map[string]any{"Name": nil})
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"REQUIRED_FIELD_MISSING"}) {
		t.Fatalf("clearing Name: %s", r.body)
	}
	r = o.do("POST", "/sobjects/Account", nil)
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"JSON_PARSER_ERROR"}) {
		t.Fatalf("empty body: %s", r.body)
	}
}

func TestDefaultsAndFormulas(t *testing.T) {
	o := newOrg(t, Options{})
	id, err := o.srv.Insert("Opportunity", map[string]any{"Name": "Big", "StageName": "Negotiation/Review", "CloseDate": "2026-06-30", "Amount": 200000})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := o.srv.Get("Opportunity", id)
	if got["Probability"] != 90.0 || got["ExpectedRevenue"] != 180000.0 || got["Is_Big_Deal__c"] != true || got["IsClosed"] != false {
		t.Fatalf("opportunity %v", got)
	}
	if err := o.srv.Update("Opportunity", id, map[string]any{"StageName": "Closed Won"}); err != nil {
		t.Fatal(err)
	}
	got, _ = o.srv.Get("Opportunity", id)
	if got["Probability"] != 100.0 || got["IsWon"] != true || got["IsClosed"] != true {
		t.Fatalf("after closing %v", got)
	}
	lead, _ := o.srv.Insert("Lead", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Company": "Engines"})
	got, _ = o.srv.Get("Lead", lead)
	if got["Status"] != "Open - Not Contacted" || got["Name"] != "Ada Lovelace" || got["IsConverted"] != false {
		t.Fatalf("lead %v", got)
	}
	sub, _ := o.srv.Insert("Subscription__c", map[string]any{"MRR__c": 99.5})
	got, _ = o.srv.Get("Subscription__c", sub)
	if got["Name"] != sub || got["ARR__c"] != 1194.0 || got["Active__c"] != true || sub[:3] != "a0X" {
		t.Fatalf("subscription %v", got)
	}
}

func TestUpsertByExternalID(t *testing.T) {
	o := newOrg(t, Options{})
	r := o.do("PATCH", "/sobjects/Contact/External_Key__c/EXT-1", map[string]any{"LastName": "First"})
	o.mustStatus(r, 201)
	var res map[string]any
	r.json(t, &res)
	if res["created"] != true || res["success"] != true {
		t.Fatalf("insert %s", r.body)
	}
	id := res["id"].(string)
	r = o.do("PATCH", "/sobjects/Contact/External_Key__c/ext-1", map[string]any{"LastName": "Second"})
	o.mustStatus(r, 200)
	r.json(t, &res)
	if res["created"] != false || res["id"] != id {
		t.Fatalf("update %s", r.body)
	}
	if got, _ := o.srv.Get("Contact", id); got["LastName"] != "Second" || got["External_Key__c"] != "EXT-1" {
		t.Fatalf("record %v", got)
	}
	// Before API 46.0 an upsert that updates answers 204.
	o.mustStatus(o.do("PATCH", "/services/data/v45.0/sobjects/Contact/External_Key__c/EXT-1", map[string]any{"Title": "Dr"}), 204)
	r = o.do("GET", "/sobjects/Contact/External_Key__c/EXT-1", nil)
	o.mustStatus(r, 200)
	r = o.do("PATCH", "/sobjects/Contact/Email/x@y.example", map[string]any{"LastName": "X"})
	o.mustStatus(r, 404)
	if !strings.Contains(string(r.body), "Provided external ID field does not exist or is not accessible: Email") {
		t.Fatalf("non-external field %s", r.body)
	}
	r = o.do("PATCH", "/sobjects/Contact/External_Key__c/EXT-2?updateOnly=true", map[string]any{"LastName": "X"})
	o.mustStatus(r, 404)
	o.mustStatus(o.do("DELETE", "/sobjects/Contact/External_Key__c/EXT-1", nil), 204)
	if o.srv.Count("Contact") != 0 {
		t.Fatal("delete by external id left the record")
	}
}

func TestDescribe(t *testing.T) {
	o := newOrg(t, Options{})
	r := o.do("GET", "/sobjects/Contact/describe", nil)
	o.mustStatus(r, 200)
	var d struct {
		Name      string `json:"name"`
		KeyPrefix string `json:"keyPrefix"`
		Fields    []map[string]any
		Children  []map[string]any `json:"childRelationships"`
	}
	r.json(t, &d)
	if d.Name != "Contact" || d.KeyPrefix != "003" {
		t.Fatalf("describe head %v %v", d.Name, d.KeyPrefix)
	}
	byName := map[string]map[string]any{}
	for _, f := range d.Fields {
		if len(f) != 57 {
			t.Errorf("field %v has %d keys, want 57", f["name"], len(f))
		}
		byName[f["name"].(string)] = f
	}
	if f := byName["External_Key__c"]; f["externalId"] != true || f["unique"] != true || f["custom"] != true {
		t.Errorf("External_Key__c %v", f)
	}
	if f := byName["AccountId"]; f["relationshipName"] != "Account" || f["referenceTo"].([]any)[0] != "Account" {
		t.Errorf("AccountId %v", f)
	}
	r = o.do("GET", "/sobjects/Contact/describe", nil, "If-Modified-Since", "Tue, 10 Mar 2026 00:00:00 GMT")
	o.mustStatus(r, 304)
	r = o.do("GET", "/sobjects", nil)
	var g globalDescribe
	r.json(t, &g)
	if g.MaxBatchSize != 200 || len(g.SObjects) != 11 {
		t.Fatalf("global describe %+v", g)
	}
	r = o.do("GET", "/sobjects/Account/describe", nil)
	var acc struct {
		Children []struct {
			ChildSObject, RelationshipName string
		} `json:"childRelationships"`
	}
	r.json(t, &acc)
	if !slices.ContainsFunc(acc.Children, func(c struct{ ChildSObject, RelationshipName string }) bool {
		return c.ChildSObject == "Subscription__c" && c.RelationshipName == "Subscriptions__r"
	}) {
		t.Fatalf("Account children %+v", acc.Children)
	}
}
