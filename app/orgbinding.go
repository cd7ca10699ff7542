package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// A sheet belongs to the Salesforce org it was first synced with. Record
// ids are only meaningful inside one org, and a sandbox copies its
// production org's ids: a sheet pulled from one and pushed to the other
// would overwrite records that merely share an id. So the first run that
// talks to Salesforce records the org id (00D…, from the identity URL) and
// instance, and every later sync, plan and revert against another org is
// refused with an *OtherOrgError. Moving a sheet to another org is an
// explicit re-bind (RebindSheet): a full pull that matches rows by the key
// column, never by record id.
//
// The binding lives in its own settings value, not in the sheet's
// definition, so that a settings dialog saving a copy of the definition
// read before the first sync can never erase it.

// OrgBinding identifies a Salesforce org: a sheet's, a run's or the
// connected one.
type OrgBinding struct {
	OrgID    string    `json:"orgId"`              // Salesforce's 00D… id (18 characters)
	Instance string    `json:"instance,omitempty"` // instance URL when bound
	Name     string    `json:"name,omitempty"`     // the saved org's label when bound
	Bound    time.Time `json:"bound,omitzero"`     // when the sheet was bound
}

// IsZero reports whether no org is recorded (a sheet never synced).
func (b OrgBinding) IsZero() bool { return b.OrgID == "" && b.Instance == "" }

// Describe names the org for a sentence: its label, id and instance.
func (b OrgBinding) Describe() string {
	var parts []string
	if b.OrgID != "" {
		parts = append(parts, b.OrgID)
	}
	if b.Instance != "" {
		parts = append(parts, b.Instance)
	}
	in := strings.Join(parts, " at ")
	switch {
	case b.Name != "" && in != "":
		return fmt.Sprintf("%q (%s)", b.Name, in)
	case b.Name != "":
		return fmt.Sprintf("%q", b.Name)
	case in != "":
		return in
	}
	return "an unknown org"
}

// Same reports whether two bindings name one org: by org id when both know
// it (an org keeps its id across instance moves and My Domain changes),
// else by instance.
func (b OrgBinding) Same(o OrgBinding) bool {
	if b.OrgID != "" && o.OrgID != "" {
		return normID(b.OrgID) == normID(o.OrgID)
	}
	return strings.EqualFold(strings.TrimRight(b.Instance, "/"), strings.TrimRight(o.Instance, "/"))
}

func orgBindingKey(sheetID string) string { return "orgbinding/" + sheetID }

// SheetOrg returns the org a sheet is bound to; ok is false for a sheet
// never synced (it binds at its first sync).
func (s *Service) SheetOrg(sheetID string) (b OrgBinding, ok bool, err error) {
	ok, err = s.store.GetSetting(orgBindingKey(sheetID), &b)
	if err != nil {
		return OrgBinding{}, false, fmt.Errorf("read the org of sheet %s: %w", sheetID, err)
	}
	return b, ok && !b.IsZero(), nil
}

// ConnectedOrg identifies the connected org (ErrNotConnected when none).
func (s *Service) ConnectedOrg() (OrgBinding, error) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return OrgBinding{}, ErrNotConnected
	}
	b := OrgBinding{OrgID: c.session.OrgID, Instance: c.session.InstanceURL}
	if id, err := toOrgID18(b.OrgID); err == nil {
		b.OrgID = id
	}
	if o, err := s.org(c.orgID); err == nil {
		b.Name = o.Name
	}
	return b, nil
}

func toOrgID18(id string) (string, error) {
	n := normID(id)
	if !strings.HasPrefix(n, "00D") {
		return id, fmt.Errorf("%q is not an org id", id)
	}
	return n, nil
}

