// Package jsonstr appends strings as JSON string literals without
// reflection. It is the one copy of the escaping rules that two hot paths
// share: the store writes run outcomes that must be encoding/json's bytes
// exactly (old and new stores stay byte-identical), and the demo org
// writes query pages spelled as Salesforce spells them.
package jsonstr

import "unicode/utf8"

// Escaping chooses between the spellings of a JSON string.
type Escaping struct {
	// HTML escapes <, > and & as \u003c, \u003e and \u0026, as
	// encoding/json does by default; Salesforce leaves them.
	HTML bool
	// ShortControl writes backspace and form feed as \b and \f, as
	// encoding/json does (Go 1.22 and later); otherwise as \u0008 and
	// \u000c.
	ShortControl bool
}

// The two spellings CRM Sheets writes.
var (
	// EncodingJSON is encoding/json's spelling, byte for byte.
	EncodingJSON = Escaping{HTML: true, ShortControl: true}
	// Salesforce is the REST API's spelling.
	Salesforce = Escaping{}
)

const hexDigits = "0123456789abcdef"

// Append appends s to b as a quoted JSON string. Either way invalid UTF-8
// becomes U+FFFD and U+2028 and U+2029 are escaped (JavaScript reads them
// as line ends).
func Append(b []byte, s string, e Escaping) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!e.HTML || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b' && e.ShortControl:
				b = append(b, '\\', 'b')
			case c == '\f' && e.ShortControl:
				b = append(b, '\\', 'f')
			default: // other control characters, and <, > and & for HTML
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
