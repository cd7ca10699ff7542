package soql

import "strings"

// Plan is a way to find, through equality lookups, a superset of the records
// a resolved query's WHERE clause can match, so that a caller with indexes
// evaluates Match on those candidates instead of on every record. Exactly
// one of its members is set. A Plan never decides a match by itself: the
// caller must still call Match on every candidate, so a Plan only has to be
// a superset and the results cannot depend on it.
type Plan struct {
	// Lookup is a leaf: the records whose value of a field equals one of a
	// list of keys.
	Lookup *Lookup
	// AnyOf comes from an AND: every term's candidates are a superset of
	// the matches, so the caller may answer whichever is cheapest.
	AnyOf []*Plan
	// Union comes from an OR: the candidates are the union of every term's.
	Union []*Plan
}

// Lookup is an equality test an index can answer: a record can match only
// if its value of Field, keyed by EqualityKey(Field.Type, value), is one of
// Keys, or is null when Null is set. Keys are distinct; a Lookup with no
// keys and no Null matches nothing (the empty string: an empty value is
// null).
type Lookup struct {
	Field FieldRef
	Keys  []string
	Null  bool
}

// IsID reports whether the lookup is on the record id field, which a caller
// usually has a direct index for. Its keys are 15-character ids.
func (l *Lookup) IsID() bool {
	return strings.EqualFold(l.Field.Path, "Id") && classOf(l.Field.Type) == classID
}

// Plan returns an access plan for q's WHERE clause, or nil when there is no
// WHERE clause, q is not resolved, or no part of the condition narrows the
// records through lookups the caller can answer. indexable says which
// fields the caller can look values up by (typically the queried object's
// own fields, not paths through relationships).
//
// The plannable conditions are "field = literal" and "field IN (...)" with
// literals that have keys (not relative date ranges); an AND is plannable
// when one of its terms is, an OR when all of its terms are. NOT, !=, NOT
// IN, LIKE, ordering comparisons, INCLUDES and EXCLUDES are not.
func (q *Query) Plan(indexable func(FieldRef) bool) *Plan {
	if q.Where == nil || !q.resolved {
		return nil
	}
	return planExpr(q.Where, indexable)
}

func planExpr(e Expr, indexable func(FieldRef) bool) *Plan {
	switch e := e.(type) {
	case *Logical:
		var parts []*Plan
		for _, t := range e.Terms {
			p := planExpr(t, indexable)
			switch {
			case p != nil:
				parts = append(parts, p)
			case e.Op == Or:
				return nil // an unplannable term may match anything
			}
		}
		switch {
		case len(parts) == 0:
			return nil
		case len(parts) == 1:
			return parts[0]
		case e.Op == Or:
			return &Plan{Union: parts}
		}
		return &Plan{AnyOf: parts}
	case *Comparison:
		if e.Op != Eq {
			return nil
		}
		return planLookup(e.Field, []Literal{e.Value}, indexable)
	case *SetTest:
		if e.Op != In {
			return nil
		}
		return planLookup(e.Field, e.Values, indexable)
	}
	return nil
}

func planLookup(f FieldRef, values []Literal, indexable func(FieldRef) bool) *Plan {
	class := classOf(f.Type)
	if class == classUnknown || !indexable(f) {
		return nil
	}
	l := &Lookup{Field: f, Keys: make([]string, 0, len(values))}
	seen := make(map[string]bool, len(values))
	for _, lit := range values {
		if lit.Kind == RelativeDateLit {
			return nil
		}
		key, null, ok := literalKey(class, lit)
		switch {
		case null:
			l.Null = true
		case ok && !seen[key]:
			seen[key] = true
			l.Keys = append(l.Keys, key)
		}
	}
	return &Plan{Lookup: l}
}
