package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Composite resources (issue 14 item 5), after Salesforce's REST API
// Developer Guide ("sObject Tree", "Composite"):
//
//   - POST /composite/tree/{sObject} creates up to 200 records in trees of
//     nested children ("Contacts": {"records": […]}), each with a
//     referenceId, all or none: 201 {"hasErrors":false,"results":[{"referenceId","id"}]}
//     in creation order (roots first, then each level), or 400
//     {"hasErrors":true,"results":[{"referenceId","errors":[…]}]} naming the
//     records that failed.
//   - POST /composite runs up to 25 subrequests in order; a later one may
//     use an earlier one's result as @{referenceId.path} (@{newAccount.id},
//     @{q.records[0].Id}) in its url or body; with allOrNone a failure
//     rolls every subrequest back. The answer is always 200
//     {"compositeResponse":[{"body","httpHeaders","httpStatusCode","referenceId"}]}.
//
// The whole request counts as one API call.

const (
	maxTreeRecords       = 200
	maxTreeDepth         = 5
	maxTreeTypes         = 5
	maxCompositeRequests = 25
)

// journal collects the changes committed by a composite request's
// subrequests, so that allOrNone can undo them.
type journal struct{ changes []change }

type journalKey struct{}

// undo reverts the journaled changes, newest first, in memory and in the
// data file. Salesforce runs an allOrNone composite in one transaction; the
// demo org commits each subrequest and undoes them afterwards, so a write
// another client makes to the same records in between is undone with them.
func (s *Server) undo(j *journal) error {
	if len(j.changes) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for i := len(j.changes) - 1; i >= 0; i-- {
		c := j.changes[i]
		if c.old == nil {
			c.t.drop(c.new)
		} else {
			c.t.put(c.old, now)
		}
	}
	if s.db == nil {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for i := len(j.changes) - 1; i >= 0; i-- {
			c := j.changes[i]
			o := c.t.obj
			b, err := tx.CreateBucketIfNotExists([]byte(o.Name))
			if err != nil {
				return err
			}
			if c.old == nil {
				if err := b.Delete([]byte(c.new.id(o))); err != nil {
					return err
				}
				continue
			}
			v, err := encodeRecord(o, c.old)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(c.old.id(o)), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// routeComposite dispatches /composite and /composite/tree/{sObject}
// (/composite/sobjects is routed to collections.go before).
func (s *Server) routeComposite(req *restRequest) {
	p := req.parts
	switch {
	case len(p) == 1:
		if req.r.Method != http.MethodPost {
			methodNotAllowed(req.w, req.r, "POST")
			return
		}
		s.handleComposite(req)
	case len(p) == 3 && p[1] == "tree":
		if req.r.Method != http.MethodPost {
			methodNotAllowed(req.w, req.r, "POST")
			return
		}
		o, ok := s.schema.Object(p[2])
		if !ok {
			writeErrors(req.w, http.StatusNotFound, notFound())
			return
		}
		s.handleTree(req, o)
	default:
		writeErrors(req.w, http.StatusNotFound, notFound())
	}
}

// treeNode is one record of an sObject tree request.
type treeNode struct {
	o      *Object
	ref    string
	fields map[string]any
	// parent and lookup link a child to the record it is nested under.
	parent *treeNode
	lookup *Field
	level  int
	id     string
}

type treeResult struct {
	ReferenceID string        `json:"referenceId"`
	ID          string        `json:"id,omitempty"`
	Errors      []recordError `json:"errors,omitempty"`
}

type treeResponse struct {
	HasErrors bool         `json:"hasErrors"`
	Results   []treeResult `json:"results"`
}

// handleTree serves POST /composite/tree/{sObject}.
func (s *Server) handleTree(req *restRequest, root *Object) {
	var body struct {
		Records []map[string]any `json:"records"`
	}
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	var nodes []*treeNode
	types := map[string]bool{}
	var walk func(recs []map[string]any, o *Object, parent *treeNode, lookup *Field, level int) *apiError
	walk = func(recs []map[string]any, o *Object, parent *treeNode, lookup *Field, level int) *apiError {
		if level > maxTreeDepth {
			// The wording is the demo org's; Salesforce allows five levels.
			e := newAPIError("INVALID_INPUT", "sObject trees may be at most %d levels deep", maxTreeDepth)
			return &e
		}
		for _, in := range recs {
			attrs, _ := in["attributes"].(map[string]any)
			typ, _ := attrs["type"].(string)
			ref, _ := attrs["referenceId"].(string)
			if typ == "" || !strings.EqualFold(typ, o.Name) {
				e := newAPIError("INVALID_INPUT", "The record type %q does not match the sObject type %s of its place in the tree", typ, o.Name)
				return &e
			}
			if ref == "" {
				e := newAPIError("INVALID_INPUT", "Include a reference ID for each record in the request")
				return &e
			}
			types[o.Name] = true
			n := &treeNode{o: o, ref: ref, fields: map[string]any{}, parent: parent, lookup: lookup, level: level}
			nodes = append(nodes, n)
			for k, v := range in {
				if k == "attributes" {
					continue
				}
				if m, ok := v.(map[string]any); ok {
					if rel, ok := childRelationship(o, k); ok {
						child := s.mustObject(rel.ChildSObject)
						f, _ := child.Field(rel.Field)
						kids, _ := m["records"].([]any)
						var maps []map[string]any
						for _, kid := range kids {
							km, _ := kid.(map[string]any)
							maps = append(maps, km)
						}
						if e := walk(maps, child, n, f, level+1); e != nil {
							return e
						}
						continue
					}
				}
				n.fields[k] = v
			}
		}
		return nil
	}
	if e := walk(body.Records, root, nil, nil, 1); e != nil {
		writeErrors(req.w, http.StatusBadRequest, *e)
		return
	}
	if len(nodes) > maxTreeRecords {
		writeErrors(req.w, http.StatusBadRequest, exceededIDLimit())
		return
	}
	if len(types) > maxTreeTypes {
		writeErrors(req.w, http.StatusBadRequest, newAPIError("INVALID_INPUT", "sObject trees may hold at most %d types of records", maxTreeTypes))
		return
	}
	var failures []treeResult
	seen := map[string]int{}
	for _, n := range nodes {
		seen[n.ref]++
	}
	for _, n := range nodes {
		if seen[n.ref] > 1 {
			// One result per duplicate, as the documentation says; the
			// wording is the demo org's.
			failures = append(failures, treeResult{ReferenceID: n.ref, Errors: []recordError{
				newAPIError("INVALID_INPUT", "Duplicate ReferenceId provided in the request: %s", n.ref).record()}})
		}
	}
	if len(failures) > 0 {
		writeValue(req.w, http.StatusBadRequest, treeResponse{HasErrors: true, Results: failures})
		return
	}
	// Roots first, then each level, in request order within a level.
	var ordered []*treeNode
	for level := 1; level <= maxTreeDepth; level++ {
		for _, n := range nodes {
			if n.level == level {
				ordered = append(ordered, n)
			}
		}
	}
	tx := s.beginFor(req.r)
	lockRate := s.currentFaults().LockRate
	for _, n := range ordered {
		if inputValue(n.fields, "Id") != nil {
			failures = append(failures, treeResult{ReferenceID: n.ref, Errors: []recordError{
				apiError{Code: codeReadOnlyField, Fields: []string{"Id"}, Message: "cannot specify Id in an insert call"}.record()}})
			continue
		}
		if n.parent != nil {
			n.fields[n.lookup.Name] = n.parent.id
		}
		rec, errs := tx.insert(s.tables[n.o], n.fields, writeMode{lockRate: lockRate, allowSave: allowSave(req.r.Header.Get(duplicateRuleHeader)), urlBase: req.base})
		if errs != nil {
			res := treeResult{ReferenceID: n.ref}
			for _, e := range errs {
				res.Errors = append(res.Errors, e.record())
			}
			failures = append(failures, res)
			continue
		}
		n.id = rec.id(n.o)
	}
	if len(failures) > 0 {
		tx.rollbackTo(0)
	}
	if err := tx.commit(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	if len(failures) > 0 {
		writeValue(req.w, http.StatusBadRequest, treeResponse{HasErrors: true, Results: failures})
		return
	}
	out := treeResponse{Results: make([]treeResult, len(ordered))}
	for i, n := range ordered {
		out.Results[i] = treeResult{ReferenceID: n.ref, ID: n.id}
	}
	writeValue(req.w, http.StatusCreated, out)
}

// childRelationship finds a child relationship of o by name.
func childRelationship(o *Object, name string) (ChildRelationship, bool) {
	for _, c := range o.Children {
		if strings.EqualFold(c.RelationshipName, name) {
			return c, true
		}
	}
	return ChildRelationship{}, false
}

type compositeSubrequest struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        json.RawMessage   `json:"body"`
	HTTPHeaders map[string]string `json:"httpHeaders"`
}

type compositeResult struct {
	Body           json.RawMessage   `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

// refPattern is a reference to an earlier subrequest's result.
var refPattern = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)\}`)

const (
	haltedCode    = "PROCESSING_HALTED"
	rolledBackMsg = "The transaction was rolled back since another operation in the same transaction failed."
)

func haltedBody(msg string) json.RawMessage {
	return encodeTopLevel([]apiError{newAPIError(haltedCode, "%s", msg)})
}

// handleComposite serves POST /composite.
func (s *Server) handleComposite(req *restRequest) {
	var body struct {
		AllOrNone          bool                  `json:"allOrNone"`
		CollateSubrequests bool                  `json:"collateSubrequests"`
		CompositeRequest   []compositeSubrequest `json:"compositeRequest"`
	}
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	if len(body.CompositeRequest) == 0 {
		writeErrors(req.w, http.StatusBadRequest, newAPIError("INVALID_INPUT", "compositeRequest must hold at least one subrequest"))
		return
	}
	if len(body.CompositeRequest) > maxCompositeRequests {
		// The limit is Salesforce's; code and wording are a guess.
		writeErrors(req.w, http.StatusBadRequest, newAPIError("LIMIT_EXCEEDED",
			"A composite request may contain at most %d subrequests", maxCompositeRequests))
		return
	}
	refs := map[string]bool{}
	for _, sub := range body.CompositeRequest {
		if sub.ReferenceID == "" || refs[sub.ReferenceID] {
			writeErrors(req.w, http.StatusBadRequest, newAPIError("INVALID_INPUT",
				"Every subrequest needs a referenceId unique within the request; %q is missing or repeated", sub.ReferenceID))
			return
		}
		refs[sub.ReferenceID] = true
	}
	j := &journal{}
	ctx := context.WithValue(req.r.Context(), journalKey{}, j)
	results := make([]compositeResult, len(body.CompositeRequest))
	values := map[string]any{} // referenceId → decoded body of a successful subrequest
	failedAt := -1
	for i, sub := range body.CompositeRequest {
		res := s.runSubrequest(ctx, req, sub, values)
		results[i] = res
		if res.HTTPStatusCode >= 400 {
			if body.AllOrNone {
				failedAt = i
				break
			}
			continue
		}
		var v any
		if len(res.Body) > 0 && json.Unmarshal(res.Body, &v) == nil {
			values[sub.ReferenceID] = v
		}
	}
	if failedAt >= 0 {
		if err := s.undo(j); err != nil {
			writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
			return
		}
		for i, sub := range body.CompositeRequest {
			if i != failedAt {
				results[i] = compositeResult{Body: haltedBody(rolledBackMsg), HTTPHeaders: map[string]string{},
					HTTPStatusCode: http.StatusBadRequest, ReferenceID: sub.ReferenceID}
			}
		}
	}
	writeValue(req.w, http.StatusOK, map[string]any{"compositeResponse": results})
}

// runSubrequest resolves a subrequest's references and serves it through
// the same routes as a top-level call, without counting it separately.
func (s *Server) runSubrequest(ctx context.Context, parent *restRequest, sub compositeSubrequest, values map[string]any) compositeResult {
	fail := func(status int, b json.RawMessage) compositeResult {
		return compositeResult{Body: b, HTTPHeaders: map[string]string{}, HTTPStatusCode: status, ReferenceID: sub.ReferenceID}
	}
	var refErr string
	resolve := func(text string, quoteJSON bool) string {
		return refPattern.ReplaceAllStringFunc(text, func(m string) string {
			parts := refPattern.FindStringSubmatch(m)
			v, ok := lookupRef(values, parts[1], parts[2])
			if !ok {
				if refErr == "" {
					refErr = fmt.Sprintf("Invalid reference specified. No value for %s%s found in %s. Provided referenceId ('%s') doesn't exist or its subrequest failed.",
						parts[1], parts[2], parts[1], parts[1])
				}
				return m
			}
			str := fmt.Sprint(v)
			if quoteJSON {
				b, _ := json.Marshal(str)
				return string(b[1 : len(b)-1])
			}
			return url.PathEscape(str)
		})
	}
	target := resolve(sub.URL, false)
	var bodyText []byte
	if len(sub.Body) > 0 && string(sub.Body) != "null" {
		bodyText = []byte(resolve(string(sub.Body), true))
	}
	if refErr != "" {
		return fail(http.StatusBadRequest, haltedBody(refErr))
	}
	u, err := url.Parse(target)
	rest, ok := strings.CutPrefix(u.Path, "/services/data/")
	if err != nil || !ok {
		return fail(http.StatusNotFound, errorsJSON([]apiError{notFound()}))
	}
	seg, tail, _ := strings.Cut(rest, "/")
	version, ok := parseVersion(seg)
	if !ok {
		return fail(http.StatusNotFound, errorsJSON([]apiError{notFound()}))
	}
	tail = strings.TrimSuffix(tail, "/")
	var parts []string
	if tail != "" {
		parts = strings.Split(tail, "/")
	}
	if len(parts) > 0 && (parts[0] == "jobs" || (parts[0] == "composite" && (len(parts) == 1 || parts[1] != "sobjects"))) {
		// Salesforce does not run these inside a composite request; the
		// wording is the demo org's.
		return fail(http.StatusBadRequest, errorsJSON([]apiError{newAPIError("INVALID_INPUT",
			"The composite request does not support the resource %s", u.Path)}))
	}
	method := strings.ToUpper(sub.Method)
	r, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(bodyText))
	if err != nil {
		return fail(http.StatusBadRequest, errorsJSON([]apiError{newAPIError("INVALID_INPUT", "%v", err)}))
	}
	r.Body = io.NopCloser(bytes.NewReader(bodyText))
	r.Header = parent.r.Header.Clone()
	r.Header.Set("Content-Type", "application/json")
	for k, v := range sub.HTTPHeaders {
		r.Header.Set(k, v)
	}
	rec := newBufferedResponse()
	s.route(&restRequest{w: rec, r: r, version: version, parts: parts, base: "/services/data/v" + version})
	headers := map[string]string{}
	b := rec.body.Bytes()
	if rec.status == http.StatusCreated && method == http.MethodPost && len(parts) == 2 && parts[0] == "sobjects" {
		var created struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(b, &created) == nil && created.ID != "" {
			headers["Location"] = u.Path + "/" + created.ID
		}
	}
	if len(b) == 0 {
		b = nil
	}
	return compositeResult{Body: b, HTTPHeaders: headers, HTTPStatusCode: rec.status, ReferenceID: sub.ReferenceID}
}

// lookupRef reads ".id" or ".records[0].Id" from a subrequest's result.
func lookupRef(values map[string]any, ref, path string) (any, bool) {
	v, ok := values[ref]
	if !ok {
		return nil, false
	}
	for path != "" {
		switch path[0] {
		case '.':
			end := strings.IndexAny(path[1:], ".[")
			if end < 0 {
				end = len(path) - 1
			}
			key := path[1 : end+1]
			path = path[end+1:]
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[key]; !ok {
				return nil, false
			}
		case '[':
			end := strings.IndexByte(path, ']')
			n, err := strconv.Atoi(path[1:end])
			path = path[end+1:]
			a, ok := v.([]any)
			if err != nil || !ok || n >= len(a) {
				return nil, false
			}
			v = a[n]
		default:
			return nil, false
		}
	}
	if v == nil {
		return nil, false
	}
	return v, true
}

func errorsJSON(errs []apiError) json.RawMessage { return encodeTopLevel(errs) }
