package emulator

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Persistence: one bbolt bucket per object (key = 18-character id, value =
// the record as a JSON object of its non-null fields) plus an auth bucket
// holding live sessions and refresh tokens, so that a restarted demo org
// keeps its data and its logins. Every write request is one bbolt
// transaction (write-through). Query cursors and Bulk jobs are not kept.

const authBucket = "_auth"

func (s *Server) openDB(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("open demo org data file %s: %w", path, err)
	}
	s.db = db
	if err := s.load(); err != nil {
		_ = db.Close()
		s.db = nil
		return fmt.Errorf("load demo org data file %s: %w", path, err)
	}
	return nil
}

func (s *Server) load() error {
	now := s.now()
	return s.db.View(func(tx *bolt.Tx) error {
		for _, o := range s.schema.Objects {
			b := tx.Bucket([]byte(o.Name))
			if b == nil {
				continue
			}
			t := s.tables[o]
			err := b.ForEach(func(k, v []byte) error {
				var m map[string]any
				if err := json.Unmarshal(v, &m); err != nil {
					return fmt.Errorf("record %s %s: %w", o.Name, k, err)
				}
				rec := &record{vals: make([]any, len(o.Fields))}
				for name, val := range m {
					if f, ok := o.Field(name); ok {
						rec.vals[f.index] = val
					}
				}
				deletedAt := now
				if ts, ok := rec.vals[o.modstampIdx].(string); ok && rec.deleted(o) {
					if d, ok := parseDateTime(ts); ok {
						deletedAt = d
					}
				}
				t.put(rec, deletedAt)
				return nil
			})
			if err != nil {
				return err
			}
		}
		if b := tx.Bucket([]byte(authBucket)); b != nil {
			if v := b.Get([]byte(usageKey)); v != nil {
				var u persistedUsage
				if err := json.Unmarshal(v, &u); err != nil {
					return fmt.Errorf("api usage: %w", err)
				}
				if u.Day == now.UTC().Format(time.DateOnly) {
					s.usage.day, s.usage.used = u.Day, u.Used
				}
			}
			if v := b.Get([]byte("state")); v != nil {
				var st persistedAuth
				if err := json.Unmarshal(v, &st); err != nil {
					return fmt.Errorf("auth state: %w", err)
				}
				s.auth.restore(st)
			}
		}
		return nil
	})
}

func encodeRecord(o *Object, r *record) ([]byte, error) {
	m := make(map[string]any, len(o.Fields))
	for i, f := range o.Fields {
		if r.vals[i] != nil {
			m[f.Name] = r.vals[i]
		}
	}
	return json.Marshal(m)
}

// persist writes changed records through to the data file.
func (s *Server) persist(changes []change) error {
	if s.db == nil || len(changes) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, c := range changes {
			o := c.t.obj
			b, err := tx.CreateBucketIfNotExists([]byte(o.Name))
			if err != nil {
				return err
			}
			v, err := encodeRecord(o, c.new)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(c.new.id(o)), v); err != nil {
				return err
			}
		}
		return nil
	})
}

type persistedAuth struct {
	Sessions map[string]time.Time `json:"sessions"` // access token → expiry
	Parents  map[string]string    `json:"parents"`  // access token → refresh token
	Refresh  map[string][2]string `json:"refresh"`  // refresh token → client id, scope
	Secret   []byte               `json:"secret"`
}

func (a *authState) restore(st persistedAuth) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for tok, exp := range st.Sessions {
		a.sessions[tok] = session{refresh: st.Parents[tok], expires: exp}
	}
	for tok, g := range st.Refresh {
		a.refresh[tok] = refreshGrant{clientID: g[0], scope: g[1]}
	}
	if len(st.Secret) > 0 {
		a.secret = st.Secret
	}
}

// usageKey holds the day's API count in the auth bucket, so a restarted
// demo org (the app quit and opened again) reports the calls already spent
// today, as Salesforce would, instead of starting again from zero.
const usageKey = "usage"

type persistedUsage struct {
	Day  string `json:"day"`
	Used int    `json:"used"`
}

// persistUsage saves today's API count. It runs when sessions change and at
// Close rather than on every call: a crash may forget the last few calls,
// which only makes the count generous.
func (s *Server) persistUsage() {
	if s.db == nil {
		return
	}
	s.usage.mu.Lock()
	s.usage.rollover(s.now())
	u := persistedUsage{Day: s.usage.day, Used: s.usage.used}
	s.usage.mu.Unlock()
	v, err := json.Marshal(u)
	if err == nil {
		err = s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(authBucket))
			if err != nil {
				return err
			}
			return b.Put([]byte(usageKey), v)
		})
	}
	if err != nil {
		s.log.Warn("persist demo org API usage", "err", err)
	}
}

// persistAuth saves the sessions and refresh tokens; failures are logged,
// since a lost session only costs a new login.
func (s *Server) persistAuth() {
	if s.db == nil {
		return
	}
	s.persistUsage()
	s.auth.mu.Lock()
	st := persistedAuth{Sessions: map[string]time.Time{}, Parents: map[string]string{},
		Refresh: map[string][2]string{}, Secret: s.auth.secret}
	for tok, sess := range s.auth.sessions {
		st.Sessions[tok] = sess.expires
		st.Parents[tok] = sess.refresh
	}
	for tok, g := range s.auth.refresh {
		st.Refresh[tok] = [2]string{g.clientID, g.scope}
	}
	s.auth.mu.Unlock()
	v, err := json.Marshal(st)
	if err == nil {
		err = s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(authBucket))
			if err != nil {
				return err
			}
			return b.Put([]byte("state"), v)
		})
	}
	if err != nil {
		s.log.Warn("persist demo org sessions", "err", err)
	}
}
