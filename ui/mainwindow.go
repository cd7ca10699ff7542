package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/assets"
	"crmsheets/sheets"
	"crmsheets/ui/grid"
	"crmsheets/ui/uiloop"
)

// ScreenEnv names the environment variable that opens a screen at start
// ("main", "mapper", "sync", "conflicts", "history") on the first sheet;
// scripts/screenshots.sh uses it to capture each screen. "sync-running"
// opens the Sync tab and starts a full pull, as if the user had pressed
// Run, so that a sync in progress can be captured.
const ScreenEnv = "CRMSHEETS_SCREEN"

// screenSyncRunning is the ScreenEnv value that starts a full pull.
const screenSyncRunning = "sync-running"

// screenDuplicate is the ScreenEnv value that opens the decision of the
// first row Salesforce refused as a duplicate (duplicatescreen.go).
const screenDuplicate = "duplicate"

// Tab titles of the centre, in order.
const (
	tabSheet     = "Sheet"
	tabSync      = "Sync"
	tabMapper    = "Mapper"
	tabConflicts = "Conflicts"
	tabHistory   = "History"
)

// MainWindow is the app's window: the sheets sidebar with the connection
// panel, and the centre with the open sheet's grid and its screens as tabs.
// Build it with NewMainWindow and use it from the UI goroutine only.
type MainWindow struct {
	a   fyne.App
	svc *app.Service
	win fyne.Window
	ctx context.Context
	// stop cancels ctx when the window closes, ending background work.
	stop context.CancelFunc

	sidebar   *sidebar
	conn      *connPanel
	status    *widget.Label
	themeBtn  *widget.Button
	aboutBtn  *widget.Button // opens the About box (product and version)
	tabs      *container.AppTabs
	sheetTab  *container.TabItem
	empty     fyne.CanvasObject
	findEntry *widget.Entry
	// stateFilter is the Sheet toolbar's row-state filter; recreateBtn,
	// shown while it lists rows deleted in Salesforce, creates them again.
	stateFilter *widget.Select
	recreateBtn *widget.Button

	sheet *sheets.Sheet // the open sheet, nil when none
	grid  *grid.Grid
	// bg counts the background work the window started (WaitIdle).
	bg sync.WaitGroup
	// widths are column widths resized but not saved yet, by column id;
	// widthTimer saves them (columnwidths.go).
	widths     map[string]float32
	widthTimer *time.Timer
	// currentTab is the centre tab shown, to notice leaving the Sync tab.
	currentTab *container.TabItem
	// statusGen and statusTimer expire the status bar's message
	// (feedback.go).
	statusGen   int
	statusTimer *time.Timer
	// screens are the views of the open sheet besides the grid, rebuilt
	// when another sheet opens; nil when no sheet is open.
	screens *sheetScreens
}

// screen is one centre tab over the open sheet.
type screen interface {
	// content is the tab's body.
	content() fyne.CanvasObject
	// shown is called each time the tab is selected, to reload its data.
	shown()
}

// screenHost is what a screen asks of the window beyond the Service: to
// bring another screen forward in a given state. Screens reach each other
// only through it, never by knowing each other's types; *MainWindow
// implements it.
type screenHost interface {
	// ShowScreen selects a tab by its CRMSHEETS_SCREEN name.
	ShowScreen(name string)
	// showRun opens History with the run selected.
	showRun(runID uint64)
	// proposeMapping opens the Mapper with an auto-map proposal to review.
	proposeMapping()
}

// sheetScreens are the open sheet's tabs besides the grid.
type sheetScreens struct {
	sync      *syncScreen
	mapper    *mapperScreen
	conflicts *conflictsScreen
	history   *historyScreen
	// byTitle finds a screen by its tab title, for OnSelected.
	byTitle map[string]screen
}

