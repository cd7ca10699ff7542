package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"crmsheets/app/merge"
	"crmsheets/sheets"
)

// In-flight updates. A push that dies after Salesforce applied an update
// but before the write-back leaves the row's base at the old value while
// Salesforce holds the new one. Without a trace, the next sync would take
// that change for someone else's: a needless conflict if the user edited
// the cell again meanwhile. So before each update call the engine saves
// what it is about to write (one small settings value per sheet), and the
// next run, on finding Salesforce holding exactly that value, moves the
// base to it: the change is recognised as the app's own.

// inflightKey is the settings key of a sheet's in-flight updates.
func inflightKey(sheetID string) string { return "inflight/" + sheetID }

// inflightUpdates maps row id (decimal) → column id → value sent. Stored,
// it may also name under inflightSpoolKey the spool file holding the
// entries of a Bulk push's lean updates (see pushSpool): {"file": name}.
type inflightUpdates map[string]map[string]string

// inflightSpoolKey is the entry of the stored in-flight updates that names
// a spool file (never a row id, which is decimal).
const inflightSpoolKey = "spool"

// loadInflight reads a sheet's in-flight updates, with the entries of the
// spool file they name, and returns that file's name ("" when none). A
// spool file that does not read to its end (a disk fault) gives what it
// holds: a lost entry costs at worst a needless conflict, never a wrong
// write.
func (s *Service) loadInflight(sheetID string) (inflightUpdates, string, error) {
	m := inflightUpdates{}
	if _, err := s.store.GetSetting(inflightKey(sheetID), &m); err != nil {
		return nil, "", fmt.Errorf("read in-flight updates of %s: %w", sheetID, err)
	}
	ref, ok := m[inflightSpoolKey]
	if !ok {
		return m, "", nil
	}
	delete(m, inflightSpoolKey)
	file := filepath.Base(ref["file"])
	if err := loadSpoolInflight(s.home, file, m); err != nil {
		s.log.Warn("the work file of an interrupted push does not read to its end", "sheet", sheetID, "file", file, "err", err)
	}
	return m, file, nil
}

// saveInflight records the updates about to be sent (with any left by an
// earlier run), before the call. The entries of this push are written
// straight from its rows, not added to e.inflight: a Bulk push of 100k
// rows would hold them all twice. Its spooled rows' entries are the spool
// file itself, synced first and named in the setting. They are settled by
// the write-back (or, when it fails, kept by keepInflight).
func (e *engine) saveInflight(prs sendList) error {
	var err error
	spool := ""
	if prs.spool != nil && prs.spool.n > 0 {
		err = prs.spool.sync()
		spool = prs.spool.name
	}
	var raw []byte
	if err == nil {
		raw, err = e.inflightJSON(prs.mem, spool)
	}
	if err == nil {
		err = e.s.store.PutSetting(inflightKey(e.sh.ID), json.RawMessage(raw))
	}
	if err != nil {
		return fmt.Errorf("record the updates about to be sent: %w", err)
	}
	e.inflightSaved = true
	// The file the setting named before is superseded: its entries not
	// settled yet are in e.inflight, written out just now.
	e.settingNames(spool)
	return nil
}

// settingNames notes that the sheet's saved in-flight setting now names
// the spool file (or none, ""), and removes this sheet's spool files no
// setting names: those of earlier runs and this run's finished ones. A
// plan (dry run) neither saves nor removes anything.
func (e *engine) settingNames(file string) {
	if e.dry != nil {
		return
	}
	e.inflightFile = file
	e.s.removeSpoolFiles(e.sh.ID, file)
}

// removeSpoolFiles removes the sheet's spool files in the home folder but
// keep (a killed push leaves its file behind; the next run's in-flight
// setting names it or supersedes it). Called under the sheet's run lock.
func (s *Service) removeSpoolFiles(sheetID, keep string) {
	names, _ := filepath.Glob(filepath.Join(s.home, spoolPattern(sheetID)))
	for _, n := range names {
		if filepath.Base(n) == keep {
			continue
		}
		if err := os.Remove(n); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("remove a push's work file", "file", n, "err", err)
		}
	}
}

// sentCells are the cells an update sends by column (relationship
// columns left out: their sent value is an id, not the cell).
func (e *engine) sentCells(pr *pushRow, each func(col, value string)) {
	pr.eachSend(func(col string, ch merge.Change) {
		if bc, ok := e.b.byCol[col]; ok && !bc.path {
			each(col, ch.After)
		}
	})
}

