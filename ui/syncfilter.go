package ui

import (
	"errors"
	"fmt"
	"strings"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// doValidate checks the filter against Salesforce (count and samples).
func (s *syncScreen) doValidate() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	where := strings.TrimSpace(s.filter.Text)
	s.filterRes.TextStyle.Monospace = false
	s.filterRes.SetText("Checking the filter…")
	s.sampleBox.Hide()
	s.mw.goBackground(func() {
		res, err := s.mw.svc.ValidateFilter(s.mw.ctx, sh.ID, where)
		uiloop.Do(func() {
			s.mw.conn.usageChanged()
			if err != nil {
				var fe *app.FilterError
				if errors.As(err, &fe) {
					// Monospace, so the caret stands under the character
					// Salesforce stopped at in the filter's own text.
					s.filterRes.TextStyle.Monospace = true
					s.filterRes.SetText("✗ " + fe.Message)
				} else {
					s.filterRes.SetText("✗ " + err.Error())
				}
				return
			}
			s.showSamples(sh, res)
		})
	})
}

// showSamples shows Validate's result: how many records match, and the
// samples in a small table of the sheet's mapped columns.
func (s *syncScreen) showSamples(sh *sheets.Sheet, res app.FilterCheck) {
	s.filterRes.SetText(filterSummary(res))
	s.sampleCols = s.sampleCols[:0]
	for _, c := range sh.Columns {
		if c.Mapped() {
			s.sampleCols = append(s.sampleCols, c.Name)
		}
	}
	s.sampleRows = res.Samples
	for i := range s.sampleCols {
		s.samples.SetColumnWidth(i, 150)
	}
	s.samples.Refresh()
	if len(res.Samples) > 0 && len(s.sampleCols) > 0 {
		s.sampleBox.Show()
	} else {
		s.sampleBox.Hide()
	}
}

// filterSummary is the Validate result in words.
func filterSummary(res app.FilterCheck) string {
	switch {
	case res.Count == 1:
		return "✓ 1 record matches"
	case len(res.Samples) > 0:
		return fmt.Sprintf("✓ %d records match; a few of them:", res.Count)
	}
	return fmt.Sprintf("✓ %d records match", res.Count)
}
