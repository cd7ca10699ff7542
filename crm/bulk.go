package crm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bulk API 2.0 limits and markers.
const (
	// MaxBulkUploadBytes is the largest CSV the client uploads in one job
	// (Salesforce accepts 100 MB of raw data per upload).
	MaxBulkUploadBytes = 100 << 20
	// bulkNull is how a CSV cell sets a field to null in Bulk API 2.0; an
	// empty cell leaves the field unchanged on update.
	bulkNull = "#N/A"
	// CodeUnprocessed marks records a Bulk job did not process (the job
	// failed or was aborted before reaching them). Not a Salesforce code.
	CodeUnprocessed = "UNPROCESSED"
	// CodeNoResult marks records for which a Bulk job returned no result row.
	// Not a Salesforce code.
	CodeNoResult = "NO_RESULT"
)

// Bulk job states, as Salesforce names them.
const (
	BulkOpen           = "Open"
	BulkUploadComplete = "UploadComplete"
	BulkInProgress     = "InProgress"
	BulkJobComplete    = "JobComplete"
	BulkFailed         = "Failed"
	BulkAborted        = "Aborted"
)

// BulkJobError reports a Bulk API 2.0 job that ended Failed or Aborted.
type BulkJobError struct {
	JobID   string
	State   string
	Message string
}

// Error names the job, its end state and Salesforce's explanation.
func (e *BulkJobError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no reason given"
	}
	return fmt.Sprintf("Salesforce bulk job %s ended %s: %s", e.JobID, e.State, msg)
}

// bulkJob is the JobInfo of ingest and query jobs.
type bulkJob struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Object       string `json:"object"`
	Operation    string `json:"operation"`
	ErrorMessage string `json:"errorMessage"`
	// The counters are absent from the create and close answers.
	NumberRecordsProcessed *float64 `json:"numberRecordsProcessed"`
	NumberRecordsFailed    *float64 `json:"numberRecordsFailed"`
}

// BulkProgress is where a Bulk API 2.0 write stands, as its job's answers
// tell: the job's state (BulkOpen, BulkUploadComplete, BulkInProgress,
// BulkJobComplete…) and, of the Total records written, how many Salesforce
// has processed and how many of those it refused. A real org takes minutes
// over 100k records: the counts let a person watch it work instead of a
// bar that stands still. A write split into several jobs (beyond
// MaxBulkUploadBytes) runs them in turn: State is the current job's, the
// counts the whole write's.
type BulkProgress struct {
	// JobID is the current job's id (750…), by which Salesforce's Setup
	// (Bulk Data Load Jobs) lists it.
	JobID             string
	State             string
	Processed, Failed int
	Total             int
}

// progress is what the job's last answer tells of a write of total
// records (the counters are absent before the job is closed).
func (j *bulkJob) progress(total int) BulkProgress {
	p := BulkProgress{JobID: j.ID, State: j.State, Total: total}
	if j.NumberRecordsProcessed != nil {
		p.Processed = int(*j.NumberRecordsProcessed)
	}
	if j.NumberRecordsFailed != nil {
		p.Failed = int(*j.NumberRecordsFailed)
	}
	return p
}

// BulkIngest writes recs with Bulk API 2.0: one ingest job per operation
// (more only when the CSV exceeds MaxBulkUploadBytes, split at a record
// boundary). It builds the CSV (columns = union of the records' fields; Id
// first for update and delete; nil and "" are sent as #N/A, i.e. cleared,
// as through the REST API; a field missing from a record leaves it
// unchanged), creates the job, uploads, closes it, polls (see waitJob) and
// maps the result rows back to input order by identity, never by position
// or by the echoed text: Salesforce returns result files in any order and
// with its own spelling of the values (numbers, dates, booleans,
// whitespace).
//
//   - update and delete: by sf__Id (the Id column for failed and
//     unprocessed rows), 15 or 18 characters;
//   - upsert: by the external id field's value;
//   - insert: by keyField's value when the caller names one (the sheet's
//     key column, e.g. Email), else by all the row's cells; values are
//     compared after the normalization Salesforce applies.
//
// An insert whose result row cannot be matched to exactly one input is not
// an error that a caller could resend into a duplicate: its Result carries
// CodeOutcomeUnknown and the returned error is an *OutcomeUnknownError
// listing those indexes, as for a lost Collections response, so the caller
// reconciles them by key. An update or delete without a result row gets
// CodeNoResult (resending it is harmless).
//
// keyField is the external id field for upsert and the correlation field
// for insert ("" for none). progress, if not nil, hears where the write
// stands (see BulkProgress) after the job's create and close and after each
// poll that finds it moved. A job costs create, upload, close and the polls, plus only the
// result files it needs: an update or delete whose job info reports every
// record processed and none failed downloads none, an insert downloads the
// successful results (the new ids) and the others only when the counters
// say they hold rows.
//
// An upload whose response is lost is not resent into the same job: the job
// is aborted and a new one created, so no row is ingested twice.
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm
func (c *Client) BulkIngest(ctx context.Context, object string, op BulkOperation, keyField string, recs []Record, progress func(BulkProgress)) ([]Result, error) {
	results := make([]Result, len(recs))
	err := c.BulkIngestEach(ctx, object, op, keyField, len(recs), func(i int) Record { return recs[i] }, progress, func(i int, r Result) {
		if r.Success && r.ID == "" && (op == OpUpdate || op == OpDelete) {
			r.ID = recordIDOf(recs[i])
		}
		results[i] = r
	})
	return results, err
}

