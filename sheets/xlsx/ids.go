package xlsx

import "strings"

// The 18-character form of a Salesforce id adds a checksum of the case of the
// 15-character form, so that case-insensitive tools such as Excel's lookups
// cannot confuse two ids. The crm package has its own copy; this package may
// not import it, and the algorithm is four lines.
const idSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// idSuffix computes the three checksum characters of a 15-character id.
func idSuffix(id15 string) string {
	var out [3]byte
	for chunk := range 3 {
		bits := 0
		for i := range 5 {
			if c := id15[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		out[chunk] = idSuffixAlphabet[bits]
	}
	return string(out[:])
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// recordID18 returns the 18-character form of a 15 or 18 character id, and
// whether s is one. The checksum of an 18-character id records the case of
// its first 15 characters, so an id whose case was changed (an upper-cased
// column in Excel) is restored; one whose checksum cannot describe it (a
// digit marked as upper case, a character outside the alphabet) is refused.
func recordID18(s string) (string, bool) {
	if !isAlnum(s) {
		return "", false
	}
	switch len(s) {
	case 15:
		return s + idSuffix(s), true
	case 18:
	default:
		return "", false
	}
	var out [18]byte
	copy(out[:], s)
	for chunk := range 3 {
		sc := s[15+chunk]
		if sc >= 'a' && sc <= 'z' {
			sc -= 'a' - 'A'
		}
		bits := strings.IndexByte(idSuffixAlphabet, sc)
		if bits < 0 {
			return "", false
		}
		out[15+chunk] = sc
		for i := range 5 {
			c := out[chunk*5+i]
			isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			switch {
			case bits&(1<<i) != 0 && !isLetter:
				return "", false
			case bits&(1<<i) != 0:
				out[chunk*5+i] = c &^ 0x20
			case isLetter:
				out[chunk*5+i] = c | 0x20
			}
		}
	}
	return string(out[:]), true
}
