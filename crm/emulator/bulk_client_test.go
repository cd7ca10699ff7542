package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
)

// End-to-end tests of the crm package's Bulk API 2.0 client (crm/bulk.go)
// against the demo org over real HTTP. crm does not import the emulator
// (go list -deps crmsheets/crm), so this external test package may import
// both.

// bearer adds the demo org's access token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func bulkClientOrg(t *testing.T) (*emulator.Server, *crm.Client) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	token, _, err := srv.IssueToken(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := crm.NewClient(ts.URL,
		crm.WithHTTPClient(&http.Client{Transport: bearer{token}}),
		crm.WithAPIVersion("62.0"),
		crm.WithBulkPolling(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestClientBulkIngestInsertMapsFailuresToInputs(t *testing.T) {
	srv, c := bulkClientOrg(t)
	recs := []crm.Record{
		{Fields: map[string]any{"LastName": "Lovelace", "FirstName": "Ada", "Email": "ada@example.com"}},
		{Fields: map[string]any{"FirstName": "No last name"}},
		{Fields: map[string]any{"LastName": "Bad", "Email": "not-an-email"}},
		{Fields: map[string]any{"LastName": "Lovelace", "FirstName": "Ada", "Email": "ada@example.com"}},
	}
	var states []string
	res, err := c.BulkIngest(context.Background(), "Contact", crm.OpInsert, "", recs, func(p crm.BulkProgress) {
		if len(states) == 0 || states[len(states)-1] != p.State {
			states = append(states, p.State)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(recs) {
		t.Fatalf("%d results for %d records", len(res), len(recs))
	}
	if !res[0].Success || !res[0].Created || !res[3].Success || res[0].ID == res[3].ID {
		t.Errorf("duplicate rows map to distinct records: %+v %+v", res[0], res[3])
	}
	if got, ok := srv.Get("Contact", res[0].ID); !ok || got["FirstName"] != "Ada" {
		t.Errorf("stored %v", got)
	}
	want := []crm.RecordError{
		{StatusCode: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [LastName]", Fields: []string{"LastName"}},
		{StatusCode: "INVALID_EMAIL_ADDRESS", Message: "Email: invalid email address: not-an-email", Fields: []string{"Email"}},
	}
	for i, w := range want {
		r := res[i+1]
		if r.Success || len(r.Errors) != 1 || r.Errors[0].StatusCode != w.StatusCode || r.Errors[0].Message != w.Message || !slices.Equal(r.Errors[0].Fields, w.Fields) {
			t.Errorf("record %d: %+v, want %+v", i+1, r, w)
		}
	}
	if states[0] != crm.BulkOpen || states[len(states)-1] != crm.BulkJobComplete {
		t.Errorf("progress states %v", states)
	}
}

func TestClientBulkIngestUpdateUpsertDelete(t *testing.T) {
	srv, c := bulkClientOrg(t)
	ctx := context.Background()
	id, err := srv.Insert("Contact", map[string]any{"LastName": "Hopper", "Title": "Admiral", "Department": "Navy", "External_Key__c": "K-1"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.BulkIngest(ctx, "Contact", crm.OpUpdate, "", []crm.Record{
		{ID: id, Fields: map[string]any{"Title": "Rear Admiral", "Department": nil}},
	}, nil)
	if err != nil || !res[0].Success {
		t.Fatalf("update %+v %v", res, err)
	}
	got, _ := srv.Get("Contact", id)
	if got["Title"] != "Rear Admiral" || got["Department"] != nil {
		t.Errorf("after update %v", got)
	}

	res, err = c.BulkIngest(ctx, "Contact", crm.OpUpsert, "External_Key__c", []crm.Record{
		{Fields: map[string]any{"External_Key__c": "K-1", "LastName": "Hopper-Murray"}},
		{Fields: map[string]any{"External_Key__c": "K-2", "LastName": "New"}},
	}, nil)
	if err != nil || res[0].ID != id || res[0].Created || !res[1].Created {
		t.Fatalf("upsert %+v %v", res, err)
	}

	res, err = c.BulkIngest(ctx, "Contact", crm.OpDelete, "", []crm.Record{{ID: id}, {ID: res[1].ID}}, nil)
	if err != nil || !res[0].Success || !res[1].Success {
		t.Fatalf("delete %+v %v", res, err)
	}
	if n := srv.Count("Contact"); n != 0 {
		t.Errorf("%d contacts left", n)
	}
}

// TestClientBulkIngestEmptyStringClears checks that an empty string clears
// a field through Bulk as it does through sObject Collections (where JSON
// "" is stored as null).
func TestClientBulkIngestEmptyStringClears(t *testing.T) {
	srv, c := bulkClientOrg(t)
	id, err := srv.Insert("Contact", map[string]any{"LastName": "Hopper", "Department": "Navy"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.BulkIngest(context.Background(), "Contact", crm.OpUpdate, "", []crm.Record{
		{ID: id, Fields: map[string]any{"Department": ""}},
	}, nil)
	if err != nil || !res[0].Success {
		t.Fatalf("update %+v %v", res, err)
	}
	if got, _ := srv.Get("Contact", id); got["Department"] != nil {
		t.Errorf("Department %v after sending \"\"; Bulk reads an empty cell as 'leave unchanged', so the client must send #N/A", got["Department"])
	}
}

func TestClientBulkQuery(t *testing.T) {
	srv, c := bulkClientOrg(t)
	acct, err := srv.Insert("Account", map[string]any{"Name": "Acme, Inc."})
	if err != nil {
		t.Fatal(err)
	}
	// One more record than the demo org's default results page (50,000
	// rows), so the client follows a Sforce-Locator to a second page.
	const n = 50001
	for i := range n {
		fields := map[string]any{"LastName": fmt.Sprintf("Last%05d", i)}
		if i%3 == 0 {
			fields["AccountId"] = acct
		}
		if _, err := srv.Insert("Contact", fields); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	for rec, err := range c.BulkQuery(context.Background(), "SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName") {
		if err != nil {
			t.Fatal(err)
		}
		wantAccount := any(nil)
		if i%3 == 0 {
			wantAccount = "Acme, Inc."
		}
		if rec.ID == "" || rec.Fields["LastName"] != fmt.Sprintf("Last%05d", i) || rec.Fields["Account.Name"] != wantAccount {
			t.Fatalf("record %d: %+v", i, rec)
		}
		i++
	}
	if i != n {
		t.Errorf("%d records, want %d", i, n)
	}
}
