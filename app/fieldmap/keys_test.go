package fieldmap

import (
	"slices"
	"testing"

	"crmsheets/sheets"
)

func TestKeySpellings(t *testing.T) {
	tests := []struct {
		name, fieldType, raw string
		want                 int // number of literals
		mustHave             []string
	}{
		{"url field, full address", "url", "https://www.Acme.com/", 12, []string{"https://www.Acme.com/", "acme.com", "www.acme.com", "http://acme.com/"}},
		{"url field, bare domain", "url", "acme.com", 12, []string{"acme.com", "https://www.acme.com/"}},
		{"text field holding a domain", "string", " acme.com ", 12, []string{"acme.com", "www.acme.com/"}},
		{"text field, not an address", "string", "Acme Corp", 1, []string{"Acme Corp"}},
		{"email as typed", "email", "  Pat@Example.com ", 1, []string{"Pat@Example.com"}},
		{"text field holding an email", "string", "pat@example.com", 1, []string{"pat@example.com"}},
		{"number field", "double", "1.5", 1, []string{"1.5"}},
		{"blank", "url", "   ", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeySpellings(tt.fieldType, tt.raw)
			if len(got) != tt.want {
				t.Errorf("KeySpellings(%q, %q) = %q, want %d literals", tt.fieldType, tt.raw, got, tt.want)
			}
			for _, m := range tt.mustHave {
				if !slices.Contains(got, m) {
					t.Errorf("KeySpellings(%q, %q) = %q lacks %q", tt.fieldType, tt.raw, got, m)
				}
			}
			for _, s := range got {
				if sheets.NormalizeKey(s) != sheets.NormalizeKey(tt.raw) {
					t.Errorf("spelling %q does not normalize like %q", s, tt.raw)
				}
			}
		})
	}
}

func FuzzKeySpellings(f *testing.F) {
	for _, s := range []string{"acme.com", "https://www.acme.com/", "pat@x.com", "www.", "http://https://a", " / "} {
		f.Add("url", s)
		f.Add("string", s)
	}
	f.Fuzz(func(t *testing.T, fieldType, raw string) {
		want := sheets.NormalizeKey(raw)
		for _, s := range KeySpellings(fieldType, raw) {
			if got := sheets.NormalizeKey(s); got != want {
				t.Fatalf("spelling %q of %q normalizes to %q, want %q", s, raw, got, want)
			}
		}
	})
}
