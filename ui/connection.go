package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/docs"
	"crmsheets/ui/uiloop"
)

// envChoices are the environments of the connection dialog, in order.
var envChoices = []struct {
	label string
	env   app.Env
}{
	{"Production", app.EnvProduction},
	{"Sandbox", app.EnvSandbox},
	{"My Domain", app.EnvMyDomain},
	{"Demo org", app.EnvDemo},
}

// kindChoices say what a My Domain org is (app.Org.Declared): "" lets its
// URL tell (a ".sandbox." URL is a sandbox, others production).
var kindChoices = []struct {
	label string
	env   app.Env
}{
	{"As its URL says", ""},
	{"Production", app.EnvProduction},
	{"Sandbox", app.EnvSandbox},
}

// loginTimeout bounds the wait for the browser login to come back.
const loginTimeout = 5 * time.Minute

// connDialog is the org switcher and connection dialog; its widgets are
// kept so tests can drive it as a user does.
type connDialog struct {
	d                        *dialog.CustomDialog
	pick                     *widget.Select
	info                     *widget.Label
	connect, disconnect, add *widget.Button
	edit, remove             *widget.Button
	guide                    *widget.Button
}

// showConnectionDialog is the org switcher and connection dialog: pick a
// saved org (its login state shown) or add one, then Connect (the browser
// opens for OAuth), Reconnect or Disconnect; the admin guide is one tap
// away.
func (mw *MainWindow) showConnectionDialog() *connDialog {
	orgs, err := mw.svc.Orgs()
	if err != nil {
		mw.report(err)
		return nil
	}
	active, _ := mw.svc.ActiveOrg()
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = orgLabel(o, mw.svc.OrgLoginState(o))
	}
	cd := &connDialog{pick: widget.NewSelect(names, nil)}
	for i, o := range orgs {
		if o.ID == active.ID {
			cd.pick.SetSelectedIndex(i)
		}
	}
	st := mw.svc.Status()
	state, _ := stateLook(st.State)
	cd.info = widget.NewLabel(state)
	cd.info.Wrapping = fyne.TextWrapWord
	if st.Problem != "" {
		cd.info.SetText(state + ": " + st.Problem)
	}
	if st.KeychainWarning != "" {
		cd.info.SetText(cd.info.Text + "\n" + st.KeychainWarning)
	}
	selected := func() (app.Org, bool) {
		i := cd.pick.SelectedIndex()
		if i < 0 {
			return app.Org{}, false
		}
		return orgs[i], true
	}
	cd.connect = widget.NewButton("Connect", func() {
		if o, ok := selected(); ok {
			cd.d.Hide()
			mw.connect(o)
		}
	})
	cd.connect.Importance = widget.HighImportance
	if st.State == app.StateNeedsReauth {
		cd.connect.SetText("Reconnect")
	}
	cd.disconnect = widget.NewButton("Disconnect", func() {
		cd.d.Hide()
		mw.disconnect()
	})
	cd.add = widget.NewButton("Add an org…", func() {
		cd.d.Hide()
		mw.showAddOrg()
	})
	cd.edit = widget.NewButton("Key and port…", func() {
		if o, ok := selected(); ok {
			cd.d.Hide()
			mw.showOrgForm(o)
		}
	})
	cd.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
		if o, ok := selected(); ok {
			cd.d.Hide()
			mw.confirmRemoveOrg(o)
		}
	})
	cd.pick.OnChanged = func(string) {
		if o, ok := selected(); ok && o.ID == app.DemoOrgID {
			cd.remove.Disable()
			cd.edit.Disable()
		} else {
			cd.remove.Enable()
			cd.edit.Enable()
		}
	}
	cd.pick.OnChanged("")
	cd.guide = widget.NewButton("Admin guide…", func() { mw.showGuide() })
	body := container.NewVBox(
		widget.NewForm(widget.NewFormItem("Org", cd.pick)),
		cd.info,
		container.NewHBox(cd.connect, cd.disconnect, cd.add, cd.edit, cd.remove, cd.guide),
	)
	cd.d = dialog.NewCustom("Salesforce connection", "Close", body, mw.win)
	cd.d.Resize(fyne.NewSize(680, 260))
	cd.d.Show()
	return cd
}

// confirmRemoveOrg forgets a saved org and its login after a confirmation;
// the demo org becomes active when the removed org was.
func (mw *MainWindow) confirmRemoveOrg(o app.Org) {
	msg := fmt.Sprintf("Remove %s from this computer?\nIts saved login is deleted; your sheets and Salesforce are not touched.", o.Name)
	dialog.ShowConfirm("Remove org", msg, func(ok bool) {
		if !ok {
			return
		}
		if err := mw.svc.RemoveOrg(o.ID); err != nil {
			mw.report(err)
			return
		}
		mw.conn.show(mw.svc.Status())
		mw.info(fmt.Sprintf("Removed %s", o.Name))
	}, mw.win)
}

