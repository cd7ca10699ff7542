#!/usr/bin/env bash
# uicheck.sh BINARY OUTDIR — drives the real CRM Sheets window under Xvfb
# with xdotool, as a person would, at 1280×800 and 1024×640: click a cell,
# type, Enter, Tab, double-click to edit, F2, Escape, a capital letter
# followed by plain arrows (Shift must not stick), Shift+arrows and Delete
# on a range, Ctrl+Z. Afterwards it reads the store (scripts/uicheck dump)
# and compares every cell with what those keys must have produced, checks
# the window never outgrew the screen, and saves screenshots in OUTDIR.
# Needs xvfb-run, xdotool, xwininfo and ImageMagick's import.
set -euo pipefail
export LANG=en_US.UTF-8

if [[ "${1:-}" == "--inside" ]]; then
	bin=$2 helper=$3 out=$4 size=$5
	sw=${size%x*} sh=${size#*x}
	home=$(mktemp -d) cfg=$(mktemp -d)
	trap 'rm -rf "$home" "$cfg"' EXIT
	export CRMSHEETS_HOME=$home XDG_CONFIG_HOME=$cfg HOME=$cfg
	"$helper" -home "$home" prepare
	"$bin" 2>"$out/uicheck-$size.log" &
	pid=$!
	for _ in $(seq 100); do
		xwininfo -root -tree 2>/dev/null | grep '"CRM Sheets' >/dev/null && break
		sleep 0.2
	done
	sleep 3
	shot() { import -window root "$out/uicheck-$size-$1.png"; }
	fits() { # the window stays within the screen
		local geo w h
		geo=$(xwininfo -root -tree 2>/dev/null | awk '/"CRM Sheets/ {print $(NF-1); exit}')
		w=${geo%%x*} h=${geo#*x}; h=${h%%+*}
		if ((w > sw || h > sh)); then
			echo "FAIL $size: window ${w}x${h} outgrew the ${sw}x${sh} screen ($1)" >&2
			return 1
		fi
		echo "window ${w}x${h} within ${sw}x${sh} ($1)"
	}
	shot 0-start
	fits start
	read -r right rows <<<"$("$helper" locate "$out/uicheck-$size-0-start.png" 2>/dev/null)"
	read -r -a ry <<<"$rows"
	if ((${#ry[@]} < 6)); then
		echo "FAIL $size: found ${#ry[@]} grid rows on the screenshot" >&2
		exit 1
	fi
	cx() { echo $((right + 83 + 153 * $1)); }
	# The pointer rests a moment before each click, as a hand's does, so
	# the window has seen where it is.
	click() { xdotool mousemove "$(cx "$2")" "${ry[$1]}"; sleep 0.2; xdotool click 1; sleep 0.6; }
	dclick() { xdotool mousemove "$(cx "$2")" "${ry[$1]}"; sleep 0.2; xdotool click --repeat 2 --delay 90 1; sleep 0.6; }
	key() { xdotool key --delay 120 "$@"; sleep 0.3; }
	typ() { xdotool type --delay 60 "$1"; sleep 0.3; }

	click 3 0 # a click gives the grid the keyboard
	typ Dana
	key Return # commit, move down
	typ Eve
	key Tab # commit, move right
	typ eve@example.com
	key Return
	dclick 1 1 # edit in place keeping the value
	key End
	typ .org
	key Return
	click 0 0
	typ Quinn # a capital: Shift is down for the Q only
	key Return
	key Down # plain Down: moves, must not extend a range
	key Delete # clears one cell (row 2 Name)
	shot 1-typed
	click 0 1
	key shift+Down shift+Down shift+Right # rows 0-2, Email and Count
	key Delete
	shot 2-range-cleared
	key ctrl+z # the clear comes back in one step
	shot 3-undone
	click 4 2
	key shift+Down
	key Delete # rows 4-5 Count stay cleared
	click 5 0
	key F2
	key End
	typ x
	key Return
	click 3 1
	typ junk
	key Escape # cancelled: the cell keeps its value
	shot 4-end
	fits end
	# Every screen and the import file dialog keep the window within the
	# screen.
	for step in "ctrl+r:5-sync" "ctrl+m:6-mapper" "ctrl+h:7-history" "ctrl+1:8-grid" "ctrl+i:9-import"; do
		key "${step%%:*}"
		sleep 1
		shot "${step#*:}"
		fits "${step#*:}"
	done
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	got=$("$helper" -home "$home" dump 2>/dev/null)
	want=$(printf '%s\n' \
		$'Quinn\tr0@example.com\t0' \
		$'r1\tr1@example.com.org\t10' \
		$'\tr2@example.com\t20' \
		$'Dana\tr3@example.com\t30' \
		$'Eve\teve@example.com\t' \
		$'r5x\tr5@example.com\t')
	if [[ "$got" != "$want" ]]; then
		echo "FAIL $size: the store holds" >&2
		echo "$got" >&2
		echo "want" >&2
		echo "$want" >&2
		exit 1
	fi
	echo "ok $size: every cell as typed"
	exit 0
fi

bin=$(realpath "${1:?usage: uicheck.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: uicheck.sh BINARY OUTDIR}")
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
helper=$(mktemp)
trap 'rm -f "$helper"' EXIT
(cd "$root" && go build -o "$helper" ./scripts/uicheck)
status=0
for size in ${SIZES:-1280x800 1024x640}; do
	xvfb-run -a -s "-screen 0 ${size}x24" "$0" --inside "$bin" "$helper" "$out" "$size" || status=1
done
echo "screenshots in $out"
exit $status
