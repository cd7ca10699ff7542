package emulator

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Bulk API 2.0 ingest jobs (API-REFERENCE.md §12 "Ingest"): create (Open),
// one CSV upload (201, empty body), close (UploadComplete), processing in a
// goroutine (InProgress, then JobComplete or Failed), and the successful,
// failed and unprocessed results as CSV. Records get the validation and
// per-record errors of sObject Collections, including injected
// UNABLE_TO_LOCK_ROW faults.

// maxJobUpload is the largest upload accepted (Salesforce: 150 MB of
// base64-encoded content, 100 MB of raw data).
const maxJobUpload = 150 << 20

// ingestOperations are the operations an ingest job may run.
var ingestOperations = []string{"insert", "update", "upsert", "delete", "hardDelete"}

// ingestData is the uploaded data of an ingest job and its outcome per row.
type ingestData struct {
	upload   []byte
	uploaded bool
	header   []string
	rows     [][]string
	cols     []bulkColumn // the header's fields, once parsed
	outcomes []rowOutcome // aligned with rows; set as chunks complete
}

// rowOutcome is the result of one uploaded row.
type rowOutcome struct {
	done    bool
	id      string
	created bool
	err     string // sf__Error; "" on success
}

type ingestRequest struct {
	Object              string `json:"object"`
	Operation           string `json:"operation"`
	ExternalIDFieldName string `json:"externalIdFieldName"`
	ContentType         string `json:"contentType"`
	LineEnding          string `json:"lineEnding"`
	ColumnDelimiter     string `json:"columnDelimiter"`
	AssignmentRuleID    string `json:"assignmentRuleId"`
}

// jobFormat checks and defaults the CSV settings shared by both job kinds.
func jobFormat(contentType, lineEnding, delimiter string) (string, string, *apiError) {
	if contentType != "" && contentType != "CSV" {
		e := newAPIError(codeInvalidJob, "Invalid contentType %s: only CSV is supported", contentType)
		return "", "", &e
	}
	if lineEnding == "" {
		lineEnding = "LF"
	}
	if lineEnding != "LF" && lineEnding != "CRLF" {
		e := newAPIError(codeInvalidJob, "Invalid lineEnding %s: use LF or CRLF", lineEnding)
		return "", "", &e
	}
	if delimiter == "" {
		delimiter = "COMMA"
	}
	if _, ok := bulkDelimiters[delimiter]; !ok {
		e := newAPIError(codeInvalidJob, "Invalid columnDelimiter %s: use BACKQUOTE, CARET, COMMA, PIPE, SEMICOLON or TAB", delimiter)
		return "", "", &e
	}
	return lineEnding, delimiter, nil
}

// createIngestJob serves POST /jobs/ingest.
func (s *Server) createIngestJob(req *restRequest) {
	var body ingestRequest
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	fail := func(format string, args ...any) {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob, format, args...))
	}
	o, ok := s.schema.Object(body.Object)
	if !ok {
		fail("Unable to find object: %s", body.Object)
		return
	}
	op := ""
	for _, known := range ingestOperations {
		if strings.EqualFold(body.Operation, known) {
			op = known
		}
	}
	if op == "" {
		fail("Invalid operation %q: use insert, update, upsert, delete or hardDelete", body.Operation)
		return
	}
	var ext *Field
	if op == "upsert" {
		if body.ExternalIDFieldName == "" {
			fail("External ID field name is required for upsert operation")
			return
		}
		if ext, ok = externalIDField(o, body.ExternalIDFieldName); !ok {
			fail("The field %s is not an external id field of %s", body.ExternalIDFieldName, o.Name)
			return
		}
	}
	lineEnding, delimiter, e := jobFormat(body.ContentType, body.LineEnding, body.ColumnDelimiter)
	if e != nil {
		writeErrors(req.w, http.StatusBadRequest, *e)
		return
	}
	now := s.now()
	j := &bulkJob{kind: jobKindIngest, operation: op, version: req.version, obj: o, extField: ext,
		lineEnding: lineEnding, delimiter: delimiter, created: now, state: jobOpen, modstamp: now,
		ingest: &ingestData{}}
	s.bulk.add(j)
	s.bulk.mu.Lock()
	info := s.info(j, false)
	s.bulk.mu.Unlock()
	writeValue(req.w, http.StatusOK, info)
}

