package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"crmsheets/sheets"
)

// CreateSheet stores a new sheet definition with no rows. It assigns sh.ID
// when empty, validates the definition (ErrInvalidSheet), refuses a name
// already used by another sheet, case-insensitively (ErrDuplicate), stamps
// Created and Updated, and records the first config version.
func (s *Store) CreateSheet(sh *sheets.Sheet) error {
	return s.update(func(tx *Tx) error { return tx.CreateSheet(sh) })
}

// CreateSheet is Store.CreateSheet inside a transaction.
func (tx *Tx) CreateSheet(sh *sheets.Sheet) error {
	if sh == nil {
		return fmt.Errorf("create sheet: %w: nil sheet", ErrInvalidSheet)
	}
	if err := sh.Validate(); err != nil {
		return fmt.Errorf("create sheet: %w: %w", ErrInvalidSheet, err)
	}
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return err
	}
	if sh.ID == "" {
		seq, err := defs.NextSequence()
		if err != nil {
			return fmt.Errorf("create sheet %q: %w", sh.Name, err)
		}
		sh.ID = "s" + strconv.FormatUint(seq, 10)
	}
	if defs.Get([]byte(sh.ID)) != nil {
		return fmt.Errorf("create sheet %q: id %q: %w", sh.Name, sh.ID, ErrDuplicate)
	}
	if err := tx.checkNameFree(sh.ID, sh.Name); err != nil {
		return fmt.Errorf("create sheet: %w", err)
	}
	now := tx.now().UTC()
	sh.Created, sh.Updated = now, now
	data, err := tx.root(bucketData)
	if err != nil {
		return err
	}
	b, err := data.CreateBucket([]byte(sh.ID))
	if err != nil {
		return fmt.Errorf("create sheet %q: %w", sh.Name, err)
	}
	for _, name := range [][]byte{subRows, subIDs, subRec, subKey, subInfo} {
		if _, err := b.CreateBucket(name); err != nil {
			return fmt.Errorf("create sheet %q: %w", sh.Name, err)
		}
	}
	if err := tx.putDef(sh); err != nil {
		return fmt.Errorf("create sheet %q: %w", sh.Name, err)
	}
	if err := b.Bucket(subInfo).Put(infoKeyCol, []byte(sh.KeyColumn)); err != nil {
		return fmt.Errorf("create sheet %q: %w", sh.Name, err)
	}
	if _, err := tx.saveConfig(sh.ID, "created", sh, false); err != nil {
		return fmt.Errorf("create sheet %q: %w", sh.Name, err)
	}
	return nil
}

// checkNameFree fails with ErrDuplicate when another sheet than id has name.
func (tx *Tx) checkNameFree(id, name string) error {
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return err
	}
	want := strings.ToLower(strings.TrimSpace(name))
	return defs.ForEach(func(k, v []byte) error {
		if string(k) == id {
			return nil
		}
		var other struct{ Name string }
		if err := json.Unmarshal(v, &other); err != nil {
			return fmt.Errorf("%w: sheet %q: %w", ErrCorrupt, k, err)
		}
		if strings.ToLower(strings.TrimSpace(other.Name)) == want {
			return fmt.Errorf("a sheet named %q: %w", other.Name, ErrDuplicate)
		}
		return nil
	})
}

func (tx *Tx) putDef(sh *sheets.Sheet) error {
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return err
	}
	j, err := json.Marshal(sh)
	if err != nil {
		return fmt.Errorf("encode sheet %q: %w", sh.Name, err)
	}
	if err := defs.Put([]byte(sh.ID), j); err != nil {
		return err
	}
	delete(tx.cache, sh.ID) // reload the definition on next use
	return nil
}

// Sheet returns a sheet's definition: a copy the caller may change.
func (s *Store) Sheet(id string) (*sheets.Sheet, error) {
	var sh *sheets.Sheet
	err := s.view(func(tx *Tx) (err error) {
		sh, err = tx.Sheet(id)
		return err
	})
	return sh, err
}

// Sheet is Store.Sheet inside a transaction.
func (tx *Tx) Sheet(id string) (*sheets.Sheet, error) {
	return tx.loadSheet(id)
}

