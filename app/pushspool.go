package app

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"crmsheets/app/merge"
	"crmsheets/sheets"
)

// pushSpool keeps the lean updates of a Bulk push (see pushRow.compact) in
// a file from their planning to their write-back, so the push's memory
// does not grow with the rows it sends: a lean update is all in its row
// id, its record id and sends, a few numbers and the index of the plan it
// shares. The send reads the spool in order to make the job's CSV and to
// match the job's results (the rows the job refused are taken back into
// memory, see engine.send); the write-back reads it again, one
// transaction's rows at a time.
//
// The file is also the in-flight record of its rows (see inflight.go):
// synced to disk and named in the sheet's in-flight setting before the
// job is sent, it tells the next run what this one sent if it dies before
// its write-back, without a second copy of every sent value in the store.
// It lives in the app's home folder beside the store and is removed once
// the run's in-flight setting no longer names it.
type pushSpool struct {
	f    *os.File
	name string // the file's name in the home folder
	w    *bufio.Writer
	n    int    // rows added
	buf  []byte // one record being encoded
	// The reader: next is the index of the record r returns next.
	r    *bufio.Reader
	next int
	// taken marks the rows engine.send took back into memory (refused,
	// unsent or lost): the write-back of the spool leaves them out, as
	// they are written back with the in-memory rows (takenRows, few).
	taken     map[int]bool
	takenRows []*pushRow
	scratch   pushRow // see peek
	// unread is why engine.send could not read every refused row's
	// result: the write-back then takes none of the spool for a success.
	unread error
}

// take moves spooled row i, read as pr, back into memory.
func (s *pushSpool) take(i int, pr *pushRow) {
	s.taken[i] = true
	s.takenRows = append(s.takenRows, pr)
}

// spoolPattern is the file name pattern of a sheet's spools (os.CreateTemp
// puts a random string for the *).
func spoolPattern(sheetID string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, sheetID)
	return "inflight-" + safe + "-*.spool"
}

// newPushSpool creates a spool file for a push of the sheet in dir.
func newPushSpool(dir, sheetID string) (*pushSpool, error) {
	f, err := os.CreateTemp(dir, spoolPattern(sheetID))
	if err != nil {
		return nil, fmt.Errorf("create the push's work file: %w", err)
	}
	s := &pushSpool{f: f, name: filepath.Base(f.Name()), w: bufio.NewWriterSize(f, 64<<10), taken: map[int]bool{}}
	if _, err := s.w.WriteString(spoolMagic); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write the push's work file: %w", err)
	}
	return s, nil
}

// spoolMagic opens every spool file: the format of its records (see add),
// so a later version that changes them never misreads an older file left
// by a killed push.
const spoolMagic = "crmsheets-spool-1\n"

// close closes the file; the run's in-flight bookkeeping removes it
// (engine.settingNames) once no setting names it.
func (s *pushSpool) close() {
	if s == nil || s.f == nil {
		return
	}
	_ = s.f.Close()
	s.f = nil
}

// sync makes the file durable before the job is sent.
func (s *pushSpool) sync() error {
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("save the push's work file: %w", err)
	}
	return nil
}

// leanPlanIndex is the index of pr's shared plan among the push's.
func (e *engine) leanPlanIndex(pr *pushRow) (int, bool) {
	for i, p := range e.lean.plans {
		if p == pr.pushPlan {
			return i, true
		}
	}
	return 0, false
}

// spoolable reports whether a planned row of a real Bulk push can wait in
// the spool: a lean update, valid and prepared.
func (e *engine) spoolable(pr *pushRow) bool {
	if e.dry != nil || !pr.lean || pr.deferred || pr.err != nil || pr.op != sheets.OpUpdate || pr.forceWrite || pr.createdID != "" || e.sendsPath(pr) {
		return false
	}
	_, ok := e.leanPlanIndex(pr)
	return ok
}

// add appends a spoolable row.
func (s *pushSpool) add(e *engine, pr *pushRow) error {
	plan, _ := e.leanPlanIndex(pr)
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(pr.id))
	b = binary.AppendUvarint(b, uint64(len(pr.recordID)))
	b = binary.AppendUvarint(b, uint64(len(pr.sends)))
	b = append(b, pr.recordID...)
	b = append(b, pr.sends...)
	b = binary.AppendVarint(b, editStamp(pr.remoteModified))
	b = binary.AppendVarint(b, pr.edited)
	b = binary.LittleEndian.AppendUint64(b, pr.print)
	b = append(b, byte(pr.state0), byte(plan))
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("write the push's work file: %w", err)
	}
	s.n++
	return nil
}

// finish flushes what add wrote; reading starts after it.
func (s *pushSpool) finish() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write the push's work file: %w", err)
	}
	return nil
}

