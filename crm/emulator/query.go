package emulator

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"crmsheets/crm/emulator/soql"
)

// SOQL query and queryAll (API-REFERENCE.md §5): results in pages of 2000
// (Sforce-Query-Options: batchSize=200…2000), continued through query
// locators /query/01g…-N that expire after 15 minutes of disuse.

const (
	defaultBatchSize = 2000
	minBatchSize     = 200
	// cursorTTL is how long an unused query locator stays valid.
	cursorTTL = 15 * time.Minute
	// maxCursors is Salesforce's limit of open query cursors per user:
	// "If 10 QueryLocator cursors are open when a client application,
	// logged in as the same user, attempts to open a new one, then the
	// oldest of the 10 cursors is released", and using the released one
	// answers INVALID_QUERY_LOCATOR (SOQL and SOSL reference, "Query
	// cursors"). Every session of the demo org is the demo user's, so the
	// one store is that user's.
	maxCursors = 10
)

// projection is one output key of a query record: a field, a parent
// relationship with its own projections, or a parent-to-child subquery.
type projection struct {
	name     string // canonical field or relationship name
	rel      *Field // the reference field, for a relationship
	children []*projection
	sub      *childQuery // for a subquery
}

// childQuery is an evaluated parent-to-child subquery: the matching child
// records of every parent, in the subquery's order and within its LIMIT.
type childQuery struct {
	child    *Object
	proj     []*projection
	byParent map[string][]*record // 18-character parent id → children
}

// buildProjection turns the canonical select list into a tree in select
// order, merging paths through the same relationship; subqueries become
// nodes of their own.
func buildProjection(o *Object, fields []soql.FieldRef, subs map[string]*childQuery) []*projection {
	var root []*projection
	for _, f := range fields {
		if f.Sub != nil {
			root = append(root, &projection{name: f.Path, sub: subs[f.Path]})
			continue
		}
		addPath(o, &root, strings.Split(f.Path, "."))
	}
	return root
}

func addPath(o *Object, nodes *[]*projection, segs []string) {
	for _, n := range *nodes {
		if strings.EqualFold(n.name, segs[0]) && (n.rel != nil) == (len(segs) > 1) {
			if len(segs) > 1 {
				addPath(nil, &n.children, segs[1:])
			}
			return
		}
	}
	n := &projection{name: segs[0]}
	if len(segs) > 1 && o != nil {
		n.rel, _ = o.relationship(segs[0])
	}
	if len(segs) > 1 {
		if n.rel == nil {
			n.rel = &Field{RelationshipName: segs[0]} // resolved per record below
		}
		addPath(nil, &n.children, segs[1:])
	}
	*nodes = append(*nodes, n)
}

// appendProjected appends a query record: attributes, then the projected
// fields, parents as nested objects (null when the lookup is empty).
func (s *Server) appendProjected(b []byte, o *Object, r *record, base string, proj []*projection) []byte {
	b = append(b, '{')
	b = appendAttributes(b, o, r.id(o), base)
	for _, p := range proj {
		b = append(b, ',', '"')
		b = append(b, p.name...)
		b = append(b, '"', ':')
		if p.sub != nil {
			b = s.appendChildren(b, p.sub, r.id(o), base)
			continue
		}
		if p.rel == nil {
			f, ok := o.byName[strings.ToLower(p.name)]
			if !ok {
				b = append(b, "null"...)
				continue
			}
			b = appendValue(b, f, r.vals[f.index])
			continue
		}
		ref, ok := o.relationship(p.name)
		if !ok {
			b = append(b, "null"...)
			continue
		}
		po, pr := s.parent(ref, r)
		if pr == nil {
			b = append(b, "null"...)
			continue
		}
		b = s.appendProjected(b, po, pr, base, p.children)
	}
	return append(b, '}')
}