// BulkIngestEach is BulkIngest over n records that rec makes on demand,
// handing each record's result to result: it holds neither the records
// nor the results, so a caller writing 100k rows need not hold 100k of
// either (a map each, a Result each) while the job runs; only the CSV is
// held. rec may be called more than once for an index and must give the
// same record each time; BulkIngestEach is done with a record before it
// asks for the next, so rec may hand out one Fields map refilled on every
// call. result is called at most once per index, in no set order; an
// index without a call was not sent (its part's upload failed). An update
// or delete of a job that reported every record done without a failure
// gets Result{Success: true} without its id (the caller sent it).
func (c *Client) BulkIngestEach(ctx context.Context, object string, op BulkOperation, keyField string, n int, rec func(i int) Record, progress func(BulkProgress), result func(i int, r Result)) error {
	if !validName(object) {
		return fmt.Errorf("bulk %s %q: not an object API name: %w", op, object, ErrUnsafeSOQL)
	}
	if op == OpUpsert && !validName(keyField) {
		return fmt.Errorf("bulk upsert %s by %q: %w", object, keyField, ErrUnsafeSOQL)
	}
	if keyField != "" && !validName(keyField) {
		return fmt.Errorf("bulk %s %s matched by %q: %w", op, object, keyField, ErrUnsafeSOQL)
	}
	if n == 0 {
		return nil
	}
	if progress == nil {
		progress = func(BulkProgress) {}
	}
	cols := bulkColumns(op, n, rec)
	parts, cleanup, err := encodeBulkCSV(op, cols, n, rec, bulkUploadLimit, c.workDir)
	if err != nil {
		return fmt.Errorf("bulk %s %s: %w", op, object, err)
	}
	defer cleanup()
	base, err := c.dataPath(ctx, "jobs/ingest")
	if err != nil {
		return fmt.Errorf("bulk %s %s: %w", op, object, err)
	}
	var unknown []int
	var jobErr error
	failedBefore := 0 // records the jobs of earlier parts refused
	for _, p := range parts {
		from := p.from
		part := func(i int) Record { return rec(from + i) }
		// A part's job reports its own records: the caller hears the
		// whole write's.
		partFailed := 0
		partProgress := func(bp BulkProgress) {
			partFailed = bp.Failed
			bp.Processed += from
			bp.Failed += failedBefore
			bp.Total = n
			progress(bp)
		}
		res, allDone, err := c.ingestJob(ctx, base, object, op, keyField, cols, p.to-p.from, part, p, partProgress)
		failedBefore += partFailed
		if allDone {
			for i := p.from; i < p.to; i++ {
				result(i, Result{Success: true})
			}
		}
		for k, r := range res {
			result(p.from+k, r)
		}
		var u *OutcomeUnknownError
		if errors.As(err, &u) {
			for _, i := range u.Indexes {
				unknown = append(unknown, p.from+i)
			}
			continue
		}
		var je *BulkJobError
		if errors.As(err, &je) {
			jobErr = err // rows of other parts still have their results
			continue
		}
		if err != nil {
			// Parts not sent get no result: the caller sees them unsent.
			return fmt.Errorf("bulk %s %s: %w", op, object, err)
		}
	}
	if len(unknown) > 0 {
		return errors.Join(jobErr, &OutcomeUnknownError{Op: "bulk " + string(op), Object: object, Indexes: unknown, Cause: errBulkUnmatched})
	}
	return jobErr
}