// row returns spooled row i as planned (a lean row on its shared plan).
// Reads are fastest in order; an earlier i starts the file over.
func (s *pushSpool) row(e *engine, i int) (*pushRow, error) {
	pr := new(pushRow)
	if err := s.rowInto(e, i, pr); err != nil {
		return nil, err
	}
	return pr, nil
}

// peek is row for a caller done with the row before its next call: the
// row is the spool's own, refilled every time (a push's CSV reads every
// spooled row twice).
func (s *pushSpool) peek(e *engine, i int) (*pushRow, error) {
	if err := s.rowInto(e, i, &s.scratch); err != nil {
		return nil, err
	}
	return &s.scratch, nil
}

// rowInto reads spooled row i into pr.
func (s *pushSpool) rowInto(e *engine, i int, pr *pushRow) error {
	if i < 0 || i >= s.n {
		return fmt.Errorf("push work file: no row %d of %d", i, s.n)
	}
	if s.r == nil || i < s.next {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("read the push's work file: %w", err)
		}
		if s.r == nil {
			s.r = bufio.NewReaderSize(s.f, 64<<10)
		} else {
			s.r.Reset(s.f)
		}
		if err := readSpoolMagic(s.r); err != nil {
			return fmt.Errorf("read the push's work file: %w", err)
		}
		s.next = 0
	}
	for {
		if err := s.read(e, pr); err != nil {
			return fmt.Errorf("read the push's work file: %w", err)
		}
		s.next++
		if s.next-1 == i {
			return nil
		}
	}
}

// spoolRecord is one row as the spool stores it.
type spoolRecord struct {
	id               sheets.RowID
	recordID, sends  string
	modified, edited int64
	print            uint64
	state            sheets.State
	plan             int
}

// readSpoolRecord decodes the next record of a spool (io.EOF at its end).
func readSpoolRecord(r *bufio.Reader) (spoolRecord, error) {
	var head [3]uint64 // row id, record id length, sends length
	for k := range head {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			if k > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return spoolRecord{}, err
		}
		head[k] = v
	}
	nRec, nSends := head[1], head[2]
	if nRec+nSends > 1<<30 {
		return spoolRecord{}, errSpoolDamaged
	}
	// The record id and sends as one string, read in place when the
	// reader holds them (one allocation either way).
	var str string
	if b, err := r.Peek(int(nRec + nSends)); err == nil {
		str = string(b)
		_, _ = r.Discard(len(b))
	} else {
		packed := make([]byte, nRec+nSends)
		if _, err := io.ReadFull(r, packed); err != nil {
			return spoolRecord{}, io.ErrUnexpectedEOF
		}
		str = string(packed)
	}
	modified, err := binary.ReadVarint(r)
	if err != nil {
		return spoolRecord{}, io.ErrUnexpectedEOF
	}
	edited, err := binary.ReadVarint(r)
	if err != nil {
		return spoolRecord{}, io.ErrUnexpectedEOF
	}
	var tail [10]byte // print, state, plan
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return spoolRecord{}, io.ErrUnexpectedEOF
	}
	return spoolRecord{
		id: sheets.RowID(head[0]), recordID: str[:nRec], sends: str[nRec:], modified: modified, edited: edited,
		print: binary.LittleEndian.Uint64(tail[:8]), state: sheets.State(tail[8]), plan: int(tail[9]),
	}, nil
}

// read decodes the next record into pr, as the lean row it was.
func (s *pushSpool) read(e *engine, pr *pushRow) error {
	rec, err := readSpoolRecord(s.r)
	if err != nil {
		return err
	}
	if rec.plan >= len(e.lean.plans) {
		return errSpoolDamaged
	}
	*pr = pushRow{
		id: rec.id, recordID: rec.recordID, op: sheets.OpUpdate, sends: rec.sends,
		remoteModified: stampTime(rec.modified), edited: rec.edited, print: rec.print, state0: rec.state,
		compacted: true, lean: true, pushPlan: e.lean.plans[rec.plan],
	}
	return nil
}

// loadSpoolInflight adds the in-flight entries of the spool file name in
// dir to m (this run's sends replace older entries of their rows), as far
// as the file reads.
func loadSpoolInflight(dir, name string, m inflightUpdates) error {
	f, err := os.Open(filepath.Join(dir, filepath.Base(name)))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	if err := readSpoolMagic(r); err != nil {
		return err
	}
	for {
		rec, err := readSpoolRecord(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		vals := map[string]string{}
		eachPacked(rec.sends, func(col string, ch merge.Change) { vals[col] = ch.After })
		if len(vals) > 0 {
			m[rowKey(rec.id)] = vals
		}
	}
}

// readSpoolMagic reads a spool's opening line (spoolMagic).
func readSpoolMagic(r *bufio.Reader) error {
	head := make([]byte, len(spoolMagic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != spoolMagic {
		return fmt.Errorf("%w: not a work file of this version", errSpoolDamaged)
	}
	return nil
}

// stampTime is the time editStamp made n from.
func stampTime(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
