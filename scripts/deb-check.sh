#!/usr/bin/env bash
# deb-check.sh (make deb-check): installs dist/crmsheets_VERSION_amd64.deb
# with apt-get on a fresh, minimal Debian 12 (debootstrap --variant=minbase
# in a throwaway chroot, as root), so Depends is proven to bring every
# library the binary links; then `crmsheets --help` runs there and ldd finds
# every library. Not part of CI: it downloads a base system (about 2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)}
deb=dist/crmsheets_${version}_amd64.deb
./scripts/package.sh "$version" linux deb # always from the current tree
if [ "$(id -u)" -ne 0 ]; then
	echo "deb-check.sh: run as root (debootstrap and chroot)" >&2
	exit 1
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
root=$(mktemp -d)
cleanup() {
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT
echo "Fresh Debian 12 in $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
chroot "$root" /bin/sh -ec "
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq /tmp/$(basename "$deb") >/dev/null
	crmsheets --help >/dev/null
	crmsheets --version
	if ldd /usr/bin/crmsheets | grep 'not found'; then exit 1; fi
	test -f /usr/share/applications/com.crmsheets.app.desktop
"
echo "deb-check: installed with apt-get on a fresh Debian 12; crmsheets runs"
