#!/usr/bin/env bash
# screenshots.sh BINARY OUTDIR — runs the real app under Xvfb against the
# embedded demo org, once per screen (CRMSHEETS_SCREEN), each on a fresh
# temp home holding a "Contacts" sheet pulled with the CLI, and saves
# main.png, mapper.png, sync.png, conflicts.png and history.png in OUTDIR.
# Needs xvfb-run and ImageMagick's import (make deps installs both).
set -euo pipefail
export LANG=en_US.UTF-8

if [[ "${1:-}" == "--inside" ]]; then
	# Inside the Xvfb session: one screen.
	bin=$2 out=$3 screen=$4
	home=$(mktemp -d)
	trap 'rm -rf "$home"' EXIT
	export CRMSHEETS_HOME=$home
	"$bin" new --template people --name Contacts >/dev/null
	"$bin" sync --sheet Contacts --direction pull >/dev/null
	CRMSHEETS_SCREEN=$screen "$bin" 2>/dev/null &
	pid=$!
	sleep "${SCREENSHOT_WAIT:-8}"
	import -window root "$out/$screen.png"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	exit 0
fi

bin=$(realpath "${1:?usage: screenshots.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: screenshots.sh BINARY OUTDIR}")
mkdir -p "$out"
for screen in main mapper sync conflicts history; do
	xvfb-run -a -s "-screen 0 1400x900x24" "$0" --inside "$bin" "$out" "$screen"
	echo "saved $out/$screen.png"
done
