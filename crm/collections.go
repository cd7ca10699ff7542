package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Result is the outcome of writing one record. For a failed record Success
// is false and Errors says why; Created is set by upserts (and creates).
type Result struct {
	ID      string        `json:"id"`
	Success bool          `json:"success"`
	Created bool          `json:"created"`
	Errors  []RecordError `json:"errors"`
}

// Err returns nil for a success, else the first record error (which explains
// itself, see RecordError.Error).
func (r Result) Err() error {
	if r.Success {
		return nil
	}
	if len(r.Errors) == 0 {
		return errors.New("salesforce did not process the record")
	}
	return r.Errors[0]
}

// BulkOperation is a write operation: for Bulk API 2.0 jobs and for the
// engine's bookkeeping.
type BulkOperation string

// Write operations.
const (
	OpInsert BulkOperation = "insert"
	OpUpdate BulkOperation = "update"
	OpUpsert BulkOperation = "upsert"
	OpDelete BulkOperation = "delete"
)

// Create inserts records of one object with sObject Collections, 200 per
// call, allOrNone=false, and returns one Result per input record, in input
// order. Records that fail with UNABLE_TO_LOCK_ROW are resent alone (with
// backoff, under the retry policy).
//
// Creates are not idempotent: when the connection drops after a batch was
// sent, the batch is not resent. Its results carry CodeOutcomeUnknown and
// Create returns an *OutcomeUnknownError listing their indexes (after trying
// the remaining batches); reconcile them by key before creating again. On
// any other error Create stops and returns the results so far (zero Results
// for records not sent) with the error.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
func (c *Client) Create(ctx context.Context, object string, recs []Record) ([]Result, error) {
	return c.writeCollection(ctx, OpInsert, object, "", recs)
}

// CreateAllowingDuplicates is Create with Sforce-Duplicate-Rule-Header:
// allowSave=true: records an active duplicate rule would refuse with
// DUPLICATES_DETECTED are saved all the same. For rows the user chose to
// create although Salesforce found matching records.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_duplicaterules.htm
func (c *Client) CreateAllowingDuplicates(ctx context.Context, object string, recs []Record) ([]Result, error) {
	return c.writeCollection(context.WithValue(ctx, allowDuplicatesKey{}, true), OpInsert, object, "", recs)
}

// Update writes Fields to the records identified by Record.ID (200 per
// call, allOrNone=false); results in input order. Updates are idempotent, so
// a batch whose response was lost is resent.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
func (c *Client) Update(ctx context.Context, object string, recs []Record) ([]Result, error) {
	return c.writeCollection(ctx, OpUpdate, object, "", recs)
}

// Upsert creates or updates records matched by externalIDField (which each
// record's Fields must contain), 200 per call; Result.Created tells which.
// A batch whose response was lost is resent (the data ends the same), but
// then records created by the lost attempt report Created=false.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
func (c *Client) Upsert(ctx context.Context, object, externalIDField string, recs []Record) ([]Result, error) {
	if !validName(externalIDField) {
		return nil, fmt.Errorf("upsert %s by %q: %w", object, externalIDField, ErrUnsafeSOQL)
	}
	for i, r := range recs {
		if v, ok := r.Fields[externalIDField]; !ok || v == nil || v == "" {
			return nil, fmt.Errorf("upsert %s by %s: record %d has no %s value", object, externalIDField, i+1, externalIDField)
		}
	}
	return c.writeCollection(ctx, OpUpsert, object, externalIDField, recs)
}

// Delete deletes records by id, 200 per call; results in input order. A
// record already deleted by an attempt whose response was lost counts as
// deleted.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_delete.htm
func (c *Client) Delete(ctx context.Context, ids []string) ([]Result, error) {
	recs := make([]Record, len(ids))
	for i, id := range ids {
		recs[i] = Record{ID: id}
	}
	return c.writeCollection(ctx, OpDelete, "", "", recs)
}

// UpsertOne creates or updates the single record whose externalIDField
// equals value, with one call (PATCH /sobjects/{object}/{field}/{value}).
// fields must not contain the external id field itself.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
func (c *Client) UpsertOne(ctx context.Context, object, externalIDField, value string, fields map[string]any) (Result, error) {
	if !validName(object) || !validName(externalIDField) {
		return Result{}, fmt.Errorf("upsert %s by %q: %w", object, externalIDField, ErrUnsafeSOQL)
	}
	if value == "" {
		return Result{}, fmt.Errorf("upsert %s by %s: empty external id", object, externalIDField)
	}
	path, err := c.dataPath(ctx, "sobjects/"+object+"/"+externalIDField+"/"+url.PathEscape(value))
	if err != nil {
		return Result{}, fmt.Errorf("upsert %s %s=%q: %w", object, externalIDField, value, err)
	}
	body := unflatten(fields, nil)
	delete(body, externalIDField)
	var res Result
	if err := c.callJSON(ctx, http.MethodPatch, path, body, &res, true); err != nil {
		return Result{}, fmt.Errorf("upsert %s %s=%q: %w", object, externalIDField, value, err)
	}
	// 204 (before v46) has no body: the update succeeded.
	if res.ID == "" && len(res.Errors) == 0 {
		res.Success = true
	}
	return res, nil
}

// allowDuplicatesKey marks the context of CreateAllowingDuplicates.
type allowDuplicatesKey struct{}

