package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// Tx is one transaction of the store, handed to Batch (and used by every
// Store method underneath). Its methods have the same semantics as the
// Store's methods of the same names. It is valid only until the function it
// was given to returns, and only on that goroutine.
type Tx struct {
	tx     *bolt.Tx
	now    func() time.Time
	cache  map[string]*sheetData // per transaction
	parsed *parsedSheets         // the store's, shared by read transactions
	// assigned are the rows given an id by this transaction, reset to 0 if
	// it does not commit
	assigned []*sheets.Row
}

// Sub-buckets of a sheet's data bucket, and keys of its info bucket.
var (
	subRows = []byte("rows") // position (8 bytes) -> encoded row
	subIDs  = []byte("ids")  // row id (8 bytes) -> position (8 bytes)
	subRec  = []byte("rec")  // first 15 chars of the record id + row id (8 bytes) -> empty
	subKey  = []byte("key")  // uvarint length + normalized key value + row id (8 bytes) -> empty
	subInfo = []byte("info") // the keys below

	infoCount   = []byte("count")   // 8 bytes: number of rows
	infoNextRow = []byte("nextRow") // 8 bytes: highest row id assigned
	infoCols    = []byte("cols")    // the interned column table
	infoKeyCol  = []byte("keyCol")  // column id the key index was built from
)

// sheetData is a sheet's definition and buckets, loaded once per transaction.
type sheetData struct {
	def                       *sheets.Sheet
	data, rows, ids, rec, key *bolt.Bucket
	info                      *bolt.Bucket
	pending                   *bolt.Bucket // nil when no key entry is pending (see subPending)
	cols                      *columnTable
	count                     uint64
	nextRow                   uint64
	countDirty, nextRowDirty  bool
	writable                  bool
	arena                     []byte
	// idCur and rowCur serve lookups by id and position (see position and
	// encoded), kept for the transaction.
	idCur, rowCur *bolt.Cursor
}

// position returns the position key of a row id (nil when the sheet has no
// such row), as sd.ids.Get would. Lookups share one cursor: Get makes a new
// one and grows its search path afresh each time, which cost more than the
// search itself when a push reads 100k rows by id. A Seek repositions the
// cursor from the root, so writes between lookups are safe.
func (sd *sheetData) position(id sheets.RowID) []byte {
	if sd.idCur == nil {
		sd.idCur = sd.ids.Cursor()
	}
	return seekExact(sd.idCur, sd.u64(uint64(id)))
}

// encoded returns the encoded row at a position key (nil when none), as
// sd.rows.Get would, through a cursor kept for the transaction.
func (sd *sheetData) encoded(pos []byte) []byte {
	if sd.rowCur == nil {
		sd.rowCur = sd.rows.Cursor()
	}
	return seekExact(sd.rowCur, pos)
}

func (tx *Tx) root(name []byte) (*bolt.Bucket, error) {
	b := tx.tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("%w: bucket %s missing", ErrCorrupt, name)
	}
	return b, nil
}

// loadSheet reads a sheet's definition: a fresh copy the caller owns.
func (tx *Tx) loadSheet(id string) (*sheets.Sheet, error) {
	b, err := tx.root(bucketSheets)
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("sheet %q: %w", id, ErrNotFound)
	}
	return decodeSheet(id, v)
}

func decodeSheet(id string, raw []byte) (*sheets.Sheet, error) {
	var sh sheets.Sheet
	if err := json.Unmarshal(raw, &sh); err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %w", ErrCorrupt, id, err)
	}
	return &sh, nil
}

