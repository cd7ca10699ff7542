package emulator

import (
	"net/http"
	"slices"
	"testing"
)

// Clients that keep an instance URL with a trailing slash send
// "//services/data/…"; Salesforce serves them, so the demo org does too
// (issue 14 item 1) instead of the mux's 307 with a relative Location.
func TestDoubledSlashPathsAreServed(t *testing.T) {
	o := newOrg(t, Options{})
	for _, path := range []string{"//services/data/v62.0/limits", "//services/data/v62.0//sobjects/Account/describe", "//services/data"} {
		req, err := http.NewRequest("GET", o.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+o.token)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d (Location %q), want 200", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// The objects tools read at login (issue 14 item 7): one Organization row,
// Users with profiles (one of them inactive) and Profiles, all of which the
// API may read but Organization and Profile not write.
func TestOrganizationUsersAndProfiles(t *testing.T) {
	o := newOrg(t, Options{})
	var org struct {
		TotalSize int `json:"totalSize"`
		Records   []struct {
			ID                  string  `json:"Id"`
			Name                string  `json:"Name"`
			InstanceName        string  `json:"InstanceName"`
			IsSandbox           bool    `json:"IsSandbox"`
			OrganizationType    string  `json:"OrganizationType"`
			TrialExpirationDate *string `json:"TrialExpirationDate"`
			NamespacePrefix     *string `json:"NamespacePrefix"`
		} `json:"records"`
	}
	r := o.do("GET", "/query?q=SELECT+Id,Name,InstanceName,IsSandbox,OrganizationType,TrialExpirationDate,NamespacePrefix+FROM+Organization", nil)
	o.mustStatus(r, 200)
	r.json(t, &org)
	if org.TotalSize != 1 || org.Records[0].ID != o.srv.OrgID() || org.Records[0].Name != OrgName ||
		org.Records[0].IsSandbox || org.Records[0].OrganizationType != "Enterprise Edition" ||
		org.Records[0].TrialExpirationDate != nil || org.Records[0].NamespacePrefix != nil {
		t.Fatalf("organization %s", r.body)
	}

	var users struct {
		Records []struct {
			ID, Username, Email, Name, ProfileID string
			IsActive                             bool
			Profile                              struct{ Name string }
		} `json:"records"`
	}
	r = o.do("GET", "/query?q=SELECT+Id,Username,Email,Name,IsActive,ProfileId,Profile.Name+FROM+User+ORDER+BY+Id", nil)
	o.mustStatus(r, 200)
	r.json(t, &users)
	if len(users.Records) != 5 {
		t.Fatalf("users %s", r.body)
	}
	inactive := 0
	for _, u := range users.Records {
		if u.ProfileID == "" || u.Profile.Name == "" || u.Username == "" || u.Email == "" || u.Name == "" {
			t.Fatalf("user lacks a login field: %+v", u)
		}
		if !u.IsActive {
			inactive++
		}
	}
	if inactive != 1 {
		t.Fatalf("%d inactive users, want 1: %s", inactive, r.body)
	}
	if u := users.Records[0]; u.ID != o.srv.DemoUserID() || u.Username != DemoUsername || u.Profile.Name != "System Administrator" {
		t.Fatalf("demo user %+v", u)
	}

	r = o.do("GET", "/query?q=SELECT+Name+FROM+Profile+ORDER+BY+Name", nil)
	o.mustStatus(r, 200)
	var profiles struct{ Records []struct{ Name string } }
	r.json(t, &profiles)
	if len(profiles.Records) != 3 || profiles.Records[2].Name != "System Administrator" {
		t.Fatalf("profiles %s", r.body)
	}

	// Like Salesforce's, Organization has no recycle bin and no IsDeleted.
	r = o.do("GET", "/query?q=SELECT+IsDeleted+FROM+Organization", nil)
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"INVALID_FIELD"}) {
		t.Fatalf("IsDeleted on Organization: %s", r.body)
	}
	r = o.do("GET", "/queryAll?q=SELECT+Id+FROM+Profile", nil)
	o.mustStatus(r, 200)

	r = o.do("POST", "/sobjects/Organization", map[string]any{"Name": "Another"})
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"INVALID_TYPE_FOR_OPERATION"}) {
		t.Fatalf("insert Organization: %s", r.body)
	}
	r = o.do("PATCH", "/sobjects/Profile/"+newID(PrefixProfile, 1), map[string]any{"Name": "Renamed"})
	o.mustStatus(r, 400)
	r = o.do("DELETE", "/sobjects/Organization/"+o.srv.OrgID(), nil)
	o.mustStatus(r, 400)

	// A user created through the API needs a profile, as in Salesforce.
	r = o.do("POST", "/sobjects/User", map[string]any{"Username": "new@crmsheets.example", "LastName": "New",
		"Email": "new@crmsheets.example", "Alias": "new", "TimeZoneSidKey": "GMT"})
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"REQUIRED_FIELD_MISSING"}) {
		t.Fatalf("user without profile: %s", r.body)
	}
}

// A data file written before profiles existed is brought up to date: the
// demo user gets a profile, and the baseline alone does not count as data
// (so an otherwise empty file is still seeded).
func TestBaselineIsNotData(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !srv.onlyBaseline() {
		t.Fatal("a fresh org counts as holding data")
	}
	if err := srv.systemUpdate("User", srv.DemoUserID(), map[string]any{"ProfileId": nil}); err == nil {
		// ProfileId is required, so clearing it must fail even for the org.
		t.Fatal("cleared a required ProfileId")
	}
	if _, err := srv.Insert("Account", map[string]any{"Name": "Acme"}); err != nil {
		t.Fatal(err)
	}
	if srv.onlyBaseline() {
		t.Fatal("an org with an account counts as empty")
	}
}

// The resource list names the identity URL absolutely, as Salesforce does
// ("https://login.salesforce.com/id/00D…/005…"), and it answers.
func TestResourcesIdentityIsAbsolute(t *testing.T) {
	o := newOrg(t, Options{})
	var res map[string]string
	o.do("GET", "/", nil).json(t, &res)
	if want := o.ts.URL + "/id/" + o.srv.OrgID() + "/" + o.srv.DemoUserID(); res["identity"] != want {
		t.Fatalf("identity %q, want %q", res["identity"], want)
	}
	o.mustStatus(o.do("GET", res["identity"]+"?format=json", nil), 200)
	if res["search"] == "" || res["parameterizedSearch"] == "" {
		t.Fatalf("resources lack search: %v", res)
	}
}
