#!/bin/sh
# Configures (once) and builds gst-colo in ./build.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
