package soql

// Query is a parsed SOQL SELECT. Parse fills it; Resolve canonicalises its
// names against a Schema; Match and Less evaluate records against it. A Query
// is not modified by Match or Less, so a resolved Query may be shared by
// goroutines.
type Query struct {
	// Object is the FROM object as written (canonical after Resolve).
	Object string
	// ObjectPos is where Object appears in the query text.
	ObjectPos Pos
	// Fields is the select list in order; empty when Count is set. An item
	// is a field, an aggregate function of a field (Func set) or a
	// parent-to-child subquery (Sub set).
	Fields []FieldRef
	// Count is set for SELECT COUNT() FROM ...
	Count bool
	// Where is the condition, nil when there is no WHERE clause.
	Where Expr
	// GroupBy lists the GROUP BY fields; empty when there is none.
	GroupBy []FieldRef
	// Having is the HAVING condition over groups, nil when there is none;
	// its comparisons may apply aggregate functions (FieldRef.Func).
	Having Expr
	// OrderBy lists the sort keys, most significant first.
	OrderBy []OrderItem
	// Limit is the LIMIT value, -1 when absent.
	Limit int
	// Offset is the OFFSET value, -1 when absent.
	Offset int

	// source is the query text errors echo.
	source string
	// resolved is set by a successful Resolve.
	resolved bool
	// dates caches relative date ranges for Match; nil on hand-built queries.
	dates *dateCache
}

// FieldRef names a field of the queried object, possibly through parent
// relationships: "Name", "Account.Name", "Owner.Name", "Who.Email". Path is
// as written until Resolve replaces it with the schema's canonical spelling;
// callers resolving an unresolved path must compare case-insensitively.
type FieldRef struct {
	Path string
	// Func is the aggregate function applied to the field ("COUNT",
	// "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"), "" for the field itself.
	Func string
	// Alias is the name the select list gives the item ("total" in
	// "SUM(Amount) total"), "" for none.
	Alias string
	// Sub is the parent-to-child subquery "(SELECT … FROM Contacts)" of a
	// select list item; Path is then its relationship name.
	Sub *Query
	// Type is the Salesforce describe type of the field ("string", "date",
	// ...), set by Resolve; empty on an unresolved query. For an aggregate
	// it is the type of the result: "int" for COUNT and COUNT_DISTINCT,
	// "double" for SUM and AVG, the field's for MIN and MAX.
	Type string
	// Pos is where the path appears in the query text.
	Pos Pos

	// argType is the describe type of an aggregate's field, set by Resolve.
	argType string
}

// OrderItem is one ORDER BY key. As in Salesforce, nulls sort first in
// ascending order and last in descending order unless NULLS FIRST or NULLS
// LAST says otherwise; Parse stores the effective placement in NullsLast.
type OrderItem struct {
	Field     FieldRef
	Desc      bool
	NullsLast bool
}

// Path returns the field path the item sorts by.
func (o OrderItem) Path() string { return o.Field.Path }

// Resolved reports whether Resolve succeeded on q, i.e. whether its paths are
// canonical and its field types known.
func (q *Query) Resolved() bool { return q.resolved }

// IsAggregate reports whether q is an aggregate query: it groups (GROUP BY)
// or applies an aggregate function in its select list. Its rows are
// AggregateResult rows computed by Aggregate, not records.
func (q *Query) IsAggregate() bool {
	if len(q.GroupBy) > 0 {
		return true
	}
	for _, f := range q.Fields {
		if f.Func != "" {
			return true
		}
	}
	return false
}

// key is the name Record.Get is asked for the value of f: the path, or for
// an aggregate "FUNC(path)", which only group rows (see Aggregate) answer.
func (f FieldRef) key() string {
	if f.Func == "" {
		return f.Path
	}
	return f.Func + "(" + f.Path + ")"
}
