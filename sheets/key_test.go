package sheets

import "testing"

func TestNormalizeKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Ann@Example.COM ", "ann@example.com"},
		{"https://www.Acme.com/", "acme.com"},
		{"http://acme.com", "acme.com"},
		{"www.acme.com//", "acme.com"},
		{"acme.com/path/", "acme.com/path"},
		{"HTTPS://WWW.ACME.COM", "acme.com"},
		{"Acme Inc", "acme inc"},
		{"", ""},
		{"   ", ""},
		{"https://", ""},
		{"ftp://acme.com", "ftp://acme.com"}, // only web schemes are dropped
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := NormalizeKey(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := NormalizeKey(got); again != got {
				t.Errorf("NormalizeKey is not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// FuzzNormalizeKey checks that normalizing is idempotent, so a stored
// normalized key always matches the value it came from.
func FuzzNormalizeKey(f *testing.F) {
	for _, s := range []string{"https://www.a.com/", "www.www.a", "http://https://x", " A@B.c ", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeKey(s)
		if again := NormalizeKey(n); again != n {
			t.Fatalf("NormalizeKey(%q) = %q, then %q", s, n, again)
		}
	})
}
