#!/usr/bin/env bash
# wine-check.sh (make wine-check): the Windows build, checked on Linux under
# Wine. It installs wine64 and the mingw-w64 cross compiler when missing,
# builds the Windows zip (GUI exe + console CLI exe) and a Linux binary, and
# runs internal/winecheck: under Wine the CLI exe prints --help, logs in to
# a demo org the Linux binary serves, creates a sheet and pulls; the GUI exe
# prints its version. Not part of CI: about 10 minutes and 1.2 GB cold.
#
# Wine 8 (Debian 12) lacks ProcessPrng, which Go >= 1.22 takes from
# bcryptprimitives.dll at start. A stand-in DLL built here with mingw and
# put in a throwaway Wine prefix is enough; it is never part of the product.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${1:-$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)}
export LANG=en_US.UTF-8

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || missing+=(wine64)
command -v zip >/dev/null || missing+=(zip)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "Installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

work=$(mktemp -d)
cleanup() {
	WINEPREFIX=$work/prefix "$wineserver" -k 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# always from the current tree (Go's build cache makes a rebuild quick)
zipfile=dist/crmsheets-$version-windows-amd64.zip
./scripts/package.sh "$version" windows
unzip -q "$zipfile" -d "$work/win"
CGO_ENABLED=0 go build -tags nogui -o "$work/crmsheets" .

cat >"$work/prng.c" <<'C'
/* Stand-in for Windows 10's bcryptprimitives.dll, for Wine 8 only. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
	while (size > 0) {
		ULONG n = size > 0x10000000 ? 0x10000000 : (ULONG)size;
		if (!SystemFunction036(data, n)) return FALSE;
		data += n;
		size -= n;
	}
	return TRUE;
}
C
printf 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n' >"$work/prng.def"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" "$work/prng.c" "$work/prng.def" -ladvapi32

export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n"
echo "Creating a Wine prefix in $WINEPREFIX"
"$wine" wineboot -i >/dev/null 2>&1 || true
"$wineserver" -w 2>/dev/null || true
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

WINE=$wine CRMSHEETS_WIN_CLI="$work/win/crmsheets.exe" CRMSHEETS_WIN_GUI="$work/win/CRM Sheets.exe" \
	CRMSHEETS_LINUX_BIN="$work/crmsheets" CRMSHEETS_VERSION="$version" \
	go test -tags winecheck -count=1 -v -timeout 20m ./internal/winecheck
