package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Top-level buckets. Their names are stored, never rename them.
var (
	bucketMeta     = []byte("meta")     // "schema" -> uvarint schema version
	bucketSheets   = []byte("sheets")   // sheet id -> JSON sheets.Sheet
	bucketData     = []byte("data")     // sheet id -> sub-bucket of rows and indexes (see sheetBuckets)
	bucketConfigs  = []byte("configs")  // sheet id -> sub-bucket: version (8 bytes) -> JSON configRecord
	bucketRuns     = []byte("runs")     // run id (8 bytes) -> JSON sheets.Run
	bucketOutcomes = []byte("outcomes") // run id (8 bytes) -> sub-bucket: seq (8 bytes) -> JSON sheets.RecordOutcome
	bucketSettings = []byte("settings") // key -> JSON value

	keySchema = []byte("schema")
)

// migration brings the file from version-1 to version. Migrations run in
// order, all in the one transaction that opens the store, so a failure leaves
// the file as it was.
type migration struct {
	version int
	name    string
	up      func(tx *bolt.Tx) error
}

// migrations is the schema history. Append only: a released migration never
// changes. Tests may extend it to exercise the hook.
var migrations = []migration{
	{version: 1, name: "create the top-level buckets", up: func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketSheets, bucketData, bucketConfigs, bucketRuns, bucketOutcomes, bucketSettings} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}},
}

// latestSchema is the version this code writes.
func latestSchema() int { return migrations[len(migrations)-1].version }

// schemaVersion reads the version stored in the file; 0 for a new file.
func schemaVersion(tx *bolt.Tx) int {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v, n := binary.Uvarint(b.Get(keySchema))
	if n <= 0 {
		return 0
	}
	return int(v)
}

// migrate checks the file's schema version and, unless readOnly, runs the
// migrations it lacks in one transaction.
func (s *Store) migrate(readOnly bool) error {
	var current int
	if err := s.db.View(func(tx *bolt.Tx) error {
		current = schemaVersion(tx)
		return nil
	}); err != nil {
		return translate(err)
	}
	latest := latestSchema()
	switch {
	case current > latest:
		return fmt.Errorf("%w (file schema %d, this version knows %d)", ErrSchemaTooNew, current, latest)
	case current == latest:
		return nil
	case readOnly:
		return fmt.Errorf("%w: schema %d needs an upgrade to %d; open it once for writing", ErrReadOnly, current, latest)
	}
	return translate(s.db.Update(func(tx *bolt.Tx) error {
		from := schemaVersion(tx)
		for _, m := range migrations {
			if m.version <= from {
				continue
			}
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migrate schema to %d (%s): %w", m.version, m.name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: meta bucket missing after migrations", ErrCorrupt)
		}
		return meta.Put(keySchema, binary.AppendUvarint(nil, uint64(latest)))
	}))
}
