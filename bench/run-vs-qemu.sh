#!/bin/sh
# Side-by-side throughput of QEMU's colo-compare object and gst-colo-compare
# on the same machine and the same traffic (bench_sockets), best of N runs,
# reported as ratios.  A benchmark, run by hand: see bench/README.md.
#
# Usage: bench/run-vs-qemu.sh [-n RUNS] [-f FRAMES] [-c CONNS] [-W WINDOW]
#                             [-R FPS] [-w "WORKLOAD..."] [-o qemu|gst|both] [-v]
#   -W: primary frames in flight at most (bench_sockets --window)
#   -R: offered load in primary frames/s (bench_sockets --rate); the table
#       then shows the run with the lowest median latency
#   -v: records with a vnet header (vnet_hdr_support=on / --vnet-hdr)
# Needs build/bench/bench_sockets and, for gst, build/tools/gst-colo-compare
# (scripts/build.sh), qemu-system-x86_64 and python3.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
frames=200000
conns=64
workloads="tcp-reseg tcp udp tcp-small"
only=both
window=4096
rate=0
vnet=
while getopts n:f:c:w:o:W:R:v opt; do
  case $opt in
    n) runs=$OPTARG ;;
    f) frames=$OPTARG ;;
    c) conns=$OPTARG ;;
    w) workloads=$OPTARG ;;
    o) only=$OPTARG ;;
    W) window=$OPTARG ;;
    R) rate=$OPTARG ;;
    v) vnet=yes ;;
    *) sed -n '5,12p' "$0" >&2; exit 2 ;;
  esac
done

bench="$top/build/bench/bench_sockets"
tool="$top/build/tools/gst-colo-compare"
qemu=${QEMU:-qemu-system-x86_64}
[ -x "$bench" ] || { echo "no $bench: run scripts/build.sh" >&2; exit 2; }
case $only in
  qemu) comparators="qemu" ;;
  gst) comparators="gst" ;;
  both) comparators="qemu gst" ;;
  *) echo "-o qemu|gst|both" >&2; exit 2 ;;
esac
case $comparators in
  *gst*) [ -x "$tool" ] || { echo "no $tool: run scripts/build.sh" >&2; exit 2; } ;;
esac
case $comparators in
  *qemu*) command -v "$qemu" >/dev/null || { echo "no $qemu" >&2; exit 2; } ;;
esac

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
. "$top/bench/comparators.sh"

field() { # field NAME < RESULT line
  tr ' ' '\n' | sed -n "s/^$1=//p"
}

echo "== machine (shared: other jobs may run at the same time)"
echo "cpus: $(nproc), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "kernel: $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
case $comparators in *qemu*) "$qemu" --version | head -1 ;; esac
load=
[ "$rate" = 0 ] || load=", offered load $rate frames/s"
echo "runs: best of $runs; about $frames primary frames per run over $conns" \
  "connections, at most $window in flight${vnet:+, vnet headers}$load"
echo

: >"$work/results"
for w in $workloads; do
  for r in $(seq "$runs"); do
    # interleaved, so that both see the same background load on average
    for c in $comparators; do
      set -- $(free_ports)
      start_comparator "$c" "$@"
      out="$work/$c-$w-$r.out"
      if "$bench" --ports "$1,$2,$3,$4" --workload "$w" --frames "$frames" \
          --conns "$conns" --window "$window" --rate "$rate" ${vnet:+--vnet-hdr} \
          --label "$c" >"$out" 2>&1; then
        status=ok
      else
        status=FAILED
      fi
      stop_comparator
      line=$(grep '^RESULT' "$out" || true)
      if [ $status = ok ] && [ -n "$line" ]; then
        echo "$line" >>"$work/results"
        echo "$c $w run $r: $(echo "$line" | field fps) frames/s"
      else
        echo "$c $w run $r: FAILED" >&2
        sed 's/^/  | /' "$out" "$work/$c.log" >&2
      fi
    done
  done
done

best() { # best COMPARATOR WORKLOAD FIELD: that field of the best run
  grep "label=$1 workload=$2 " "$work/results" | awk -v f="$3" -v rate="$rate" '
      { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        # highest throughput, or with an offered load the lowest latency
        score = rate > 0 ? -v["p50_us"] : v["fps"]
        if (!n++ || score > best) { best = score; out = v[f] } }
      END { print out }'
}

echo
if [ "$rate" = 0 ]; then
  echo "== frames/s of released primary frames, best of $runs (latency: p50 of that run)"
else
  echo "== at $rate frames/s offered: run with the lowest p50 latency of $runs"
fi
printf '%-10s %12s %12s %8s %14s %14s\n' workload "QEMU fr/s" "gst fr/s" \
  "gst/QEMU" "QEMU p50 us" "gst p50 us"
for w in $workloads; do
  q=$(best qemu "$w" fps); g=$(best gst "$w" fps)
  ql=$(best qemu "$w" p50_us); gl=$(best gst "$w" p50_us)
  ratio=-
  if [ -n "$q" ] && [ -n "$g" ]; then
    ratio=$(awk -v q="$q" -v g="$g" 'BEGIN { printf "%.2f", g / q }')
  fi
  printf '%-10s %12s %12s %8s %14s %14s\n' "$w" "${q:--}" "${g:--}" "$ratio" \
    "${ql:--}" "${gl:--}"
done
