package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// apiUsage counts the daily API requests (API-REFERENCE.md §2 and §9). The
// count resets when the UTC day of the clock changes (Salesforce uses a
// rolling 24 hours; a calendar day is simpler to reason about in tests).
type apiUsage struct {
	mu    sync.Mutex
	used  int
	limit int
	day   string
}

// spend counts one call; it reports false, counting nothing, once the daily
// limit is reached.
func (u *apiUsage) spend(now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollover(now)
	if u.used >= u.limit {
		return false
	}
	u.used++
	return true
}

func (u *apiUsage) rollover(now time.Time) {
	day := now.UTC().Format(time.DateOnly)
	if day != u.day {
		u.day, u.used = day, 0
	}
}

func (u *apiUsage) snapshot() (used, limit int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.used, u.limit
}

// APIUsage returns the API requests counted today and the daily limit, the
// numbers Sforce-Limit-Info reports.
func (s *Server) APIUsage() (used, limit int) {
	s.usage.mu.Lock()
	s.usage.rollover(s.now())
	s.usage.mu.Unlock()
	return s.usage.snapshot()
}

// SetDailyAPILimit changes the daily limit (tests use a small one to reach
// REQUEST_LIMIT_EXCEEDED); n ≤ 0 restores the default.
func (s *Server) SetDailyAPILimit(n int) {
	if n <= 0 {
		n = DefaultDailyAPILimit
	}
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	s.usage.limit = n
}

// ResetAPIUsage sets today's count back to zero.
func (s *Server) ResetAPIUsage() {
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	s.usage.used = 0
}

func (s *Server) setLimitHeader(w http.ResponseWriter) {
	used, limit := s.usage.snapshot()
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", used, limit))
}

type limitValue struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// handleLimits serves GET /limits with the keys of a real org (camel
// capture in API-REFERENCE.md §9); only DailyApiRequests and the storage
// figures move.
func (s *Server) handleLimits(req *restRequest) {
	if req.r.Method != http.MethodGet {
		methodNotAllowed(req.w, req.r, "GET")
		return
	}
	used, limit := s.usage.snapshot()
	s.mu.RLock()
	records := 0
	for _, t := range s.tables {
		records += len(t.recs)
	}
	s.mu.RUnlock()
	const storageMB = 1024
	usedMB := records * 2 / 1024 // Salesforce counts 2 KB per record
	bulkMax := 15000
	writeValue(req.w, http.StatusOK, map[string]limitValue{
		"DailyApiRequests":              {limit, max(0, limit-used)},
		"DailyBulkApiRequests":          {bulkMax, bulkMax},
		"DailyBulkV2QueryJobs":          {10000, 10000},
		"DailyBulkV2QueryFileStorageMB": {976562, 976562},
		"DataStorageMB":                 {storageMB, max(0, storageMB-usedMB)},
		"FileStorageMB":                 {storageMB, storageMB},
		"ConcurrentSyncReportRuns":      {20, 20},
		"DailyAsyncApexExecutions":      {250000, 250000},
		"HourlyODataCallout":            {10000, 10000},
		"SingleEmail":                   {5000, 5000},
		"MassEmail":                     {5000, 5000},
	})
}

// handleRecordCount serves GET /limits/recordCount?sObjects=A,B.
func (s *Server) handleRecordCount(req *restRequest) {
	type entry struct {
		Count int    `json:"count"`
		Name  string `json:"name"`
	}
	var want []string
	if v := req.r.URL.Query().Get("sObjects"); v != "" {
		want = strings.Split(v, ",")
	}
	out := struct {
		SObjects []entry `json:"sObjects"`
	}{SObjects: []entry{}}
	s.mu.RLock()
	for _, o := range s.schema.Objects {
		if want != nil && !containsFold(want, o.Name) {
			continue
		}
		out.SObjects = append(out.SObjects, entry{Count: s.tables[o].live, Name: o.Name})
	}
	s.mu.RUnlock()
	writeValue(req.w, http.StatusOK, out)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// bufferedResponse captures a response so that it can be cut off (the drop
// fault).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: http.Header{}, status: http.StatusOK}
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
