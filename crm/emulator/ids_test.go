package emulator

import (
	"errors"
	"testing"
)

// The id rules and their real vectors are tested once, in internal/sfid;
// these tests cover what the demo org adds: its ids and its sentinel.

// TestNormalize18FoldedCase: an 18-character id that a spreadsheet folded to
// one case names the same record (the suffix restores the case), as in
// Salesforce; the 15-character form stays case-sensitive.
func TestNormalize18FoldedCase(t *testing.T) {
	const id = "0015500001QdZPKAA3"
	for _, in := range []string{id, "0015500001QdZPK", "0015500001QDZPKAA3", "0015500001qdzpkaa3", "0015500001QdZPKaa3"} {
		if got, err := Normalize18(in); err != nil || got != id {
			t.Errorf("Normalize18(%s) = %s, %v; want %s", in, got, err, id)
		}
	}
	if got, err := Normalize18("0015500001qdzpk"); err != nil || got == id {
		t.Errorf("Normalize18 of the lower-cased 15-character id = %s, %v; want another record's id", got, err)
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
