#!/bin/sh
# Draws the summary of bench/run-vs-qemu.sh (PREFIX-summary.tsv) as a PNG:
# released frames/s of QEMU's colo-compare, gst-colo-compare and the null
# relay (the ceiling) against the frame size (TCP, the same segmentation
# on both sides) and against the number of connections.  Cases missing
# from the summary leave their panel empty; a comparator with no valid
# run in a case has no point there.
#
# Usage: bench/plot.sh SUMMARY.tsv [OUT.png]     (default: SUMMARY.png)
#   bench/run-vs-qemu.sh -p all        # or -p sizes, -p conns
#   bench/plot.sh build/bench/run-vs-qemu-DATE-summary.tsv
# Needs gnuplot (Debian: apt-get install gnuplot-nox).
set -eu
[ $# -ge 1 ] || { sed -n '9,12p' "$0" >&2; exit 2; }
summary=$1
out=${2:-${summary%.tsv}.png}
command -v gnuplot >/dev/null ||
  { echo "no gnuplot: apt-get install gnuplot-nox" >&2; exit 2; }
[ -r "$summary" ] || { echo "cannot read $summary" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One data file per panel: X, then frames/s of qemu, gst, null ("?" where
# a comparator has no valid run or was not run).
awk -F'\t' -v dir="$work" '
  function v(c,   i, f) {
    i = ix[c "_fps"]; f = i ? $i : ""
    if (!i || f == "" || ix[c "_valid"] && $(ix[c "_valid"]) ~ /^0\//)
      return "?"
    return f
  }
  function row() { return v("qemu") "\t" v("gst") "\t" v("null") }
  NR == 1 { for (i = 1; i <= NF; i++) ix[$i] = i; next }
  $4 != 0 { next }                      # latency runs: not throughput
  {
    w = $1; size = $2; conns = $3
    # TCP, both sides segmented alike: tcp and tcp-small are one workload
    if (w == "tcp" || w == "tcp-small") {
      sizes[conns] = sizes[conns] sprintf("%d\t%s\n", size + 66, row())
      nsizes[conns]++
    }
    key = w ", " size
    byconn[key] = byconn[key] sprintf("%d\t%s\n", conns, row())
    nconns[key]++
  }
  END {
    # the connection count with the most frame sizes, the workload with
    # the most connection counts
    for (c in nsizes) if (nsizes[c] > best) { best = nsizes[c]; bc = c }
    for (k in nconns) if (nconns[k] > bestk) { bestk = nconns[k]; bk = k }
    printf "%s", sizes[bc] > (dir "/sizes.dat")
    printf "%s", byconn[bk] > (dir "/conns.dat")
    print (bc == "" ? "-" : bc) > (dir "/sizes.what")
    print (bk == "" ? "-" : bk) > (dir "/conns.what")
  }' "$summary"
sort -n -o "$work/sizes.dat" "$work/sizes.dat"
sort -n -o "$work/conns.dat" "$work/conns.dat"
sizes_conns=$(cat "$work/sizes.what")
conns_case=$(cat "$work/conns.what")

term=png
echo 'set terminal' | gnuplot 2>&1 | grep -q pngcairo && term=pngcairo

# a panel without points is drawn empty, with a note
panel() { # panel DATAFILE: the plot command, or an empty frame
  if [ "$(grep -c . "$1")" -ge 1 ]; then
    echo "plot '$1' using 1:4 with linespoints pt 7 lw 2 lc rgb '#777777' title 'null relay (ceiling)', \\
      '' using 1:3 with linespoints pt 5 lw 2 lc rgb '#1f77b4' title 'gst-colo-compare', \\
      '' using 1:2 with linespoints pt 9 lw 2 lc rgb '#d62728' title 'QEMU colo-compare'"
  else
    echo "set label 1 'no such cases in this summary' at graph 0.5, 0.5 center"
    echo "plot [1:10] [1:10] NaN notitle"
    echo "unset label 1"
  fi
}

gnuplot <<EOF
set terminal $term size 1400,560 font ',11'
set output '$out'
set datafile separator '\t'
set datafile missing '?'
set multiplot layout 1,2 title "Released primary frames/s, median of valid runs ($(basename "$summary"))"
set logscale xy
set grid
set key outside bottom center horizontal
set format y '%.0s%c'
set ylabel 'frames/s'
set xlabel 'frame size, bytes (TCP, same segmentation; $sizes_conns connections)'
set xtics (130, 322, 578, 1024, 1514)
set xrange [100:2000]
$(panel "$work/sizes.dat")
set xlabel 'connections ($conns_case-byte payloads; no point: no valid run)'
set xtics auto
set autoscale x
set format x '%.0s%c'
$(panel "$work/conns.dat")
unset multiplot
EOF
echo "$out"
