#!/bin/sh
# Builds the Debian packages of gst-colo (debian/) with Debian's own tools,
# installs them, checks the installed files, and removes them again.
#
#   scripts/test-package.sh [--keep]
#
# - dpkg-buildpackage -us -uc -b in a copy of the source tree (tracked and
#   untracked files, not build/), so that nothing is written into the tree;
# - apt-get installs the three packages (gstreamer1.0-colo,
#   gst-colo-compare, resource-agents-gst-colo);
# - checks, with no GST_PLUGIN_PATH: gst-inspect-1.0 finds colocompare,
#   colodepay, colopay, colopcapsrc and colopcapsink in Debian's plugin
#   directory; the bundled captures run through colocompare with
#   gst-launch-1.0; gst-colo-compare --version and a release through its
#   sockets (tests/tools' release_udp case, run against the installed
#   program); its German translation; the man page; systemd-analyze
#   verify on the installed unit;
#   ocf-tester on the installed resource agent;
# - purges the packages at the end, also when a check fails (--keep leaves
#   them installed), so that the rest of the test suite does not see a
#   second copy of the plugins.
#
# Needs root (apt-get, dpkg) and the packages of scripts/install-deps.sh.
# CI runs it last in scripts/test.sh.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
keep=no
[ "${1:-}" = --keep ] && keep=yes

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
packages="gstreamer1.0-colo gst-colo-compare resource-agents-gst-colo"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
plugindir=/usr/lib/$multiarch/gstreamer-1.0

work=$(mktemp -d /tmp/gst-colo-package.XXXXXX)
chmod 755 "$work"
purge() {
	if [ "$keep" = no ]; then
		$SUDO env DEBIAN_FRONTEND=noninteractive \
			dpkg --purge $packages >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap purge EXIT
trap 'exit 1' INT TERM

fail() {
	echo "test-package: FAIL: $*" >&2
	exit 1
}
step() {
	echo "== package: $*"
}

# The changelog's version is the project's
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | head -n 1)
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[ "${deb_version%%-*}" = "$version" ] ||
	fail "debian/changelog is at $deb_version, meson.build at $version: add a changelog entry (dch -v $version)"

step "build (dpkg-buildpackage -us -uc -b)"
mkdir "$work/gst-colo-$version"
src="$work/gst-colo-$version"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$src"
else
	tar --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log"
	fail "dpkg-buildpackage failed (log above)"
}
ls "$work"/*.deb
if command -v lintian >/dev/null; then
	step "lintian"
	lintian --fail-on error "$work"/*.changes || fail "lintian found errors"
fi

step "install (apt-get)"
$SUDO dpkg --purge $packages >/dev/null 2>&1 || true
debs=
for p in $packages; do
	debs="$debs $(ls "$work/${p}_"*.deb)"
done
$SUDO env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends $debs >"$work/install.log" 2>&1 || {
	cat "$work/install.log"
	fail "apt-get install failed"
}
for f in "$plugindir/libgstcolo.so" "$plugindir/libgstcolopcap.so" \
	/usr/bin/gst-colo-compare /usr/share/man/man1/gst-colo-compare.1.gz \
	"/lib/systemd/system/gst-colo-compare@.service" \
	/usr/share/doc/gst-colo-compare/examples/gst-colo-compare.conf.example \
	/usr/lib/ocf/resource.d/gst-colo/gst-colo-compare \
	/usr/share/locale/de/LC_MESSAGES/gst-colo-1.0.mo \
	/usr/share/locale/fr/LC_MESSAGES/gst-colo-1.0.mo; do
	[ -e "$f" ] || fail "$f is not installed"
done

# What an operator has: no plugin path of ours, a registry of its own
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 GST_PLUGIN_SYSTEM_PATH \
	GST_PLUGIN_SYSTEM_PATH_1_0 GST_REGISTRY GST_REGISTRY_1_0
export GST_REGISTRY="$work/registry.bin"

step "gst-inspect-1.0 without GST_PLUGIN_PATH"
for e in colocompare colodepay colopay colopcapsrc colopcapsink; do
	gst-inspect-1.0 "$e" >"$work/inspect.txt" 2>&1 || {
		cat "$work/inspect.txt"
		fail "gst-inspect-1.0 $e"
	}
done
# (on a merged /usr, GStreamer may name it through /lib)
file=$(gst-inspect-1.0 colocompare | sed -n 's/^ *Filename  *//p')
[ "$(readlink -f "$file")" = "$(readlink -f "$plugindir/libgstcolo.so")" ] ||
	fail "colocompare comes from $file, not $plugindir/libgstcolo.so"