// ingestJob runs one job over the n records of rec (one part of the
// upload).
//
// allDone reports an update or delete job that processed every record
// without a failure: no result is listed then (each is a success).
func (c *Client) ingestJob(ctx context.Context, base, object string, op BulkOperation, keyField string, cols []string, n int, rec func(int) Record, data bulkPart, progress func(BulkProgress)) (results []Result, allDone bool, err error) {
	body, size := data.body()
	extField := ""
	if op == OpUpsert {
		extField = keyField
	}
	var job bulkJob
	for attempt := 1; ; attempt++ {
		job, err = c.createIngestJob(ctx, base, object, op, extField)
		if err != nil {
			return nil, false, fmt.Errorf("create job: %w", err)
		}
		progress(job.progress(n))
		err = c.send(ctx, &request{method: http.MethodPut, url: c.absURL(base + "/" + job.ID + "/batches"), bodyFn: body, bodyLen: size, contentType: "text/csv"}, nil)
		var lost *errResponseLost
		if !errors.As(err, &lost) || attempt >= c.retry.MaxAttempts {
			break
		}
		c.log.Warn("bulk upload response lost, aborting the job and starting over", "job", job.ID, "attempt", attempt)
		_ = c.callJSON(ctx, http.MethodPatch, base+"/"+job.ID, map[string]string{"state": BulkAborted}, nil, true)
	}
	if err != nil {
		return nil, false, fmt.Errorf("upload to job %s: %w", job.ID, err)
	}
	if err := c.closeJob(ctx, base, &job); err != nil {
		return nil, false, fmt.Errorf("close job %s: %w", job.ID, err)
	}
	progress(job.progress(n))
	if err := c.waitJob(ctx, base, &job, n, progress); err != nil {
		return nil, false, err
	}
	if ingestAllDone(op, n, &job) {
		return nil, true, nil
	}
	results, unknown, err := c.ingestResults(ctx, base+"/"+job.ID, op, keyField, cols, n, rec, &job)
	if err != nil {
		return nil, false, fmt.Errorf("results of job %s: %w", job.ID, err)
	}
	var jobErr error
	if job.State != BulkJobComplete {
		jobErr = &BulkJobError{JobID: job.ID, State: job.State, Message: job.ErrorMessage}
	}
	if len(unknown) > 0 {
		return results, false, errors.Join(jobErr, &OutcomeUnknownError{Op: "bulk " + string(op), Object: object, Indexes: unknown, Cause: errBulkUnmatched})
	}
	return results, false, jobErr
}

func (c *Client) createIngestJob(ctx context.Context, base, object string, op BulkOperation, extField string) (bulkJob, error) {
	body := map[string]string{"object": object, "operation": string(op), "contentType": "CSV", "lineEnding": "LF", "columnDelimiter": "COMMA"}
	if op == OpUpsert {
		body["externalIdFieldName"] = extField
	}
	var job bulkJob
	// A lost response leaves at most an empty Open job behind, which
	// Salesforce discards; resending is safe.
	err := c.callJSON(ctx, http.MethodPost, base, body, &job, true)
	if err == nil && job.ID == "" {
		err = errors.New("no job id in the answer of Salesforce")
	}
	return job, err
}

// closeJob marks the upload complete. If a resent close is refused because
// the first one went through, the job's state says so.
func (c *Client) closeJob(ctx context.Context, base string, job *bulkJob) error {
	err := c.callJSON(ctx, http.MethodPatch, base+"/"+job.ID, map[string]string{"state": BulkUploadComplete}, job, true)
	if err == nil {
		return nil
	}
	var info bulkJob
	if gerr := c.callJSON(ctx, http.MethodGet, base+"/"+job.ID, nil, &info, true); gerr == nil && info.State != BulkOpen && info.State != "" {
		*job = info
		return nil
	}
	return err
}

// waitJob polls until the job ends. The first poll comes after the
// client's shortest wait (tens of milliseconds: a small job is often done
// by then). While an ingest job reports no record processed (queued, or
// its upload still being read) each wait is twice the time already waited
// (polls at 20, 60, 180, 540 ms…; a query job's, whose total is not known,
// doubles). Once records are being processed, the next poll is aimed a
// tenth past when the rest should be done at the rate between the last
// two polls, plus half the shortest wait, so a steady job is found done
// by that poll, a few percent after it ended. The first reading's rate
// also counts the time the job waited before its first record, so it
// would aim late: unless that aim is within four shortest waits, the next
// poll comes after as long again as was waited so far and reads the true
// rate. A job that slowed down is simply aimed at again from the newer
// rate. While under a fifth of the job is done no wait is more than seven
// times the time already waited: a rate read that early is a long
// extrapolation, and an interval in which the org stalled would aim far
// past the end. Always within the client's shortest and longest waits.
//
// So a job takes about four polls however fast it runs: BulkJobPolls
// gives the count, which a plan promises. Fixed waits either sleep past a
// finished job or poll a long one too often, and every poll is an API
// call; an eightfold grid of waits, which this replaced, spent one poll
// fewer but found a 100k-record job about 40% of its time late.
func (c *Client) waitJob(ctx context.Context, base string, job *bulkJob, total int, progress func(BulkProgress)) error {
	p := newPoller(total, c.bulkPollMin, c.bulkPollMax)
	start := c.clock.now()
	for {
		switch job.State {
		case BulkJobComplete, BulkFailed, BulkAborted:
			return nil
		}
		if err := c.sleepFor(ctx, p.wait, c.clock.sleep); err != nil {
			return fmt.Errorf("wait for job %s (%s): %w", job.ID, job.State, err)
		}
		prev := job.progress(total)
		if err := c.callJSON(ctx, http.MethodGet, base+"/"+job.ID, nil, job, true); err != nil {
			return fmt.Errorf("poll job %s: %w", job.ID, err)
		}
		if now := job.progress(total); now != prev {
			progress(now)
		}
		now := pollReading{at: c.clock.now().Sub(start)}
		if n := job.NumberRecordsProcessed; n != nil {
			now.processed = *n
		}
		p.read(now)
	}
}

