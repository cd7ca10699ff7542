package emulator

import (
	"strings"
	"testing"
)

// TestSeedWebsitesAreUniqueButForTwins: Website is the Accounts template's
// key, so every seeded account has its own website, except the few twins
// (same name, same website) the duplicate-rule demo relies on.
func TestSeedWebsitesAreUniqueButForTwins(t *testing.T) {
	const accounts = 500
	o := newOrg(t, Options{SeedAccounts: accounts})
	byWebsite := map[string][]string{}
	for _, r := range o.srv.Records("Account") {
		w, _ := r["Website"].(string)
		if w == "" {
			t.Fatalf("account %v has no website", r["Id"])
		}
		byWebsite[strings.ToLower(w)] = append(byWebsite[strings.ToLower(w)], r["Name"].(string))
	}
	twins := 0
	for w, names := range byWebsite {
		switch {
		case len(names) == 1:
		case len(names) == 2 && names[0] == names[1]:
			twins++
		default:
			t.Errorf("website %s is shared by %v, not by one pair of twins", w, names)
		}
	}
	if want := accounts / twinEvery; twins != want {
		t.Errorf("%d pairs of twin accounts, want %d", twins, want)
	}
}
