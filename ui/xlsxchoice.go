package ui

import (
	"crmsheets/ui/uiloop"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
)

// workbookChoice is what the import and the new-sheet dialogs share: the
// workbook read so far, the tab and header row the user chose, and what the
// dialog redoes when the reading changes (changed).
type workbookChoice struct {
	mw      *MainWindow
	src     *importSource
	tab     *widget.Select
	header  *widget.Entry
	changed func()
}

func newWorkbookChoice(mw *MainWindow, src *importSource) workbookChoice {
	c := workbookChoice{mw: mw, src: src, changed: func() {}}
	c.tab = widget.NewSelect(src.Tabs, nil)
	c.tab.SetSelected(src.Tab)
	c.header = widget.NewEntry()
	c.header.SetText(strconv.Itoa(src.HeaderRow))
	return c
}

// chooseDate reads an ambiguous column in the chosen order, off the UI
// goroutine (it goes over every row), then lets the dialog redo its view.
func (c *workbookChoice) chooseDate(col, k int) {
	c.mw.goBackground(func() {
		err := c.src.chooseDate(col, k)
		uiloop.Do(func() {
			if err != nil {
				c.mw.report(err)
				return
			}
			c.changed()
		})
	})
}

// reread reads the file again with the tab and header row chosen.
func (c *workbookChoice) reread() {
	hr, err := strconv.Atoi(strings.TrimSpace(c.header.Text))
	if err != nil || hr < 0 {
		c.mw.report(fmt.Errorf("the header row is a row number (0 finds it), not %q", c.header.Text))
		return
	}
	c.mw.readFile(c.src.Path, c.tab.Selected, hr, func(src *importSource) {
		c.src = src
		c.header.SetText(strconv.Itoa(src.HeaderRow))
		c.changed()
	})
}
