#!/bin/sh
# Runs the Python test driver.  Under `meson test --setup valgrind` this
# script is what valgrind wraps: valgrind checks sh until the exec, then,
# without --trace-children, lets the interpreter run natively; the driver
# runs gst-colo-compare itself under $GST_COLO_COMPARE_WRAPPER (memcheck).
exec /usr/bin/python3 "$(dirname "$0")/test_gst_colo_compare.py" "$@"
