package soql

// Expr is a node of a WHERE condition: *Logical, *Not, *Comparison or
// *SetTest. The set is closed; the unexported method keeps other packages
// from adding nodes the evaluator does not know.
type Expr interface {
	// String returns the node in canonical SOQL, parenthesised so that it
	// parses back to the same tree.
	String() string
	isExpr()
}

// LogicalOp is AND or OR.
type LogicalOp int

// The logical operators.
const (
	And LogicalOp = iota + 1
	Or
)

// String returns the SOQL keyword.
func (op LogicalOp) String() string {
	if op == Or {
		return "OR"
	}
	return "AND"
}

// Logical joins two or more terms with one operator. SOQL forbids mixing AND
// and OR without parentheses, so a parenthesised group is a nested Logical.
type Logical struct {
	Op    LogicalOp
	Terms []Expr
}

// Not negates its operand.
type Not struct {
	X Expr
}

// CompareOp is a binary comparison operator.
type CompareOp int

// The comparison operators. Ne is written != (or <> on input).
const (
	Eq CompareOp = iota + 1
	Ne
	Lt
	Le
	Gt
	Ge
	Like
)

var compareOpText = map[CompareOp]string{Eq: "=", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">=", Like: "LIKE"}

// String returns the operator as canonical SOQL writes it.
func (op CompareOp) String() string { return compareOpText[op] }

// Comparison is "field op value".
type Comparison struct {
	Field FieldRef
	Op    CompareOp
	Value Literal
	// like is the compiled LIKE pattern when Op is Like.
	like *likePattern
}

// SetOp is a set operator.
type SetOp int

// The set operators.
const (
	In SetOp = iota + 1
	NotIn
	Includes
	Excludes
)

var setOpText = map[SetOp]string{In: "IN", NotIn: "NOT IN", Includes: "INCLUDES", Excludes: "EXCLUDES"}

// String returns the operator as SOQL writes it.
func (op SetOp) String() string { return setOpText[op] }

// SetTest is "field IN (v1, v2, ...)" and its NOT IN, INCLUDES and EXCLUDES
// variants. Values is never empty.
type SetTest struct {
	Field  FieldRef
	Op     SetOp
	Values []Literal
	// set is the IN / NOT IN list as a hash set, built by Resolve; nil on
	// hand-built or unresolved tests, which compare literal by literal.
	set *keySet
}

func (*Logical) isExpr()    {}
func (*Not) isExpr()        {}
func (*Comparison) isExpr() {}
func (*SetTest) isExpr()    {}

// LiteralKind tells which member of a Literal holds its value.
type LiteralKind int

// The literal kinds.
const (
	NullLit LiteralKind = iota + 1
	BoolLit
	NumberLit
	StringLit
	DateLit     // 2024-01-31
	DateTimeLit // 2024-01-31T10:00:00Z
	RelativeDateLit
)

// Literal is a value in a WHERE condition.
type Literal struct {
	Kind LiteralKind
	// Text is the literal as it appears in canonical SOQL: the quoted string
	// as written (escapes kept, so LIKE's \% and \_ survive), the number or
	// date as written, or the upper-case name of a relative date literal
	// without its ":n".
	Text string
	// Str is the decoded value of a string literal.
	Str string
	// Num is the value of a number literal.
	Num float64
	// Bool is the value of a boolean literal.
	Bool bool
	// Date is a DateLit as "YYYY-MM-DD", or a DateTimeLit converted to UTC as
	// "YYYY-MM-DDThh:mm:ss.sss+0000", the form records carry.
	Date string
	// N is the ":n" argument of a relative date literal such as LAST_N_DAYS:n.
	N int
	// Pos is where the literal appears in the query text.
	Pos Pos
}
