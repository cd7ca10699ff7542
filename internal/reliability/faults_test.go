package reliability

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// TestFaultsEndLikeACleanRun runs the same pull, edit and push against two
// identical orgs, one well behaved and one answering 503s, locking rows,
// expiring tokens, dropping connections and adding latency: both must end in
// exactly the same state.
func TestFaultsEndLikeACleanRun(t *testing.T) {
	n, k := size(400, 5000), size(20, 200)
	faults := []string{"--fault-503", "0.1", "--fault-lock", "0.05", "--fault-expire-every", "50", "--fault-drop", "0.02", "--latency", "200ms", "--fault-seed", "3"}
	if !long {
		faults[len(faults)-3] = "20ms" // the short run keeps CI fast; the long run uses 200 ms
	}
	o := &outcome{Scenario: "Faults: a flaky org ends like a clean one", Tried: fmt.Sprintf("pull, %d edits, %d new rows and a push with %s", n, k, strings.Join(faults, " ")), Trials: 1}
	record(t, o)

	seed := []string{"--seed-accounts", fmt.Sprint(n/2 + 50), "--seed", "11"}
	clean := clitestEmulator(t, seed...)
	flaky := clitestEmulator(t, append(seed, faults...)...)

	var states [2]string
	var problems []string
	for i, base := range []string{clean, flaky} {
		c := newUser(t, base)
		e := edit(t, c, "Fault", n, k)
		r := c.Run(t, 10*time.Minute, "sync", "--sheet", sheetName, "--direction", "push", "--force")
		if r.Code != 0 {
			// A partial run is retried as a user would; the state must converge.
			c.Must(t, "sync", "--sheet", sheetName, "--direction", "push", "--force")
		}
		if d := lost(t, base, c, e); d != "" {
			problems = append(problems, []string{"clean org: ", "flaky org: "}[i]+d)
		}
		states[i] = orgState(t, base)
	}
	if states[0] != states[1] {
		problems = append(problems, "the flaky org's contacts differ from the clean org's")
	}
	if len(problems) > 0 {
		o.Lost = strings.Join(problems, "; ")
		t.Error(o.Lost)
		return
	}
	o.Lost = "nothing: both orgs hold identical contacts"
}

// orgState is the comparable content of an org's contacts: email, names and
// title of each, sorted, without ids and timestamps (new records get new ids).
func orgState(t *testing.T, base string) string {
	t.Helper()
	org, err := clitest.OpenOrg(base)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT Email, FirstName, LastName, Title, Department, Account.Name FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, 0, len(recs))
	for _, r := range recs {
		lines = append(lines, strings.Join([]string{clitest.Str(r, "Email"), clitest.Str(r, "FirstName"), clitest.Str(r, "LastName"),
			clitest.Str(r, "Title"), clitest.Str(r, "Department"), clitest.Str(r, "Account.Name")}, "|"))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
