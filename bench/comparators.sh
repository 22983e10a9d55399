# Sourced by bench/run-vs-qemu.sh and bench/smoke.sh: starts and stops the
# comparators under test behind four TCP sockets on 127.0.0.1.
# Uses $qemu, $tool (build/tools/gst-colo-compare), $relay
# (build/bench/null_relay), $top, $work, $vnet.

# Four free ports on 127.0.0.1 (bound to port 0 and released: the
# comparator binds them right after).
free_ports() {
  python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'
}

# start_comparator qemu|gst|null P1 P2 P3 P4 (primary-in, secondary-in, outdev,
# notify): sets $pid; output goes to $work/NAME.log
start_comparator() {
  name=$1; shift
  case $name in
    qemu)
      # Defaults for compare_timeout, expired_scan_cycle, max_queue_size,
      # as for gst-colo-compare; bench_sockets keeps queues far below them.
      "$qemu" -M none -nodefaults -display none -monitor none -serial none \
        -chardev socket,id=pri,host=127.0.0.1,port=$1,server=on,wait=off \
        -chardev socket,id=sec,host=127.0.0.1,port=$2,server=on,wait=off \
        -chardev socket,id=out,host=127.0.0.1,port=$3,server=on,wait=off \
        -chardev socket,id=ntf,host=127.0.0.1,port=$4,server=on,wait=off \
        -object iothread,id=io1 \
        -object colo-compare,id=c0,primary_in=pri,secondary_in=sec,outdev=out,iothread=io1,notify_dev=ntf${vnet:+,vnet_hdr_support=on} \
        >"$work/$name.log" 2>&1 &
      ;;
    gst)
      GST_PLUGIN_PATH="$top/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}" \
        "$tool" --primary-in "tcp-listen:127.0.0.1:$1" \
        --secondary-in "tcp-listen:127.0.0.1:$2" \
        --outdev "tcp-listen:127.0.0.1:$3" \
        --notify-dev "tcp-listen:127.0.0.1:$4" ${vnet:+--vnet-hdr} \
        >"$work/$name.log" 2>&1 &
      ;;
    null)
      # the ceiling: forwards the primary, compares bytes, decides nothing
      "$relay" --primary-in "tcp-listen:127.0.0.1:$1" \
        --secondary-in "tcp-listen:127.0.0.1:$2" \
        --outdev "tcp-listen:127.0.0.1:$3" \
        --notify-dev "tcp-listen:127.0.0.1:$4" ${vnet:+--vnet-hdr} \
        >"$work/$name.log" 2>&1 &
      ;;
  esac
  pid=$!
}

# Stops the comparator (SIGTERM, as an operator would), SIGKILL after 10 s.
stop_comparator() {
  kill -TERM "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
