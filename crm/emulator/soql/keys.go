package soql

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Equality keys let a caller replace "compare the value with every literal"
// by one hash lookup: two values are equal under Match's "=" exactly when
// their keys are. They serve IN lists inside Match and the indexes a caller
// builds to answer a Plan.

// KeyKind says how EqualityKey classified a value.
type KeyKind int

// The kinds of EqualityKey results.
const (
	// KeyValue: the value is not null and "field = lit" holds exactly when
	// the key equals the literal's key.
	KeyValue KeyKind = iota + 1
	// KeyNull: the value is null; only "= null" and "IN (null, ...)" match.
	KeyNull
	// KeyUnreadable: the value cannot be keyed (it is not a valid value of
	// the field's type, or a NaN number), so a caller must evaluate Match on
	// the record itself, which decides or reports a *ValueError.
	KeyUnreadable
)

// EqualityKey returns the key of v, a value of a field whose describe type
// is typ, under Match's "=": text folded to lower case rune by rune, ids cut
// to their 15-character form, multipicklists as their sorted item set,
// numbers by value (0 and -0 alike), dates and datetimes in their UTC form.
// An empty typ (an unresolved field) gives KeyUnreadable.
func EqualityKey(typ string, v any) (string, KeyKind) {
	return keyOf(classOf(typ), v)
}

func keyOf(class valueClass, v any) (string, KeyKind) {
	switch class {
	case classText, classID, classMultiPicklist:
		s, notNull := textOf(v)
		if !notNull {
			return "", KeyNull
		}
		return textKey(class, s), KeyValue
	case classNumber:
		n, notNull, err := numberOf("", v)
		switch {
		case err != nil || math.IsNaN(n):
			return "", KeyUnreadable
		case !notNull:
			return "", KeyNull
		}
		return numberKey(n), KeyValue
	case classBoolean:
		b, notNull, err := boolOf("", v)
		switch {
		case err != nil:
			return "", KeyUnreadable
		case !notNull:
			return "", KeyNull
		}
		return boolKey(b), KeyValue
	case classDate, classDateTime:
		read := dateOf
		if class == classDateTime {
			read = dateTimeOf
		}
		d, notNull, err := read("", v)
		switch {
		case err != nil:
			return "", KeyUnreadable
		case !notNull:
			return "", KeyNull
		}
		return d, KeyValue
	}
	return "", KeyUnreadable
}

// literalKey returns the key a literal of a field of the class matches.
// null reports a NULL literal; ok is false for a literal that matches no
// value at all (the empty string compared with text or an id: an empty
// value is null) or one that has no key (a relative date range).
func literalKey(class valueClass, lit Literal) (key string, null, ok bool) {
	switch {
	case lit.Kind == NullLit:
		return "", true, true
	case lit.Kind == RelativeDateLit:
		return "", false, false
	}
	switch class {
	case classText, classID:
		if lit.Kind != StringLit || lit.Str == "" {
			return "", false, false
		}
		return textKey(class, lit.Str), false, true
	case classMultiPicklist:
		if lit.Kind != StringLit {
			return "", false, false
		}
		return textKey(class, lit.Str), false, true
	case classNumber:
		if lit.Kind != NumberLit {
			return "", false, false
		}
		return numberKey(lit.Num), false, true
	case classBoolean:
		if lit.Kind != BoolLit {
			return "", false, false
		}
		return boolKey(lit.Bool), false, true
	case classDate:
		if lit.Kind != DateLit {
			return "", false, false
		}
		return lit.Date, false, true
	case classDateTime:
		if lit.Kind != DateTimeLit {
			return "", false, false
		}
		return lit.Date, false, true
	}
	return "", false, false
}

// textKey keys a non-null text-like value as compare's "=" sees it.
func textKey(class valueClass, s string) string {
	switch class {
	case classID:
		if len(s) == 15 || len(s) == 18 {
			return s[:15] // idEqual: the checksum suffix is ignored
		}
		return s
	case classMultiPicklist:
		set := multiSet(s)
		items := make([]string, 0, len(set))
		for item := range set {
			items = append(items, item)
		}
		slices.Sort(items)
		return strings.Join(items, ";") // items never hold ';'
	}
	return foldKey(s)
}

// foldKey lower-cases s rune by rune exactly as compareFold compares, so
// that compareFold(a, b) == 0 ⇔ foldKey(a) == foldKey(b). An invalid byte
// decodes as utf8.RuneError in compareFold, so it becomes U+FFFD here.
func foldKey(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for s != "" {
		r, n := utf8.DecodeRuneInString(s)
		b = utf8.AppendRune(b, unicode.ToLower(r))
		s = s[n:]
	}
	return string(b)
}

// numberKey keys a number by its bits; -0 equals 0 under "=".
func numberKey(n float64) string {
	if n == 0 {
		n = 0
	}
	bits := math.Float64bits(n)
	var b [8]byte
	for i := range b {
		b[i] = byte(bits >> (8 * i))
	}
	return string(b[:])
}

func boolKey(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// keySet is a resolved IN / NOT IN list as a hash set of literal keys, so
// that Match tests membership in O(1) instead of comparing with each literal.
type keySet struct {
	class valueClass
	keys  map[string]struct{}
	null  bool // the list holds NULL
}

// newKeySet builds the set of a SetTest on a resolved field, or returns nil
// when a literal has no key (a relative date range) or the field's type is
// unknown; Match then compares literal by literal.
func newKeySet(e *SetTest) *keySet {
	class := classOf(e.Field.Type)
	if class == classUnknown || e.Op != In && e.Op != NotIn {
		return nil
	}
	set := &keySet{class: class, keys: make(map[string]struct{}, len(e.Values))}
	for _, lit := range e.Values {
		if lit.Kind == RelativeDateLit {
			return nil
		}
		key, null, ok := literalKey(class, lit)
		switch {
		case null:
			set.null = true
		case ok:
			set.keys[key] = struct{}{}
		}
	}
	return set
}

// contains reports whether v equals a member of the set; decided is false
// when v cannot be keyed and the literals must be compared one by one.
func (s *keySet) contains(v any) (found, decided bool) {
	key, kind := keyOf(s.class, v)
	switch kind {
	case KeyNull:
		return s.null, true
	case KeyValue:
		_, found = s.keys[key]
		return found, true
	}
	return false, false
}
