package soql

import (
	"sync/atomic"
	"time"
)

// rangeKey names a relative date literal with its argument.
type rangeKey struct {
	name string
	n    int
}

// rangeBounds are a relative date literal's range [from, to) as strings in
// the form records carry: dates for date fields, datetimes for datetime
// fields. Comparing strings this way needs no parsing per record.
type rangeBounds struct {
	dateFrom, dateTo         string
	dateTimeFrom, dateTimeTo string
}

// dayBounds holds the bounds of every relative date literal of a query for
// one UTC day.
type dayBounds struct {
	day    time.Time
	bounds map[rangeKey]rangeBounds
}

// dateCache keeps the current day's bounds so Match formats them once per
// day rather than once per record. It is safe for concurrent use: a new day
// replaces the whole immutable dayBounds atomically.
type dateCache struct {
	current atomic.Pointer[dayBounds]
}

// boundsFor returns the bounds of name:n at now, computing the day's set on
// the first call of a new day.
func (c *dateCache) boundsFor(where Expr, name string, n int, now time.Time) rangeBounds {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if c == nil {
		return computeBounds(name, n, now)
	}
	if cur := c.current.Load(); cur != nil && cur.day.Equal(day) {
		if b, ok := cur.bounds[rangeKey{name, n}]; ok {
			return b
		}
	}
	next := &dayBounds{day: day, bounds: make(map[rangeKey]rangeBounds)}
	walkLiterals(where, func(l Literal) {
		if l.Kind == RelativeDateLit {
			next.bounds[rangeKey{l.Text, l.N}] = computeBounds(l.Text, l.N, now)
		}
	})
	c.current.Store(next)
	if b, ok := next.bounds[rangeKey{name, n}]; ok {
		return b
	}
	return computeBounds(name, n, now)
}

func computeBounds(name string, n int, now time.Time) rangeBounds {
	rng, _ := rangeOf(name, n, now)
	return rangeBounds{
		dateFrom: rng.From.Format(time.DateOnly), dateTo: rng.To.Format(time.DateOnly),
		dateTimeFrom: formatDateTime(rng.From), dateTimeTo: formatDateTime(rng.To),
	}
}

// walkLiterals calls fn for every literal of e.
func walkLiterals(e Expr, fn func(Literal)) {
	switch e := e.(type) {
	case *Logical:
		for _, t := range e.Terms {
			walkLiterals(t, fn)
		}
	case *Not:
		walkLiterals(e.X, fn)
	case *Comparison:
		fn(e.Value)
	case *SetTest:
		for _, v := range e.Values {
			fn(v)
		}
	}
}
