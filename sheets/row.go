package sheets

import (
	"maps"
	"time"
)

// RowID identifies a row for its whole life, whatever its position, record id
// or cells. Zero is never a valid row id.
type RowID uint64

// State is where a row stands relative to Salesforce. Its numeric values are
// stored, so the constants must never be renumbered.
type State uint8

// Row states.
const (
	StateNew             State = iota // never synced, no record id: will be created (if allowed) or matched by key
	StateSynced                       // cells equal the base
	StateModified                     // cells differ from the base: the next push sends the difference
	StateConflict                     // changed on both sides; waiting for the user (review policy)
	StateError                        // the last push of this row failed; see Row.Error
	StateDeletedRemotely              // the record was deleted in Salesforce
	StateCreatePending                // a create was sent and its outcome is not known yet (crash safety)
)

var stateNames = [...]string{"new", "synced", "modified", "conflict", "error", "deleted-remotely", "create-pending"}

// String is the state's stable lower-case name, for logs and files.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Label is how the state is shown to a user.
func (s State) Label() string {
	switch s {
	case StateDeletedRemotely:
		return "Deleted in Salesforce"
	case StateCreatePending:
		return "Being created"
	}
	n := s.String()
	return string(n[0]-'a'+'A') + n[1:]
}

// Conflict is one field changed both in the sheet and in Salesforce since the
// base. The sheet's own value stays in the cell; Remote is what Salesforce has.
type Conflict struct {
	Base   string    `json:"base"`
	Remote string    `json:"remote"`
	At     time.Time `json:"at,omitzero"` // Salesforce's LastModifiedDate when the conflict was seen
}

// DuplicatesKey is the Row.Candidates key (never a column id) under which
// a row keeps the existing records a Salesforce duplicate rule matched when
// its create was refused (DUPLICATES_DETECTED): the user links the row to
// one of them or creates it anyway.
const DuplicatesKey = "@duplicates"

// Candidate is one of several records a relationship value could point to,
// kept on the row so the user can choose.
type Candidate struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Owner   string `json:"owner,omitempty"`
	City    string `json:"city,omitempty"`
	Website string `json:"website,omitempty"`
}

// Row is one record of a sheet. Cells and Base are keyed by column id and
// hold canonical text (see Parse); a missing key is a blank cell.
type Row struct {
	ID             RowID                  `json:"id"`
	RecordID       string                 `json:"recordId,omitempty"`
	Cells          map[string]string      `json:"cells,omitempty"`
	Base           map[string]string      `json:"base,omitempty"` // values as last synced; nil when never synced
	RemoteModified time.Time              `json:"remoteModified,omitzero"`
	LocalEdited    time.Time              `json:"localEdited,omitzero"`
	State          State                  `json:"state"`
	Error          string                 `json:"error,omitempty"`      // last sync error, for StateError and invalid rows
	Conflicts      map[string]Conflict    `json:"conflicts,omitempty"`  // by column id
	Candidates     map[string][]Candidate `json:"candidates,omitempty"` // ambiguous relationship values, by column id
}

// Get returns the canonical value of a cell.
func (r *Row) Get(col string) string { return r.Cells[col] }

// Clone returns a deep copy, so a caller can change it without touching the
// original (the store hands out rows that views may hold).
func (r *Row) Clone() *Row {
	c := *r
	c.Cells = maps.Clone(r.Cells)
	c.Base = maps.Clone(r.Base)
	c.Conflicts = maps.Clone(r.Conflicts)
	if r.Candidates != nil {
		c.Candidates = make(map[string][]Candidate, len(r.Candidates))
		for k, v := range r.Candidates {
			c.Candidates[k] = append([]Candidate(nil), v...)
		}
	}
	return &c
}

// Set writes a canonical value as a local edit: it stamps the edit time and
// moves the row to the state the edit implies. It reports whether the cell
// changed. Callers parse input with Parse first.
func (r *Row) Set(col, value string, now time.Time) bool {
	if r.Cells[col] == value {
		return false
	}
	if r.Cells == nil {
		r.Cells = map[string]string{}
	}
	if value == "" {
		delete(r.Cells, col)
	} else {
		r.Cells[col] = value
	}
	r.LocalEdited = now
	r.Touch()
	return true
}

// Touch recomputes the state after the cells changed locally. Conflicts and
// pending creates keep their state: only the sync engine or the user settles
// them.
func (r *Row) Touch() {
	switch r.State {
	case StateConflict, StateCreatePending, StateDeletedRemotely:
		return
	}
	if r.RecordID == "" {
		r.State = StateNew
		return
	}
	if len(r.Changed()) == 0 {
		r.State = StateSynced
		r.Error = ""
		return
	}
	r.State = StateModified
}

// Changed lists the column ids whose cells differ from the base, in no
// particular order. A row without a base has every non-blank cell changed.
func (r *Row) Changed() []string {
	var out []string
	for k, v := range r.Cells {
		if r.Base[k] != v {
			out = append(out, k)
		}
	}
	for k, v := range r.Base {
		if _, ok := r.Cells[k]; !ok && v != "" {
			out = append(out, k)
		}
	}
	return out
}

// IsChanged reports whether the cell differs from its base.
func (r *Row) IsChanged(col string) bool { return r.Cells[col] != r.Base[col] }

// MarkSynced records that the row now equals Salesforce: the base becomes a
// copy of the cells, conflicts and errors are cleared.
func (r *Row) MarkSynced(remoteModified time.Time) {
	r.Base = maps.Clone(r.Cells)
	if r.Base == nil {
		r.Base = map[string]string{}
	}
	r.RemoteModified = remoteModified
	r.State = StateSynced
	r.Error = ""
	r.Conflicts = nil
}
