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

// DemoClientID is the consumer key of the demo org's own app, which the
// password grant of OpenOrg uses (the org refuses unknown keys).
const DemoClientID = "crmsheets-demo"

// OpenOrg signs in as the demo user with the password grant.
func OpenOrg(base string) (*Org, error) {
	o := &Org{Base: base, http: &http.Client{Timeout: time.Minute}}
	return o, o.login()
}

func (o *Org) login() error {
	hc := o.http
	base := o.Base
	resp, err := hc.PostForm(base+"/services/oauth2/token", url.Values{
		"grant_type": {"password"}, "client_id": {DemoClientID},
		"username": {DemoUsername}, "password": {DemoPassword},
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("password grant: %s %s", resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return err
	}
	o.token, o.instance = tok.AccessToken, tok.InstanceURL
	return nil
}

// page is one response of the query resource.
type page struct {
	Records        []map[string]any `json:"records"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Done           bool             `json:"done"`
}

// get reads one page, riding out a faulty org the way any client must:
// a fresh session on 401, retries on 503 and on cut connections.
func (o *Org) get(path string) (*page, error) {
	var last error
	for attempt := 0; attempt < 30; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
		}
		req, err := http.NewRequest(http.MethodGet, o.instance+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+o.token)
		resp, err := o.http.Do(req)
		if err != nil {
			last = err
			continue
		}
		var p page
		switch resp.StatusCode {
		case http.StatusOK:
			err = json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			if err != nil {
				last = err // a connection cut mid-body
				continue
			}
			return &p, nil
		case http.StatusUnauthorized:
			resp.Body.Close()
			if err := o.login(); err != nil {
				return nil, err
			}
			last = fmt.Errorf("query: %s", resp.Status)
		case http.StatusServiceUnavailable:
			resp.Body.Close()
			last = fmt.Errorf("query: %s", resp.Status)
		default:
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return nil, fmt.Errorf("query: %s %s", resp.Status, b)
		}
	}
	return nil, last
}

// QueryAll is Query over the queryAll resource: deleted records still in
// the recycle bin are returned too.
func (o *Org) QueryAll(soql string) ([]map[string]any, error) {
	return o.query("/services/data/v66.0/queryAll?q=" + url.QueryEscape(soql))
}

// Query runs a SOQL query to its last page and returns the records with
// parent objects flattened to "Account.Name" keys.
func (o *Org) Query(soql string) ([]map[string]any, error) {
	return o.query("/services/data/v66.0/query?q=" + url.QueryEscape(soql))
}

// query reads a query resource from its first page (next) to its last.
func (o *Org) query(next string) ([]map[string]any, error) {
	var out []map[string]any
	for next != "" {
		page, err := o.get(next)
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

// IngestJobs lists the org's Bulk API 2.0 ingest jobs (GET /jobs/ingest),
// each with its id, object, operation, state and numberRecordsProcessed:
// a test tells from them which pushes went through Bulk.
func (o *Org) IngestJobs() ([]map[string]any, error) {
	return o.query("/services/data/v66.0/jobs/ingest")
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

// Update changes one record's fields over the REST API, as another user
// of the org would (PATCH /sobjects/Object/Id; no retries: use it against
// an org without faults).
func (o *Org) Update(object, id string, fields map[string]any) error {
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPatch, o.instance+"/services/data/v66.0/sobjects/"+object+"/"+id, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("update %s %s: %s %s", object, id, resp.Status, b)
	}
	return nil
}

// Delete moves one record to the recycle bin over the REST API, as another
// user of the org would (DELETE /sobjects/Object/Id; no retries).
func (o *Org) Delete(object, id string) error {
	req, err := http.NewRequest(http.MethodDelete, o.instance+"/services/data/v66.0/sobjects/"+object+"/"+id, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	resp, err := o.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("delete %s %s: %s %s", object, id, resp.Status, b)
	}
	return nil
}