// writeCollection runs one collection operation over recs in batches.
func (c *Client) writeCollection(ctx context.Context, op BulkOperation, object, extField string, recs []Record) ([]Result, error) {
	if op != OpDelete && !validName(object) {
		return nil, fmt.Errorf("%s %q: not an object API name: %w", op, object, ErrUnsafeSOQL)
	}
	results := make([]Result, len(recs))
	var unknown *OutcomeUnknownError
	for start := 0; start < len(recs); start += CollectionBatchSize {
		end := min(start+CollectionBatchSize, len(recs))
		batch := make([]int, 0, end-start)
		for i := start; i < end; i++ {
			batch = append(batch, i)
		}
		err := c.writeBatch(ctx, op, object, extField, recs, batch, results)
		var lost *errResponseLost
		switch {
		case errors.As(err, &lost):
			if unknown == nil {
				unknown = &OutcomeUnknownError{Op: string(op), Object: object, Cause: lost.cause}
			}
			unknown.Indexes = append(unknown.Indexes, batch...)
			for _, i := range batch {
				results[i] = Result{Errors: []RecordError{{StatusCode: CodeOutcomeUnknown, Message: "the connection dropped after the record was sent; it may or may not have been saved"}}}
			}
		case err != nil:
			return results, fmt.Errorf("%s %s records %d..%d of %d: %w", op, object, start+1, end, len(recs), err)
		}
	}
	if unknown != nil {
		return results, unknown
	}
	return results, nil
}

// writeBatch sends one batch (indexes into recs), then resends the records
// that failed with UNABLE_TO_LOCK_ROW until the retry policy gives up.
func (c *Client) writeBatch(ctx context.Context, op BulkOperation, object, extField string, recs []Record, batch []int, results []Result) error {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		req, err := c.batchRequest(ctx, op, object, extField, recs, batch)
		if err != nil {
			return err
		}
		var got []Result
		err = c.send(ctx, req, func(resp *http.Response) error {
			return json.NewDecoder(resp.Body).Decode(&got)
		})
		if err != nil {
			return err
		}
		if len(got) != len(batch) {
			return fmt.Errorf("%s %s: Salesforce returned %d results for %d records", op, object, len(got), len(batch))
		}
		var locked []int
		for k, i := range batch {
			r := got[k]
			if op == OpDelete && req.resentAfterLoss && hasCode(r, CodeEntityIsDeleted) {
				r = Result{ID: recs[i].ID, Success: true}
			}
			if op == OpUpdate && r.ID == "" {
				r.ID = recs[i].ID
			}
			results[i] = r
			if hasCode(r, CodeUnableToLockRow) {
				locked = append(locked, i)
			}
		}
		if len(locked) == 0 {
			return nil
		}
		delay, ok := c.retry.wait(attempt, time.Since(start), 0)
		if !ok {
			return nil // the lock errors stay in the results
		}
		c.log.Warn("salesforce records locked, resending them", "op", string(op), "object", object, "records", len(locked), "attempt", attempt, "wait", delay)
		if err := c.sleepFor(ctx, delay, sleep); err != nil {
			return fmt.Errorf("%s %s: %w", op, object, err)
		}
		batch = locked
	}
}

func hasCode(r Result, code string) bool {
	for _, e := range r.Errors {
		if e.StatusCode == code {
			return true
		}
	}
	return false
}

// batchRequest builds the HTTP request for one batch.
func (c *Client) batchRequest(ctx context.Context, op BulkOperation, object, extField string, recs []Record, batch []int) (*request, error) {
	if op == OpDelete {
		ids := make([]string, len(batch))
		for k, i := range batch {
			ids[k] = recs[i].ID
		}
		path, err := c.dataPath(ctx, "composite/sobjects")
		if err != nil {
			return nil, err
		}
		q := url.Values{"ids": {strings.Join(ids, ",")}, "allOrNone": {"false"}}
		return &request{method: http.MethodDelete, url: c.absURL(path + "?" + q.Encode()), idempotent: true}, nil
	}
	resource, method := "composite/sobjects", http.MethodPost
	switch op {
	case OpUpdate:
		method = http.MethodPatch
	case OpUpsert:
		method = http.MethodPatch
		resource += "/" + object + "/" + extField
	}
	path, err := c.dataPath(ctx, resource)
	if err != nil {
		return nil, err
	}
	attrs := map[string]any{"type": object}
	body := struct {
		AllOrNone bool             `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}{Records: make([]map[string]any, len(batch))}
	for k, i := range batch {
		r := recs[i]
		m := unflatten(r.Fields, nil)
		delete(m, "Id")
		m["attributes"] = attrs
		if op == OpUpdate {
			id := r.ID
			if id == "" {
				id, _ = r.Fields["Id"].(string)
			}
			if id == "" {
				return nil, fmt.Errorf("update %s record %d: no record id", object, i+1)
			}
			m["id"] = id
		}
		body.Records[k] = m
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s batch: %w", op, object, err)
	}
	req := &request{method: method, url: c.absURL(path), body: raw, contentType: "application/json", idempotent: op != OpInsert}
	if allow, _ := ctx.Value(allowDuplicatesKey{}).(bool); allow {
		req.header = http.Header{"Sforce-Duplicate-Rule-Header": {"allowSave=true"}}
	}
	return req, nil
}

// unflatten turns {"Account.Ext__c": v} into {"Account": {"Ext__c": v}} so
// that a parent can be set by external id; plain keys are copied.
func unflatten(fields map[string]any, dst map[string]any) map[string]any {
	if dst == nil {
		dst = make(map[string]any, len(fields)+2)
	}
	for k, v := range fields {
		head, rest, nested := strings.Cut(k, ".")
		if !nested {
			dst[k] = v
			continue
		}
		sub, _ := dst[head].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			dst[head] = sub
		}
		unflatten(map[string]any{rest: v}, sub)
	}
	return dst
}
