#!/bin/sh
# Builds gst-colo and runs every test: style, the unit and element tests,
# then the same tests under valgrind memcheck, then all of them again in a
# build with AddressSanitizer, LeakSanitizer and UBSan
# (scripts/test-sanitizers.sh, build directory build-sanitize/), then the
# Debian packages (built, installed, checked and removed again: last, so
# that the installed plugins never meet the tests of the build trees).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/build.sh
echo "== style (gst-indent)"
scripts/check-style
echo "== tests"
meson test -C build --print-errorlogs
echo "== tests under valgrind memcheck"
meson test -C build --setup valgrind --print-errorlogs
echo "== tests with sanitizers (ASan, LeakSanitizer, UBSan)"
scripts/test-sanitizers.sh build-sanitize
echo "== Debian packages (scripts/test-package.sh)"
scripts/test-package.sh
