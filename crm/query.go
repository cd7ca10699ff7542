package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Record is one Salesforce record. Fields holds the queried fields by API
// name with JSON-like values (nil, string, float64, bool); parent
// relationship fields are flattened to paths such as "Account.Name" (nil when
// the parent is empty), and a child subquery becomes a []Record. Dates and
// datetimes are the strings Salesforce sends ("2024-01-31",
// "2024-01-31T12:00:00.000+0000").
//
// For writes, set Fields to the values to send; a path such as
// "Account.External_Id__c" sets the parent by external id. ID is the
// record id for updates and deletes.
type Record struct {
	Type   string
	ID     string
	Fields map[string]any
}

// queryPage is one page of a query response.
type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// Query runs a SOQL query and streams its records page by page, following
// nextRecordsUrl; stop early by breaking out of the loop (no further page is
// fetched). An error is yielded once, as the last element. Each page costs
// one API call; page size follows WithQueryBatchSize.
//
//	for rec, err := range c.Query(ctx, soql) {
//		if err != nil { return err }
//		...
//	}
//
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
func (c *Client) Query(ctx context.Context, soql string) iter.Seq2[Record, error] {
	return c.query(ctx, "query", soql)
}

// QueryAll is Query including deleted and archived records (IsDeleted = true
// rows), for spotting records deleted in Salesforce.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
func (c *Client) QueryAll(ctx context.Context, soql string) iter.Seq2[Record, error] {
	return c.query(ctx, "queryAll", soql)
}

// QueryWithTotal is Query that also hands total the query's totalSize,
// read from the first page, before the first record is yielded (and even
// when no record matches), so a caller can show progress as done/total.
// total is called once, from the iterating goroutine; it is not called
// when the first page fails.
func (c *Client) QueryWithTotal(ctx context.Context, soql string, total func(int)) iter.Seq2[Record, error] {
	return c.queryTotal(ctx, "query", soql, total)
}

// QueryAllWithTotal is QueryAll with the totalSize reported as
// QueryWithTotal does (deleted and archived records included), for callers
// that read every record: once the caller has taken the first record of a
// page, the next page is requested while the rest of this one is decoded
// and consumed, so Salesforce prepares a page while the client works on the
// previous one. A caller that stops after that point may leave one page
// fetched and unread (its API call spent); stopping at a page's first
// record, as a caller that only wanted the totalSize does, fetches nothing
// more.
func (c *Client) QueryAllWithTotal(ctx context.Context, soql string, total func(int)) iter.Seq2[Record, error] {
	return c.queryAhead(ctx, "queryAll", soql, total)
}

// Count returns the totalSize of a query, normally a SELECT COUNT() query,
// with one API call.
func (c *Client) Count(ctx context.Context, soql string) (int, error) {
	path, err := c.dataPath(ctx, "query")
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", shortSOQL(soql), err)
	}
	var page queryPage
	u := path + "?q=" + url.QueryEscape(soql)
	if len(c.absURL(u)) > maxURLBytes {
		return 0, fmt.Errorf("count %s: %w", shortSOQL(soql), errQueryTooLong(len(c.absURL(u))))
	}
	if err := c.callJSON(ctx, http.MethodGet, u, nil, &page, true); err != nil {
		return 0, fmt.Errorf("count %s: %w", shortSOQL(soql), err)
	}
	return page.TotalSize, nil
}

func (c *Client) query(ctx context.Context, resource, soql string) iter.Seq2[Record, error] {
	return c.queryTotal(ctx, resource, soql, nil)
}

// queryTotal streams a query's pages; total, when non-nil, receives the
// first page's totalSize.
func (c *Client) queryTotal(ctx context.Context, resource, soql string, total func(int)) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		path, err := c.dataPath(ctx, resource)
		if err != nil {
			yield(Record{}, fmt.Errorf("%s %s: %w", resource, shortSOQL(soql), err))
			return
		}
		nullPaths := parentPaths(soql)
		var header http.Header
		if c.batchSize > 0 {
			header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(c.batchSize)}}
		}
		next := c.absURL(path + "?q=" + url.QueryEscape(soql))
		if len(next) > maxURLBytes {
			yield(Record{}, fmt.Errorf("%s %s: %w", resource, shortSOQL(soql), errQueryTooLong(len(next))))
			return
		}
		for next != "" {
			var page queryPage
			req := &request{method: http.MethodGet, url: next, header: header, idempotent: true}
			err := c.send(ctx, req, func(resp *http.Response) error {
				return json.NewDecoder(resp.Body).Decode(&page)
			})
			if err != nil {
				yield(Record{}, fmt.Errorf("%s %s: %w", resource, shortSOQL(soql), err))
				return
			}
			if total != nil {
				total(page.TotalSize)
				total = nil
			}
			for _, m := range page.Records {
				if !yield(toRecord(m, nullPaths), nil) {
					return
				}
			}
			next = ""
			if !page.Done && page.NextRecordsURL != "" {
				next = c.absURL(page.NextRecordsURL)
			}
		}
	}
}

