package soql

import (
	"crmsheets/internal/soqlstr"
	"strconv"
	"strings"
)

// maxNesting bounds parenthesis and NOT nesting so that hostile input cannot
// exhaust the stack.
const maxNesting = 100

// Parse parses a SOQL SELECT statement. It checks syntax only: names are not
// looked up (see Query.Resolve). Errors are *Error with code
// MALFORMED_QUERY, framed as Salesforce frames them.
func Parse(q string) (*Query, error) {
	p := &parser{lex: lexer{src: q}, src: q, lines: newLineIndex(q)}
	query, err := p.parseQuery()
	if err != nil {
		return nil, err
	}
	return query, nil
}

// parser is a recursive-descent parser over one token of lookahead.
type parser struct {
	lex   lexer
	src   string
	tok   token
	depth int
	lines *lineIndex
	// countOff is where COUNT() of the select list starts.
	countOff int
}

// bailout carries a parse error up the recursion; parseQuery recovers it.
type bailout struct{ err *Error }

func (p *parser) fail(off int, reason string) {
	panic(bailout{newError(CodeMalformedQuery, p.src, p.lines.pos(off), reason)})
}

// unexpected fails on the current token.
func (p *parser) unexpected() {
	if p.tok.kind == tokEOF {
		p.fail(p.tok.off, "unexpected token: <EOF>")
	}
	p.fail(p.tok.off, "unexpected token: '"+p.tok.text+"'")
}

func (p *parser) advance() {
	t, err := p.lex.next()
	if err != nil {
		p.fail(err.off, err.reason)
	}
	p.tok = t
}

// expectKeyword consumes the keyword kw or fails.
func (p *parser) expectKeyword(kw string) {
	if !p.tok.is(kw) {
		p.unexpected()
	}
	p.advance()
}

func (p *parser) expect(kind tokenKind) token {
	if p.tok.kind != kind {
		p.unexpected()
	}
	t := p.tok
	p.advance()
	return t
}

func (p *parser) pos() Pos { return p.lines.pos(p.tok.off) }

func (p *parser) parseQuery() (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	q = &Query{Limit: -1, Offset: -1, source: p.src, dates: &dateCache{}}
	p.advance()
	p.expectKeyword("SELECT")
	aliases := p.parseSelectList(q, false)
	p.expectKeyword("FROM")
	if p.tok.kind != tokIdent || isReserved(p.tok.text) || strings.Contains(p.tok.text, ".") {
		p.unexpected()
	}
	q.Object, q.ObjectPos = p.tok.text, p.pos()
	p.advance()
	p.refuseUnsupported("USING", "USING SCOPE is not supported by the demo org")
	if p.tok.is("WHERE") {
		p.advance()
		q.Where = p.parseCondition(false)
	}
	p.refuseUnsupported("WITH", "WITH clauses are not supported by the demo org")
	if p.tok.is("GROUP") {
		p.advance()
		p.expectKeyword("BY")
		if p.tok.is("ROLLUP") || p.tok.is("CUBE") {
			p.fail(p.tok.off, "GROUP BY "+strings.ToUpper(p.tok.text)+" is not supported by the demo org")
		}
		q.GroupBy = p.parseFieldList()
	}
	if p.tok.is("HAVING") {
		if len(q.GroupBy) == 0 {
			// Wording is the demo org's: Salesforce refuses HAVING without
			// GROUP BY, in words not captured here.
			p.fail(p.tok.off, "HAVING requires a GROUP BY clause")
		}
		p.advance()
		q.Having = p.parseCondition(true)
	}
	if q.Count && len(q.GroupBy) > 0 {
		// Salesforce's documentation: with GROUP BY, use COUNT(fieldName)
		// instead of COUNT(). The wording is the demo org's.
		p.fail(p.countOff, "COUNT() cannot be used with GROUP BY; use COUNT(fieldName)")
	}
	if !q.IsAggregate() && len(aliases) > 0 {
		p.fail(aliases[0], "Only aggregate expressions use field aliasing")
	}
	if p.tok.is("ORDER") {
		p.advance()
		p.expectKeyword("BY")
		q.OrderBy = p.parseOrderBy(q.IsAggregate())
	}
	if p.tok.is("LIMIT") {
		p.advance()
		q.Limit = p.parseCount("LIMIT")
	}
	if p.tok.is("OFFSET") {
		p.advance()
		q.Offset = p.parseCount("OFFSET")
	}
	p.refuseUnsupported("FOR", "FOR VIEW, FOR REFERENCE and FOR UPDATE are not supported by the demo org")
	p.refuseUnsupported("UPDATE", "UPDATE TRACKING and UPDATE VIEWSTAT are not supported by the demo org")
	p.refuseUnsupported("ALL", "ALL ROWS is not supported by the REST API; use queryAll")
	if p.tok.kind != tokEOF {
		p.unexpected()
	}
	return q, nil
}

