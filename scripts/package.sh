#!/usr/bin/env bash
# package.sh builds what a person downloads, into dist/ (see `make package`):
#
#   crmsheets-VERSION-linux-amd64.tar.xz   fyne package: binary, .desktop, icon, Makefile (make user-install)
#   crmsheets_VERSION_amd64.deb            the same files under /usr, Depends on the X11/GL libraries GLFW loads
#   crmsheets-VERSION-windows-amd64.zip    "CRM Sheets.exe" (GUI: icon, version info, manifest) + crmsheets.exe (console CLI)
#   crmsheets-cli-VERSION-OS-ARCH[.exe]    the CLI-only static build (-tags nogui) for linux, windows, darwin × amd64, arm64
#   SHA256SUMS
#
# Usage: scripts/package.sh VERSION [linux|deb|windows|cli|sums ...] (default: all of them)
#
# fyne package writes into the source directory it packages (a generated
# metadata file, a .syso, the exe) and bumps Build in FyneApp.toml; it runs
# on a copy of the tree under build/, so the working tree is never modified.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${1:?usage: scripts/package.sh VERSION [linux|deb|windows|cli|sums ...]}
shift
parts=("$@")
before=$(sha256sum FyneApp.toml)
[ ${#parts[@]} -eq 0 ] && parts=(linux deb windows cli sums)

dist=$root/dist
build=$root/build
mkdir -p "$dist" "$build"
export LANG=en_US.UTF-8
# -X stamps the version so `crmsheets --version` and About agree with the
# package names even when VERSION is given on the command line; fyne package
# takes -ldflags from GOFLAGS.
ldx="-X=crmsheets/app.Version=$version"
# the fyne tool pinned in go.mod, built for this machine (`go tool fyne`
# would build it for GOOS=windows when cross-packaging).
fynetool() {
	GOOS= GOARCH= CGO_ENABLED=0 go build -o "$build/fyne" fyne.io/tools/cmd/fyne
	"$build/fyne" "$@"
}

# need installs Debian packages that provide the given commands when missing.
need() {
	local missing=() cmd pkg
	while [ $# -gt 0 ]; do
		cmd=$1 pkg=$2
		shift 2
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "package.sh: missing ${missing[*]}; install them and run again" >&2
		exit 1
	fi
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "Installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# srccopy makes build/crmsheets a fresh copy of the tree's files (tracked and
# new, not ignored), named crmsheets because fyne names the binary after the
# directory.
srccopy() {
	local src=$build/crmsheets
	rm -rf "$src"
	mkdir -p "$src"
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src" 2>/dev/null || true
	# deleted-but-tracked files make cp complain; the copy is what exists.
	echo "$src"
}

linux() {
	need xz xz-utils gcc gcc
	local src
	src=$(srccopy)
	(cd "$src" && CGO_ENABLED=1 GOFLAGS="-ldflags=$ldx" fynetool package -os linux --release --app-version "$version")
	local x=$build/linux-check tarball=$dist/crmsheets-$version-linux-amd64.tar.xz
	rm -rf "$x" && mkdir -p "$x/home"
	tar -xJf "$src/CRM Sheets.tar.xz" -C "$x"
	# fyne tools v1.7.2 writes the icon's name without ".png" into the
	# archive's Makefile, so `make install` and `make user-install` fail
	# (fixed in v1.7.3, which needs fyne v2.8): name the file it installs.
	sed -i -e 's/^Icon := "\(.*\)"$/Icon := "\1.png"/' -e 's/^Icon := "\(.*\)\.png\.png"$/Icon := "\1.png"/' "$x/crmsheets/Makefile"
	tar -cJf "$tarball" -C "$x" crmsheets
	# what a person does with it: make user-install, in a throwaway HOME;
	# the menu entry must be valid, or desktops file it wrongly or not at all.
	need desktop-file-validate desktop-file-utils
	HOME=$x/home make -s -C "$x/crmsheets" user-install >/dev/null
	desktop-file-validate "$x/home/.local/share/applications/com.crmsheets.app.desktop"
	test -x "$x/home/.local/bin/crmsheets" && test -f "$x/home/.local/share/icons/com.crmsheets.app.png"
	rm -rf "$x"
	echo "dist/crmsheets-$version-linux-amd64.tar.xz"
}

# The shared libraries the GUI binary links (GLFW and OpenGL through cgo)
# and the Debian packages that provide them, for Depends.
debDepends="libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"

deb() {
	need dpkg-deb dpkg xz xz-utils
	local tarball=$dist/crmsheets-$version-linux-amd64.tar.xz
	[ -f "$tarball" ] || linux
	local stage=$build/deb
	rm -rf "$stage"
	mkdir -p "$stage/x" "$stage/pkg/DEBIAN"
	tar -xJf "$tarball" -C "$stage/x"
	# the tarball is laid out for /usr/local; a .deb installs under /usr.
	local usr
	usr=$(find "$stage/x" -type d -name bin -path '*/usr*' | head -1)
	usr=${usr%/bin}
	install -Dm0755 "$usr/bin/crmsheets" "$stage/pkg/usr/bin/crmsheets"
	install -Dm0644 "$usr/share/applications/com.crmsheets.app.desktop" "$stage/pkg/usr/share/applications/com.crmsheets.app.desktop"
	install -Dm0644 "$usr/share/pixmaps/com.crmsheets.app.png" "$stage/pkg/usr/share/pixmaps/com.crmsheets.app.png"
	# every library the binary asks for must come from a Depends package.
	local lib path pkg
	for lib in $(objdump -p "$stage/pkg/usr/bin/crmsheets" | awk '/NEEDED/ {print $2}'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
		# usrmerge: dpkg knows /lib/... as /usr/lib/...
		pkg=$({ dpkg -S "$path" || dpkg -S "/usr$path"; } 2>/dev/null | head -1 | cut -d: -f1) || true
		case ", $debDepends," in
		*", $pkg,"*) ;;
		*) echo "package.sh: $lib ($path) comes from ${pkg:-an unknown package}, which Depends does not list" >&2; exit 1 ;;
		esac
	done
	local size
	size=$(du -sk "$stage/pkg/usr" | cut -f1)
	cat >"$stage/pkg/DEBIAN/control" <<EOF
Package: crmsheets
Version: $version
Section: misc
Priority: optional
Architecture: amd64
Maintainer: CRM Sheets <crmsheets@users.noreply.github.com>
Installed-Size: $size
Depends: $debDepends
Suggests: gnome-keyring
Homepage: https://github.com/crmsheets/crmsheets
Description: spreadsheet-style sheets synced with Salesforce
 CRM Sheets keeps Salesforce records in local sheets: pull records, edit
 them or enrich them from XLSX files, push the changes back, and review
 every run. The crmsheets command runs the same engine headless.
EOF
	dpkg-deb --root-owner-group -Zxz --build "$stage/pkg" "$dist/crmsheets_${version}_amd64.deb" >/dev/null
	echo "dist/crmsheets_${version}_amd64.deb"
}

windows() {
	need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64 zip zip
	local src stage=$build/windows
	src=$(srccopy)
	rm -rf "$stage"
	mkdir -p "$stage"
	# Without --exe fyne builds twice and drops GOFLAGS (our -ldflags) after
	# the first build; given an existing exe (a placeholder) it builds once,
	# with them, when it adds the icon, version info and manifest.
	: >"$src/crmsheets.exe"
	# fyne's release build hardens the C code (stack protector, fortify);
	# Debian's mingw-w64 keeps those helpers in libssp, which it does not
	# link by itself: link the static one (an external linker flag, so the
	# compiled cgo packages stay cached), and the exe needs no libssp-0.dll.
	(cd "$src" && GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOFLAGS="-ldflags=$ldx -ldflags=-extldflags=-l:libssp.a" \
		fynetool package -os windows --release --app-version "$version" --exe crmsheets.exe)
	x86_64-w64-mingw32-objdump -p "$src/CRM Sheets.exe" | awk '/DLL Name/ {print $3}' | grep -qix 'libssp-0.dll' &&
		{ echo "package.sh: the Windows exe needs libssp-0.dll" >&2; exit 1; }
	mv "$src/CRM Sheets.exe" "$stage/CRM Sheets.exe"
	(cd "$root" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -tags nogui -ldflags "-s -w $ldx" -o "$stage/crmsheets.exe" .)
	cat >"$stage/README.txt" <<EOF
CRM Sheets $version for Windows

  CRM Sheets.exe   the desktop app (double-click it)
  crmsheets.exe    the command line, for a terminal, scripts and Task Scheduler:
                   crmsheets.exe --help

Both use the same sheets and settings. Uninstall: delete this folder; your
sheets live in %AppData%\\crmsheets (delete it too to remove them).
EOF
	rm -f "$dist/crmsheets-$version-windows-amd64.zip"
	(cd "$stage" && zip -q -9 "$dist/crmsheets-$version-windows-amd64.zip" "CRM Sheets.exe" crmsheets.exe README.txt)
	echo "dist/crmsheets-$version-windows-amd64.zip"
}

cli() {
	local os arch out
	for os in linux windows darwin; do
		for arch in amd64 arm64; do
			out=$dist/crmsheets-cli-$version-$os-$arch
			[ "$os" = windows ] && out=$out.exe
			GOOS=$os GOARCH=$arch CGO_ENABLED=0 go build -trimpath -tags nogui -ldflags "-s -w $ldx" -o "$out" .
			echo "dist/${out#"$dist"/}"
		done
	done
}

sums() {
	(cd "$dist" && rm -f SHA256SUMS && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort | xargs -d '\n' sha256sum >SHA256SUMS)
	echo "dist/SHA256SUMS"
}

for p in "${parts[@]}"; do
	case $p in
	linux | deb | windows | cli | sums) "$p" ;;
	*) echo "package.sh: unknown part $p (linux, deb, windows, cli, sums)" >&2; exit 2 ;;
	esac
done
if [ "$(sha256sum FyneApp.toml)" != "$before" ]; then
	echo "package.sh: FyneApp.toml changed while packaging" >&2
	exit 1
fi