// toRecord turns one decoded JSON record into a Record, flattening parent
// relationships in place. nullPaths lists, per relationship prefix, the
// selected paths to set to nil when that parent is empty.
func toRecord(m map[string]any, nullPaths map[string][]string) Record {
	rec := Record{Fields: m}
	if attrs, ok := m["attributes"].(map[string]any); ok {
		rec.Type, _ = attrs["type"].(string)
		if u, ok := attrs["url"].(string); ok {
			rec.ID = u[strings.LastIndexByte(u, '/')+1:]
		}
		delete(m, "attributes")
	}
	if id, ok := m["Id"].(string); ok && id != "" {
		rec.ID = id
	}
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			if recs, ok := x["records"].([]any); ok {
				children := make([]Record, 0, len(recs))
				for _, r := range recs {
					if rm, ok := r.(map[string]any); ok {
						children = append(children, toRecord(rm, nil))
					}
				}
				m[k] = children
				continue
			}
			delete(m, k)
			flattenInto(m, k+".", x, nullPaths)
		case nil:
			if paths, ok := nullPathsOf(nullPaths, k); ok {
				delete(m, k)
				for _, p := range paths {
					m[p] = nil
				}
			}
		}
	}
	return rec
}

// nullPathsOf looks a relationship name up in nullPaths (keyed lower-case)
// without lower-casing it: a record's null fields are mostly plain fields,
// and a query selects few relationships.
func nullPathsOf(nullPaths map[string][]string, name string) ([]string, bool) {
	if len(nullPaths) > 8 {
		p, ok := nullPaths[strings.ToLower(name)]
		return p, ok
	}
	for rel, p := range nullPaths {
		if strings.EqualFold(rel, name) {
			return p, true
		}
	}
	return nil, false
}

// flattenInto copies a parent's fields into dst under prefix ("Account."),
// recursing into grandparents; an empty grandparent yields nil for each
// selected path below it.
func flattenInto(dst map[string]any, prefix string, src map[string]any, nullPaths map[string][]string) {
	for k, v := range src {
		if k == "attributes" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if _, isChild := x["records"]; !isChild {
				flattenInto(dst, prefix+k+".", x, nullPaths)
				continue
			}
		case nil:
			if paths, ok := nullPaths[strings.ToLower(prefix+k)]; ok {
				for _, p := range paths {
					dst[p] = nil
				}
				continue
			}
		}
		dst[prefix+k] = v
	}
}

// parentPaths extracts the dotted paths of a SELECT list, keyed by each of
// their lower-cased relationship prefixes, so that an empty parent yields
// nil for each selected path below it. It is a light scan, not a parser: anything it does not
// understand is simply not pre-filled.
func parentPaths(soql string) map[string][]string {
	upper := strings.ToUpper(soql)
	start := strings.Index(upper, "SELECT ")
	if start < 0 {
		return nil
	}
	depth, end := 0, -1
	for i := start + 7; i < len(upper) && end < 0; i++ {
		switch upper[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ' ', '\n', '\t', '\r':
			if depth == 0 && strings.HasPrefix(upper[i+1:], "FROM") {
				end = i
			}
		}
	}
	if end < 0 {
		return nil
	}
	var out map[string][]string
	for f := range strings.SplitSeq(soql[start+7:end], ",") {
		f = strings.TrimSpace(f)
		if !strings.Contains(f, ".") || !validPath(f) {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		// Every relationship prefix of the path: "account", "account.owner".
		for i := 0; i < len(f); i++ {
			if f[i] == '.' {
				key := strings.ToLower(f[:i])
				out[key] = append(out[key], f)
			}
		}
	}
	return out
}

// maxURLBytes is Salesforce's URI limit (HTTP 414 above 16,384 bytes).
const maxURLBytes = 16384

// QueryRoom is how many more bytes of URL-encoded SOQL a query request
// built from soql could hold before Salesforce's URI limit: callers that
// list record ids in an IN clause size their batches with it instead of a
// guess, so a short condition leaves room for more ids per call.
func (c *Client) QueryRoom(ctx context.Context, soql string) (int, error) {
	path, err := c.dataPath(ctx, "query")
	if err != nil {
		return 0, fmt.Errorf("size the query %s: %w", shortSOQL(soql), err)
	}
	return maxURLBytes - len(c.absURL(path+"?q="+url.QueryEscape(soql))), nil
}

// ErrQueryTooLong: the encoded query does not fit in a request URI; split
// long IN lists into several queries.
var ErrQueryTooLong = errors.New("SOQL query too long for one request")

func errQueryTooLong(n int) error {
	return fmt.Errorf("the encoded query is %d bytes, over Salesforce's %d-byte URI limit; split the IN list into smaller batches: %w", n, maxURLBytes, ErrQueryTooLong)
}

// shortSOQL shortens a query for error text (it can hold thousands of ids).
func shortSOQL(soql string) string {
	if len(soql) > 160 {
		return strconv.Quote(soql[:160] + "…")
	}
	return strconv.Quote(soql)
}

// queryAhead is queryTotal reading one page ahead (see QueryAllWithTotal).
// Each page's body is read whole by send (so a retried GET starts clean),
// then decoded record by record: totalSize, done and nextRecordsUrl come
// before the records in Salesforce's answers, so the next page's request
// can leave as soon as the caller has taken this page's first record.
func (c *Client) queryAhead(ctx context.Context, resource, soql string, total func(int)) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		fail := func(err error) { yield(Record{}, fmt.Errorf("%s %s: %w", resource, shortSOQL(soql), err)) }
		path, err := c.dataPath(ctx, resource)
		if err != nil {
			fail(err)
			return
		}
		nullPaths := parentPaths(soql)
		var header http.Header
		if c.batchSize > 0 {
			header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(c.batchSize)}}
		}
		first := c.absURL(path + "?q=" + url.QueryEscape(soql))
		if len(first) > maxURLBytes {
			fail(errQueryTooLong(len(first)))
			return
		}
		actx, cancel := context.WithCancel(ctx)
		var inflight sync.WaitGroup
		defer func() {
			cancel() // a page fetched ahead and not wanted
			inflight.Wait()
		}()
		type fetched struct {
			url  string
			body []byte
			err  error
		}
		fetch := func(u string) <-chan fetched {
			ch := make(chan fetched, 1)
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				f := fetched{url: u}
				f.err = c.send(actx, &request{method: http.MethodGet, url: u, header: header, idempotent: true}, func(resp *http.Response) error {
					var err error
					f.body, err = io.ReadAll(resp.Body)
					return err
				})
				ch <- f
			}()
			return ch
		}
		pending := fetch(first)
		for pending != nil {
			f := <-pending
			pending = nil
			if f.err != nil {
				fail(f.err)
				return
			}
			var next string
			stopped := false
			err := decodeQueryPage(f.body, func(head queryPage) {
				if total != nil {
					total(head.TotalSize)
					total = nil
				}
				if !head.Done && head.NextRecordsURL != "" {
					next = c.absURL(head.NextRecordsURL)
				}
			}, func(m map[string]any, firstOfPage bool) bool {
				if !yield(toRecord(m, nullPaths), nil) {
					stopped = true
					return false
				}
				if firstOfPage && next != "" {
					pending = fetch(next)
				}
				return true
			})
			if stopped {
				return
			}
			if err != nil {
				fail(fmt.Errorf("read the answer of GET %s: %w", redactURL(f.url), err))
				return
			}
			if pending == nil && next != "" {
				pending = fetch(next) // a page without records, or fields out of order
			}
		}
	}
}