// uploadJobData serves PUT /jobs/ingest/{id}/batches: 201 with no body.
// A job takes one upload only.
func (s *Server) uploadJobData(req *restRequest, j *bulkJob) {
	data, err := io.ReadAll(io.LimitReader(req.r.Body, maxJobUpload+1))
	if err != nil {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJob, "read job data: %v", err))
		return
	}
	if len(data) > maxJobUpload {
		writeErrors(req.w, http.StatusRequestEntityTooLarge, newAPIError(codeInvalidJob,
			"Job data exceeds the maximum of %d MB per upload", maxJobUpload>>20))
		return
	}
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	switch {
	case j.state != jobOpen:
		writeErrors(req.w, http.StatusConflict, newAPIError(codeInvalidJobState,
			"Job %s is %s; data can only be uploaded to an Open job", j.id, j.state))
	case j.ingest.uploaded:
		writeErrors(req.w, http.StatusConflict, newAPIError(codeInvalidJobState,
			"Found multiple contents for job: <%s>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.", j.id))
	default:
		j.ingest.upload, j.ingest.uploaded = data, true
		j.modstamp = s.now()
		req.w.WriteHeader(http.StatusCreated)
	}
}

// closeIngestJob marks the upload complete and starts processing.
func (s *Server) closeIngestJob(req *restRequest, j *bulkJob) {
	s.bulk.mu.Lock()
	if j.state != jobOpen {
		state := j.state
		s.bulk.mu.Unlock()
		writeErrors(req.w, http.StatusConflict, newAPIError(codeInvalidJobState,
			"Job %s is %s; only an Open job can be set to UploadComplete", j.id, state))
		return
	}
	j.setState(jobUploadComplete, s.now())
	info := s.info(j, false)
	s.bulk.mu.Unlock()
	if !s.bulk.startWorker(func() { s.runIngest(j) }) {
		s.failJob(j, "InternalServerError : the demo org is shutting down")
	}
	writeValue(req.w, http.StatusOK, info)
}

// bulkColumn is how one CSV column writes into a record.
type bulkColumn struct {
	field *Field // the field written: the column's own, or the lookup of a relationship column
	// key is set for a relationship column (Account.External_Key__c): the
	// parent's external id field whose value identifies the parent.
	key    *Field
	target *Object
}

// planColumns maps the header to fields. An unknown column fails the job,
// as on Salesforce.
func (s *Server) planColumns(o *Object, header []string) ([]bulkColumn, error) {
	cols := make([]bulkColumn, len(header))
	for i, name := range header {
		rel, keyName, isRel := strings.Cut(name, ".")
		if !isRel {
			f, ok := o.Field(name)
			if !ok {
				return nil, fmt.Errorf("InvalidBatch : Field name not found : %s", name)
			}
			cols[i] = bulkColumn{field: f}
			continue
		}
		ref, ok := o.relationship(rel)
		if !ok {
			return nil, fmt.Errorf("InvalidBatch : Field name not found : %s", name)
		}
		for _, targetName := range ref.ReferenceTo {
			target, ok := s.schema.Object(targetName)
			if !ok {
				continue
			}
			if key, ok := externalIDField(target, keyName); ok {
				cols[i] = bulkColumn{field: ref, key: key, target: target}
				break
			}
		}
		if cols[i].field == nil {
			return nil, fmt.Errorf("InvalidBatch : Field name not found : %s", name)
		}
	}
	return cols, nil
}

