package soqlstr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkRoundTrip checks that lit, written by Quote or QuoteLike for s, is
// one literal the reader accepts (every escape valid, no unescaped quote)
// and reads back as s.
func checkRoundTrip(t *testing.T, s, lit string) {
	t.Helper()
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		t.Fatalf("%q: literal %q is not quoted", s, lit)
	}
	body := lit[1 : len(lit)-1]
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			if !ValidEscape(body[i+1:]) {
				t.Fatalf("%q: literal %q has an escape the demo org refuses at %d", s, lit, i)
			}
			i++
		case '\'':
			t.Fatalf("%q: literal %q ends early at %d", s, lit, i)
		}
	}
	if got := Unquote(lit); got != s {
		t.Fatalf("Unquote(%q) = %q, want %q", lit, got, s)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{"", "O'Brien & Co", `say "hi"`, `back\slash`, "50%_off", "tab\there\nline", "bell\a", "é ü 中", "\u2028"} {
		checkRoundTrip(t, s, Quote(s))
		checkRoundTrip(t, s, QuoteLike(s))
	}
	if got := QuoteLike("50%_off"); got != `'50\%\_off'` {
		t.Errorf("QuoteLike escapes the wildcards as %s", got)
	}
	if got := Quote(`"`); got != `'\"'` {
		t.Errorf(`Quote("\"") = %s, want '\"'`, got)
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"a'b", `\`, "%_", "\x00\x7f", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "")
		}
		checkRoundTrip(t, s, Quote(s))
		checkRoundTrip(t, s, QuoteLike(s))
	})
}
