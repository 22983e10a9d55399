#!/bin/sh
# Runs one libFuzzer target with the options its numbers in
# tests/fuzz/README.md were measured with.
# Usage: tests/fuzz/run.sh BUILD-DIR TARGET WORK-DIR [libFuzzer options...]
#   BUILD-DIR  configured with CC=clang meson setup BUILD-DIR -Dfuzzing=true
#   TARGET     packet, compare, frag, framing, notify or stdin
#   WORK-DIR   where libFuzzer keeps the inputs it finds (outside the
#              source tree); the seeds of corpus/TARGET are read too
# e.g. tests/fuzz/run.sh buildfuzz compare /tmp/fz-compare -runs=10000000
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=$1 target=$2 work=$3
shift 3
ninja -C "$build" "tests/fuzz/fuzz_$target" >/dev/null
mkdir -p "$work"
case $target in
  # programs of operations: short ones find as much and run many times
  # faster (ASan's allocator is most of an execution's cost)
  compare|frag) opts=-max_len=1024 ;;
  # long enough for lines over COLO_COMMANDS_MAX_LINE (1024); the reader's
  # warnings (one per input with an unknown line) go nowhere: with
  # -close_fd_mask=2 libFuzzer keeps its own messages, the target's
  # stderr is closed
  stdin) opts="-max_len=3000 -close_fd_mask=2" ;;
  *) opts= ;;
esac
# A small ASan quarantine: an input frees far less than 16 MiB, so a use
# after free within it is still caught; the default 256 MiB costs page
# faults and memory on every execution.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16} \
  exec "$build/tests/fuzz/fuzz_$target" $opts -print_final_stats=1 "$@" \
  "$work" "$here/corpus/$target"
