package app

import (
	"encoding/binary"
	"maps"
	"strings"
	"testing"

	"crmsheets/app/merge"
)

// TestPackSendsRoundTrips: a compacted row's record id and sends come back
// from their one packed string as they went in, in column order, whatever
// the values hold (empty, NUL bytes, longer than one length byte).
func TestPackSendsRoundTrips(t *testing.T) {
	long := strings.Repeat("é", 200)
	for _, c := range []struct {
		id   string
		send map[string]merge.Change
	}{
		{"", nil},
		{"003000000000001AAA", nil},
		{"", map[string]merge.Change{"c1": {After: "x"}}},
		{"003000000000001AAA", map[string]merge.Change{
			"c9":  {Before: "Engineer", After: "Title 1"},
			"c10": {Before: "", After: long},
			"c2":  {Before: "a\x00b", After: ""},
		}},
	} {
		packed := packSends(c.id, c.send)
		id, rest := packed[:len(c.id)], packed[len(c.id):]
		if id != c.id {
			t.Errorf("record id %q, want %q", id, c.id)
		}
		got := map[string]merge.Change{}
		var cols []string
		eachPacked(rest, func(col string, ch merge.Change) {
			cols = append(cols, col)
			got[col] = ch
		})
		if len(c.send) == 0 && rest != "" {
			t.Errorf("no sends packed as %q", rest)
		}
		if len(c.send) > 0 && !maps.Equal(got, c.send) {
			t.Errorf("sends %v, want %v", got, c.send)
		}
		if n := countPacked(rest); n != len(c.send) {
			t.Errorf("count %d, want %d", n, len(c.send))
		}
		for i := 1; i < len(cols); i++ {
			if cols[i-1] >= cols[i] {
				t.Errorf("columns out of order: %v", cols)
			}
		}
	}
}

// TestUvarintLen: the size packSends reserves for a length is the length
// binary.AppendUvarint writes, at every byte-count boundary.
func TestUvarintLen(t *testing.T) {
	for _, n := range []int{0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 1 << 21, 1<<28 - 1, 1 << 28, 1 << 40} {
		if got, want := uvarintLen(n), len(binary.AppendUvarint(nil, uint64(n))); got != want {
			t.Errorf("uvarintLen(%d) = %d, want %d", n, got, want)
		}
	}
}
