package clitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Org reads an emulator over its REST API with its own session, so tests
// check the org's real state without going through the code under test.
type Org struct {
	Base, token, instance string
	http                  *http.Client
}

// OpenOrg signs in as the demo user with the password grant.
func OpenOrg(base string) (*Org, error) {
	hc := &http.Client{Timeout: time.Minute}
	resp, err := hc.PostForm(base+"/services/oauth2/token", url.Values{
		"grant_type": {"password"}, "client_id": {"crmsheets-tests"},
		"username": {DemoUsername}, "password": {DemoPassword},
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("password grant: %s %s", resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, err
	}
	return &Org{Base: base, token: tok.AccessToken, instance: tok.InstanceURL, http: hc}, nil
}

// Query runs a SOQL query to its last page and returns the records with
// parent objects flattened to "Account.Name" keys.
func (o *Org) Query(soql string) ([]map[string]any, error) {
	next := "/services/data/v66.0/query?q=" + url.QueryEscape(soql)
	var out []map[string]any
	for next != "" {
		req, err := http.NewRequest(http.MethodGet, o.instance+next, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+o.token)
		resp, err := o.http.Do(req)
		if err != nil {
			return nil, err
		}
		var page struct {
			Records        []map[string]any `json:"records"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Done           bool             `json:"done"`
		}
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return nil, fmt.Errorf("query: %s %s", resp.Status, b)
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			flat := map[string]any{}
			flatten("", r, flat)
			out = append(out, flat)
		}
		next = page.NextRecordsURL
	}
	return out, nil
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if k == "attributes" {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}

// Str returns a record's field as text ("" for null).
func Str(rec map[string]any, field string) string {
	switch v := rec[field].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return strings.TrimSuffix(fmt.Sprint(v), ".0")
	}
}
