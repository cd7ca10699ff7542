package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bulk API 2.0 jobs (API-REFERENCE.md §12, checklist items 16 and 17):
// /jobs/ingest and /jobs/query. This file holds the job store, the routing,
// the JobInfo JSON and the handlers both job kinds share (get, list, abort,
// delete); bulk_ingest.go and bulk_query.go hold the rest. Jobs live in
// memory only (persist.go keeps records, not jobs) and are processed by one
// goroutine each, in chunks, so that polling sees InProgress and other API
// calls interleave with a long job.
//
// Error spellings not confirmed by a capture (API-REFERENCE.md §16 style):
// INVALIDJOB for a refused job request, INVALIDJOBSTATE (409) for an action
// the job's state forbids; the "Found multiple contents for job" message of
// a second upload is reported verbatim by users of real orgs.

// Job kinds, as the second path segment names them.
const (
	jobKindIngest = "ingest"
	jobKindQuery  = "query"
)

// Job states, as Salesforce spells them.
const (
	jobOpen           = "Open"
	jobUploadComplete = "UploadComplete"
	jobInProgress     = "InProgress"
	jobComplete       = "JobComplete"
	jobFailed         = "Failed"
	jobAborted        = "Aborted"
)

// Bulk error codes.
const (
	codeInvalidJob      = "INVALIDJOB"
	codeInvalidJobState = "INVALIDJOBSTATE"
	codeJobNotComplete  = "JOB_NOT_COMPLETE"
)

// bulkChunk is the number of records processed in one transaction, as
// Salesforce processes bulk data in chunks of 200; the store lock is
// released between chunks, and abort is noticed there.
const bulkChunk = 200

