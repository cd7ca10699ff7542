package emulator

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The demo user's login. The authorize page is prefilled with it, and the
// OAuth password grant accepts it.
const (
	DemoUsername = "demo@crmsheets.example"
	DemoPassword = "demo"
	// DemoClientID is the consumer key of the demo org's own connected app
	// (DemoApp), which CRM Sheets uses with no set-up. Other clients must
	// be registered (Options.Apps, `crmsheets emulator --app`).
	DemoClientID = "crmsheets-demo"
)

// Defaults of Options.
const (
	// DefaultDailyAPILimit is the base daily API request allocation of an
	// Enterprise Edition org (100,000 per 24 hours); Developer Edition orgs
	// get 15,000.
	DefaultDailyAPILimit = 100000
	// DefaultTokenTTL is the access token lifetime: Salesforce's default
	// session timeout of two hours.
	DefaultTokenTTL = 2 * time.Hour
	// DefaultSeedAccounts is the size of the standalone demo org.
	DefaultSeedAccounts = 500
	// LatestVersion is the newest API version served (Spring '26).
	LatestVersion = "66.0"
	// oldestVersion is the oldest API version served (Winter '11).
	oldestVersion = 20
)

// Options configures a Server. The zero value is an empty in-memory org with
// the defaults documented on each field.
type Options struct {
	// DataFile is the bbolt file the org persists to; "" keeps it in memory.
	DataFile string
	// SeedAccounts is the number of accounts of the deterministic seed org,
	// generated (with their contacts, opportunities, cases, tasks, leads and
	// subscriptions) when the store is empty; 0 leaves the org empty apart
	// from what every org has (the Organization row, profiles, the demo user
	// and four colleagues, one of them inactive).
	SeedAccounts int
	// Seed seeds the deterministic generator.
	Seed int64
	// DailyAPILimit is the DailyApiRequests maximum; 0 means
	// DefaultDailyAPILimit.
	DailyAPILimit int
	// TokenTTL is the access token lifetime; 0 means DefaultTokenTTL.
	TokenTTL time.Duration
	// Now is the clock; nil means time.Now. Tests may move time.
	Now func() time.Time
	// OrgID is the org's Salesforce id (15 or 18 characters, 00D…); ""
	// means the demo org's fixed id. Two emulators with different OrgIDs
	// are two orgs to a client, as a sandbox and its production org are
	// (same record ids, other org id).
	OrgID string
	// Faults are the initial injected faults (see SetFaults).
	Faults Faults
	// Logger receives one debug line per request (never tokens); nil
	// discards.
	Logger *slog.Logger
	// Apps are connected apps registered besides DemoApp and
	// PlatformCLIApp (an app with the same consumer key replaces them).
	Apps []ConnectedApp
}

// Faults are injected failures for tests. The sequence of faults is
// deterministic for a given Seed and order of requests.
type Faults struct {
	// Latency is added to every request.
	Latency time.Duration
	// Rate503 is the share of REST data calls (not OAuth endpoints) answered
	// 503 SERVER_UNAVAILABLE before they are processed or counted.
	Rate503 float64
	// LockRate is the per-record share of single-record DML and collection
	// records that fail with UNABLE_TO_LOCK_ROW.
	LockRate float64
	// ExpireTokenEvery makes every Nth authenticated call find its access
	// token expired (401 INVALID_SESSION_ID); refreshing works as usual.
	ExpireTokenEvery int
	// DropRate is the share of REST data calls whose response is cut off:
	// the request is processed (writes happen), then the connection is
	// closed after half of the response.
	DropRate float64
	// Seed seeds the fault sequence.
	Seed int64
}

// Server is the demo org. It is safe for concurrent use.
type Server struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	schema *Schema

	mu     sync.RWMutex // guards tables
	tables map[*Object]*table

	db *bolt.DB // nil in memory

	orgID, userID string

	auth    *authState
	usage   *apiUsage
	cursors *cursorStore
	bulk    *bulkStore // Bulk API 2.0 jobs (bulk.go)

	faultMu   sync.Mutex
	faults    Faults
	faultRand *rand.Rand
	authCalls int

	describeCache sync.Map // "Object@version" → []byte
}

// New builds a Server, opening and loading Options.DataFile when set and
// seeding an empty store.
func New(opts Options) (*Server, error) {
	if opts.DailyAPILimit <= 0 {
		opts.DailyAPILimit = DefaultDailyAPILimit
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		opts:   opts,
		now:    opts.Now,
		log:    opts.Logger,
		schema: DemoSchema(),
		tables: map[*Object]*table{},
		orgID:  newID(PrefixOrg, 1),
		userID: newID(PrefixUser, 1),
	}
	if opts.OrgID != "" {
		id, err := orgIDOption(opts.OrgID)
		if err != nil {
			return nil, err
		}
		s.orgID = id
	}
	for _, o := range s.schema.Objects {
		s.tables[o] = newTable(o)
	}
	s.auth = newAuthState(opts.TokenTTL, opts.Apps)
	s.usage = &apiUsage{limit: opts.DailyAPILimit}
	s.cursors = newCursorStore()
	s.bulk = newBulkStore()
	s.SetFaults(opts.Faults)
	if opts.DataFile != "" {
		if err := s.openDB(opts.DataFile); err != nil {
			return nil, err
		}
	}
	if err := s.ensureBaseline(); err != nil {
		s.Close()
		return nil, err
	}
	if opts.SeedAccounts > 0 && s.onlyBaseline() {
		if err := s.seed(opts.SeedAccounts, opts.Seed); err != nil {
			s.Close()
			return nil, fmt.Errorf("seed demo org: %w", err)
		}
	}
	return s, nil
}