// refuseUnsupported fails with reason when the current token is kw.
func (p *parser) refuseUnsupported(kw, reason string) {
	if p.tok.is(kw) {
		p.fail(p.tok.off, reason)
	}
}

// aggregateFuncs are the aggregate functions of SOQL, by upper-case name.
var aggregateFuncs = map[string]bool{
	"COUNT": true, "COUNT_DISTINCT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true,
}

// parseSelectList parses the select list into q.Fields (or q.Count) and
// returns the offsets of the aliases written. nested is set inside a
// parent-to-child subquery, which may not nest another.
func (p *parser) parseSelectList(q *Query, nested bool) (aliases []int) {
	for {
		switch {
		case p.tok.kind == tokLParen:
			if nested {
				p.fail(p.tok.off, "subqueries inside subqueries are not supported by the demo org")
			}
			q.Fields = append(q.Fields, p.parseSubquery())
		case p.tok.is("TYPEOF"):
			p.fail(p.tok.off, "TYPEOF is not supported by the demo org")
		case p.tok.kind != tokIdent || isReserved(p.tok.text):
			p.unexpected()
		default:
			name, off := p.tok.text, p.tok.off
			p.advance()
			var f FieldRef
			if p.tok.kind == tokLParen {
				fn := strings.ToUpper(name)
				if !aggregateFuncs[fn] {
					p.fail(off, "function "+name+"() is not supported by the demo org")
				}
				p.advance()
				if p.tok.kind == tokRParen {
					if fn != "COUNT" {
						p.unexpected()
					}
					p.advance()
					if nested || len(q.Fields) > 0 || p.tok.kind == tokComma {
						p.fail(off, "COUNT() must be the only item of the select list")
					}
					q.Count = true
					p.countOff = off
					return aliases
				}
				if p.tok.kind != tokIdent || isReserved(p.tok.text) {
					p.unexpected()
				}
				f = FieldRef{Path: p.tok.text, Func: fn, Pos: p.pos()}
				p.advance()
				p.expect(tokRParen)
				if nested {
					p.fail(off, "aggregate functions are not supported in subqueries by the demo org")
				}
			} else {
				f = FieldRef{Path: name, Pos: p.lines.pos(off)}
			}
			if p.tok.kind == tokIdent && !isReserved(p.tok.text) && (f.Func != "" || p.aliasFollows()) {
				aliases = append(aliases, p.tok.off)
				f.Alias = p.tok.text
				p.advance()
			}
			q.Fields = append(q.Fields, f)
		}
		if p.tok.kind != tokComma {
			return aliases
		}
		p.advance()
	}
}

// aliasFollows reports whether the current identifier, after a plain
// field, reads as an alias: only when a comma or FROM comes next, so that
// "SELECT Id FORM Account" fails on FORM as Salesforce's parser does.
func (p *parser) aliasFollows() bool {
	peek := p.lex
	t, err := peek.next()
	return err == nil && (t.kind == tokComma || t.is("FROM"))
}

