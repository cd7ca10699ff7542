package crm

import (
	"fmt"
	"strings"
)

// idChecksumAlphabet maps the 5-bit case mask of a 5-character chunk to the
// suffix character of an 18-character id.
const idChecksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// To18 converts a 15-character case-sensitive Salesforce id to its
// 18-character case-insensitive form, and checks an 18-character id's
// checksum, returning its canonical form (suffix upper case). An 18-character
// id folded to all upper or all lower case (as some tools do) is restored
// from its suffix; a mixed-case id whose case disagrees with its suffix is an
// error, as is any other length or a non-alphanumeric character.
//
// The suffix: for each 5-character chunk, bit j is set when character j is
// 'A'..'Z'; the suffix character is idChecksumAlphabet[bits].
func To18(id string) (string, error) {
	switch len(id) {
	case 15:
		if !alnum(id) {
			return "", fmt.Errorf("convert id %q: not alphanumeric", id)
		}
		return id + checksum(id), nil
	case 18:
		if !alnum(id) {
			return "", fmt.Errorf("convert id %q: not alphanumeric", id)
		}
		suffix := strings.ToUpper(id[15:])
		if want := checksum(id[:15]); suffix == want {
			return id[:15] + want, nil
		}
		// A spreadsheet or a database may have folded the id to one case:
		// the suffix then tells which characters were upper case.
		if restored, ok := restoreCase(id[:15], suffix); ok && foldedCase(id[:15]) {
			return restored + suffix, nil
		}
		return "", fmt.Errorf("convert id %q: checksum is %q, want %q", id, id[15:], checksum(id[:15]))
	default:
		return "", fmt.Errorf("convert id %q: a Salesforce id has 15 or 18 characters, not %d", id, len(id))
	}
}

// ValidID reports whether id is a well-formed 15-character id or an
// 18-character id with a correct checksum.
func ValidID(id string) bool {
	_, err := To18(id)
	return err == nil
}

// restoreCase rebuilds the case of a 15-character prefix from its suffix.
func restoreCase(id15, suffix string) (string, bool) {
	b := []byte(id15)
	for chunk := 0; chunk < 3; chunk++ {
		bits := strings.IndexByte(idChecksumAlphabet, suffix[chunk])
		if bits < 0 {
			return "", false
		}
		for j := 0; j < 5; j++ {
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

// SameID reports whether a and b name the same record. 15-character ids
// compare case-sensitively (they are converted to 18 first); invalid ids are
// never the same as anything.
func SameID(a, b string) bool {
	a18, err := To18(a)
	if err != nil {
		return false
	}
	b18, err := To18(b)
	if err != nil {
		return false
	}
	// After conversion the first 15 characters carry the case; the suffix
	// is canonical upper case.
	return a18 == b18
}

func checksum(id15 string) string {
	var out [3]byte
	for chunk := 0; chunk < 3; chunk++ {
		bits := 0
		for j := 0; j < 5; j++ {
			if c := id15[chunk*5+j]; c >= 'A' && c <= 'Z' {
				bits |= 1 << j
			}
		}
		out[chunk] = idChecksumAlphabet[bits]
	}
	return string(out[:])
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
