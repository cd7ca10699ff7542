package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// schemaModified is the Last-Modified time of the demo org's metadata, for
// describe's If-Modified-Since.
var schemaModified = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// maxBody bounds JSON request bodies.
const maxBody = 64 << 20

func (s *Server) handleGlobalDescribe(req *restRequest) {
	key := "*@" + req.version
	if b, ok := s.describeCache.Load(key); ok {
		writeJSON(req.w, http.StatusOK, b.([]byte))
		return
	}
	b, err := s.schema.globalDescribeJSON(req.version)
	if err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	s.describeCache.Store(key, b)
	writeJSON(req.w, http.StatusOK, b)
}

// handleDescribe serves GET /sobjects/{o}/describe, honouring
// If-Modified-Since with 304 (API-REFERENCE.md §3.2).
func (s *Server) handleDescribe(req *restRequest, o *Object) {
	if ims := req.r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !schemaModified.After(t) {
			req.w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	key := o.Name + "@" + req.version
	b, ok := s.describeCache.Load(key)
	if !ok {
		d, err := o.describeJSON(req.version)
		if err != nil {
			writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
			return
		}
		s.describeCache.Store(key, d)
		b = d
	}
	req.w.Header().Set("Last-Modified", schemaModified.Format(http.TimeFormat))
	writeJSON(req.w, http.StatusOK, b.([]byte))
}

// handleSObjectInfo serves GET /sobjects/{o}: the object's global-describe
// entry and its recent items.
func (s *Server) handleSObjectInfo(req *restRequest, o *Object) {
	var g globalDescribe
	b, err := s.schema.globalDescribeJSON(req.version)
	if err == nil {
		err = json.Unmarshal(b, &g)
	}
	if err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	for _, e := range g.SObjects {
		if e.Name == o.Name {
			writeValue(req.w, http.StatusOK, map[string]any{"objectDescribe": e, "recentItems": []any{}})
			return
		}
	}
	writeErrors(req.w, http.StatusNotFound, notFound())
}

// decodeBody reads a JSON request body into v, answering JSON_PARSER_ERROR
// itself when it is malformed.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		var syn *json.SyntaxError
		msg := "Unexpected end-of-input: expected close marker for OBJECT at [line:1, column:" + strconv.Itoa(len(body)+1) + "]"
		if errors.As(err, &syn) {
			msg = fmt.Sprintf("Unexpected character: %v at [line:1, column:%d]", syn, syn.Offset)
		} else if len(body) > 0 {
			msg = "Cannot deserialize the request body: " + err.Error()
		}
		writeErrors(w, http.StatusBadRequest, newAPIError(codeJSONParser, "%s", msg))
		return false
	}
	return true
}

type saveResult struct {
	ID      *string       `json:"id,omitempty"`
	Success bool          `json:"success"`
	Errors  []recordError `json:"errors"`
	Created *bool         `json:"created,omitempty"`
}

func okResult(id string) saveResult {
	return saveResult{ID: &id, Success: true, Errors: []recordError{}}
}