// parseSubquery parses a parent-to-child relationship query in a select
// list: "(SELECT fields FROM Relationship [WHERE] [ORDER BY] [LIMIT])".
func (p *parser) parseSubquery() FieldRef {
	p.advance()
	p.expectKeyword("SELECT")
	sub := &Query{Limit: -1, Offset: -1, source: p.src, dates: &dateCache{}}
	if aliases := p.parseSelectList(sub, true); len(aliases) > 0 {
		p.fail(aliases[0], "Only aggregate expressions use field aliasing")
	}
	p.expectKeyword("FROM")
	if p.tok.kind != tokIdent || isReserved(p.tok.text) || strings.Contains(p.tok.text, ".") {
		p.unexpected()
	}
	sub.Object, sub.ObjectPos = p.tok.text, p.pos()
	p.advance()
	if p.tok.is("WHERE") {
		p.advance()
		sub.Where = p.parseCondition(false)
	}
	if p.tok.is("ORDER") {
		p.advance()
		p.expectKeyword("BY")
		sub.OrderBy = p.parseOrderBy(false)
	}
	if p.tok.is("LIMIT") {
		p.advance()
		sub.Limit = p.parseCount("LIMIT")
	}
	p.expect(tokRParen)
	return FieldRef{Path: sub.Object, Pos: sub.ObjectPos, Sub: sub}
}

// parseFieldList parses "field, field, ..." (GROUP BY).
func (p *parser) parseFieldList() []FieldRef {
	var out []FieldRef
	for {
		if p.tok.kind != tokIdent || isReserved(p.tok.text) {
			p.unexpected()
		}
		out = append(out, FieldRef{Path: p.tok.text, Pos: p.pos()})
		off := p.tok.off
		p.advance()
		if p.tok.kind == tokLParen {
			p.fail(off, "functions in GROUP BY are not supported by the demo org")
		}
		if p.tok.kind != tokComma {
			return out
		}
		p.advance()
	}
}

// parseAggregateRef parses "FUNC(field)" after the function name (at off)
// has been read, for HAVING and ORDER BY.
func (p *parser) parseAggregateRef(name string, off int) FieldRef {
	fn := strings.ToUpper(name)
	if !aggregateFuncs[fn] {
		p.fail(off, "function "+name+"() is not supported by the demo org")
	}
	p.advance()
	if p.tok.kind != tokIdent || isReserved(p.tok.text) {
		p.unexpected()
	}
	f := FieldRef{Path: p.tok.text, Func: fn, Pos: p.pos()}
	p.advance()
	p.expect(tokRParen)
	return f
}

// parseCondition parses a WHERE or HAVING condition: terms joined by AND
// or by OR. Mixing the two without parentheses is an error, as in SOQL.
// having admits aggregate functions on the left of a comparison.
func (p *parser) parseCondition(having bool) Expr {
	first := p.parseTerm(having)
	var op LogicalOp
	switch {
	case p.tok.is("AND"):
		op = And
	case p.tok.is("OR"):
		op = Or
	default:
		return first
	}
	terms := []Expr{first}
	for {
		switch {
		case p.tok.is(op.String()):
			p.advance()
			terms = append(terms, p.parseTerm(having))
		case p.tok.is("AND") || p.tok.is("OR"):
			p.unexpected()
		default:
			return &Logical{Op: op, Terms: terms}
		}
	}
}

// parseTerm parses NOT term, ( condition ) or a field expression.
func (p *parser) parseTerm(having bool) Expr {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		p.fail(p.tok.off, "condition nested too deeply")
	}
	switch {
	case p.tok.is("NOT"):
		p.advance()
		return &Not{X: p.parseTerm(having)}
	case p.tok.kind == tokLParen:
		p.advance()
		e := p.parseCondition(having)
		p.expect(tokRParen)
		return e
	}
	return p.parseFieldExpr(having)
}

