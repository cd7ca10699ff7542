package soql

import (
	"slices"
	"strings"
)

// SortRecords sorts recs in place by q's ORDER BY, stably, with the same
// order as Less. It reads every sort key once per record (Less reads them on
// every comparison), so it is the one to use on large result sets: the
// emulator sorting 100k records calls Get 100k times per key instead of
// millions of times. With no ORDER BY it leaves recs unchanged.
func SortRecords[R Record](q *Query, recs []R) {
	if len(q.OrderBy) == 0 || len(recs) < 2 {
		return
	}
	type keyed struct {
		rec  R
		keys []sortKey
		pos  int // original position: ties keep it, making the sort stable
	}
	width := len(q.OrderBy)
	all := make([]sortKey, len(recs)*width)
	items := make([]keyed, len(recs))
	for i, r := range recs {
		keys := all[i*width : (i+1)*width : (i+1)*width]
		for j, o := range q.OrderBy {
			k := sortKeyOf(o.Field, r.Get(o.Field.key()))
			if k.kind == sortText && !k.null {
				// Lower-case once; byte order of lower-cased UTF-8 is
				// compareFold's order.
				k.kind, k.s = sortExact, strings.ToLower(k.s)
			}
			keys[j] = k
		}
		items[i] = keyed{r, keys, i}
	}
	slices.SortFunc(items, func(a, b keyed) int {
		for j, o := range q.OrderBy {
			ka, kb := a.keys[j], b.keys[j]
			switch {
			case ka.null && kb.null:
				continue
			case ka.null:
				if o.NullsLast {
					return 1
				}
				return -1
			case kb.null:
				if o.NullsLast {
					return -1
				}
				return 1
			}
			c := ka.compare(kb)
			if c == 0 {
				continue
			}
			if o.Desc {
				return -c
			}
			return c
		}
		return a.pos - b.pos
	})
	for i := range items {
		recs[i] = items[i].rec
	}
}
