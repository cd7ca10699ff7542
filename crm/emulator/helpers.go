package emulator

import (
	"errors"
	"fmt"
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

// ensureDemoUser creates the demo user when the store has none.
func (s *Server) ensureDemoUser() error {
	t := s.tables[s.mustObject("User")]
	s.mu.RLock()
	_, ok := t.get(s.userID)
	s.mu.RUnlock()
	if ok {
		return nil
	}
	_, err := s.Insert("User", map[string]any{
		"Id": s.userID, "Username": DemoUsername, "FirstName": "Dana", "LastName": "Demo",
		"Email": DemoUsername, "Alias": "ddemo", "IsActive": true, "TimeZoneSidKey": "Europe/London",
		"CompanyName": "CRM Sheets Demo", "Title": "Sales Operations",
	})
	if err != nil {
		return fmt.Errorf("create demo user: %w", err)
	}
	return nil
}

// onlyDemoUser reports whether the store holds nothing but the demo user,
// i.e. whether it may be seeded.
func (s *Server) onlyDemoUser() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for o, t := range s.tables {
		if len(t.recs) > 0 && !(o.Name == "User" && len(t.recs) == 1) {
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
