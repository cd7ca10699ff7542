package soql

import (
	"slices"
	"strings"
	"testing"
)

func TestLess(t *testing.T) {
	recs := []MapRecord{
		{"Id": "a", "Name": "beta", "AnnualRevenue": 10.0, "CreatedDate": "2024-01-02T00:00:00.000+0000", "IsDeleted": true},
		{"Id": "b", "Name": "Alpha", "AnnualRevenue": 2.0, "CreatedDate": "2024-01-01T23:00:00-02:00", "IsDeleted": false},
		{"Id": "c", "Name": nil, "AnnualRevenue": nil, "CreatedDate": nil},
		{"Id": "d", "Name": "alpha", "AnnualRevenue": 10.0, "CreatedDate": "2023-12-31T00:00:00.000+0000", "IsDeleted": false},
		{"Id": "e", "Name": "Gamma", "AnnualRevenue": -1.0, "CreatedDate": "2024-01-01T00:00:00.000+0000", "IsDeleted": true},
	}
	tests := []struct {
		orderBy string
		want    string // ids in order
	}{
		{"Name", "cbdae"}, // case-insensitive, stable for ties, nulls first
		{"Name DESC", "eabdc"},
		{"Name NULLS LAST", "bdaec"},
		{"Name DESC NULLS FIRST", "ceabd"},
		{"AnnualRevenue", "cebad"},
		{"AnnualRevenue DESC, Name", "dabec"},
		{"AnnualRevenue DESC, Name DESC", "adbec"},
		{"CreatedDate", "cdeab"}, // b is 2024-01-02T01:00Z
		{"CreatedDate DESC", "baedc"},
		{"IsDeleted, Name", "cbdae"},
		{"Id DESC", "edcba"},
	}
	for _, tt := range tests {
		t.Run(tt.orderBy, func(t *testing.T) {
			q := mustResolved(t, "SELECT Id FROM Account ORDER BY "+tt.orderBy)
			sorted := slices.Clone(recs)
			slices.SortStableFunc(sorted, func(a, b MapRecord) int {
				switch {
				case q.Less(a, b):
					return -1
				case q.Less(b, a):
					return 1
				}
				return 0
			})
			if got := ids(sorted); got != tt.want {
				t.Errorf("Less: ORDER BY %s = %s, want %s", tt.orderBy, got, tt.want)
			}
			bulk := slices.Clone(recs)
			SortRecords(q, bulk)
			if got := ids(bulk); got != tt.want {
				t.Errorf("SortRecords: ORDER BY %s = %s, want %s", tt.orderBy, got, tt.want)
			}
		})
	}
}

func TestLessWithoutOrderBy(t *testing.T) {
	q := mustResolved(t, "SELECT Id FROM Account")
	if q.Less(MapRecord{"Name": "a"}, MapRecord{"Name": "b"}) {
		t.Error("Less without ORDER BY = true")
	}
}

func TestLessUnresolved(t *testing.T) {
	q, err := Parse("SELECT Id FROM X ORDER BY N, S")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a, b MapRecord
		want bool
	}{
		{"numbers numerically", MapRecord{"N": 9.0}, MapRecord{"N": 10.0}, true},
		{"then text case-insensitively", MapRecord{"N": 1.0, "S": "B"}, MapRecord{"N": 1.0, "S": "a"}, false},
		{"null first", MapRecord{}, MapRecord{"N": 1.0}, true},
		{"bools", MapRecord{"N": false}, MapRecord{"N": true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := q.Less(tt.a, tt.b); got != tt.want {
				t.Errorf("Less = %v, want %v", got, tt.want)
			}
		})
	}
}

func ids(recs []MapRecord) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r["Id"].(string))
	}
	return b.String()
}

// TestSortRecordsAgreesWithLess sorts generated contacts both ways.
func TestSortRecordsAgreesWithLess(t *testing.T) {
	q := mustResolved(t, "SELECT Id FROM Contact ORDER BY LastName DESC NULLS LAST, Birthdate, Id")
	recs := benchContacts(500)
	for i := range recs {
		if i%7 == 0 {
			delete(recs[i], "LastName")
		}
	}
	byLess := slices.Clone(recs)
	slices.SortStableFunc(byLess, func(a, b MapRecord) int {
		switch {
		case q.Less(a, b):
			return -1
		case q.Less(b, a):
			return 1
		}
		return 0
	})
	bulk := slices.Clone(recs)
	SortRecords(q, bulk)
	if a, b := ids(byLess), ids(bulk); a != b {
		t.Errorf("SortRecords and Less disagree")
	}
}
