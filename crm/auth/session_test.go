package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
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
