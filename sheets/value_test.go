package sheets

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	picks := []string{"Hot", "Warm", "Cold"}
	tests := []struct {
		name    string
		typ     Type
		input   string
		choices []string
		want    string
		wantErr bool
	}{
		{"text trimmed", TypeText, "  Acme Inc ", nil, "Acme Inc", false},
		{"text blank", TypeText, "   ", nil, "", false},
		{"untyped is text", "", " x ", nil, "x", false},
		{"textarea keeps spaces", TypeTextArea, "  line\n  two ", nil, "  line\n  two ", false},
		{"phone as typed", TypePhone, " +1 (415) 555-0100 ", nil, "+1 (415) 555-0100", false},

		{"integer", TypeNumber, "42", nil, "42", false},
		{"negative decimal", TypeNumber, "-12.50", nil, "-12.5", false},
		{"plus sign", TypeNumber, "+7", nil, "7", false},
		{"exponent", TypeNumber, "1.5e3", nil, "1500", false},
		{"negative zero", TypeNumber, "-0", nil, "0", false},
		{"leading point", TypeNumber, ".5", nil, "0.5", false},
		{"comma decimal refused", TypeNumber, "1,5", nil, "", true},
		{"grouping refused", TypeNumber, "1 000", nil, "", true},
		{"currency symbol refused", TypeCurrency, "$100", nil, "", true},
		{"percent sign refused", TypePercent, "50%", nil, "", true},
		{"word refused", TypeNumber, "ten", nil, "", true},
		{"infinity refused", TypeNumber, "1e999", nil, "", true},
		{"lone sign refused", TypeNumber, "-", nil, "", true},
		{"currency", TypeCurrency, "1000000.25", nil, "1000000.25", false},
		{"percent", TypePercent, "7.5", nil, "7.5", false},

		{"date", TypeDate, "2024-02-29", nil, "2024-02-29", false},
		{"date not a leap year", TypeDate, "2023-02-29", nil, "", true},
		{"date US order refused", TypeDate, "03/31/2024", nil, "", true},
		{"date without padding refused", TypeDate, "2024-3-1", nil, "", true},
		{"date with time refused", TypeDate, "2024-03-01T00:00:00Z", nil, "", true},

		{"datetime Z", TypeDateTime, "2024-03-31T14:05:00Z", nil, "2024-03-31T14:05:00.000Z", false},
		{"datetime offset to UTC", TypeDateTime, "2024-03-31T14:05:00+02:00", nil, "2024-03-31T12:05:00.000Z", false},
		{"datetime Salesforce form", TypeDateTime, "2024-03-31T14:05:00.123+0000", nil, "2024-03-31T14:05:00.123Z", false},
		{"datetime without seconds", TypeDateTime, "2024-03-31T14:05Z", nil, "2024-03-31T14:05:00.000Z", false},
		{"datetime without zone refused", TypeDateTime, "2024-03-31T14:05:00", nil, "", true},
		{"datetime date only refused", TypeDateTime, "2024-03-31", nil, "", true},
		{"datetime past year 9999 refused", TypeDateTime, "9999-12-31T23:59:59-01:00", nil, "", true},

		{"bool yes", TypeBool, "Yes", nil, "true", false},
		{"bool 0", TypeBool, "0", nil, "false", false},
		{"bool x", TypeBool, "x", nil, "true", false},
		{"bool maybe refused", TypeBool, "maybe", nil, "", true},

		{"picklist any without choices", TypePicklist, "Anything", nil, "Anything", false},
		{"picklist choice's spelling", TypePicklist, "hot", picks, "Hot", false},
		{"picklist unknown refused", TypePicklist, "Lukewarm", picks, "", true},
		{"multipicklist normalized", TypeMultiPicklist, " warm ; HOT;;warm", picks, "Warm;Hot", false},
		{"multipicklist unknown refused", TypeMultiPicklist, "Hot;Tepid", picks, "", true},

		{"reference 18", TypeReference, "001000000000001AAA", nil, "001000000000001AAA", false},
		{"reference 15", TypeReference, "001000000000001", nil, "001000000000001", false},
		{"reference wrong length", TypeReference, "001000000000001AA", nil, "", true},
		{"reference bad char", TypeReference, "001000000000001-AA", nil, "", true},

		{"email", TypeEmail, " ann@example.com ", nil, "ann@example.com", false},
		{"email without domain dot refused", TypeEmail, "ann@localhost", nil, "", true},
		{"email with name refused", TypeEmail, "Ann <ann@example.com>", nil, "", true},
		{"email without at refused", TypeEmail, "ann.example.com", nil, "", true},

		{"url", TypeURL, "https://example.com/a?b=c", nil, "https://example.com/a?b=c", false},
		{"url bare domain", TypeURL, "example.com", nil, "example.com", false},
		{"url with space refused", TypeURL, "https://exa mple.com", nil, "", true},
		{"url word refused", TypeURL, "homepage", nil, "", true},

		{"unknown type refused", Type("money"), "1", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.typ, tt.input, tt.choices)
			if tt.wantErr {
				var ve *ValueError
				if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidValue) {
					t.Fatalf("Parse(%s, %q) = %q, %v; want a *ValueError", tt.typ, tt.input, got, err)
				}
				if ve.Input != tt.input || ve.Type != tt.typ || ve.Reason == "" {
					t.Errorf("ValueError = %+v", ve)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%s, %q) = %q, %v; want %q", tt.typ, tt.input, got, err, tt.want)
			}
			if again, err := Parse(tt.typ, got, tt.choices); err != nil || again != got {
				t.Errorf("canonical %q does not parse to itself: %q, %v", got, again, err)
			}
		})
	}
}