// pollReading is what one poll of a job saw: the time since polling
// began and the records processed.
type pollReading struct {
	at        time.Duration
	processed float64
}

// poller sets the waits between the polls of one job (see waitJob).
type poller struct {
	total       int
	least, most time.Duration
	wait        time.Duration // before the next poll
	last        pollReading
}

func newPoller(total int, least, most time.Duration) *poller {
	return &poller{total: total, least: least, most: most, wait: least}
}

// pollMargin is how much later than the estimated end the poll aimed at
// it comes, as a share of the time left: a rate read over one interval
// varies by a few percent.
const pollMargin = 1.1

// read takes a poll's reading of a job still running and sets the wait
// before the next poll.
func (p *poller) read(now pollReading) {
	next := p.wait * 2 // a query job: its total is not known
	if p.total > 0 {
		next = 2 * now.at // nothing processed yet
	}
	if n := now.processed; p.total > 0 && n > 0 && n < float64(p.total) {
		done, took := n-p.last.processed, now.at-p.last.at
		if done <= 0 || took <= 0 {
			done, took = n, now.at // no progress since: the rate so far
		}
		left := float64(took) / done * (float64(p.total) - n)
		next = time.Duration(left*pollMargin) + p.least/2
		if 5*n < float64(p.total) {
			// A rate read while under a fifth is done is a long
			// extrapolation, and one interval in which the org stalled
			// (busy elsewhere) would aim far past the end: no wait on it
			// is more than seven times the time waited so far.
			next = min(next, 7*now.at)
		}
		if p.last.processed <= 0 && next > max(now.at, 4*p.least) {
			// The interval held the job's wait before its first record:
			// read the rate again before aiming at the end (unless the
			// end is near enough that a late aim costs little).
			next = now.at
		}
	}
	p.wait, p.last = min(max(next, p.least), p.most), now
}

// BulkJobPolls is how many polls waitJob makes, with the default waits,
// of an ingest job of n records that the org reads at bulkPlanReadRate
// before its first record and then processes steadily at bulkPlanRate:
// the schedule's own count, so a plan promises what the poller does. Once
// records are processed the poller aims at the job's end, so the count
// hardly depends on the rate: the demo org idle or busy takes at most one
// poll more or less (crm's TestBulkJobPollsMatchPlan). A real org's queue
// adds about one poll per threefold of its length.
func BulkJobPolls(n int) int {
	if n <= 0 {
		return 0
	}
	p := newPoller(n, DefaultBulkPollMin, DefaultBulkPollMax)
	read := time.Duration(float64(n) / bulkPlanReadRate * float64(time.Second))
	var at time.Duration
	for polls := 1; ; polls++ {
		at += p.wait
		now := pollReading{at: at, processed: min(float64(n), max(0, (at-read).Seconds())*bulkPlanRate)}
		if now.processed >= float64(n) {
			return polls
		}
		p.read(now)
	}
}

// bulkPlanRate is the records a second BulkJobPolls assumes a job is
// processed at: about the demo org's rate on an idle machine (200,000 to
// 300,000). Down to 50,000 a job takes the planned polls within one; on a
// machine busy with other work (10,000) the first waits are capped and it
// may take two more. Salesforce's own rate depends on the object's
// automation.
const bulkPlanRate = 200_000

// bulkPlanReadRate is the records a second BulkJobPolls assumes the org
// reads a job's upload at before processing its first record: the demo
// org parses about two million CSV rows a second.
const bulkPlanReadRate = 2_000_000

// bulkColumns is the CSV header: Id first for update and delete, then the
// union of the records' fields in sorted order.
func bulkColumns(op BulkOperation, n int, rec func(int) Record) []string {
	if op == OpDelete {
		return []string{"Id"}
	}
	seen := map[string]bool{}
	var cols []string
	for i := range n {
		for k := range rec(i).Fields {
			if k == "Id" || seen[k] {
				continue
			}
			seen[k] = true
			cols = append(cols, k)
		}
	}
	slices.Sort(cols)
	if op == OpUpdate {
		cols = append([]string{"Id"}, cols...)
	}
	return cols
}

// bulkCell renders a value for the CSV.
func bulkCell(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return bulkNull, nil
	case string:
		if x == "" {
			// An empty cell means "leave unchanged" to Bulk API 2.0, while
			// "" clears the field through the REST API: clear it here too.
			return bulkNull, nil
		}
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z"), nil
	default:
		return "", fmt.Errorf("unsupported value type %T", v)
	}
}

// errBulkUnmatched is the cause of an OutcomeUnknownError for inserts whose
// result rows could not be told apart or were missing.
var errBulkUnmatched = errors.New("their result rows in the Bulk API job could not be matched to them")

