package emulator

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"crmsheets/crm/emulator/soql"
)

// SOSL search (issue 14 item 6): GET /search?q=FIND {…} [IN … FIELDS]
// [RETURNING Object(fields [WHERE …] [ORDER BY …] [LIMIT n]), …] [LIMIT n]
// and /parameterizedSearch (GET with q, sobject, fields, in, overallLimit,
// defaultLimit, or POST with the same as JSON), both answering
// {"searchRecords":[…]} with each record's attributes and the fields asked
// for (Id when none). The search term is words, "quoted phrases", the
// wildcards * and ?, and AND, OR, AND NOT between words; a record matches
// when its searched fields (name, email, phone or all text fields) hold
// the words as whole words, case-insensitively. Results come per object in
// RETURNING order rather than by Salesforce's relevance ranking.

const (
	defaultSearchLimit = 2000
	codeInvalidSearch  = "INVALID_SEARCH"
	codeMalformedSrch  = "MALFORMED_SEARCH"
)

// searchSpec is a parsed search.
type searchSpec struct {
	term      searchTerm
	scope     string // ALL, NAME, EMAIL, PHONE
	returning []searchTarget
	limit     int
}

// searchTarget is one object of RETURNING with its SOQL-like clauses.
type searchTarget struct {
	object string
	soql   string // "SELECT … FROM Object …" to filter, order and limit
}

// searchTerm is a disjunction of conjunctions of (possibly negated) words
// or phrases.
type searchTerm [][]searchWord

type searchWord struct {
	pattern *regexp.Regexp
	not     bool
}

