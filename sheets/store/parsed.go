package store

import (
	"bytes"
	"sync"

	"crmsheets/sheets"
)

// parsedSheets caches decoded sheet definitions and column tables for read
// transactions, keyed by sheet id and validated against the stored bytes on
// every use, so it can never serve a stale definition: a changed sheet has
// different bytes. Cached values are shared and must never be modified;
// write transactions decode their own copies.
type parsedSheets struct {
	mu sync.Mutex
	m  map[string]*parsedSheet
}

type parsedSheet struct {
	rawDef, rawCols []byte
	def             *sheets.Sheet
	cols            *columnTable
}

func (c *parsedSheets) get(id string, rawDef, rawCols []byte) (*parsedSheet, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[id]
	if !ok || !bytes.Equal(p.rawDef, rawDef) || !bytes.Equal(p.rawCols, rawCols) {
		return nil, false
	}
	return p, true
}

// put stores copies of the raw bytes (bbolt's are only valid inside the
// transaction) with the values decoded from them.
func (c *parsedSheets) put(id string, rawDef, rawCols []byte, def *sheets.Sheet, cols *columnTable) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*parsedSheet{}
	}
	c.m[id] = &parsedSheet{rawDef: bytes.Clone(rawDef), rawCols: bytes.Clone(rawCols), def: def, cols: cols}
}