// handleCreate serves POST /sobjects/{o} (201 {"id","success","errors"}).
func (s *Server) handleCreate(req *restRequest, o *Object) {
	var input map[string]any
	if !decodeBody(req.w, req.r, &input) {
		return
	}
	if id := inputValue(input, "Id"); id != nil {
		writeErrors(req.w, http.StatusBadRequest, apiError{Code: codeReadOnlyField, Fields: []string{"Id"},
			Message: "cannot specify Id in an insert call"})
		return
	}
	tx := s.beginFor(req.r)
	rec, errs := tx.insert(s.tables[o], input, writeMode{lockRate: s.currentFaults().LockRate,
		allowSave: allowSave(req.r.Header.Get(duplicateRuleHeader)), urlBase: req.base})
	if errs != nil {
		tx.rollbackTo(0)
	}
	if err := tx.commit(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	if errs != nil {
		writeErrors(req.w, statusFor(errs[0]), errs...)
		return
	}
	writeValue(req.w, http.StatusCreated, okResult(rec.id(o)))
}

// handleRecord serves GET, PATCH and DELETE /sobjects/{o}/{id}. A segment
// that is not an id of the object is taken as an external id lookup with no
// field, as Salesforce does (checklist item 11).
func (s *Server) handleRecord(req *restRequest, o *Object, seg string) {
	w, r := req.w, req.r
	id18, err := Normalize18(seg)
	if err != nil || id18[:3] != o.KeyPrefix {
		writeErrors(w, http.StatusNotFound, newAPIError(codeNotFound,
			"Provided external ID field does not exist or is not accessible: %s", seg))
		return
	}
	t := s.tables[o]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.mu.RLock()
		rec, e := s.lookup(t, id18)
		s.mu.RUnlock()
		if e != nil {
			writeErrors(w, statusFor(*e), *e)
			return
		}
		s.writeRecord(req, o, rec)
	case http.MethodPatch:
		var input map[string]any
		if !decodeBody(w, r, &input) {
			return
		}
		if v := inputValue(input, "Id"); v != nil {
			if vs, _ := v.(string); !sameID(vs, id18) {
				writeErrors(w, http.StatusBadRequest, fieldError(codeInvalidField, "Id",
					"The Id field should not be specified in the sobject data."))
				return
			}
		}
		s.writeOne(w, r, func(tx *writeTxn) (*record, []apiError) {
			return tx.update(t, id18, input, writeMode{lockRate: s.currentFaults().LockRate})
		}, http.StatusNoContent, nil)
	case http.MethodDelete:
		s.writeOne(w, r, func(tx *writeTxn) (*record, []apiError) {
			return tx.remove(t, id18, s.currentFaults().LockRate)
		}, http.StatusNoContent, nil)
	default:
		methodNotAllowed(w, r, "GET", "PATCH", "DELETE", "HEAD")
	}
}

func sameID(a, b string) bool {
	na, err1 := Normalize18(a)
	nb, err2 := Normalize18(b)
	return err1 == nil && err2 == nil && na == nb
}

