package sfid

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestTo18RealVectors checks the conversion against the 143 real ids of
// testdata/real_ids_checksum_vectors.json (copied from
// shared/salesforce/fixtures/ids; see that directory's PROVENANCE.md).
func TestTo18RealVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/real_ids_checksum_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct {
			ID18 string `json:"id18"`
			ID15 string `json:"id15"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 100 {
		t.Fatalf("only %d vectors", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		got, err := To18(v.ID15)
		if err != nil || got != v.ID18 {
			t.Errorf("To18(%q) = %q, %v; want %q", v.ID15, got, err, v.ID18)
		}
		if got, err := To18(v.ID18); err != nil || got != v.ID18 {
			t.Errorf("To18(%q) = %q, %v; want it unchanged", v.ID18, got, err)
		}
		if got, err := To18(strings.ToLower(v.ID18)); err != nil || got != v.ID18 {
			t.Errorf("To18(lower %q) = %q, %v; want case restored", v.ID18, got, err)
		}
		if !Same(v.ID15, strings.ToUpper(v.ID18)) {
			t.Errorf("Same(%q, upper 18) = false", v.ID15)
		}
	}
}

func TestTo18Invalid(t *testing.T) {
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"too short", "001230000"},
		{"16 chars", "0012300000bVTphA"},
		{"punctuation", "0012300000bVT-h"},
		{"unicode", "0012300000bVTé"},
		// Hand-edited id in an Apache Camel fixture: its case disagrees
		// with its suffix (the right suffix is UAG).
		{"camel wrong checksum", "a1V3E000000EXomUAM"},
		{"suffix out of alphabet", "0012300000bVTph999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := To18(tt.id); err == nil {
				t.Errorf("To18(%q) = %q, want error", tt.id, got)
			}
			if Valid(tt.id) {
				t.Errorf("Valid(%q) = true", tt.id)
			}
		})
	}
}

func TestSameID(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"0012300000bVTph", "0012300000bVTphAAG", true},
		{"0012300000bVTphAAG", "0012300000BVTPHAAG", true},
		{"0012300000bVTph", "0012300000BVTph", false}, // 15-char ids are case-sensitive
		{"0012300000bVTph", "0012300000bVTpm", false},
		{"bad", "bad", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"="+tt.b, func(t *testing.T) {
			if got := Same(tt.a, tt.b); got != tt.want {
				t.Errorf("Same(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func FuzzTo18(f *testing.F) {
	for _, s := range []string{"0012300000bVTph", "0012300000bVTphAAG", "a1V3E000000EXomUAM", "", "zzzzzzzzzzzzzzzzzz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got, err := To18(id)
		if err != nil {
			return
		}
		if len(got) != 18 {
			t.Fatalf("To18(%q) = %q, not 18 chars", id, got)
		}
		again, err := To18(got)
		if err != nil || again != got {
			t.Fatalf("To18 not idempotent on %q: %q, %v", got, again, err)
		}
		if len(id) == 15 && got[:15] != id {
			t.Fatalf("To18(%q) changed the prefix: %q", id, got)
		}
	})
}
