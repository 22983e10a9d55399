#!/bin/sh
# QEMU's colo-compare, gst-colo-compare and the null relay (the ceiling:
# bench/null_relay.c) side by side, on the same machine and the same
# traffic (bench_sockets), interleaved, medians of N runs, ratios
# gst/QEMU and gst/ceiling, release latency, peak RSS.  A benchmark, run
# by hand: see bench/README.md and docs/performance.md.
#
# Usage: bench/run-vs-qemu.sh [-p PRESET] [-w "CASE..."] [-c "CONNS..."]
#          [-n RUNS] [-f FRAMES] [-W WINDOW] [-R FPS] [-d SECONDS]
#          [-o "qemu gst null"] [-v] [-T PREFIX]
#   CASE: WORKLOAD[:SIZE][@CONNS], WORKLOAD one of tcp-reseg, tcp, udp,
#         tcp-small; SIZE payload bytes per primary frame (default the
#         workload's: 1448, 1448, 512, 64); CONNS connections (default: -c)
#   -p: main (default): tcp tcp-reseg udp:1000 tcp-small, 64 connections;
#       conns: tcp-small over 1, 64, 10000 and 100000 connections;
#       sizes: tcp with 64, 256, 512 and 1448-byte payloads;
#       latency: the main cases at 1000 primary frames/s offered;
#       all: all four (the cases shared by several are run once)
#   -w: these cases instead of a preset
#   -c: connection counts of the cases without @ (one case per count;
#       default 64)
#   -n: runs per case and comparator (default 3); -f: primary frames per
#       throughput run (default 200000; at least 10 per connection)
#   -W: frames in flight (bench_sockets --window; default: its own)
#   -R: offered load in primary frames/s for every case (latency runs of
#       -d seconds each, default 3); the latency preset uses 1000
#   -o: the comparators (default "qemu gst null"; "both" = "qemu gst")
#   -v: records with a vnet header (vnet_hdr_support=on / --vnet-hdr)
#   -T: write PREFIX-runs.tsv (every run) and PREFIX-summary.tsv (medians;
#       bench/plot.sh draws it); default build/bench/run-vs-qemu-DATE
# Needs build/bench/bench_sockets, build/bench/null_relay,
# build/tools/gst-colo-compare (scripts/build.sh; or the programs named by
# $BENCH_SOCKETS, $NULL_RELAY, $GST_COLO_COMPARE), qemu-system-x86_64
# ($QEMU) and python3.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
frames=200000
conns_list=64
cases=
preset=main
window=
rate=0
secs=3
only="qemu gst null"
vnet=
prefix=
while getopts p:w:c:n:f:W:R:d:o:vT: opt; do
  case $opt in
    p) preset=$OPTARG ;;
    w) cases=$OPTARG; preset= ;;
    c) conns_list=$OPTARG ;;
    n) runs=$OPTARG ;;
    f) frames=$OPTARG ;;
    W) window=$OPTARG ;;
    R) rate=$OPTARG ;;
    d) secs=$OPTARG ;;
    o) only=$OPTARG ;;
    v) vnet=yes ;;
    T) prefix=$OPTARG ;;
    *) sed -n '8,34p' "$0" >&2; exit 2 ;;
  esac
done

# The case list: WORKLOAD:SIZE@CONNS/RATE, one per line, each once
main_cases="tcp tcp-reseg udp:1000 tcp-small"
expand() { # expand "CASE..." RATE
  for c in $1; do
    w=${c%%[:@]*}
    case $c in *:*) s=${c#*:}; s=${s%@*} ;; *) s= ;; esac
    case $w in
      tcp | tcp-reseg) : "${s:=1448}" ;;
      udp) : "${s:=512}" ;;
      tcp-small) : "${s:=64}" ;;
      *) echo "unknown workload in '$c'" >&2; exit 2 ;;
    esac
    case $c in
      *@*) echo "$w:$s@${c#*@}/$2" ;;
      *) for n in $conns_list; do echo "$w:$s@$n/$2"; done ;;
    esac
  done
}
case $preset in
  '') list=$(expand "$cases" "$rate") ;;
  main) list=$(expand "$main_cases" "$rate") ;;
  conns) list=$(expand "tcp-small@1 tcp-small@64 tcp-small@10000 \
      tcp-small@100000" "$rate") ;;
  sizes) list=$(expand "tcp-small tcp:256 tcp:512 tcp" "$rate") ;;
  latency) list=$(expand "$main_cases" 1000) ;;
  all)
    list=$( (expand "$main_cases" "$rate"
      expand "tcp-small@1 tcp-small@10000 tcp-small@100000 tcp:256 tcp:512" \
        "$rate"
      expand "$main_cases" 1000) | awk '!seen[$0]++')
    ;;
  *) echo "unknown preset '$preset'" >&2; exit 2 ;;
