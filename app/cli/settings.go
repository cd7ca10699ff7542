package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"crmsheets/sheets"
)

// sheetSettings is the --json form of a sheet's settings, the same choices
// the Mapper and the Sync screen offer in the app.
type sheetSettings struct {
	Sheet         string  `json:"sheet"`
	Object        string  `json:"object,omitempty"`
	KeyColumn     string  `json:"keyColumn,omitempty"`
	CreateMissing bool    `json:"createMissing"`
	Direction     string  `json:"direction"`
	Policy        string  `json:"policy"`
	Lookback      string  `json:"lookback"`
	EveryHours    int     `json:"everyHours"`
	APIReserve    float64 `json:"apiReserve"`
	Filter        string  `json:"filter,omitempty"`
}

func settingsOf(sh *sheets.Sheet) sheetSettings {
	out := sheetSettings{Sheet: sh.Name, Object: sh.Object, CreateMissing: sh.Sync.CreateMissing,
		Direction: string(sh.Sync.Direction), Policy: string(sh.Sync.EffectivePolicy()),
		Lookback: formatLookback(sh.Sync.EffectiveLookback()), EveryHours: sh.Sync.EveryHours,
		APIReserve: sh.Sync.APIReserve, Filter: sh.Filter}
	if out.Direction == "" {
		out.Direction = string(sheets.Both)
	}
	if out.APIReserve == 0 {
		out.APIReserve = sheets.DefaultAPIReserve
	}
	if c, ok := sh.Column(sh.KeyColumn); ok {
		out.KeyColumn = c.Name
	}
	return out
}

