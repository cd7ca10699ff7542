package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// Duplicate rules. Salesforce refuses a create that an active duplicate
// rule matches (DUPLICATES_DETECTED) and names the matching records. The
// push keeps them on the row (Row.Candidates[sheets.DuplicatesKey]) and the
// user decides: link the row to one of them (nothing is created; the row's
// values go to that record as an update), or create it anyway (the next
// push sends it with Sforce-Duplicate-Rule-Header: allowSave=true).

// allowDupKey is the settings key of a sheet's "create anyway" rows.
func allowDupKey(sheetID string) string { return "allow-duplicates/" + sheetID }

func (s *Service) loadAllowDup(sheetID string) (map[sheets.RowID]bool, error) {
	m := map[sheets.RowID]bool{}
	if _, err := s.store.GetSetting(allowDupKey(sheetID), &m); err != nil {
		return nil, fmt.Errorf("read the rows to create despite duplicates of %s: %w", sheetID, err)
	}
	return m, nil
}

// SettleDuplicate decides a row whose create a duplicate rule refused.
// With recordID (one of the matches kept on the row) the row is linked to
// that record: nothing is created, and the next push sends the row's
// values to it as an update, leaving Salesforce's value where a cell is
// blank. With recordID "" the row is created anyway by the next push.
func (s *Service) SettleDuplicate(sheetID string, rowID sheets.RowID, recordID string) (*sheets.Row, error) {
	unlock, err := s.lockSheet(sheetID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, err := s.store.Row(sheetID, rowID)
	if err != nil {
		return nil, fmt.Errorf("settle duplicate: %w", err)
	}
	matches := r.Candidates[sheets.DuplicatesKey]
	if len(matches) == 0 {
		return nil, fmt.Errorf("row %d has no duplicate to settle: only a create Salesforce refused as a duplicate has one", rowID)
	}
	if recordID != "" {
		i := slices.IndexFunc(matches, func(c sheets.Candidate) bool { return normID(c.ID) == normID(recordID) })
		if i < 0 {
			return nil, fmt.Errorf("%s is not one of the %d records the duplicate rule matched for row %d", recordID, len(matches), rowID)
		}
		r.RecordID = matches[i].ID
	} else {
		allow, err := s.loadAllowDup(sheetID)
		if err != nil {
			return nil, err
		}
		allow[rowID] = true
		if err := s.store.PutSetting(allowDupKey(sheetID), allow); err != nil {
			return nil, fmt.Errorf("remember to create row %d anyway: %w", rowID, err)
		}
	}
	delete(r.Candidates, sheets.DuplicatesKey)
	if len(r.Candidates) == 0 {
		r.Candidates = nil
	}
	r.State, r.Error = sheets.StateModified, ""
	if r.RecordID == "" {
		r.State = sheets.StateNew
	}
	r.Touch()
	if err := s.store.UpdateRows(sheetID, []*sheets.Row{r}); err != nil {
		return nil, fmt.Errorf("settle the duplicate of row %d: %w", rowID, err)
	}
	return r, nil
}

// loadAllowDup reads the sheet's "create anyway" rows once per run.
func (e *engine) loadAllowDup() error {
	if e.allowDup != nil {
		return nil
	}
	m, err := e.s.loadAllowDup(e.sh.ID)
	if err != nil {
		return err
	}
	e.allowDup = m
	return nil
}

// saveAllowDup forgets the rows created anyway by this run.
func (e *engine) saveAllowDup() error {
	if !e.allowDupDirty {
		return nil
	}
	if err := e.s.store.PutSetting(allowDupKey(e.sh.ID), e.allowDup); err != nil {
		return fmt.Errorf("forget the rows created despite duplicates: %w", err)
	}
	e.allowDupDirty = false
	return nil
}

// create sends creates by sObject Collections: the rows the user chose to
// create anyway with the duplicate rule header, the others without.
func (e *engine) create(ctx context.Context, prs []*pushRow, recs []crm.Record) ([]crm.Result, error) {
	if err := e.loadAllowDup(); err != nil {
		return nil, err
	}
	var plain, allowed []int
	for i, pr := range prs {
		if e.allowDup[pr.id] {
			allowed = append(allowed, i)
		} else {
			plain = append(plain, i)
		}
	}
	if len(allowed) == 0 {
		return e.c.Create(ctx, e.b.object, recs)
	}
	res := make([]crm.Result, len(recs))
	var unknown *crm.OutcomeUnknownError
	for g, group := range [][]int{plain, allowed} {
		if len(group) == 0 {
			continue
		}
		sub := make([]crm.Record, len(group))
		for k, i := range group {
			sub[k] = recs[i]
		}
		var got []crm.Result
		var err error
		if g == 1 {
			got, err = e.c.CreateAllowingDuplicates(ctx, e.b.object, sub)
		} else {
			got, err = e.c.Create(ctx, e.b.object, sub)
		}
		for k, i := range group {
			if k < len(got) {
				res[i] = got[k]
			}
		}
		var u *crm.OutcomeUnknownError
		switch {
		case errors.As(err, &u):
			if unknown == nil {
				unknown = &crm.OutcomeUnknownError{Op: u.Op, Object: u.Object, Cause: u.Cause}
			}
			for _, k := range u.Indexes {
				unknown.Indexes = append(unknown.Indexes, group[k])
			}
		case err != nil:
			return res, err
		}
	}
	if unknown != nil {
		return res, unknown
	}
	return res, nil
}

// noteDuplicates keeps on each row refused as a duplicate the records the
// rule matched, with their names (one query for the batch), and words the
// error so the user knows the two ways out.
func (e *engine) noteDuplicates(ctx context.Context, prs []*pushRow, res []crm.Result) error {
	var ids []string
	refused := map[int][]crm.DuplicateMatch{}
	for i := range prs {
		if i >= len(res) || res[i].Success {
			continue
		}
		for _, re := range res[i].Errors {
			if re.StatusCode == crm.CodeDuplicatesDetected && len(re.Matches) > 0 {
				refused[i] = re.Matches
				for _, m := range re.Matches {
					ids = append(ids, m.ID)
				}
			}
		}
	}
	if len(refused) == 0 {
		return nil
	}
	info := map[string]sheets.Candidate{}
	fields := []string{"Id", "Name"}
	for _, f := range []string{"Email", "Website"} {
		if _, ok := e.b.desc.Field(f); ok {
			fields = append(fields, f)
		}
	}
	slices.Sort(ids)
	for _, batch := range inBatches(slices.Compact(ids)) {
		q, err := crm.Select(fields...).From(e.b.object).InStrings("Id", batch).Build()
		if err != nil {
			return fmt.Errorf("read the records a duplicate rule matched: %w", err)
		}
		for rec, err := range e.c.Query(ctx, q) {
			if err != nil {
				return fmt.Errorf("read the records a duplicate rule matched: %w", err)
			}
			c := sheets.Candidate{ID: rec.ID}
			c.Name, _ = rec.Fields["Name"].(string)
			c.Email, _ = rec.Fields["Email"].(string)
			c.Website, _ = rec.Fields["Website"].(string)
			info[normID(rec.ID)] = c
		}
	}
	for i, matches := range refused {
		var cands []sheets.Candidate
		for _, m := range matches {
			c, ok := info[normID(m.ID)]
			if !ok {
				c = sheets.Candidate{ID: m.ID, Name: m.ID}
			}
			cands = append(cands, c)
		}
		pr := prs[i]
		if pr.cands == nil {
			pr.ownPlan().cands = map[string][]sheets.Candidate{}
		}
		pr.cands[sheets.DuplicatesKey] = cands
		pr.ownPlan().err = &duplicateError{cause: pr.err, n: len(cands)}
	}
	return nil
}

// duplicateError is a create refused by a duplicate rule, worded with the
// user's two choices.
type duplicateError struct {
	cause error
	n     int
}

func (d *duplicateError) Error() string {
	what := "an existing record"
	if d.n > 1 {
		what = fmt.Sprintf("%d existing records", d.n)
	}
	return fmt.Sprintf("Salesforce's duplicate rule found %s like this row: link the row to it, or create it anyway (press Enter on the row's first cell, or run crmsheets duplicates)", what)
}

func (d *duplicateError) Unwrap() error { return d.cause }

// explainBulkDuplicates: a Bulk API job's failed results carry only the
// error's text, not the records a duplicate rule matched. The few records
// refused as duplicates are sent again by sObject Collections, whose
// answer names the matches, so the user can decide as after any push (the
// rule refuses them again; one more call per 200 of them).
func (e *engine) explainBulkDuplicates(ctx context.Context, n int, rec func(int) crm.Record, res []crm.Result) {
	var again []int
	for i := range res {
		if i < n && !res[i].Success && len(res[i].Errors) > 0 &&
			res[i].Errors[0].StatusCode == crm.CodeDuplicatesDetected && len(res[i].Errors[0].Matches) == 0 {
			again = append(again, i)
		}
	}
	if len(again) == 0 || !e.budgetAllows(ceilDiv(len(again), pushChunkRows)) {
		return
	}
	sub := make([]crm.Record, len(again))
	for k, i := range again {
		sub[k] = rec(i)
	}
	got, err := e.c.Create(ctx, e.b.object, sub)
	if err != nil {
		e.s.log.Warn("could not ask Salesforce which records the duplicates match", "err", err)
		return
	}
	for k, i := range again {
		if k < len(got) {
			res[i] = got[k]
		}
	}
}
