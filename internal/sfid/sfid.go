// Package sfid is the one copy of the Salesforce record id rules: the
// 15- and 18-character forms and the checksum suffix that makes the long
// form case-insensitive. The client (crm), the XLSX importer (sheets/xlsx)
// and the demo org (crm/emulator) all use it; it imports nothing of the
// project, so every layer may.
package sfid

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMalformed reports a string that is not a Salesforce id: neither 15
// nor 18 alphanumeric characters, or 18 whose suffix disagrees with the
// first 15.
var ErrMalformed = errors.New("not a Salesforce id")

// alphabet maps the 5-bit case mask of a 5-character chunk to the suffix
// character of an 18-character id.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// Checksum returns the three-character suffix of a 15-character id: for
// each 5-character chunk, bit j is set when character j is 'A'..'Z', and
// the suffix character is alphabet[bits]. It does not validate id15.
func Checksum(id15 string) string {
	var out [3]byte
	for chunk := range 3 {
		bits := 0
		for j := range 5 {
			if c := id15[chunk*5+j]; c >= 'A' && c <= 'Z' {
				bits |= 1 << j
			}
		}
		out[chunk] = alphabet[bits]
	}
	return string(out[:])
}

// To18 converts a 15-character case-sensitive id to its 18-character
// case-insensitive form, and checks an 18-character id's suffix, returning
// its canonical form (suffix upper case). An 18-character id folded to all
// upper or all lower case (as spreadsheets and some tools do) is restored
// from its suffix; a mixed-case id whose case disagrees with its suffix is
// refused, as is any other length or a non-alphanumeric character. Errors
// match ErrMalformed.
func To18(id string) (string, error) {
	switch len(id) {
	case 15, 18:
	default:
		return "", fmt.Errorf("%w: %q has %d characters, not 15 or 18", ErrMalformed, id, len(id))
	}
	if !alnum(id) {
		return "", fmt.Errorf("%w: %q is not alphanumeric", ErrMalformed, id)
	}
	if len(id) == 15 {
		return id + Checksum(id), nil
	}
	suffix := strings.ToUpper(id[15:])
	if want := Checksum(id[:15]); suffix == want {
		return id[:15] + want, nil
	}
	// A spreadsheet or a database may have folded the id to one case: the
	// suffix then tells which characters were upper case.
	if restored, ok := restoreCase(id[:15], suffix); ok && foldedCase(id[:15]) {
		return restored + suffix, nil
	}
	return "", fmt.Errorf("%w: %q has suffix %q, want %q", ErrMalformed, id, id[15:], Checksum(id[:15]))
}

// Valid reports whether id is a well-formed 15-character id or an
// 18-character id To18 accepts.
func Valid(id string) bool {
	_, err := To18(id)
	return err == nil
}

// Same reports whether a and b name the same record: 15-character ids
// compare case-sensitively (through their 18-character form); invalid ids
// are never the same as anything.
func Same(a, b string) bool {
	a18, err := To18(a)
	if err != nil {
		return false
	}
	b18, err := To18(b)
	return err == nil && a18 == b18
}

// restoreCase rebuilds the case of a 15-character prefix from its suffix.
func restoreCase(id15, suffix string) (string, bool) {
	b := []byte(id15)
	for chunk := range 3 {
		bits := strings.IndexByte(alphabet, suffix[chunk])
		if bits < 0 {
			return "", false
		}
		for j := range 5 {
			c := b[chunk*5+j]
			isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if bits&(1<<j) != 0 {
				if !isLetter {
					return "", false
				}
				b[chunk*5+j] = c &^ 0x20 // upper
			} else if isLetter {
				b[chunk*5+j] = c | 0x20 // lower
			}
		}
	}
	return string(b), true
}

// foldedCase reports whether all letters of s have the same case.
func foldedCase(s string) bool {
	return s == strings.ToUpper(s) || s == strings.ToLower(s)
}

// alnum reports whether s holds only ASCII letters and digits.
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
