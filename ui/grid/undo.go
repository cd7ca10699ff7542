package grid

import "crmsheets/sheets"

// maxUndo bounds the undo history of a grid.
const maxUndo = 500

// cellEdit is one cell's change, as the user saw it: the text before and
// after, in the form EditCell accepts back.
type cellEdit struct {
	Row    sheets.RowID
	Column string
	Before string
}

// undoStack keeps local edits in groups (one paste is one step) so Undo
// reverts what the user did in one gesture.
type undoStack struct {
	steps [][]cellEdit
}

// push records one gesture; empty gestures are ignored.
func (u *undoStack) push(step []cellEdit) {
	if len(step) == 0 {
		return
	}
	u.steps = append(u.steps, step)
	if len(u.steps) > maxUndo {
		u.steps = u.steps[len(u.steps)-maxUndo:]
	}
}

// pop takes the last gesture, or nil when there is none.
func (u *undoStack) pop() []cellEdit {
	if len(u.steps) == 0 {
		return nil
	}
	s := u.steps[len(u.steps)-1]
	u.steps = u.steps[:len(u.steps)-1]
	return s
}

// Len is the number of gestures that can be undone.
func (u *undoStack) Len() int { return len(u.steps) }
