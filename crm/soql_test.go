package crm

import (
	"context"
	"crmsheets/internal/soqlstr"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme", `'Acme'`},
		{"O'Brien", `'O\'Brien'`},
		{`' OR Name != '`, `'\' OR Name != \''`},
		{`back\slash`, `'back\\slash'`},
		{`\'`, `'\\\''`},
		{"line1\nline2\r\ttab", `'line1\nline2\r\ttab'`},
		{`say "hi"`, `'say \"hi\"'`},
		{"nul\x00bell\x07", `'nul\u0000bell\u0007'`},
		{"café ☕", `'café ☕'`},
		{"bad\xffutf8", "'bad\uFFFDutf8'"},
		{"100%_sure", `'100%_sure'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if got := QuoteLike("100%_sure"); got != `'100\%\_sure'` {
		t.Errorf("QuoteLike = %s", got)
	}
}

// unquote reads the SOQL string literal at the start of s with the demo
// org's reader (internal/soqlstr): the value and the rest of the input
// after the closing quote, or ok=false when s does not start with one
// well-formed literal.
func unquote(s string) (val, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if !soqlstr.ValidEscape(s[i+1:]) {
				return "", "", false
			}
			i++
		case '\'':
			return soqlstr.Unquote(s[:i+1]), s[i+1:], true
		default:
			if s[i] < 0x20 {
				return "", "", false // raw control characters never appear
			}
		}
	}
	return "", "", false
}

// FuzzQuote: whatever the value, Quote yields exactly one literal that reads
// back as the value, with nothing after it.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "O'Brien", `' OR Name != '`, `\`, `\'`, "a\nb", "\x00", "☕", "\xff", `'); DELETE`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		val, rest, ok := unquote(q)
		if !ok || rest != "" {
			t.Fatalf("Quote(%q) = %s is not one literal (rest %q)", s, q, rest)
		}
		// Each invalid byte becomes one U+FFFD.
		var want strings.Builder
		for _, r := range s {
			want.WriteRune(r)
		}
		if val != want.String() {
			t.Fatalf("Quote(%q) reads back as %q", s, val)
		}
		if !utf8.ValidString(q) {
			t.Fatalf("Quote(%q) is not valid UTF-8", s)
		}
	})
}

func TestFormatLiteral(t *testing.T) {
	ts := time.Date(2024, 3, 5, 14, 7, 9, 999_000_000, time.FixedZone("X", 2*3600))
	tests := []struct {
		in      any
		want    string
		wantErr bool
	}{
		{nil, "null", false},
		{"x", "'x'", false},
		{true, "true", false},
		{42, "42", false},
		{int64(-7), "-7", false},
		{1.5, "1.5", false},
		{ts, "2024-03-05T12:07:09Z", false},
		{Date{ts}, "2024-03-05", false},
		{math.NaN(), "", true},
		{math.Inf(1), "", true},
		{[]string{"a"}, "", true},
		{struct{}{}, "", true},
	}
	for _, tt := range tests {
		got, err := FormatLiteral(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("FormatLiteral(%v) = %q, %v", tt.in, got, err)
		}
	}
}

func TestBuilder(t *testing.T) {
	tests := []struct {
		name    string
		b       *Builder
		want    string
		wantErr error
	}{
		{"simple", Select("Id", "Name", "Account.Name").From("Contact").Where("Email", "=", "a@b.com").OrderBy("Name", false).Limit(10),
			"SELECT Id, Name, Account.Name FROM Contact WHERE Email = 'a@b.com' ORDER BY Name LIMIT 10", nil},
		{"hostile value", Select("Id").From("Account").Where("Name", "=", `' OR Name != '`),
			`SELECT Id FROM Account WHERE Name = '\' OR Name != \''`, nil},
		{"hostile backslash newline", Select("Id").From("Account").Where("Name", "!=", "x\\'\n--"),
			`SELECT Id FROM Account WHERE Name != 'x\\\'\n--'`, nil},
		{"in", Select("Id").From("Contact").InStrings("Email", []string{"a@b", "o'c@d"}),
			`SELECT Id FROM Contact WHERE Email IN ('a@b', 'o\'c@d')`, nil},
		{"like contains", Select("Id").From("Account").Where("Name", "like", Contains("50%_off")),
			`SELECT Id FROM Account WHERE Name LIKE '%50\%\_off%'`, nil},
		{"datetime watermark", Select("Id").From("Account").Where("LastModifiedDate", ">=", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
			"SELECT Id FROM Account WHERE LastModifiedDate >= 2024-01-02T03:04:05Z", nil},
		{"user filter", Select("Id").From("Account").WhereClause("Industry = 'Banking' OR Rating = 'Hot'").Where("IsDeleted", "=", false),
			"SELECT Id FROM Account WHERE (Industry = 'Banking' OR Rating = 'Hot') AND IsDeleted = false", nil},
		{"semi-join filter", Select("Id").From("Account").WhereClause("Id IN (SELECT AccountId FROM Contact)"),
			"SELECT Id FROM Account WHERE (Id IN (SELECT AccountId FROM Contact))", nil},
		{"count", Select("COUNT()").From("Account"), "SELECT COUNT() FROM Account", nil},
		{"field injection", Select("Id FROM User --").From("Account"), "", ErrUnsafeSOQL},
		{"object injection", Select("Id").From("Account WHERE"), "", ErrUnsafeSOQL},
		{"bad operator", Select("Id").From("Account").Where("Name", "= 'x' OR Id", "y"), "", ErrUnsafeSOQL},
		{"filter escapes parens", Select("Id").From("Account").WhereClause("Name = 'x') OR (Id != null"), "", ErrUnsafeSOQL},
		{"filter unterminated", Select("Id").From("Account").WhereClause("Name = 'x"), "", ErrUnsafeSOQL},
		{"filter with limit", Select("Id").From("Account").WhereClause("Name = 'x' LIMIT 1"), "", ErrUnsafeSOQL},
		{"empty in", Select("Id").From("Account").In("Id"), "", nil},
		{"no object", Select("Id"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.b.Build()
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Build = %q, want an error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Build = %q, %v\nwant  %q", got, err, tt.want)
			}
		})
	}
}

func TestBuilderValidate(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/sobjects/Account/describe/", serveJSON(200, fixture(t, "Account_describe.json")))
	c := setup(t, mux)
	d, err := c.Describe(context.Background(), "Account")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    *Builder
		ok   bool
	}{
		{"known fields", Select("Id", "name", "Owner.Name").From("Account").Where("Type", "=", "Prospect").OrderBy("CreatedDate", true), true},
		{"unknown field", Select("Id", "Nmae").From("Account"), false},
		{"unknown relationship", Select("Id", "Ownr.Name").From("Account"), false},
		{"unknown where field", Select("Id").From("Account").Where("Foo__c", "=", 1), false},
		{"other object", Select("Id").From("Contact"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.b.Validate(d).Build()
			if (err == nil) != tt.ok {
				t.Errorf("Build after Validate: %v", err)
			}
		})
	}
}

// FuzzBuilderWhere: a hostile value in Where never changes the structure of
// the query: after the known prefix comes exactly one literal.
func FuzzBuilderWhere(f *testing.F) {
	for _, s := range []string{"x", `' OR Name != '`, `\' OR 1=1 --`, "a\nb", `%_`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		q, err := Select("Id").From("Account").Where("Name", "=", v).Limit(5).Build()
		if err != nil {
			t.Fatal(err)
		}
		const prefix = "SELECT Id FROM Account WHERE Name = "
		if !strings.HasPrefix(q, prefix) {
			t.Fatalf("query %q", q)
		}
		_, rest, ok := unquote(q[len(prefix):])
		if !ok || rest != " LIMIT 5" {
			t.Fatalf("value %q escaped its literal: %q", v, q)
		}
	})
}

