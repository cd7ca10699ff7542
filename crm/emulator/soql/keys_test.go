package soql

import (
	"crmsheets/internal/soqlstr"
	"errors"
	"math"
	"strconv"
	"testing"
)

func strLit(s string) Literal { return Literal{Kind: StringLit, Str: s, Text: soqlstr.Quote(s)} }

var nullLit = Literal{Kind: NullLit, Text: "NULL"}

// keyCases are, per describe type, stored values and literals whose every
// pairing TestEqualityKeyAgreesWithEquals checks.
var keyCases = []struct {
	typ    string
	values []any
	lits   []Literal
}{
	{"string",
		[]any{nil, "", "abc", "ABC", "Abc ", "Müller", "MÜLLER", "straße", "STRASSE", "\xff", "\xfe", "\uFFFD", "İ", "i", "ǅ", "ǆ", "\u212A", "k", float64(3), true},
		[]Literal{strLit("abc"), strLit("ABC"), strLit("müller"), strLit(""), strLit("\uFFFD"), strLit("k"), strLit("K"), strLit("i"), strLit("ǅ"), strLit("3"), strLit("true"), nullLit}},
	{"email",
		[]any{"Dup@Example.COM", "dup@example.com", "", nil},
		[]Literal{strLit("DUP@EXAMPLE.COM"), strLit("dup@example.org"), nullLit}},
	{"id",
		[]any{"001000000000001AAA", "001000000000001", "001000000000001aaa", "001000000000001zzz", "001000000000002AAA", "00100000000000a", "abc", "", nil},
		[]Literal{strLit("001000000000001"), strLit("001000000000001AAA"), strLit("001000000000001xyz"), strLit("00100000000000A"), strLit("abc"), strLit(""), nullLit}},
	{"reference",
		[]any{"005000000000001AAA", nil},
		[]Literal{strLit("005000000000001"), nullLit}},
	{"multipicklist",
		[]any{"a;b", "B;a", "a", " a ; b ;", ";", "A;B;C", "", nil},
		[]Literal{strLit("a;b"), strLit("b;A"), strLit(""), strLit("a"), strLit(";;"), nullLit}},
	{"double",
		[]any{float64(1), float64(0), math.Copysign(0, -1), -1.5, 1, int64(2), "1", "1e0", "abc", nil, "", math.NaN(), math.Inf(1)},
		[]Literal{{Kind: NumberLit, Num: 1, Text: "1"}, {Kind: NumberLit, Num: 0, Text: "0"}, {Kind: NumberLit, Num: -1.5, Text: "-1.5"}, {Kind: NumberLit, Num: 2, Text: "2"}, nullLit}},
	{"boolean",
		[]any{true, false, "TRUE", "false", nil, "", "yes", float64(1)},
		[]Literal{{Kind: BoolLit, Bool: true, Text: "TRUE"}, {Kind: BoolLit, Bool: false, Text: "FALSE"}, nullLit}},
	{"date",
		[]any{"2024-01-31", "2024-01-31T10:00:00.000+0000", "2024-01-31T23:30:00-02:00", nil, "", "bad", "2024-1-1", float64(2024)},
		[]Literal{{Kind: DateLit, Date: "2024-01-31", Text: "2024-01-31"}, {Kind: DateLit, Date: "2024-02-01", Text: "2024-02-01"}, nullLit}},
	{"datetime",
		[]any{"2024-01-31T10:00:00.000+0000", "2024-01-31T10:00:00Z", "2024-01-31T11:00:00+01:00", "2024-01-31T10:00:00.001Z", nil, "bad"},
		[]Literal{{Kind: DateTimeLit, Date: "2024-01-31T10:00:00.000+0000", Text: "2024-01-31T10:00:00Z"}, nullLit}},
}

// TestEqualityKeyAgreesWithEquals checks the contract of EqualityKey and
// literalKey against the evaluator itself: "field = lit" holds exactly when
// the keys say so, for every value and literal of keyCases.
func TestEqualityKeyAgreesWithEquals(t *testing.T) {
	for _, tc := range keyCases {
		t.Run(tc.typ, func(t *testing.T) {
			f := FieldRef{Path: "F", Type: tc.typ}
			ev := &evaluator{now: testNow}
			class := classOf(tc.typ)
			for _, v := range tc.values {
				key, kind := EqualityKey(tc.typ, v)
				for _, lit := range tc.lits {
					want, err := ev.compare(f, Eq, lit, nil, v)
					if kind == KeyUnreadable {
						continue // Match decides on the record itself
					}
					if err != nil {
						t.Fatalf("value %#v keyed %v but = %s fails: %v", v, kind, lit.Text, err)
					}
					litKey, null, ok := literalKey(class, lit)
					got := kind == KeyNull && null || kind == KeyValue && ok && !null && litKey == key
					if got != want {
						t.Errorf("%#v = %s: keys say %v (value key %q %v, literal key %q null %v ok %v), Match says %v",
							v, lit.Text, got, key, kind, litKey, null, ok, want)
					}
				}
			}
		})
	}
}

