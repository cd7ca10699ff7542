package emulator

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDuplicateRules: the active rules refuse a create that matches an
// existing record with DUPLICATES_DETECTED and the duplicate result in the
// captured shape (misspelled key included); the duplicate rule header lets
// the save go ahead; records of one request are not compared with each
// other; blank values and other objects never match.
func TestDuplicateRules(t *testing.T) {
	o := newOrg(t, Options{})
	acme, err := o.srv.Insert("Account", map[string]any{"Name": "Acme", "Website": "https://www.acme.example/"})
	if err != nil {
		t.Fatal(err)
	}
	ada, err := o.srv.Insert("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	r := o.do("POST", "/sobjects/Contact", map[string]any{"LastName": "Byron", "Email": "ADA@Example.com"})
	o.mustStatus(r, 400)
	var single []struct {
		Dup struct {
			AllowSave               bool   `json:"allowSave"`
			DuplicateRuleEntityType string `json:"duplicateRuleEntityType"`
			MatchResults            []struct {
				Size         int `json:"size"`
				MatchRecords []struct {
					Record map[string]any `json:"record"`
				} `json:"matchRecords"`
			} `json:"matchResults"`
		} `json:"duplicateResut"`
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	r.json(t, &single)
	if len(single) != 1 || single[0].ErrorCode != "DUPLICATES_DETECTED" || !single[0].Dup.AllowSave ||
		single[0].Dup.DuplicateRuleEntityType != "Contact" || single[0].Dup.MatchResults[0].Size != 1 ||
		single[0].Dup.MatchResults[0].MatchRecords[0].Record["Id"] != ada ||
		!strings.HasSuffix(single[0].Dup.MatchResults[0].MatchRecords[0].Record["attributes"].(map[string]any)["url"].(string), "/sobjects/Contact/"+ada) {
		t.Fatalf("duplicate contact answer: %s", r.body)
	}
	r = o.do("POST", "/sobjects/Contact", map[string]any{"LastName": "Byron", "Email": "ada@example.com"}, "Sforce-Duplicate-Rule-Header", "allowSave=true")
	o.mustStatus(r, 201)

	// Collections: the duplicate and the non-duplicate of one request.
	r = o.do("POST", "/composite/sobjects", map[string]any{"allOrNone": false, "records": []map[string]any{
		{"attributes": map[string]any{"type": "Account"}, "Name": "ACME", "Website": "http://acme.example"},
		{"attributes": map[string]any{"type": "Account"}, "Name": "Acme", "Website": "https://acme.example.org"},
		{"attributes": map[string]any{"type": "Account"}, "Name": "Acme"},
		{"attributes": map[string]any{"type": "Lead"}, "LastName": "Twin", "Company": "T", "Email": "twin@example.com"},
		{"attributes": map[string]any{"type": "Lead"}, "LastName": "Twin", "Company": "T", "Email": "twin@example.com"},
	}})
	o.mustStatus(r, 200)
	var results []struct {
		Success bool              `json:"success"`
		Errors  []json.RawMessage `json:"errors"`
	}
	r.json(t, &results)
	if results[0].Success || !strings.Contains(string(results[0].Errors[0]), `"statusCode":"DUPLICATES_DETECTED"`) || !strings.Contains(string(results[0].Errors[0]), acme) {
		t.Errorf("account with the same name and website: %s", r.body)
	}
	for i := 1; i < 5; i++ {
		if !results[i].Success {
			t.Errorf("record %d (another website, no website, same batch) was refused: %s", i, r.body)
		}
	}
	// Later, the lead of that batch is a duplicate.
	r = o.do("POST", "/sobjects/Lead", map[string]any{"LastName": "Third", "Company": "T", "Email": "twin@example.com"})
	if r.status != 400 || !strings.Contains(string(r.body), "DUPLICATES_DETECTED") {
		t.Errorf("third lead with a saved e-mail: %d %s", r.status, r.body)
	}
}

// TestInactiveUserCannotOwnRecords: Salesforce refuses an inactive user as
// a record's owner.
func TestInactiveUserCannotOwnRecords(t *testing.T) {
	o := newOrg(t, Options{})
	inactive := ""
	for _, u := range o.srv.Records("User") {
		if u["IsActive"] == false {
			inactive = u["Id"].(string)
		}
	}
	if inactive == "" {
		t.Fatal("the demo org has no inactive user")
	}
	r := o.do("POST", "/sobjects/Account", map[string]any{"Name": "Orphan", "OwnerId": inactive})
	if r.status != 400 || !strings.Contains(string(r.body), "INACTIVE_OWNER_OR_USER") {
		t.Fatalf("inactive owner: %d %s", r.status, r.body)
	}
}