// Run builds the main window, restores the last session (size, sheet),
// connects the active org in the background and runs the app until the
// window closes. It is the desktop entry point main.go calls.
func Run(a fyne.App, svc *app.Service) {
	mw := NewMainWindow(a, svc)
	mw.Start()
	mw.win.ShowAndRun()
}

// NewMainWindow builds the window without showing it or connecting;
// tests build it on test.NewTempApp and call Start.
func NewMainWindow(a fyne.App, svc *app.Service) *MainWindow {
	ctx, stop := context.WithCancel(context.Background())
	mw := &MainWindow{a: a, svc: svc, ctx: ctx, stop: stop}
	mw.win = a.NewWindow("CRM Sheets")
	mw.win.SetIcon(assets.Icon)
	a.SetIcon(assets.Icon)
	applyTheme(a)
	mw.status = widget.NewLabel("Ready")
	mw.status.Truncation = fyne.TextTruncateEllipsis
	mw.conn = newConnPanel(mw)
	mw.sidebar = newSidebar(mw)
	mw.empty = container.NewCenter(widget.NewLabel("No sheet open: create one from a template, an object or an XLSX file."))
	mw.sheetTab = container.NewTabItemWithIcon(tabSheet, theme.GridIcon(), mw.empty)
	mw.tabs = container.NewAppTabs(mw.sheetTab)
	mw.tabs.OnSelected = func(t *container.TabItem) {
		mw.leavingSync(t)
		mw.screenShown(t)
	}
	left := container.NewScroll(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), mw.conn.box), nil, nil, mw.sidebar.box))
	split := container.NewHSplit(left, mw.tabs)
	split.Offset = 0.2
	mw.themeBtn = widget.NewButtonWithIcon("Theme", theme.ColorPaletteIcon(), nil)
	mw.themeBtn.Importance = widget.LowImportance
	mw.themeBtn.OnTapped = func() { mw.showThemeMenu(mw.themeBtn) }
	mw.aboutBtn = widget.NewButtonWithIcon("About", theme.InfoIcon(), mw.showAbout)
	mw.aboutBtn.Importance = widget.LowImportance
	statusBar := container.NewBorder(nil, nil, nil, container.NewHBox(mw.aboutBtn, mw.themeBtn), mw.status)
	mw.win.SetContent(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), statusBar), nil, nil, split))
	size := windowSize(a.Preferences())
	if screen, ok := screenSize(mw.win); ok {
		// The first size (or the remembered one) never exceeds the screen.
		size = fitScreen(size, screen)
	}
	mw.win.Resize(size)
	mw.win.SetMaster()
	mw.win.SetCloseIntercept(func() {
		mw.confirmQuit(func() {
			rememberWindow(a.Preferences(), mw.win.Canvas().Size())
			mw.shutdown()
			mw.win.Close()
		})
	})
	mw.addShortcuts()
	mw.conn.show(svc.Status())
	return mw
}

// Window is the app window, for tests and dialogs.
func (mw *MainWindow) Window() fyne.Window { return mw.win }

// Grid is the open sheet's grid, nil when no sheet is open.
func (mw *MainWindow) Grid() *grid.Grid { return mw.grid }

// Sheet is the open sheet, nil when none.
func (mw *MainWindow) Sheet() *sheets.Sheet { return mw.sheet }

// Start lists the sheets, reopens the last one, connects the active org
// in the background and opens the screen CRMSHEETS_SCREEN asks for.
func (mw *MainWindow) Start() {
	mw.sidebar.reload()
	last := mw.a.Preferences().String(prefLastSheet)
	screenName := os.Getenv(ScreenEnv)
	if screenName != "" {
		last = "" // screenshots: always the first sheet
	}
	if !mw.sidebar.selectID(last) {
		mw.sidebar.selectFirst()
	}
	mw.startScheduler()
	mw.goBackground(func() {
		err := mw.svc.ConnectActive(mw.ctx)
		uiloop.Do(func() {
			mw.conn.show(mw.svc.Status())
			if err != nil {
				mw.report(connectionProblem(err))
			} else {
				mw.connected(screenName == screenSyncRunning)
				if screenName == screenDuplicate {
					mw.openFirstDuplicate()
				}
				mw.conn.refreshNow()
				mw.conn.startPolling()
			}
		})
	})
	if screenName != "" && screenName != "main" && screenName != screenSyncRunning {
		mw.ShowScreen(screenName)
	}
}

