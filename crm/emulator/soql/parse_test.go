package soql

import (
	"crmsheets/internal/soqlstr"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// astOptions compares parsed queries ignoring positions and internals.
var astOptions = cmp.Options{
	cmpopts.IgnoreUnexported(Query{}, Comparison{}, SetTest{}, FieldRef{}),
	cmpopts.IgnoreFields(Query{}, "ObjectPos"),
	cmpopts.IgnoreFields(FieldRef{}, "Pos"),
	cmpopts.IgnoreFields(Literal{}, "Pos"),
}

func str(text string) Literal {
	return Literal{Kind: StringLit, Text: text, Str: soqlstr.Unquote(text)}
}

func num(text string, n float64) Literal { return Literal{Kind: NumberLit, Text: text, Num: n} }

func field(path string) FieldRef { return FieldRef{Path: path} }

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		soql string
		want *Query
	}{
		{"simple", "SELECT Id, Name FROM Account",
			&Query{Object: "Account", Fields: []FieldRef{field("Id"), field("Name")}, Limit: -1, Offset: -1}},
		{"keywords any case, parent paths", "select id, Account.Name, Owner.Name, Who.Email from Contact",
			&Query{Object: "Contact", Fields: []FieldRef{field("id"), field("Account.Name"), field("Owner.Name"), field("Who.Email")}, Limit: -1, Offset: -1}},
		{"count", "SELECT COUNT() FROM Lead",
			&Query{Object: "Lead", Count: true, Limit: -1, Offset: -1}},
		{"count lower case with limit", "select count() from Lead limit 5",
			&Query{Object: "Lead", Count: true, Limit: 5, Offset: -1}},
		{"full example", "SELECT Id FROM Account WHERE Name = 'x' ORDER BY Name DESC NULLS LAST LIMIT 10 OFFSET 5",
			&Query{Object: "Account", Fields: []FieldRef{field("Id")},
				Where:   &Comparison{Field: field("Name"), Op: Eq, Value: str("'x'")},
				OrderBy: []OrderItem{{Field: field("Name"), Desc: true, NullsLast: true}}, Limit: 10, Offset: 5}},
		{"order defaults", "SELECT Id FROM Account ORDER BY Name, Industry ASC, CreatedDate DESC, Phone ASC NULLS LAST, Fax DESC NULLS FIRST",
			&Query{Object: "Account", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				OrderBy: []OrderItem{{Field: field("Name")}, {Field: field("Industry")}, {Field: field("CreatedDate"), Desc: true, NullsLast: true},
					{Field: field("Phone"), NullsLast: true}, {Field: field("Fax"), Desc: true}}}},
		{"operators", "SELECT Id FROM Opportunity WHERE Amount != 1 AND Amount <> 2 AND Amount < 3 AND Amount <= 4 AND Amount > -5.5 AND Amount >= .5",
			&Query{Object: "Opportunity", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Logical{Op: And, Terms: []Expr{
					&Comparison{Field: field("Amount"), Op: Ne, Value: num("1", 1)},
					&Comparison{Field: field("Amount"), Op: Ne, Value: num("2", 2)},
					&Comparison{Field: field("Amount"), Op: Lt, Value: num("3", 3)},
					&Comparison{Field: field("Amount"), Op: Le, Value: num("4", 4)},
					&Comparison{Field: field("Amount"), Op: Gt, Value: num("-5.5", -5.5)},
					&Comparison{Field: field("Amount"), Op: Ge, Value: num(".5", 0.5)},
				}}}},
		{"or, not, parentheses", "SELECT Id FROM Lead WHERE (Status = 'Open' OR Status = null) AND NOT IsConverted = true",
			&Query{Object: "Lead", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Logical{Op: And, Terms: []Expr{
					&Logical{Op: Or, Terms: []Expr{
						&Comparison{Field: field("Status"), Op: Eq, Value: str("'Open'")},
						&Comparison{Field: field("Status"), Op: Eq, Value: Literal{Kind: NullLit, Text: "null"}},
					}},
					&Not{X: &Comparison{Field: field("IsConverted"), Op: Eq, Value: Literal{Kind: BoolLit, Text: "true", Bool: true}}},
				}}}},
		{"not of a group", "SELECT Id FROM Lead WHERE NOT (A = FALSE OR B = NULL)",
			&Query{Object: "Lead", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Not{X: &Logical{Op: Or, Terms: []Expr{
					&Comparison{Field: field("A"), Op: Eq, Value: Literal{Kind: BoolLit, Text: "false"}},
					&Comparison{Field: field("B"), Op: Eq, Value: Literal{Kind: NullLit, Text: "null"}},
				}}}}},
		{"like, in, not in, includes, excludes", "SELECT Id FROM Contact WHERE Name LIKE 'a\\%b%' AND Id IN ('003000000000001', '003000000000002') AND Level NOT IN ('x') AND Tags__c INCLUDES ('a;b', 'c') AND Tags__c EXCLUDES ('d')",
			&Query{Object: "Contact", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Logical{Op: And, Terms: []Expr{
					&Comparison{Field: field("Name"), Op: Like, Value: str(`'a\%b%'`)},
					&SetTest{Field: field("Id"), Op: In, Values: []Literal{str("'003000000000001'"), str("'003000000000002'")}},
					&SetTest{Field: field("Level"), Op: NotIn, Values: []Literal{str("'x'")}},
					&SetTest{Field: field("Tags__c"), Op: Includes, Values: []Literal{str("'a;b'"), str("'c'")}},
					&SetTest{Field: field("Tags__c"), Op: Excludes, Values: []Literal{str("'d'")}},
				}}}},
		{"dates", "SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-31 AND CreatedDate > 2024-01-31T10:00:00Z AND LastModifiedDate < 2024-01-31T10:00:00+01:00 AND SystemModstamp >= 2024-01-31T10:00:00.000Z",
			&Query{Object: "Opportunity", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Logical{Op: And, Terms: []Expr{
					&Comparison{Field: field("CloseDate"), Op: Eq, Value: Literal{Kind: DateLit, Text: "2024-01-31", Date: "2024-01-31"}},
					&Comparison{Field: field("CreatedDate"), Op: Gt, Value: Literal{Kind: DateTimeLit, Text: "2024-01-31T10:00:00Z", Date: "2024-01-31T10:00:00.000+0000"}},
					&Comparison{Field: field("LastModifiedDate"), Op: Lt, Value: Literal{Kind: DateTimeLit, Text: "2024-01-31T10:00:00+01:00", Date: "2024-01-31T09:00:00.000+0000"}},
					&Comparison{Field: field("SystemModstamp"), Op: Ge, Value: Literal{Kind: DateTimeLit, Text: "2024-01-31T10:00:00.000Z", Date: "2024-01-31T10:00:00.000+0000"}},
				}}}},
		{"relative dates", "SELECT Id FROM Task WHERE ActivityDate = today OR ActivityDate = LAST_N_DAYS:30 OR ActivityDate IN (THIS_MONTH, N_DAYS_AGO:3)",
			&Query{Object: "Task", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Logical{Op: Or, Terms: []Expr{
					&Comparison{Field: field("ActivityDate"), Op: Eq, Value: Literal{Kind: RelativeDateLit, Text: "TODAY"}},
					&Comparison{Field: field("ActivityDate"), Op: Eq, Value: Literal{Kind: RelativeDateLit, Text: "LAST_N_DAYS", N: 30}},
					&SetTest{Field: field("ActivityDate"), Op: In, Values: []Literal{{Kind: RelativeDateLit, Text: "THIS_MONTH"}, {Kind: RelativeDateLit, Text: "N_DAYS_AGO", N: 3}}},
				}}}},
		{"string escapes", `SELECT Id FROM Account WHERE Name = 'O\'Brien \"x\" \\ \n\r\t\b\f \u00e9'`,
			&Query{Object: "Account", Fields: []FieldRef{field("Id")}, Limit: -1, Offset: -1,
				Where: &Comparison{Field: field("Name"), Op: Eq, Value: Literal{Kind: StringLit, Text: `'O\'Brien \"x\" \\ \n\r\t\b\f \u00e9'`, Str: "O'Brien \"x\" \\ \n\r\t\b\f é"}}}},
		{"aggregates, aliases, group by, having", "SELECT Industry, COUNT(Id), SUM(AnnualRevenue) total, count_distinct(OwnerId) FROM Account WHERE Name != null GROUP BY Industry HAVING COUNT(Id) > 1 AND MAX(AnnualRevenue) < 5 ORDER BY SUM(AnnualRevenue) DESC, Industry LIMIT 3",
			&Query{Object: "Account", Limit: 3, Offset: -1,
				Fields:  []FieldRef{field("Industry"), {Path: "Id", Func: "COUNT"}, {Path: "AnnualRevenue", Func: "SUM", Alias: "total"}, {Path: "OwnerId", Func: "COUNT_DISTINCT"}},
				Where:   &Comparison{Field: field("Name"), Op: Ne, Value: Literal{Kind: NullLit, Text: "null"}},
				GroupBy: []FieldRef{field("Industry")},
				Having: &Logical{Op: And, Terms: []Expr{
					&Comparison{Field: FieldRef{Path: "Id", Func: "COUNT"}, Op: Gt, Value: num("1", 1)},
					&Comparison{Field: FieldRef{Path: "AnnualRevenue", Func: "MAX"}, Op: Lt, Value: num("5", 5)},
				}},
				OrderBy: []OrderItem{{Field: FieldRef{Path: "AnnualRevenue", Func: "SUM"}, Desc: true, NullsLast: true}, {Field: field("Industry")}}}},
		{"aggregate without group by", "SELECT AVG(Amount), MIN(CloseDate) FROM Opportunity",
			&Query{Object: "Opportunity", Limit: -1, Offset: -1,
				Fields: []FieldRef{{Path: "Amount", Func: "AVG"}, {Path: "CloseDate", Func: "MIN"}}}},
		{"grouped field with alias", "SELECT Account.Name acct, COUNT(Id) n FROM Contact GROUP BY Account.Name",
			&Query{Object: "Contact", Limit: -1, Offset: -1,
				Fields:  []FieldRef{{Path: "Account.Name", Alias: "acct"}, {Path: "Id", Func: "COUNT", Alias: "n"}},
				GroupBy: []FieldRef{field("Account.Name")}}},
		{"parent-to-child subquery", "SELECT Id, (SELECT Id, LastName FROM Contacts WHERE LastName != null ORDER BY LastName LIMIT 5) FROM Account",
			&Query{Object: "Account", Limit: -1, Offset: -1,
				Fields: []FieldRef{field("Id"), {Path: "Contacts", Sub: &Query{Object: "Contacts", Limit: 5, Offset: -1,
					Fields:  []FieldRef{field("Id"), field("LastName")},
					Where:   &Comparison{Field: field("LastName"), Op: Ne, Value: Literal{Kind: NullLit, Text: "null"}},
					OrderBy: []OrderItem{{Field: field("LastName")}}}}}}},
		{"whitespace and newlines", "SELECT\n  Id,\n  Name\nFROM\tAccount\r\nWHERE Name='a'",
			&Query{Object: "Account", Fields: []FieldRef{field("Id"), field("Name")}, Limit: -1, Offset: -1,
				Where: &Comparison{Field: field("Name"), Op: Eq, Value: str("'a'")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.soql)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.soql, err)
			}
			if diff := cmp.Diff(tt.want, got, astOptions); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.soql, diff)
			}
			again, err := Parse(got.String())
			if err != nil {
				t.Fatalf("Parse(String()=%q): %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again, astOptions); diff != "" {
				t.Errorf("String() %q does not round-trip (-first +again):\n%s", got.String(), diff)
			}
		})
	}
}