// runIngest processes an ingest job: parse, then chunks of bulkChunk rows,
// each one write transaction.
func (s *Server) runIngest(j *bulkJob) {
	s.bulk.mu.Lock()
	if j.state != jobUploadComplete {
		s.bulk.mu.Unlock()
		return
	}
	j.setState(jobInProgress, s.now())
	data := j.ingest.upload
	s.bulk.mu.Unlock()

	header, rows, err := parseJobData(data, j.delimiter, j.lineEnding)
	if err != nil {
		s.failJob(j, err.Error())
		return
	}
	cols, err := s.planColumns(j.obj, header)
	if err != nil {
		s.failJob(j, err.Error())
		return
	}
	s.bulk.mu.Lock()
	j.ingest.header, j.ingest.rows, j.ingest.cols = header, rows, cols
	j.ingest.outcomes = make([]rowOutcome, len(rows))
	s.bulk.mu.Unlock()

	t := s.tables[j.obj]
	for start := 0; start < len(rows); start += bulkChunk {
		if !s.jobRunning(j) {
			break
		}
		end := min(start+bulkChunk, len(rows))
		outs := make([]rowOutcome, end-start)
		lockRate := s.currentFaults().LockRate
		var purge []string
		tx := s.begin()
		for i, row := range rows[start:end] {
			outs[i] = s.ingestRow(tx, j, cols, row, lockRate)
			if j.operation == "hardDelete" && outs[i].err == "" {
				purge = append(purge, outs[i].id)
			}
		}
		if err := tx.commit(); err != nil {
			s.failJob(j, "InternalServerError : "+err.Error())
			return
		}
		if len(purge) > 0 {
			if err := s.purge(t, purge); err != nil {
				s.failJob(j, "InternalServerError : "+err.Error())
				return
			}
		}
		s.bulk.mu.Lock()
		for i, out := range outs {
			out.done = true
			j.ingest.outcomes[start+i] = out
			j.processed++
			if out.err != "" {
				j.failed++
			}
		}
		j.modstamp = s.now()
		s.bulk.mu.Unlock()
	}
	s.finishJob(j)
}

// ingestRow writes one row inside tx, as a collection record would be.
func (s *Server) ingestRow(tx *writeTxn, j *bulkJob, cols []bulkColumn, row []string, lockRate float64) rowOutcome {
	in := make(map[string]any, len(cols)+1)
	in["attributes"] = map[string]any{"type": j.obj.Name}
	for i, c := range cols {
		cell := row[i]
		switch {
		case cell == "":
			continue // an empty cell leaves the field unchanged
		case cell == bulkNull:
			in[c.field.Name] = nil
		case c.key != nil:
			id, e := s.foreignKey(c, cell)
			if e != nil {
				return rowOutcome{err: bulkErrorCell(e.record())}
			}
			in[c.field.Name] = id
		default:
			in[c.field.Name] = cell
		}
	}
	var res saveResult
	created := false
	switch j.operation {
	case "insert":
		res, created = s.collectionRecord(tx, "create", nil, nil, in, writeMode{lockRate: lockRate}), true
	case "update":
		res = s.collectionRecord(tx, "update", nil, nil, in, writeMode{lockRate: lockRate})
	case "upsert":
		res = s.collectionRecord(tx, "upsert", j.obj, j.extField, in, writeMode{lockRate: lockRate})
		created = res.Created != nil && *res.Created
	default: // delete, hardDelete
		res = s.bulkDelete(tx, j.obj, in, lockRate)
	}
	out := rowOutcome{created: created}
	if res.ID != nil {
		out.id = *res.ID
	}
	if !res.Success {
		out.created = false
		out.err = bulkErrorCell(res.Errors[0])
	}
	return out
}

// foreignKey resolves a relationship column's value to the parent's id.
// The caller holds s.mu.
func (s *Server) foreignKey(c bulkColumn, value string) (string, *apiError) {
	ids := s.matchExternal(s.tables[c.target], c.key, value)
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		e := newAPIError(codeInvalidField, "Foreign key external ID: %s not found for field %s in entity %s",
			value, c.key.Name, c.target.Name)
		return "", &e
	default:
		e := newAPIError("DUPLICATE_EXTERNAL_ID", "%s: more than one record found for external id field: %v", c.key.Label, ids)
		return "", &e
	}
}

// bulkDelete soft-deletes the record named by the row's Id.
func (s *Server) bulkDelete(tx *writeTxn, o *Object, in map[string]any, lockRate float64) saveResult {
	id, _ := takeID(in)
	if id == "" {
		return failure(nil, newAPIError("MISSING_ARGUMENT", "Id not specified in a delete call"))
	}
	rec, errs := tx.remove(s.tables[o], id, lockRate)
	if errs != nil {
		if errs[0].Code == codeNotFound {
			errs = []apiError{newAPIError(codeCrossReference, "invalid cross reference id")}
		}
		return failure(&id, errs...)
	}
	return okResult(rec.id(o))
}