var (
	soslFind      = regexp.MustCompile(`(?is)^\s*FIND\s+`)
	soslIn        = regexp.MustCompile(`(?is)^\s*IN\s+(ALL|NAME|EMAIL|PHONE|SIDEBAR)\s+FIELDS\b`)
	soslReturning = regexp.MustCompile(`(?is)^\s*RETURNING\s+`)
	soslLimit     = regexp.MustCompile(`(?is)^\s*LIMIT\s+(\d+)\s*$`)
	soslClause    = regexp.MustCompile(`(?i)\b(WHERE|ORDER\s+BY|LIMIT|OFFSET)\b`)
	soslObject    = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9_]*)\s*`)
)

// parseSOSL parses the subset of SOSL the demo org answers.
func parseSOSL(q string) (*searchSpec, *apiError) {
	malformed := func(reason string) *apiError {
		e := newAPIError(codeMalformedSrch, "%s", reason)
		return &e
	}
	loc := soslFind.FindStringIndex(q)
	if loc == nil {
		return nil, malformed("No search term found. The search term must be enclosed in braces.")
	}
	rest := q[loc[1]:]
	var raw string
	switch {
	case strings.HasPrefix(rest, "{"):
		end := -1
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\\' {
				i++
				continue
			}
			if rest[i] == '}' {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, malformed("Missing '}' at the end of the search term")
		}
		raw, rest = rest[1:end], rest[end+1:]
	case strings.HasPrefix(rest, "'"):
		end := strings.IndexByte(rest[1:], '\'')
		if end < 0 {
			return nil, malformed("Missing ''' at the end of the search term")
		}
		raw, rest = rest[1:end+1], rest[end+2:]
	default:
		return nil, malformed("No search term found. The search term must be enclosed in braces.")
	}
	term, err := parseSearchTerm(raw)
	if err != nil {
		return nil, err
	}
	spec := &searchSpec{term: term, scope: "ALL", limit: defaultSearchLimit}
	if m := soslIn.FindStringSubmatch(rest); m != nil {
		spec.scope = strings.ToUpper(m[1])
		if spec.scope == "SIDEBAR" {
			spec.scope = "ALL"
		}
		rest = rest[len(m[0]):]
	}
	if loc := soslReturning.FindStringIndex(rest); loc != nil {
		rest = rest[loc[1]:]
		for {
			m := soslObject.FindStringSubmatch(rest)
			if m == nil {
				return nil, malformed("unexpected token in RETURNING: " + strings.TrimSpace(rest))
			}
			target := searchTarget{object: m[1]}
			rest = rest[len(m[0]):]
			inside := "Id"
			if strings.HasPrefix(rest, "(") {
				depth, end, quoted := 0, -1, false
				for i := 0; i < len(rest) && end < 0; i++ {
					switch c := rest[i]; {
					case c == '\\' && quoted:
						i++
					case c == '\'':
						quoted = !quoted
					case quoted:
					case c == '(':
						depth++
					case c == ')':
						depth--
						if depth == 0 {
							end = i
						}
					}
				}
				if end < 0 {
					return nil, malformed("Missing ')' in RETURNING " + target.object)
				}
				inside, rest = strings.TrimSpace(rest[1:end]), rest[end+1:]
			}
			target.soql = returningSOQL(target.object, inside)
			spec.returning = append(spec.returning, target)
			rest = strings.TrimLeft(rest, " \t\r\n")
			if !strings.HasPrefix(rest, ",") {
				break
			}
			rest = rest[1:]
		}
	}
	if strings.TrimSpace(rest) != "" {
		m := soslLimit.FindStringSubmatch(rest)
		if m == nil {
			return nil, malformed("unexpected token: " + strings.Fields(rest)[0])
		}
		spec.limit, _ = strconv.Atoi(m[1])
		spec.limit = min(spec.limit, defaultSearchLimit)
	}
	return spec, nil
}

// returningSOQL turns "Id, Name WHERE … ORDER BY … LIMIT n" into a SOQL
// query on object: the field list, FROM, then the clauses.
func returningSOQL(object, inside string) string {
	masked := []byte(inside)
	quoted := false
	for i := range masked {
		switch {
		case masked[i] == '\\' && quoted && i+1 < len(masked):
			masked[i], masked[i+1] = 'x', 'x'
		case masked[i] == '\'':
			quoted = !quoted
		case quoted:
			masked[i] = 'x'
		}
	}
	fields, clauses := inside, ""
	if loc := soslClause.FindIndex(masked); loc != nil {
		fields, clauses = strings.TrimSpace(inside[:loc[0]]), inside[loc[0]:]
	}
	if fields == "" {
		fields = "Id"
	}
	return "SELECT " + fields + " FROM " + object + " " + clauses
}

// parseSearchTerm reads words, quoted phrases and the operators AND, OR and
// AND NOT (a space between words means AND).
func parseSearchTerm(raw string) (searchTerm, *apiError) {
	var tokens []string
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			end := strings.IndexByte(raw[i+1:], '"')
			if end < 0 { // an unclosed phrase runs to the end
				tokens = append(tokens, raw[i:])
				i = len(raw)
				continue
			}
			tokens = append(tokens, raw[i:i+end+2])
			i += end + 2
		default:
			j := i
			for j < len(raw) && raw[j] != ' ' && raw[j] != '\t' && raw[j] != '\n' && raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			tokens = append(tokens, raw[i:min(j, len(raw))])
			i = j
		}
	}
	var term searchTerm
	var conj []searchWord
	not := false
	letters := 0
	for _, t := range tokens {
		switch strings.ToUpper(t) {
		case "AND":
			continue
		case "OR":
			if len(conj) > 0 {
				term = append(term, conj)
				conj = nil
			}
			continue
		case "NOT", "ANDNOT":
			not = true
			continue
		}
		w, n := wordPattern(t)
		letters += n
		conj = append(conj, searchWord{pattern: w, not: not})
		not = false
	}
	if len(conj) > 0 {
		term = append(term, conj)
	}
	if letters < 2 {
		e := newAPIError(codeInvalidSearch, "search term must be longer than one character")
		return nil, &e
	}
	return term, nil
}

// wordPattern compiles a word or "phrase" with * and ? wildcards into a
// case-insensitive whole-word pattern, and counts its non-wildcard
// characters.
func wordPattern(t string) (*regexp.Regexp, int) {
	t = strings.Trim(t, `"`)
	var b strings.Builder
	n := 0
	b.WriteString(`(?i)(^|[^\p{L}\p{N}])`)
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '*':
			b.WriteString(`[\p{L}\p{N}]*`)
		case '?':
			b.WriteString(`[\p{L}\p{N}]`)
		case '\\':
			if i+1 < len(t) {
				i++
				b.WriteString(regexp.QuoteMeta(t[i : i+1]))
				n++
			}
		default:
			b.WriteString(regexp.QuoteMeta(t[i : i+1]))
			if unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || c >= 0x80 {
				n++
			}
		}
	}
	b.WriteString(`($|[^\p{L}\p{N}])`)
	return regexp.MustCompile(b.String()), n
}