// connected refreshes the screen on show, which may have waited for the
// org (the Mapper's fields), and starts the screenshot's pull if asked.
func (mw *MainWindow) connected(startPull bool) {
	if t := mw.tabs.Selected(); t != nil {
		mw.screenShown(t)
	}
	if startPull {
		mw.startFullPull()
	}
}

// screenShown reloads the screen of a tab just selected.
func (mw *MainWindow) screenShown(t *container.TabItem) {
	if mw.screens == nil {
		return
	}
	if tabBase(t.Text) == tabHistory {
		if err := mw.svc.MarkHistorySeen(mw.sheet.ID); err != nil {
			mw.report(err)
		}
		mw.setBadge(tabHistory, 0)
	}
	if s, ok := mw.screens.byTitle[tabBase(t.Text)]; ok {
		s.shown()
	}
}

// showRun opens History with the run selected.
func (mw *MainWindow) showRun(runID uint64) {
	mw.ShowScreen("history")
	if mw.screens != nil {
		mw.screens.history.selectRun(runID)
	}
}

// proposeMapping opens the Mapper with an auto-map proposal to review.
func (mw *MainWindow) proposeMapping() {
	mw.ShowScreen("mapper")
	if mw.screens != nil {
		mw.screens.mapper.doAutoMap()
	}
}

// startFullPull opens the Sync tab and runs a full pull of the open sheet,
// the way a user would with Pull, Full pull and Run.
func (mw *MainWindow) startFullPull() {
	mw.ShowScreen("sync")
	if mw.screens == nil {
		return
	}
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	s.full.SetChecked(true)
	s.doRun(false)
}

// connectionProblem says what to do about a failed automatic connection.
func connectionProblem(err error) error {
	if errors.Is(err, app.ErrNeedsReauth) {
		return fmt.Errorf("log in again with Connection… → Reconnect: %w", err)
	}
	return fmt.Errorf("could not connect to Salesforce; your sheets work offline, syncs wait for a connection: %w", err)
}

// ShowScreen selects a centre tab by its CRMSHEETS_SCREEN name.
func (mw *MainWindow) ShowScreen(name string) {
	want := map[string]string{"main": tabSheet, "rollup": tabSheet, screenDuplicate: tabSheet, "sync": tabSync, "mapper": tabMapper, "conflicts": tabConflicts, "history": tabHistory}[name]
	for _, t := range mw.tabs.Items {
		if tabBase(t.Text) == want {
			mw.tabs.Select(t)
			return
		}
	}
}

// OpenSheet shows a sheet in the grid and rebuilds its screens; it is
// remembered as the last sheet.
func (mw *MainWindow) OpenSheet(id string) error {
	mw.saveColumnWidths()       // the previous sheet's, before it closes
	mw.leavingSync(mw.sheetTab) // the previous sheet's unsaved Sync settings
	g, err := grid.New(gridSource{mw.svc}, id)
	if err != nil {
		mw.report(err)
		return err
	}
	mw.sheet = g.Model().Sheet()
	mw.grid = g
	g.OnMessage = func(text string, isErr bool) {
		if isErr {
			mw.setStatus(text, widget.DangerImportance)
		} else {
			mw.setStatus(text, widget.MediumImportance)
		}
	}
	g.OnShortcut = mw.handleShortcut
	g.OnColumnResized = mw.columnResized
	g.OnHeaderMenu = mw.showColumnMenu
	g.OnLongTask = func(title string) func() {
		_, b := mw.startBusy(title, "Saving the cells in one go: all of them or none…", false)
		return b.done
	}
	g.OnEdited = func() { mw.sidebar.reload() } // row counts stay live
	g.OnViewChanged = func(spec grid.ViewSpec, rows int) {
		mw.info(fmt.Sprintf("%d row(s) shown", rows))
	}
	mw.a.Preferences().SetString(prefLastSheet, id)
	mw.sheetTab.Content = newSheetView(mw, g)
	mw.buildScreens()
	mw.tabs.Refresh()
	mw.tabs.SelectIndex(0)
	mw.win.SetTitle("CRM Sheets — " + mw.sheet.Name)
	mw.updateBadges()
	mw.info(fmt.Sprintf("%q: %d rows, %d columns", mw.sheet.Name, g.Model().Len(), g.Model().Columns()))
	return nil
}