// FuzzWhereClause: an accepted user filter stays inside its parentheses.
func FuzzWhereClause(f *testing.F) {
	for _, s := range []string{"Name = 'x'", "Name = 'x') OR (Id != null", "(a = 1", "Name = '\\''", "Id IN (SELECT Id FROM X)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, clause string) {
		q, err := Select("Id").From("Account").WhereClause(clause).Limit(5).Build()
		if err != nil {
			return
		}
		if strings.TrimSpace(clause) == "" {
			return
		}
		// Walk the built query: the parenthesis opened before the clause
		// must close exactly before " LIMIT 5".
		const prefix = "SELECT Id FROM Account WHERE ("
		body := q[len(prefix):]
		depth := 1
		for i := 0; i < len(body); i++ {
			switch body[i] {
			case '\'':
				_, rest, ok := unquote(body[i:])
				if !ok {
					// checkClause accepts escapes the reference reader may
					// not; only the closing quote matters here.
					j := i + 1
					for ; j < len(body) && body[j] != '\''; j++ {
						if body[j] == '\\' {
							j++
						}
					}
					i = j
					continue
				}
				i = len(body) - len(rest) - 1
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 && body[i+1:] != " LIMIT 5" {
					t.Fatalf("clause %q closed the WHERE early: %q", clause, q)
				}
			}
		}
		if depth != 0 {
			t.Fatalf("clause %q left depth %d: %q", clause, depth, q)
		}
	})
}
