#!/bin/sh
# gst-colo: regenerates docs/samples/primary.pcap and secondary.pcap from
# real traffic on the loopback interface (127.0.0.1 only).
#
# Copyright (C) 2026 gst-colo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Needs: root (or CAP_NET_RAW) for tcpdump on lo and the raw ICMP socket,
# tcpdump, ss (iproute2), /usr/bin/python3 with python3-scapy.  See README.md for what it produces.
#
# Usage: docs/samples/make-samples.sh [OUTDIR]   (default: docs/samples)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
PY=/usr/bin/python3
HELPER="$here/make-samples.py"
HTTP_PORT=${HTTP_PORT:-8000}
UDP_PORT=${UDP_PORT:-7777}

tmp=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do
    kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

wait_listen() { # PROTO PORT: wait until something listens on 127.0.0.1:PORT
  i=0
  while ! ss -ln"$1" | grep -q "127.0.0.1:$2 "; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "nothing listens on $1 port $2" >&2; exit 1; }
    sleep 0.05
  done
}

mkdir "$tmp/www"
$PY "$HELPER" body "$tmp/www/body.txt"

# servers first, so that readiness checks do not show up in the capture
$PY -m http.server --bind 127.0.0.1 --directory "$tmp/www" "$HTTP_PORT" \
  >"$tmp/http.log" 2>&1 &
pids="$pids $!"
$PY "$HELPER" udp-echo "$UDP_PORT" &
pids="$pids $!"
wait_listen t "$HTTP_PORT"
wait_listen u "$UDP_PORT"

tcpdump -i lo -n -U -s 262144 -w "$tmp/raw.pcap" \
  "host 127.0.0.1 and (tcp port $HTTP_PORT or udp port $UDP_PORT or icmp)" \
  2>"$tmp/tcpdump.log" &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
i=0
until grep -q "listening on" "$tmp/tcpdump.log"; do
  i=$((i + 1))
  [ $i -lt 100 ] || { cat "$tmp/tcpdump.log" >&2; exit 1; }
  sleep 0.05
done
grep -q "link-type EN10MB" "$tmp/tcpdump.log" || {
  echo "lo is not captured as DLT_EN10MB:" >&2
  cat "$tmp/tcpdump.log" >&2
  exit 1
}

# the traffic: one HTTP download, three UDP datagrams, three ICMP echoes
$PY "$HELPER" http-get "http://127.0.0.1:$HTTP_PORT/body.txt"
$PY "$HELPER" udp-client "$UDP_PORT"
$PY "$HELPER" ping 3

sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true

$PY "$HELPER" derive "$tmp/raw.pcap" "$HTTP_PORT" "$UDP_PORT" "$tmp"
cp "$tmp/primary.pcap" "$tmp/secondary.pcap" "$tmp/divergence.txt" \
  "$tmp/README.md" "$out/"
echo "wrote primary.pcap, secondary.pcap, divergence.txt, README.md in $out:"
cat "$out/divergence.txt"
