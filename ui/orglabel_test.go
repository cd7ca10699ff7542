package ui

import (
	"strings"
	"testing"

	"crmsheets/app"
)

// TestOrgLabelSaysLogInAgain: an org whose saved session Salesforce
// refused says so in the switcher, as `crmsheets orgs` does.
func TestOrgLabelSaysLogInAgain(t *testing.T) {
	o := app.Org{Name: "Acme", Env: app.EnvSandbox, Username: "a@acme.example"}
	if strings.Contains(orgLabel(o), "log in again") {
		t.Fatalf("a working org is labelled %q", orgLabel(o))
	}
	o.NeedsLogin = true
	if !strings.Contains(orgLabel(o), "log in again") {
		t.Fatalf("an org needing a login is labelled %q", orgLabel(o))
	}
}
