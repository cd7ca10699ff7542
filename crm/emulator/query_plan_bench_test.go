package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchSelectIn is the shape of the sync engine's re-reads and key lookups:
// one batch of 200 keys per query.
const benchSelectIn = "SELECT Id, FirstName, LastName, Email, Title FROM Contact WHERE %s IN (%s)"

// benchQueryIn200 runs "WHERE field IN (200 keys)" queries over a 100k
// contact org, each on the next batch of keys, planned (ns/op) and, in the
// same run, as a full scan (scan-ns/op); speedup is their ratio. The first
// planned query, which builds the field's index, is timed apart
// (index-build-ms) so that ns/op is the steady state.
func benchQueryIn200(b *testing.B, field string, key func(srv *Server, i int) string) {
	const n, batch = 100_000, 200
	srv, _ := benchOrg(b, n)
	query := func(i int) string {
		keys := make([]string, batch)
		for j := range keys {
			keys[j] = "'" + key(srv, (i*batch+j)%n) + "'"
		}
		return fmt.Sprintf(benchSelectIn, field, strings.Join(keys, ","))
	}
	run := func(i int, mode scanMode) {
		res, err := srv.runQueryMode(query(i), false, mode)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.rows) != batch {
			b.Fatalf("%d records, want %d", len(res.rows), batch)
		}
	}
	start := time.Now()
	run(0, planned)
	build := time.Since(start)

	const scans = 3
	start = time.Now()
	for i := range scans {
		run(i+1, fullScan)
	}
	scan := time.Since(start) / scans

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		run(i+1, planned)
	}
	b.StopTimer()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(scan.Nanoseconds()), "scan-ns/op")
	b.ReportMetric(float64(scan)/float64(max(perOp, 1)), "speedup")
	b.ReportMetric(float64(build.Microseconds())/1000, "index-build-ms")
}

// BenchmarkQueryIdIn200of100k: "WHERE Id IN (200 ids)", the engine's
// re-read of a batch before writing it; half the ids are 15 characters.
func BenchmarkQueryIdIn200of100k(b *testing.B) {
	benchQueryIn200(b, "Id", func(srv *Server, i int) string {
		id := srv.tables[srv.mustObject("Contact")].recs[i].id(srv.mustObject("Contact"))
		if i%2 == 0 {
			return id[:15]
		}
		return id
	})
}

// BenchmarkQueryEmailIn200of100k: "WHERE Email IN (200 emails)", the
// engine's lookup of rows by a key column, in another letter case than
// stored.
func BenchmarkQueryEmailIn200of100k(b *testing.B) {
	benchQueryIn200(b, "Email", func(_ *Server, i int) string {
		return fmt.Sprintf("Person%d@Example.com", i)
	})
}
