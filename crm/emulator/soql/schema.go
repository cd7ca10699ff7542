package soql

import (
	"strings"
)

// Schema is the org metadata Resolve checks a query against. The emulator
// implements it over its describes; this package never sees them.
type Schema interface {
	// ObjectName returns the canonical name of object (matched
	// case-insensitively) and whether the org has it.
	ObjectName(object string) (canonical string, ok bool)
	// FieldType resolves a field path on object, case-insensitively. The
	// path may cross parent relationships one or more levels ("Account.Name",
	// "Owner.Name", "Who.Email", "Account.Owner.Email"). It returns the
	// describe type of the final field ("string", "picklist",
	// "multipicklist", "date", "datetime", "double", "currency", "percent",
	// "int", "boolean", "id", "reference", "email", "phone", "url",
	// "textarea"; others are compared as text), the canonical spelling of the
	// whole path and whether it exists.
	FieldType(object, path string) (typ, canonical string, ok bool)
}

// RelationshipSchema may be implemented by a Schema so that errors about a
// parent path name the entity Salesforce would name: for "Owner.Nmae" on
// Account, "No such column 'Nmae' on entity 'User'". Without it the
// relationship name stands in for the entity name.
type RelationshipSchema interface {
	Schema
	// RelatedObject returns the object a relationship of object points to
	// ("Owner" on Account → "User") and whether the relationship exists. For
	// polymorphic relationships (Who, What) it returns "Name", as Salesforce
	// does.
	RelatedObject(object, relationship string) (target string, ok bool)
}

// ChildSchema may be implemented by a Schema so that select lists can hold
// parent-to-child subqueries ("(SELECT Id FROM Contacts)"). Without it such
// subqueries are refused as unknown relationships.
type ChildSchema interface {
	Schema
	// ChildRelationship returns the child object of the child relationship
	// rel of object (Describe's childRelationships: "Contacts" on Account →
	// "Contact"), the canonical relationship name and whether it exists.
	ChildRelationship(object, rel string) (child, canonical string, ok bool)
}

// valueClass groups describe types by how their values compare.
type valueClass int

const (
	classUnknown valueClass = iota // unresolved: inferred from the literal
	classText
	classID
	classMultiPicklist
	classNumber
	classBoolean
	classDate
	classDateTime
)

func classOf(typ string) valueClass {
	switch strings.ToLower(typ) {
	case "":
		return classUnknown
	case "id", "reference":
		return classID
	case "multipicklist":
		return classMultiPicklist
	case "double", "currency", "percent", "int", "long":
		return classNumber
	case "boolean":
		return classBoolean
	case "date":
		return classDate
	case "datetime":
		return classDateTime
	}
	return classText
}

// soapTypeName is the type Salesforce names in "must be of type X" messages.
func soapTypeName(typ string) string {
	switch strings.ToLower(typ) {
	case "double", "currency", "percent":
		return "double"
	case "int":
		return "integer"
	case "datetime":
		return "dateTime"
	case "date", "boolean", "id", "long":
		return strings.ToLower(typ)
	case "reference":
		return "id"
	}
	return "string"
}

// Resolve checks q against s and canonicalises it in place: the object and
// every field path get the schema's spelling, every FieldRef its Type. It
// reports, as *Error with Salesforce's codes and wording:
//   - INVALID_TYPE for an unknown object,
//   - INVALID_FIELD for an unknown field (select list, WHERE, ORDER BY), a
//     field selected twice, or a literal whose type does not fit its field
//     ("value of filter criterion for field 'CloseDate' must be of type date
//     and should not be enclosed in quotes"),
//   - INVALID_QUERY_FILTER_OPERATOR for an operator the field's type does not
//     support or a malformed id literal.
//
// Resolve stops at the first error, in query order. It is not safe to call
// concurrently with Match or Less on the same query.
func (q *Query) Resolve(s Schema) error {
	obj, ok := s.ObjectName(q.Object)
	if !ok {
		return newError(CodeInvalidType, q.source, q.ObjectPos, "sObject type '"+q.Object+"' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.")
	}
	q.Object = obj
	seen := make(map[string]bool, len(q.Fields))
	for i := range q.Fields {
		f := &q.Fields[i]
		if f.Sub != nil {
			if err := q.resolveSubquery(s, f); err != nil {
				return err
			}
		} else if err := q.resolveRef(s, f); err != nil {
			return err
		}
		key := strings.ToLower(f.key())
		if seen[key] && f.Func == "" {
			return newError(CodeInvalidField, q.source, f.Pos, "duplicate field selected: "+f.Path)
		}
		seen[key] = true
	}
	if q.Where != nil {
		if err := q.resolveExpr(s, q.Where); err != nil {
			return err
		}
	}
	if err := q.resolveGrouping(s); err != nil {
		return err
	}
	for i := range q.OrderBy {
		f := &q.OrderBy[i].Field
		if err := q.resolveRef(s, f); err != nil {
			return err
		}
		if classOf(f.Type) == classMultiPicklist {
			return newError(CodeInvalidField, q.source, f.Pos, "field '"+f.Path+"' can not be sorted in a query call")
		}
		if q.IsAggregate() && f.Func == "" && !q.grouped(*f) {
			return newError(CodeMalformedQuery, q.source, f.Pos, "Ordered field must be grouped or aggregated: "+f.Path)
		}
	}
	q.resolved = true
	return nil
}

