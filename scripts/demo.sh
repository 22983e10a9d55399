#!/bin/sh
# The demo pipeline (being written).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
GST_PLUGIN_PATH="$top/build/gst:$top/build/ext${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}" \
  gst-inspect-1.0 colocompare
