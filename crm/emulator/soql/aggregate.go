package soql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxAggregateRows is the most rows an aggregate query may return: it has
// no queryMore, so its result must fit one batch of 2,000. Beyond it
// Salesforce answers EXCEEDED_ID_LIMIT "Aggregate query does not support
// queryMore(), use LIMIT to restrict the results to a single batch".
const MaxAggregateRows = 2000

// Columns returns the names of an aggregate query's result columns, in
// select list order, as Salesforce names them in AggregateResult rows: the
// alias when there is one; for an aggregate function without one "expr0",
// "expr1"… numbered over the unaliased functions (the numbering over
// unaliased items only is how aliases and exprN mix in Salesforce's
// examples, not verified beyond them); for a grouped field its last path
// segment ("Account.Name" → "Name").
func (q *Query) Columns() []string {
	out := make([]string, len(q.Fields))
	n := 0
	for i, f := range q.Fields {
		switch {
		case f.Alias != "":
			out[i] = f.Alias
		case f.Func != "":
			out[i] = "expr" + strconv.Itoa(n)
			n++
		default:
			out[i] = f.Path[strings.LastIndexByte(f.Path, '.')+1:]
		}
	}
	return out
}

// DisplayName is how Salesforce's column metadata names an aggregate item
// ("avg(Amount)"), or the path of a plain one.
func (f FieldRef) DisplayName() string {
	if f.Func == "" {
		return f.Path
	}
	return strings.ToLower(f.Func) + "(" + f.Path + ")"
}

// ArgType is the describe type of the field an aggregate function applies
// to (Type is then the type of the result); for a plain field it is Type.
func (f FieldRef) ArgType() string {
	if f.Func == "" {
		return f.Type
	}
	return f.argType
}

// groupRow is one group of an aggregate query, as a Record: Get answers
// the grouped paths and the "FUNC(path)" keys of its aggregates.
type groupRow struct {
	vals map[string]any
}

func (g groupRow) Get(path string) any { return g.vals[path] }

// Aggregate evaluates a resolved aggregate query over recs, the records
// that matched its WHERE clause, and returns one row per group (one row in
// all without GROUP BY), each holding the values of q's select items in
// order: integers for COUNT and COUNT_DISTINCT, numbers for SUM and AVG
// (null over no values), the field's value for MIN, MAX and grouped
// fields. HAVING, ORDER BY, OFFSET and LIMIT are applied; without ORDER BY
// groups come in ascending order of their GROUP BY values. now evaluates
// relative dates in HAVING.
func Aggregate[R Record](q *Query, recs []R, now time.Time) ([][]any, error) {
	if !q.resolved || !q.IsAggregate() {
		return nil, fmt.Errorf("aggregate %s: query is not a resolved aggregate query", q.Object)
	}
	var refs []FieldRef // every aggregate the query reads, once
	seen := map[string]bool{}
	add := func(f *FieldRef) {
		if f.Func != "" && !seen[f.key()] {
			seen[f.key()] = true
			refs = append(refs, *f)
		}
	}
	for i := range q.Fields {
		add(&q.Fields[i])
	}
	if q.Having != nil {
		walkRefs(q.Having, add)
	}
	for i := range q.OrderBy {
		add(&q.OrderBy[i].Field)
	}

	type group struct {
		first R
		recs  []R
	}
	var groups []*group
	byKey := map[string]*group{}
	var kb strings.Builder
	for _, r := range recs {
		kb.Reset()
		for _, g := range q.GroupBy {
			k, kind := EqualityKey(g.Type, r.Get(g.Path))
			kb.WriteString(strconv.Itoa(int(kind)) + ":" + k + "\x00")
		}
		key := kb.String()
		grp, ok := byKey[key]
		if !ok {
			grp = &group{first: r}
			byKey[key] = grp
			groups = append(groups, grp)
		}
		grp.recs = append(grp.recs, r)
	}
	if len(q.GroupBy) == 0 && len(groups) == 0 {
		groups = append(groups, &group{}) // one row, over no records
	}

	rows := make([]groupRow, 0, len(groups))
	for _, grp := range groups {
		row := groupRow{vals: make(map[string]any, len(q.GroupBy)+len(refs))}
		for _, g := range q.GroupBy {
			if len(grp.recs) > 0 {
				row.vals[g.Path] = grp.first.Get(g.Path)
			}
		}
		for _, f := range refs {
			v, err := aggregateOf(f, grp.recs)
			if err != nil {
				return nil, fmt.Errorf("aggregate %s: %w", q.Object, err)
			}
			row.vals[f.key()] = v
		}
		if q.Having != nil {
			ok, err := (&evaluator{where: q.Having, dates: q.dates, now: now}).eval(q.Having, row)
			if err != nil {
				return nil, fmt.Errorf("aggregate %s: %w", q.Object, err)
			}
			if !ok {
				continue
			}
		}
		rows = append(rows, row)
	}
	order := q.OrderBy
	if len(order) == 0 {
		for _, g := range q.GroupBy {
			order = append(order, OrderItem{Field: g})
		}
	}
	SortRecords(&Query{OrderBy: order}, rows)
	if q.Offset > 0 {
		rows = rows[min(q.Offset, len(rows)):]
	}
	if q.Limit >= 0 && q.Limit < len(rows) {
		rows = rows[:q.Limit]
	}
	out := make([][]any, len(rows))
	for i, row := range rows {
		vals := make([]any, len(q.Fields))
		for j, f := range q.Fields {
			vals[j] = row.vals[f.key()]
		}
		out[i] = vals
	}
	return out, nil
}

// aggregateOf computes one aggregate function over a group's records.
func aggregateOf[R Record](f FieldRef, recs []R) (any, error) {
	arg := FieldRef{Path: f.Path, Type: f.argType}
	switch f.Func {
	case "COUNT":
		n := 0
		for _, r := range recs {
			if _, kind := keyOrText(arg, r.Get(f.Path)); kind != KeyNull {
				n++
			}
		}
		return n, nil
	case "COUNT_DISTINCT":
		set := map[string]bool{}
		for _, r := range recs {
			if k, kind := keyOrText(arg, r.Get(f.Path)); kind == KeyValue {
				set[k] = true
			}
		}
		return len(set), nil
	case "SUM", "AVG":
		sum, n := 0.0, 0
		for _, r := range recs {
			x, ok, err := numberOf(f.Path, r.Get(f.Path))
			if err != nil {
				return nil, err
			}
			if ok {
				sum += x
				n++
			}
		}
		if n == 0 {
			return nil, nil
		}
		if f.Func == "AVG" {
			return sum / float64(n), nil
		}
		return sum, nil
	case "MIN", "MAX":
		var best any
		var bestKey sortKey
		found := false
		for _, r := range recs {
			v := r.Get(f.Path)
			k := sortKeyOf(arg, v)
			if k.null {
				continue
			}
			if !found || (f.Func == "MIN" && k.compare(bestKey) < 0) || (f.Func == "MAX" && k.compare(bestKey) > 0) {
				best, bestKey, found = v, k, true
			}
		}
		return best, nil
	}
	return nil, fmt.Errorf("unknown aggregate function %s", f.Func)
}

// keyOrText keys a value for COUNT and COUNT_DISTINCT; values of
// unresolved types count by their text.
func keyOrText(f FieldRef, v any) (string, KeyKind) {
	k, kind := EqualityKey(f.Type, v)
	if kind == KeyUnreadable {
		s, ok := textOf(v)
		if !ok {
			return "", KeyNull
		}
		return s, KeyValue
	}
	return k, kind
}
