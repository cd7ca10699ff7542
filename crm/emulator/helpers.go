package emulator

import (
	"errors"
	"fmt"
	"strings"
)

// The Go API used by other packages' tests and by the embedded demo org.
// These helpers bypass HTTP and API counting but apply the same validation
// as the REST API, except that audit fields (CreatedDate,
// LastModifiedDate, …) may be set, which lets tests build history.

func (s *Server) table(object string) (*table, error) {
	o, ok := s.schema.Object(object)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownObject, object)
	}
	return s.tables[o], nil
}

// errorsOf turns API errors into one Go error.
func errorsOf(errs []apiError) error {
	var out []error
	for _, e := range errs {
		out = append(out, e)
	}
	return errors.Join(out...)
}

// Insert creates a record of object from fields and returns its id.
func (s *Server) Insert(object string, fields map[string]any) (id string, err error) {
	t, err := s.table(object)
	if err != nil {
		return "", err
	}
	tx := s.begin()
	rec, errs := tx.insert(t, fields, writeMode{system: true})
	if errs != nil {
		tx.rollbackTo(0)
		_ = tx.commit()
		return "", fmt.Errorf("insert %s: %w", object, errorsOf(errs))
	}
	if err := tx.commit(); err != nil {
		return "", fmt.Errorf("insert %s: %w", object, err)
	}
	return rec.id(t.obj), nil
}

// Update changes fields of a record as another Salesforce user would,
// bumping LastModifiedDate and SystemModstamp.
func (s *Server) Update(object, id string, fields map[string]any) error {
	t, err := s.table(object)
	if err != nil {
		return err
	}
	tx := s.begin()
	_, errs := tx.update(t, id, fields, writeMode{})
	if errs != nil {
		tx.rollbackTo(0)
		_ = tx.commit()
		return fmt.Errorf("update %s %s: %w", object, id, helperError(errs))
	}
	return tx.commit()
}

// Delete moves a record to the recycle bin, as a user deleting it in
// Salesforce would.
func (s *Server) Delete(object, id string) error {
	t, err := s.table(object)
	if err != nil {
		return err
	}
	tx := s.begin()
	_, errs := tx.remove(t, id, 0)
	if errs != nil {
		tx.rollbackTo(0)
		_ = tx.commit()
		return fmt.Errorf("delete %s %s: %w", object, id, helperError(errs))
	}
	return tx.commit()
}

func helperError(errs []apiError) error {
	switch errs[0].Code {
	case codeNotFound:
		return ErrNotFound
	case codeEntityDeleted:
		return ErrDeleted
	}
	return errorsOf(errs)
}

// Get returns a copy of the record's fields, including a deleted record
// (IsDeleted true); ok is false for an unknown object or id.
func (s *Server) Get(object, id string) (map[string]any, bool) {
	t, err := s.table(object)
	if err != nil {
		return nil, false
	}
	id18, err := Normalize18(id)
	if err != nil {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := t.get(id18)
	if !ok {
		return nil, false
	}
	return rec.toMap(t.obj), true
}

// Count returns the number of live (not deleted) records of object.
func (s *Server) Count(object string) int {
	t, err := s.table(object)
	if err != nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.live
}

// Records returns copies of the live records of object in id order.
func (s *Server) Records(object string) []map[string]any {
	t, err := s.table(object)
	if err != nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]map[string]any, 0, t.live)
	for _, r := range t.recs {
		if !r.deleted(t.obj) {
			out = append(out, r.toMap(t.obj))
		}
	}
	return out
}

// DemoUserID returns the id of the demo user, the owner of new records.
func (s *Server) DemoUserID() string { return s.userID }

// OrgID returns the 18-character id of the demo org.
func (s *Server) OrgID() string { return s.orgID }

func (r *record) toMap(o *Object) map[string]any {
	m := make(map[string]any, len(o.Fields))
	for i, f := range o.Fields {
		m[f.Name] = r.vals[i]
	}
	return m
}

// baselineUser is one of the users every demo org has, seeded or not.
type baselineUser struct {
	n                         uint64 // id counter
	first, last, title, alias string
	profile                   uint64 // Profile id counter
	active                    bool
}