// checkSheetOrg refuses a run of the sheet against another org than its
// own. It returns the connected org and whether the sheet is bound yet.
func (s *Service) checkSheetOrg(sh *sheets.Sheet) (now OrgBinding, bound bool, err error) {
	now, err = s.ConnectedOrg()
	if err != nil {
		return now, false, err
	}
	b, bound, err := s.SheetOrg(sh.ID)
	if err != nil {
		return now, false, err
	}
	if bound && !b.Same(now) {
		return now, true, &OtherOrgError{Sheet: fmt.Sprintf("sheet %q", sh.Name), Bound: b, Now: now}
	}
	return now, bound, nil
}

// bindSheet records the org a sheet belongs to (at its first run, or when
// the instance of its org moved).
func (s *Service) bindSheet(sheetID string, b OrgBinding) error {
	if b.Bound.IsZero() {
		b.Bound = s.now().UTC()
	}
	if err := s.store.PutSetting(orgBindingKey(sheetID), b); err != nil {
		return fmt.Errorf("record the org of sheet %s: %w", sheetID, err)
	}
	return nil
}

// bindOnFirstRun binds the sheet to the connected org if it is not bound
// yet (a new sheet, or one made from an XLSX file), and follows an
// instance move of its own org.
func (e *engine) bindOnFirstRun() error {
	if e.dry != nil || e.org.IsZero() {
		return nil
	}
	old, bound, err := e.s.SheetOrg(e.sh.ID)
	if err != nil {
		return err
	}
	if bound && old.Instance == e.org.Instance && old.OrgID != "" {
		return nil
	}
	nb := e.org
	if bound {
		nb.Bound, nb.Name = old.Bound, old.Name
	}
	return e.s.bindSheet(e.sh.ID, nb)
}

// RebindSheet moves a sheet to the connected org, the explicit way a sheet
// changes org (a sandbox refreshed from production, a copy of a sheet for
// another org). Every row forgets its record id and the sheet's remembered
// lookup choices; then a full pull matches rows to the new org's records
// by the key column, never by record id. A row found by key keeps its
// sheet edits (compared with its last synced values, by the conflict
// policy); a row not found becomes a new row, created by a later push only
// if Create missing is on. The pull is recorded in history like any run.
//
// A sheet with rows tied to records and no key column cannot be re-bound:
// nothing could match its rows, so every record would be appended again.
func (s *Service) RebindSheet(ctx context.Context, sheetID string, progress func(Progress)) (*sheets.Run, error) {
	unlock, err := s.lockSheet(sheetID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now, err := s.ConnectedOrg()
	if err != nil {
		return nil, err
	}
	old, _, err := s.SheetOrg(sheetID)
	if err != nil {
		return nil, err
	}
	e, err := s.newEngine(ctx, sheetID, SyncOptions{Direction: sheets.Pull, Full: true, rebind: true}, false, progress)
	if err != nil {
		return nil, err
	}
	ctx = e.counted(ctx)
	if err := e.forgetRecordIDs(); err != nil {
		return nil, err
	}
	now.Bound = time.Time{}
	if err := s.bindSheet(sheetID, now); err != nil {
		return nil, err
	}
	if err := e.begin(0); err != nil {
		return nil, err
	}
	runErr := e.pull(ctx, false)
	if runErr == nil {
		runErr = e.unmatchedAfterRebind()
	}
	r, err := e.finish(ctx, runErr)
	if r != nil && r.Message == "" && r.Status == sheets.RunSucceeded {
		from := ""
		if !old.IsZero() {
			from = " from " + old.Describe()
		}
		r.Message = fmt.Sprintf("re-bound%s to %s; rows matched by key: %d, rows not found there (now new rows): %d",
			from, now.Describe(), e.rebindMatched, e.rebindUnmatched)
		if uerr := s.store.UpdateRun(r); uerr != nil {
			err = errors.Join(err, fmt.Errorf("record the end of run %d: %w", r.ID, uerr))
		}
	}
	return r, err
}

// forgetRecordIDs is a re-bind's first step: rows lose their record ids,
// conflicts, errors and candidates (all of the old org), keeping their
// cells and last synced values; remembered lookup choices and in-flight
// updates of the old org are dropped.
func (e *engine) forgetRecordIDs() error {
	if e.b.key == nil {
		n := 0
		for r, err := range e.s.store.Rows(e.sh.ID) {
			if err != nil {
				return fmt.Errorf("read rows of %q: %w", e.sh.Name, err)
			}
			if r.RecordID != "" {
				n++
			}
		}
		if n > 0 {
			return fmt.Errorf("re-bind %q: %d rows hold record ids of the old org and the sheet has no key column to match them by; choose a key column (such as Email or Name) in the Mapper first", e.sh.Name, n)
		}
	}
	var batch []*sheets.Row
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := e.s.store.Batch(func(tx *store.Tx) error { return tx.UpdateRows(e.sh.ID, batch) })
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("re-bind %q: %w", e.sh.Name, err)
		}
		return nil
	}
	for r, err := range e.s.store.Rows(e.sh.ID) {
		if err != nil {
			return fmt.Errorf("read rows of %q: %w", e.sh.Name, err)
		}
		if r.RecordID == "" && r.State == sheets.StateNew && r.Conflicts == nil && r.Candidates == nil {
			continue
		}
		r = r.Clone()
		r.RecordID, r.Error, r.Conflicts, r.Candidates = "", "", nil, nil
		r.RemoteModified = time.Time{}
		r.State = sheets.StateNew
		batch = append(batch, r)
		if len(batch) == pullPageRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, key := range []string{inflightKey(e.sh.ID), choicesKey(e.sh.ID)} {
		if err := e.s.store.DeleteSetting(key); err != nil {
			return fmt.Errorf("re-bind %q: %w", e.sh.Name, err)
		}
	}
	e.inflight = inflightUpdates{}
	e.settingNames("") // the spool file it named, if any
	e.choices = relationshipChoices{}
	sh, err := e.s.store.Sheet(e.sh.ID)
	if err != nil {
		return fmt.Errorf("re-bind %q: %w", e.sh.Name, err)
	}
	sh.Watermark, sh.Fresh = time.Time{}, time.Time{}
	if err := e.s.store.SaveSheet(sh); err != nil {
		return fmt.Errorf("re-bind %q: %w", e.sh.Name, err)
	}
	e.sh.Watermark, e.sh.Fresh = time.Time{}, time.Time{}
	return nil
}

