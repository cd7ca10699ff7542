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
		if err := q.resolveField(s, f); err != nil {
			return err
		}
		key := strings.ToLower(f.Path)
		if seen[key] {
			return newError(CodeInvalidField, q.source, f.Pos, "duplicate field selected: "+f.Path)
		}
		seen[key] = true
	}
	if q.Where != nil {
		if err := q.resolveExpr(s, q.Where); err != nil {
			return err
		}
	}
	for i := range q.OrderBy {
		f := &q.OrderBy[i].Field
		if err := q.resolveField(s, f); err != nil {
			return err
		}
		if classOf(f.Type) == classMultiPicklist {
			return newError(CodeInvalidField, q.source, f.Pos, "field '"+f.Path+"' can not be sorted in a query call")
		}
	}
	q.resolved = true
	return nil
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
		if err := q.resolveField(s, &e.Field); err != nil {
			return err
		}
		if err := q.checkOperator(e.Field, e.Op == Like, e.Op != Eq && e.Op != Ne && e.Op != Like, false, e.Value.Pos); err != nil {
			return err
		}
		return q.checkLiteral(e.Field, e.Value, e.Op == Like)
	case *SetTest:
		if err := q.resolveField(s, &e.Field); err != nil {
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