// bulkPart is one job's share of an upload: records [from, to) and their
// CSV, in data or at [off, off+size) of file.
type bulkPart struct {
	from, to  int
	data      []byte
	file      *os.File
	off, size int64
}

// body returns the part's CSV to send (a fresh reader each time: a lost
// upload is sent again) and its length.
func (p bulkPart) body() (func() io.Reader, int64) {
	if p.file == nil {
		return func() io.Reader { return bytes.NewReader(p.data) }, int64(len(p.data))
	}
	return func() io.Reader { return io.NewSectionReader(p.file, p.off, p.size) }, p.size
}

// bulkSpillBytes is the CSV size above which an upload is written to a
// work file instead of memory (see WithWorkDir). A variable for tests.
var bulkSpillBytes = 4 << 20

// bulkUploadLimit is MaxBulkUploadBytes; tests lower it to exercise the split.
var bulkUploadLimit = MaxBulkUploadBytes

// bulkSizeSample is how many records encodeBulkCSV encodes before it
// sizes a part's buffer for the rest.
const bulkSizeSample = 1000

// encodeBulkCSV writes the CSV of n records (header first) in parts of at
// most limit bytes each, split at a record boundary, each with the
// header. A CSV past bulkSpillBytes goes on in a work file in dir ("" for
// the system's temporary folder), so an upload of 300k records is not
// held in memory; cleanup closes and removes it.
func encodeBulkCSV(op BulkOperation, cols []string, n int, rec func(int) Record, limit int, dir string) (parts []bulkPart, cleanup func(), err error) {
	var buf bytes.Buffer // the current part, while in memory
	var file *os.File
	var fw *bufio.Writer
	var fileLen, partOff int64
	cleanup = func() {
		if file != nil {
			_ = file.Close()
			_ = os.Remove(file.Name())
		}
	}
	defer func() {
		if err != nil {
			cleanup()
			parts, cleanup = nil, func() {}
		}
	}()
	partLen := func() int {
		if file == nil {
			return buf.Len()
		}
		return int(fileLen - partOff)
	}
	write := func(b []byte) error {
		if file == nil {
			buf.Write(b)
			return nil
		}
		k, err := fw.Write(b)
		fileLen += int64(k)
		return err
	}
	spill := func() error {
		f, err := os.CreateTemp(dir, "crmsheets-bulk-*.csv")
		if err != nil {
			return fmt.Errorf("create the upload's work file: %w", err)
		}
		file, fw, fileLen, partOff = f, bufio.NewWriterSize(f, 256<<10), 0, 0
		data := buf.Bytes()
		buf = bytes.Buffer{}
		return write(data)
	}
	var hb bytes.Buffer
	w := csv.NewWriter(&hb)
	if err := w.Write(cols); err != nil {
		return nil, nil, err
	}
	w.Flush()
	header := hb.Bytes()
	_ = write(header)
	endPart := func(from, to int) {
		if file == nil {
			parts = append(parts, bulkPart{from: from, to: to, data: buf.Bytes()})
			buf = bytes.Buffer{}
			return
		}
		parts = append(parts, bulkPart{from: from, to: to, file: file, off: partOff, size: fileLen - partOff})
		partOff = fileLen
	}
	var line bytes.Buffer
	lw := csv.NewWriter(&line)
	from := 0
	row := make([]string, len(cols))
	for i := range n {
		r := rec(i)
		for j, col := range cols {
			if col == "Id" && (op == OpUpdate || op == OpDelete) {
				id := r.ID
				if id == "" {
					id, _ = r.Fields["Id"].(string)
				}
				if id == "" {
					return nil, nil, fmt.Errorf("record %d: no record id", i+1)
				}
				row[j] = id
				continue
			}
			v, ok := r.Fields[col]
			if !ok {
				row[j] = ""
				continue
			}
			cell, err := bulkCell(v)
			if err != nil {
				return nil, nil, fmt.Errorf("record %d field %s: %w", i+1, col, err)
			}
			row[j] = cell
		}
		line.Reset()
		if err := lw.Write(row); err != nil {
			return nil, nil, err
		}
		lw.Flush()
		if len(header)+line.Len() > limit {
			return nil, nil, fmt.Errorf("record %d: %d bytes of CSV exceed the %d MB upload limit alone", i+1, line.Len(), limit>>20)
		}
		if partLen()+line.Len() > limit {
			endPart(from, i)
			if err := write(header); err != nil {
				return nil, nil, fmt.Errorf("write the upload's work file: %w", err)
			}
			from = i
		}
		if file == nil && buf.Len()+line.Len() > bulkSpillBytes {
			if err := spill(); err != nil {
				return nil, nil, err
			}
		}
		if err := write(line.Bytes()); err != nil {
			return nil, nil, fmt.Errorf("write the upload's work file: %w", err)
		}
		if k := i + 1 - from; file == nil && k == bulkSizeSample && n-from > 2*k {
			// The part's size told from its first records, a twentieth
			// more, grown to once (within what stays in memory): doubling
			// as it fills copies it again and again.
			per := float64(buf.Len()-len(header)) / float64(k)
			want := min(int(per*float64(n-from)*1.05)+len(header), limit, bulkSpillBytes)
			if more := want - buf.Len(); more > 0 {
				buf.Grow(more)
			}
		}
	}
	endPart(from, n)
	if fw != nil {
		if err := fw.Flush(); err != nil {
			return nil, nil, fmt.Errorf("write the upload's work file: %w", err)
		}
	}
	return parts, cleanup, nil
}