// appendChildren appends a subquery's records under one parent as
// Salesforce nests them: {"totalSize","done","records"}, or null when there
// are none.
func (s *Server) appendChildren(b []byte, cq *childQuery, parentID, base string) []byte {
	kids := cq.byParent[parentID]
	if len(kids) == 0 {
		return append(b, "null"...)
	}
	b = append(b, `{"totalSize":`...)
	b = strconv.AppendInt(b, int64(len(kids)), 10)
	b = append(b, `,"done":true,"records":[`...)
	for i, k := range kids {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendProjected(b, cq.child, k, base, cq.proj)
	}
	return append(b, "]}"...)
}

// cursor is an open query result being paged through.
type cursor struct {
	o        *Object
	proj     []*projection
	rows     []*record
	lastUsed time.Time
	seq      uint64 // opening order: the oldest is released at the limit
}

type cursorStore struct {
	mu   sync.Mutex
	next uint64
	open map[string]*cursor
}

func newCursorStore() *cursorStore { return &cursorStore{next: 1, open: map[string]*cursor{}} }

func (c *cursorStore) add(cur *cursor, now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if len(c.open) >= maxCursors {
		oldest := ""
		for id, cur := range c.open {
			if oldest == "" || cur.seq < c.open[oldest].seq {
				oldest = id
			}
		}
		delete(c.open, oldest)
	}
	id := newID(PrefixQueryLocator, c.next)
	cur.seq = c.next
	c.next++
	c.open[id] = cur
	return id
}

func (c *cursorStore) get(id string, now time.Time) (*cursor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	cur, ok := c.open[id]
	if ok {
		cur.lastUsed = now
	}
	return cur, ok
}

func (c *cursorStore) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.open, id)
}

func (c *cursorStore) expire(now time.Time) {
	for id, cur := range c.open {
		if now.Sub(cur.lastUsed) > cursorTTL {
			delete(c.open, id)
		}
	}
}

// batchSize reads Sforce-Query-Options: batchSize=N, a hint clamped to
// 200…2000.
func batchSize(r *http.Request) int {
	for _, opt := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(opt), "=")
		if !strings.EqualFold(k, "batchSize") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return defaultBatchSize
		}
		return min(max(n, minBatchSize), defaultBatchSize)
	}
	return defaultBatchSize
}

func queryError(w http.ResponseWriter, err error) {
	var qe *soql.Error
	if errors.As(err, &qe) {
		writeErrors(w, http.StatusBadRequest, apiError{Code: qe.Code, Message: qe.Message})
		return
	}
	var ae apiError
	if errors.As(err, &ae) {
		writeErrors(w, http.StatusBadRequest, ae)
		return
	}
	writeErrors(w, http.StatusBadRequest, newAPIError("MALFORMED_QUERY", "%v", err))
}

// handleQuery serves /query?q=, /queryAll?q= and their locators.
func (s *Server) handleQuery(req *restRequest, all bool) {
	if len(req.parts) == 2 {
		s.queryMore(req, req.parts[1])
		return
	}
	if len(req.parts) > 2 {
		writeErrors(req.w, http.StatusNotFound, notFound())
		return
	}
	text := req.r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" {
		writeErrors(req.w, http.StatusBadRequest, newAPIError("MALFORMED_QUERY", "A query string has to be specified"))
		return
	}
	if req.r.URL.Query().Get("columns") == "true" {
		s.handleColumns(req, text)
		return
	}
	if err := s.emptyRecycleBin(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	res, err := s.runQuery(text, all)
	if err != nil {
		queryError(req.w, err)
		return
	}
	if res.count {
		writeJSON(req.w, http.StatusOK, []byte(`{"totalSize":`+strconv.Itoa(res.total)+`,"done":true,"records":[]}`))
		return
	}
	if res.aggregate {
		writeJSON(req.w, http.StatusOK, appendAggregateResult(nil, res.columns, res.aggRows))
		return
	}
	cur := &cursor{o: res.o, proj: res.proj, rows: res.rows, lastUsed: s.now()}
	locator := ""
	size := batchSize(req.r)
	if len(res.rows) > size {
		locator = s.cursors.add(cur, s.now())
	}
	s.writePage(req, cur, locator, 0, size)
}

