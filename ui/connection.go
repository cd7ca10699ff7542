package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
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

// loginTimeout bounds the wait for the browser login to come back.
const loginTimeout = 5 * time.Minute

// showConnectionDialog is the org switcher and connection dialog: pick a
// saved org or add one, then Connect (the browser opens for OAuth),
// Reconnect or Disconnect.
func (mw *MainWindow) showConnectionDialog() {
	orgs, err := mw.svc.Orgs()
	if err != nil {
		mw.report(err)
		return
	}
	active, _ := mw.svc.ActiveOrg()
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = orgLabel(o)
	}
	pick := widget.NewSelect(names, nil)
	for i, o := range orgs {
		if o.ID == active.ID {
			pick.SetSelectedIndex(i)
		}
	}
	st := mw.svc.Status()
	state, _ := stateLook(st.State)
	info := widget.NewLabel(state)
	info.Wrapping = fyne.TextWrapWord
	if st.Problem != "" {
		info.SetText(state + ": " + st.Problem)
	}
	if st.KeychainWarning != "" {
		info.SetText(info.Text + "\n" + st.KeychainWarning)
	}
	var d *dialog.CustomDialog
	selected := func() (app.Org, bool) {
		i := pick.SelectedIndex()
		if i < 0 {
			return app.Org{}, false
		}
		return orgs[i], true
	}
	connect := widget.NewButton("Connect", func() {
		if o, ok := selected(); ok {
			d.Hide()
			mw.connect(o)
		}
	})
	connect.Importance = widget.HighImportance
	if st.State == app.StateNeedsReauth {
		connect.SetText("Reconnect")
	}
	disconnect := widget.NewButton("Disconnect", func() {
		d.Hide()
		mw.disconnect()
	})
	add := widget.NewButton("Add an org…", func() {
		d.Hide()
		mw.showAddOrg()
	})
	remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
		if o, ok := selected(); ok {
			d.Hide()
			mw.confirmRemoveOrg(o)
		}
	})
	pick.OnChanged = func(string) {
		if o, ok := selected(); ok && o.ID == app.DemoOrgID {
			remove.Disable()
		} else {
			remove.Enable()
		}
	}
	pick.OnChanged("")
	body := container.NewVBox(
		widget.NewForm(widget.NewFormItem("Org", pick)),
		info,
		container.NewHBox(connect, disconnect, add, remove),
	)
	d = dialog.NewCustom("Salesforce connection", "Close", body, mw.win)
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
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

// orgLabel names an org in the switcher, production marked.
func orgLabel(o app.Org) string {
	s := o.Name
	if o.Username != "" {
		s += " — " + o.Username
	}
	if o.Production() {
		s += "  [PRODUCTION]"
	}
	if o.NeedsLogin {
		s += "  (log in again)"
	}
	return s
}

// showAddOrg saves a new org: environment, My Domain URL, consumer key.
func (mw *MainWindow) showAddOrg() {
	name := widget.NewEntry()
	name.SetPlaceHolder("e.g. Acme production")
	labels := make([]string, len(envChoices))
	for i, e := range envChoices {
		labels[i] = e.label
	}
	env := widget.NewRadioGroup(labels, nil)
	env.Horizontal = true
	env.SetSelected(labels[0])
	domain := widget.NewEntry()
	domain.SetPlaceHolder("https://acme.my.salesforce.com")
	key := widget.NewEntry()
	key.SetPlaceHolder("Connected app consumer key (optional)")
	form := []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Environment", env),
		widget.NewFormItem("My Domain URL", domain),
		widget.NewFormItem("Consumer key", key),
	}
	dialog.ShowForm("Add a Salesforce org", "Save and connect", "Cancel", form, func(ok bool) {
		if ok {
			mw.addOrg(name.Text, env.Selected, domain.Text, key.Text)
		}
	}, mw.win)
}

// addOrg saves the org the Add dialog describes (envLabel is one of
// envChoices' labels) and connects to it; the demo org is connected
// without being added again.
func (mw *MainWindow) addOrg(name, envLabel, domainURL, consumerKey string) {
	o := app.Org{Name: strings.TrimSpace(name), URL: strings.TrimSpace(domainURL), ClientID: strings.TrimSpace(consumerKey)}
	for _, e := range envChoices {
		if e.label == envLabel {
			o.Env = e.env
		}
	}
	if o.Env == app.EnvMyDomain {
		if u, err := url.Parse(o.URL); err != nil || u.Host == "" || u.Scheme != "https" && !isLoopback(u) {
			mw.report(fmt.Errorf("the My Domain URL must look like https://yourcompany.my.salesforce.com"))
			return
		}
	}
	if o.Env == app.EnvDemo {
		mw.connect(app.Org{ID: app.DemoOrgID, Env: app.EnvDemo, Name: "Demo org"})
		return
	}
	saved, err := mw.svc.AddOrg(o)
	if err != nil {
		mw.report(err)
		return
	}
	mw.connect(saved)
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
	mw.goBackground(func() {
		err := mw.svc.Disconnect(mw.ctx)
		uiloop.Do(func() {
			mw.conn.show(mw.svc.Status())
			if err != nil {
				mw.report(err)
			} else {
				mw.info("Disconnected; your sheets stay on this computer")
			}
		})
	})
}

// connect logs in to an org off the UI goroutine; for OAuth orgs the
// browser opens through fyne.App.OpenURL and a dialog waits with Cancel.
func (mw *MainWindow) connect(o app.Org) {
	ctx, cancel := context.WithTimeout(mw.ctx, loginTimeout)
	wait := dialog.NewCustom("Connecting to "+o.Name, "Cancel",
		container.NewVBox(widget.NewLabel("Log in in your browser; this window continues when Salesforce sends you back."), widget.NewProgressBarInfinite()), mw.win)
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
		err := mw.svc.Connect(ctx, o.ID, open)
		uiloop.Do(func() {
			wait.Hide()
			cancel()
			mw.conn.show(mw.svc.Status())
			switch {
			case errors.Is(err, context.Canceled):
				mw.info("Login cancelled")
			case err != nil:
				mw.report(fmt.Errorf("connect to %s: %w", o.Name, err))
			default:
				mw.info("Connected to " + o.Name)
				mw.conn.refreshNow()
				mw.conn.startPolling()
			}
		})
	})
}