// unmatchedAfterRebind turns rows the re-bind's pull did not match into
// plain new rows: their last synced values were the old org's, so they no
// longer serve as a base.
func (e *engine) unmatchedAfterRebind() error {
	var batch []*sheets.Row
	for r, err := range e.s.store.Rows(e.sh.ID) {
		if err != nil {
			return fmt.Errorf("read rows of %q: %w", e.sh.Name, err)
		}
		if r.RecordID != "" {
			e.rebindMatched++
			continue
		}
		e.rebindUnmatched++
		if r.Base == nil {
			continue
		}
		r = r.Clone()
		r.Base = nil
		r.State = sheets.StateNew
		batch = append(batch, r)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := e.s.store.Batch(func(tx *store.Tx) error { return tx.UpdateRows(e.sh.ID, batch) }); err != nil {
		return fmt.Errorf("re-bind %q: %w", e.sh.Name, err)
	}
	return nil
}

// checkRunOrg refuses to revert a run in another org than the one it
// changed: by the org recorded on the run, or for runs recorded before
// orgs were, by the sheet's binding.
func (s *Service) checkRunOrg(r *sheets.Run) error {
	now, err := s.ConnectedOrg()
	if err != nil {
		return err
	}
	var b OrgBinding
	if r.OrgID != "" {
		b = OrgBinding{OrgID: r.OrgID}
		if sb, ok, err := s.SheetOrg(r.SheetID); err == nil && ok && sb.Same(b) {
			b = sb
		}
	} else if b, _, err = s.SheetOrg(r.SheetID); err != nil {
		return err
	}
	if !b.IsZero() && !b.Same(now) {
		return &OtherOrgError{Sheet: fmt.Sprintf("run %d of %q", r.ID, r.SheetName), Bound: b, Now: now}
	}
	return nil
}
