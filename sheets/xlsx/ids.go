package xlsx

import "crmsheets/internal/sfid"

// recordID18 returns the 18-character form of a 15 or 18 character id, and
// whether s is one. The checksum of an 18-character id records the case of
// its first 15 characters, so an id whose case was folded (an upper-cased
// column in Excel) is restored; one whose checksum cannot describe it is
// refused (internal/sfid holds the rules, shared with the client and the
// demo org).
func recordID18(s string) (string, bool) {
	id, err := sfid.To18(s)
	return id, err == nil
}