func TestValueErrorMessage(t *testing.T) {
	_, err := Parse(TypeDate, "31/03/2024", nil)
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bare", ve, `"31/03/2024" is not a valid date: use the form YYYY-MM-DD, for example 2024-03-31`},
		{"row and column", ve.At(12, "Close Date"), `row 12, column "Close Date": "31/03/2024" is not a valid date: use the form YYYY-MM-DD, for example 2024-03-31`},
		{"column only", ve.At(0, "Close Date"), `column "Close Date": "31/03/2024" is not a valid date: use the form YYYY-MM-DD, for example 2024-03-31`},
		{"long input truncated", &ValueError{Type: TypeNumber, Input: strings.Repeat("9", 100) + "x", Reason: "r"}, `"` + strings.Repeat("9", 60) + `…" is not a valid number: r`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if ve.Row != 0 || ve.Column != "" {
		t.Errorf("At changed the original error: %+v", ve)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		typ             Type
		canonical, want string
	}{
		{TypeDateTime, "2024-03-31T12:05:00.000Z", "2024-03-31 12:05 UTC"},
		{TypeDateTime, "not canonical", "not canonical"},
		{TypeMultiPicklist, "A;B", "A; B"},
		{TypePercent, "7.5", "7.5%"},
		{TypeNumber, "1000000", "1000000"},
		{TypeDate, "2024-02-29", "2024-02-29"},
		{TypeBool, "true", "true"},
		{TypeText, "", ""},
		{TypePercent, "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+tt.canonical, func(t *testing.T) {
			if got := Format(tt.typ, tt.canonical); got != tt.want {
				t.Errorf("Format(%s, %q) = %q, want %q", tt.typ, tt.canonical, got, tt.want)
			}
		})
	}
}

