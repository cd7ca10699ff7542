package emulator

import (
	"strings"

	"crmsheets/crm/emulator/soql"
)

// soqlSchema implements soql.RelationshipSchema over the demo org's
// metadata, so that queries are resolved (canonical names, field types,
// Salesforce's INVALID_FIELD wording) against the same describes clients
// see.
type soqlSchema struct{ s *Schema }

var (
	_ soql.RelationshipSchema = soqlSchema{}
	_ soql.ChildSchema        = soqlSchema{}
)

// ChildRelationship implements soql.ChildSchema from Describe's
// childRelationships.
func (a soqlSchema) ChildRelationship(object, rel string) (child, canonical string, ok bool) {
	o, ok := a.s.Object(object)
	if !ok {
		return "", "", false
	}
	for _, c := range o.Children {
		if strings.EqualFold(c.RelationshipName, rel) {
			return c.ChildSObject, c.RelationshipName, true
		}
	}
	return "", "", false
}

// ObjectName implements soql.Schema.
func (a soqlSchema) ObjectName(object string) (string, bool) {
	o, ok := a.s.Object(object)
	if !ok {
		return "", false
	}
	return o.Name, true
}

// FieldType implements soql.Schema. A path crosses parent relationships by
// relationship name; through a polymorphic one (Who, What) the first
// referenced object that has the rest of the path decides.
func (a soqlSchema) FieldType(object, path string) (typ, canonical string, ok bool) {
	o, ok := a.s.Object(object)
	if !ok {
		return "", "", false
	}
	f, canon, ok := a.resolve(o, strings.Split(path, "."))
	if !ok {
		return "", "", false
	}
	return f.Type, canon, true
}

func (a soqlSchema) resolve(o *Object, segs []string) (*Field, string, bool) {
	if len(segs) == 1 {
		f, ok := o.Field(segs[0])
		if !ok {
			return nil, "", false
		}
		return f, f.Name, true
	}
	ref, ok := o.relationship(segs[0])
	if !ok {
		return nil, "", false
	}
	for _, target := range ref.ReferenceTo {
		to, ok := a.s.Object(target)
		if !ok {
			continue
		}
		if f, canon, ok := a.resolve(to, segs[1:]); ok {
			return f, ref.RelationshipName + "." + canon, true
		}
	}
	return nil, "", false
}

// RelatedObject implements soql.RelationshipSchema.
func (a soqlSchema) RelatedObject(object, relationship string) (string, bool) {
	o, ok := a.s.Object(object)
	if !ok {
		return "", false
	}
	ref, ok := o.relationship(relationship)
	if !ok {
		return "", false
	}
	if len(ref.ReferenceTo) > 1 {
		return "Name", true
	}
	return ref.ReferenceTo[0], true
}

// recordView is a soql.Record over a stored record; parent paths are
// followed through the tables. The caller holds s.mu for reading.
type recordView struct {
	s *Server
	o *Object
	r *record
}

var _ soql.Record = recordView{}

// Get implements soql.Record.
func (v recordView) Get(path string) any {
	o, r := v.o, v.r
	for {
		dot := strings.IndexByte(path, '.')
		if dot < 0 {
			f, ok := o.byName[strings.ToLower(path)]
			if !ok {
				return nil
			}
			return r.vals[f.index]
		}
		ref, ok := o.relationship(path[:dot])
		if !ok {
			return nil
		}
		o, r = v.s.parent(ref, r)
		if r == nil {
			return nil
		}
		path = path[dot+1:]
	}
}

// parent returns the live record a reference field of r points to.
func (s *Server) parent(ref *Field, r *record) (*Object, *record) {
	id, ok := r.vals[ref.index].(string)
	if !ok {
		return nil, nil
	}
	o, ok := s.schema.objectForID(id)
	if !ok {
		return nil, nil
	}
	p, ok := s.tables[o].get(id)
	if !ok || p.deleted(o) {
		return nil, nil
	}
	return o, p
}
