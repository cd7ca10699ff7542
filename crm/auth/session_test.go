package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"crmsheets/crm"
)

// TestRefreshSavesRotatedToken: with refresh-token rotation on, Salesforce
// returns a new refresh token on each refresh; the session must send the
// current one and save the new one.
func TestRefreshSavesRotatedToken(t *testing.T) {
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		i := n.Add(1)
		want := "refresh-0"
		if i > 1 {
			want = "refresh-1"
		}
		if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != want || r.PostForm.Get("client_id") != "cid" {
			t.Errorf("refresh request %d = %v", i, r.PostForm)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"access_token": "00Dx0000000BV7z!access-" + string(rune('0'+i)), "refresh_token": "refresh-" + string(rune('0'+i)),
			"token_type": "Bearer", "instance_url": "https://x.my.salesforce.com", "issued_at": "1278448832702",
		})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	env, err := MyDomainEnv(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	store := NewMemoryStore()
	info := SessionInfo{Env: env, ClientID: "cid", InstanceURL: "https://x.my.salesforce.com", OrgID: "00D", UserID: "005"}
	_ = store.Save(info.Key(), tokenOf("old", "refresh-0"))
	sess, err := Resume(Config{Store: store}, info)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := sess.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	saved, _ := store.Load(info.Key())
	if saved.RefreshToken != "refresh-2" || saved.AccessToken != "00Dx0000000BV7z!access-2" {
		t.Errorf("saved token = %q / %q", saved.AccessToken, saved.RefreshToken)
	}
}

// TestConcurrent401sRefreshOnce: many requests failing with the same
// expired token cause exactly one refresh.
func TestConcurrent401sRefreshOnce(t *testing.T) {
	var refreshes atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		refreshes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "00Dx0000000BV7z!fresh", "token_type": "Bearer"})
	})
	mux.HandleFunc("GET /services/data/v62.0/query", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer 00Dx0000000BV7z!fresh" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
			return
		}
		_, _ = w.Write([]byte(`{"totalSize":1,"done":true,"records":[]}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	env, _ := MyDomainEnv(srv.URL)
	store := NewMemoryStore()
	info := SessionInfo{Env: env, ClientID: "cid", InstanceURL: srv.URL, OrgID: "00D", UserID: "005"}
	_ = store.Save(info.Key(), tokenOf("00Dx0000000BV7z!stale", "refresh-0"))
	sess, err := Resume(Config{Store: store}, info)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := crm.NewClient(srv.URL, crm.WithAPIVersion("62.0"), crm.WithHTTPClient(sess.HTTPClient(ctx)))
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			_, err := c.Count(ctx, "SELECT COUNT() FROM Account")
			errs <- err
		}()
	}
	close(start)
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := refreshes.Load(); got != 1 {
		t.Errorf("%d refreshes for %d concurrent 401s, want 1", got, n)
	}
}
