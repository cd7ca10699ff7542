package xlsx

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readBytes reads the first tab of a workbook in memory.
func readBytes(t testing.TB, b []byte, opt ReadOptions) (*Table, error) {
	t.Helper()
	return ReadTable(context.Background(), bytes.NewReader(b), int64(len(b)), opt, Limits{})
}

func TestReadContacts(t *testing.T) {
	tb, err := readBytes(t, fixture(t, "contacts.xlsx"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", tb.Columns)
	for i, r := range tb.Rows {
		t.Logf("%d %q", tb.SourceRows[i], r)
	}
	t.Logf("%v", tb.Problems)
	_ = cmp.Diff
}