// resolveRef resolves a field, and for an aggregate checks that the
// function applies to the field's type (Salesforce's "Support for Field
// Types in Aggregate Functions") and sets Type to the result's type.
func (q *Query) resolveRef(s Schema, f *FieldRef) error {
	if err := q.resolveField(s, f); err != nil {
		return err
	}
	if f.Func == "" {
		return nil
	}
	f.argType = f.Type
	class := classOf(f.Type)
	ok := class != classBoolean && class != classMultiPicklist
	if f.Func == "SUM" || f.Func == "AVG" {
		ok = class == classNumber
	}
	if !ok {
		// The wording follows Salesforce's; the code is a guess.
		return newError(CodeInvalidField, q.source, f.Pos, "field "+f.Path+" does not support aggregate operator "+f.Func)
	}
	switch f.Func {
	case "COUNT", "COUNT_DISTINCT":
		f.Type = "int"
	case "SUM", "AVG":
		f.Type = "double"
	}
	return nil
}

// resolveSubquery resolves a parent-to-child subquery against the child
// object its relationship names.
func (q *Query) resolveSubquery(s Schema, f *FieldRef) error {
	cs, ok := s.(ChildSchema)
	var child, rel string
	if ok {
		child, rel, ok = cs.ChildRelationship(q.Object, f.Path)
	}
	if !ok {
		return newError(CodeInvalidType, q.source, f.Pos, "Didn't understand relationship '"+f.Path+"' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.")
	}
	f.Path = rel
	f.Sub.Object = child
	return f.Sub.Resolve(s)
}

// resolveGrouping resolves GROUP BY and HAVING and checks that every plain
// item of an aggregate query's select list is grouped.
func (q *Query) resolveGrouping(s Schema) error {
	for i := range q.GroupBy {
		g := &q.GroupBy[i]
		if err := q.resolveField(s, g); err != nil {
			return err
		}
		if !groupable(g.Type) {
			return newError(CodeInvalidField, q.source, g.Pos, "field '"+g.Path+"' can not be grouped in a query call")
		}
	}
	if !q.IsAggregate() {
		return nil
	}
	aliases := map[string]bool{}
	for _, f := range q.Fields {
		if f.Sub != nil {
			return newError(CodeMalformedQuery, q.source, f.Pos, "subqueries are not allowed in aggregate queries")
		}
		if f.Func == "" && !q.grouped(f) {
			return newError(CodeMalformedQuery, q.source, f.Pos, "Field must be grouped or aggregated: "+f.Path)
		}
		if f.Alias != "" {
			a := strings.ToLower(f.Alias)
			if aliases[a] {
				return newError(CodeMalformedQuery, q.source, f.Pos, "duplicate alias: "+f.Alias)
			}
			aliases[a] = true
		}
	}
	if q.Having == nil {
		return nil
	}
	if err := q.resolveExpr(s, q.Having); err != nil {
		return err
	}
	var ungrouped *FieldRef
	walkRefs(q.Having, func(f *FieldRef) {
		if ungrouped == nil && f.Func == "" && !q.grouped(*f) {
			ungrouped = f
		}
	})
	if ungrouped != nil {
		return newError(CodeMalformedQuery, q.source, ungrouped.Pos, "Field must be grouped or aggregated: "+ungrouped.Path)
	}
	return nil
}

// grouped reports whether f is one of the GROUP BY fields.
func (q *Query) grouped(f FieldRef) bool {
	for _, g := range q.GroupBy {
		if strings.EqualFold(g.Path, f.Path) {
			return true
		}
	}
	return false
}

// groupable mirrors the demo org's describe "groupable": numbers,
// datetimes and long text cannot be grouped.
func groupable(typ string) bool {
	switch strings.ToLower(typ) {
	case "double", "currency", "percent", "int", "long", "datetime", "textarea":
		return false
	}
	return true
}

// walkRefs calls fn on the field of every comparison of e.
func walkRefs(e Expr, fn func(*FieldRef)) {
	switch e := e.(type) {
	case *Logical:
		for _, t := range e.Terms {
			walkRefs(t, fn)
		}
	case *Not:
		walkRefs(e.X, fn)
	case *Comparison:
		fn(&e.Field)
	case *SetTest:
		fn(&e.Field)
	}
}