esac
[ -n "$list" ] || { echo "no cases" >&2; exit 2; }
[ "$only" = both ] && only="qemu gst"

bench=${BENCH_SOCKETS:-$top/build/bench/bench_sockets}
tool=${GST_COLO_COMPARE:-$top/build/tools/gst-colo-compare}
relay=${NULL_RELAY:-$top/build/bench/null_relay}
qemu=${QEMU:-qemu-system-x86_64}
for c in $only; do
  case $c in
    qemu) command -v "$qemu" >/dev/null || { echo "no $qemu" >&2; exit 2; } ;;
    gst) need=$tool ;;
    null) need=$relay ;;
    *) echo "-o: qemu, gst or null, not '$c'" >&2; exit 2 ;;
  esac
  [ "$c" = qemu ] || [ -x "$need" ] ||
    { echo "no $need: run scripts/build.sh" >&2; exit 2; }
done
[ -x "$bench" ] || { echo "no $bench: run scripts/build.sh" >&2; exit 2; }
[ -n "$prefix" ] || prefix="$top/build/bench/run-vs-qemu-$(date +%Y%m%d-%H%M%S)"
runs_tsv="$prefix-runs.tsv"
summary_tsv="$prefix-summary.tsv"
mkdir -p "$(dirname "$prefix")"

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
load1() { cut -d' ' -f1 /proc/loadavg; }
hz=$(getconf CLK_TCK)
# peak RSS (kB) and CPU seconds of the running comparator $pid
peak_rss() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status"; }
cpu_secs() {
  # utime and stime: fields 14 and 15, counted after the ") " that ends
  # the command name
  sed 's/.*) //' "/proc/$pid/stat" |
    awk -v hz="$hz" '{ printf "%.3f", ($12 + $13) / hz }'
}

n_cases=$(echo "$list" | wc -l)
t0=$(date +%s)
echo "== machine (shared: other jobs may run at the same time)"
echo "cpus: $(nproc), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "kernel: $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
case $only in *qemu*) "$qemu" --version | head -1 ;; esac
echo "comparators: $only; $n_cases cases, $runs runs each, interleaved;" \
  "throughput runs of $frames primary frames (at least 10 per connection)," \
  "latency runs of $secs s${vnet:+; vnet headers}"
echo "every run: $runs_tsv"
echo

