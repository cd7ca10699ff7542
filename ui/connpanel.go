package ui

import (
	"context"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/ui/uiloop"
)

// connPanel shows the active org: environment (production marked in red),
// org and user, a badge for the connection state and the API usage bar.
type connPanel struct {
	mw      *MainWindow
	org     *widget.Label
	env     *canvas.Text
	envBox  *canvas.Rectangle
	user    *widget.Label
	dot     *canvas.Circle
	state   *widget.Label
	usage   *usageMeter
	problem *widget.Label
	connect *widget.Button
	box     *fyne.Container
	// refresher throttles the usage bar's calls to Salesforce.
	refresher usageRefresher
}

func newConnPanel(mw *MainWindow) *connPanel {
	p := &connPanel{mw: mw, org: widget.NewLabel(""), user: widget.NewLabel(""), state: widget.NewLabel("Connecting…"),
		env: canvas.NewText("", color.White), envBox: canvas.NewRectangle(color.Transparent),
		dot: canvas.NewCircle(color.Gray{Y: 0x99}), usage: newUsageMeter(), problem: widget.NewLabel(""),
		refresher: usageRefresher{pollEvery: usagePollEvery, minGap: usageMinGap}}
	p.org.TextStyle.Bold = true
	p.org.Truncation = fyne.TextTruncateEllipsis
	p.user.Truncation = fyne.TextTruncateEllipsis
	p.user.SizeName = theme.SizeNameCaptionText
	p.env.TextStyle.Bold = true
	p.env.TextSize = 11
	p.envBox.CornerRadius = 4
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Importance = widget.DangerImportance
	p.problem.Hide()
	p.connect = widget.NewButton("Connection…", func() { mw.showConnectionDialog() })
	dot := container.NewGridWrap(fyne.NewSize(12, 12), p.dot)
	envBadge := container.NewStack(p.envBox, container.NewPadded(p.env))
	p.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(envBadge), p.org),
		p.user,
		container.NewHBox(container.NewCenter(dot), p.state),
		p.usage.box,
		p.problem,
		p.connect,
	)
	return p
}

// stateLook is the badge of a connection state.
func stateLook(s app.ConnState) (string, color.Color) {
	switch s {
	case app.StateConnected:
		return "Connected", color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}
	case app.StateNeedsReauth:
		return "Needs reauthorization", color.NRGBA{R: 0xf0, G: 0x8c, B: 0x00, A: 0xff}
	case app.StateOffline:
		return "Offline", color.NRGBA{R: 0xd9, G: 0x30, B: 0x25, A: 0xff}
	}
	return "Not connected", color.Gray{Y: 0x99}
}

// envLook is the environment badge: production is red so it is never
// mistaken for a sandbox.
func envLook(st app.ConnStatus) (string, color.Color) {
	switch {
	case st.Production:
		return "PRODUCTION", color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	case st.Env == app.EnvSandbox:
		return "SANDBOX", color.NRGBA{R: 0x1e, G: 0x6f, B: 0xb8, A: 0xff}
	case st.Env == app.EnvDemo:
		return "DEMO", color.NRGBA{R: 0x5e, G: 0x5e, B: 0x70, A: 0xff}
	case st.Env == app.EnvMyDomain:
		return "MY DOMAIN", color.NRGBA{R: 0x1e, G: 0x6f, B: 0xb8, A: 0xff}
	}
	return string(st.Env), color.Gray{Y: 0x70}
}

// usageText is the API bar's caption.
func usageText(used, limit int) string {
	if limit <= 0 {
		return "API usage unknown"
	}
	return fmt.Sprintf("API %d of %d used today", used, limit)
}

// show paints a status; call on the UI goroutine.
func (p *connPanel) show(st app.ConnStatus) {
	name := st.OrgName
	if name == "" {
		name = "No org"
	}
	p.org.SetText(name)
	user := st.Username
	if st.InstanceURL != "" {
		user += " · " + st.InstanceURL
	}
	p.user.SetText(user)
	text, c := envLook(st)
	p.env.Text, p.envBox.FillColor = text, c
	p.env.Refresh()
	p.envBox.Refresh()
	label, dc := stateLook(st.State)
	p.state.SetText(label)
	p.dot.FillColor = dc
	p.dot.Refresh()
	used, limit := st.APIUsed, st.APILimit
	p.usage.set(used, limit)
	if st.Problem != "" {
		p.problem.SetText(st.Problem)
		p.problem.Show()
	} else {
		p.problem.Hide()
	}
	switch st.State {
	case app.StateNeedsReauth:
		p.connect.SetText("Reconnect…")
		p.connect.Importance = widget.HighImportance
	default:
		p.connect.SetText("Connection…")
		p.connect.Importance = widget.MediumImportance
	}
	p.connect.Refresh()
}

// refresh reads the usage from Salesforce (one API call) off the UI
// goroutine and repaints.
func (p *connPanel) refresh(ctx context.Context) {
	svc := p.mw.svc
	p.mw.goBackground(func() {
		st, _ := svc.RefreshUsage(ctx)
		uiloop.Do(func() { p.show(st) })
	})
}
