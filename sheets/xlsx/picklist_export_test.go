package xlsx

import (
	"testing"

	"crmsheets/sheets"
)

// A restricted picklist's drop-down stops other values; an unrestricted
// one (which Salesforce accepts other values for) only informs.
func TestExportDropDownStyleFollowsRestriction(t *testing.T) {
	s := &sheets.Sheet{ID: "s", Name: "Accounts"}
	s.AddColumn(sheets.Column{Name: "Type", Type: sheets.TypePicklist, Choices: []string{"Prospect", "Customer"}})
	s.AddColumn(sheets.Column{Name: "Tier", Type: sheets.TypePicklist, Choices: []string{"Gold", "Silver"}, Restricted: true})
	f := openExport(t, s, []*sheets.Row{{ID: 1, Cells: map[string]string{"c1": "Weird Type", "c2": "Gold"}}})
	dvs, err := f.GetDataValidations("Accounts")
	must(t, err)
	styles := map[string]string{}
	for _, dv := range dvs {
		if dv.ErrorStyle != nil {
			styles[dv.Sqref[:1]] = *dv.ErrorStyle
		}
	}
	if styles["A"] != "information" || styles["B"] != "stop" && styles["B"] != "" {
		t.Fatalf("drop-down error styles %v: want information for the unrestricted column A, stop for B", styles)
	}
}
