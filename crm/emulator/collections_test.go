package emulator

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func account(name string) map[string]any {
	return map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": name}
}

func TestCollectionsCreate(t *testing.T) {
	tests := []struct {
		name      string
		allOrNone bool
		want      string // results with ids replaced by ID
		count     int
	}{
		{"partial success", false,
			`[{"id":"ID","success":true,"errors":[]},{"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Name]","fields":["Name"]}]}]`, 1},
		{"all or none", true,
			`[{"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":"Record rolled back because not all records were valid and the request was using AllOrNone header","fields":[]}]},{"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Name]","fields":["Name"]}]}]`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, Options{})
			bad := account("")
			delete(bad, "Name")
			r := o.do("POST", "/composite/sobjects", map[string]any{"allOrNone": tt.allOrNone, "records": []any{account("Good"), bad}})
			o.mustStatus(r, 200)
			got := string(r.body)
			if id := newID("001", 1); strings.Contains(got, id) {
				got = strings.ReplaceAll(got, id, "ID")
			}
			if got != tt.want {
				t.Fatalf("\n got %s\nwant %s", got, tt.want)
			}
			if n := o.srv.Count("Account"); n != tt.count {
				t.Fatalf("count %d, want %d", n, tt.count)
			}
		})
	}
}

func TestCollectionsUpdateUpsertDelete(t *testing.T) {
	o := newOrg(t, Options{})
	a, _ := o.srv.Insert("Account", map[string]any{"Name": "A"})
	b, _ := o.srv.Insert("Account", map[string]any{"Name": "B"})

	r := o.do("PATCH", "/composite/sobjects", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "id": a, "Phone": "1"},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "id": "001bad", "Phone": "2"},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Id": b, "Customer_Tier__c": "Nope"},
	}})
	o.mustStatus(r, 200)
	var res []saveResult
	r.json(t, &res)
	if !res[0].Success || res[1].Success || res[1].Errors[0].StatusCode != "MALFORMED_ID" ||
		res[2].Success || res[2].Errors[0].StatusCode != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" || *res[2].ID != b {
		t.Fatalf("update results %s", r.body)
	}
	if got, _ := o.srv.Get("Account", a); got["Phone"] != "1" {
		t.Fatalf("update not applied: %v", got)
	}

	r = o.do("PATCH", "/composite/sobjects/Account/Account_Key__c", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Account_Key__c": "K1", "Name": "New"},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Account_Key__c": "K1", "Name": "Again"},
	}})
	o.mustStatus(r, 200)
	res = nil
	r.json(t, &res)
	if !res[0].Success || !*res[0].Created || !res[1].Success || *res[1].Created || *res[0].ID != *res[1].ID {
		t.Fatalf("upsert results %s", r.body)
	}

	ids := strings.Join([]string{a, b, "nope"}, ",")
	r = o.do("DELETE", "/composite/sobjects?allOrNone=true&ids="+ids, nil)
	o.mustStatus(r, 200)
	res = nil
	r.json(t, &res)
	if res[0].Success || res[0].Errors[0].StatusCode != codeRolledBack || *res[0].ID != a || res[2].Errors[0].StatusCode != "MALFORMED_ID" {
		t.Fatalf("delete results %s", r.body)
	}
	if o.srv.Count("Account") != 3 {
		t.Fatalf("rolled-back delete removed records: %d", o.srv.Count("Account"))
	}
	r = o.do("DELETE", "/composite/sobjects?ids="+a+","+b, nil)
	res = nil
	r.json(t, &res)
	if !res[0].Success || !res[1].Success || o.srv.Count("Account") != 1 {
		t.Fatalf("delete %s", r.body)
	}

	r = o.do("GET", "/composite/sobjects/Account?ids="+a+","+*res[0].ID+"&fields=Id,Name", nil)
	o.mustStatus(r, 200)
	if string(r.body) != "[null,null]" {
		t.Fatalf("retrieve deleted: %s", r.body)
	}
}

func TestCollectionsLimit(t *testing.T) {
	o := newOrg(t, Options{})
	recs := make([]any, 201)
	for i := range recs {
		recs[i] = account(fmt.Sprint(i))
	}
	r := o.do("POST", "/composite/sobjects", map[string]any{"records": recs})
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"EXCEEDED_ID_LIMIT"}) {
		t.Fatalf("codes %v", codes)
	}
}

func TestGetUpdatedAndDeleted(t *testing.T) {
	o := newOrg(t, Options{})
	start := o.clock.Now()
	a, _ := o.srv.Insert("Account", map[string]any{"Name": "A"})
	b, _ := o.srv.Insert("Account", map[string]any{"Name": "B"})
	o.clock.Advance(5 * time.Minute)
	if err := o.srv.Delete("Account", b); err != nil {
		t.Fatal(err)
	}
	o.clock.Advance(5 * time.Minute)
	q := "?start=" + start.Format(time.RFC3339) + "&end=" + o.clock.Now().Format("2006-01-02T15:04:05-07:00")
	r := o.do("GET", "/sobjects/Account/updated/"+q, nil)
	o.mustStatus(r, 200)
	if want := `{"ids":["` + a + `"],"latestDateCovered":"2026-03-10T09:40:00.000+0000"}`; string(r.body) != want {
		t.Fatalf("updated %s, want %s", r.body, want)
	}
	r = o.do("GET", "/sobjects/Account/deleted/"+q, nil)
	o.mustStatus(r, 200)
	var del struct {
		DeletedRecords []struct{ ID, DeletedDate string } `json:"deletedRecords"`
	}
	r.json(t, &del)
	if len(del.DeletedRecords) != 1 || del.DeletedRecords[0].ID != b || del.DeletedRecords[0].DeletedDate != "2026-03-10T09:35:00.000+0000" {
		t.Fatalf("deleted %s", r.body)
	}
	r = o.do("GET", "/sobjects/Account/updated/?start=2020-01-01T00:00:00Z&end=2026-03-10T00:00:00Z", nil)
	if codes := r.errorCodes(t); r.status != 400 || codes[0] != "INVALID_REPLICATION_DATE" {
		t.Fatalf("too old: %s", r.body)
	}
}