// orgLabel names an org in the switcher: production marked, and whether
// it can connect without a browser.
func orgLabel(o app.Org, login app.LoginState) string {
	s := o.Name
	if o.Username != "" {
		s += " — " + o.Username
	}
	if o.Production() {
		s += "  [PRODUCTION]"
	}
	if o.Env != app.EnvDemo && login != app.LoginSignedIn {
		s += "  (" + string(login) + ")"
	}
	return s
}

// showGuide shows docs/CONNECT-SALESFORCE.md, embedded in the binary so it
// opens offline and matches this version.
func (mw *MainWindow) showGuide() {
	text := widget.NewRichTextFromMarkdown(docs.ConnectSalesforce)
	text.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(text)
	d := dialog.NewCustom("Connect CRM Sheets to Salesforce ("+guidePath+")", "Close", scroll, mw.win)
	d.Resize(fyne.NewSize(820, 640))
	d.Show()
}

// guidePath is where the admin guide lives in the repository.
const guidePath = "docs/CONNECT-SALESFORCE.md"

// orgForm is the Add-an-org dialog: environment, My Domain URL, consumer
// key, callback port, and the exact callback URL the admin must register,
// updated as the port changes.
type orgForm struct {
	d            *dialog.CustomDialog
	name, domain *widget.Entry
	key, port    *widget.Entry
	env          *widget.RadioGroup
	kind         *widget.Select // what a My Domain org is (kindChoices)
	callback     *widget.Label
	login, guide *widget.Button
}

// showAddOrg opens the Add-an-org dialog. Nothing is saved until the login
// succeeds.
func (mw *MainWindow) showAddOrg() *orgForm { return mw.showOrgForm(app.Org{}) }

// showOrgForm opens the org dialog: empty to add an org, or filled with a
// saved org to change its consumer key or callback port and log in again.
// Nothing is saved until the login succeeds.
func (mw *MainWindow) showOrgForm(saved app.Org) *orgForm {
	f := &orgForm{name: widget.NewEntry(), domain: widget.NewEntry(), key: widget.NewEntry(), port: widget.NewEntry(),
		callback: widget.NewLabel("")}
	f.name.SetPlaceHolder("e.g. Acme production")
	labels := make([]string, len(envChoices))
	for i, e := range envChoices {
		labels[i] = e.label
	}
	f.env = widget.NewRadioGroup(labels, nil)
	f.env.Horizontal = true
	f.env.SetSelected(labels[0])
	kinds := make([]string, len(kindChoices))
	for i, k := range kindChoices {
		kinds[i] = k.label
	}
	f.kind = widget.NewSelect(kinds, nil)
	f.kind.SetSelected(kinds[0])
	f.domain.SetPlaceHolder("https://acme.my.salesforce.com")
	f.key.SetPlaceHolder("Consumer Key of the org's External Client App (3MVG9…)")
	f.key.SetText(strings.TrimSpace(os.Getenv("CRMSHEETS_CLIENT_ID")))
	f.port.SetText(strconv.Itoa(app.DefaultCallbackPort))
	title := "Add a Salesforce org"
	if saved.ID != "" {
		title = "Log in to " + saved.Name
		f.name.SetText(saved.Name)
		for _, e := range envChoices {
			if e.env == saved.Env {
				f.env.SetSelected(e.label)
			}
		}
		f.env.Disable() // another environment is another org: add it
		f.domain.SetText(saved.URL)
		for _, k := range kindChoices {
			if k.env == saved.Declared {
				f.kind.SetSelected(k.label)
			}
		}
		f.key.SetText(saved.ClientID)
		if saved.CallbackPort != 0 {
			f.port.SetText(strconv.Itoa(saved.CallbackPort))
		}
	}
	f.callback.TextStyle.Monospace = true
	f.callback.Selectable = true
	showCallback := func(p string) {
		if port, err := parsePort(p); err == nil {
			f.callback.SetText(app.CallbackURL(port))
		} else {
			f.callback.SetText("(not a port number)")
		}
	}
	f.port.OnChanged = showCallback
	showCallback(f.port.Text)
	hint := widget.NewLabel("Your Salesforce admin registers exactly this callback URL in the org's External Client App and gives you its consumer key.")
	hint.Wrapping = fyne.TextWrapWord
	f.guide = widget.NewButton("How the admin sets it up ("+guidePath+")", func() { mw.showGuide() })
	f.login = widget.NewButton("Log in", func() {
		f.d.Hide()
		mw.addOrg(f.name.Text, f.env.Selected, f.domain.Text, f.kind.Selected, f.key.Text, f.port.Text)
	})
	f.login.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Environment", f.env),
		widget.NewFormItem("My Domain URL", f.domain),
		widget.NewFormItem("My Domain is", f.kind),
		widget.NewFormItem("Consumer key", f.key),
		widget.NewFormItem("Callback port", f.port),
		widget.NewFormItem("Callback URL", f.callback),
	)
	body := container.NewVBox(form, hint, container.NewHBox(f.login, f.guide))
	f.d = dialog.NewCustom(title, "Cancel", body, mw.win)
	f.d.Resize(fyne.NewSize(640, 420))
	f.d.Show()
	return f
}

