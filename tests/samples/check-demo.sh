#!/bin/sh
# The README's main job (scripts/demo.sh) on the bundled captures must post
# exactly one checkpoint request, for the divergence recorded in
# docs/samples/divergence.txt, and release every primary frame unchanged,
# in order per connection.  Frames are read back with tshark, not with our
# own reader.  The plugins checked are those of the build directory meson
# runs the test for ($MESON_BUILD_ROOT; default: build/).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MESON_BUILD_ROOT:-$top/build}
export MESON_BUILD_ROOT="$build"
samples=$top/docs/samples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail () { echo "FAIL: $*"; exit 1; }
val () { awk -v k="$1" '$1 == k { print $2 }' "$samples/divergence.txt"; }

command -v tshark >/dev/null || fail "tshark is not installed"
"$top/scripts/demo.sh" "$tmp/released.pcap" >"$tmp/log" 2>&1 || {
  cat "$tmp/log"; fail "demo failed"; }
cat "$tmp/log"

grep -qF "== colocompare from $build/gst/" "$tmp/log" ||
  fail "the demo did not run the colocompare of $build"
n=$(grep -c 'colo-checkpoint,' "$tmp/log" || true)
[ "$n" = 1 ] || fail "expected 1 checkpoint request, got $n"
line=$(grep 'colo-checkpoint,' "$tmp/log")
for want in "reason=(string)miscompare" "ip-protocol=(uint)6" \
    "src-port=(uint)$(val http-server-port)" \
    "dst-port=(uint)$(val http-client-port)" \
    "offset=(uint)$(val primary-payload-offset)" \
    "tcp-seq=(uint)$(val tcp-seq)"; do
  case "$line" in
    *"$want"*) ;;
    *) fail "checkpoint request lacks $want: $line" ;;
  esac
done

# one line of hex per frame
frames () {
  tshark -r "$1" -x 2>/dev/null | awk '
    /^$/ { if (f != "") print f; f = ""; next }
    { for (i = 2; i <= 17 && i <= NF; i++) if ($i ~ /^[0-9a-f][0-9a-f]$/) f = f $i }
    END { if (f != "") print f }'
}
frames "$samples/primary.pcap" | sort >"$tmp/want"
frames "$tmp/released.pcap" | sort >"$tmp/got"
[ "$(wc -l <"$tmp/want")" = "$(val primary-frames)" ] ||
  fail "tshark read $(wc -l <"$tmp/want") primary frames"
cmp -s "$tmp/want" "$tmp/got" || fail "released frames differ from primary.pcap"

for proto in tcp udp icmp; do
  tshark -r "$samples/primary.pcap" -Y "$proto" -T fields -e frame.len \
    -e ip.id >"$tmp/want.$proto" 2>/dev/null
  tshark -r "$tmp/released.pcap" -Y "$proto" -T fields -e frame.len \
    -e ip.id >"$tmp/got.$proto" 2>/dev/null
  cmp -s "$tmp/want.$proto" "$tmp/got.$proto" ||
    fail "$proto frames released out of order"
done
echo "PASS: one checkpoint request at tcp-seq $(val tcp-seq), $(val primary-frames) frames released"