// ingestResults maps a finished job's result files to its input records
// by identity (see BulkIngest); it returns the indexes of inserts whose
// outcome no result row tells.
func (c *Client) ingestResults(ctx context.Context, jobPath string, op BulkOperation, keyField string, cols []string, n int, rec func(int) Record, job *bulkJob) ([]Result, []int, error) {
	results := make([]Result, n)
	// The job's counters spare the downloads that cannot hold a row.
	known := job.NumberRecordsProcessed != nil && job.NumberRecordsFailed != nil
	processed, failed := 0, 0
	if known {
		processed, failed = int(*job.NumberRecordsProcessed), int(*job.NumberRecordsFailed)
	}
	m := newResultMatcher(op, keyField, cols, n, rec)
	filled := make([]bool, n)
	sets := []struct {
		resource string
		skip     bool
		apply    func(h, row []string) Result
	}{
		{"successfulResults/", known && processed-failed == 0, func(h, row []string) Result {
			return Result{ID: cell(h, row, "sf__Id"), Success: true, Created: cell(h, row, "sf__Created") == "true"}
		}},
		{"failedResults/", known && failed == 0, func(h, row []string) Result {
			return Result{ID: cell(h, row, "sf__Id"), Errors: []RecordError{parseBulkError(cell(h, row, "sf__Error"))}}
		}},
		{"unprocessedrecords/", known && processed >= n, func(h, row []string) Result {
			return Result{Errors: []RecordError{{StatusCode: CodeUnprocessed, Message: "Salesforce did not process this record because the job ended early; send it again"}}}
		}},
	}
	unmatched := 0
	for _, set := range sets {
		if set.skip {
			continue
		}
		rows, err := c.getCSV(ctx, c.absURL(jobPath+"/"+set.resource))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", strings.TrimSuffix(set.resource, "/"), err)
		}
		if len(rows) == 0 {
			continue
		}
		header := rows[0]
		for _, row := range rows[1:] {
			i, ok := m.match(header, row)
			if !ok || filled[i] {
				unmatched++
				continue
			}
			results[i] = set.apply(header, row)
			filled[i] = true
		}
	}
	if unmatched > 0 {
		c.log.Warn("bulk result rows matched no input record", "rows", unmatched)
	}
	var unknown []int
	for i, ok := range filled {
		switch {
		case ok:
		case op == OpInsert || op == OpUpsert:
			// Created or not, nobody can tell: reconcile by key, never resend.
			results[i] = Result{Errors: []RecordError{{StatusCode: CodeOutcomeUnknown, Message: "Salesforce's result for this record could not be matched to it; it is looked up by key before being sent again"}}}
			unknown = append(unknown, i)
		default:
			results[i] = Result{Errors: []RecordError{{StatusCode: CodeNoResult, Message: "Salesforce returned no result for this record; check it in Salesforce before sending it again"}}}
		}
	}
	return results, unknown, nil
}

// ingestAllDone reports an update or delete job whose info says every
// record processed and none failed: it has no result file worth reading.
func ingestAllDone(op BulkOperation, n int, job *bulkJob) bool {
	if job.NumberRecordsProcessed == nil || job.NumberRecordsFailed == nil {
		return false
	}
	return (op == OpUpdate || op == OpDelete) && int(*job.NumberRecordsProcessed) == n && *job.NumberRecordsFailed == 0 && job.State == BulkJobComplete
}

// recordIDOf is the record id an update or delete sends.
func recordIDOf(r Record) string {
	if r.ID != "" {
		return r.ID
	}
	id, _ := r.Fields["Id"].(string)
	return id
}

// resultMatcher finds the input record of a result row by identity.
type resultMatcher struct {
	op      BulkOperation
	byID    map[string]int   // update, delete: record id (18 chars) → input
	byValue map[string][]int // insert, upsert: normalized correlation → inputs
	corr    []string         // the columns the correlation reads
	raw     map[string]bool  // correlations shared by inputs that differ: ambiguous
}

