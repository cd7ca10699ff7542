package app

import (
	"strings"
	"testing"

	"crmsheets/sheets"
)

// TestOwnersByNameOrEmail: an Owner column (Owner.Name, or Owner.Email) is
// written through a lookup to active Users, as Account.Name finds AccountId;
// an inactive user is refused on the row and two users of one name wait
// for a choice.
func TestOwnersByNameOrEmail(t *testing.T) {
	env := newTestEnv(t)
	acct := env.insert("Account", map[string]any{"Name": "Owned Co"})
	sh := &sheets.Sheet{Name: "Owned accounts", Object: "Account"}
	sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "Name"})
	sh.AddColumn(sheets.Column{Name: "Owner", Type: sheets.TypeText, Field: "Owner.Name"})
	sh.AddColumn(sheets.Column{Name: "Owner Email", Type: sheets.TypeEmail, Field: "Owner.Email"})
	sh, err := env.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
	row := env.rowByRecord(sh.ID, acct)
	if row.Get(col(t, sh, "Owner")) != "Dana Demo" {
		t.Fatalf("pulled owner %q", row.Get(col(t, sh, "Owner")))
	}
	users := map[string]string{}
	for _, u := range env.org.Records("User") {
		users[u["Name"].(string)] = u["Id"].(string)
	}

	push := func() *sheets.Run {
		t.Helper()
		return env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	}
	env.edit(sh.ID, row.ID, col(t, sh, "Owner"), "sam rivera")
	if r := push(); r.Counts.Updated != 1 || env.get("Account", acct, "OwnerId") != users["Sam Rivera"] {
		t.Fatalf("owner by name: %+v, OwnerId %v", r.Counts, env.get("Account", acct, "OwnerId"))
	}
	env.edit(sh.ID, row.ID, col(t, sh, "Owner Email"), "priya.shah@crmsheets.example")
	if r := push(); r.Counts.Updated != 1 || env.get("Account", acct, "OwnerId") != users["Priya Shah"] {
		t.Fatalf("owner by e-mail: %+v, OwnerId %v", r.Counts, env.get("Account", acct, "OwnerId"))
	}

	env.edit(sh.ID, row.ID, col(t, sh, "Owner"), "Elena Petrova")
	r := push()
	got, _ := env.svc.Row(sh.ID, row.ID)
	if r.Counts.Invalid != 1 || !strings.Contains(got.Error, "inactive") || env.get("Account", acct, "OwnerId") != users["Priya Shah"] {
		t.Fatalf("inactive owner: %+v, row error %q", r.Counts, got.Error)
	}

	var profile any
	for _, u := range env.org.Records("User") {
		profile = u["ProfileId"]
	}
	twin := env.insert("User", map[string]any{"ProfileId": profile, "Username": "marcus.lee2@crmsheets.example", "FirstName": "Marcus", "LastName": "Lee",
		"Email": "marcus.lee2@crmsheets.example", "Alias": "mlee2", "IsActive": true, "TimeZoneSidKey": "Europe/London"})
	env.edit(sh.ID, row.ID, col(t, sh, "Owner"), "Marcus Lee")
	push()
	got, _ = env.svc.Row(sh.ID, row.ID)
	cands := got.Candidates[col(t, sh, "Owner")]
	if len(cands) != 2 || (cands[0].Email == "" && cands[1].Email == "") {
		t.Fatalf("two users named Marcus Lee: candidates %+v, error %q", cands, got.Error)
	}
	if _, err := env.svc.ChooseCandidate(sh.ID, row.ID, col(t, sh, "Owner"), twin); err != nil {
		t.Fatal(err)
	}
	if r := push(); r.Counts.Updated != 1 || env.get("Account", acct, "OwnerId") != twin {
		t.Fatalf("after choosing the user: %+v, OwnerId %v", r.Counts, env.get("Account", acct, "OwnerId"))
	}
}