// writeOne runs a single-record write and answers with status and body (nil
// body: no content), or with the errors.
func (s *Server) writeOne(w http.ResponseWriter, r *http.Request, op func(*writeTxn) (*record, []apiError), status int, body func(*record) any) {
	tx := s.beginFor(r)
	rec, errs := op(tx)
	if errs != nil {
		tx.rollbackTo(0)
	}
	if err := tx.commit(); err != nil {
		writeErrors(w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	if errs != nil {
		writeErrors(w, statusFor(errs[0]), errs...)
		return
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	writeValue(w, status, body(rec))
}

// writeRecord sends one record, limited to ?fields= when given.
func (s *Server) writeRecord(req *restRequest, o *Object, rec *record) {
	var sel []*Field
	if list := req.r.URL.Query().Get("fields"); list != "" {
		for _, name := range strings.Split(list, ",") {
			f, ok := o.Field(strings.TrimSpace(name))
			if !ok {
				writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidField,
					"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
					strings.TrimSpace(name), o.Name))
				return
			}
			sel = append(sel, f)
		}
	}
	writeJSON(req.w, http.StatusOK, appendFlatRecord(nil, o, rec, req.base, sel))
}

// externalIDField returns the field an upsert or lookup by external id may
// use: Id or an externalId field.
func externalIDField(o *Object, name string) (*Field, bool) {
	f, ok := o.Field(name)
	if !ok || !(f.ExternalID || f.Type == typeID) {
		return nil, false
	}
	return f, true
}

// matchExternal returns the ids of the live records whose field f equals
// value (case-insensitively, as external ids compare).
func (s *Server) matchExternal(t *table, f *Field, value string) []string {
	if f.Type == typeID {
		id, err := Normalize18(value)
		if err != nil {
			return nil
		}
		if rec, ok := t.get(id); ok && !rec.deleted(t.obj) {
			return []string{id}
		}
		return nil
	}
	if id, ok := t.lookupUnique(f, value); ok {
		return []string{id}
	}
	if f.Unique {
		return nil
	}
	var ids []string
	for _, r := range t.recs {
		if v, ok := r.vals[f.index].(string); ok && strings.EqualFold(v, value) && !r.deleted(t.obj) {
			ids = append(ids, r.id(t.obj))
		}
	}
	return ids
}

// handleExternalID serves /sobjects/{o}/{field}/{value}: GET the record,
// PATCH upsert (API-REFERENCE.md §4), DELETE.
func (s *Server) handleExternalID(req *restRequest, o *Object, fieldName, value string) {
	w, r := req.w, req.r
	f, ok := externalIDField(o, fieldName)
	if !ok {
		writeErrors(w, http.StatusNotFound, newAPIError(codeNotFound,
			"Provided external ID field does not exist or is not accessible: %s", fieldName))
		return
	}
	t := s.tables[o]
	switch r.Method {
	case http.MethodGet, http.MethodDelete:
		s.mu.RLock()
		ids := s.matchExternal(t, f, value)
		s.mu.RUnlock()
		switch {
		case len(ids) == 0:
			writeErrors(w, http.StatusNotFound, notFound())
		case len(ids) > 1:
			s.writeMultipleChoices(req, o, ids)
		case r.Method == http.MethodGet:
			s.mu.RLock()
			rec, _ := t.get(ids[0])
			s.mu.RUnlock()
			s.writeRecord(req, o, rec)
		default:
			s.writeOne(w, r, func(tx *writeTxn) (*record, []apiError) {
				return tx.remove(t, ids[0], s.currentFaults().LockRate)
			}, http.StatusNoContent, nil)
		}
	case http.MethodPatch, http.MethodPost:
		var input map[string]any
		if !decodeBody(w, r, &input) {
			return
		}
		s.upsertOne(req, t, f, value, input)
	default:
		methodNotAllowed(w, r, "GET", "PATCH", "DELETE")
	}
}

func (s *Server) writeMultipleChoices(req *restRequest, o *Object, ids []string) {
	urls := make([]string, len(ids))
	for i, id := range ids {
		urls[i] = req.base + "/sobjects/" + o.Name + "/" + id
	}
	writeValue(req.w, http.StatusMultipleChoices, urls)
}

// upsertOne creates or updates by external id: 201 created, 200
// {"created":false} on v46.0+ (204 before), 300 for several matches.
func (s *Server) upsertOne(req *restRequest, t *table, f *Field, value string, input map[string]any) {
	o := t.obj
	for k := range input {
		if strings.EqualFold(k, f.Name) {
			delete(input, k)
		}
	}
	updateOnly := req.r.URL.Query().Get("updateOnly") == "true"
	lockRate := s.currentFaults().LockRate
	tx := s.beginFor(req.r)
	ids := s.matchExternal(t, f, value)
	var (
		rec     *record
		errs    []apiError
		created bool
	)
	switch {
	case len(ids) > 1:
		_ = tx.commit()
		s.writeMultipleChoices(req, o, ids)
		return
	case len(ids) == 1:
		rec, errs = tx.update(t, ids[0], input, writeMode{lockRate: lockRate})
	case updateOnly || f.Type == typeID:
		errs = []apiError{notFound()}
	default:
		input[f.Name] = value
		rec, errs = tx.insert(t, input, writeMode{lockRate: lockRate,
			allowSave: allowSave(req.r.Header.Get(duplicateRuleHeader)), urlBase: req.base})
		created = true
	}
	if errs != nil {
		tx.rollbackTo(0)
	}
	if err := tx.commit(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	if errs != nil {
		writeErrors(req.w, statusFor(errs[0]), errs...)
		return
	}
	res := okResult(rec.id(o))
	res.Created = &created
	switch {
	case created:
		writeValue(req.w, http.StatusCreated, res)
	case versionAtLeast(req.version, 46):
		writeValue(req.w, http.StatusOK, res)
	default:
		req.w.WriteHeader(http.StatusNoContent)
	}
}

func versionAtLeast(version string, major int) bool {
	n, _ := strconv.Atoi(strings.TrimSuffix(version, ".0"))
	return n >= major
}
