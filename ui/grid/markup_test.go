package grid

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestGridRendersToMarkup pins what the grid draws for three rows of the
// fake people sheet (headers, cells, the cursor on the first cell) as Fyne
// markup, so a change to the layout or the cell states shows in review.
// After an intended change, copy testdata/failed/grid.xml over
// testdata/grid.xml.
func TestGridRendersToMarkup(t *testing.T) {
	g, _, _, _ := newTestGrid(t, 3)
	g.Resize(fyne.NewSize(700, 160))
	test.AssertObjectRendersToMarkup(t, "grid.xml", g)
}
