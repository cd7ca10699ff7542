package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// getUpdated and getDeleted (API-REFERENCE.md §10): ids of records whose
// SystemModstamp (resp. deletion time) falls in [start, end], with the
// window's seconds truncated, at most 30 (resp. 15) days back.

const (
	updatedWindow   = 30 * 24 * time.Hour
	deletedWindow   = 15 * 24 * time.Hour
	maxReplicateIDs = 600000
)

func (s *Server) handleChanges(req *restRequest, o *Object, deleted bool) {
	q := req.r.URL.Query()
	parse := func(name string) (time.Time, *apiError) {
		v := q.Get(name)
		if v == "" {
			e := newAPIError("MISSING_ARGUMENT", "%s: Missing argument: %s", name, name)
			return time.Time{}, &e
		}
		// An unencoded "+" of an offset arrives as a space.
		t, ok := parseDateTime(strings.ReplaceAll(v, " ", "+"))
		if !ok {
			e := newAPIError("INVALID_REPLICATION_DATE", "%s: cannot parse date: %s", name, v)
			return time.Time{}, &e
		}
		return t.Truncate(time.Minute), nil
	}
	start, e := parse("start")
	if e == nil {
		var end time.Time
		end, e = parse("end")
		if e == nil {
			s.writeChanges(req, o, deleted, start, end)
			return
		}
	}
	writeErrors(req.w, http.StatusBadRequest, *e)
}

func (s *Server) writeChanges(req *restRequest, o *Object, deleted bool, start, end time.Time) {
	if err := s.emptyRecycleBin(); err != nil {
		writeErrors(req.w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "%v", err))
		return
	}
	now := s.now().UTC()
	window := updatedWindow
	if deleted {
		window = deletedWindow
	}
	switch {
	case !start.Before(end):
		writeErrors(req.w, http.StatusBadRequest, newAPIError("INVALID_REPLICATION_DATE",
			"EndDate must be chronologically after the StartDate"))
		return
	case start.Before(now.Add(-window)):
		writeErrors(req.w, http.StatusBadRequest, newAPIError("INVALID_REPLICATION_DATE",
			"startDate cannot be more than %d days ago", int(window.Hours()/24)))
		return
	}
	if end.After(now) {
		end = now.Truncate(time.Minute)
	}
	latest := formatDateTime(end)
	t := s.tables[o]
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !deleted {
		ids := []string{}
		lo, hi := formatDateTime(start), latest
		for _, r := range t.recs {
			stamp, _ := r.vals[o.modstampIdx].(string)
			if !r.deleted(o) && stamp >= lo && stamp < hi {
				ids = append(ids, r.id(o))
			}
		}
		if len(ids) > maxReplicateIDs {
			writeErrors(req.w, http.StatusBadRequest, newAPIError(codeExceededIDLimit,
				"The number of ids exceeds the limit of %d", maxReplicateIDs))
			return
		}
		writeValue(req.w, http.StatusOK, map[string]any{"ids": ids, "latestDateCovered": latest})
		return
	}
	type deletedRecord struct {
		ID          string `json:"id"`
		DeletedDate string `json:"deletedDate"`
	}
	recs := []deletedRecord{}
	for id, at := range t.deletedAt {
		if !at.Before(start) && at.Before(end) {
			recs = append(recs, deletedRecord{ID: id, DeletedDate: formatDateTime(at)})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	writeValue(req.w, http.StatusOK, map[string]any{
		"deletedRecords":        recs,
		"earliestDateAvailable": formatDateTime(now.Add(-deletedWindow).Truncate(time.Minute)),
		"latestDateCovered":     latest,
	})
}

// recycleBinTTL is how long Salesforce keeps deleted records in the recycle
// bin (15 days): after it they are purged, queryAll no longer returns them
// and getDeleted no longer lists them (the same window as getDeleted's
// start limit). "Records remain in the Recycle Bin for 15 days"
// (Salesforce Help, "Recycle Bin"); the bin's size limit is not modelled.
const recycleBinTTL = deletedWindow

// emptyRecycleBin purges deleted records whose time in the recycle bin is
// over, by the server's clock (Options.Now, which tests move by days). It
// runs lazily before the calls that could see them.
func (s *Server) emptyRecycleBin() error {
	cutoff := s.now().Add(-recycleBinTTL)
	s.mu.RLock()
	var due map[*table][]string
	for _, t := range s.tables {
		for id, at := range t.deletedAt {
			if at.Before(cutoff) {
				if due == nil {
					due = map[*table][]string{}
				}
				due[t] = append(due[t], id)
			}
		}
	}
	s.mu.RUnlock()
	for t, ids := range due {
		if err := s.purge(t, ids); err != nil {
			return fmt.Errorf("empty the recycle bin of %s: %w", t.obj.Name, err)
		}
	}
	return nil
}