func newResultMatcher(op BulkOperation, keyField string, cols []string, n int, rec func(int) Record) *resultMatcher {
	m := &resultMatcher{op: op}
	if op == OpUpdate || op == OpDelete {
		m.byID = make(map[string]int, n)
		for i := range n {
			m.byID[idKey(recordIDOf(rec(i)))] = i
		}
		return m
	}
	m.corr = cols
	if keyField != "" && slices.Contains(cols, keyField) {
		m.corr = []string{keyField}
	}
	m.byValue = make(map[string][]int, n)
	m.raw = map[string]bool{}
	first := map[string]string{}
	for i := range n {
		r := rec(i)
		k := m.inputKey(r)
		exact := ""
		for _, col := range cols {
			s, _ := bulkCell(r.Fields[col])
			exact += s + "\x1f"
		}
		if f, seen := first[k]; seen && f != exact {
			m.raw[k] = true // two different inputs one normalization apart
		} else if !seen {
			first[k] = exact
		}
		m.byValue[k] = append(m.byValue[k], i)
	}
	return m
}

func (m *resultMatcher) inputKey(r Record) string {
	var b strings.Builder
	for _, col := range m.corr {
		v, ok := r.Fields[col]
		s := ""
		if ok {
			s, _ = bulkCell(v)
		}
		b.WriteString(normBulkValue(s))
		b.WriteByte(0x1f)
	}
	return b.String()
}

func (m *resultMatcher) match(header, row []string) (int, bool) {
	if m.byID != nil {
		id := cell(header, row, "sf__Id")
		if id == "" {
			id = cell(header, row, "Id")
		}
		i, ok := m.byID[idKey(id)]
		return i, ok
	}
	var b strings.Builder
	for _, col := range m.corr {
		b.WriteString(normBulkValue(cell(header, row, col)))
		b.WriteByte(0x1f)
	}
	k := b.String()
	q := m.byValue[k]
	if len(q) == 0 || m.raw[k] {
		return 0, false
	}
	m.byValue[k] = q[1:]
	return q[0], true
}

// idKey is the 18-character form of a record id, so 15- and 18-character
// spellings of one record match.
func idKey(id string) string {
	if id18, err := To18(id); err == nil {
		return id18
	}
	return id
}

// normBulkValue is a CSV cell as Salesforce may spell it back: surrounding
// whitespace dropped, #N/A and empty alike, numbers by value (1.50 = 1.5 =
// 1.5E0), booleans in any case, date-times by instant.
func normBulkValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || s == bulkNull {
		return ""
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return "n" + strconv.FormatFloat(f, 'g', -1, 64)
	}
	switch strings.ToLower(s) {
	case "true", "false":
		return "b" + strings.ToLower(s)
	}
	if len(s) >= 19 && s[4] == '-' && s[10] == 'T' {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.000Z0700"} {
			if t, err := time.Parse(layout, s); err == nil {
				return "t" + t.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	return "s" + s
}

func cell(header, row []string, name string) string {
	if k := slices.Index(header, name); k >= 0 && k < len(row) {
		return row[k]
	}
	return ""
}

// parseBulkError reads an sf__Error cell:
// "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --".
func parseBulkError(s string) RecordError {
	s = strings.TrimSpace(s)
	body, terminated := strings.CutSuffix(s, "--")
	body = strings.TrimSpace(body)
	code, rest, ok := strings.Cut(body, ":")
	if !ok {
		return RecordError{StatusCode: body, Message: body}
	}
	e := RecordError{StatusCode: code, Message: rest}
	// The fields segment exists only in the "...:<fields> --" form.
	if i := strings.LastIndexByte(rest, ':'); terminated && i >= 0 {
		fields := strings.TrimSpace(rest[i+1:])
		if fields == "" || validFieldList(fields) {
			e.Message = rest[:i]
			if fields != "" {
				e.Fields = strings.Split(fields, ",")
			}
		}
	}
	return e
}

func validFieldList(s string) bool {
	for f := range strings.SplitSeq(s, ",") {
		if !validName(strings.TrimSpace(f)) {
			return false
		}
	}
	return true
}

// getCSV downloads and parses one CSV resource (retried like any GET).
func (c *Client) getCSV(ctx context.Context, u string) ([][]string, error) {
	var rows [][]string
	err := c.send(ctx, &request{method: http.MethodGet, url: u, accept: "text/csv", idempotent: true}, func(resp *http.Response) error {
		r := csv.NewReader(resp.Body)
		r.FieldsPerRecord = -1
		r.ReuseRecord = false
		var err error
		rows, err = r.ReadAll()
		return err
	})
	return rows, err
}

// BulkQuery runs soql as a Bulk API 2.0 query job and streams the records,
// one results page (Sforce-Locator) at a time; stop by breaking. Bulk
// results are CSV: every value is a string as Salesforce formats it, and an
// empty cell (null or empty text, indistinguishable in CSV) is nil. Convert
// with the object's describe. Record.Type is left empty; Record.ID is the Id
// column when selected.
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
func (c *Client) BulkQuery(ctx context.Context, soql string) iter.Seq2[Record, error] {
	return c.bulkQuery(ctx, soql, "query")
}

// BulkQueryAll is BulkQuery through the queryAll operation: records in the
// recycle bin are included, with IsDeleted "true" when selected.
func (c *Client) BulkQueryAll(ctx context.Context, soql string) iter.Seq2[Record, error] {
	return c.bulkQuery(ctx, soql, "queryAll")
}

// errStopped ends a results download whose consumer stopped reading.
var errStopped = errors.New("stopped by the caller")

func (c *Client) bulkQuery(ctx context.Context, soql, operation string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		fail := func(err error) { yield(Record{}, fmt.Errorf("bulk query %s: %w", shortSOQL(soql), err)) }
		base, err := c.dataPath(ctx, "jobs/query")
		if err != nil {
			fail(err)
			return
		}
		var job bulkJob
		body := map[string]string{"operation": operation, "query": soql, "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"}
		if err := c.callJSON(ctx, http.MethodPost, base, body, &job, true); err != nil {
			fail(fmt.Errorf("create job: %w", err))
			return
		}
		if err := c.waitJob(ctx, base, &job, 0, func(BulkProgress) {}); err != nil {
			fail(err)
			return
		}
		if job.State != BulkJobComplete {
			fail(&BulkJobError{JobID: job.ID, State: job.State, Message: job.ErrorMessage})
			return
		}
		resultsURL := func(locator string) string {
			u := c.absURL(base + "/" + job.ID + "/results")
			if locator != "" {
				u += "?" + url.Values{"locator": {locator}}.Encode()
			}
			return u
		}
		// Each results page is requested as soon as the previous page's
		// headers name it (Sforce-Locator), so Salesforce prepares it while
		// the client parses the previous one; its body waits unread (in
		// the connection, not in memory) until that page is consumed.
		actx, cancel := context.WithCancel(ctx)
		var inflight sync.WaitGroup
		defer func() {
			cancel() // a page requested ahead and not wanted
			inflight.Wait()
		}()
		page := c.fetchResults(actx, &inflight, resultsURL(""))
		for page != nil {
			// A page's records are yielded as they are parsed, not after
			// the whole page (50,000 rows on the demo org) is held as text.
			// A GET retried after a dropped connection reads the page again
			// and skips the records already yielded.
			var ahead *resultsFetch
			yielded, stopped := 0, false
			var err error
			for d := range page.deliveries {
				if next := d.resp.Header.Get("Sforce-Locator"); ahead == nil && next != "" && next != "null" {
					// "If there are no more results, this value is the string null."
					ahead = c.fetchResults(actx, &inflight, resultsURL(next))
				}
				perr := parseResults(d.resp.Body, &yielded, func(rec Record) bool {
					if !yield(rec, nil) {
						stopped = true
						return false
					}
					return true
				})
				if stopped {
					d.ack <- errStopped
					return
				}
				d.ack <- perr
			}
			if err = <-page.result; err != nil {
				fail(fmt.Errorf("results of job %s: %w", job.ID, err))
				return
			}
			page = ahead
		}
	}
}

