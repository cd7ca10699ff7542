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
	for _, scheme := range []string{"https://", "http://"} {
		if strings.HasPrefix(s, scheme) {
			s = s[len(scheme):]
			break
		}
	}
	s = strings.TrimPrefix(s, "www.")
	s = strings.TrimRight(s, "/")
	return strings.TrimSpace(s)
}
