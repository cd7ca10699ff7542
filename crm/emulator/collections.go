package emulator

import (
	"net/http"
	"strings"
)

// sObject Collections (/composite/sobjects, API-REFERENCE.md §6): HTTP 200
// for any well-formed request, per-record results in request order with
// {"statusCode","message","fields"} errors, at most 200 records, and with
// allOrNone every record rolled back when one fails (checklist 1, 2, 18).

const maxCollectionRecords = 200

type collectionRequest struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

func exceededIDLimit() apiError {
	return newAPIError(codeExceededIDLimit, "record limit reached. cannot submit more than 200 records into this call")
}

func (s *Server) routeCollections(req *restRequest) {
	p := req.parts
	w, r := req.w, req.r
	switch {
	case len(p) == 2 && r.Method == http.MethodPost:
		s.collectionWrite(req, "create", nil, nil)
	case len(p) == 2 && r.Method == http.MethodPatch:
		s.collectionWrite(req, "update", nil, nil)
	case len(p) == 2 && r.Method == http.MethodDelete:
		s.collectionDelete(req)
	case len(p) == 2:
		methodNotAllowed(w, r, "POST", "PATCH", "DELETE")
	case len(p) == 3 && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		o, ok := s.schema.Object(p[2])
		if !ok {
			writeErrors(w, http.StatusNotFound, notFound())
			return
		}
		s.collectionRetrieve(req, o)
	case len(p) == 4 && r.Method == http.MethodPatch:
		o, ok := s.schema.Object(p[2])
		if !ok {
			writeErrors(w, http.StatusNotFound, notFound())
			return
		}
		f, ok := externalIDField(o, p[3])
		if !ok {
			writeErrors(w, http.StatusNotFound, newAPIError(codeNotFound,
				"Provided external ID field does not exist or is not accessible: %s", p[3]))
			return
		}
		s.collectionWrite(req, "upsert", o, f)
	default:
		writeErrors(w, http.StatusNotFound, notFound())
	}
}

// recordType returns the object named by a record's attributes.type.
func (s *Server) recordType(rec map[string]any) (*Object, *apiError) {
	attrs, _ := rec["attributes"].(map[string]any)
	name, _ := attrs["type"].(string)
	if name == "" {
		e := newAPIError(codeInvalidType, "No SObject Type defined in the request")
		return nil, &e
	}
	o, ok := s.schema.Object(name)
	if !ok {
		e := newAPIError(codeInvalidType, "sObject type '%s' is not supported.", name)
		return nil, &e
	}
	return o, nil
}

// takeID removes the id key ("id" or "Id") of a record and returns it.
func takeID(rec map[string]any) (string, bool) {
	for k, v := range rec {
		if strings.EqualFold(k, "id") {
			delete(rec, k)
			id, _ := v.(string)
			return id, v != nil
		}
	}
	return "", false
}

