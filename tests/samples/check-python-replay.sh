#!/bin/sh
# examples/python/colo-replay.py on the bundled captures: the application
# must see exactly the one checkpoint request recorded in
# docs/samples/divergence.txt, answer it, and every primary frame must be
# released (read back with tshark, not with our own reader).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MESON_BUILD_ROOT:-$top/build}
samples=$top/docs/samples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail () { echo "FAIL: $*"; exit 1; }
val () { awk -v k="$1" '$1 == k { print $2 }' "$samples/divergence.txt"; }

export GST_PLUGIN_PATH="$build/gst:$build/ext"
timeout 120 /usr/bin/python3 "$top/examples/python/colo-replay.py" \
  "$samples/primary.pcap" "$samples/secondary.pcap" "$tmp/out.pcap" \
  >"$tmp/log" 2>"$tmp/err" || { cat "$tmp/log" "$tmp/err"; fail "example failed"; }
cat "$tmp/log"

/usr/bin/python3 - "$tmp/log" "$(val tcp-seq)" "$(val primary-frames)" <<'PY' || fail "unexpected output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
requests = [l for l in lines if l["event"] == "checkpoint-request"]
stats = [l for l in lines if l["event"] == "stats"]
assert len(requests) == 1, requests
assert requests[0]["reason"] == "miscompare", requests
assert requests[0]["tcp-seq"] == int(sys.argv[2]), requests
assert len(stats) == 1, stats
s = stats[0]
assert s["checkpoints-done"] == 1, s
assert s["primary-packets"] == int(sys.argv[3]), s
assert s["released"] + s["flushed"] + s["passed-through"] == int(sys.argv[3]), s
assert s["flushed"] > 0, s  # the held frames came out through checkpoint-done
PY

n=$(tshark -r "$tmp/out.pcap" 2>/dev/null | wc -l)
[ "$n" = "$(val primary-frames)" ] || fail "$n frames in the output, want $(val primary-frames)"
echo "PASS: one request answered, $n frames released"