func TestParsePositions(t *testing.T) {
	q, err := Parse("SELECT Id,\n  Account.Name FROM Contact WHERE Name = 'x'")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Fields[1].Pos, (Pos{Row: 2, Column: 3}); got != want {
		t.Errorf("Fields[1].Pos = %+v, want %+v", got, want)
	}
	c := q.Where.(*Comparison)
	if got, want := c.Value.Pos, (Pos{Row: 2, Column: 42}); got != want {
		t.Errorf("value Pos = %+v, want %+v", got, want)
	}
	if got, want := q.ObjectPos, (Pos{Row: 2, Column: 21}); got != want {
		t.Errorf("ObjectPos = %+v, want %+v", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"select id from account", "SELECT id FROM account"},
		{"select count() from account where name like 'a%'", "SELECT COUNT() FROM account WHERE name LIKE 'a%'"},
		{"SELECT Id FROM A WHERE (a = 1 AND b = 2) OR NOT c = 3", "SELECT Id FROM A WHERE (a = 1 AND b = 2) OR NOT c = 3"},
		{"SELECT Id FROM A WHERE ((a = 1))", "SELECT Id FROM A WHERE a = 1"},
		{"SELECT Id FROM A WHERE NOT (a = 1 OR b = 2)", "SELECT Id FROM A WHERE NOT (a = 1 OR b = 2)"},
		{"SELECT Id FROM A WHERE a <> 1 and b in (1,2) and c not in ('x')", "SELECT Id FROM A WHERE a != 1 AND b IN (1, 2) AND c NOT IN ('x')"},
		{"SELECT Id FROM A WHERE d = last_n_days:7", "SELECT Id FROM A WHERE d = LAST_N_DAYS:7"},
		{"SELECT Id FROM A ORDER BY a asc nulls first, b desc nulls last, c nulls last, d desc nulls first limit 1 offset 2",
			"SELECT Id FROM A ORDER BY a, b DESC, c NULLS LAST, d DESC NULLS FIRST LIMIT 1 OFFSET 2"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLiteralStringHandBuilt(t *testing.T) {
	tests := []struct {
		lit  Literal
		want string
	}{
		{Literal{Kind: StringLit, Str: "O'Brien\n\\"}, `'O\'Brien\n\\'`},
		{Literal{Kind: NumberLit, Num: 2.5}, "2.5"},
		{Literal{Kind: BoolLit, Bool: true}, "true"},
		{Literal{Kind: NullLit}, "null"},
		{Literal{Kind: DateLit, Date: "2024-01-02"}, "2024-01-02"},
		{Literal{Kind: RelativeDateLit, Text: "NEXT_N_DAYS", N: 4}, "NEXT_N_DAYS:4"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.lit.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, soql string
		column     int
		reason     string // prefix of the error's reason
	}{
		{"misspelt FROM", "SELECT Id FORM Account", 11, "unexpected token: 'FORM'"},
		{"missing FROM", "SELECT Id", 10, "unexpected token: <EOF>"},
		{"empty", "", 1, "unexpected token: <EOF>"},
		{"not select", "UPDATE Account", 1, "unexpected token: 'UPDATE'"},
		{"trailing comma", "SELECT Id, FROM Account", 12, "unexpected token: 'FROM'"},
		{"no fields", "SELECT FROM Account", 8, "unexpected token: 'FROM'"},
		{"missing object", "SELECT Id FROM WHERE", 16, "unexpected token: 'WHERE'"},
		{"dotted object", "SELECT Id FROM Account.Name", 16, "unexpected token: 'Account.Name'"},
		{"trailing dot", "SELECT Account. FROM Contact", 15, "unexpected token: '.'"},
		{"garbage after", "SELECT Id FROM Account Foo", 24, "unexpected token: 'Foo'"},
		{"mixed and or", "SELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3", 40, "unexpected token: 'OR'"},
		{"mixed or and", "SELECT Id FROM A WHERE a = 1 OR b = 2 AND c = 3", 39, "unexpected token: 'AND'"},
		{"missing value", "SELECT Id FROM A WHERE a =", 27, "unexpected token: <EOF>"},
		{"missing operator", "SELECT Id FROM A WHERE a 'x'", 26, "unexpected token: ''x''"},
		{"unclosed paren", "SELECT Id FROM A WHERE (a = 1", 30, "unexpected token: <EOF>"},
		{"extra paren", "SELECT Id FROM A WHERE a = 1)", 29, "unexpected token: ')'"},
		{"unknown escape", `SELECT Id FROM A WHERE a = 'x\q'`, 30, "Invalid string literal"},
		{"short unicode escape", `SELECT Id FROM A WHERE a = '\u12'`, 29, "Invalid string literal"},
		{"unterminated string", "SELECT Id FROM A WHERE a = 'abc", 28, "unterminated string literal"},
		{"double quotes", `SELECT Id FROM A WHERE a = "x"`, 28, `unexpected token: '"'`},
		{"field as value", "SELECT Id FROM A WHERE a = b", 28, "unexpected token: 'b'"},
		{"bad date", "SELECT Id FROM A WHERE d = 2024-02-30", 28, "invalid date: 2024-02-30"},
		{"bad datetime", "SELECT Id FROM A WHERE d = 2024-02-01T10:00", 28, "invalid datetime"},
		{"datetime without zone", "SELECT Id FROM A WHERE d = 2024-02-01T10:00:00", 28, "invalid datetime"},
		{"date literal without n", "SELECT Id FROM A WHERE d = LAST_N_DAYS", 28, "date literal LAST_N_DAYS requires a number"},
		{"date literal negative n", "SELECT Id FROM A WHERE d = LAST_N_DAYS:-1", 40, "invalid number for LAST_N_DAYS"},
		{"like number", "SELECT Id FROM A WHERE a LIKE 5", 31, "unexpected token: '5'"},
		{"not like", "SELECT Id FROM A WHERE a NOT LIKE 'x'", 30, "unexpected token: 'LIKE'"},
		{"empty in", "SELECT Id FROM A WHERE a IN ()", 30, "unexpected token: ')'"},
		{"includes number", "SELECT Id FROM A WHERE a INCLUDES (1)", 36, "unexpected token: '1'"},
		{"bind variable", "SELECT Id FROM A WHERE a = :name", 28, "Bind variables only allowed in Apex code"},
		{"bind in", "SELECT Id FROM A WHERE a IN :ids", 29, "Bind variables only allowed in Apex code"},
		{"negative limit", "SELECT Id FROM A LIMIT -1", 24, "LIMIT must be a non-negative integer"},
		{"decimal offset", "SELECT Id FROM A OFFSET 1.5", 25, "OFFSET must be a non-negative integer"},
		{"offset before limit", "SELECT Id FROM A OFFSET 1 LIMIT 2", 27, "unexpected token: 'LIMIT'"},
		{"order without by", "SELECT Id FROM A ORDER Name", 24, "unexpected token: 'Name'"},
		{"nulls without placement", "SELECT Id FROM A ORDER BY Name NULLS", 37, "unexpected token: <EOF>"},
		{"group by rollup", "SELECT Name FROM A GROUP BY ROLLUP(Name)", 29, "GROUP BY ROLLUP is not supported"},
		{"having without group by", "SELECT COUNT(Id) FROM A HAVING COUNT(Id) > 1", 25, "HAVING requires a GROUP BY clause"},
		{"alias without aggregate", "SELECT Name n FROM A", 13, "Only aggregate expressions use field aliasing"},
		{"count() with group by", "SELECT COUNT() FROM A GROUP BY Name", 8, "COUNT() cannot be used with GROUP BY"},
		{"aggregate in where", "SELECT Id FROM A WHERE COUNT(Id) > 1", 24, "aggregate functions are not allowed in WHERE"},
		{"other function", "SELECT FORMAT(Amount) FROM A", 8, "function FORMAT() is not supported"},
		{"sum of nothing", "SELECT SUM() FROM A", 12, "unexpected token: ')'"},
		{"nested subquery", "SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account", 24, "subqueries inside subqueries are not supported"},
		{"aggregate in subquery", "SELECT Id, (SELECT COUNT(Id) FROM Contacts) FROM Account", 20, "aggregate functions are not supported in subqueries"},
		{"count with fields", "SELECT Id, COUNT() FROM A", 12, "COUNT() must be the only item"},
		{"count then fields", "SELECT COUNT(), Id FROM A", 8, "COUNT() must be the only item"},
		{"semi-join", "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)", 37, "semi-join subqueries are not supported"},
		{"date function", "SELECT Id FROM A WHERE CALENDAR_YEAR(CreatedDate) = 2024", 24, "function CALENDAR_YEAR() is not supported"},
		{"order by function", "SELECT Id FROM A ORDER BY MAX(a)", 27, "functions in ORDER BY are not supported"},
		{"order by date function", "SELECT COUNT(Id) FROM A ORDER BY DAY_ONLY(a)", 34, "functions in ORDER BY are not supported"},
		{"typeof", "SELECT TYPEOF What WHEN Account THEN Name END FROM Event", 8, "TYPEOF is not supported"},
		{"with", "SELECT Id FROM A WITH SECURITY_ENFORCED", 18, "WITH clauses are not supported"},
		{"using scope", "SELECT Id FROM A USING SCOPE Mine", 18, "USING SCOPE is not supported"},
		{"for update", "SELECT Id FROM A FOR UPDATE", 18, "FOR VIEW, FOR REFERENCE and FOR UPDATE are not supported"},
		{"all rows", "SELECT Id FROM A ALL ROWS", 18, "ALL ROWS is not supported by the REST API; use queryAll"},
		{"stray character", "SELECT Id FROM A WHERE a = 1 ; DROP", 30, "unexpected token: ';'"},
		{"number glued to word", "SELECT Id FROM A WHERE a = 12abc", 28, "unexpected token: '12abc'"},
		{"reserved field", "SELECT Id FROM A WHERE LIMIT = 1", 24, "unexpected token: 'LIMIT'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.soql)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.soql, q)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if e.Code != CodeMalformedQuery {
				t.Errorf("Code = %q, want %q", e.Code, CodeMalformedQuery)
			}
			if e.Row != 1 || e.Column != tt.column {
				t.Errorf("position = %d:%d, want 1:%d (%s)", e.Row, e.Column, tt.column, e.Message)
			}
			if !strings.HasPrefix(e.Reason, tt.reason) {
				t.Errorf("Reason = %q, want prefix %q", e.Reason, tt.reason)
			}
		})
	}
}

// TestErrorFraming pins the wire text of an error against the shape of a
// real Salesforce MALFORMED_QUERY body (fixtures/misc/error_bodies_collected.json).
func TestErrorFraming(t *testing.T) {
	_, err := Parse("SELECT Id FORM Account")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
	if e.Message != want {
		t.Errorf("Message = %q, want %q", e.Message, want)
	}
	if got := e.Error(); got != "MALFORMED_QUERY: "+want {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorOnSecondRow(t *testing.T) {
	_, err := Parse("SELECT Id\nFROM Account\nWHER Name = 'x'")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := "\nWHER Name = 'x'\n^\nERROR at Row:3:Column:1\nunexpected token: 'WHER'"
	if e.Message != want {
		t.Errorf("Message = %q, want %q", e.Message, want)
	}
}

func TestDeepNestingIsRefused(t *testing.T) {
	soql := "SELECT Id FROM A WHERE " + strings.Repeat("(", 500) + "a = 1" + strings.Repeat(")", 500)
	_, err := Parse(soql)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Reason, "nested too deeply") {
		t.Fatalf("got %v, want a nesting error", err)
	}
	ok := "SELECT Id FROM A WHERE " + strings.Repeat("(", 50) + "a = 1" + strings.Repeat(")", 50)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("50 levels: %v", err)
	}
}

func TestLineIndex(t *testing.T) {
	src := "ab\néc d\n\nx"
	li := newLineIndex(src)
	want := map[int]Pos{0: {1, 1}, 2: {1, 3}, 3: {2, 1}, 5: {2, 2}, 7: {2, 4}, 9: {3, 1}, 10: {4, 1}, 11: {4, 2}}
	// Ask in increasing order, then again in decreasing order.
	offsets := []int{0, 2, 3, 5, 7, 9, 10, 11, 11, 10, 9, 7, 5, 3, 2, 0}
	for _, off := range offsets {
		if got := li.pos(off); got != want[off] {
			t.Errorf("pos(%d) = %+v, want %+v", off, got, want[off])
		}
	}
}