// formatLookback writes a lookback in days when it is whole days.
func formatLookback(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// parseLookback reads "5d", "36h" or "90m".
func parseLookback(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, usageErr("--lookback %q: give a number of days (5d) or hours (36h)", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageErr("--lookback %q: give a number of days (5d) or hours (36h)", s)
	}
	return d, nil
}

// parseSchedule reads "off", "4h" or "1d" into whole hours.
func parseSchedule(s string) (int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "off" || s == "0" {
		return 0, nil
	}
	d, err := parseLookback(s)
	if err != nil || d%time.Hour != 0 {
		return 0, usageErr("--schedule %q: give off or a whole number of hours or days (4h, 1d)", s)
	}
	return int(d / time.Hour), nil
}

func (e *env) settingsCommand() *cobra.Command {
	var sheetRef, key, direction, policy, lookback, schedule, reserve, object string
	var create bool
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show or change a sheet's key column, creation of missing records, direction, policy, lookback and schedule",
		Long: `Without options, shows the sheet's settings. Each option changes one, and
every change is saved as a configuration version (see crmsheets versions).

--object links a local sheet (one made from an XLSX file) to a Salesforce
object and maps its columns automatically. --key is the column that matches rows without a record id (a name or a
mapped field; "none" matches by record id only). --create-missing lets a
push create records for rows not found in Salesforce (needed for Tasks,
Cases and custom objects). --direction and --policy are the defaults of
sync and plan. --lookback is how far back an incremental pull looks again
(5d, 36h). --schedule runs an incremental sync while the app is open
(off, 1h, 4h, 12h, 1d). --api-reserve is the share of the daily API limit
a run leaves untouched (20%).`,
		Example: `  crmsheets settings --sheet "Leads Q3"
  crmsheets settings --sheet "Vendor list" --object Lead --key Email
  crmsheets settings --sheet Tasks --create-missing --key Subject
  crmsheets settings --sheet "Leads Q3" --direction both --policy most-recent --schedule 4h --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, sh, err := e.sheetDefByRef(cmd.Context(), sheetRef)
			if err != nil {
				return err
			}
			id := sh.ID
			var notes []string
			f := cmd.Flags()
			if f.Changed("object") {
				// Linking maps the columns too: it saves its own versions.
				name, err := e.objectName(cmd.Context(), object)
				if err != nil {
					return err
				}
				l, err := e.linkAndMap(cmd.Context(), id, name, "")
				if err != nil {
					return err
				}
				if !e.json {
					e.printLink(sh.Name, l)
				}
				if sh, err = svc.Sheet(id); err != nil {
					return err
				}
			}
			if f.Changed("key") {
				if strings.EqualFold(strings.TrimSpace(key), "none") || strings.TrimSpace(key) == "" {
					sh.KeyColumn = ""
					notes = append(notes, "no key column")
				} else {
					c, ok := sh.ColumnByName(key)
					if !ok {
						c, ok = sh.ColumnByField(key)
					}
					if !ok {
						return usageErr("--key: %q has no column %q", sh.Name, key)
					}
					sh.KeyColumn = c.ID
					notes = append(notes, fmt.Sprintf("key column %q", c.Name))
				}
			}
			if f.Changed("create-missing") {
				sh.Sync.CreateMissing = create
				notes = append(notes, fmt.Sprintf("create missing records: %v", create))
			}
			if f.Changed("direction") {
				d, err := parseDirection(direction)
				if err != nil || d == "" {
					return usageErr("--direction must be pull, push or both, not %q", direction)
				}
				sh.Sync.Direction = d
				notes = append(notes, "direction "+string(d))
			}
			if f.Changed("policy") {
				p, err := parsePolicy(policy)
				if err != nil || p == "" {
					return usageErr("--policy must be salesforce-wins, sheet-wins, most-recent or review, not %q", policy)
				}
				sh.Sync.Policy = p
				notes = append(notes, "conflicts: "+string(p))
			}
			if f.Changed("lookback") {
				d, err := parseLookback(lookback)
				if err != nil {
					return err
				}
				sh.Sync.Lookback = d
				notes = append(notes, "lookback "+formatLookback(d))
			}
			if f.Changed("schedule") {
				h, err := parseSchedule(schedule)
				if err != nil {
					return err
				}
				sh.Sync.EveryHours = h
				if h == 0 {
					notes = append(notes, "schedule off")
				} else {
					notes = append(notes, fmt.Sprintf("sync every %d hours", h))
				}
			}
			if f.Changed("api-reserve") {
				v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(reserve), "%"), 64)
				if err != nil || v < 0 || v >= 100 {
					return usageErr("--api-reserve %q: give a share of the daily limit from 0%% to 99%%, e.g. 20%%", reserve)
				}
				sh.Sync.APIReserve = v / 100
				notes = append(notes, fmt.Sprintf("API reserve %g%%", v))
			}
			if len(notes) > 0 {
				if err := svc.SaveSheetSettings(sh, strings.Join(notes, "; ")); err != nil {
					return err
				}
			}
			out := settingsOf(sh)
			if e.json {
				return printJSON(e.io.Out, out)
			}
			if len(notes) > 0 {
				fmt.Fprintf(e.io.Out, "Saved: %s\n", strings.Join(notes, "; "))
			}
			schedule := "off"
			if out.EveryHours > 0 {
				schedule = fmt.Sprintf("every %d hours while the app runs", out.EveryHours)
			}
			key := out.KeyColumn
			if key == "" {
				key = "(none: match by record id only)"
			}
			object := out.Object
			if object == "" {
				object = "(local sheet: link it with crmsheets import --object or crmsheets new)"
			}
			return table(e.io.Out, []string{"SETTING", "VALUE"}, [][]string{
				{"sheet", out.Sheet}, {"object", object}, {"key column", key},
				{"create missing", fmt.Sprint(out.CreateMissing)}, {"direction", out.Direction},
				{"conflicts", out.Policy}, {"lookback", out.Lookback}, {"schedule", schedule},
				{"API reserve", fmt.Sprintf("%g%%", out.APIReserve*100)},
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&sheetRef, "sheet", "", "sheet name or id")
	fl.StringVar(&object, "object", "", "link a local sheet to this Salesforce object (e.g. Contact) and map its columns")
	fl.StringVar(&key, "key", "", `key column (name or field), or "none"`)
	fl.BoolVar(&create, "create-missing", false, "push creates records for rows not found in Salesforce (--create-missing=false to stop)")
	fl.StringVar(&direction, "direction", "", "default direction: pull, push or both")
	fl.StringVar(&policy, "policy", "", "default conflict policy: salesforce-wins, sheet-wins, most-recent, review")
	fl.StringVar(&lookback, "lookback", "", "overlap of incremental pulls, e.g. 5d or 36h")
	fl.StringVar(&schedule, "schedule", "", "automatic sync while the app runs: off, 1h, 4h, 12h, 1d")
	fl.StringVar(&reserve, "api-reserve", "", "share of the daily API limit a run leaves untouched, e.g. 20%")
	return cmd
}
