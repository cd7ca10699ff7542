package fieldmap

import (
	"strings"

	"crmsheets/sheets"
)

// Key lookups compare values as sheets.NormalizeKey does (case, spaces,
// scheme, "www." and trailing slashes ignored), but a SOQL `IN (…)` only
// matches what it is sent, ignoring case alone. The spellings below are
// what a lookup sends so that every common way of writing the same key in
// Salesforce is found; the records it returns are then matched to rows by
// their normalized value, client-side.

// urlSchemes, urlHosts and urlSuffixes combine into the spellings of a
// website that people and tools commonly store: acme.com, www.acme.com,
// https://www.acme.com/ and so on (twelve in all).
var (
	urlSchemes  = []string{"", "http://", "https://"}
	urlHosts    = []string{"", "www."}
	urlSuffixes = []string{"", "/"}
)

// KeySpellings returns the literals that find, with SOQL's case-insensitive
// equality, the Salesforce values whose normalized key equals raw's: the
// cell as typed (trimmed), and for URL-like keys in a text or URL field the
// common spellings of the same address. fieldType is the Salesforce type of
// the field the values are compared with.
func KeySpellings(fieldType, raw string) []string {
	trimmed := strings.TrimSpace(raw)
	norm := sheets.NormalizeKey(raw)
	if trimmed == "" || norm == "" {
		return nil
	}
	out := []string{trimmed}
	if !urlLikeKey(fieldType, trimmed, norm) {
		return out
	}
	for _, scheme := range urlSchemes {
		for _, host := range urlHosts {
			for _, suffix := range urlSuffixes {
				if v := scheme + host + norm + suffix; !strings.EqualFold(v, trimmed) {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// urlLikeKey reports whether a key may be a website spelled in several
// ways: always in a URL field; in a text field when it looks like an
// address (no @ or space, and a dot or a scheme, www. or slash that
// normalizing removed). Other types (e-mail, numbers, ids) are compared as
// typed, with SOQL's own case-insensitivity.
func urlLikeKey(fieldType, trimmed, norm string) bool {
	switch fieldType {
	case "url":
		return true
	case "string", "textarea":
		if strings.ContainsAny(norm, "@ \t\r\n") {
			return false
		}
		return strings.Contains(norm, ".") || strings.ToLower(trimmed) != norm
	default:
		return false
	}
}

// LookupLiterals collects the spellings of every value, each literal once,
// in the order met.
func LookupLiterals(fieldType string, values []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		for _, s := range KeySpellings(fieldType, v) {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
