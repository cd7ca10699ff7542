package crm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
)

type bearerRT struct{ token string }

func (b bearerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestCreateReportsDuplicateMatchesAndCanAllowThem: a create an active
// duplicate rule refuses comes back with the matching records' ids; the
// same create with CreateAllowingDuplicates is saved.
func TestCreateReportsDuplicateMatchesAndCanAllowThem(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	token, _, err := srv.IssueToken(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := crm.NewClient(ts.URL, crm.WithHTTPClient(&http.Client{Transport: bearerRT{token}}))
	if err != nil {
		t.Fatal(err)
	}
	ada, err := srv.Insert("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	recs := []crm.Record{{Fields: map[string]any{"LastName": "Byron", "Email": "ada@example.com"}}}
	res, err := c.Create(context.Background(), "Contact", recs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Success || len(res[0].Errors) != 1 || res[0].Errors[0].StatusCode != crm.CodeDuplicatesDetected {
		t.Fatalf("duplicate create: %+v", res[0])
	}
	if m := res[0].Errors[0].Matches; len(m) != 1 || m[0].ID != ada || m[0].Object != "Contact" {
		t.Fatalf("matches %+v, want the existing contact %s", m, ada)
	}
	res, err = c.CreateAllowingDuplicates(context.Background(), "Contact", recs)
	if err != nil || !res[0].Success || res[0].ID == "" {
		t.Fatalf("create allowing duplicates: %+v, %v", res, err)
	}
}
