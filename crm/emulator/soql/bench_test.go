package soql

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

const benchQuery = "SELECT Id, LastName, Email, Account.Name FROM Contact WHERE (Email LIKE '%@example.com' OR LastName IN ('Smith', 'Jones')) AND CreatedDate = LAST_N_DAYS:30 AND Birthdate != null ORDER BY LastName, CreatedDate DESC LIMIT 2000"

// benchContacts builds n deterministic contacts in the shape the emulator
// stores them.
func benchContacts(n int) []MapRecord {
	names := []string{"Smith", "Jones", "García", "Nguyen", "Müller", "Okafor", "Rossi", "Tanaka"}
	domains := []string{"example.com", "acme.io", "globex.net"}
	recs := make([]MapRecord, n)
	base := testNow.Add(-60 * 24 * time.Hour)
	for i := range recs {
		rec := MapRecord{
			"Id":           fmt.Sprintf("003%012dAAA", i),
			"LastName":     names[i%len(names)],
			"Email":        fmt.Sprintf("p%d@%s", i, domains[i%len(domains)]),
			"Account.Name": fmt.Sprintf("Account %d", i%500),
			"CreatedDate":  base.Add(time.Duration(i*7919%86400) * time.Minute).Format(dateTimeLayout), // spread over 60 days
		}
		if i%5 != 0 {
			rec["Birthdate"] = fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28)
		}
		recs[i] = rec
	}
	return recs
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAndResolve(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		q, err := Parse(benchQuery)
		if err != nil {
			b.Fatal(err)
		}
		if err := q.Resolve(testSchema); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatch filters 100k contacts; ns/op is per record.
func BenchmarkMatch(b *testing.B) {
	q := mustResolved(b, benchQuery)
	recs := benchContacts(100_000)
	matched := 0
	for _, r := range recs[:1000] {
		if ok, err := q.Match(r, testNow); err != nil {
			b.Fatal(err)
		} else if ok {
			matched++
		}
	}
	if matched == 0 || matched == 1000 {
		b.Fatalf("%d of 1000 records match; the benchmark needs a selective query", matched)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := q.Match(recs[i%len(recs)], testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSort orders 100k contacts by the query's ORDER BY.
func BenchmarkSort(b *testing.B) {
	q := mustResolved(b, benchQuery)
	recs := benchContacts(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		work := slices.Clone(recs)
		b.StartTimer()
		slices.SortStableFunc(work, func(x, y MapRecord) int {
			switch {
			case q.Less(x, y):
				return -1
			case q.Less(y, x):
				return 1
			}
			return 0
		})
	}
}

// BenchmarkSortRecords orders 100k contacts with SortRecords.
func BenchmarkSortRecords(b *testing.B) {
	q := mustResolved(b, benchQuery)
	recs := benchContacts(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		work := slices.Clone(recs)
		b.StartTimer()
		SortRecords(q, work)
	}
}
