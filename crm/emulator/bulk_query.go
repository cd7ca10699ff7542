package emulator

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"crmsheets/crm/emulator/soql"
)

// Bulk API 2.0 query jobs (API-REFERENCE.md §12 "Query"): create
// (UploadComplete), evaluation in a goroutine, and results as CSV pages of
// maxRecords rows continued by Sforce-Locator, which is the literal string
// "null" on the last page (checklist item 16).

// defaultBulkMaxRecords is the page size when the client sends no
// maxRecords; Salesforce chooses one "based on the service".
const defaultBulkMaxRecords = 50000

// queryData is the query of a query job and, once complete, its result.
type queryData struct {
	text    string
	columns []string // canonical select paths, the CSV header
	fields  []*Field // the field each column reads, for formatting
	rows    []*record
}

type queryJobRequest struct {
	Operation       string `json:"operation"`
	Query           string `json:"query"`
	ContentType     string `json:"contentType"`
	ColumnDelimiter string `json:"columnDelimiter"`
	LineEnding      string `json:"lineEnding"`
}

// createQueryJob serves POST /jobs/query. The query is parsed and resolved
// here, so a bad one is refused with the same errors as /query.
func (s *Server) createQueryJob(req *restRequest) {
	var body queryJobRequest
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	if body.Operation != "query" && body.Operation != "queryAll" {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob,
			"Invalid operation %q: use query or queryAll", body.Operation))
		return
	}
	lineEnding, delimiter, e := jobFormat(body.ContentType, body.LineEnding, body.ColumnDelimiter)
	if e != nil {
		writeErrors(req.w, http.StatusBadRequest, *e)
		return
	}
	q, err := soql.Parse(body.Query)
	if err == nil {
		err = q.Resolve(soqlSchema{s.schema})
	}
	if err != nil {
		queryError(req.w, err)
		return
	}
	if q.Count || q.Offset >= 0 {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob,
			"Bulk API 2.0 does not support COUNT() or OFFSET in queries"))
		return
	}
	// Salesforce's Bulk API 2.0 documentation lists GROUP BY, aggregate
	// functions and parent-to-child subqueries among what it does not
	// support; the wording is the demo org's.
	if q.IsAggregate() {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob,
			"Bulk API 2.0 does not support aggregate functions or GROUP BY in queries"))
		return
	}
	for _, f := range q.Fields {
		if f.Sub != nil {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob,
				"Bulk API 2.0 does not support parent-to-child subqueries"))
			return
		}
	}
	o, _ := s.schema.Object(q.Object)
	qd := &queryData{text: body.Query}
	for _, f := range q.Fields {
		field, _, _ := soqlSchema{s.schema}.resolve(o, strings.Split(f.Path, "."))
		qd.columns = append(qd.columns, f.Path)
		qd.fields = append(qd.fields, field)
	}
	if !versionAtLeast(req.version, 50) {
		// Before v50.0 result columns came in alphabetical order.
		idx := make([]int, len(qd.columns))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(qd.columns[a], qd.columns[b]) })
		cols, fields := make([]string, len(idx)), make([]*Field, len(idx))
		for i, k := range idx {
			cols[i], fields[i] = qd.columns[k], qd.fields[k]
		}
		qd.columns, qd.fields = cols, fields
	}
	now := s.now()
	j := &bulkJob{kind: jobKindQuery, operation: body.Operation, version: req.version, obj: o,
		lineEnding: lineEnding, delimiter: delimiter, created: now, state: jobUploadComplete,
		modstamp: now, query: qd}
	s.bulk.add(j)
	s.bulk.mu.Lock()
	info := s.info(j, false)
	s.bulk.mu.Unlock()
	if !s.bulk.startWorker(func() { s.runQueryJob(j) }) {
		s.failJob(j, "InternalServerError : the demo org is shutting down")
	}
	writeValue(req.w, http.StatusOK, info)
}

// runQueryJob evaluates the query against a snapshot of the org.
func (s *Server) runQueryJob(j *bulkJob) {
	s.bulk.mu.Lock()
	if j.state != jobUploadComplete {
		s.bulk.mu.Unlock()
		return
	}
	j.setState(jobInProgress, s.now())
	s.bulk.mu.Unlock()
	res, err := s.runQuery(j.query.text, j.operation == "queryAll")
	if err != nil {
		s.failJob(j, err.Error())
		return
	}
	s.bulk.mu.Lock()
	if j.state == jobInProgress {
		j.query.rows = res.rows
		j.processed = len(res.rows)
	}
	s.bulk.mu.Unlock()
	s.finishJob(j)
}

// jobStateCode spells a state as JOB_NOT_COMPLETE messages do
// (JobComplete → JOB_COMPLETE, InProgress → IN_PROGRESS).
func jobStateCode(state string) string {
	var b strings.Builder
	for i, r := range state {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// encodeLocator and decodeLocator turn a row offset into the opaque
// Sforce-Locator form Salesforce uses (base64 of the offset: "MTAwMDA" is
// 10000).
func encodeLocator(offset int) string {
	return base64.RawStdEncoding.EncodeToString([]byte(strconv.Itoa(offset)))
}

func decodeLocator(loc string) (int, bool) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(loc, "="))
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}

// queryJobResults serves GET /jobs/query/{id}/results?locator=&maxRecords=.
func (s *Server) queryJobResults(req *restRequest, j *bulkJob) {
	q := req.r.URL.Query()
	pageSize := defaultBulkMaxRecords
	if v := q.Get("maxRecords"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob,
				"maxRecords must be a positive integer: %s", v))
			return
		}
		pageSize = n
	}
	from := 0
	if v := q.Get("locator"); v != "" && v != "null" {
		n, ok := decodeLocator(v)
		if !ok {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidQueryLocator, "invalid query locator"))
			return
		}
		from = n
	}
	s.bulk.mu.Lock()
	state, rows := j.state, j.query.rows
	s.bulk.mu.Unlock()
	if state != jobComplete {
		writeErrors(req.w, http.StatusPreconditionFailed, newAPIError(codeJobNotComplete,
			"can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: %s", jobStateCode(state)))
		return
	}
	if from > len(rows) {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidQueryLocator, "invalid query locator"))
		return
	}
	to := min(from+pageSize, len(rows))
	qd := j.query
	w := newCSVWriter(j.delimiter, j.lineEnding, 64+(to-from)*128)
	w.row(qd.columns)
	vals := make([]string, len(qd.columns))
	s.mu.RLock()
	for _, r := range rows[from:to] {
		v := recordView{s: s, o: j.obj, r: r}
		for i, path := range qd.columns {
			vals[i] = bulkValue(qd.fields[i], v.Get(path))
		}
		w.row(vals)
	}
	s.mu.RUnlock()
	next := "null"
	if to < len(rows) {
		next = encodeLocator(to)
	}
	h := req.w.Header()
	h.Set("Content-Type", "text/csv")
	h.Set("Sforce-Locator", next)
	h.Set("Sforce-NumberOfRecords", strconv.Itoa(to-from))
	req.w.WriteHeader(http.StatusOK)
	_, _ = req.w.Write(w.buf)
}