// sheet returns the sheet's definition and buckets, cached for the
// transaction. The definition must not be changed by callers except through
// putSheet, which refreshes the cache.
func (tx *Tx) sheet(id string) (*sheetData, error) {
	if sd, ok := tx.cache[id]; ok {
		return sd, nil
	}
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return nil, err
	}
	rawDef := defs.Get([]byte(id))
	if rawDef == nil {
		return nil, fmt.Errorf("sheet %q: %w", id, ErrNotFound)
	}
	data, err := tx.root(bucketData)
	if err != nil {
		return nil, err
	}
	sd := &sheetData{writable: tx.tx.Writable(), data: data.Bucket([]byte(id))}
	if sd.data == nil {
		return nil, fmt.Errorf("%w: rows of sheet %q missing", ErrCorrupt, id)
	}
	sd.rows, sd.ids, sd.rec, sd.key, sd.info = sd.data.Bucket(subRows), sd.data.Bucket(subIDs), sd.data.Bucket(subRec), sd.data.Bucket(subKey), sd.data.Bucket(subInfo)
	if sd.rows == nil || sd.ids == nil || sd.rec == nil || sd.key == nil || sd.info == nil {
		return nil, fmt.Errorf("%w: buckets of sheet %q missing", ErrCorrupt, id)
	}
	sd.pending = sd.data.Bucket(subPending)
	// Rows and ids are mostly appended (pulls, imports), so pages are kept
	// nearly full; bbolt applies the fill percent when it splits pages at
	// commit. The indexes are keyed by values in random order: default fill.
	sd.rows.FillPercent, sd.ids.FillPercent = 0.9, 1.0
	rawCols := sd.info.Get(infoCols)
	if p, ok := tx.parsed.get(id, rawDef, rawCols); ok && !sd.writable {
		// Read transactions share parsed definitions: they never change
		// them, and a point lookup then costs no JSON decoding.
		sd.def, sd.cols = p.def, p.cols
	} else {
		if sd.def, err = decodeSheet(id, rawDef); err != nil {
			return nil, err
		}
		if sd.cols, err = decodeColumnTable(rawCols); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", id, err)
		}
		if !sd.writable {
			tx.parsed.put(id, rawDef, rawCols, sd.def, sd.cols)
		}
	}
	sd.count = getUint64(sd.info.Get(infoCount))
	sd.nextRow = getUint64(sd.info.Get(infoNextRow))
	if tx.cache == nil {
		tx.cache = map[string]*sheetData{}
	}
	tx.cache[id] = sd
	return sd, nil
}

// flush writes the sheet's counters and column table when they changed.
func (sd *sheetData) flush() error {
	if sd.countDirty {
		if err := sd.info.Put(infoCount, u64(sd.count)); err != nil {
			return err
		}
		sd.countDirty = false
	}
	if sd.nextRowDirty {
		if err := sd.info.Put(infoNextRow, u64(sd.nextRow)); err != nil {
			return err
		}
		sd.nextRowDirty = false
	}
	if sd.cols.dirty {
		if err := sd.info.Put(infoCols, sd.cols.encode()); err != nil {
			return err
		}
		sd.cols.dirty = false
	}
	return nil
}

// alloc returns n bytes that stay valid for the whole transaction, as bbolt
// requires of keys and values passed to Put. Small allocations share chunks.
func (sd *sheetData) alloc(n int) []byte {
	if n > 4096 {
		return make([]byte, n)
	}
	if cap(sd.arena)-len(sd.arena) < n {
		// chunks grow from small, so a point lookup does not pay for a
		// bulk write's arena
		sd.arena = make([]byte, 0, min(256<<10, max(512, 2*cap(sd.arena))))
	}
	start := len(sd.arena)
	sd.arena = sd.arena[:start+n]
	return sd.arena[start : start+n : start+n]
}

// keep copies b into transaction-lived memory.
func (sd *sheetData) keep(b []byte) []byte {
	out := sd.alloc(len(b))
	copy(out, b)
	return out
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (sd *sheetData) u64(v uint64) []byte {
	b := sd.alloc(8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// recKey is the record-id index key of a row: Salesforce ids compare on
// their first 15 characters, case-sensitively, so 15- and 18-char spellings
// of one id meet.
func recPrefix(recordID string) []byte {
	if len(recordID) > 15 {
		recordID = recordID[:15]
	}
	return []byte(recordID)
}

func (sd *sheetData) recKey(recordID string, id sheets.RowID) []byte {
	p := recPrefix(recordID)
	k := sd.alloc(len(p) + 8)
	copy(k, p)
	binary.BigEndian.PutUint64(k[len(p):], uint64(id))
	return k
}

func keyPrefix(norm string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(norm)))
	return append(b, norm...)
}

func (sd *sheetData) keyKey(norm string, id sheets.RowID) []byte {
	p := keyPrefix(norm)
	k := sd.alloc(len(p) + 8)
	copy(k, p)
	binary.BigEndian.PutUint64(k[len(p):], uint64(id))
	return k
}

// keyValue is the normalized key-column value of a row; "" when the sheet
// has no key column or the cell is blank.
func (sd *sheetData) keyValue(r *sheets.Row) string {
	if sd.def.KeyColumn == "" || r == nil {
		return ""
	}
	return sheets.NormalizeKey(r.Cells[sd.def.KeyColumn])
}
