package soql

// Less reports whether record a sorts before record b under q's ORDER BY,
// for use with sort.SliceStable or slices.SortStableFunc (records equal on
// every key keep their order; with no ORDER BY nothing is less). Text sorts
// case-insensitively, ids case-sensitively, numbers numerically, dates and
// datetimes in time order, false before true. Nulls sort first in ascending
// and last in descending order unless NULLS FIRST/LAST says otherwise. A
// value that cannot be read as its field's type sorts as null.
func (q *Query) Less(a, b Record) bool {
	for _, o := range q.OrderBy {
		ka := sortKeyOf(o.Field, a.Get(o.Field.key()))
		kb := sortKeyOf(o.Field, b.Get(o.Field.key()))
		switch {
		case ka.null && kb.null:
			continue
		case ka.null:
			return !o.NullsLast
		case kb.null:
			return o.NullsLast
		}
		c := ka.compare(kb)
		if c == 0 {
			continue
		}
		if o.Desc {
			return c > 0
		}
		return c < 0
	}
	return false
}

// sortKind says which member of a sortKey holds its value.
type sortKind uint8

const (
	sortText   sortKind = iota // case-insensitive
	sortExact                  // byte order: ids, dates, datetimes
	sortNumber                 // n
	sortBool                   // b
)

// sortKey is a value read as its field's type, without boxing.
type sortKey struct {
	kind sortKind
	null bool
	s    string
	n    float64
	b    bool
}

func (k sortKey) compare(o sortKey) int {
	if k.kind != o.kind { // mixed kinds on an unresolved query
		return int(k.kind) - int(o.kind)
	}
	switch k.kind {
	case sortNumber:
		switch {
		case k.n < o.n:
			return -1
		case k.n > o.n:
			return 1
		}
		return 0
	case sortBool:
		switch {
		case k.b == o.b:
			return 0
		case !k.b:
			return -1
		}
		return 1
	case sortExact:
		return compareStrings(k.s, o.s)
	}
	return compareFold(k.s, o.s)
}

// sortKeyOf reads v as f's type; unreadable values are null.
func sortKeyOf(f FieldRef, v any) sortKey {
	switch classOf(f.Type) {
	case classNumber:
		n, ok, err := numberOf(f.Path, v)
		return sortKey{kind: sortNumber, n: n, null: !ok || err != nil}
	case classBoolean:
		b, ok, err := boolOf(f.Path, v)
		return sortKey{kind: sortBool, b: b, null: !ok || err != nil}
	case classDate:
		d, ok, err := dateOf(f.Path, v)
		return sortKey{kind: sortExact, s: d, null: !ok || err != nil}
	case classDateTime:
		d, ok, err := dateTimeOf(f.Path, v)
		return sortKey{kind: sortExact, s: d, null: !ok || err != nil}
	case classID:
		s, ok := textOf(v)
		return sortKey{kind: sortExact, s: s, null: !ok}
	case classUnknown:
		switch x := v.(type) {
		case float64:
			return sortKey{kind: sortNumber, n: x}
		case int:
			return sortKey{kind: sortNumber, n: float64(x)}
		case int64:
			return sortKey{kind: sortNumber, n: float64(x)}
		case bool:
			return sortKey{kind: sortBool, b: x}
		}
	}
	s, ok := textOf(v)
	return sortKey{kind: sortText, s: s, null: !ok}
}