// Sheets returns every sheet's definition, ordered by name
// (case-insensitively).
func (s *Store) Sheets() ([]*sheets.Sheet, error) {
	var out []*sheets.Sheet
	err := s.view(func(tx *Tx) error {
		defs, err := tx.root(bucketSheets)
		if err != nil {
			return err
		}
		return defs.ForEach(func(k, v []byte) error {
			var sh sheets.Sheet
			if err := json.Unmarshal(v, &sh); err != nil {
				return fmt.Errorf("%w: sheet %q: %w", ErrCorrupt, k, err)
			}
			out = append(out, &sh)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list sheets: %w", err)
	}
	slices.SortFunc(out, func(a, b *sheets.Sheet) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// SaveSheet replaces a sheet's definition (columns, key column, filter, sync
// settings, watermark, name), never its rows. The sheet must exist
// (ErrNotFound) and be valid (ErrInvalidSheet); Created is kept and Updated
// stamped. When the key column changes the key index is rebuilt, and when
// the mapping or sync settings change a config version is recorded, all in
// the same transaction.
func (s *Store) SaveSheet(sh *sheets.Sheet) error {
	return s.update(func(tx *Tx) error { return tx.SaveSheet(sh) })
}

// SaveSheet is Store.SaveSheet inside a transaction.
func (tx *Tx) SaveSheet(sh *sheets.Sheet) error {
	if sh == nil {
		return fmt.Errorf("save sheet: %w: nil sheet", ErrInvalidSheet)
	}
	if err := tx.saveSheet(sh, ""); err != nil {
		return fmt.Errorf("save sheet: %w", err)
	}
	return nil
}

// saveSheet validates and writes a definition, rebuilding the key index and
// recording a config version as needed.
func (tx *Tx) saveSheet(sh *sheets.Sheet, note string) error {
	old, err := tx.loadSheet(sh.ID)
	if err != nil {
		return err
	}
	if err := sh.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSheet, err)
	}
	if err := tx.checkNameFree(sh.ID, sh.Name); err != nil {
		return err
	}
	sh.Created = old.Created
	sh.Updated = tx.now().UTC()
	if err := tx.putDef(sh); err != nil {
		return err
	}
	sd, err := tx.sheet(sh.ID)
	if err != nil {
		return err
	}
	if string(sd.info.Get(infoKeyCol)) != sh.KeyColumn {
		if err := sd.rebuildKeyIndex(); err != nil {
			return fmt.Errorf("sheet %q: rebuild key index: %w", sh.Name, err)
		}
	}
	if _, err := tx.saveConfig(sh.ID, note, sh, false); err != nil {
		return err
	}
	return nil
}

// rebuildKeyIndex indexes every row under the definition's key column.
func (sd *sheetData) rebuildKeyIndex() error {
	if err := sd.dropPending(); err != nil {
		return err
	}
	if err := sd.data.DeleteBucket(subKey); err != nil {
		return err
	}
	key, err := sd.data.CreateBucket(subKey)
	if err != nil {
		return err
	}
	sd.key = key
	if sd.def.KeyColumn != "" {
		c := sd.rows.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := decodeRow(v, sd.cols)
			if err != nil {
				return err
			}
			if kv := sd.keyValue(r); kv != "" {
				if err := key.Put(sd.keyKey(kv, r.ID), nil); err != nil {
					return err
				}
			}
		}
	}
	return sd.info.Put(infoKeyCol, []byte(sd.def.KeyColumn))
}

// RenameSheet changes a sheet's name; names are unique case-insensitively
// (ErrDuplicate).
func (s *Store) RenameSheet(id, name string) error {
	return s.update(func(tx *Tx) error {
		sh, err := tx.loadSheet(id)
		if err != nil {
			return fmt.Errorf("rename sheet: %w", err)
		}
		sh.Name = name
		if err := tx.saveSheet(sh, ""); err != nil {
			return fmt.Errorf("rename sheet %q: %w", id, err)
		}
		return nil
	})
}

// DeleteSheet removes a sheet with its rows, indexes and config versions.
// Its runs stay in the history (they carry the sheet's name).
func (s *Store) DeleteSheet(id string) error {
	return s.update(func(tx *Tx) error { return tx.DeleteSheet(id) })
}

// DeleteSheet is Store.DeleteSheet inside a transaction.
func (tx *Tx) DeleteSheet(id string) error {
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return err
	}
	if defs.Get([]byte(id)) == nil {
		return fmt.Errorf("delete sheet %q: %w", id, ErrNotFound)
	}
	if err := defs.Delete([]byte(id)); err != nil {
		return fmt.Errorf("delete sheet %q: %w", id, err)
	}
	for _, name := range [][]byte{bucketData, bucketConfigs} {
		b, err := tx.root(name)
		if err != nil {
			return err
		}
		if b.Bucket([]byte(id)) != nil {
			if err := b.DeleteBucket([]byte(id)); err != nil {
				return fmt.Errorf("delete sheet %q: %w", id, err)
			}
		}
	}
	delete(tx.cache, id)
	return nil
}

// configFingerprint is the part of a definition a config version tracks:
// the mapping and sync settings, not the name, widths or watermark.
func configFingerprint(sh *sheets.Sheet) []byte {
	cols := slices.Clone(sh.Columns)
	for i := range cols {
		cols[i].Width = 0
	}
	j, _ := json.Marshal(struct {
		Object    string
		Columns   []sheets.Column
		KeyColumn string
		Filter    string
		Sync      sheets.SyncSettings
	}{sh.Object, cols, sh.KeyColumn, sh.Filter, sh.Sync})
	return j
}
