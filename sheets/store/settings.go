package store

import (
	"encoding/json"
	"fmt"
)

// GetSetting decodes the JSON value stored under key into v and reports
// whether the key exists (v is untouched when it does not). Settings are
// small values: orgs, preferences, remembered choices.
func (s *Store) GetSetting(key string, v any) (bool, error) {
	var found bool
	err := s.view(func(tx *Tx) error {
		b, err := tx.root(bucketSettings)
		if err != nil {
			return err
		}
		raw := b.Get([]byte(key))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, v)
	})
	if err != nil {
		return false, fmt.Errorf("read setting %q: %w", key, err)
	}
	return found, nil
}

// PutSetting stores v as JSON under key, replacing any previous value.
func (s *Store) PutSetting(key string, v any) error {
	if key == "" {
		return fmt.Errorf("put setting: empty key")
	}
	err := s.update(func(tx *Tx) error {
		b, err := tx.root(bucketSettings)
		if err != nil {
			return err
		}
		return putJSON(b, []byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("put setting %q: %w", key, err)
	}
	return nil
}

// DeleteSetting removes key; removing a missing key is not an error.
func (s *Store) DeleteSetting(key string) error {
	return s.update(func(tx *Tx) error { return tx.DeleteSetting(key) })
}

// DeleteSetting removes key within the transaction (with the sheet a
// setting belongs to, for example); removing a missing key is not an error.
func (tx *Tx) DeleteSetting(key string) error {
	b, err := tx.root(bucketSettings)
	if err == nil {
		err = b.Delete([]byte(key))
	}
	if err != nil {
		return fmt.Errorf("delete setting %q: %w", key, err)
	}
	return nil
}