// inflightJSON encodes e.inflight and the updates of prs as the setting
// inflightUpdates decodes (an update's entry last: it replaces an older
// one of its row).
func (e *engine) inflightJSON(prs []*pushRow, spool string) ([]byte, error) {
	buf := make([]byte, 0, 64*len(prs)+2)
	buf = append(buf, '{')
	first := true
	var err error
	str := func(s string) {
		b, merr := json.Marshal(s)
		if merr != nil && err == nil {
			err = merr
		}
		buf = append(buf, b...)
	}
	entry := func(row string, cells func(each func(col, value string))) {
		start := len(buf)
		if !first {
			buf = append(buf, ',')
		}
		str(row)
		buf = append(buf, ':', '{')
		n := 0
		cells(func(col, v string) {
			if n > 0 {
				buf = append(buf, ',')
			}
			str(col)
			buf = append(buf, ':')
			str(v)
			n++
		})
		if n == 0 {
			buf = buf[:start] // nothing of the row to recognise
			return
		}
		buf = append(buf, '}')
		first = false
	}
	for row, vals := range e.inflight {
		entry(row, func(each func(col, value string)) {
			for col, v := range vals {
				each(col, v)
			}
		})
	}
	for _, pr := range prs {
		entry(rowKey(pr.id), func(each func(col, value string)) { e.sentCells(pr, each) })
	}
	if spool != "" {
		entry(inflightSpoolKey, func(each func(col, value string)) { each("file", spool) })
	}
	return append(buf, '}'), err
}

// keepInflight puts the in-flight entries of updates whose write-back did
// not happen into e.inflight, so flushInflight keeps them for the next run.
func (e *engine) keepInflight(prs []*pushRow) {
	for _, pr := range prs {
		if pr == nil || pr.op != sheets.OpUpdate {
			continue
		}
		vals := map[string]string{}
		e.sentCells(pr, func(col, v string) { vals[col] = v })
		if len(vals) > 0 {
			e.inflight[rowKey(pr.id)] = vals
			e.inflightDirty = true
		}
	}
}

// applyInflight recognises, on a row read again, a value an interrupted
// run sent: where Salesforce holds it, the base moves to it. The entry is
// then done with. It reports whether the base moved: the caller must then
// write the row even if the merge changes nothing else.
func (e *engine) applyInflight(r *sheets.Row, remote map[string]string) bool {
	return len(e.inflightMoves(r, remote)) > 0
}

// inflightMoves is applyInflight returning the base values it moved (nil
// when none), for a push that writes back a row read again later.
func (e *engine) inflightMoves(r *sheets.Row, remote map[string]string) map[string]string {
	k := rowKey(r.ID)
	vals, ok := e.inflight[k]
	if !ok {
		return nil
	}
	var moved map[string]string
	if r.Base != nil {
		for col, v := range vals {
			if remote[col] == v && r.Base[col] != v {
				setCell(r.Base, col, v)
				if moved == nil {
					moved = map[string]string{}
				}
				moved[col] = v
			}
		}
	}
	if moved != nil {
		if e.inflightTaken == nil {
			e.inflightTaken = inflightUpdates{}
		}
		e.inflightTaken[k] = vals
	}
	delete(e.inflight, k)
	e.inflightDirty = true
	return moved
}

// storedMoves notes that the bases moved for rows ids are in the store:
// their entries need not come back (see restoreTakenInflight).
func (e *engine) storedMoves(ids []sheets.RowID) {
	for _, id := range ids {
		delete(e.inflightTaken, rowKey(id))
	}
}

// restoreTakenInflight puts back the entries whose base moves a stopped
// run may not have stored (cancelled, paused or failed between planning
// and its write-back): dropped, the next run would find the row's base
// before the earlier send while Salesforce holds it, and the row's next
// edit would come back as a conflict. An entry whose move was stored after
// all is harmless: the next read finds the base already moved. A row with
// a newer entry (sent by this run) keeps that one.
func (e *engine) restoreTakenInflight() {
	if e.inflight == nil {
		e.inflight = inflightUpdates{}
	}
	for k, vals := range e.inflightTaken {
		if _, ok := e.inflight[k]; !ok {
			e.inflight[k] = vals
			e.inflightDirty = true
		}
	}
	e.inflightTaken = nil
}

// settled drops the entries of rows whose write-back is done.
func (e *engine) settled(ids []sheets.RowID) {
	for _, id := range ids {
		if _, ok := e.inflight[rowKey(id)]; ok {
			delete(e.inflight, rowKey(id))
			e.inflightDirty = true
		}
	}
}

// flushInflight saves what is left at the end of a run (nothing, normally).
func (e *engine) flushInflight() error {
	if !e.inflightDirty && !e.inflightSaved {
		if e.madeSpool {
			e.settingNames(e.inflightFile) // this run's unsaved files
		}
		return nil
	}
	var err error
	if len(e.inflight) == 0 {
		err = e.s.store.DeleteSetting(inflightKey(e.sh.ID))
	} else {
		err = e.s.store.PutSetting(inflightKey(e.sh.ID), e.inflight)
	}
	if err != nil {
		return fmt.Errorf("record in-flight updates: %w", err)
	}
	e.settingNames("")
	return nil
}

func rowKey(id sheets.RowID) string { return strconv.FormatUint(uint64(id), 10) }