func TestFloatAndTime(t *testing.T) {
	if f, ok := Float("-12.5"); !ok || f != -12.5 {
		t.Errorf("Float = %v, %v", f, ok)
	}
	if _, ok := Float(""); ok {
		t.Errorf("Float of a blank cell should not be ok")
	}
	d, ok := Time(TypeDate, "2024-02-29")
	if !ok || !d.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time(date) = %v, %v", d, ok)
	}
	dt, ok := Time(TypeDateTime, "2024-03-31T12:05:00.250Z")
	if !ok || !dt.Equal(time.Date(2024, 3, 31, 12, 5, 0, 250e6, time.UTC)) {
		t.Errorf("Time(datetime) = %v, %v", dt, ok)
	}
	if _, ok := Time(TypeText, "2024-02-29"); ok {
		t.Errorf("Time of a text cell should not be ok")
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		typ  Type
		a, b string
		want int
	}{
		{TypeNumber, "9", "10", -1},
		{TypeNumber, "10", "9", 1},
		{TypeNumber, "1.0", "1", 0}, // not canonical, but numerically equal
		{TypeText, "9", "10", 1},    // text sorts as text
		{TypeText, "apple", "Banana", -1},
		{TypeText, "a", "A", 1}, // equal ignoring case: a stable tie-break
		{TypeDate, "2024-01-02", "2023-12-31", 1},
		{TypeText, "", "a", -1},
		{TypeText, "a", "", 1},
		{TypeText, "x", "x", 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Compare(tt.typ, tt.a, tt.b); got != tt.want {
				t.Errorf("Compare(%s, %q, %q) = %d, want %d", tt.typ, tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	seen := map[string]bool{}
	for _, typ := range Types {
		if !typ.Valid() {
			t.Errorf("%s not valid", typ)
		}
		if l := typ.Label(); l == "" || seen[l] {
			t.Errorf("label %q of %s empty or shared", l, typ)
		} else {
			seen[l] = true
		}
	}
	if Type("money").Valid() || Type("").Valid() {
		t.Errorf("unknown types are valid")
	}
	if !TypeCurrency.Numeric() || TypeText.Numeric() {
		t.Errorf("Numeric is wrong")
	}
	if Type("").Label() != "Text" {
		t.Errorf("untyped label = %q", Type("").Label())
	}
}

// FuzzParse checks that Parse never panics, that every error it returns is
// a *ValueError, and that its canonical output parses to itself and
// formats without panicking.
func FuzzParse(f *testing.F) {
	seeds := []struct {
		typ   Type
		input string
	}{
		{TypeText, " x "}, {TypeTextArea, "a\nb"}, {TypeNumber, "-1.5e3"}, {TypeNumber, "1,5"},
		{TypeCurrency, "0.1"}, {TypePercent, "100"}, {TypeDate, "2024-02-29"}, {TypeDate, "2024-13-01"},
		{TypeDateTime, "2024-03-31T14:05:00+02:00"}, {TypeDateTime, "2024-03-31T14:05:00.123+0000"},
		{TypeDateTime, "9999-12-31T23:59:59-01:00"}, {TypeBool, "Yes"}, {TypePicklist, "hot"},
		{TypeMultiPicklist, "a;;B; c"}, {TypeReference, "001000000000001AAA"}, {TypeEmail, "a@b.co"},
		{TypeURL, "https://x.y/z"}, {TypePhone, "+1 555"},
	}
	for i, s := range seeds {
		f.Add(i, s.input)
	}
	f.Fuzz(func(t *testing.T, typeIndex int, input string) {
		typ := Types[uint(typeIndex)%uint(len(Types))]
		for _, choices := range [][]string{nil, {"Hot", "Warm", "a", "B"}} {
			got, err := Parse(typ, input, choices)
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidValue) {
					t.Fatalf("Parse(%s, %q) error %v is not a ValueError", typ, input, err)
				}
				_ = ve.At(1, "c").Error()
				continue
			}
			again, err := Parse(typ, got, choices)
			if err != nil || again != got {
				t.Fatalf("Parse(%s, %q) = %q, which parses to %q, %v", typ, input, got, again, err)
			}
			_ = Format(typ, got)
			_ = Compare(typ, got, input)
		}
	})
}

func TestSameTextIgnoresLineEndingsOnly(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"a\r\nb", "a\nb", true},
		{"a\rb", "a\nb", true},
		{"a\rb", "a\r\nb", true},
		{"a\r\n\r\nb", "a\n\nb", true},
		{"same", "same", true},
		{"a\nb", "a b", false},
		{"a\r\nb", "a\n\nb", false},
		{"a\n", "a", true},
		{"1 Main St\r\n", "1 Main St", true},
		{"1 Main St\r", "1 Main St\n", true},
		{"\r\nx", "x", true},
		{"a\n\nb", "a\nb", false},
		{"a\n", "a ", false},
		{"x", "y", false},
	} {
		if got := SameText(tc.a, tc.b); got != tc.want {
			t.Errorf("SameText(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseCellOpenAndRestrictedPicklists(t *testing.T) {
	open := Column{Type: TypePicklist, Choices: []string{"Prospect", "Customer"}}
	if v, err := ParseCell(open, " Weird Type "); err != nil || v != "Weird Type" {
		t.Errorf("unrestricted picklist: %q %v", v, err)
	}
	if v, _ := ParseCell(open, "customer"); v != "Customer" {
		t.Errorf("a choice in another case: %q, want the choice's spelling", v)
	}
	multi := Column{Type: TypeMultiPicklist, Choices: []string{"A", "B"}}
	if v, err := ParseCell(multi, "a; Z ;A;b"); err != nil || v != "A;Z;B" {
		t.Errorf("unrestricted multi-select: %q %v", v, err)
	}
	strict := Column{Type: TypePicklist, Choices: []string{"Prospect"}, Restricted: true}
	if _, err := ParseCell(strict, "Weird Type"); err == nil {
		t.Error("a restricted picklist accepted another value")
	}
	if _, err := ParseCell(Column{Type: TypeNumber}, "x"); err == nil {
		t.Error("a number column accepted text")
	}
}
