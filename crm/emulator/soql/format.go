package soql

import (
	"crmsheets/internal/soqlstr"
	"strconv"
	"strings"
)

// String returns q in canonical SOQL: upper-case keywords, single spaces,
// literals as written, nested conditions parenthesised, and NULLS FIRST/LAST
// only where it differs from the default. Parse(q.String()) yields the same
// query (positions aside).
func (q *Query) String() string { return q.format(q.Object) }

// format writes q with object as its FROM: a resolved subquery names its
// relationship there, not the child object it resolved to.
func (q *Query) format(object string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if q.Count {
		b.WriteString("COUNT()")
	}
	for i, f := range q.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if f.Sub != nil {
			b.WriteString("(" + f.Sub.format(f.Path) + ")")
			continue
		}
		b.WriteString(f.key())
		if f.Alias != "" {
			b.WriteString(" " + f.Alias)
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(object)
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
	}
	for i, g := range q.GroupBy {
		if i == 0 {
			b.WriteString(" GROUP BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(g.Path)
	}
	if q.Having != nil {
		b.WriteString(" HAVING ")
		b.WriteString(q.Having.String())
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.Field.key())
		if o.Desc {
			b.WriteString(" DESC")
		}
		if o.NullsLast != o.Desc {
			if o.NullsLast {
				b.WriteString(" NULLS LAST")
			} else {
				b.WriteString(" NULLS FIRST")
			}
		}
	}
	if q.Limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	if q.Offset >= 0 {
		b.WriteString(" OFFSET ")
		b.WriteString(strconv.Itoa(q.Offset))
	}
	return b.String()
}

// String returns the terms joined by the operator; nested Logical terms are
// parenthesised.
func (e *Logical) String() string {
	parts := make([]string, len(e.Terms))
	for i, t := range e.Terms {
		parts[i] = operand(t)
	}
	return strings.Join(parts, " "+e.Op.String()+" ")
}

// String returns "NOT " and the operand, parenthesised when it is a Logical.
func (e *Not) String() string { return "NOT " + operand(e.X) }

func operand(e Expr) string {
	if _, ok := e.(*Logical); ok {
		return "(" + e.String() + ")"
	}
	return e.String()
}

// String returns "field op value".
func (e *Comparison) String() string {
	return e.Field.key() + " " + e.Op.String() + " " + e.Value.String()
}

// String returns "field op (v1, v2)".
func (e *SetTest) String() string {
	parts := make([]string, len(e.Values))
	for i, v := range e.Values {
		parts[i] = v.String()
	}
	return e.Field.key() + " " + e.Op.String() + " (" + strings.Join(parts, ", ") + ")"
}

// String returns the literal in SOQL. Parsed literals print as written;
// hand-built ones (empty Text) print from their value.
func (l Literal) String() string {
	if l.Kind == RelativeDateLit {
		if relativeDates[l.Text].takesN {
			return l.Text + ":" + strconv.Itoa(l.N)
		}
		return l.Text
	}
	if l.Text != "" {
		return l.Text
	}
	switch l.Kind {
	case StringLit:
		return soqlstr.Quote(l.Str)
	case NumberLit:
		return strconv.FormatFloat(l.Num, 'f', -1, 64)
	case BoolLit:
		return strconv.FormatBool(l.Bool)
	case DateLit, DateTimeLit:
		return l.Date
	}
	return "null"
}
