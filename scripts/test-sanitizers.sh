#!/bin/sh
# Builds gst-colo with AddressSanitizer and UndefinedBehaviorSanitizer
# (ASan's LeakSanitizer included) in a build directory of its own and runs
# the whole test suite there.  scripts/test.sh runs it after the valgrind
# pass.
# Usage: scripts/test-sanitizers.sh [BUILD-DIR]   (default: build-sanitize)
# CC picks the compiler (default gcc; clang works too).  Extra arguments
# for meson test can be given in MESON_TEST_ARGS.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dir=${1:-build-sanitize}
cc=${CC:-gcc}

if [ ! -f "$dir/build.ninja" ]; then
  # b_lundef=false: the plugins may leave sanitizer symbols undefined, to
  # be found in the runtime of the program that loads them
  CC=$cc meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C "$dir"

# The ASan runtime of the compiler that built the plugins, for the
# programs that load them but were not built with ASan
case $("$cc" --version) in
  *clang*) rt=libclang_rt.asan-$(uname -m).so ;;
  *) rt=libasan.so ;;
esac
asan_rt=$("$cc" -print-file-name="$rt")
if [ ! -f "$asan_rt" ]; then
  echo "test-sanitizers: no ASan runtime ($rt) for $cc" >&2
  exit 1
fi

# for tests that start such a program themselves (tests/tools)
export GST_COLO_ASAN_RUNTIME="$asan_rt"

# GStreamer's plugin scanner is a program of its own (not built with ASan)
# that cannot load an ASan plugin: scan in the process itself.
export GST_REGISTRY_FORK=no
# LeakSanitizer on, with the suppressions of the libraries' own one-time
# allocations (see the file); full stacks through GLib (no frame
# pointers), which those suppressions need
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$top/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# GLib's slice allocator would keep small blocks in its own caches, where
# LeakSanitizer cannot tell a leaked one from a cached one (as for valgrind)
export G_SLICE=always-malloc G_DEBUG=gc-friendly

status=0
# 1. Every test whose programs are ours: the C tests, gst-colo-compare
#    (driven by Python, which does not load the plugin), the fuzz corpora,
#    the benchmarks' smoke run.
echo "== tests with ASan, LeakSanitizer and UBSan"
# shellcheck disable=SC2086
meson test -C "$dir" --no-rebuild --print-errorlogs \
  --no-suite interop --no-suite docs --no-suite samples --no-suite realpair \
  $MESON_TEST_ARGS || status=1

# 2. The interop suite runs gst-colo-compare with the build's gst/ in
#    GST_PLUGIN_PATH.  The program carries the colo plugin inside and
#    registers it itself; a registry scan in its own process would load the
#    build's libgstcolo.so first, and that registration then fails (exit 2,
#    "cannot register the colo plugin"; not an ASan matter, the same
#    happens without ASan under GST_REGISTRY_FORK=no).  So the scan runs in
#    GStreamer's scanner process as usual: it cannot load the ASan plugin,
#    which is then left out of the registry, and the program uses its own.
echo "== interop suite with ASan, LeakSanitizer and UBSan (plugin scan forked)"
# shellcheck disable=SC2086
env -u GST_REGISTRY_FORK meson test -C "$dir" --no-rebuild --print-errorlogs \
  --suite interop $MESON_TEST_ARGS || status=1

# 3. The tests that load the ASan plugins into programs built without it:
#    gst-launch-1.0 and gst-inspect-1.0 (docs, the demo) and python3 (the
#    Python example and the replica-pair test, through gi).  The runtime
#    is preloaded into them (and so into what they start); their leaks are
#    not ours to report (GStreamer's tools and Python free little at
#    exit), so LeakSanitizer is off there, and only there (and so are the
#    slow full stacks, which only the leak suppressions need).  The same
#    plugin code runs with LeakSanitizer on in the element tests.
echo "== tests loading the plugins into gst-launch-1.0 and python3 (ASan preloaded, no leak check)"
# shellcheck disable=SC2086
meson test -C "$dir" --no-rebuild --print-errorlogs \
  --suite docs --suite samples --suite realpair \
  --wrapper "env LD_PRELOAD=$asan_rt ASAN_OPTIONS=detect_leaks=0" \
  $MESON_TEST_ARGS || status=1
exit $status
