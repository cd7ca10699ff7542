package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// ObjectInfo is an sObject a sheet can be made from (the "new sheet from
// any object" picker).
type ObjectInfo struct {
	Name       string // API name, e.g. "Contact", "Subscription__c"
	Label      string
	Custom     bool
	Createable bool
	Updateable bool
}

// Objects lists the org's queryable objects, by label (one API call).
func (s *Service) Objects(ctx context.Context) ([]ObjectInfo, error) {
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	all, err := c.DescribeGlobal(ctx)
	if err != nil {
		s.noteCallErr(err)
		return nil, fmt.Errorf("list the org's objects: %w", err)
	}
	out := make([]ObjectInfo, 0, len(all))
	for _, o := range all {
		if !o.Queryable {
			continue
		}
		out = append(out, ObjectInfo{Name: o.Name, Label: o.Label, Custom: o.Custom, Createable: o.Createable, Updateable: o.Updateable})
	}
	slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out, nil
}
