package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"crmsheets/sheets"
)

// ConfigVersion describes one saved version of a sheet's mapping and sync
// settings, for a history list; ConfigVersion (the method) returns the
// definition itself.
type ConfigVersion struct {
	N     int       // 1 for the version recorded at creation, then increasing
	Note  string    // why it was saved ("created", "mapping applied", ...); may be empty
	Saved time.Time // when it was saved
	Name  string    // the sheet's name at that time
}

type configRecord struct {
	N     int          `json:"n"`
	Note  string       `json:"note,omitempty"`
	Saved time.Time    `json:"saved"`
	Sheet sheets.Sheet `json:"sheet"`
}

// SaveConfigVersion records sh's mapping and sync settings as a new version
// of the sheet's configuration and returns its number. When they equal the
// latest version's, no version is added: the latest one's number is
// returned, and its note replaced by note when note is not empty. SaveSheet
// records versions by itself whenever the configuration changes, so callers
// use this to attach a note to what they just saved.
func (s *Store) SaveConfigVersion(sheetID, note string, sh *sheets.Sheet) (int, error) {
	var n int
	err := s.update(func(tx *Tx) (err error) {
		n, err = tx.SaveConfigVersion(sheetID, note, sh)
		return err
	})
	return n, err
}

// SaveConfigVersion is Store.SaveConfigVersion inside a transaction.
func (tx *Tx) SaveConfigVersion(sheetID, note string, sh *sheets.Sheet) (int, error) {
	if _, err := tx.loadSheet(sheetID); err != nil {
		return 0, fmt.Errorf("save config version: %w", err)
	}
	n, err := tx.saveConfig(sheetID, note, sh, true)
	if err != nil {
		return 0, fmt.Errorf("save config version of sheet %q: %w", sheetID, err)
	}
	return n, nil
}

// saveConfig appends a version when sh's configuration differs from the
// latest; explicit calls may renote an identical latest version.
func (tx *Tx) saveConfig(sheetID, note string, sh *sheets.Sheet, explicit bool) (int, error) {
	root, err := tx.root(bucketConfigs)
	if err != nil {
		return 0, err
	}
	b, err := root.CreateBucketIfNotExists([]byte(sheetID))
	if err != nil {
		return 0, err
	}
	fp := configFingerprint(sh)
	n := 1
	if k, v := b.Cursor().Last(); k != nil {
		var last configRecord
		if err := json.Unmarshal(v, &last); err != nil {
			return 0, fmt.Errorf("%w: config version: %w", ErrCorrupt, err)
		}
		if bytes.Equal(configFingerprint(&last.Sheet), fp) {
			if explicit && note != "" && note != last.Note {
				last.Note = note
				return last.N, putJSON(b, k, last)
			}
			return last.N, nil
		}
		n = last.N + 1
	}
	rec := configRecord{N: n, Note: note, Saved: tx.now().UTC(), Sheet: *sh}
	rec.Sheet.ID = sheetID
	return n, putJSON(b, binary.BigEndian.AppendUint64(nil, uint64(n)), rec)
}

// ConfigVersions lists a sheet's config versions, oldest first.
func (s *Store) ConfigVersions(sheetID string) ([]ConfigVersion, error) {
	var out []ConfigVersion
	err := s.view(func(tx *Tx) error {
		if _, err := tx.loadSheet(sheetID); err != nil {
			return err
		}
		root, err := tx.root(bucketConfigs)
		if err != nil {
			return err
		}
		b := root.Bucket([]byte(sheetID))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var rec configRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: config version: %w", ErrCorrupt, err)
			}
			out = append(out, ConfigVersion{N: rec.N, Note: rec.Note, Saved: rec.Saved, Name: rec.Sheet.Name})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list config versions: %w", err)
	}
	return out, nil
}

// ConfigVersion returns the definition saved as version n, to show or to
// restore with SaveSheet (which keeps the current rows).
func (s *Store) ConfigVersion(sheetID string, n int) (*sheets.Sheet, error) {
	var sh *sheets.Sheet
	err := s.view(func(tx *Tx) error {
		root, err := tx.root(bucketConfigs)
		if err != nil {
			return err
		}
		b := root.Bucket([]byte(sheetID))
		if b == nil || n <= 0 {
			return ErrNotFound
		}
		v := b.Get(binary.BigEndian.AppendUint64(nil, uint64(n)))
		if v == nil {
			return ErrNotFound
		}
		var rec configRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		sh = &rec.Sheet
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("config version %d of sheet %q: %w", n, sheetID, err)
	}
	return sh, nil
}

type putter interface{ Put(k, v []byte) error }

func putJSON(b putter, key []byte, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Put(key, j)
}
