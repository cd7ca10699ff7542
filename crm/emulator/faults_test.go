package emulator

import (
	"io"
	"net/http"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	t.Run("503", func(t *testing.T) {
		o := newOrg(t, Options{Faults: Faults{Rate503: 1}})
		r := o.do("GET", "/limits", nil)
		if r.status != 503 || r.errorCodes(t)[0] != "SERVER_UNAVAILABLE" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if used, _ := o.srv.APIUsage(); used != 0 {
			t.Fatalf("a 503 was counted: %d", used)
		}
		o.srv.SetFaults(Faults{})
		o.mustStatus(o.do("GET", "/limits", nil), 200)
	})
	t.Run("token expiry every 3 calls", func(t *testing.T) {
		o := newOrg(t, Options{Faults: Faults{ExpireTokenEvery: 3}})
		o.mustStatus(o.do("GET", "/limits", nil), 200)
		o.mustStatus(o.do("GET", "/limits", nil), 200)
		o.mustStatus(o.do("GET", "/limits", nil), 401)
		o.mustStatus(o.do("GET", "/limits", nil), 401) // the token stays dead
		o.token, _, _ = o.srv.IssueToken(o.ts.URL)
		o.mustStatus(o.do("GET", "/limits", nil), 200)
	})
	t.Run("lock rows", func(t *testing.T) {
		o := newOrg(t, Options{Faults: Faults{LockRate: 1}})
		r := o.do("POST", "/composite/sobjects", map[string]any{"records": []any{account("A")}})
		var res []saveResult
		r.json(t, &res)
		if r.status != 200 || res[0].Success || res[0].Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW" {
			t.Fatalf("%s", r.body)
		}
		r = o.do("POST", "/sobjects/Account", map[string]any{"Name": "A"})
		if r.status != 400 || r.errorCodes(t)[0] != "UNABLE_TO_LOCK_ROW" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("dropped connection after the write", func(t *testing.T) {
		o := newOrg(t, Options{Faults: Faults{DropRate: 1}})
		req, _ := http.NewRequest("GET", o.base+"/limits", nil)
		req.Header.Set("Authorization", "Bearer "+o.token)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		if err == nil {
			t.Fatal("dropped response read without error")
		}
	})
	t.Run("latency", func(t *testing.T) {
		o := newOrg(t, Options{Faults: Faults{Latency: 30 * time.Millisecond}})
		start := time.Now()
		o.mustStatus(o.do("GET", "/limits", nil), 200)
		if time.Since(start) < 30*time.Millisecond {
			t.Fatal("no latency added")
		}
	})
	t.Run("deterministic sequence", func(t *testing.T) {
		seq := func() []int {
			o := newOrg(t, Options{Faults: Faults{Rate503: 0.5, Seed: 9}})
			var out []int
			for i := 0; i < 20; i++ {
				out = append(out, o.do("GET", "/limits", nil).status)
			}
			return out
		}
		a, b := seq(), seq()
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("sequences differ: %v vs %v", a, b)
			}
		}
	})
}