// Close stops Bulk API jobs still processing and releases the data file.
// The Server must not be used afterwards.
func (s *Server) Close() error {
	s.bulk.shutdown()
	if s.db == nil {
		return nil
	}
	s.persistUsage()
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("close demo org data file: %w", err)
	}
	return nil
}

// SetFaults replaces the injected faults and restarts their sequence.
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	s.faultRand = rand.New(rand.NewPCG(uint64(f.Seed), 0x5eed))
	s.authCalls = 0
}

func (s *Server) currentFaults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

// roll reports whether a fault of the given rate fires now.
func (s *Server) roll(rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faultRand.Float64() < rate
}

// Handler returns the HTTP handler of the org; mount it at the root of a
// server (httptest.NewServer(srv.Handler())).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/authorize", s.handleAuthorize)
	mux.HandleFunc("/services/oauth2/token", s.handleToken)
	mux.HandleFunc("/services/oauth2/revoke", s.handleRevoke)
	mux.HandleFunc(errorPagePath, s.handleErrorPage)
	mux.HandleFunc("/services/oauth2/userinfo", s.handleUserInfo)
	mux.HandleFunc("/id/", s.handleIdentity)
	mux.HandleFunc("/services/data", s.handleData)
	mux.HandleFunc("/services/data/", s.handleData)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, http.StatusNotFound, notFound())
	})
	return s.withLatency(mux)
}

func (s *Server) withLatency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := s.currentFaults().Latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		collapseSlashes(r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

// collapseSlashes serves "//services/data/…" (what clients holding an
// instance URL with a trailing slash send) as "/services/data/…", the way
// Salesforce does. Without it the Go mux answers 307 with a relative
// Location that such clients cannot follow.
func collapseSlashes(r *http.Request) {
	if !strings.Contains(r.URL.Path, "//") {
		return
	}
	collapse := func(p string) string {
		var b strings.Builder
		b.Grow(len(p))
		for i := 0; i < len(p); i++ {
			if p[i] == '/' && i > 0 && p[i-1] == '/' {
				continue
			}
			b.WriteByte(p[i])
		}
		return b.String()
	}
	r.URL.Path = collapse(r.URL.Path)
	if r.URL.RawPath != "" {
		r.URL.RawPath = collapse(r.URL.RawPath)
	}
}

// versionLabel names the release of an API version ("62.0" → "Winter '25").
func versionLabel(major int) string {
	i := major - oldestVersion
	season := [...]string{"Winter", "Spring", "Summer"}[i%3]
	return fmt.Sprintf("%s '%02d", season, 11+i/3)
}

type versionInfo struct {
	Label   string `json:"label"`
	URL     string `json:"url"`
	Version string `json:"version"`
}

func latestMajor() int { n, _ := strconv.Atoi(strings.TrimSuffix(LatestVersion, ".0")); return n }

// parseVersion accepts "v62.0" (and "latest") and returns "62.0".
func parseVersion(seg string) (string, bool) {
	if seg == "latest" {
		return LatestVersion, true
	}
	if !strings.HasPrefix(seg, "v") || !strings.HasSuffix(seg, ".0") {
		return "", false
	}
	n, err := strconv.Atoi(seg[1 : len(seg)-2])
	if err != nil || n < oldestVersion || n > latestMajor() {
		return "", false
	}
	return seg[1:], true
}

// restRequest is one authenticated REST data call, after routing.
type restRequest struct {
	w       http.ResponseWriter
	r       *http.Request
	version string
	// parts are the path segments after /services/data/vXX.X/.
	parts []string
	// base is "/services/data/vXX.X".
	base string
}

func (s *Server) handleData(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/services/data"), "/")
	if rest == "" {
		s.handleVersions(w, r)
		return
	}
	seg, tail, _ := strings.Cut(rest, "/")
	version, ok := parseVersion(seg)
	if !ok {
		writeErrors(w, http.StatusNotFound, notFound())
		return
	}
	faults := s.currentFaults()
	if s.roll(faults.Rate503) {
		w.Header().Set("Retry-After", "1")
		writeErrors(w, http.StatusServiceUnavailable,
			newAPIError(codeServerUnavailable, "Server temporarily unavailable, please retry"))
		return
	}
	if !s.authenticate(w, r) {
		return
	}
	if !s.usage.spend(s.now()) {
		s.setLimitHeader(w)
		writeErrors(w, http.StatusForbidden, newAPIError(codeRequestLimit, "TotalRequests Limit exceeded."))
		return
	}
	s.setLimitHeader(w)
	tail = strings.TrimSuffix(tail, "/")
	var parts []string
	if tail != "" {
		parts = strings.Split(tail, "/")
	}
	req := &restRequest{r: r, version: version, parts: parts, base: "/services/data/v" + version}
	if s.roll(faults.DropRate) {
		s.serveDropped(w, req)
		return
	}
	req.w = w
	s.route(req)
}

// serveDropped runs the request to completion, then sends only the status
// line, the headers and half the body before closing the connection.
func (s *Server) serveDropped(w http.ResponseWriter, req *restRequest) {
	rec := newBufferedResponse()
	for k, v := range w.Header() {
		rec.header[k] = v
	}
	req.w = rec
	s.route(req)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	body := rec.body.Bytes()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
	rec.header.Set("Content-Length", strconv.Itoa(len(body)+1))
	_ = rec.header.Write(buf)
	buf.WriteString("\r\n")
	buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, "GET", "HEAD")
		return
	}
	var out []versionInfo
	for n := oldestVersion; n <= latestMajor(); n++ {
		v := strconv.Itoa(n) + ".0"
		out = append(out, versionInfo{Label: versionLabel(n), URL: "/services/data/v" + v, Version: v})
	}
	writeValue(w, http.StatusOK, out)
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeErrors(w, http.StatusMethodNotAllowed, newAPIError(codeMethodNotAllowed,
		"HTTP Method '%s' not allowed. Allowed are %s", r.Method, strings.Join(allowed, ",")))
}

