package emulator

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPersistenceSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	clock := newTestClock()
	srv, err := New(Options{DataFile: path, SeedAccounts: 5, Seed: 7, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	contacts := srv.Count("Contact")
	if srv.Count("Account") != 5 || contacts < 5 || srv.Count("Lead") != 2 {
		t.Fatalf("seed counts: %d accounts, %d contacts, %d leads", srv.Count("Account"), contacts, srv.Count("Lead"))
	}
	id, err := srv.Insert("Contact", map[string]any{"LastName": "Persisted"})
	if err != nil {
		t.Fatal(err)
	}
	first := srv.Records("Account")[0]
	if err := srv.Delete("Account", first["Id"].(string)); err != nil {
		t.Fatal(err)
	}
	_, refresh, _ := srv.IssueToken("http://127.0.0.1")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv, err = New(Options{DataFile: path, SeedAccounts: 5, Seed: 7, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got, ok := srv.Get("Contact", id); !ok || got["LastName"] != "Persisted" {
		t.Fatalf("contact after restart: %v %v", got, ok)
	}
	if srv.Count("Account") != 4 || srv.Count("Contact") != contacts+1 {
		t.Fatalf("not reseeded/restored: %d accounts %d contacts", srv.Count("Account"), srv.Count("Contact"))
	}
	if got, _ := srv.Get("Account", first["Id"].(string)); got["IsDeleted"] != true {
		t.Fatalf("deleted account after restart %v", got)
	}
	// New ids continue after the highest stored one.
	id2, _ := srv.Insert("Contact", map[string]any{"LastName": "Next"})
	if id2 <= id {
		t.Fatalf("id %s not after %s", id2, id)
	}
	// Refresh tokens survive too.
	srv.auth.mu.Lock()
	_, ok := srv.auth.refresh[refresh]
	srv.auth.mu.Unlock()
	if !ok {
		t.Fatal("refresh token lost on restart")
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	clock := newTestClock()
	a, err := New(Options{SeedAccounts: 3, Seed: 42, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Options{SeedAccounts: 3, Seed: 42, Now: clock.Now})
	c, _ := New(Options{SeedAccounts: 3, Seed: 43, Now: clock.Now})
	for _, obj := range []string{"Account", "Contact", "Opportunity", "Subscription__c", "Task", "Lead"} {
		ra, rb := a.Records(obj), b.Records(obj)
		if len(ra) != len(rb) {
			t.Fatalf("%s: %d vs %d records", obj, len(ra), len(rb))
		}
		for i := range ra {
			for k, v := range ra[i] {
				if rb[i][k] != v {
					t.Fatalf("%s[%d].%s: %v vs %v", obj, i, k, v, rb[i][k])
				}
			}
		}
	}
	if a.Records("Account")[0]["Name"] == c.Records("Account")[0]["Name"] {
		t.Fatal("another seed produced the same first account")
	}
}

func TestServeBindsLoopbackOnly(t *testing.T) {
	if err := Serve(context.Background(), "0.0.0.0:0", Options{}, io.Discard); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("0.0.0.0: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", Options{}, pw); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimSpace(line[strings.Index(line, "http://"):])
	res, err := http.Get(base + "/services/data/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("versions status %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}

// TestAPIUsageSurvivesRestart: the day's API count is kept with the data, so
// a demo org restarted the same day reports the calls already spent, and a
// new day starts from zero.
func TestAPIUsageSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	clock := newTestClock()
	srv, err := New(Options{DataFile: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for range 7 {
		srv.usage.spend(clock.Now())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv, err = New(Options{DataFile: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if used, _ := srv.APIUsage(); used != 7 {
		t.Fatalf("after a restart the same day: %d calls used, want 7", used)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(24 * time.Hour)
	srv, err = New(Options{DataFile: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if used, _ := srv.APIUsage(); used != 0 {
		t.Fatalf("the next day: %d calls used, want 0", used)
	}
}
