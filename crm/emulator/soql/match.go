package soql

import (
	"crmsheets/internal/soqlstr"
	"fmt"
	"time"
)

// Match reports whether r satisfies q's WHERE clause (true when there is
// none). Relative date literals (TODAY, LAST_N_DAYS:n, ...) are ranges of
// UTC days around now; a datetime field compared with one is compared with
// the range's UTC bounds.
//
// On a resolved query values compare by field type: text, picklists and
// emails case-insensitively; ids case-sensitively with 15- and 18-character
// forms equal; multipicklists as sets. On an unresolved query the type is
// inferred from the literal. As in Salesforce, != and NOT IN and EXCLUDES
// are true for a null field, and ordering comparisons with null are false.
//
// The error is a *ValueError when a record value cannot be read as its
// field's type. Match does not modify q and is safe for concurrent use.
func (q *Query) Match(r Record, now time.Time) (bool, error) {
	if q.Where == nil {
		return true, nil
	}
	ok, err := (&evaluator{where: q.Where, dates: q.dates, now: now}).eval(q.Where, r)
	if err != nil {
		return false, fmt.Errorf("match %s: %w", q.Object, err)
	}
	return ok, nil
}

// evaluator evaluates one query's condition at one instant.
type evaluator struct {
	where Expr
	dates *dateCache
	now   time.Time
	// literalByLiteral makes IN and NOT IN compare with each literal instead
	// of looking the value up in the resolved key set; tests set it to check
	// that both give the same answers.
	literalByLiteral bool
}

func (ev *evaluator) eval(e Expr, r Record) (bool, error) {
	switch e := e.(type) {
	case *Logical:
		want := e.Op == Or // OR stops at the first true, AND at the first false
		for _, t := range e.Terms {
			ok, err := ev.eval(t, r)
			if err != nil {
				return false, err
			}
			if ok == want {
				return want, nil
			}
		}
		return !want, nil
	case *Not:
		ok, err := ev.eval(e.X, r)
		return !ok, err
	case *Comparison:
		return ev.compare(e.Field, e.Op, e.Value, e.like, r.Get(e.Field.key()))
	case *SetTest:
		return ev.setTest(e, r.Get(e.Field.key()))
	}
	return false, fmt.Errorf("unknown expression %T", e)
}

func (ev *evaluator) setTest(e *SetTest, v any) (bool, error) {
	switch e.Op {
	case In, NotIn:
		if e.set != nil && !ev.literalByLiteral {
			if found, decided := e.set.contains(v); decided {
				return found == (e.Op == In), nil
			}
		}
		found := false
		for _, lit := range e.Values {
			ok, err := ev.compare(e.Field, Eq, lit, nil, v)
			if err != nil {
				return false, err
			}
			if ok {
				found = true
				break
			}
		}
		return found == (e.Op == In), nil
	default: // Includes, Excludes
		s, notNull := textOf(v)
		found := false
		if notNull {
			for _, lit := range e.Values {
				if multiContainsAll(s, lit.Str) {
					found = true
					break
				}
			}
		}
		return found == (e.Op == Includes), nil
	}
}

// inferClass picks a comparison class for an unresolved field from the
// literal and the value.
func inferClass(lit Literal, v any) valueClass {
	switch lit.Kind {
	case NumberLit:
		return classNumber
	case BoolLit:
		return classBoolean
	case DateLit:
		return classDate
	case DateTimeLit:
		return classDateTime
	case RelativeDateLit:
		if s, ok := v.(string); ok && len(s) == 10 {
			return classDate
		}
		return classDateTime
	}
	return classText
}

// outcome turns a three-way comparison into the operator's answer.
func outcome(op CompareOp, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Ne:
		return c != 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	}
	return false
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare evaluates "field op lit" for the value v.
func (ev *evaluator) compare(f FieldRef, op CompareOp, lit Literal, like *likePattern, v any) (bool, error) {
	class := classOf(f.Type)
	if class == classUnknown {
		class = inferClass(lit, v)
	}
	var (
		c       int  // value compared with literal
		notNull bool // the value is not null
		err     error
	)
	if lit.Kind == RelativeDateLit && (class == classDate || class == classDateTime) {
		return ev.compareRange(f, op, lit, v, class)
	}
	switch class {
	case classNumber:
		var n float64
		n, notNull, err = numberOf(f.Path, v)
		switch {
		case n < lit.Num:
			c = -1
		case n > lit.Num:
			c = 1
		}
	case classBoolean:
		var b bool
		b, notNull, err = boolOf(f.Path, v)
		if b != lit.Bool {
			c = 1
			if !b {
				c = -1
			}
		}
	case classDate:
		var d string
		d, notNull, err = dateOf(f.Path, v)
		c = compareStrings(d, lit.Date)
	case classDateTime:
		var d string
		d, notNull, err = dateTimeOf(f.Path, v)
		c = compareStrings(d, lit.Date)
	default:
		var s string
		s, notNull = textOf(v)
		if notNull && lit.Kind != NullLit {
			switch {
			case op == Like:
				if like == nil { // a hand-built Comparison
					like = compileLike(quoteForLike(lit))
				}
				return like.match(s), nil
			case class == classID && (op == Eq || op == Ne):
				return idEqual(s, lit.Str) == (op == Eq), nil
			case class == classMultiPicklist && (op == Eq || op == Ne):
				return multiEqual(s, lit.Str) == (op == Eq), nil
			case class == classID:
				c = compareStrings(s, lit.Str)
			default:
				c = compareFold(s, lit.Str)
			}
		}
	}
	if err != nil {
		return false, err
	}
	if lit.Kind == NullLit || !notNull {
		bothNull := lit.Kind == NullLit && !notNull
		switch op {
		case Eq:
			return bothNull, nil
		case Ne:
			return !bothNull, nil
		}
		return false, nil
	}
	return outcome(op, c), nil
}

// compareRange evaluates a date or datetime field against a relative date
// literal: = is within [from, to), < before from, > at or after to.
func (ev *evaluator) compareRange(f FieldRef, op CompareOp, lit Literal, v any, class valueClass) (bool, error) {
	b := ev.dates.boundsFor(ev.where, lit.Text, lit.N, ev.now)
	var (
		s, from, to string
		notNull     bool
		err         error
	)
	if class == classDate {
		s, notNull, err = dateOf(f.Path, v)
		from, to = b.dateFrom, b.dateTo
	} else {
		s, notNull, err = dateTimeOf(f.Path, v)
		from, to = b.dateTimeFrom, b.dateTimeTo
	}
	if err != nil {
		return false, err
	}
	if !notNull {
		return op == Ne, nil
	}
	in := s >= from && s < to
	switch op {
	case Eq:
		return in, nil
	case Ne:
		return !in, nil
	case Lt:
		return s < from, nil
	case Le:
		return s < to, nil
	case Gt:
		return s >= to, nil
	case Ge:
		return s >= from, nil
	}
	return false, nil
}

// quoteForLike returns the quoted pattern of a LIKE literal: its source text
// when parsed, else its value quoted.
func quoteForLike(lit Literal) string {
	if n := len(lit.Text); n >= 2 && lit.Text[0] == '\'' && lit.Text[n-1] == '\'' {
		return lit.Text
	}
	return soqlstr.Quote(lit.Str)
}
