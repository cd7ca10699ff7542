package crm

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Usage is the org's daily API usage as last reported by Salesforce in the
// Sforce-Limit-Info header ("api-usage=18/5000"). Zero until a response
// carried the header.
type Usage struct {
	Used int
	Max  int
}

// Remaining returns the calls left in the rolling 24-hour window.
func (u Usage) Remaining() int { return max(u.Max-u.Used, 0) }

// Known reports whether Salesforce reported usage yet.
func (u Usage) Known() bool { return u.Max > 0 }

// Usage returns the last usage Salesforce reported to this client, like
// go-github's rate tracking. It costs no API call.
func (c *Client) Usage() Usage {
	if u := c.usage.Load(); u != nil {
		return *u
	}
	return Usage{}
}

// trackUsage records the Sforce-Limit-Info header of a response.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
func (c *Client) trackUsage(h http.Header) {
	if u, ok := parseLimitInfo(h.Get("Sforce-Limit-Info")); ok {
		c.usage.Store(&u)
	}
}

// parseLimitInfo reads "api-usage=used/max" from a Sforce-Limit-Info value,
// which may list other counters ("per-app-api-usage=...") too.
func parseLimitInfo(v string) (Usage, bool) {
	for part := range strings.SplitSeq(v, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name != "api-usage" {
			continue
		}
		usedS, maxS, ok := strings.Cut(val, "/")
		if !ok {
			return Usage{}, false
		}
		used, err1 := strconv.Atoi(strings.TrimSpace(usedS))
		maxV, err2 := strconv.Atoi(strings.TrimSpace(maxS))
		if err1 != nil || err2 != nil || used < 0 || maxV <= 0 {
			return Usage{}, false
		}
		return Usage{Used: used, Max: maxV}, true
	}
	return Usage{}, false
}

// Limit is one entry of /limits: the maximum and what is left.
type Limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// Limits returns the org's limits (DailyApiRequests, DailyBulkV2QueryJobs,
// DataStorageMB, ...), which Salesforce says are accurate within five
// minutes. It costs one API call.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
func (c *Client) Limits(ctx context.Context) (map[string]Limit, error) {
	path, err := c.dataPath(ctx, "limits/")
	if err != nil {
		return nil, fmt.Errorf("limits: %w", err)
	}
	var raw map[string]struct {
		Max       float64 `json:"Max"`
		Remaining float64 `json:"Remaining"`
	}
	if err := c.callJSON(ctx, http.MethodGet, path, nil, &raw, true); err != nil {
		return nil, fmt.Errorf("limits: %w", err)
	}
	out := make(map[string]Limit, len(raw))
	for k, v := range raw {
		out[k] = Limit{Max: int(v.Max), Remaining: int(v.Remaining)}
	}
	return out, nil
}
