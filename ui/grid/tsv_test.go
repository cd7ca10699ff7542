package grid

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"empty", "", nil},
		{"one cell", "a", [][]string{{"a"}}},
		{"excel range with trailing newline", "a\tb\r\nc\td\r\n", [][]string{{"a", "b"}, {"c", "d"}}},
		{"empty cells", "\t\n", [][]string{{"", ""}}},
		{"quoted newline and tab", "\"x\ny\"\t\"a\tb\"\n", [][]string{{"x\ny", "a\tb"}}},
		{"doubled quotes", "\"say \"\"hi\"\"\"", [][]string{{`say "hi"`}}},
		{"quote inside a cell is literal", "5\" screen", [][]string{{`5" screen`}}},
		{"unclosed quote runs to the end", "\"abc\tdef", [][]string{{"abc\tdef"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseTSV(tt.in)); diff != "" {
				t.Errorf("ParseTSV(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFormatTSVRoundTrip(t *testing.T) {
	rows := [][]string{{"plain", "with\ttab", "multi\nline"}, {`"quoted"`, "", "x"}}
	if diff := cmp.Diff(rows, ParseTSV(FormatTSV(rows))); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// FuzzTSVRoundTrip checks that anything ParseTSV reads is written back by
// FormatTSV to text that parses to the same cells, and that ParseTSV never
// panics.
func FuzzTSVRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a\tb\n", "\"x\ny\"\t\"\"\n", "a\r\nb", "\"unclosed", "\t\t\n\n", "\"\"\"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rows := ParseTSV(s)
		if len(rows) == 1 && len(rows[0]) == 1 && rows[0][0] == "" {
			return // a lone empty cell formats to "\n", which is no rows
		}
		again := ParseTSV(FormatTSV(rows))
		if diff := cmp.Diff(rows, again); diff != "" {
			t.Errorf("round trip of %q (-first +second):\n%s", s, diff)
		}
	})
}
