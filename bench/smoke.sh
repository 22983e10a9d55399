#!/bin/sh
# Smoke run of bench_sockets against QEMU's colo-compare (meson test
# 'bench_smoke'): a few thousand frames of every workload must all come out
# with no checkpoint request, and one changed secondary byte must make QEMU
# ask for a checkpoint (so the traffic is really compared).  No timings.
# That last run, which goes through every path of bench_sockets, runs under
# valgrind memcheck (this is a shell script, so the valgrind test setup
# leaves the bench suite out, see tests/check/meson.build).
# Usage: bench/smoke.sh BENCH_SOCKETS
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bench=$1
qemu=${QEMU:-qemu-system-x86_64}
tool=
vnet=
for t in "$qemu" valgrind python3; do
  command -v "$t" >/dev/null || { echo "FAIL: $t not found"; exit 1; }
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$top/bench/comparators.sh"

fail=0
# run NAME EXPECTED_STATUS BENCH_ARGS... (under $wrap)
wrap=
run() {
  name=$1 expect=$2
  shift 2
  set -- $(free_ports) "$@"
  start_comparator qemu "$1" "$2" "$3" "$4"
  p="$1,$2,$3,$4"
  shift 4
  $wrap "$bench" --ports "$p" --frames 3000 --conns 8 --window 1024 --label qemu \
    "$@" >"$work/out" 2>&1
  status=$?
  stop_comparator
  if [ $status -ne "$expect" ]; then
    echo "FAIL: $name: exit status $status, expected $expect"
    sed 's/^/  | /' "$work/out" "$work/qemu.log"
    fail=1
  else
    echo "ok: $name: $(grep '^RESULT' "$work/out" | cut -d' ' -f3-4,10-12)"
  fi
}

for w in tcp-reseg tcp udp tcp-small; do
  run "$w" 0 --workload "$w"
done
wrap="valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite"
wrap="$wrap --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
run "tcp-reseg, one changed byte, valgrind" 1 --workload tcp-reseg --corrupt
grep -q '^RESULT .* checkpoints=[1-9]' "$work/out" ||
  { echo "FAIL: no checkpoint request for a changed byte"; fail=1; }
exit $fail
