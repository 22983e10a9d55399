#!/bin/sh
# The main job on the bundled captures: compare what the primary VM sent
# (docs/samples/primary.pcap) with what the secondary sent
# (docs/samples/secondary.pcap), print the checkpoint request for their one
# divergence, and write the released primary frames to a pcap.
# Usage: scripts/demo.sh [OUTPUT.pcap]   (default: build/released.pcap)
# The plugins are those of the build directory $MESON_BUILD_ROOT (set by
# meson test and meson devenv; default: build/).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MESON_BUILD_ROOT:-$top/build}
out=${1:-$build/released.pcap}
samples=$top/docs/samples
log=$(mktemp)
trap 'rm -f "$log"' EXIT

export GST_PLUGIN_PATH="$build/gst:$build/ext${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
plugin=$(gst-inspect-1.0 colocompare 2>/dev/null | awk '$1 == "Filename" { print $2 }')
echo "== colocompare from ${plugin:-(not found)}"

echo "== gst-launch-1.0 -m colocompare name=c ! colopcapsink location=$out \\"
echo "     colopcapsrc location=primary.pcap ! c.primary \\"
echo "     colopcapsrc location=secondary.pcap ! c.secondary"
gst-launch-1.0 -m \
  colocompare name=c ! colopcapsink location="$out" \
  colopcapsrc location="$samples/primary.pcap" ! c.primary \
  colopcapsrc location="$samples/secondary.pcap" ! c.secondary >"$log" 2>&1 || {
  cat "$log"
  exit 1
}

echo
echo "== checkpoint requests posted by colocompare:"
grep -o 'colo-checkpoint.*' "$log" || echo "(none)"
echo
if command -v tshark >/dev/null 2>&1; then
  echo "== released frames in $out:"
  tshark -r "$out" 2>/dev/null
else
  echo "== released frames written to $out"
fi