// parsePort reads a callback port: empty means the default.
func parsePort(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("the callback port must be a number from 1 to 65535, not %q", s)
	}
	return p, nil
}

// addOrg logs in to the org the Add dialog describes (envLabel is one of
// envChoices' labels); the org is saved only when the login succeeds. The
// demo org is connected without being added again. kindLabel (one of
// kindChoices' labels) says what a My Domain org is: a production org's
// big runs are confirmed before they write.
func (mw *MainWindow) addOrg(name, envLabel, domainURL, kindLabel, consumerKey, port string) {
	o := app.Org{Name: strings.TrimSpace(name), URL: strings.TrimSpace(domainURL), ClientID: strings.TrimSpace(consumerKey)}
	for _, e := range envChoices {
		if e.label == envLabel {
			o.Env = e.env
		}
	}
	for _, k := range kindChoices {
		if k.label == kindLabel && o.Env == app.EnvMyDomain {
			o.Declared = k.env
		}
	}
	if o.Env == app.EnvDemo {
		mw.connect(app.Org{ID: app.DemoOrgID, Env: app.EnvDemo, Name: "Demo org"})
		return
	}
	if o.Env == app.EnvMyDomain {
		if u, err := url.Parse(o.URL); err != nil || u.Host == "" || u.Scheme != "https" && !isLoopback(u) {
			mw.report(fmt.Errorf("the My Domain URL must look like https://yourcompany.my.salesforce.com"))
			return
		}
	} else {
		o.URL = ""
	}
	p, err := parsePort(port)
	if err != nil {
		mw.report(err)
		return
	}
	// Logging in again to a saved org updates it rather than adding a
	// second copy, as `crmsheets login` does.
	saved, ok, err := mw.svc.SavedOrgFor(o.Env, o.URL)
	if err != nil {
		mw.report(err)
		return
	}
	if ok {
		saved.ClientID = o.ClientID
		saved.Declared = o.Declared
		if o.Name != "" {
			saved.Name = o.Name
		}
		o = saved
	}
	o.CallbackPort = p
	mw.connect(o)
}

// isLoopback reports an http URL on this machine (a local emulator),
// which the engine accepts as a My Domain.
func isLoopback(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()
}

// disconnect logs the active org out off the UI goroutine; sheets stay.
func (mw *MainWindow) disconnect() {
	o, _ := mw.svc.ActiveOrg()
	mw.goBackground(func() {
		err := mw.svc.Disconnect(mw.ctx)
		uiloop.Do(func() {
			mw.conn.show(mw.svc.Status())
			switch {
			case err != nil && !errors.Is(err, app.ErrNotRevoked):
				mw.report(err)
			case o.Env == app.EnvDemo:
				mw.info("Disconnected from the demo org; Connect logs it in again")
			default:
				if err != nil {
					mw.report(err)
				}
				mw.info("Logged out of " + o.Name + ": its tokens are forgotten on this computer; the org stays in the list and your sheets stay. Connect logs in again.")
			}
		})
	})
}

// connect logs in to an org (saved, or new from the Add dialog) off the UI
// goroutine; for OAuth orgs the browser opens through fyne.App.OpenURL and
// a dialog waits with Cancel, showing where Salesforce must send the
// browser back. A failed or cancelled login saves nothing. It returns the
// waiting dialog.
func (mw *MainWindow) connect(o app.Org) *dialog.CustomDialog {
	ctx, cancel := context.WithTimeout(mw.ctx, loginTimeout)
	msg := widget.NewLabel("Log in in your browser; this window continues when Salesforce sends you back to " +
		app.CallbackURL(o.CallbackPort) + ". If Salesforce shows an error page instead, look its code up in the admin guide.")
	msg.Wrapping = fyne.TextWrapWord
	wait := dialog.NewCustom("Connecting to "+o.Name, "Cancel",
		container.NewVBox(msg, widget.NewProgressBarInfinite(), widget.NewButton("Admin guide…", func() { mw.showGuide() })), mw.win)
	wait.Resize(fyne.NewSize(520, 200))
	wait.SetOnClosed(cancel)
	if o.Env != app.EnvDemo {
		wait.Show()
	}
	open := func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("the login address is not a URL: %w", err)
		}
		uiloop.Do(func() {
			if err := mw.a.OpenURL(u); err != nil {
				mw.report(fmt.Errorf("open the browser (copy this address into it: %s): %w", raw, err))
			}
		})
		return nil
	}
	mw.goBackground(func() {
		saved, err := mw.svc.Login(ctx, o, open)
		uiloop.Do(func() {
			wait.Hide()
			cancel()
			mw.conn.show(mw.svc.Status())
			switch {
			case errors.Is(err, context.Canceled):
				mw.info("Login cancelled; nothing was saved")
			case err != nil:
				mw.report(err)
			default:
				mw.info("Connected to " + saved.Name)
				mw.conn.refreshNow()
				mw.conn.startPolling()
			}
		})
	})
	return wait
}
