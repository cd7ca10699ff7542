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
	// Fields is the select list in order; empty when Count is set.
	Fields []FieldRef
	// Count is set for SELECT COUNT() FROM ...
	Count bool
	// Where is the condition, nil when there is no WHERE clause.
	Where Expr
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
	// Type is the Salesforce describe type of the field ("string", "date",
	// ...), set by Resolve; empty on an unresolved query.
	Type string
	// Pos is where the path appears in the query text.
	Pos Pos
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
