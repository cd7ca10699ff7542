package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"crmsheets/app/fieldmap"
	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// resolveRelationships turns relationship cells about to be sent
// ("Account.Name" = "Acme") into the ids of the records they name: a
// remembered choice first, then one IN query per column and parent object
// per chunk. Not found is a row error naming the value; several matches keep
// the candidates on the row for the user to choose (ChooseCandidate).
func (e *engine) resolveRelationships(ctx context.Context, prs []*pushRow) error {
	for _, bc := range e.b.cols {
		if !bc.path {
			continue
		}
		want := map[string][]*pushRow{} // normalized value → rows
		var values []string
		for _, pr := range prs {
			if pr.err != nil {
				continue
			}
			ch, ok := pr.item.Send[bc.col.ID]
			if !ok || (pr.item.Action != merge.Update && pr.item.Action != merge.Create && pr.item.Action != merge.Conflict) {
				continue
			}
			if pr.resolvedIDs == nil {
				pr.resolvedIDs = map[string]string{}
			}
			if ch.After == "" {
				pr.resolvedIDs[bc.col.ID] = "" // clearing the lookup
				continue
			}
			if id, ok := e.choices.lookup(bc.col.ID, ch.After); ok {
				pr.resolvedIDs[bc.col.ID] = id
				continue
			}
			k := sheets.NormalizeKey(ch.After)
			if _, seen := want[k]; !seen {
				values = append(values, ch.After)
			}
			want[k] = append(want[k], pr)
		}
		if len(values) == 0 {
			continue
		}
		found, inactive, err := e.findParents(ctx, bc, values)
		if err != nil {
			return err
		}
		for k, rows := range want {
			cands := found[k]
			for _, pr := range rows {
				value := pr.item.Send[bc.col.ID].After
				switch len(cands) {
				case 1:
					pr.resolvedIDs[bc.col.ID] = cands[0].ID
				case 0:
					pr.err = fmt.Errorf("column %q: no %s named %q in Salesforce", bc.col.Name, strings.Join(bc.parents, " or "), value)
					pr.code = codeNotFoundValue
					if n := inactive[k]; len(n) > 0 {
						pr.err = fmt.Errorf("column %q: %s is an inactive user in Salesforce and cannot own records; give an active user", bc.col.Name, quoteUser(value, n[0]))
						pr.code = codeInactiveUser
					}
				default:
					pr.err = fmt.Errorf("column %q: %d records are named %q; choose one", bc.col.Name, len(cands), value)
					pr.code = codeAmbiguousValue
					if pr.cands == nil {
						pr.cands = map[string][]sheets.Candidate{}
					}
					pr.cands[bc.col.ID] = cands
				}
			}
		}
	}
	return nil
}

// findParents queries the parent objects of a relationship column for
// records whose field matches one of the values, returning candidates by
// normalized value. A polymorphic lookup (Who → Contact or Lead) tries each
// target in turn for the values still unmatched.
//
// Users are owners: an inactive user cannot own a record, so inactive
// users never count as a match; they are returned apart (by normalized
// value) so the row can say why its value was refused.
func (e *engine) findParents(ctx context.Context, bc *boundColumn, values []string) (found, inactive map[string][]sheets.Candidate, err error) {
	out := map[string][]sheets.Candidate{}
	inactive = map[string][]sheets.Candidate{}
	left := values
	for _, parent := range bc.parents {
		if len(left) == 0 {
			break
		}
		d, err := e.c.Describe(ctx, parent)
		if err != nil {
			return nil, nil, fmt.Errorf("resolve column %q: %w", bc.col.Name, err)
		}
		pf, ok := d.Field(bc.parentField)
		if !ok {
			continue
		}
		fields := []string{"Id", pf.Name}
		extra := map[string]string{}
		for _, f := range []struct{ name, path string }{{"name", "Name"}, {"owner", "Owner.Name"}, {"city", "BillingCity"}, {"city", "MailingCity"}, {"website", "Website"}, {"email", "Email"}, {"active", "IsActive"}} {
			base, _, _ := strings.Cut(f.path, ".")
			if f.path == "Owner.Name" {
				base = "OwnerId"
			}
			if _, ok := d.Field(base); ok && !slices.Contains(fields, f.path) && extra[f.name] == "" {
				fields = append(fields, f.path)
				extra[f.name] = f.path
			}
		}
		for _, batch := range inBatches(fieldmap.LookupLiterals(pf.Type, left)) {
			if !e.budgetAllows(1) {
				return nil, nil, errPaused
			}
			q, err := crm.Select(fields...).From(d.Name).InStrings(pf.Name, batch).Build()
			if err != nil {
				return nil, nil, fmt.Errorf("resolve %q: %w", bc.col.Name, err)
			}
			for rec, err := range e.c.Query(ctx, q) {
				if err != nil {
					return nil, nil, fmt.Errorf("resolve %q against %s: %w", bc.col.Name, d.Name, err)
				}
				v := fmt.Sprint(recordValue(rec, pf.Name))
				c := sheets.Candidate{ID: rec.ID, Name: v}
				if p := extra["name"]; p != "" {
					c.Name = fmt.Sprint(orEmpty(recordValue(rec, p)))
				}
				c.Owner = fmt.Sprint(orEmpty(recordValue(rec, extra["owner"])))
				c.City = fmt.Sprint(orEmpty(recordValue(rec, extra["city"])))
				c.Website = fmt.Sprint(orEmpty(recordValue(rec, extra["website"])))
				c.Email = fmt.Sprint(orEmpty(recordValue(rec, extra["email"])))
				k := sheets.NormalizeKey(v)
				if p := extra["active"]; p != "" && recordValue(rec, p) == false {
					inactive[k] = append(inactive[k], c)
					continue
				}
				if !slices.ContainsFunc(out[k], func(x sheets.Candidate) bool { return x.ID == c.ID }) {
					out[k] = append(out[k], c)
				}
			}
		}
		var still []string
		for _, v := range left {
			if len(out[sheets.NormalizeKey(v)]) == 0 {
				still = append(still, v)
			}
		}
		left = still
	}
	return out, inactive, nil
}

// quoteUser names a user value, with the user's name when the value was
// another field (an e-mail).
func quoteUser(value string, c sheets.Candidate) string {
	if c.Name != "" && !strings.EqualFold(c.Name, value) {
		return fmt.Sprintf("%q (%s)", value, c.Name)
	}
	return fmt.Sprintf("%q", value)
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}
