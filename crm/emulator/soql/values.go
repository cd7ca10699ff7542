package soql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Record gives the evaluator a record's field values by canonical path
// ("Name", "Account.Name"). Values are JSON-like: nil, string, float64 (int,
// int64 and json.Number are accepted too) or bool. Dates are "YYYY-MM-DD",
// datetimes "2024-05-01T10:00:00.000+0000" (other RFC 3339 forms are
// accepted, slower), multipicklists "a;b;c". An empty string is null, as
// Salesforce never stores empty text. A path through a null parent is nil.
type Record interface {
	Get(path string) any
}

// MapRecord is a Record over a map keyed by canonical path, for tests and
// small callers.
type MapRecord map[string]any

// Get returns the value at path, nil when absent.
func (m MapRecord) Get(path string) any { return m[path] }

// ValueError reports a record value the evaluator cannot read as its field's
// type, such as "abc" in a number field. It is the emulator's bug, not the
// query's, so it is not an *Error.
type ValueError struct {
	Path  string
	Value any
	Want  string
}

// Error describes the bad value.
func (e *ValueError) Error() string {
	return fmt.Sprintf("soql: field %s: value %#v is not a %s", e.Path, e.Value, e.Want)
}

// textOf returns v as text; ok is false for null.
func textOf(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, v != ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case json.Number:
		return string(v), true
	}
	return fmt.Sprint(v), true
}

// numberOf returns v as a number; null is (0, false, nil).
func numberOf(path string, v any) (float64, bool, error) {
	switch v := v.(type) {
	case nil:
		return 0, false, nil
	case float64:
		return v, true, nil
	case int:
		return float64(v), true, nil
	case int64:
		return float64(v), true, nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return 0, false, &ValueError{path, v, "number"}
		}
		return f, true, nil
	case string:
		if v == "" {
			return 0, false, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false, &ValueError{path, v, "number"}
		}
		return f, true, nil
	}
	return 0, false, &ValueError{path, v, "number"}
}

// boolOf returns v as a boolean; null is (false, false, nil).
func boolOf(path string, v any) (bool, bool, error) {
	switch v := v.(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	case string:
		switch strings.ToLower(v) {
		case "":
			return false, false, nil
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
	}
	return false, false, &ValueError{path, v, "boolean"}
}

// dateOf returns a date field's value as "YYYY-MM-DD" (a datetime value is
// cut to its UTC day).
func dateOf(path string, v any) (string, bool, error) {
	s, ok := v.(string)
	if v == nil || ok && s == "" {
		return "", false, nil
	}
	if !ok {
		return "", false, &ValueError{path, v, "date"}
	}
	if len(s) == 10 {
		if dateLen(s) == 10 {
			return s, true, nil
		}
		return "", false, &ValueError{path, v, "date"}
	}
	d, ok := normalizeDateTime(s)
	if !ok {
		return "", false, &ValueError{path, v, "date"}
	}
	return d[:10], true, nil
}

// dateTimeOf returns a datetime field's value in dateTimeLayout (UTC).
func dateTimeOf(path string, v any) (string, bool, error) {
	s, ok := v.(string)
	if v == nil || ok && s == "" {
		return "", false, nil
	}
	if !ok {
		return "", false, &ValueError{path, v, "datetime"}
	}
	d, ok := normalizeDateTime(s)
	if !ok {
		return "", false, &ValueError{path, v, "datetime"}
	}
	return d, true, nil
}

// compareFold compares a and b case-insensitively (simple lower-casing, as
// Salesforce's default collation roughly does), without allocating.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// idEqual compares record ids by their case-sensitive 15-character form, so
// a 15-character id equals its 18-character form and the 3-character
// checksum suffix (which only encodes the case of the first 15) is ignored.
func idEqual(a, b string) bool {
	if (len(a) == 15 || len(a) == 18) && (len(b) == 15 || len(b) == 18) {
		return a[:15] == b[:15]
	}
	return a == b
}

// multiSet splits a multipicklist value into its lower-cased, trimmed items.
func multiSet(s string) map[string]bool {
	set := make(map[string]bool)
	for _, item := range strings.Split(s, ";") {
		if item = strings.ToLower(strings.TrimSpace(item)); item != "" {
			set[item] = true
		}
	}
	return set
}

// multiContainsAll reports whether the multipicklist value holds every item
// of want ("a;b" requires both).
func multiContainsAll(value, want string) bool {
	have := multiSet(value)
	for item := range multiSet(want) {
		if !have[item] {
			return false
		}
	}
	return true
}

func multiEqual(a, b string) bool {
	sa, sb := multiSet(a), multiSet(b)
	if len(sa) != len(sb) {
		return false
	}
	for item := range sa {
		if !sb[item] {
			return false
		}
	}
	return true
}
