package emulator

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// TestIDChecksumRealVectors checks the checksum against the 143 real ids of
// testdata/real_ids_checksum_vectors.json (copied from
// shared/salesforce/fixtures/ids; every id there comes from a captured
// Salesforce response, see that directory's PROVENANCE.md).
func TestIDChecksumRealVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/real_ids_checksum_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []struct {
			ID18   string `json:"id18"`
			ID15   string `json:"id15"`
			Suffix string `json:"suffix"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) < 100 {
		t.Fatalf("only %d vectors", len(doc.Vectors))
	}
	for _, v := range doc.Vectors {
		if got := IDChecksum(v.ID15); got != v.Suffix {
			t.Errorf("IDChecksum(%s) = %s, want %s", v.ID15, got, v.Suffix)
		}
		for _, in := range []string{v.ID15, v.ID18} {
			got, err := Normalize18(in)
			if err != nil || got != v.ID18 {
				t.Errorf("Normalize18(%s) = %s, %v; want %s", in, got, err, v.ID18)
			}
		}
	}
}

func TestNormalize18Rejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"hand-edited camel id with wrong suffix", "a1V3E000000EXomUAM"},
		{"too short", "001"},
		{"16 chars", "0015500001QdZPKA"},
		{"punctuation", "0015500001QdZP!"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Normalize18(tt.in); !errors.Is(err, ErrMalformedID) {
				t.Fatalf("Normalize18(%q) error = %v, want ErrMalformedID", tt.in, err)
			}
		})
	}
}

func TestNewIDRoundTrip(t *testing.T) {
	prev := ""
	for _, n := range []uint64{1, 2, 61, 62, 63, 3843, 1 << 40} {
		id := newID(PrefixContact, n)
		if len(id) != 18 || id[:3] != PrefixContact {
			t.Fatalf("newID(%d) = %q", n, id)
		}
		if norm, err := Normalize18(id[:15]); err != nil || norm != id {
			t.Fatalf("checksum of %q: %q, %v", id, norm, err)
		}
		if got, ok := idCounter(id); !ok || got != n {
			t.Fatalf("idCounter(%q) = %d, %v; want %d", id, got, ok, n)
		}
		if id <= prev {
			t.Fatalf("ids not increasing: %q after %q", id, prev)
		}
		prev = id
	}
}