// matches reports whether the searched text satisfies the term.
func (t searchTerm) matches(text string) bool {
	for _, conj := range t {
		ok := true
		for _, w := range conj {
			if w.pattern.MatchString(text) == w.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// searchedFields are the fields of o a scope searches.
func searchedFields(o *Object, scope string) []*Field {
	var out []*Field
	for _, f := range o.Fields {
		switch scope {
		case "NAME":
			if f.NameField || (f.Type == typeString && (f.Name == "FirstName" || f.Name == "LastName" || f.Name == "Company")) {
				out = append(out, f)
			}
		case "EMAIL":
			if f.Type == typeEmail {
				out = append(out, f)
			}
		case "PHONE":
			if f.Type == typePhone {
				out = append(out, f)
			}
		default:
			if f.isText() && f.Type != typeMultipicklist {
				out = append(out, f)
			}
		}
	}
	return out
}

// runSearch evaluates a search into {"searchRecords":[…]}.
func (s *Server) runSearch(req *restRequest, spec *searchSpec) {
	targets := spec.returning
	if len(targets) == 0 {
		for _, o := range s.schema.Objects {
			if !o.readOnly {
				targets = append(targets, searchTarget{object: o.Name, soql: "SELECT Id FROM " + o.Name})
			}
		}
	}
	var preps []searchTable
	for _, t := range targets {
		q, err := soql.Parse(t.soql)
		if err == nil {
			err = q.Resolve(soqlSchema{s.schema})
		}
		if err != nil {
			queryError(req.w, err)
			return
		}
		if q.IsAggregate() || q.Count {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeMalformedSrch, "aggregate functions are not allowed in RETURNING %s", t.object))
			return
		}
		o, _ := s.schema.Object(q.Object)
		preps = append(preps, searchTable{o: o, q: q, fields: searchedFields(o, spec.scope)})
	}
	b, err := s.searchRecords(spec, preps, req.base)
	if err != nil {
		queryError(req.w, err)
		return
	}
	writeJSON(req.w, http.StatusOK, b)
}

// searchTable is one RETURNING object, resolved.
type searchTable struct {
	o      *Object
	q      *soql.Query
	fields []*Field
}

// searchRecords evaluates the search over each object's live records.
func (s *Server) searchRecords(spec *searchSpec, tables []searchTable, base string) ([]byte, error) {
	now := s.now()
	b := []byte(`{"searchRecords":[`)
	total := 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range tables {
		var views []recordView
		var text strings.Builder
		for _, r := range s.tables[p.o].recs {
			if r.deleted(p.o) {
				continue
			}
			text.Reset()
			for _, f := range p.fields {
				if v, ok := r.vals[f.index].(string); ok {
					text.WriteString(v)
					text.WriteByte('\n')
				}
			}
			if !spec.term.matches(text.String()) {
				continue
			}
			v := recordView{s: s, o: p.o, r: r}
			ok, err := p.q.Match(v, now)
			if err != nil {
				return nil, err
			}
			if ok {
				views = append(views, v)
			}
		}
		soql.SortRecords(p.q, views)
		if p.q.Offset > 0 {
			views = views[min(p.q.Offset, len(views)):]
		}
		if p.q.Limit >= 0 && p.q.Limit < len(views) {
			views = views[:p.q.Limit]
		}
		proj := buildProjection(p.o, p.q.Fields, nil)
		for _, v := range views {
			if total >= spec.limit {
				break
			}
			if total > 0 {
				b = append(b, ',')
			}
			b = s.appendProjected(b, p.o, v.r, base, proj)
			total++
		}
	}
	return append(b, "]}"...), nil
}

// handleSearch serves GET /search?q=<SOSL>.
func (s *Server) handleSearch(req *restRequest) {
	if req.r.Method != http.MethodGet {
		methodNotAllowed(req.w, req.r, "GET")
		return
	}
	q := req.r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeMalformedSrch, "A search string has to be specified"))
		return
	}
	spec, e := parseSOSL(q)
	if e != nil {
		writeErrors(req.w, http.StatusBadRequest, *e)
		return
	}
	s.runSearch(req, spec)
}

