package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
)

func TestVersionsNeedNoAuthAndCarryNoUsage(t *testing.T) {
	o := newOrg(t, Options{})
	for _, path := range []string{"/services/data", "/services/data/"} {
		res, err := http.Get(o.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Sforce-Limit-Info") != "" {
			t.Fatalf("%s: status %d, limit header %q", path, res.StatusCode, res.Header.Get("Sforce-Limit-Info"))
		}
	}
	r := o.do("GET", "/services/data/", nil)
	var versions []versionInfo
	r.json(t, &versions)
	last := versions[len(versions)-1]
	if last.Version != LatestVersion || last.URL != "/services/data/v"+LatestVersion || last.Label != "Spring '26" {
		t.Fatalf("latest version entry %+v", last)
	}
	if i := slices.IndexFunc(versions, func(v versionInfo) bool { return v.Version == "58.0" }); i < 0 || versions[i].Label != "Summer '23" {
		t.Fatalf("58.0 label wrong: %+v", versions)
	}
}

func TestLimitInfoAndDailyLimit(t *testing.T) {
	o := newOrg(t, Options{DailyAPILimit: 3})
	header := regexp.MustCompile(`^api-usage=(\d+)/3$`)
	for i := 1; i <= 3; i++ {
		r := o.do("GET", "/limits", nil)
		o.mustStatus(r, 200)
		if got := r.header.Get("Sforce-Limit-Info"); !header.MatchString(got) || got != "api-usage="+string(rune('0'+i))+"/3" {
			t.Fatalf("call %d: Sforce-Limit-Info %q", i, got)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
			t.Fatalf("content type %q", ct)
		}
	}
	r := o.do("GET", "/sobjects", nil)
	o.mustStatus(r, http.StatusForbidden)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"REQUEST_LIMIT_EXCEEDED"}) {
		t.Fatalf("codes %v", codes)
	}
	if used, limit := o.srv.APIUsage(); used != 3 || limit != 3 {
		t.Fatalf("usage %d/%d", used, limit)
	}
	o.srv.ResetAPIUsage()
	o.mustStatus(o.do("GET", "/limits", nil), 200)
	o.srv.SetDailyAPILimit(10)
	var limits map[string]limitValue
	r = o.do("GET", "/limits", nil)
	r.json(t, &limits)
	if got := limits["DailyApiRequests"]; got.Max != 10 || got.Remaining != 8 {
		t.Fatalf("DailyApiRequests %+v", got)
	}
	// The usage resets with the day.
	o.clock.Advance(24 * 60 * 60 * 1e9)
	if used, _ := o.srv.APIUsage(); used != 0 {
		t.Fatalf("usage after a day: %d", used)
	}
}

func TestUnknownResourcesAndVersions(t *testing.T) {
	o := newOrg(t, Options{})
	tests := []struct{ name, path, code string }{
		{"unknown version", "/services/data/v99.0/sobjects", "NOT_FOUND"},
		{"unknown object", "/sobjects/Nope__c/describe", "NOT_FOUND"},
		{"unknown resource", "/nothing", "NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := o.do("GET", tt.path, nil)
			o.mustStatus(r, 404)
			if codes := r.errorCodes(t); !slices.Equal(codes, []string{tt.code}) {
				t.Fatalf("codes %v", codes)
			}
		})
	}
}
