package ui

import (
	"strings"
	"testing"

	"crmsheets/app"
)

// TestOrgLabelSaysLogInAgain: an org whose saved session Salesforce
// refused, or that is logged out, says so in the switcher, as `crmsheets
// orgs` does.
func TestOrgLabelSaysLogInAgain(t *testing.T) {
	o := app.Org{Name: "Acme", Env: app.EnvSandbox, Username: "a@acme.example"}
	if l := orgLabel(o, app.LoginSignedIn); l != "Acme — a@acme.example" {
		t.Fatalf("a working org is labelled %q", l)
	}
	if l := orgLabel(o, app.LoginNeedsReauth); !strings.HasSuffix(l, "(needs reauthorization)") {
		t.Fatalf("an org needing a login is labelled %q", l)
	}
	if l := orgLabel(o, app.LoginLoggedOut); !strings.HasSuffix(l, "(logged out)") {
		t.Fatalf("a logged-out org is labelled %q", l)
	}
}
