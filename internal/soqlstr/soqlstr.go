// Package soqlstr is the one copy of SOQL's string literal rules
// ("Quoted String Escape Sequences" in the SOQL reference): how the client
// writes a value into a query (Quote, QuoteLike) and how the demo org reads
// one back (ValidEscape, Unquote). Both sides use it, so what the client
// escapes is exactly what the demo org accepts.
package soqlstr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Quote returns s as a SOQL string literal: wrapped in single quotes with
// every character that could end or alter the literal escaped, following
// "Quoted String Escape Sequences" in the SOQL reference
// (https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-quotedstringescapes.html):
// \' \" \\ \n \r \t \b \f, and \uXXXX for every other control character.
// Invalid UTF-8 bytes become U+FFFD. No value passed through Quote can change
// a query.
func Quote(s string) string {
	return quote(s, false)
}

// QuoteLike is Quote for the right side of LIKE: it also escapes the
// wildcards % and _ so that the value matches literally. To search with
// wildcards, write the % and _ yourself around a QuoteLike-escaped value
// (crm.Contains, crm.StartsWith).
func QuoteLike(s string) string {
	return quote(s, true)
}

func quote(s string, like bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '%', '_':
			if like {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteRune(utf8.RuneError)
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// ValidEscape reports whether s (the text after a backslash) starts with an
// escape SOQL accepts.
func ValidEscape(s string) bool {
	switch s[0] {
	case '\'', '"', '\\', 'n', 'r', 't', 'b', 'f', '%', '_':
		return true
	case 'u':
		if len(s) < 5 {
			return false
		}
		for i := 1; i < 5; i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// Unquote decodes a string literal token (quotes included) whose escapes
// ValidEscape accepted. \% and \_ decode to
// % and _; LIKE patterns are compiled from the raw token instead.
func Unquote(tok string) string {
	body := tok[1 : len(tok)-1]
	if !strings.Contains(body, `\`) {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			b.WriteRune(rune(HexVal(body[i+1 : i+5])))
			i += 4
		default: // ' " \ % _
			b.WriteByte(body[i])
		}
	}
	return b.String()
}

func HexVal(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		default:
			v = v*16 + int(c-'A'+10)
		}
	}
	return v
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
