#!/bin/sh
# Regenerates docs/figures/*.svg from their graphviz sources.
# Usage: scripts/make-figures.sh [--check]   (--check: fail if out of date)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
for src in "$top"/docs/figures/*.dot; do
  svg="${src%.dot}.svg"
  tmp=$(mktemp)
  dot -Tsvg "$src" > "$tmp"
  if [ "${1:-}" = "--check" ]; then
    if ! cmp -s "$tmp" "$svg"; then
      echo "out of date: $svg (run scripts/make-figures.sh)"
      status=1
    fi
    rm -f "$tmp"
  else
    mv "$tmp" "$svg"
  fi
done
exit $status