// queryResult is an evaluated query.
type queryResult struct {
	o     *Object
	proj  []*projection
	rows  []*record
	count bool
	total int
	// aggregate is set for an aggregate query, whose rows are aggRows
	// under the names columns.
	aggregate bool
	columns   []string
	aggRows   [][]any
}

// aggregateLimit is Salesforce's answer to an aggregate query with more
// rows than one batch (real body in API-REFERENCE.md §8).
var aggregateLimit = newAPIError(codeExceededIDLimit,
	"Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch")

// appendAggregateResult appends a query response of AggregateResult rows:
// attributes without url, then the columns in select order.
func appendAggregateResult(b []byte, cols []string, rows [][]any) []byte {
	b = append(b, `{"totalSize":`...)
	b = strconv.AppendInt(b, int64(len(rows)), 10)
	b = append(b, `,"done":true,"records":[`...)
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"attributes":{"type":"AggregateResult"}`...)
		for j, c := range cols {
			b = append(b, ',')
			b = appendString(b, c)
			b = append(b, ':')
			b = appendAggregateValue(b, row[j])
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendAggregateValue writes a counted value as an integer, a sum or
// average as a double ("300.0"), and a grouped, minimum or maximum value
// as it is stored.
func appendAggregateValue(b []byte, v any) []byte {
	if n, ok := v.(int); ok {
		return strconv.AppendInt(b, int64(n), 10)
	}
	return appendValue(b, nil, v)
}

// scanMode says how runQuery finds the records to evaluate Match on.
type scanMode int

const (
	// planned reads the candidates of a selective WHERE from indexes
	// (query_plan.go) and scans the table otherwise.
	planned scanMode = iota
	// fullScan evaluates every record: the reference the planner is tested
	// and benchmarked against.
	fullScan
)

// runQuery parses, resolves and evaluates a query against a snapshot of
// the table.
func (s *Server) runQuery(text string, all bool) (*queryResult, error) {
	return s.runQueryMode(text, all, planned)
}

// runQueryMode is runQuery with the choice of scan; results are the same
// in every mode.
func (s *Server) runQueryMode(text string, all bool, mode scanMode) (*queryResult, error) {
	q, err := soql.Parse(text)
	if err != nil {
		return nil, err
	}
	if err := q.Resolve(soqlSchema{s.schema}); err != nil {
		return nil, err
	}
	o, _ := s.schema.Object(q.Object)
	t := s.tables[o]
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	scan := t.recs
	if mode == planned {
		if positions, ok := t.planCandidates(q); ok {
			scan = make([]*record, len(positions))
			for i, p := range positions {
				scan[i] = t.recs[p]
			}
		}
	}
	views := make([]recordView, 0, max(len(scan)/4, min(len(scan), 256)))
	for _, r := range scan {
		if !all && r.deleted(o) {
			continue
		}
		v := recordView{s: s, o: o, r: r}
		ok, err := q.Match(v, now)
		if err != nil {
			return nil, err
		}
		if ok {
			views = append(views, v)
		}
	}
	if q.IsAggregate() {
		rows, err := soql.Aggregate(q, views, now)
		if err != nil {
			return nil, err
		}
		if len(rows) > soql.MaxAggregateRows {
			return nil, aggregateLimit
		}
		return &queryResult{o: o, aggregate: true, columns: q.Columns(), aggRows: rows, total: len(rows)}, nil
	}
	soql.SortRecords(q, views)
	if q.Offset > 0 {
		if q.Offset >= len(views) {
			views = views[:0]
		} else {
			views = views[q.Offset:]
		}
	}
	if q.Limit >= 0 && q.Limit < len(views) {
		views = views[:q.Limit]
	}
	res := &queryResult{o: o, count: q.Count, total: len(views)}
	if q.Count {
		return res, nil
	}
	res.rows = make([]*record, len(views))
	for i, v := range views {
		res.rows[i] = v.r
	}
	subs := map[string]*childQuery{}
	for _, f := range q.Fields {
		if f.Sub != nil {
			cq, err := s.evalChildQuery(o, f, all, now)
			if err != nil {
				return nil, err
			}
			subs[f.Path] = cq
		}
	}
	res.proj = buildProjection(o, q.Fields, subs)
	return res, nil
}

// evalChildQuery evaluates a parent-to-child subquery over the whole child
// table once, grouping its matches by parent. The caller holds s.mu.
func (s *Server) evalChildQuery(parent *Object, f soql.FieldRef, all bool, now time.Time) (*childQuery, error) {
	var rel *ChildRelationship
	for i := range parent.Children {
		if parent.Children[i].RelationshipName == f.Path {
			rel = &parent.Children[i]
		}
	}
	if rel == nil {
		return nil, newAPIError(codeInvalidType, "Didn't understand relationship '%s' in FROM part of query call.", f.Path)
	}
	child := s.mustObject(rel.ChildSObject)
	ref, _ := child.Field(rel.Field)
	groups := map[string][]recordView{}
	for _, r := range s.tables[child].recs {
		if !all && r.deleted(child) {
			continue
		}
		pid, ok := r.vals[ref.index].(string)
		if !ok || pid == "" || !strings.HasPrefix(pid, parent.KeyPrefix) {
			continue
		}
		v := recordView{s: s, o: child, r: r}
		ok, err := f.Sub.Match(v, now)
		if err != nil {
			return nil, err
		}
		if ok {
			groups[pid] = append(groups[pid], v)
		}
	}
	cq := &childQuery{child: child, byParent: make(map[string][]*record, len(groups))}
	for pid, views := range groups {
		soql.SortRecords(f.Sub, views)
		if f.Sub.Limit >= 0 && f.Sub.Limit < len(views) {
			views = views[:f.Sub.Limit]
		}
		recs := make([]*record, len(views))
		for i, v := range views {
			recs[i] = v.r
		}
		cq.byParent[pid] = recs
	}
	cq.proj = buildProjection(child, f.Sub.Fields, nil)
	return cq, nil
}

// writePage sends rows [from, from+size) of a cursor.
func (s *Server) writePage(req *restRequest, cur *cursor, locator string, from, size int) {
	to := min(from+size, len(cur.rows))
	b := make([]byte, 0, 64+(to-from)*512)
	b = append(b, `{"totalSize":`...)
	b = strconv.AppendInt(b, int64(len(cur.rows)), 10)
	done := to >= len(cur.rows)
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, done)
	if !done {
		b = append(b, `,"nextRecordsUrl":"`...)
		b = append(b, req.base...)
		b = append(b, "/query/"...)
		b = append(b, locator...)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(to), 10)
		b = append(b, '"')
	} else if locator != "" {
		s.cursors.drop(locator)
	}
	b = append(b, `,"records":[`...)
	s.mu.RLock()
	for i := from; i < to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = s.appendProjected(b, cur.o, cur.rows[i], req.base, cur.proj)
	}
	s.mu.RUnlock()
	b = append(b, "]}"...)
	writeJSON(req.w, http.StatusOK, b)
}

// queryMore serves /query/{locator} (and /queryAll/{locator}).
func (s *Server) queryMore(req *restRequest, locator string) {
	id, pos, ok := strings.Cut(locator, "-")
	from, err := strconv.Atoi(pos)
	invalid := func() {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidQueryLocator, "invalid query locator"))
	}
	if !ok || err != nil || from < 0 {
		invalid()
		return
	}
	cur, ok := s.cursors.get(id, s.now())
	if !ok || from > len(cur.rows) {
		invalid()
		return
	}
	s.writePage(req, cur, id, from, batchSize(req.r))
}