printf 'date\tload1\tcomparator\tworkload\tsize\tconns\trate\tframes\trun\tok\tfps\tmbps\tp50_us\tp99_us\trss_kb\tcpu_s\tseconds\n' >"$runs_tsv"
set -f
for case in $list; do
  w=${case%%:*}; rest=${case#*:}
  size=${rest%%@*}; rest=${rest#*@}
  conns=${rest%/*}; crate=${rest#*/}
  if [ "$crate" = 0 ]; then
    f=$frames
    [ "$f" -ge $((10 * conns)) ] || f=$((10 * conns))
  else
    f=$((crate * secs))
  fi
  r=1
  while [ $r -le "$runs" ]; do
    # each repetition starts with the next comparator, so that none is
    # always first after a case change
    set -- $only
    k=$(( (r - 1) % $# ))
    while [ $k -gt 0 ]; do set -- "$@" "$1"; shift; k=$((k - 1)); done
    for c in "$@"; do
      set -- $(free_ports)
      start_comparator "$c" "$@"
      out="$work/$c.out"
      l1=$(load1)
      if "$bench" --ports "$1,$2,$3,$4" --workload "$w" --size "$size" \
          --frames "$f" --conns "$conns" ${window:+--window "$window"} \
          --rate "$crate" ${vnet:+--vnet-hdr} --label "$c" >"$out" 2>&1; then
        ok=1
      else
        ok=0
      fi
      rss=$(peak_rss 2>/dev/null || echo 0)
      cpu=$(cpu_secs 2>/dev/null || echo 0)
      stop_comparator
      line=$(grep '^RESULT' "$out" || true)
      if [ -z "$line" ]; then
        line="fps=0 mbps=0 p50_us=0 p99_us=0 seconds=0"
        ok=0
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$(date +%H:%M:%S)" "$l1" "$c" "$w" "$size" "$conns" "$crate" "$f" \
        "$r" "$ok" "$(echo "$line" | field fps)" \
        "$(echo "$line" | field mbps)" "$(echo "$line" | field p50_us)" \
        "$(echo "$line" | field p99_us)" "${rss:-0}" "${cpu:-0}" \
        "$(echo "$line" | field seconds)" >>"$runs_tsv"
      if [ $ok = 1 ]; then
        echo "$case $c run $r: $(echo "$line" | field fps) frames/s," \
          "p50 $(echo "$line" | field p50_us) us, RSS $((${rss:-0} / 1024)) MB"
      else
        echo "$case $c run $r: INVALID ($(grep -E 'stalled|DO_CHECKPOINT #1|released [0-9]+ of|bench_sockets:' "$out" |
          head -2 | tr '\n' ' ' | sed 's/  */ /g'))"
      fi
    done
    r=$((r + 1))
  done
done
set +f

# Medians over the valid runs of each case and comparator
awk -F'\t' -v comps="$only" '
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++)
      for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
        t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
      }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR == 1 { next }
  {
    key = $4 "\t" $5 "\t" $6 "\t" $7
    if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
    k = key SUBSEP $3
    total[k]++
    if ($10 == 1) {
      valid[k]++
      fps[k] = fps[k] " " $11; p50[k] = p50[k] " " $13
      p99[k] = p99[k] " " $14; rss[k] = rss[k] " " $15
      cpu[k] = cpu[k] " " ($8 > 0 ? $16 / $8 * 1e6 : 0)
    }
  }
  END {
    nc = split(comps, cs, " ")
    printf "workload\tsize\tconns\trate"
    for (i = 1; i <= nc; i++)
      printf "\t%s_fps\t%s_p50_us\t%s_p99_us\t%s_rss_kb\t%s_cpu_us_per_frame\t%s_valid",
        cs[i], cs[i], cs[i], cs[i], cs[i], cs[i]
    printf "\n"
    for (j = 1; j <= nk; j++) {
      printf "%s", order[j]
      for (i = 1; i <= nc; i++) {
        k = order[j] SUBSEP cs[i]
        printf "\t%s\t%s\t%s\t%s\t%s\t%d/%d", median(fps[k]), median(p50[k]),
          median(p99[k]), median(rss[k]), median(cpu[k]), valid[k], total[k]
      }
      printf "\n"
    }
  }' "$runs_tsv" >"$summary_tsv"

# The tables, from the summary
echo
echo "== medians of the valid runs (valid/total); load average now" \
  "$(cut -d' ' -f1-3 /proc/loadavg), $(( $(date +%s) - t0 )) s in all"
awk -F'\t' -v comps="$only" '
  function col(c, name) { return ix[c "_" name] ? $(ix[c "_" name]) : "" }
  function num(v) { return v == "" ? "-" : v }
  function ratio(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "-" }
  function failed(c) { return col(c, "valid") ~ /^0\// }
  function lat_cell(c) {
    if (failed(c)) return "FAIL"
    return num(col(c, "p50_us")) "/" num(col(c, "p99_us"))
  }
  function mb(c) { return col(c, "rss_kb") == "" ? "-" : sprintf("%.0f", col(c, "rss_kb") / 1024) }
  NR == 1 { for (i = 1; i <= NF; i++) ix[$i] = i; next }
  {
    nc = split(comps, cs, " ")
    label = $1 ":" $2 "@" $3
    if ($4 == 0) {
      if (!th++) {
        printf "%-22s", "released frames/s"
        for (i = 1; i <= nc; i++) printf " %9s", cs[i]
        printf " %8s %8s  %s\n", "gst/qemu", "gst/null", "peak RSS MB, valid runs"
      }
      printf "%-22s", label
      for (i = 1; i <= nc; i++)
        printf " %9s", (failed(cs[i]) ? "FAIL" : num(col(cs[i], "fps")))
      printf " %8s %8s ", ratio(col("gst", "fps"), col("qemu", "fps")),
        ratio(col("gst", "fps"), col("null", "fps"))
      for (i = 1; i <= nc; i++)
        printf " %s %s (%s)", cs[i], mb(cs[i]), col(cs[i], "valid")
      printf "\n"
    } else {
      lat[++nl] = $0
    }
  }
  END {
    if (!nl) exit
    printf "\n%-22s", "latency p50/p99 us"
    for (i = 1; i <= nc; i++) printf " %15s", cs[i]
    printf "   (at the offered rate, frames/s)\n"
    for (j = 1; j <= nl; j++) {
      $0 = lat[j]
      printf "%-22s", $1 ":" $2 "@" $3
      for (i = 1; i <= nc; i++)
        printf " %15s", lat_cell(cs[i])
      printf "   %s\n", $4
    }
  }' "$summary_tsv"
echo
echo "summary: $summary_tsv (bench/plot.sh $summary_tsv draws it)"
