package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
)

func TestParseSalesforceTime(t *testing.T) {
	tests := []struct {
		in   any
		want time.Time
	}{
		{"2024-05-01T10:00:00.000+0000", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-05-01T12:00:00.250+0200", time.Date(2024, 5, 1, 10, 0, 0, 250e6, time.UTC)},
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-05-01T10:00:00-0700", time.Date(2024, 5, 1, 17, 0, 0, 0, time.UTC)},
		{"2024-05-01", time.Time{}},
		{"", time.Time{}},
		{nil, time.Time{}},
		{42.0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			if got := parseSalesforceTime(tt.in); !got.Equal(tt.want) {
				t.Errorf("parseSalesforceTime(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseSalesforceTime: any input parses or yields the zero time, never
// panics, and a time Salesforce would send round-trips at millisecond
// precision.
func FuzzParseSalesforceTime(f *testing.F) {
	for _, s := range []string{"2024-05-01T10:00:00.000+0000", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999-1200", "x", ""} {
		f.Add(s, int64(0))
	}
	f.Add("", int64(1714557600123))
	f.Fuzz(func(t *testing.T, s string, ms int64) {
		if got := parseSalesforceTime(s); !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("parseSalesforceTime(%q) not in UTC: %v", s, got)
		}
		tm := time.UnixMilli(ms % (253402300799999)).UTC()
		if tm.Year() < 1 {
			return
		}
		wire := tm.Format("2006-01-02T15:04:05.000-0700")
		if got := parseSalesforceTime(wire); !got.Equal(tm) {
			t.Errorf("round trip of %s = %v, want %v", wire, got, tm)
		}
	})
}

func TestNormID(t *testing.T) {
	tests := map[string]string{
		"0035g0000000001":    "0035g0000000001AAA",
		"0035g0000000001AAA": "0035g0000000001AAA",
		"not an id":          "not an id",
		"":                   "",
	}
	for in, want := range tests {
		if got := normID(in); got != want {
			t.Errorf("normID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestObjectRankPutsParentsFirst(t *testing.T) {
	order := []string{"Account", "contact", "Lead", "Opportunity", "Subscription__c"}
	for i := 1; i < len(order); i++ {
		if objectRank(order[i-1]) >= objectRank(order[i]) {
			t.Errorf("%s does not sync before %s", order[i-1], order[i])
		}
	}
}

func TestInBatches(t *testing.T) {
	long := strings.Repeat("x", 70) + "@example.com"
	many := func(n int, v string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%d", v, i)
		}
		return out
	}
	tests := []struct {
		name      string
		values    []string
		wantSizes []int
	}{
		{"none", nil, nil},
		{"one", []string{"a"}, []int{1}},
		{"ids fill batches of 200", many(450, "0035g000000000"), []int{200, 200, 50}},
		{"long values split by size", many(300, long), []int{91, 89, 89, 31}},
		{"one huge value still goes alone", []string{strings.Repeat("y", 9000), "z"}, []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := inBatches(tt.values)
			var sizes []int
			total := 0
			for _, b := range got {
				sizes = append(sizes, len(b))
				total += len(b)
				bytes := 0
				for _, v := range b {
					bytes += len(crm.Quote(v)) + 2
				}
				if len(b) > 1 && bytes > inQueryBytes {
					t.Errorf("batch of %d values has %d bytes of literals", len(b), bytes)
				}
			}
			if total != len(tt.values) || !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tt.wantSizes)
			}
		})
	}
}
