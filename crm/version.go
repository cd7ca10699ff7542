package crm

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Negotiate returns the API version, asking /services/data/ for the versions
// the org offers on first use and picking the newest one within
// [MinAPIVersion, MaxAPIVersion]. A version pinned with WithAPIVersion is
// returned without a call. Safe for concurrent use; a failed negotiation is
// retried by the next call.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
func (c *Client) Negotiate(ctx context.Context) (string, error) {
	c.versionMu.Lock()
	defer c.versionMu.Unlock()
	if c.version != "" {
		return c.version, nil
	}
	var offered []struct {
		Version string `json:"version"`
	}
	if err := c.callJSON(ctx, http.MethodGet, "/services/data/", nil, &offered, true); err != nil {
		return "", fmt.Errorf("negotiate API version: %w", err)
	}
	best := ""
	for _, o := range offered {
		if _, err := parseVersion(o.Version); err != nil {
			continue
		}
		if compareVersions(o.Version, MinAPIVersion) < 0 || compareVersions(o.Version, MaxAPIVersion) > 0 {
			continue
		}
		if best == "" || compareVersions(o.Version, best) > 0 {
			best = o.Version
		}
	}
	if best == "" {
		return "", fmt.Errorf("negotiate API version: the org offers none between %s and %s", MinAPIVersion, MaxAPIVersion)
	}
	c.version = best
	return best, nil
}

// parseVersion parses "62.0" into its major and minor numbers.
func parseVersion(v string) ([2]int, error) {
	maj, minor, ok := strings.Cut(v, ".")
	if !ok {
		return [2]int{}, fmt.Errorf("API version %q: want the form 62.0", v)
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return [2]int{}, fmt.Errorf("API version %q: want the form 62.0", v)
	}
	return [2]int{a, b}, nil
}

// compareVersions compares two valid versions numerically (-1, 0, 1);
// invalid ones sort first.
func compareVersions(a, b string) int {
	va, erra := parseVersion(a)
	vb, errb := parseVersion(b)
	switch {
	case erra != nil && errb != nil:
		return 0
	case erra != nil:
		return -1
	case errb != nil:
		return 1
	}
	for i := range va {
		if va[i] != vb[i] {
			if va[i] < vb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