// closeSheet empties the centre (after the open sheet was deleted).
func (mw *MainWindow) closeSheet() {
	clear(mw.widths) // the sheet is gone
	mw.sheet, mw.grid = nil, nil
	mw.sheetTab.Content = mw.empty
	mw.tabs.Items = []*container.TabItem{mw.sheetTab}
	mw.screens = nil
	mw.tabs.Refresh()
	mw.win.SetTitle("CRM Sheets")
}

// buildScreens makes the tabs of the open sheet, in the order listed.
func (mw *MainWindow) buildScreens() {
	sc := &sheetScreens{
		sync:      newSyncScreen(mw, mw),
		mapper:    newMapperScreen(mw),
		conflicts: newConflictsScreen(mw),
		history:   newHistoryScreen(mw),
	}
	tabs := []struct {
		title string
		icon  fyne.Resource
		s     screen
	}{
		{tabSync, theme.ViewRefreshIcon(), sc.sync},
		{tabMapper, theme.ListIcon(), sc.mapper},
		{tabConflicts, theme.WarningIcon(), sc.conflicts},
		{tabHistory, theme.HistoryIcon(), sc.history},
	}
	sc.byTitle = map[string]screen{}
	items := []*container.TabItem{mw.sheetTab}
	for _, t := range tabs {
		sc.byTitle[t.title] = t.s
		// Every screen scrolls when the window is smaller than it, so no
		// screen sets the window's minimum size (see fit_test.go).
		items = append(items, container.NewTabItemWithIcon(t.title, t.icon, container.NewScroll(t.s.content())))
	}
	mw.screens = sc
	mw.tabs.Items = items
}

// reloadSheet re-reads the open sheet (after a sync, mapping or import)
// and recounts the tab badges.
func (mw *MainWindow) reloadSheet() {
	if mw.grid == nil {
		return
	}
	mw.reloadRows()
	mw.updateBadges()
}

// reloadRows re-reads the open sheet's rows and the sidebar's counts,
// without the badges (while a pull is landing rows).
func (mw *MainWindow) reloadRows() {
	if mw.grid == nil {
		return
	}
	mw.grid.Reload()
	mw.sheet = mw.grid.Model().Sheet()
	mw.sidebar.reload()
}

// info shows a message in the status bar.
func (mw *MainWindow) info(text string) {
	mw.setStatus(text, widget.MediumImportance)
}

// report shows an error in the status bar and in a dialog.
func (mw *MainWindow) report(err error) {
	if err == nil {
		return
	}
	mw.setStatus(err.Error(), widget.DangerImportance)
	dialog.ShowError(err, mw.win)
}

// goBackground runs f off the UI goroutine; f reaches widgets only through
// uiloop.Do. WaitIdle waits for every such f.
func (mw *MainWindow) goBackground(f func()) {
	mw.bg.Add(1)
	go func() {
		defer mw.bg.Done()
		f()
	}()
}

// WaitIdle blocks until the background work the window and its grid
// started has finished. Tests call it after an action; the app never
// needs it.
func (mw *MainWindow) WaitIdle() {
	mw.bg.Wait()
	if mw.grid != nil {
		mw.grid.WaitIdle()
	}
}
