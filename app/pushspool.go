package app

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"crmsheets/sheets"
)

// pushSpool keeps the lean updates of a Bulk push (see pushRow.compact) in
// a temporary file from their planning to their write-back, so the
// push's memory does not grow with the rows it sends: a lean update is
// all in its row id, its record id and sends, a few numbers and the index
// of the plan it shares. The send reads the spool in order to make the
// job's CSV and to match the job's results (the rows the job refused are
// taken back into memory, see engine.send); the write-back reads it again,
// one transaction's rows at a time.
//
// The file is private to the run and removed when it ends. It holds what
// the in-flight record holds (the values sent): nothing the store does not
// already have.
type pushSpool struct {
	f   *os.File
	w   *bufio.Writer
	n   int    // rows added
	buf []byte // one record being encoded
	// The reader: next is the index of the record r returns next.
	r    *bufio.Reader
	next int
	// taken marks the rows engine.send took back into memory (refused,
	// unsent or lost): the write-back of the spool leaves them out, as
	// they are written back with the in-memory rows (takenRows, few).
	taken     map[int]bool
	takenRows []*pushRow
}

// take moves spooled row i, read as pr, back into memory.
func (s *pushSpool) take(i int, pr *pushRow) {
	s.taken[i] = true
	s.takenRows = append(s.takenRows, pr)
}

// newPushSpool creates the spool's file in the system's temporary folder.
func newPushSpool() (*pushSpool, error) {
	f, err := os.CreateTemp("", "crmsheets-push-*")
	if err != nil {
		return nil, fmt.Errorf("create the push's work file: %w", err)
	}
	return &pushSpool{f: f, w: bufio.NewWriterSize(f, 64<<10), taken: map[int]bool{}}, nil
}

// close removes the file.
func (s *pushSpool) close() {
	if s == nil || s.f == nil {
		return
	}
	_ = s.f.Close()
	_ = os.Remove(s.f.Name())
	s.f = nil
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
	b = binary.AppendVarint(b, timeStamp(pr.remoteModified))
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
	if i < 0 || i >= s.n {
		return nil, fmt.Errorf("push work file: no row %d of %d", i, s.n)
	}
	if s.r == nil || i < s.next {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read the push's work file: %w", err)
		}
		if s.r == nil {
			s.r = bufio.NewReaderSize(s.f, 64<<10)
		} else {
			s.r.Reset(s.f)
		}
		s.next = 0
	}
	for {
		pr, err := s.read(e)
		if err != nil {
			return nil, fmt.Errorf("read the push's work file: %w", err)
		}
		s.next++
		if s.next-1 == i {
			return pr, nil
		}
	}
}

// errSpoolDamaged reports a work file that does not read back.
var errSpoolDamaged = errors.New("damaged record")

// read decodes the next record.
func (s *pushSpool) read(e *engine) (*pushRow, error) {
	var head [3]uint64 // row id, record id length, sends length
	for k := range head {
		v, err := binary.ReadUvarint(s.r)
		if err != nil {
			return nil, err
		}
		head[k] = v
	}
	nRec, nSends := head[1], head[2]
	if nRec+nSends > 1<<30 {
		return nil, errSpoolDamaged
	}
	packed := make([]byte, nRec+nSends)
	if _, err := io.ReadFull(s.r, packed); err != nil {
		return nil, err
	}
	str := string(packed)
	modified, err := binary.ReadVarint(s.r)
	if err != nil {
		return nil, err
	}
	edited, err := binary.ReadVarint(s.r)
	if err != nil {
		return nil, err
	}
	var tail [10]byte // print, state, plan
	if _, err := io.ReadFull(s.r, tail[:]); err != nil {
		return nil, err
	}
	plan := int(tail[9])
	if plan >= len(e.lean.plans) {
		return nil, errSpoolDamaged
	}
	return &pushRow{
		id: sheets.RowID(head[0]), recordID: str[:nRec], op: sheets.OpUpdate, sends: str[nRec:],
		remoteModified: stampTime(modified), edited: edited,
		print: binary.LittleEndian.Uint64(tail[:8]), state0: sheets.State(tail[8]),
		compacted: true, lean: true, pushPlan: e.lean.plans[plan],
	}, nil
}

// timeStamp is t in Unix nanoseconds, math.MinInt64 for the zero time
// (as editStamp); stampTime reverses it.
func timeStamp(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

func stampTime(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
