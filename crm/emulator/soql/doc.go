// Package soql parses and evaluates the subset of Salesforce's SOQL that the
// demo org (crm/emulator) answers: SELECT field lists with parent
// relationship paths and parent-to-child subqueries, COUNT(), WHERE with
// comparisons, LIKE, IN, NOT IN, INCLUDES, EXCLUDES, AND, OR, NOT,
// parentheses, null, booleans, numbers, quoted strings, date, datetime and
// relative date literals, ORDER BY, LIMIT and OFFSET; and aggregate queries:
// COUNT(field), COUNT_DISTINCT, SUM, AVG, MIN, MAX with aliases, GROUP BY
// and HAVING, evaluated by [Aggregate] into AggregateResult rows named by
// [Query.Columns].
//
// The package knows nothing about the emulator: [Parse] checks syntax only,
// [Query.Resolve] checks names and literal types against a [Schema] the caller
// implements, and [Query.Match] and [Query.Less] evaluate records exposed
// through the small [Record] interface. [Query.Plan] tells a caller with
// indexes which equality lookups narrow a query to a superset of its matches,
// and [EqualityKey] how to key values so that the lookups agree with Match.
//
// Everything else SOQL has (GROUP BY ROLLUP and CUBE, date functions,
// subqueries nested in subqueries, semi-joins, TYPEOF, WITH, FOR, USING
// SCOPE, ALL ROWS, bind variables) is refused with a MALFORMED_QUERY [*Error]
// rather than silently ignored, so that the emulator never answers a query
// with wrong records.
//
// Errors follow Salesforce's wire text: the message echoes the offending line
// of the query with a caret under the offending token, then
// "ERROR at Row:r:Column:c" and the reason, e.g. "unexpected token: 'FORM'".
package soql
