#!/bin/sh
# Smoke run of bench_sockets against QEMU's colo-compare and
# gst-colo-compare (meson test 'bench_smoke'): a few thousand frames of
# every workload must all come out of both with no checkpoint request, and
# one changed secondary byte must make both ask for a checkpoint (so the
# traffic is really compared).  No timings.
# That last run, which goes through every path of bench_sockets, runs under
# valgrind memcheck (this is a shell script, so the valgrind test setup
# leaves the bench suite out, see tests/check/meson.build).
# Usage: bench/smoke.sh BENCH_SOCKETS GST_COLO_COMPARE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bench=$1
tool=$2
qemu=${QEMU:-qemu-system-x86_64}
vnet=
for t in "$qemu" valgrind python3; do
  command -v "$t" >/dev/null || { echo "FAIL: $t not found"; exit 1; }
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$top/bench/comparators.sh"

fail=0
# run qemu|gst NAME EXPECTED_STATUS BENCH_ARGS... (under $wrap); status 1
# (an invalid run) must come with a checkpoint request, and every primary
# frame must come out in any case (bench_sockets answers the requests)
wrap=
run() {
  comparator=$1 what=$2 expect=$3
  shift 3
  set -- $(free_ports) "$@"
  start_comparator "$comparator" "$1" "$2" "$3" "$4"
  p="$1,$2,$3,$4"
  shift 4
  $wrap "$bench" --ports "$p" --frames 3000 --conns 8 --window 1024 \
    --label "$comparator" \
    "$@" >"$work/out" 2>&1
  status=$?
  stop_comparator
  if [ $status -eq 1 ] && ! grep -q '^RESULT .* checkpoints=[1-9]' "$work/out"
  then
    echo "FAIL: $comparator $what: no checkpoint request"
    fail=1
  elif ! grep -q '^RESULT .* missing=0 ' "$work/out"; then
    echo "FAIL: $comparator $what: primary frames missing"
    sed 's/^/  | /' "$work/out" "$work/$comparator.log"
    fail=1
  elif [ $status -ne "$expect" ]; then
    echo "FAIL: $comparator $what: exit status $status, expected $expect"
    sed 's/^/  | /' "$work/out" "$work/$comparator.log"
    fail=1
  else
    echo "ok: $comparator $what: $(grep '^RESULT' "$work/out" |
      cut -d' ' -f4,10-12)"
  fi
}

for w in tcp-reseg tcp udp tcp-small; do
  run qemu "$w" 0 --workload "$w"
  run gst "$w" 0 --workload "$w"
done
wrap="valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite"
wrap="$wrap --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
run qemu "tcp-reseg, one changed byte, valgrind" 1 --workload tcp-reseg --corrupt
wrap=
# (a TCP stream that is not resynchronised after the checkpoint, as a real
# secondary would be, ends with a stale frame: UDP is quicker)
run gst "udp, one changed byte" 1 --workload udp --corrupt
exit $fail