// resultsFetch is one results page's GET running on its own goroutine:
// each response send receives (one, or more when a dropped read is
// retried) is handed over on deliveries, and the handler waits for the
// reader's verdict on ack; result is send's outcome.
type resultsFetch struct {
	deliveries chan resultsDelivery
	result     chan error
}

type resultsDelivery struct {
	resp *http.Response
	ack  chan error
}

func (c *Client) fetchResults(ctx context.Context, inflight *sync.WaitGroup, u string) *resultsFetch {
	f := &resultsFetch{deliveries: make(chan resultsDelivery), result: make(chan error, 1)}
	inflight.Add(1)
	go func() {
		defer inflight.Done()
		err := c.send(ctx, &request{method: http.MethodGet, url: u, accept: "text/csv", idempotent: true}, func(resp *http.Response) error {
			ack := make(chan error, 1)
			select {
			case f.deliveries <- resultsDelivery{resp: resp, ack: ack}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case err := <-ack:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(f.deliveries)
		f.result <- err
	}()
	return f
}

// parseResults reads a Bulk query results page (CSV with a header row),
// skipping the first *yielded records (already handed over before a
// retry) and counting the ones it hands to rec; it stops with errStopped
// when rec returns false.
func parseResults(body io.Reader, yielded *int, rec func(Record) bool) error {
	r := csv.NewReader(body)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true // the values are strings of their own; only the slice is reused
	header, err := r.Read()
	if err == io.EOF {
		return nil
	} else if err != nil {
		return err
	}
	header = slices.Clone(header)
	idCol := slices.Index(header, "Id")
	for n := 0; ; n++ {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if n < *yielded {
			continue
		}
		out := Record{Fields: make(map[string]any, len(header))}
		for j, name := range header {
			if j >= len(row) || row[j] == "" {
				out.Fields[name] = nil
				continue
			}
			out.Fields[name] = row[j]
		}
		if idCol >= 0 && idCol < len(row) {
			out.ID = row[idCol]
		}
		*yielded++
		if !rec(out) {
			return errStopped
		}
	}
}
