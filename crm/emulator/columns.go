package emulator

import (
	"net/http"
	"strings"

	"crmsheets/crm/emulator/soql"
)

// Column metadata: GET /query?q=…&columns=true answers what a query's
// columns are without running it. Salesforce's CLI asks for it for every
// query that returns rows, to lay out its table and CSV. The shape follows
// the real responses in salesforcecli/plugin-data's
// test/test-files/queryFields.exemplars.ts: a relationship path is a column
// for the relationship (columnName "Owner", foreignKeyName "OwnerId") whose
// joinColumns hold the field; a subquery is an aggregate column whose
// joinColumns are the child's columns; an aggregate function is a column
// named expr0… (or its alias) displayed as "avg(Amount)".

type columnMetadata struct {
	Aggregate      bool             `json:"aggregate"`
	ApexType       *string          `json:"apexType"`
	BooleanType    bool             `json:"booleanType"`
	ColumnName     string           `json:"columnName"`
	Custom         bool             `json:"custom"`
	DisplayName    string           `json:"displayName"`
	ForeignKeyName *string          `json:"foreignKeyName"`
	Insertable     bool             `json:"insertable"`
	JoinColumns    []columnMetadata `json:"joinColumns"`
	NumberType     bool             `json:"numberType"`
	TextType       bool             `json:"textType"`
	Updatable      bool             `json:"updatable"`
}

type queryColumns struct {
	ColumnMetadata []columnMetadata `json:"columnMetadata"`
	EntityName     string           `json:"entityName"`
	GroupBy        bool             `json:"groupBy"`
	IDSelected     bool             `json:"idSelected"`
	KeyPrefix      *string          `json:"keyPrefix"`
}

// apexTypes maps describe types to the Apex type names column metadata
// reports.
var apexTypes = map[string]string{
	typeID: "Id", typeReference: "Id", typeBoolean: "Boolean", typeInt: "Integer",
	typeDouble: "Double", typePercent: "Double", typeCurrency: "Decimal",
	typeDate: "Date", typeDatetime: "Datetime",
}

func apexTypeOf(typ string) *string {
	if t, ok := apexTypes[typ]; ok {
		return &t
	}
	t := "String"
	return &t
}

// fieldColumn is the metadata of a plain field.
func fieldColumn(f *Field) columnMetadata {
	return columnMetadata{
		ApexType: apexTypeOf(f.Type), BooleanType: f.Type == typeBoolean, ColumnName: f.Name,
		Custom: f.Custom, DisplayName: f.Name, Insertable: f.Createable, JoinColumns: []columnMetadata{},
		NumberType: f.isNumber(), TextType: f.isText(), Updatable: f.Updateable,
	}
}

// handleColumns serves /query?q=…&columns=true.
func (s *Server) handleColumns(req *restRequest, text string) {
	q, err := soql.Parse(text)
	if err == nil {
		err = q.Resolve(soqlSchema{s.schema})
	}
	if err != nil {
		queryError(req.w, err)
		return
	}
	o, _ := s.schema.Object(q.Object)
	out := queryColumns{ColumnMetadata: []columnMetadata{}, EntityName: o.Name, GroupBy: len(q.GroupBy) > 0}
	if q.IsAggregate() {
		out.EntityName = "AggregateResult"
		names := q.Columns()
		for i, f := range q.Fields {
			col := columnMetadata{ColumnName: names[i], DisplayName: f.DisplayName(), JoinColumns: []columnMetadata{}}
			if f.Func == "" {
				if fld, ok := s.resolveField(o, f.Path); ok {
					col = fieldColumn(fld)
					col.ColumnName, col.DisplayName = names[i], f.Path
				}
			} else {
				col.Aggregate = true
				switch f.Func {
				case "COUNT", "COUNT_DISTINCT", "SUM", "AVG":
					col.NumberType = true
				default:
					if fld, ok := s.resolveField(o, f.Path); ok {
						col.NumberType, col.TextType, col.BooleanType = fld.isNumber(), fld.isText(), false
					}
				}
			}
			out.ColumnMetadata = append(out.ColumnMetadata, col)
		}
		writeValue(req.w, http.StatusOK, out)
		return
	}
	prefix := o.KeyPrefix
	out.KeyPrefix = &prefix
	for _, f := range q.Fields {
		if strings.EqualFold(f.Path, "Id") {
			out.IDSelected = true
		}
	}
	if !q.Count {
		out.ColumnMetadata = s.columnsOf(o, q.Fields)
	}
	writeValue(req.w, http.StatusOK, out)
}

// resolveField follows a canonical path to its final field.
func (s *Server) resolveField(o *Object, path string) (*Field, bool) {
	f, _, ok := soqlSchema{s.schema}.resolve(o, strings.Split(path, "."))
	return f, ok
}

// columnsOf returns the metadata of a select list: paths through the same
// relationship share one relationship column, as in the query's records.
func (s *Server) columnsOf(o *Object, fields []soql.FieldRef) []columnMetadata {
	var cols []columnMetadata
	for _, f := range fields {
		if f.Sub != nil {
			child, _ := s.schema.Object(f.Sub.Object)
			cols = append(cols, columnMetadata{Aggregate: true, ColumnName: f.Path, DisplayName: f.Path,
				JoinColumns: s.columnsOf(child, f.Sub.Fields)})
			continue
		}
		cols = s.addColumn(cols, o, strings.Split(f.Path, "."))
	}
	if cols == nil {
		cols = []columnMetadata{}
	}
	return cols
}

func (s *Server) addColumn(cols []columnMetadata, o *Object, segs []string) []columnMetadata {
	if len(segs) == 1 {
		f, ok := o.Field(segs[0])
		if !ok {
			return cols
		}
		return append(cols, fieldColumn(f))
	}
	ref, ok := o.relationship(segs[0])
	if !ok {
		return cols
	}
	var target *Object
	for _, name := range ref.ReferenceTo {
		if t, ok := s.schema.Object(name); ok {
			if _, ok := s.resolveField(t, strings.Join(segs[1:], ".")); ok {
				target = t
				break
			}
		}
	}
	if target == nil {
		return cols
	}
	for i := range cols {
		if cols[i].ColumnName == ref.RelationshipName && cols[i].ForeignKeyName != nil {
			cols[i].JoinColumns = s.addColumn(cols[i].JoinColumns, target, segs[1:])
			return cols
		}
	}
	fk := ref.Name
	col := columnMetadata{ColumnName: ref.RelationshipName, Custom: ref.Custom, DisplayName: ref.RelationshipName,
		ForeignKeyName: &fk, JoinColumns: s.addColumn([]columnMetadata{}, target, segs[1:])}
	return append(cols, col)
}
