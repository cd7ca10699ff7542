package emulator

import (
	"slices"
	"strings"

	"crmsheets/crm/emulator/soql"
)

// Query planning: a query whose WHERE narrows the records by equality
// ("Id IN (…)", "Email = '…'", "Name IN (…)") reads its candidates from the
// id index or a field index (index.go) instead of evaluating Match on every
// record of the table. Match still runs on every candidate, so the planner
// only chooses which records to look at, never which ones match; and the
// candidates are visited in table order, so results come in the order a
// full scan gives.

// access is a chosen way to answer a soql.Plan: an id-index probe, a field
// index lookup, or the union of several.
type access struct {
	lookup *soql.Lookup
	ix     *fieldIndex // nil for a probe of the id index t.pos
	union  []*access
	cost   int // positions it yields, duplicates included
}

// planCandidates returns the positions in t.recs, ascending and distinct,
// of a superset of the records q can match, or ok false when q is better
// answered by a scan. The caller holds s.mu for reading.
func (t *table) planCandidates(q *soql.Query) (positions []int32, ok bool) {
	p := q.Plan(func(f soql.FieldRef) bool {
		_, own := t.obj.Field(f.Path)
		return own && !strings.Contains(f.Path, ".")
	})
	if p == nil {
		return nil, false
	}
	// Prefer what can be answered with indexes already built; build one
	// only when nothing else narrows the query.
	a := t.choose(p, false)
	if a == nil {
		a = t.choose(p, true)
	}
	if a == nil || a.cost >= len(t.recs) {
		return nil, false
	}
	positions = t.collect(make([]int32, 0, a.cost), a)
	slices.Sort(positions)
	return slices.Compact(positions), true
}

// choose picks the cheapest access for p, building field indexes only when
// build is set; nil when p cannot be answered so.
func (t *table) choose(p *soql.Plan, build bool) *access {
	switch {
	case p.Lookup != nil:
		l := p.Lookup
		if l.IsID() && !l.Null && !t.oddIDs {
			return &access{lookup: l, cost: len(l.Keys)}
		}
		f, ok := t.obj.Field(l.Field.Path)
		if !ok {
			return nil
		}
		ix := t.index(f, build)
		if ix == nil {
			return nil
		}
		return &access{lookup: l, ix: ix, cost: ix.size(l)}
	case p.Union != nil:
		u := &access{}
		for _, part := range p.Union {
			a := t.choose(part, build)
			if a == nil {
				return nil
			}
			u.union = append(u.union, a)
			u.cost += a.cost
		}
		return u
	}
	var best *access
	for _, part := range p.AnyOf {
		if a := t.choose(part, false); a != nil && (best == nil || a.cost < best.cost) {
			best = a
		}
	}
	if best != nil || !build {
		return best
	}
	for _, part := range p.AnyOf {
		if a := t.choose(part, true); a != nil {
			return a
		}
	}
	return nil
}

// collect appends the positions an access yields.
func (t *table) collect(dst []int32, a *access) []int32 {
	switch {
	case a.union != nil:
		for _, part := range a.union {
			dst = t.collect(dst, part)
		}
		return dst
	case a.ix != nil:
		return a.ix.appendLookup(dst, a.lookup)
	}
	for _, id15 := range a.lookup.Keys {
		if len(id15) != 15 {
			continue // no stored id equals a literal of another length
		}
		if i, ok := t.pos[id15+IDChecksum(id15)]; ok {
			dst = append(dst, int32(i))
		}
	}
	return dst
}
