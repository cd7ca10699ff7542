package emulator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
)

func treeRecord(typ, ref string, fields map[string]any) map[string]any {
	m := map[string]any{"attributes": map[string]any{"type": typ, "referenceId": ref}}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

// POST /composite/tree/{sObject} (issue 14 item 5), with the shapes of
// Salesforce's "sObject Tree Response Body": roots first, then each level;
// on failure only the failing records, and nothing created.
func TestCompositeTree(t *testing.T) {
	o := newOrg(t, Options{})
	body := map[string]any{"records": []any{
		treeRecord("Account", "ref1", map[string]any{"Name": "Acme", "Contacts": map[string]any{"records": []any{
			treeRecord("Contact", "ref2", map[string]any{"LastName": "Smith", "Email": "s@acme.example"}),
			treeRecord("Contact", "ref3", map[string]any{"LastName": "Jones"}),
		}}}),
		treeRecord("Account", "ref4", map[string]any{"Name": "Bolt"}),
	}}
	r := o.do("POST", "/composite/tree/Account", body)
	o.mustStatus(r, 201)
	var res treeResponse
	r.json(t, &res)
	var refs []string
	for _, x := range res.Results {
		refs = append(refs, x.ReferenceID)
	}
	if res.HasErrors || fmt.Sprint(refs) != "[ref1 ref4 ref2 ref3]" {
		t.Fatalf("results %s", r.body)
	}
	if ok, _ := regexp.MatchString(`^\{"hasErrors":false,"results":\[\{"referenceId":"ref1","id":"001\w{15}"\},`, string(r.body)); !ok {
		t.Fatalf("wire shape %s", r.body)
	}
	acme := res.Results[0].ID
	if c, _ := o.srv.Get("Contact", res.Results[2].ID); c["AccountId"] != acme || c["LastName"] != "Smith" {
		t.Fatalf("child not linked to its parent: %v", c)
	}

	before := o.srv.Count("Account")
	bad := map[string]any{"records": []any{
		treeRecord("Account", "a1", map[string]any{"Name": "Crane", "Contacts": map[string]any{"records": []any{
			treeRecord("Contact", "c1", map[string]any{"LastName": "Ok"}),
			treeRecord("Contact", "c2", map[string]any{"LastName": "Bad", "Email": "123"}),
		}}}),
	}}
	r = o.do("POST", "/composite/tree/Account", bad)
	o.mustStatus(r, 400)
	var failed struct {
		HasErrors bool `json:"hasErrors"`
		Results   []struct {
			ReferenceID string `json:"referenceId"`
			Errors      []struct {
				StatusCode string   `json:"statusCode"`
				Message    string   `json:"message"`
				Fields     []string `json:"fields"`
			} `json:"errors"`
		} `json:"results"`
	}
	r.json(t, &failed)
	if !failed.HasErrors || len(failed.Results) != 1 || failed.Results[0].ReferenceID != "c2" ||
		failed.Results[0].Errors[0].StatusCode != "INVALID_EMAIL_ADDRESS" || failed.Results[0].Errors[0].Fields[0] != "Email" {
		t.Fatalf("failure %s", r.body)
	}
	if o.srv.Count("Account") != before {
		t.Fatal("a failed tree left its root behind")
	}

	// More than 200 records in all is refused.
	var many []any
	for i := 0; i < 201; i++ {
		many = append(many, treeRecord("Account", fmt.Sprint("r", i), map[string]any{"Name": "x"}))
	}
	r = o.do("POST", "/composite/tree/Account", map[string]any{"records": many})
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); len(codes) != 1 || codes[0] != "EXCEEDED_ID_LIMIT" {
		t.Fatalf("201 records: %s", r.body)
	}
	// A record of another type at the root, and duplicate reference ids.
	r = o.do("POST", "/composite/tree/Account", map[string]any{"records": []any{treeRecord("Contact", "x", map[string]any{"LastName": "x"})}})
	o.mustStatus(r, 400)
	r = o.do("POST", "/composite/tree/Account", map[string]any{"records": []any{
		treeRecord("Account", "dup", map[string]any{"Name": "x"}), treeRecord("Account", "dup", map[string]any{"Name": "y"})}})
	o.mustStatus(r, 400)
	r.json(t, &failed)
	if len(failed.Results) != 2 {
		t.Fatalf("duplicates: %s", r.body)
	}
}

type compositeReply struct {
	CompositeResponse []struct {
		Body           json.RawMessage   `json:"body"`
		HTTPHeaders    map[string]string `json:"httpHeaders"`
		HTTPStatusCode int               `json:"httpStatusCode"`
		ReferenceID    string            `json:"referenceId"`
	} `json:"compositeResponse"`
}