// bulkStore holds the jobs of the org and tracks their processing
// goroutines so that Close can stop them before the data file closes.
type bulkStore struct {
	mu      sync.Mutex // guards next, jobs, stopped and every job's mutable fields
	next    uint64
	jobs    map[string]*bulkJob // 18-character id → job
	stopped bool
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newBulkStore() *bulkStore {
	return &bulkStore{next: 1, jobs: map[string]*bulkJob{}, stop: make(chan struct{})}
}

// shutdown stops processing goroutines at their next chunk and waits for
// them. It may be called more than once.
func (b *bulkStore) shutdown() {
	if b == nil {
		return
	}
	b.mu.Lock()
	if !b.stopped {
		b.stopped = true
		close(b.stop)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// startWorker runs fn in a tracked goroutine; it reports false when the
// store is shut down.
func (b *bulkStore) startWorker(fn func()) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
	return true
}

func (b *bulkStore) stopping() bool {
	select {
	case <-b.stop:
		return true
	default:
		return false
	}
}

// bulkJob is one ingest or query job. The fields above the mark are fixed
// at creation; the others are guarded by bulkStore.mu.
type bulkJob struct {
	id, kind, operation string
	version             string // API version the job was created with
	obj                 *Object
	extField            *Field // upsert only
	lineEnding          string // LF or CRLF
	delimiter           string // COMMA, TAB, …
	created             time.Time

	state        string
	modstamp     time.Time
	errorMessage string
	started      time.Time // when processing began
	finished     time.Time // when the job reached a final state
	processed    int
	failed       int

	ingest *ingestData
	query  *queryData
}

// final reports whether the job reached JobComplete, Failed or Aborted.
func (j *bulkJob) final() bool {
	return j.state == jobComplete || j.state == jobFailed || j.state == jobAborted
}

// setState moves the job to state at now; the caller holds bulkStore.mu.
func (j *bulkJob) setState(state string, now time.Time) {
	j.state = state
	j.modstamp = now
	switch {
	case state == jobInProgress:
		j.started = now
	case j.final():
		j.finished = now
	}
}

// add registers a new job, giving it the next 750 id.
func (b *bulkStore) add(j *bulkJob) {
	b.mu.Lock()
	defer b.mu.Unlock()
	j.id = newID(PrefixBulkJob, b.next)
	b.next++
	b.jobs[j.id] = j
}

// job finds a job of the kind by its 15- or 18-character id.
func (b *bulkStore) job(kind, id string) (*bulkJob, bool) {
	id18, err := Normalize18(id)
	if err != nil {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	j, ok := b.jobs[id18]
	if !ok || j.kind != kind {
		return nil, false
	}
	return j, true
}

// apiVersionNumber is a JobInfo apiVersion: a JSON number written with its
// decimal point (62.0), as Salesforce writes it.
type apiVersionNumber string

// MarshalJSON writes the version as a bare number.
func (v apiVersionNumber) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseFloat(string(v), 64); err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// jobInfo is the JobInfo JSON, keys in the order of the documented
// examples. Counters are pointers: the create and close responses omit
// them, the job info GET always has them.
type jobInfo struct {
	ID                      string           `json:"id"`
	Operation               string           `json:"operation"`
	Object                  string           `json:"object"`
	CreatedByID             string           `json:"createdById"`
	CreatedDate             string           `json:"createdDate"`
	SystemModstamp          string           `json:"systemModstamp"`
	State                   string           `json:"state"`
	ExternalIDFieldName     string           `json:"externalIdFieldName,omitempty"`
	ConcurrencyMode         string           `json:"concurrencyMode"`
	ContentType             string           `json:"contentType"`
	APIVersion              apiVersionNumber `json:"apiVersion"`
	JobType                 string           `json:"jobType,omitempty"`
	ContentURL              string           `json:"contentUrl,omitempty"`
	LineEnding              string           `json:"lineEnding"`
	ColumnDelimiter         string           `json:"columnDelimiter"`
	NumberRecordsProcessed  *int             `json:"numberRecordsProcessed,omitempty"`
	NumberRecordsFailed     *int             `json:"numberRecordsFailed,omitempty"`
	Retries                 *int             `json:"retries,omitempty"`
	TotalProcessingTime     *int64           `json:"totalProcessingTime,omitempty"`
	APIActiveProcessingTime *int64           `json:"apiActiveProcessingTime,omitempty"`
	ApexProcessingTime      *int64           `json:"apexProcessingTime,omitempty"`
	ErrorMessage            string           `json:"errorMessage,omitempty"`
}

// info renders the job; detailed adds jobType, the counters and timings
// (the job info GET and the job list). The caller holds bulkStore.mu.
func (s *Server) info(j *bulkJob, detailed bool) jobInfo {
	in := jobInfo{
		ID: j.id, Operation: j.operation, Object: j.obj.Name, CreatedByID: s.userID,
		CreatedDate: formatDateTime(j.created), SystemModstamp: formatDateTime(j.modstamp),
		State: j.state, ConcurrencyMode: "Parallel", ContentType: "CSV",
		APIVersion: apiVersionNumber(j.version), LineEnding: j.lineEnding, ColumnDelimiter: j.delimiter,
	}
	if j.extField != nil {
		in.ExternalIDFieldName = j.extField.Name
	}
	if j.kind == jobKindIngest && j.state == jobOpen {
		in.ContentURL = "services/data/v" + j.version + "/jobs/ingest/" + j.id + "/batches"
	}
	if !detailed {
		return in
	}
	in.JobType = "V2Ingest"
	if j.kind == jobKindQuery {
		in.JobType = "V2Query"
	}
	processed, retries := j.processed, 0
	in.NumberRecordsProcessed, in.Retries = &processed, &retries
	var total int64
	if !j.started.IsZero() {
		end := j.finished
		if end.IsZero() {
			end = s.now()
		}
		total = end.Sub(j.started).Milliseconds()
	}
	in.TotalProcessingTime = &total
	if j.kind == jobKindIngest {
		failed, apex := j.failed, int64(0)
		in.NumberRecordsFailed, in.APIActiveProcessingTime, in.ApexProcessingTime = &failed, &total, &apex
	}
	if j.state == jobFailed {
		in.ErrorMessage = j.errorMessage
	}
	return in
}

// routeJobs serves /jobs/ingest… and /jobs/query….
func (s *Server) routeJobs(req *restRequest) {
	p := req.parts
	w, r := req.w, req.r
	if len(p) < 2 || (p[1] != jobKindIngest && p[1] != jobKindQuery) || len(p) > 4 {
		writeErrors(w, http.StatusNotFound, notFound())
		return
	}
	kind := p[1]
	if len(p) == 2 {
		switch r.Method {
		case http.MethodGet:
			s.listJobs(req, kind)
		case http.MethodPost:
			if kind == jobKindIngest {
				s.createIngestJob(req)
			} else {
				s.createQueryJob(req)
			}
		default:
			methodNotAllowed(w, r, "GET", "POST")
		}
		return
	}
	j, ok := s.bulk.job(kind, p[2])
	if !ok {
		writeErrors(w, http.StatusNotFound, notFound())
		return
	}
	if len(p) == 3 {
		switch r.Method {
		case http.MethodGet:
			s.bulk.mu.Lock()
			info := s.info(j, true)
			s.bulk.mu.Unlock()
			writeValue(w, http.StatusOK, info)
		case http.MethodPatch:
			s.patchJob(req, j)
		case http.MethodDelete:
			s.deleteJob(req, j)
		default:
			methodNotAllowed(w, r, "GET", "PATCH", "DELETE")
		}
		return
	}
	switch {
	case kind == jobKindIngest && p[3] == "batches":
		if r.Method != http.MethodPut {
			methodNotAllowed(w, r, "PUT")
			return
		}
		s.uploadJobData(req, j)
	case kind == jobKindIngest && (p[3] == "successfulResults" || p[3] == "failedResults" || p[3] == "unprocessedrecords"):
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		s.ingestResults(req, j, p[3])
	case kind == jobKindQuery && p[3] == "results":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		s.queryJobResults(req, j)
	default:
		writeErrors(w, http.StatusNotFound, notFound())
	}
}

// listJobs serves GET /jobs/ingest and /jobs/query: every job of the kind
// in creation order, in one page. jobType and concurrencyMode filter as on
// a real org (which also lists Bulk API 1.0 "Classic" jobs; the demo org
// has none).
func (s *Server) listJobs(req *restRequest, kind string) {
	q := req.r.URL.Query()
	s.bulk.mu.Lock()
	records := make([]jobInfo, 0, len(s.bulk.jobs))
	for _, j := range s.bulk.jobs {
		if j.kind != kind {
			continue
		}
		in := s.info(j, true)
		if t := q.Get("jobType"); t != "" && t != in.JobType {
			continue
		}
		if m := q.Get("concurrencyMode"); m != "" && m != in.ConcurrencyMode {
			continue
		}
		records = append(records, in)
	}
	s.bulk.mu.Unlock()
	slices.SortFunc(records, func(a, b jobInfo) int { return strings.Compare(a.ID, b.ID) })
	writeValue(req.w, http.StatusOK, struct {
		Done           bool      `json:"done"`
		Records        []jobInfo `json:"records"`
		NextRecordsURL *string   `json:"nextRecordsUrl"`
	}{Done: true, Records: records})
}

// patchJob serves PATCH /jobs/{kind}/{id} {"state":"UploadComplete"|"Aborted"}.
func (s *Server) patchJob(req *restRequest, j *bulkJob) {
	var body struct {
		State string `json:"state"`
	}
	if !decodeBody(req.w, req.r, &body) {
		return
	}
	switch {
	case body.State == jobAborted:
		s.abortJob(req, j)
	case body.State == jobUploadComplete && j.kind == jobKindIngest:
		s.closeIngestJob(req, j)
	default:
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeInvalidJobState,
			"Invalid state %q: a job can only be set to UploadComplete or Aborted", body.State))
	}
}

// abortJob stops a job that has not ended; processing stops at the next
// chunk, leaving the remaining records unprocessed.
func (s *Server) abortJob(req *restRequest, j *bulkJob) {
	s.bulk.mu.Lock()
	if j.final() {
		state := j.state
		s.bulk.mu.Unlock()
		writeErrors(req.w, http.StatusConflict, newAPIError(codeInvalidJobState,
			"Job %s is already %s and cannot be aborted", j.id, state))
		return
	}
	j.setState(jobAborted, s.now())
	info := s.info(j, false)
	s.bulk.mu.Unlock()
	writeValue(req.w, http.StatusOK, info)
}

// deleteJob serves DELETE /jobs/{kind}/{id}: 204. As documented, only a
// job in UploadComplete, JobComplete, Aborted or Failed may be deleted; a
// job still processing stops at its next chunk.
func (s *Server) deleteJob(req *restRequest, j *bulkJob) {
	s.bulk.mu.Lock()
	if j.state == jobOpen || j.state == jobInProgress {
		state := j.state
		s.bulk.mu.Unlock()
		writeErrors(req.w, http.StatusConflict, newAPIError(codeInvalidJobState,
			"Job %s is %s; only a job in UploadComplete, JobComplete, Aborted or Failed state can be deleted", j.id, state))
		return
	}
	if !j.final() {
		j.setState(jobAborted, s.now())
	}
	delete(s.bulk.jobs, j.id)
	s.bulk.mu.Unlock()
	req.w.WriteHeader(http.StatusNoContent)
}

// jobRunning reports whether a processing goroutine should go on with j.
func (s *Server) jobRunning(j *bulkJob) bool {
	if s.bulk.stopping() {
		return false
	}
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	return j.state == jobInProgress
}

// failJob ends a job Failed with a message, unless it already ended.
func (s *Server) failJob(j *bulkJob, msg string) {
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	if !j.final() {
		j.errorMessage = msg
		j.setState(jobFailed, s.now())
	}
}

// finishJob ends a job JobComplete, unless it was aborted; a job stopped by
// shutdown ends Failed.
func (s *Server) finishJob(j *bulkJob) {
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	if j.final() {
		return
	}
	if s.bulk.stopping() {
		j.errorMessage = "InternalServerError : the demo org shut down while the job was processing"
		j.setState(jobFailed, s.now())
		return
	}
	j.setState(jobComplete, s.now())
}