func TestEqualityKeyUnreadable(t *testing.T) {
	tests := []struct {
		typ string
		v   any
	}{
		{"double", "abc"},
		{"double", math.NaN()},
		{"boolean", "yes"},
		{"date", "2024-1-1"},
		{"datetime", "bad"},
		{"", "anything"}, // unresolved
	}
	for _, tt := range tests {
		if _, kind := EqualityKey(tt.typ, tt.v); kind != KeyUnreadable {
			t.Errorf("EqualityKey(%q, %#v) kind %v, want KeyUnreadable", tt.typ, tt.v, kind)
		}
	}
}

// literalFor turns fuzzed text into a literal of the class, or false when
// the text is not one.
func literalFor(class valueClass, s string) (Literal, bool) {
	switch class {
	case classNumber:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) {
			return Literal{}, false
		}
		return Literal{Kind: NumberLit, Num: n, Text: s}, true
	case classBoolean:
		b, err := strconv.ParseBool(s)
		return Literal{Kind: BoolLit, Bool: b, Text: s}, err == nil
	case classDate:
		if len(s) != 10 || dateLen(s) != 10 {
			return Literal{}, false
		}
		return Literal{Kind: DateLit, Date: s, Text: s}, true
	case classDateTime:
		d, ok := normalizeDateTime(s)
		return Literal{Kind: DateTimeLit, Date: d, Text: s}, ok
	}
	return strLit(s), true
}

var fuzzTypes = []string{"string", "id", "multipicklist", "double", "boolean", "date", "datetime"}

// FuzzKeySetMatchesLiterals checks that an IN / NOT IN list answered with
// its key set gives what comparing literal by literal gives, errors
// included.
func FuzzKeySetMatchesLiterals(f *testing.F) {
	f.Add(uint8(0), "Müller", "MÜLLER", "x", false, false)
	f.Add(uint8(0), "", "", "x", true, true)
	f.Add(uint8(1), "001000000000001AAA", "001000000000001", "abc", false, false)
	f.Add(uint8(1), "001000000000001", "001000000000001zzz", "", true, false)
	f.Add(uint8(2), "b;a", "a;b", ";", false, true)
	f.Add(uint8(3), "1", "1.0", "abc", false, false)
	f.Add(uint8(3), "NaN", "0", "1", false, false)
	f.Add(uint8(3), "-0", "0", "2", true, false)
	f.Add(uint8(4), "TRUE", "true", "false", false, false)
	f.Add(uint8(4), "maybe", "true", "false", true, false)
	f.Add(uint8(5), "2024-01-31T23:30:00-02:00", "2024-02-01", "2024-01-31", false, false)
	f.Add(uint8(6), "2024-01-31T11:00:00+01:00", "2024-01-31T10:00:00Z", "bad", false, true)
	f.Add(uint8(6), "", "2024-01-31T10:00:00Z", "x", true, false)
	f.Fuzz(func(t *testing.T, typ uint8, value, a, b string, withNull, notIn bool) {
		e := &SetTest{Field: FieldRef{Path: "F", Type: fuzzTypes[int(typ)%len(fuzzTypes)]}, Op: In}
		if notIn {
			e.Op = NotIn
		}
		class := classOf(e.Field.Type)
		for _, s := range []string{a, b} {
			if lit, ok := literalFor(class, s); ok {
				e.Values = append(e.Values, lit)
			}
		}
		if withNull || len(e.Values) == 0 {
			e.Values = append(e.Values, nullLit)
		}
		e.set = newKeySet(e)
		if e.set == nil {
			t.Fatalf("no key set for %s %v", e.Field.Type, e.Values)
		}
		for _, v := range []any{value, nil} {
			byLiteral, errLiteral := (&evaluator{now: testNow, literalByLiteral: true}).setTest(e, v)
			bySet, errSet := (&evaluator{now: testNow}).setTest(e, v)
			var ve *ValueError
			if (errLiteral == nil) != (errSet == nil) || errLiteral != nil && !errors.As(errSet, &ve) {
				t.Fatalf("%s %#v %s %v: errors differ: literal by literal %v, key set %v", e.Field.Type, v, e.Op, e.Values, errLiteral, errSet)
			}
			if byLiteral != bySet {
				t.Fatalf("%s %#v %s %v: literal by literal %v, key set %v", e.Field.Type, v, e.Op, e.Values, byLiteral, bySet)
			}
		}
	})
}

func TestResolveBuildsKeySets(t *testing.T) {
	tests := []struct {
		where  string
		hasSet bool
	}{
		{"Name IN ('a', 'B')", true},
		{"Name NOT IN ('a', null)", true},
		{"AnnualRevenue IN (1, 2.5)", true},
		{"CreatedDate IN (2024-01-31T10:00:00Z)", true},
		{"Regions__c IN ('a;b')", true},
		{"Regions__c INCLUDES ('a;b')", false},
		{"CreatedDate IN (TODAY, 2024-01-31T10:00:00Z)", false},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q := mustResolved(t, "SELECT Id FROM Account WHERE "+tt.where)
			if got := q.Where.(*SetTest).set != nil; got != tt.hasSet {
				t.Fatalf("key set built = %v, want %v", got, tt.hasSet)
			}
		})
	}
	q, err := Parse("SELECT Id FROM Account WHERE Name IN ('a')")
	if err != nil {
		t.Fatal(err)
	}
	if q.Where.(*SetTest).set != nil {
		t.Fatal("an unresolved query has a key set")
	}
}
