#!/bin/sh
# Smoke run of bench_sockets against QEMU's colo-compare, gst-colo-compare
# and the null relay (meson test 'bench_smoke'): a few thousand frames of
# every workload must all come out of each with no checkpoint request, and
# one changed secondary byte must make QEMU and gst-colo-compare ask for a
# checkpoint (so the traffic is really compared).  Then run-vs-qemu.sh,
# the harness itself, on one small case, and bench_element (in-process)
# and its baselines, briefly.  No timings.
# That last run, which goes through every path of bench_sockets, runs under
# valgrind memcheck (this is a shell script, so the valgrind test setup
# leaves the bench suite out, see tests/check/meson.build).
# Usage: bench/smoke.sh BENCH_SOCKETS GST_COLO_COMPARE NULL_RELAY BENCH_ELEMENT
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bench=$1
tool=$2
relay=$3
element=$4
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
  run null "$w" 0 --workload "$w"
done
# more rounds than IP IDs (one connection), other sizes, more connections
# than client ports
run null "tcp-small, 1 connection, 70000 frames" 0 --workload tcp-small \
  --conns 1 --frames 70000
run null "udp, 1000-byte datagrams" 0 --workload udp --size 1000
run gst "tcp-reseg, 256-byte segments" 0 --workload tcp-reseg --size 256
run null "tcp-small, 60000 connections" 0 --workload tcp-small \
  --conns 60000 --frames 180000
wrap="valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite"
wrap="$wrap --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
vg=", valgrind"
# a sanitizer build (GST_COLO_SANITIZE, the build's b_sanitize, set by
# bench/meson.build): an ASan program does not run under valgrind; ASan
# checks that run itself
if [ "${GST_COLO_SANITIZE:-none}" != none ]; then
  wrap= vg=", $GST_COLO_SANITIZE"
fi
run qemu "tcp-reseg, one changed byte$vg" 1 --workload tcp-reseg --corrupt
wrap=
# (a TCP stream that is not resynchronised after the checkpoint, as a real
# secondary would be, ends with a stale frame: UDP is quicker)
run gst "udp, one changed byte" 1 --workload udp --corrupt

# the harness: one small case, every comparator valid in the summary
if BENCH_SOCKETS=$bench GST_COLO_COMPARE=$tool NULL_RELAY=$relay QEMU=$qemu \
    "$top/bench/run-vs-qemu.sh" -w tcp-small -n 1 -f 2000 -T "$work/rvq" \
    >"$work/rvq.out" 2>&1 &&
    awk -F'\t' 'NR == 2 && $10 == "1/1" && $16 == "1/1" && $22 == "1/1" \
      { ok = 1 } END { exit !ok }' "$work/rvq-summary.tsv"; then
  echo "ok: run-vs-qemu.sh"
else
  echo "FAIL: run-vs-qemu.sh"
  sed 's/^/  | /' "$work/rvq.out" "$work/rvq-summary.tsv" 2>/dev/null
  fail=1
fi
# the in-process benchmark: every pair released, a RESULT line
for args in "-w tcp" "-w tcp-reseg --appsink" "-w tcp-small --format records" \
    "-w udp --vnet-hdr --format records" "--baseline -w tcp-small"; do
  if "$element" $args -n 3000 -r 1 >"$work/element.out" 2>&1 &&
      grep -q '^RESULT' "$work/element.out"; then
    echo "ok: bench_element $args"
  else
    echo "FAIL: bench_element $args"
    sed 's/^/  | /' "$work/element.out"
    fail=1
  fi
done
exit $fail
