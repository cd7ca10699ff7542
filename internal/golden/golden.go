// Package golden is the one golden-file helper of the tests: Check compares
// output with a committed file under the test's package directory and
// rewrites it when the tests run with -update, so an intended change shows
// up as a readable diff in review. Every package's tests share the one
// -update flag it defines.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of the packages under test with the current output")

// Update reports whether the tests run with -update: for tests that write
// fixtures of their own (workbooks) beside their goldens.
func Update() bool { return *update }

// Check compares got with the file at path (relative to the package under
// test, usually testdata/…), or writes got there under -update. A
// difference fails the test with a line diff.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test -update creates it): %v", err)
	}
	if bytes.Equal(want, got) {
		return
	}
	diff := cmp.Diff(lines(want), lines(got))
	t.Errorf("%s differs (-golden +got; go test -update rewrites it after review):\n%s", path, diff)
}

// lines splits b for a line diff.
func lines(b []byte) []string {
	var out []string
	for _, l := range bytes.Split(b, []byte("\n")) {
		out = append(out, string(l))
	}
	return out
}
