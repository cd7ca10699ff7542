#!/usr/bin/env bash
# screenshots.sh BINARY OUTDIR — runs the real app under Xvfb against the
# embedded demo org, once per screen (CRMSHEETS_SCREEN), each on a fresh
# temp home, and saves main.png, mapper.png, sync.png, conflicts.png,
# history.png, rollup.png (an Accounts sheet with roll-up columns) and
# duplicate.png (a create refused as a duplicate, its decision open) in
# OUTDIR (THEME=light adds the light theme: *-light.png; SCREENS="rollup
# duplicate" takes only those).
#
# Each home is prepared by scripts/screenshotstate through the engine, as a
# user would: a "Contacts" sheet pulled from the demo org, a push with one
# invalid row, and two conflicts left to review. sync.png shows a sync in
# progress: CRMSHEETS_SCREEN=sync-running starts a full pull at start, on a
# demo org seeded big enough (SYNC_SEED accounts) for the pull to last a
# few seconds. Needs go, xvfb-run, xwininfo, xprop and ImageMagick's import.
set -euo pipefail
export LANG=en_US.UTF-8
display=1366x850 # a laptop screen: the first-run window (1280x760, ui/prefs.go) fits in it

if [[ "${1:-}" == "--inside" ]]; then
	# Inside the Xvfb session: one screen.
	bin=$2 state=$3 file=$4 screen=$5 seed=$6 theme=$7
	home=$(mktemp -d) cfg=$(mktemp -d)
	trap 'rm -rf "$home" "$cfg"' EXIT
	export CRMSHEETS_HOME=$home
	export XDG_CONFIG_HOME=$cfg HOME=$cfg # fresh Fyne preferences: default size and theme
	scene=""
	[[ $screen == rollup || $screen == duplicate ]] && scene=$screen
	"$state" -home "$home" -seed "$seed" -scene "$scene" >/dev/null
	if [[ -n $theme ]]; then
		mkdir -p "$cfg/fyne/com.crmsheets.app"
		printf '{"theme":"%s"}' "$theme" >"$cfg/fyne/com.crmsheets.app/preferences.json"
	fi
	CRMSHEETS_SCREEN=$screen "$bin" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do # wait for the window
		xwininfo -root -tree 2>/dev/null | grep '"CRM Sheets' >/dev/null && break # no -q: pipefail
		sleep 0.2
	done
	if [[ $screen == sync-running ]]; then # wait for the run to start
		for _ in $(seq 600); do # up to 2 min on a busy machine
			# xwininfo prints only ASCII names; the title has a dash
			for w in $(xwininfo -root -tree 2>/dev/null | awk '/"CRM Sheets/ {print $1}'); do
				xprop -id "$w" _NET_WM_NAME | grep syncing >/dev/null && break 2
			done
			sleep 0.2
		done
	fi
	sleep "${SCREENSHOT_WAIT:-3}"
	# The window alone, at the size a person first sees it.
	wid=$(xwininfo -root -tree 2>/dev/null | awk '/"CRM Sheets/ {print $1; exit}')
	import -window "${wid:-root}" "$file"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	exit 0
fi

bin=$(realpath "${1:?usage: screenshots.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: screenshots.sh BINARY OUTDIR}")
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
state=$(mktemp)
trap 'rm -f "$state"' EXIT
(cd "$root" && go build -o "$state" ./scripts/screenshotstate)

themes=("")
[[ "${THEME:-}" == "light" ]] && themes+=("light")
for theme in "${themes[@]}"; do
	suffix=${theme:+-$theme}
	for screen in ${SCREENS:-main mapper sync-running conflicts history rollup duplicate}; do
		name=${screen%-running}
		seed=500
		if [[ $screen == sync-running ]]; then
			seed=${SYNC_SEED:-30000}
		fi
		SCREENSHOT_WAIT=$([[ $screen == sync-running ]] && echo 0.4 || echo 3) \
			xvfb-run -a -s "-screen 0 ${display}x24" "$0" --inside "$bin" "$state" "$out/$name$suffix.png" "$screen" "$seed" "${theme:-dark}"
		echo "saved $out/$name$suffix.png"
	done
done