// collectionWrite runs create, update or upsert (on object o by field ext)
// over the records of the request body.
func (s *Server) collectionWrite(req *restRequest, op string, o *Object, ext *Field) {
	var body collectionRequest
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	if len(body.Records) > maxCollectionRecords {
		writeErrors(req.w, http.StatusBadRequest, exceededIDLimit())
		return
	}
	mode := writeMode{lockRate: s.currentFaults().LockRate, allowSave: allowSave(req.r.Header.Get(duplicateRuleHeader)), urlBase: req.base}
	results := make([]saveResult, len(body.Records))
	failed := false
	tx := s.beginFor(req.r)
	for i, in := range body.Records {
		res := s.collectionRecord(tx, op, o, ext, in, mode)
		failed = failed || !res.Success
		results[i] = res
	}
	if failed && body.AllOrNone {
		tx.rollbackTo(0)
		for i := range results {
			if results[i].Success {
				if op == "create" || (results[i].Created != nil && *results[i].Created) {
					results[i].ID = nil
				}
				results[i] = saveResult{ID: results[i].ID, Errors: []recordError{{
					StatusCode: codeRolledBack, Message: rolledBackMessage, Fields: []string{}}}}
			}
		}
	}
	if err := tx.commit(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	writeValue(req.w, http.StatusOK, results)
}

func failure(id *string, errs ...apiError) saveResult {
	res := saveResult{ID: id, Errors: make([]recordError, len(errs))}
	for i, e := range errs {
		res.Errors[i] = e.record()
	}
	return res
}

// collectionRecord writes one record of a collection request.
func (s *Server) collectionRecord(tx *writeTxn, op string, o *Object, ext *Field, in map[string]any, mode writeMode) saveResult {
	typ, e := s.recordType(in)
	if e != nil {
		return failure(nil, *e)
	}
	if o != nil && typ != o {
		return failure(nil, newAPIError(codeInvalidType, "Record type %s does not match the upsert type %s", typ.Name, o.Name))
	}
	t := s.tables[typ]
	switch op {
	case "create":
		if _, has := takeID(in); has {
			return failure(nil, apiError{Code: codeReadOnlyField, Fields: []string{"Id"},
				Message: "cannot specify Id in an insert call"})
		}
		rec, errs := tx.insert(t, in, mode)
		if errs != nil {
			return failure(nil, errs...)
		}
		return okResult(rec.id(typ))
	case "update":
		id, has := takeID(in)
		if !has || id == "" {
			return failure(nil, newAPIError("MISSING_ARGUMENT", "Id not specified in an update call"))
		}
		rec, errs := tx.update(t, id, in, mode)
		if errs != nil {
			if errs[0].Code == codeNotFound {
				errs = []apiError{newAPIError(codeCrossReference, "invalid cross reference id")}
			}
			return failure(&id, errs...)
		}
		return okResult(rec.id(typ))
	default: // upsert
		value := ""
		if ext.Type == typeID {
			value, _ = takeID(in)
		} else {
			v := inputValue(in, ext.Name)
			value, _ = v.(string)
			if f, isNum := v.(float64); isNum {
				value, _ = coerceString(f)
			}
		}
		ids := s.matchExternal(t, ext, value)
		var (
			rec     *record
			errs    []apiError
			created bool
		)
		switch {
		case value == "" && ext.Type == typeID:
			rec, errs = tx.insert(t, in, mode)
			created = true
		case value == "":
			errs = []apiError{fieldError(codeRequiredMissing, ext.Name, "Required fields are missing: [%s]", ext.Name)}
		case len(ids) > 1:
			errs = []apiError{newAPIError("DUPLICATE_EXTERNAL_ID",
				"%s: more than one record found for external id field: %v", ext.Label, ids)}
		case len(ids) == 1:
			rec, errs = tx.update(t, ids[0], in, mode)
		case ext.Type == typeID:
			errs = []apiError{newAPIError(codeCrossReference, "invalid cross reference id")}
		default:
			rec, errs = tx.insert(t, in, mode)
			created = true
		}
		if errs != nil {
			return failure(nil, errs...)
		}
		res := okResult(rec.id(typ))
		res.Created = &created
		return res
	}
}

func coerceString(f float64) (string, bool) {
	v, err := coerce(&Field{Type: typeString, Length: 255}, f)
	s, _ := v.(string)
	return s, err == nil
}

// collectionDelete serves DELETE /composite/sobjects?ids=…&allOrNone=….
func (s *Server) collectionDelete(req *restRequest) {
	q := req.r.URL.Query()
	var ids []string
	if v := q.Get("ids"); v != "" {
		ids = strings.Split(v, ",")
	}
	if len(ids) == 0 {
		writeErrors(req.w, http.StatusBadRequest, newAPIError("MISSING_ARGUMENT", "ids: Missing argument: ids"))
		return
	}
	if len(ids) > maxCollectionRecords {
		writeErrors(req.w, http.StatusBadRequest, exceededIDLimit())
		return
	}
	allOrNone := q.Get("allOrNone") == "true"
	lockRate := s.currentFaults().LockRate
	results := make([]saveResult, len(ids))
	failed := false
	tx := s.beginFor(req.r)
	for i, raw := range ids {
		id := strings.TrimSpace(raw)
		idp := &id
		o, ok := s.schema.objectForID(id)
		if _, err := Normalize18(id); err != nil || !ok {
			results[i] = failure(idp, apiError{Code: codeMalformedID, Message: "malformed id " + id, Fields: []string{}})
			failed = true
			continue
		}
		rec, errs := tx.remove(s.tables[o], id, lockRate)
		if errs != nil {
			if errs[0].Code == codeNotFound {
				errs = []apiError{newAPIError(codeCrossReference, "invalid cross reference id")}
			}
			results[i] = failure(idp, errs...)
			failed = true
			continue
		}
		results[i] = okResult(rec.id(o))
	}
	if failed && allOrNone {
		tx.rollbackTo(0)
		for i := range results {
			if results[i].Success {
				results[i] = saveResult{ID: results[i].ID, Errors: []recordError{{
					StatusCode: codeRolledBack, Message: rolledBackMessage, Fields: []string{}}}}
			}
		}
	}
	if err := tx.commit(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	writeValue(req.w, http.StatusOK, results)
}

// collectionRetrieve serves GET /composite/sobjects/{o}?ids=…&fields=… and
// its POST form {"ids":[…],"fields":[…]}: one record or null per id.
func (s *Server) collectionRetrieve(req *restRequest, o *Object) {
	var body struct {
		IDs    []string `json:"ids"`
		Fields []string `json:"fields"`
	}
	if req.r.Method == http.MethodPost {
		if !decodeBody(req.w, req.r, &body) {
			return
		}
	} else {
		q := req.r.URL.Query()
		if v := q.Get("ids"); v != "" {
			body.IDs = strings.Split(v, ",")
		}
		if v := q.Get("fields"); v != "" {
			body.Fields = strings.Split(v, ",")
		}
	}
	if len(body.IDs) > 2000 {
		writeErrors(req.w, http.StatusBadRequest, exceededIDLimit())
		return
	}
	if len(body.Fields) == 0 {
		writeErrors(req.w, http.StatusBadRequest, newAPIError("MISSING_ARGUMENT", "fields: Missing argument: fields"))
		return
	}
	var sel []*Field
	for _, name := range body.Fields {
		f, ok := o.Field(strings.TrimSpace(name))
		if !ok {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidField,
				"No such column '%s' on entity '%s'.", name, o.Name))
			return
		}
		sel = append(sel, f)
	}
	t := s.tables[o]
	b := []byte{'['}
	s.mu.RLock()
	for i, id := range body.IDs {
		if i > 0 {
			b = append(b, ',')
		}
		rec, e := s.lookup(t, strings.TrimSpace(id))
		if e != nil {
			b = append(b, "null"...)
			continue
		}
		b = appendFlatRecord(b, o, rec, req.base, sel)
	}
	s.mu.RUnlock()
	writeJSON(req.w, http.StatusOK, append(b, ']'))
}