// route dispatches an authenticated REST call by its path segments.
func (s *Server) route(req *restRequest) {
	p := req.parts
	method := req.r.Method
	switch {
	case len(p) == 0:
		s.handleResources(req)
	case p[0] == "sobjects":
		s.routeSObjects(req)
	case p[0] == "query" || p[0] == "queryAll":
		if method != http.MethodGet {
			methodNotAllowed(req.w, req.r, "GET")
			return
		}
		s.handleQuery(req, p[0] == "queryAll")
	case p[0] == "composite" && len(p) >= 2 && p[1] == "sobjects":
		s.routeCollections(req)
	case p[0] == "composite":
		s.routeComposite(req)
	case p[0] == "jobs":
		s.routeJobs(req)
	case p[0] == "search" && len(p) == 1:
		s.handleSearch(req)
	case p[0] == "parameterizedSearch" && len(p) == 1:
		s.handleParameterizedSearch(req)
	case p[0] == "limits" && len(p) == 1:
		s.handleLimits(req)
	case p[0] == "limits" && len(p) == 2 && p[1] == "recordCount":
		s.handleRecordCount(req)
	default:
		writeErrors(req.w, http.StatusNotFound, notFound())
	}
}

func (s *Server) handleResources(req *restRequest) {
	b := req.base
	writeValue(req.w, http.StatusOK, map[string]string{
		"sobjects":            b + "/sobjects",
		"query":               b + "/query",
		"queryAll":            b + "/queryAll",
		"limits":              b + "/limits",
		"composite":           b + "/composite",
		"jobs":                b + "/jobs",
		"search":              b + "/search",
		"parameterizedSearch": b + "/parameterizedSearch",
		// Absolute, as Salesforce answers it: clients request it as is
		// (jsforce prefixes relative URLs with the data API base).
		"identity": instanceURL(req.r) + "/id/" + s.orgID + "/" + s.userID,
	})
}

func (s *Server) routeSObjects(req *restRequest) {
	p := req.parts
	w, r := req.w, req.r
	if len(p) == 1 {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		s.handleGlobalDescribe(req)
		return
	}
	obj, ok := s.schema.Object(p[1])
	if !ok {
		writeErrors(w, http.StatusNotFound, notFound())
		return
	}
	switch {
	case len(p) == 2:
		switch r.Method {
		case http.MethodPost:
			s.handleCreate(req, obj)
		case http.MethodGet:
			s.handleSObjectInfo(req, obj)
		default:
			methodNotAllowed(w, r, "GET", "POST")
		}
	case len(p) == 3 && p[2] == "describe":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		s.handleDescribe(req, obj)
	case len(p) == 3 && (p[2] == "updated" || p[2] == "deleted"):
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		s.handleChanges(req, obj, p[2] == "deleted")
	case len(p) == 3:
		s.handleRecord(req, obj, p[2])
	case len(p) == 4:
		s.handleExternalID(req, obj, p[2], p[3])
	default:
		writeErrors(w, http.StatusNotFound, notFound())
	}
}

// orgIDOption checks Options.OrgID and returns its 18-character form.
func orgIDOption(id string) (string, error) {
	ok := (len(id) == 15 || len(id) == 18) && strings.HasPrefix(id, PrefixOrg)
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	if !ok {
		return "", fmt.Errorf("org id %q: want 15 or 18 letters and digits starting with %s", id, PrefixOrg)
	}
	id18 := id[:15] + IDChecksum(id[:15])
	if len(id) == 18 && id != id18 {
		return "", fmt.Errorf("org id %q: the last three characters do not match the id (want %s)", id, id18)
	}
	return id18, nil
}