// The demo org's profiles (ids 00e…1, 2, 3) and people: the demo user who
// logs in, three colleagues records can be owned by, and one who left
// (inactive), as a real sales org has.
var (
	baselineProfiles = []string{"System Administrator", "Standard User", "Read Only"}
	baselineUsers    = []baselineUser{
		{n: 1, first: "Dana", last: "Demo", title: "Sales Operations", alias: "ddemo", profile: 1, active: true},
		{n: 2, first: "Sam", last: "Rivera", title: "Account Executive", alias: "srive", profile: 2, active: true},
		{n: 3, first: "Priya", last: "Shah", title: "Account Executive", alias: "pshah", profile: 2, active: true},
		{n: 4, first: "Marcus", last: "Lee", title: "Sales Manager", alias: "mlee", profile: 2, active: true},
		{n: 5, first: "Elena", last: "Petrova", title: "Account Executive", alias: "epetr", profile: 2, active: false},
	}
)

// OrgName is the Name of the demo org's Organization row.
const OrgName = "CRM Sheets Demo"

// ensureBaseline creates what every org has when the store lacks it: the
// Organization row, the profiles, the demo user and their colleagues. A
// data file from before profiles existed gets the demo user's ProfileId
// filled in.
func (s *Server) ensureBaseline() error {
	has := func(object, id string) bool {
		t := s.tables[s.mustObject(object)]
		s.mu.RLock()
		defer s.mu.RUnlock()
		_, ok := t.get(id)
		return ok
	}
	if !has("Organization", s.orgID) {
		if _, err := s.Insert("Organization", map[string]any{
			"Id": s.orgID, "Name": OrgName, "Country": "United Kingdom", "InstanceName": "DEMO",
			"IsSandbox": false, "OrganizationType": "Enterprise Edition",
			"DefaultLocaleSidKey": "en_GB", "LanguageLocaleKey": "en_US", "TimeZoneSidKey": "Europe/London",
		}); err != nil {
			return fmt.Errorf("create demo organization: %w", err)
		}
	}
	for i, name := range baselineProfiles {
		id := newID(PrefixProfile, uint64(i+1))
		if has("Profile", id) {
			continue
		}
		if _, err := s.Insert("Profile", map[string]any{"Id": id, "Name": name, "UserType": "Standard"}); err != nil {
			return fmt.Errorf("create profile %s: %w", name, err)
		}
	}
	for _, u := range baselineUsers {
		id := newID(PrefixUser, u.n)
		profile := newID(PrefixProfile, u.profile)
		if has("User", id) {
			if rec, ok := s.Get("User", id); ok && rec["ProfileId"] == nil {
				if err := s.systemUpdate("User", id, map[string]any{"ProfileId": profile}); err != nil {
					return fmt.Errorf("give user %s a profile: %w", id, err)
				}
			}
			continue
		}
		username := strings.ToLower(u.first+"."+u.last) + "@crmsheets.example"
		if u.n == 1 {
			username = DemoUsername
		}
		if _, err := s.Insert("User", map[string]any{
			"Id": id, "Username": username, "FirstName": u.first, "LastName": u.last,
			"Email": username, "Alias": u.alias, "IsActive": u.active, "TimeZoneSidKey": "Europe/London",
			"CompanyName": OrgName, "Title": u.title, "ProfileId": profile,
		}); err != nil {
			return fmt.Errorf("create user %s %s: %w", u.first, u.last, err)
		}
	}
	return nil
}

// systemUpdate writes fields as the demo org itself, past the checks the
// API applies.
func (s *Server) systemUpdate(object, id string, fields map[string]any) error {
	t, err := s.table(object)
	if err != nil {
		return err
	}
	tx := s.begin()
	_, errs := tx.update(t, id, fields, writeMode{system: true})
	if errs != nil {
		tx.rollbackTo(0)
		_ = tx.commit()
		return errorsOf(errs)
	}
	return tx.commit()
}

// onlyBaseline reports whether the store holds nothing but what
// ensureBaseline creates, i.e. whether it may be seeded.
func (s *Server) onlyBaseline() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for o, t := range s.tables {
		switch o.Name {
		case "Organization", "Profile":
			continue
		case "User":
			if len(t.recs) <= len(baselineUsers) {
				continue
			}
		}
		if len(t.recs) > 0 {
			return false
		}
	}
	return true
}

func (s *Server) mustObject(name string) *Object {
	o, ok := s.schema.Object(name)
	if !ok {
		panic("emulator: schema lacks " + name)
	}
	return o
}