gst-inspect-1.0 colocompare | grep -q "Version *$version" ||
	fail "the installed colo plugin is not version $version"

step "gst-launch-1.0 on the bundled captures"
gst-launch-1.0 -q colocompare name=c auto-release=true ! \
	colopcapsink location="$work/released.pcap" \
	colopcapsrc location="$top/docs/samples/primary.pcap" ! c.primary \
	colopcapsrc location="$top/docs/samples/secondary.pcap" ! c.secondary \
	>"$work/launch.log" 2>&1 || {
	cat "$work/launch.log"
	fail "the demo pipeline failed with the installed plugins"
}
frames=$(python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    off += 16 + struct.unpack_from("<I", data, off + 8)[0]
    n += 1
print(n)' "$work/released.pcap")
[ "$frames" = 12 ] || fail "released $frames frames of the captures, expected 12"

step "gst-colo-compare"
gst-colo-compare --version | grep -qx "gst-colo-compare $version (GStreamer .*)" ||
	fail "gst-colo-compare --version: $(gst-colo-compare --version)"
man -w gst-colo-compare >/dev/null 2>&1 || fail "man gst-colo-compare: no man page"
/usr/bin/python3 -B "$top/tests/tools/test_gst_colo_compare.py" \
	/usr/bin/gst-colo-compare release_udp ||
	fail "the installed gst-colo-compare did not release frames"
# its installed translations (C.UTF-8: a locale every Debian 12 has)
out=$(LANGUAGE=de LC_ALL=C.UTF-8 gst-colo-compare 2>&1 || true)
[ "$out" = "gst-colo-compare: Fehler: --primary-in ist erforderlich (siehe --help)" ] ||
	fail "gst-colo-compare with LANGUAGE=de: $out"

step "systemd unit (systemd-analyze verify)"
mkdir "$work/unit"
cp "/lib/systemd/system/gst-colo-compare@.service" "$work/unit/"
out=$(systemd-analyze verify "$work/unit/gst-colo-compare@.service" 2>&1) &&
	[ -z "$out" ] || fail "systemd-analyze verify: $out"

step "OCF resource agent (ocf-tester)"
port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
user_opt=
[ "$(id -u)" != 0 ] || user_opt="-o user=nobody"
# shellcheck disable=SC2086
ocf-tester -n gst-colo-package-test $user_opt \
	-o primary_in=tcp-listen:127.0.0.1:"$(port)" \
	-o secondary_in=tcp-listen:127.0.0.1:"$(port)" \
	-o outdev=tcp-listen:127.0.0.1:"$(port)" \
	-o notify_dev=tcp-listen:127.0.0.1:"$(port)" \
	-o logfile="$work/ocf.log" -o rundir="$work/ocf.run" \
	/usr/lib/ocf/resource.d/gst-colo/gst-colo-compare >"$work/ocf-tester.log" 2>&1 || {
	cat "$work/ocf-tester.log" "$work/ocf.log"
	fail "ocf-tester"
}

step "remove"
if [ "$keep" = no ]; then
	$SUDO env DEBIAN_FRONTEND=noninteractive dpkg --purge $packages >/dev/null
	[ ! -e "$plugindir/libgstcolo.so" ] || fail "libgstcolo.so left after purge"
fi
echo "test-package: PASS"