// POST /composite (issue 14 item 5): references between subrequests,
// allOrNone rolling everything back, and one API call for the lot.
func TestComposite(t *testing.T) {
	o := newOrg(t, Options{})
	used, _ := o.srv.APIUsage()
	req := map[string]any{"allOrNone": true, "compositeRequest": []any{
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "newAccount",
			"body": map[string]any{"Name": "Acme"}},
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "newContact",
			"body": map[string]any{"LastName": "Smith", "AccountId": "@{newAccount.id}"}},
		map[string]any{"method": "GET", "url": "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Account+WHERE+Id='@{newAccount.id}'", "referenceId": "q"},
		map[string]any{"method": "PATCH", "url": "/services/data/v62.0/sobjects/Contact/@{newContact.id}", "referenceId": "upd",
			"body": map[string]any{"Title": "Buyer at @{q.records[0].Name}"}},
	}}
	r := o.do("POST", "/composite", req)
	o.mustStatus(r, 200)
	var rep compositeReply
	r.json(t, &rep)
	statuses := []int{}
	for _, c := range rep.CompositeResponse {
		statuses = append(statuses, c.HTTPStatusCode)
	}
	if fmt.Sprint(statuses) != "[201 201 200 204]" {
		t.Fatalf("statuses %v: %s", statuses, r.body)
	}
	var created struct{ ID string }
	if err := json.Unmarshal(rep.CompositeResponse[0].Body, &created); err != nil {
		t.Fatal(err)
	}
	if loc := rep.CompositeResponse[0].HTTPHeaders["Location"]; loc != "/services/data/v62.0/sobjects/Account/"+created.ID {
		t.Fatalf("Location %q", loc)
	}
	contacts := o.srv.Records("Contact")
	if len(contacts) != 1 || contacts[0]["AccountId"] != created.ID || contacts[0]["Title"] != "Buyer at Acme" {
		t.Fatalf("contact %v", contacts)
	}
	if now, _ := o.srv.APIUsage(); now != used+1 {
		t.Fatalf("composite cost %d calls, want 1", now-used)
	}

	// allOrNone: the third subrequest fails, so the first two are undone
	// and answered PROCESSING_HALTED.
	accounts := o.srv.Count("Account")
	req = map[string]any{"allOrNone": true, "compositeRequest": []any{
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "a", "body": map[string]any{"Name": "Bolt"}},
		map[string]any{"method": "PATCH", "url": "/services/data/v62.0/sobjects/Account/@{a.id}", "referenceId": "b", "body": map[string]any{"Name": "Bolt 2"}},
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "c", "body": map[string]any{"Email": "no-last-name@x.example"}},
		map[string]any{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": "d"},
	}}
	r = o.do("POST", "/composite", req)
	o.mustStatus(r, 200)
	r.json(t, &rep)
	if o.srv.Count("Account") != accounts {
		t.Fatal("allOrNone left a created account behind")
	}
	for i, c := range rep.CompositeResponse {
		if c.HTTPStatusCode != 400 {
			t.Fatalf("subrequest %d status %d", i, c.HTTPStatusCode)
		}
		want := "PROCESSING_HALTED"
		if i == 2 {
			want = "REQUIRED_FIELD_MISSING"
		}
		if !regexp.MustCompile(`"errorCode":"` + want + `"`).Match(c.Body) {
			t.Fatalf("subrequest %d body %s", i, c.Body)
		}
	}

	// Without allOrNone the others stand, and a reference to a failed
	// subrequest is answered PROCESSING_HALTED.
	req = map[string]any{"compositeRequest": []any{
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "bad", "body": map[string]any{"FirstName": "x"}},
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "good", "body": map[string]any{"Name": "Crane"}},
		map[string]any{"method": "GET", "url": "/services/data/v62.0/sobjects/Contact/@{bad.id}", "referenceId": "ref"},
	}}
	r = o.do("POST", "/composite", req)
	r.json(t, &rep)
	if rep.CompositeResponse[1].HTTPStatusCode != 201 || rep.CompositeResponse[2].HTTPStatusCode != 400 ||
		!regexp.MustCompile(`PROCESSING_HALTED`).Match(rep.CompositeResponse[2].Body) {
		t.Fatalf("partial: %s", r.body)
	}
	if o.srv.Count("Account") != accounts+1 {
		t.Fatal("the good subrequest did not stand")
	}
}

// An allOrNone rollback reaches the data file too: a restarted org does not
// find the undone records.
func TestCompositeRollbackIsPersisted(t *testing.T) {
	path := t.TempDir() + "/org.db"
	o := newOrg(t, Options{DataFile: path})
	r := o.do("POST", "/composite", map[string]any{"allOrNone": true, "compositeRequest": []any{
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "a", "body": map[string]any{"Name": "Gone"}},
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "c", "body": map[string]any{"FirstName": "x"}},
	}})
	o.mustStatus(r, 200)
	o.ts.Close()
	if err := o.srv.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := New(Options{DataFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n := again.Count("Account"); n != 0 {
		t.Fatalf("%d accounts after a rolled-back composite", n)
	}
}