// parseFieldExpr parses "field op value" and the set forms.
func (p *parser) parseFieldExpr(having bool) Expr {
	if p.tok.kind != tokIdent || isReserved(p.tok.text) {
		p.unexpected()
	}
	field := FieldRef{Path: p.tok.text, Pos: p.pos()}
	off := p.tok.off
	p.advance()
	if p.tok.kind == tokLParen {
		if !having || !aggregateFuncs[strings.ToUpper(field.Path)] {
			if aggregateFuncs[strings.ToUpper(field.Path)] {
				// Salesforce refuses aggregates in WHERE too; the wording
				// is the demo org's.
				p.fail(off, "aggregate functions are not allowed in WHERE; filter groups with HAVING")
			}
			p.fail(off, "function "+field.Path+"() is not supported by the demo org")
		}
		field = p.parseAggregateRef(field.Path, off)
	}
	switch {
	case p.tok.kind == tokOp:
		op := compareOps[p.tok.text]
		p.advance()
		return &Comparison{Field: field, Op: op, Value: p.parseValue()}
	case p.tok.is("LIKE"):
		p.advance()
		if p.tok.kind != tokString {
			p.unexpected()
		}
		v := p.parseValue()
		return &Comparison{Field: field, Op: Like, Value: v, like: compileLike(v.Text)}
	case p.tok.is("IN"):
		p.advance()
		return &SetTest{Field: field, Op: In, Values: p.parseValueList(false)}
	case p.tok.is("NOT"):
		p.advance()
		p.expectKeyword("IN")
		return &SetTest{Field: field, Op: NotIn, Values: p.parseValueList(false)}
	case p.tok.is("INCLUDES"):
		p.advance()
		return &SetTest{Field: field, Op: Includes, Values: p.parseValueList(true)}
	case p.tok.is("EXCLUDES"):
		p.advance()
		return &SetTest{Field: field, Op: Excludes, Values: p.parseValueList(true)}
	}
	p.unexpected()
	return nil
}

// parseValueList parses "( value, ... )"; stringsOnly is for INCLUDES and
// EXCLUDES, whose values are always quoted.
func (p *parser) parseValueList(stringsOnly bool) []Literal {
	if p.tok.kind == tokColon {
		p.fail(p.tok.off, "Bind variables only allowed in Apex code")
	}
	p.expect(tokLParen)
	if p.tok.is("SELECT") {
		p.fail(p.tok.off, "semi-join subqueries are not supported by the demo org")
	}
	var vals []Literal
	for {
		if stringsOnly && p.tok.kind != tokString {
			p.unexpected()
		}
		vals = append(vals, p.parseValue())
		if p.tok.kind == tokRParen {
			p.advance()
			return vals
		}
		p.expect(tokComma)
	}
}

// parseValue parses a literal.
func (p *parser) parseValue() Literal {
	t := p.tok
	lit := Literal{Text: t.text, Pos: p.pos()}
	switch t.kind {
	case tokString:
		lit.Kind, lit.Str = StringLit, soqlstr.Unquote(t.text)
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.fail(t.off, "invalid number: "+t.text)
		}
		lit.Kind, lit.Num = NumberLit, f
	case tokDate:
		d, ok := canonicalDate(t.text)
		if !ok {
			p.fail(t.off, "invalid date: "+t.text)
		}
		lit.Kind, lit.Date = DateLit, d
	case tokDateTime:
		d, ok := canonicalDateTime(t.text)
		if !ok {
			p.fail(t.off, "invalid datetime: "+t.text)
		}
		lit.Kind, lit.Date = DateTimeLit, d
	case tokColon:
		p.fail(t.off, "Bind variables only allowed in Apex code")
	case tokIdent:
		switch {
		case t.is("NULL"):
			lit.Kind, lit.Text = NullLit, "null"
		case t.is("TRUE"):
			lit.Kind, lit.Text, lit.Bool = BoolLit, "true", true
		case t.is("FALSE"):
			lit.Kind, lit.Text = BoolLit, "false"
		default:
			p.parseRelativeDate(&lit)
			return lit
		}
	default:
		p.unexpected()
	}
	p.advance()
	return lit
}

