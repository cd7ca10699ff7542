package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"crmsheets/app"
)

// printJSON writes v as indented JSON, the --json form of every listing.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns for people; --json is the form for scripts.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// progress reports a run's progress on stderr: a bar on a terminal, plain
// lines (at most one a second, plus each phase change) otherwise, so logs of
// scheduled runs stay readable.
type progress struct {
	w           io.Writer
	interactive bool
	bar         *progressbar.ProgressBar
	phase       string
	last        time.Time
}

func newProgress(w io.Writer, interactive bool) *progress {
	return &progress{w: w, interactive: interactive}
}

// report is an app progress callback.
func (p *progress) report(ev app.Progress) {
	if p.interactive {
		if p.bar == nil || ev.Phase != p.phase {
			if p.bar != nil {
				_ = p.bar.Finish()
			}
			total := int64(ev.Total)
			if total <= 0 {
				total = -1
			}
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(fmt.Sprintf("%-9s", ev.Phase)),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
			p.phase = ev.Phase
		}
		if ev.Total > 0 {
			p.bar.ChangeMax(ev.Total)
		}
		_ = p.bar.Set(ev.Done)
		return
	}
	now := time.Now()
	if ev.Phase == p.phase && now.Sub(p.last) < time.Second && (ev.Total == 0 || ev.Done < ev.Total) {
		return
	}
	p.phase, p.last = ev.Phase, now
	if ev.Total > 0 {
		fmt.Fprintf(p.w, "%s %d/%d\n", ev.Phase, ev.Done, ev.Total)
	} else {
		fmt.Fprintf(p.w, "%s %d\n", ev.Phase, ev.Done)
	}
}

// done clears the bar before the summary is printed.
func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
