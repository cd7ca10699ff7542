package app

import (
	"fmt"
	"slices"

	"crmsheets/sheets"
)

// choicesKey is the settings key of a sheet's remembered relationship
// choices: column id → normalized value → record id.
func choicesKey(sheetID string) string { return "choices/" + sheetID }

type relationshipChoices map[string]map[string]string

func (s *Service) loadChoices(sheetID string) (relationshipChoices, error) {
	ch := relationshipChoices{}
	if _, err := s.store.GetSetting(choicesKey(sheetID), &ch); err != nil {
		return nil, fmt.Errorf("read remembered choices of %s: %w", sheetID, err)
	}
	return ch, nil
}

// lookup returns the remembered record id for a relationship value.
func (c relationshipChoices) lookup(colID, value string) (string, bool) {
	id, ok := c[colID][sheets.NormalizeKey(value)]
	return id, ok
}

// ChooseCandidate settles an ambiguous relationship value (for example two
// accounts named "Acme"): recordID must be one of the candidates kept on the
// row. The choice is remembered for the sheet, so every row with the same
// value in that column resolves to the same record from now on; the row
// goes back to modified and the next push sends it.
func (s *Service) ChooseCandidate(sheetID string, rowID sheets.RowID, colID, recordID string) (*sheets.Row, error) {
	r, err := s.store.Row(sheetID, rowID)
	if err != nil {
		return nil, fmt.Errorf("choose candidate: %w", err)
	}
	cands := r.Candidates[colID]
	if !slices.ContainsFunc(cands, func(c sheets.Candidate) bool { return c.ID == recordID }) {
		return nil, fmt.Errorf("choose candidate: %s is not one of the %d candidates of row %d", recordID, len(cands), rowID)
	}
	ch, err := s.loadChoices(sheetID)
	if err != nil {
		return nil, err
	}
	if ch[colID] == nil {
		ch[colID] = map[string]string{}
	}
	ch[colID][sheets.NormalizeKey(r.Cells[colID])] = recordID
	if err := s.store.PutSetting(choicesKey(sheetID), ch); err != nil {
		return nil, fmt.Errorf("remember choice: %w", err)
	}
	delete(r.Candidates, colID)
	if len(r.Candidates) == 0 {
		r.Candidates = nil
	}
	if r.State == sheets.StateError && len(r.Candidates) == 0 {
		r.State = sheets.StateModified
		r.Error = ""
		r.Touch()
	}
	if err := s.store.UpdateRows(sheetID, []*sheets.Row{r}); err != nil {
		return nil, fmt.Errorf("choose candidate for row %d: %w", rowID, err)
	}
	return r, nil
}