// parseRelativeDate parses TODAY, LAST_N_DAYS:n and the like into lit.
func (p *parser) parseRelativeDate(lit *Literal) {
	t := p.tok
	name := strings.ToUpper(t.text)
	spec, ok := relativeDates[name]
	if !ok {
		p.unexpected()
	}
	lit.Kind, lit.Text = RelativeDateLit, name
	p.advance()
	if !spec.takesN {
		return
	}
	if p.tok.kind != tokColon {
		p.fail(t.off, "date literal "+name+" requires a number: "+name+":n")
	}
	p.advance()
	if p.tok.kind != tokNumber {
		p.unexpected()
	}
	n, err := strconv.Atoi(p.tok.text)
	if err != nil || n < 0 || strings.HasPrefix(p.tok.text, "+") {
		p.fail(p.tok.off, "invalid number for "+name+": "+p.tok.text)
	}
	lit.N = n
	p.advance()
}

// parseOrderBy parses the ORDER BY keys; aggregate admits aggregate
// functions as keys.
func (p *parser) parseOrderBy(aggregate bool) []OrderItem {
	var items []OrderItem
	for {
		if p.tok.kind != tokIdent || isReserved(p.tok.text) {
			p.unexpected()
		}
		item := OrderItem{Field: FieldRef{Path: p.tok.text, Pos: p.pos()}}
		off := p.tok.off
		p.advance()
		if p.tok.kind == tokLParen {
			if !aggregate || !aggregateFuncs[strings.ToUpper(item.Field.Path)] {
				p.fail(off, "functions in ORDER BY are not supported by the demo org")
			}
			item.Field = p.parseAggregateRef(item.Field.Path, off)
		}
		switch {
		case p.tok.is("ASC"):
			p.advance()
		case p.tok.is("DESC"):
			item.Desc = true
			p.advance()
		}
		item.NullsLast = item.Desc
		if p.tok.is("NULLS") {
			p.advance()
			switch {
			case p.tok.is("FIRST"):
				item.NullsLast = false
			case p.tok.is("LAST"):
				item.NullsLast = true
			default:
				p.unexpected()
			}
			p.advance()
		}
		items = append(items, item)
		if p.tok.kind != tokComma {
			return items
		}
		p.advance()
	}
}

// parseCount parses the non-negative integer after LIMIT or OFFSET.
func (p *parser) parseCount(clause string) int {
	if p.tok.kind == tokColon {
		p.fail(p.tok.off, "Bind variables only allowed in Apex code")
	}
	if p.tok.kind != tokNumber {
		p.unexpected()
	}
	n, err := strconv.Atoi(p.tok.text)
	if err != nil || n < 0 || strings.HasPrefix(p.tok.text, "+") {
		p.fail(p.tok.off, clause+" must be a non-negative integer, found: "+p.tok.text)
	}
	p.advance()
	return n
}

// reserved are the words that cannot name a field or object; the parser
// uses them to stop lists and detect misplaced clauses.
var reserved = map[string]bool{
	"AND": true, "ASC": true, "DESC": true, "EXCLUDES": true, "FIRST": true, "FROM": true,
	"GROUP": true, "HAVING": true, "IN": true, "INCLUDES": true, "LAST": true, "LIKE": true,
	"LIMIT": true, "NOT": true, "NULL": true, "NULLS": true, "OR": true, "SELECT": true,
	"WHERE": true, "WITH": true, "ORDER": true, "OFFSET": true, "TRUE": true, "FALSE": true,
	"USING": true, "FOR": true, "TYPEOF": true, "BY": true,
}

// isReserved reports whether word is reserved, case-insensitively and
// without allocating.
func isReserved(word string) bool {
	var buf [8]byte
	if len(word) > len(buf) {
		return false
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return reserved[string(buf[:len(word)])]
}

// compareOps maps operator tokens to comparison operators.
var compareOps = map[string]CompareOp{"=": Eq, "!=": Ne, "<>": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}