// parameterizedBody is the POST body of /parameterizedSearch.
type parameterizedBody struct {
	Q            string   `json:"q"`
	Fields       []string `json:"fields"`
	In           string   `json:"in"`
	OverallLimit int      `json:"overallLimit"`
	DefaultLimit int      `json:"defaultLimit"`
	SObjects     []struct {
		Name   string   `json:"name"`
		Fields []string `json:"fields"`
		Where  string   `json:"where"`
		Limit  int      `json:"limit"`
	} `json:"sobjects"`
}

// handleParameterizedSearch serves /parameterizedSearch, GET with query
// parameters or POST with a JSON body.
func (s *Server) handleParameterizedSearch(req *restRequest) {
	var body parameterizedBody
	switch req.r.Method {
	case http.MethodGet:
		v := req.r.URL.Query()
		body.Q, body.In = v.Get("q"), v.Get("in")
		if f := v.Get("fields"); f != "" {
			body.Fields = strings.Split(f, ",")
		}
		body.OverallLimit, _ = strconv.Atoi(v.Get("overallLimit"))
		body.DefaultLimit, _ = strconv.Atoi(v.Get("defaultLimit"))
		for _, name := range strings.Split(v.Get("sobject"), ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			var so struct {
				Name   string   `json:"name"`
				Fields []string `json:"fields"`
				Where  string   `json:"where"`
				Limit  int      `json:"limit"`
			}
			so.Name = name
			if f := v.Get(name + ".fields"); f != "" {
				so.Fields = strings.Split(f, ",")
			}
			so.Where = v.Get(name + ".where")
			so.Limit, _ = strconv.Atoi(v.Get(name + ".limit"))
			body.SObjects = append(body.SObjects, so)
		}
	case http.MethodPost:
		if !decodeBody(req.w, req.r, &body) {
			return
		}
	default:
		methodNotAllowed(req.w, req.r, "GET", "POST")
		return
	}
	if strings.TrimSpace(body.Q) == "" {
		writeErrors(req.w, http.StatusBadRequest, newAPIError(codeMalformedSrch, "A search string has to be specified"))
		return
	}
	term, e := parseSearchTerm(body.Q)
	if e != nil {
		writeErrors(req.w, http.StatusBadRequest, *e)
		return
	}
	spec := &searchSpec{term: term, scope: "ALL", limit: defaultSearchLimit}
	if body.In != "" {
		spec.scope = strings.ToUpper(body.In)
	}
	if body.OverallLimit > 0 {
		spec.limit = min(body.OverallLimit, defaultSearchLimit)
	}
	for _, so := range body.SObjects {
		fields := so.Fields
		if len(fields) == 0 {
			fields = body.Fields
		}
		inside := "Id"
		if len(fields) > 0 {
			inside = strings.Join(fields, ", ")
		}
		if so.Where != "" {
			inside += " WHERE " + so.Where
		}
		limit := so.Limit
		if limit <= 0 {
			limit = body.DefaultLimit
		}
		if limit > 0 {
			inside += " LIMIT " + strconv.Itoa(limit)
		}
		spec.returning = append(spec.returning, searchTarget{object: so.Name, soql: returningSOQL(so.Name, inside)})
	}
	s.runSearch(req, spec)
}