// purge removes hard-deleted records from the table and the data file:
// they skip the recycle bin, so queryAll no longer finds them.
func (s *Server) purge(t *table, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
		delete(t.deletedAt, id)
		delete(t.pos, id)
	}
	kept := t.recs[:0]
	for _, r := range t.recs {
		if !gone[r.id(t.obj)] {
			t.pos[r.id(t.obj)] = len(kept)
			kept = append(kept, r)
		}
	}
	clear(t.recs[len(kept):])
	t.recs = kept
	t.dropIndexes() // positions moved
	if s.db == nil {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(t.obj.Name))
		if b == nil {
			return nil
		}
		for _, id := range ids {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hard delete %d %s records: %w", len(ids), t.obj.Name, err)
	}
	return nil
}

// ingestResults serves successfulResults, failedResults and
// unprocessedrecords. Before processing ends they hold what is known so
// far: rows not yet reached count as unprocessed.
func (s *Server) ingestResults(req *restRequest, j *bulkJob, which string) {
	s.bulk.mu.Lock()
	d := j.ingest
	w := newCSVWriter(j.delimiter, "LF", 64+len(d.rows)*64)
	switch which {
	case "successfulResults":
		w.row([]string{"sf__Id", "sf__Created"}, d.header)
		for _, i := range resultOrder(j.id, len(d.outcomes)) {
			if out := d.outcomes[i]; out.done && out.err == "" {
				created := "false"
				if out.created {
					created = "true"
				}
				w.row([]string{out.id, created}, echoRow(d.cols, d.rows[i]))
			}
		}
	case "failedResults":
		w.row([]string{"sf__Id", "sf__Error"}, d.header)
		for _, i := range resultOrder(j.id, len(d.outcomes)) {
			if out := d.outcomes[i]; out.done && out.err != "" {
				w.row([]string{out.id, out.err}, echoRow(d.cols, d.rows[i]))
			}
		}
	default:
		s.writeUnprocessed(w, j)
	}
	s.bulk.mu.Unlock()
	req.w.Header().Set("Content-Type", "text/csv")
	req.w.WriteHeader(http.StatusOK)
	_, _ = req.w.Write(w.buf)
}

// writeUnprocessed writes the rows no chunk reached. A job whose data was
// never parsed (still queued, or failed on its CSV) returns the upload as
// it was sent. The caller holds bulkStore.mu.
func (s *Server) writeUnprocessed(w *csvWriter, j *bulkJob) {
	d := j.ingest
	if d.outcomes == nil {
		header, rows, err := parseJobData(d.upload, j.delimiter, j.lineEnding)
		if errors.Is(err, errBulkCSV) || header == nil {
			return
		}
		w.row(header)
		for _, row := range rows {
			w.row(row)
		}
		return
	}
	w.row(d.header)
	for i, out := range d.outcomes {
		if !out.done {
			w.row(d.rows[i])
		}
	}
}

// resultOrder is the order result files list a job's rows in: Salesforce
// processes a job's data in parallel chunks and does not keep the upload's
// order, so the demo org does not either (a fixed permutation per job, so
// a download read twice is the same).
func resultOrder(jobID string, n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(jobID))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(n)))
	r.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
	return order
}

// echoRow is an uploaded row as the result files spell it back: Salesforce
// writes the values it parsed, not the bytes it received, so numbers,
// booleans, date-times and padded text come back in its own spelling
// (1.50 as 1.5, TRUE as true, a date-time in UTC with milliseconds, text
// without surrounding blanks). Which normalizations Salesforce applies is
// observed, not documented; these are the ones a client must survive.
func echoRow(cols []bulkColumn, row []string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = v
		if i >= len(cols) || cols[i].field == nil || cols[i].key != nil || v == "" || v == bulkNull {
			continue
		}
		f := cols[i].field
		t := strings.TrimSpace(v)
		switch f.Type {
		case typeBoolean:
			if b, err := strconv.ParseBool(strings.ToLower(t)); err == nil {
				out[i] = strconv.FormatBool(b)
			}
		case typeInt, typeDouble, typeCurrency, typePercent:
			if x, err := strconv.ParseFloat(t, 64); err == nil {
				out[i] = bulkValue(f, x)
			}
		case typeDatetime:
			out[i] = bulkValue(f, t)
		default:
			out[i] = t
		}
	}
	return out
}