// decodeQueryPage decodes a query page: head is called with totalSize, done
// and nextRecordsUrl before the first record (after the whole page when a
// record comes before them, which Salesforce never sends), then each record
// in turn until rec returns false. Records decode with jsonScan: the same
// values as encoding/json, at a third of its cost.
func decodeQueryPage(body []byte, head func(queryPage), rec func(m map[string]any, firstOfPage bool) bool) error {
	p := &jsonScan{s: string(body)}
	if p.peek() != '{' {
		return p.fail("not a query result")
	}
	p.i++
	var h queryPage
	var seen struct{ total, done, next bool }
	var early []map[string]any // records before the head (not Salesforce's order)
	headDone := false
	giveHead := func() {
		if !headDone {
			headDone = true
			head(h)
		}
	}
	for first := true; ; first = false {
		c := p.peek()
		if c == '}' && first {
			p.i++
			break
		}
		if !first {
			if c == '}' {
				p.i++
				break
			}
			if c != ',' {
				return p.fail("comma or } expected")
			}
			p.i++
			c = p.peek()
		}
		if c != '"' {
			return p.fail("object key expected")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		if p.peek() != ':' {
			return p.fail("colon expected")
		}
		p.i++
		if key != "records" {
			v, err := p.value()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			switch key {
			case "totalSize":
				n, ok := v.(float64)
				if !ok || n != float64(int(n)) {
					return fmt.Errorf("totalSize: %w: %v", errJSONSyntax, v)
				}
				h.TotalSize, seen.total = int(n), true
			case "done":
				h.Done, _ = v.(bool)
				seen.done = true
			case "nextRecordsUrl":
				h.NextRecordsURL, _ = v.(string)
				seen.next = true
			}
			continue
		}
		if p.peek() == 'n' {
			if err := p.literal("null"); err != nil {
				return err
			}
			continue
		}
		if p.peek() != '[' {
			return p.fail("records: list expected")
		}
		p.i++
		ordered := seen.total && seen.done && (seen.next || h.Done)
		firstOfPage := true
		for n := 0; ; n++ {
			c := p.peek()
			if c == ']' {
				p.i++
				break
			}
			if n > 0 {
				if c != ',' {
					return p.fail("comma or ] expected")
				}
				p.i++
				c = p.peek()
			}
			if c != '{' {
				return p.fail("record expected")
			}
			m, err := p.object()
			if err != nil {
				return err
			}
			if !ordered {
				early = append(early, m)
				continue
			}
			giveHead()
			if !rec(m, firstOfPage) {
				return nil
			}
			firstOfPage = false
		}
	}
	giveHead()
	for i, m := range early {
		if !rec(m, i == 0) {
			return nil
		}
	}
	return nil
}
