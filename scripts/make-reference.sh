#!/bin/sh
# The element reference: docs/reference/ELEMENT.txt is gst-inspect-1.0's
# text for each element of this build (the file name line left out, which
# depends on where the build is).  Regenerate after changing an element's
# pads, properties, signals or documentation; a test fails when they drift.
# Usage: scripts/make-reference.sh BUILDDIR [--check]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: make-reference.sh BUILDDIR [--check]}" && pwd)
check=${2:-}
reg=$(mktemp)
trap 'rm -f "$reg"' EXIT
status=0
for e in colocompare colodepay colopay colopcapsrc colopcapsink; do
  out="$top/docs/reference/$e.txt"
  tmp=$(mktemp)
  GST_PLUGIN_SYSTEM_PATH_1_0= GST_PLUGIN_PATH_1_0="$build/gst:$build/ext" \
    GST_REGISTRY_1_0="$reg" gst-inspect-1.0 "$e" | grep -v '^  Filename ' > "$tmp"
  if [ "$check" = "--check" ]; then
    if ! cmp -s "$tmp" "$out"; then
      echo "docs/reference/$e.txt is out of date (scripts/make-reference.sh $1):"
      diff -u "$out" "$tmp" | head -20 || true
      status=1
    fi
    rm -f "$tmp"
  else
    mv "$tmp" "$out"
  fi
done
exit $status
