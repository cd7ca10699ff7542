package crm

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	ID                     string  `json:"id"`
	State                  string  `json:"state"`
	Object                 string  `json:"object"`
	Operation              string  `json:"operation"`
	ErrorMessage           string  `json:"errorMessage"`
	NumberRecordsProcessed float64 `json:"numberRecordsProcessed"`
	NumberRecordsFailed    float64 `json:"numberRecordsFailed"`
}

// BulkIngest writes recs with one Bulk API 2.0 ingest job: it builds the CSV
// (columns = union of the records' fields; Id first for update and delete;
// nil and "" are sent as #N/A, i.e. cleared, as through the REST API; a
// field missing from a record leaves it unchanged), creates the job, uploads, closes it, polls with backoff
// (WithBulkPolling) and reads the successful, failed and unprocessed results,
// mapped back to input order. progress, if not nil, receives each new job
// state. It costs about five calls plus polling, whatever the record count.
//
// An upload whose response is lost is not resent into the same job: the job
// is aborted and a new one created, so no row is ingested twice.
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm
func (c *Client) BulkIngest(ctx context.Context, object string, op BulkOperation, externalIDField string, recs []Record, progress func(state string)) ([]Result, error) {
	if !validName(object) {
		return nil, fmt.Errorf("bulk %s %q: not an object API name: %w", op, object, ErrUnsafeSOQL)
	}
	if op == OpUpsert && !validName(externalIDField) {
		return nil, fmt.Errorf("bulk upsert %s by %q: %w", object, externalIDField, ErrUnsafeSOQL)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if progress == nil {
		progress = func(string) {}
	}
	cols := bulkColumns(op, recs)
	data, rowKeys, err := encodeBulkCSV(op, cols, recs)
	if err != nil {
		return nil, fmt.Errorf("bulk %s %s: %w", op, object, err)
	}
	if len(data) > MaxBulkUploadBytes {
		return nil, fmt.Errorf("bulk %s %s: %d MB of CSV exceeds the %d MB upload limit; split the records", op, object, len(data)>>20, MaxBulkUploadBytes>>20)
	}
	base, err := c.dataPath(ctx, "jobs/ingest")
	if err != nil {
		return nil, fmt.Errorf("bulk %s %s: %w", op, object, err)
	}
	var job bulkJob
	for attempt := 1; ; attempt++ {
		job, err = c.createIngestJob(ctx, base, object, op, externalIDField)
		if err != nil {
			return nil, fmt.Errorf("bulk %s %s: create job: %w", op, object, err)
		}
		progress(job.State)
		err = c.send(ctx, &request{method: http.MethodPut, url: c.absURL(base + "/" + job.ID + "/batches"), body: data, contentType: "text/csv"}, nil)
		var lost *errResponseLost
		if !errors.As(err, &lost) || attempt >= c.retry.MaxAttempts {
			break
		}
		c.log.Warn("bulk upload response lost, aborting the job and starting over", "job", job.ID, "attempt", attempt)
		_ = c.callJSON(ctx, http.MethodPatch, base+"/"+job.ID, map[string]string{"state": BulkAborted}, nil, true)
	}
	if err != nil {
		return nil, fmt.Errorf("bulk %s %s: upload to job %s: %w", op, object, job.ID, err)
	}
	if err := c.closeJob(ctx, base, &job); err != nil {
		return nil, fmt.Errorf("bulk %s %s: close job %s: %w", op, object, job.ID, err)
	}
	progress(job.State)
	if err := c.waitJob(ctx, base, &job, progress); err != nil {
		return nil, fmt.Errorf("bulk %s %s: %w", op, object, err)
	}
	results, err := c.ingestResults(ctx, base+"/"+job.ID, cols, rowKeys)
	if err != nil {
		return nil, fmt.Errorf("bulk %s %s: results of job %s: %w", op, object, job.ID, err)
	}
	if job.State != BulkJobComplete {
		return results, &BulkJobError{JobID: job.ID, State: job.State, Message: job.ErrorMessage}
	}
	return results, nil
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

// waitJob polls until the job ends, waiting longer between polls (bulk
// poll minimum doubling to the maximum).
func (c *Client) waitJob(ctx context.Context, base string, job *bulkJob, progress func(string)) error {
	wait := c.bulkPollMin
	for {
		switch job.State {
		case BulkJobComplete, BulkFailed, BulkAborted:
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("wait for job %s (%s): %w", job.ID, job.State, err)
		}
		wait = min(wait*2, c.bulkPollMax)
		prev := job.State
		if err := c.callJSON(ctx, http.MethodGet, base+"/"+job.ID, nil, job, true); err != nil {
			return fmt.Errorf("poll job %s: %w", job.ID, err)
		}
		if job.State != prev {
			progress(job.State)
		}
	}
}

// bulkColumns is the CSV header: Id first for update and delete, then the
// union of the records' fields in sorted order.
func bulkColumns(op BulkOperation, recs []Record) []string {
	if op == OpDelete {
		return []string{"Id"}
	}
	seen := map[string]bool{}
	var cols []string
	for _, r := range recs {
		for k := range r.Fields {
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

// encodeBulkCSV writes the upload and returns, per record, the key of its
// row (the cells joined), used to map results back.
func encodeBulkCSV(op BulkOperation, cols []string, recs []Record) ([]byte, []string, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(cols); err != nil {
		return nil, nil, err
	}
	keys := make([]string, len(recs))
	row := make([]string, len(cols))
	for i, r := range recs {
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
		if err := w.Write(row); err != nil {
			return nil, nil, err
		}
		keys[i] = strings.Join(row, "\x1f")
	}
	w.Flush()
	return buf.Bytes(), keys, w.Error()
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

// ingestResults downloads the three result sets and maps them to inputs.
func (c *Client) ingestResults(ctx context.Context, jobPath string, cols, rowKeys []string) ([]Result, error) {
	byKey := make(map[string][]int, len(rowKeys))
	for i, k := range rowKeys {
		byKey[k] = append(byKey[k], i)
	}
	results := make([]Result, len(rowKeys))
	filled := make([]bool, len(rowKeys))
	take := func(header, row []string) (int, bool) {
		cells := make([]string, len(cols))
		for j, col := range cols {
			if k := slices.Index(header, col); k >= 0 && k < len(row) {
				cells[j] = row[k]
			}
		}
		key := strings.Join(cells, "\x1f")
		q := byKey[key]
		if len(q) == 0 {
			return 0, false
		}
		byKey[key] = q[1:]
		return q[0], true
	}
	sets := []struct {
		resource string
		apply    func(header, row []string) Result
	}{
		{"successfulResults/", func(h, row []string) Result {
			return Result{ID: cell(h, row, "sf__Id"), Success: true, Created: cell(h, row, "sf__Created") == "true"}
		}},
		{"failedResults/", func(h, row []string) Result {
			return Result{ID: cell(h, row, "sf__Id"), Errors: []RecordError{parseBulkError(cell(h, row, "sf__Error"))}}
		}},
		{"unprocessedrecords/", func(h, row []string) Result {
			return Result{Errors: []RecordError{{StatusCode: CodeUnprocessed, Message: "Salesforce did not process this record because the job ended early; send it again"}}}
		}},
	}
	unmatched := 0
	for _, set := range sets {
		rows, err := c.getCSV(ctx, c.absURL(jobPath+"/"+set.resource))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.TrimSuffix(set.resource, "/"), err)
		}
		if len(rows) == 0 {
			continue
		}
		header := rows[0]
		for _, row := range rows[1:] {
			i, ok := take(header, row)
			if !ok {
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
	for i, ok := range filled {
		if !ok {
			results[i] = Result{Errors: []RecordError{{StatusCode: CodeNoResult, Message: "Salesforce returned no result for this record; check it in Salesforce before sending it again"}}}
		}
	}
	return results, nil
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
	return func(yield func(Record, error) bool) {
		fail := func(err error) { yield(Record{}, fmt.Errorf("bulk query %s: %w", shortSOQL(soql), err)) }
		base, err := c.dataPath(ctx, "jobs/query")
		if err != nil {
			fail(err)
			return
		}
		var job bulkJob
		body := map[string]string{"operation": "query", "query": soql, "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"}
		if err := c.callJSON(ctx, http.MethodPost, base, body, &job, true); err != nil {
			fail(fmt.Errorf("create job: %w", err))
			return
		}
		if err := c.waitJob(ctx, base, &job, func(string) {}); err != nil {
			fail(err)
			return
		}
		if job.State != BulkJobComplete {
			fail(&BulkJobError{JobID: job.ID, State: job.State, Message: job.ErrorMessage})
			return
		}
		locator := ""
		for {
			u := c.absURL(base + "/" + job.ID + "/results")
			if locator != "" {
				u += "?" + url.Values{"locator": {locator}}.Encode()
			}
			var rows [][]string
			var next string
			err := c.send(ctx, &request{method: http.MethodGet, url: u, accept: "text/csv", idempotent: true}, func(resp *http.Response) error {
				next = resp.Header.Get("Sforce-Locator")
				r := csv.NewReader(resp.Body)
				r.FieldsPerRecord = -1
				var err error
				rows, err = r.ReadAll()
				return err
			})
			if err != nil {
				fail(fmt.Errorf("results of job %s: %w", job.ID, err))
				return
			}
			if len(rows) > 0 {
				header := rows[0]
				idCol := slices.Index(header, "Id")
				for _, row := range rows[1:] {
					rec := Record{Fields: make(map[string]any, len(header))}
					for j, name := range header {
						if j >= len(row) || row[j] == "" {
							rec.Fields[name] = nil
							continue
						}
						rec.Fields[name] = row[j]
					}
					if idCol >= 0 && idCol < len(row) {
						rec.ID = row[idCol]
					}
					if !yield(rec, nil) {
						return
					}
				}
			}
			// "If there are no more results, this value is the string null."
			if next == "" || next == "null" {
				return
			}
			locator = next
		}
	}
}
