package sheets

import "strings"

// NormalizeKey is the form in which key column values are compared when rows
// are matched without a record id (an e-mail, a website, a name): surrounding
// space trimmed and lower case, and, so that "https://www.Acme.com/" matches
// "acme.com", a leading "http://" or "https://", a leading "www." and
// trailing slashes dropped. The URL rules apply to every value; they cannot
// change what an e-mail address or a name matches in practice. A blank value
// normalizes to "" and never matches anything.
func NormalizeKey(value string) string {
	s := strings.ToLower(strings.TrimSpace(value))
	// Repeat until nothing changes, so that normalizing is idempotent
	// ("www.www.a", "http://https://a"): a key normalized twice, by the
	// importer and by the store, still matches.
	for {
		prev := s
		s = strings.TrimPrefix(s, "https://")
		s = strings.TrimPrefix(s, "http://")
		s = strings.TrimPrefix(s, "www.")
		s = strings.TrimSpace(strings.TrimRight(s, "/"))
		if s == prev {
			return s
		}
	}
}
