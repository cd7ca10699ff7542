package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

type searchReply struct {
	SearchRecords []map[string]any `json:"searchRecords"`
}

func searchNames(t *testing.T, o *org, path string) ([]string, response) {
	t.Helper()
	r := o.do("GET", path, nil)
	if r.status != 200 {
		return nil, r
	}
	var rep searchReply
	r.json(t, &rep)
	var out []string
	for _, rec := range rep.SearchRecords {
		attrs := rec["attributes"].(map[string]any)
		out = append(out, fmt.Sprintf("%s:%v", attrs["type"], rec["Name"]))
	}
	return out, r
}

// SOSL over GET /search and /parameterizedSearch (issue 14 item 6).
func TestSearch(t *testing.T) {
	o := newOrg(t, Options{})
	acme, _ := o.srv.Insert("Account", map[string]any{"Name": "Acme Corp", "Description": "makes rockets"})
	if _, err := o.srv.Insert("Account", map[string]any{"Name": "Acmeville Farms"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.srv.Insert("Account", map[string]any{"Name": "Bolt", "Description": "sells to Acme"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []map[string]any{
		{"LastName": "Smith", "FirstName": "Ann", "Email": "ann@acme.example", "AccountId": acme},
		{"LastName": "Acme", "FirstName": "Zed"},
	} {
		if _, err := o.srv.Insert("Contact", c); err != nil {
			t.Fatal(err)
		}
	}
	q := func(sosl string) string { return "/search?q=" + url.QueryEscape(sosl) }

	got, r := searchNames(t, o, q("FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name), Contact(Id, Name)"))
	if want := []string{"Account:Acme Corp", "Contact:Zed Acme"}; !slices.Equal(got, want) {
		t.Fatalf("name fields: got %v want %v (%s)", got, want, r.body)
	}
	got, _ = searchNames(t, o, q("FIND {acme*} RETURNING Account(Name ORDER BY Name DESC)"))
	if want := []string{"Account:Bolt", "Account:Acmeville Farms", "Account:Acme Corp"}; !slices.Equal(got, want) {
		t.Fatalf("all fields with wildcard: got %v want %v", got, want)
	}
	got, _ = searchNames(t, o, q("FIND {acme} IN EMAIL FIELDS RETURNING Contact(Name)"))
	if want := []string{"Contact:Ann Smith"}; !slices.Equal(got, want) {
		t.Fatalf("email fields: got %v want %v", got, want)
	}
	got, _ = searchNames(t, o, q(`FIND {"makes rockets" OR Bolt} RETURNING Account(Name WHERE Name != 'Bolt')`))
	if want := []string{"Account:Acme Corp"}; !slices.Equal(got, want) {
		t.Fatalf("phrase, OR and WHERE: got %v want %v", got, want)
	}
	// "Acmeville" does not hold the word "Acme"; Bolt's description does.
	got, _ = searchNames(t, o, q("FIND {Acme AND NOT rockets} IN ALL FIELDS RETURNING Account(Name ORDER BY Name) LIMIT 1"))
	if want := []string{"Account:Bolt"}; !slices.Equal(got, want) {
		t.Fatalf("AND NOT with LIMIT: got %v want %v", got, want)
	}
	// The response carries each record's attributes and only the fields asked for.
	r = o.do("GET", q("FIND {Bolt} RETURNING Account"), nil)
	if want := `{"searchRecords":[{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/` + newID(PrefixAccount, 3) + `"},"Id":"` + newID(PrefixAccount, 3) + `"}]}`; string(r.body) != want {
		t.Fatalf("got  %s\nwant %s", r.body, want)
	}

	// Errors: a one-letter term, no braces, a bad field in RETURNING.
	for sosl, code := range map[string]string{
		"FIND {a} RETURNING Account":             "INVALID_SEARCH",
		"FIND Acme RETURNING Account":            "MALFORMED_SEARCH",
		"FIND {Acme} RETURNING Account(Nmae)":    "INVALID_FIELD",
		"FIND {Acme} RETURNING Accnt":            "INVALID_TYPE",
		"FIND {Acme} RETURNING Account(Id) JUNK": "MALFORMED_SEARCH",
	} {
		r := o.do("GET", q(sosl), nil)
		o.mustStatus(r, 400)
		if codes := r.errorCodes(t); !slices.Equal(codes, []string{code}) {
			t.Errorf("%s: %s, want %s", sosl, r.body, code)
		}
	}

	got, _ = searchNames(t, o, "/parameterizedSearch?q=Acme&sobject=Account&Account.fields=Id,Name&Account.limit=1&in=NAME")
	if want := []string{"Account:Acme Corp"}; !slices.Equal(got, want) {
		t.Fatalf("parameterized GET: got %v want %v", got, want)
	}
	r = o.do("POST", "/parameterizedSearch", map[string]any{"q": "Acme", "in": "NAME", "fields": []string{"Id", "Name"},
		"sobjects": []any{map[string]any{"name": "Contact"}, map[string]any{"name": "Account", "where": "Name LIKE 'Acme C%'"}}})
	o.mustStatus(r, 200)
	var rep searchReply
	r.json(t, &rep)
	if len(rep.SearchRecords) != 2 || rep.SearchRecords[0]["Name"] != "Zed Acme" || rep.SearchRecords[1]["Name"] != "Acme Corp" {
		t.Fatalf("parameterized POST: %s", r.body)
	}
}