// resolveField looks f up and canonicalises it, or returns INVALID_FIELD
// worded as Salesforce words it for a bad column or a bad relationship.
func (q *Query) resolveField(s Schema, f *FieldRef) error {
	typ, canonical, ok := s.FieldType(q.Object, f.Path)
	if ok {
		f.Path, f.Type = canonical, typ
		return nil
	}
	parts := strings.Split(f.Path, ".")
	entity := q.Object
	if len(parts) > 1 {
		rs, hasRel := s.(RelationshipSchema)
		for i, rel := range parts[:len(parts)-1] {
			if hasRel {
				target, ok := rs.RelatedObject(entity, rel)
				if !ok {
					return q.badRelationship(f, rel)
				}
				entity = target
				continue
			}
			// Without RelationshipSchema, probe the prefix through its Id.
			if _, _, ok := s.FieldType(q.Object, strings.Join(parts[:i+1], ".")+".Id"); !ok {
				return q.badRelationship(f, rel)
			}
			entity = rel
		}
	}
	column := parts[len(parts)-1]
	return newError(CodeInvalidField, q.source, f.Pos, "No such column '"+column+"' on entity '"+entity+"'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")
}

func (q *Query) badRelationship(f *FieldRef, rel string) error {
	return newError(CodeInvalidField, q.source, f.Pos, "Didn't understand relationship '"+rel+"' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.")
}

func (q *Query) resolveExpr(s Schema, e Expr) error {
	switch e := e.(type) {
	case *Logical:
		for _, t := range e.Terms {
			if err := q.resolveExpr(s, t); err != nil {
				return err
			}
		}
	case *Not:
		return q.resolveExpr(s, e.X)
	case *Comparison:
		if err := q.resolveRef(s, &e.Field); err != nil {
			return err
		}
		if err := q.checkOperator(e.Field, e.Op == Like, e.Op != Eq && e.Op != Ne && e.Op != Like, false, e.Value.Pos); err != nil {
			return err
		}
		return q.checkLiteral(e.Field, e.Value, e.Op == Like)
	case *SetTest:
		if err := q.resolveRef(s, &e.Field); err != nil {
			return err
		}
		if err := q.checkOperator(e.Field, false, false, e.Op == Includes || e.Op == Excludes, e.Field.Pos); err != nil {
			return err
		}
		for _, v := range e.Values {
			if err := q.checkLiteral(e.Field, v, false); err != nil {
				return err
			}
		}
		e.set = newKeySet(e)
	}
	return nil
}

// checkOperator refuses operators the field's type does not support.
func (q *Query) checkOperator(f FieldRef, like, ordering, includes bool, at Pos) error {
	class := classOf(f.Type)
	switch {
	case class == classMultiPicklist && (like || ordering):
		return newError(CodeInvalidFilterOperator, q.source, at, "invalid operator on multipicklist field")
	case includes && class != classMultiPicklist:
		return newError(CodeInvalidFilterOperator, q.source, f.Pos, "includes or excludes operator only valid on multipicklist field")
	case like && class != classText && class != classID:
		return newError(CodeInvalidFilterOperator, q.source, at, "invalid operator on field '"+f.Path+"' of type "+soapTypeName(f.Type)+": LIKE is only valid on text fields")
	case ordering && class == classBoolean:
		return newError(CodeInvalidFilterOperator, q.source, at, "invalid operator on boolean field '"+f.Path+"'")
	}
	return nil
}

// checkLiteral checks that v's type fits the field, as Salesforce does. A
// LIKE pattern on an id field is not itself an id.
func (q *Query) checkLiteral(f FieldRef, v Literal, pattern bool) error {
	if v.Kind == NullLit {
		return nil
	}
	class := classOf(f.Type)
	fits := false
	switch class {
	case classText, classMultiPicklist, classID:
		fits = v.Kind == StringLit
	case classNumber:
		fits = v.Kind == NumberLit
	case classBoolean:
		fits = v.Kind == BoolLit
	case classDate:
		fits = v.Kind == DateLit || v.Kind == RelativeDateLit
	case classDateTime:
		fits = v.Kind == DateTimeLit || v.Kind == RelativeDateLit
	}
	if !fits {
		quoted := "should not be enclosed in quotes"
		if class == classText || class == classMultiPicklist || class == classID {
			quoted = "should be enclosed in quotes"
		}
		return newError(CodeInvalidField, q.source, v.Pos, "value of filter criterion for field '"+f.Path+"' must be of type "+soapTypeName(f.Type)+" and "+quoted)
	}
	if class == classID && !pattern && !validIDLiteral(v.Str) {
		return newError(CodeInvalidFilterOperator, q.source, v.Pos, "invalid ID field: "+v.Str)
	}
	return nil
}

// validIDLiteral reports whether s can be a record id: 15 or 18 letters and
// digits. The empty string is accepted and matches nothing, as in SOQL.
func validIDLiteral(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}
