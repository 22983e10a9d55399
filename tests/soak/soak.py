#!/usr/bin/python3
# Soak test of gst-colo-compare (docs/design.md, "Soak"): a long run over
# many connections with a checkpoint every second, checking at the end that
#
#   - the program's RSS stayed flat after the warm-up (the table forgets
#     idle connections; nothing grows with the connections or frames seen),
#   - GStreamer's leaks tracer (GST_TRACERS=leaks) reports nothing at exit
#     (in a sanitizer build LeakSanitizer checks instead),
#   - the counters are conserved: every primary frame that came in was
#     released once (compared, flushed by a checkpoint or passed through),
#     written to outdev and read there once, in order within its
#     connection, and every connection was forgotten or is still tracked.
#
# Usage: soak.py PROGRAM [--connections N] [--rate PAIRS_PER_S] ...
#   short mode (meson test soak_short, in CI): 100 000 connections, ~60 s
#   long mode: soak.py build/tools/gst-colo-compare --connections 1100000
#              (about 11 minutes; figures in docs/design.md, "Soak")
#
# Load: UDP datagrams and TCP segments (one in four connections, ending
# with a FIN) over a sliding window of connections, each connection two
# pairs of frames (--frames-per-connection); the secondary sends the same
# frames (other IP ID and TTL), except that one pair in 1000 diverges (a
# miscompare) and one in 5000 has no secondary frame (held until a
# checkpoint).  The notify channel (Xen's protocol) carries the requests
# (DO_CHECKPOINT) and a COLO_CHECKPOINT every second.  Network on
# 127.0.0.1 only; every wait is bounded.
import argparse
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import qemurecord  # noqa: E402
from ports import free_port  # noqa: E402
from sockets import Failure, listener, recv_exact, vm_rss  # noqa: E402

MiB = 1024 * 1024
# The build's -Db_sanitize (tests/soak/meson.build)
SANITIZED = os.environ.get("GST_COLO_SANITIZE", "none") != "none"
INIT = b"COLO_USERSPACE_PROXY_INIT"
XEN_INIT = b"COLO_COMPARE_GET_XEN_INIT"
DO_CHECKPOINT = b"DO_CHECKPOINT"
COLO_CHECKPOINT = b"COLO_CHECKPOINT"
ETH = b"\x52\x54\x00\x00\x00\x02" + b"\x52\x54\x00\x00\x00\x01" + b"\x08\x00"
BODY = bytes((i * 7) & 0xFF for i in range(100))
TCP_FIN, TCP_PSH, TCP_ACK = 0x01, 0x08, 0x10


def check(cond, what):
    if not cond:
        raise Failure(what)


def ipv4(proto, l4, k, ip_id, ttl):
    src = struct.pack("!BBBB", 10, (k >> 16) & 0xFF, (k >> 8) & 0xFF, k & 0xFF)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ip_id, 0, ttl,
                       proto, 0, src, b"\x0b\x00\x00\x01") + l4


def frame(k, j, last, side, diverge):
    """Frame j of connection k (k % 4 == 0: TCP) as side 0 (primary) or
    1 (secondary) sends it; the payload carries (k, j)."""
    data = struct.pack("!IH", k, j) + BODY
    if diverge and side == 1:
        data = data[:-1] + b"\xff"
    ip_id, ttl = (j & 0xFFFF, 64) if side == 0 else (7, 63)
    if k % 4 == 0:
        flags = TCP_ACK | TCP_PSH | (TCP_FIN if last else 0)
        l4 = struct.pack("!HHIIBBHHH", 40000 + k % 20000, 80,
                         1000 + j * len(data), 1, 5 << 4, flags, 65535, 0,
                         0) + data
        return ETH + ipv4(6, l4, k, ip_id, ttl)
    l4 = struct.pack("!HHHH", 1024 + k % 60000, 53, 8 + len(data), 0) + data
    return ETH + ipv4(17, l4, k, ip_id, ttl)


def ident(payload):
    """(k, j) of a frame built by frame()"""
    off = 14 + 20 + (20 if payload[23] == 6 else 8)
    return struct.unpack("!IH", payload[off:off + 6])


class Soak:
    def __init__(self, args):
        self.args = args
        self.timeout = args.timeout
        self.errors = []
        self.stderr = []
        self.lines = queue.Queue()
        self.out_count = 0
        self.out_next = {}          # k -> next j expected on outdev
        self.requests = 0           # DO_CHECKPOINT received
        self.checkpoints = 0        # COLO_CHECKPOINT sent
        self.stop = threading.Event()

    def fail_in_thread(self, what):
        self.errors.append(what)
        self.stop.set()

    # ---- the program ----------------------------------------------------

    def start(self):
        pl, sl, ol = listener(), listener(), listener()
        self.notify_port = free_port()
        cmd = [self.args.program,
               "--primary-in", "tcp:127.0.0.1:%d" % pl.getsockname()[1],
               "--secondary-in", "tcp:127.0.0.1:%d" % sl.getsockname()[1],
               "--outdev", "tcp:127.0.0.1:%d" % ol.getsockname()[1],
               "--notify-dev", "tcp-listen:127.0.0.1:%d" % self.notify_port,
               "--idle-timeout", str(self.args.idle_timeout_ms)]
        env = dict(os.environ)
        if not SANITIZED:
            env.update(GST_TRACERS="leaks", GST_DEBUG="GST_TRACER:7")
        # else LeakSanitizer checks every allocation at exit (the leaks
        # tracer's own instance is not freed at exit by GStreamer 1.22, which
        # LeakSanitizer would report)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        threading.Thread(target=self.read_stdout, daemon=True).start()
        threading.Thread(target=self.read_stderr, daemon=True).start()
        socks = []
        for lsock, what in ((pl, "primary-in"), (sl, "secondary-in"),
                            (ol, "outdev")):
            lsock.settimeout(self.timeout)
            try:
                socks.append(lsock.accept()[0])
            except socket.timeout:
                raise Failure("the program did not connect to %s: %s"
                              % (what, "".join(self.stderr)))
            lsock.close()
        self.primary, self.secondary, self.out = socks
        self.out.settimeout(self.timeout)
        deadline = time.monotonic() + self.timeout
        while True:
            n = socket.socket()
            n.settimeout(self.timeout)
            try:
                n.connect(("127.0.0.1", self.notify_port))
                break
            except ConnectionRefusedError:
                n.close()
                check(time.monotonic() < deadline, "notify-dev not listening")
                threading.Event().wait(0.05)
        self.notify = n
        n.sendall(qemurecord.encode(INIT))
        check(self.read_notify() == XEN_INIT, "no handshake answer")

    def read_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode())
        self.lines.put(None)

    def read_stderr(self):
        for line in self.proc.stderr:
            line = line.decode(errors="replace")
            # the tracer's record formats, at startup
            if "gst_tracer_record_build_format" in line:
                continue
            self.stderr.append(line)

    def read_notify(self):
        (length,) = struct.unpack("!I", recv_exact(self.notify, 4,
                                                   "a notify record"))
        return recv_exact(self.notify, length, "a notify record")

    # ---- threads --------------------------------------------------------

    def notify_reader(self):
        try:
            while not self.stop.is_set():
                msg = self.read_notify()
                if msg != DO_CHECKPOINT:
                    return self.fail_in_thread("notify: %r" % msg)
                self.requests += 1
        except (Failure, OSError) as e:
            if not self.stop.is_set():
                self.fail_in_thread("notify reader: %s" % e)

    def checkpointer(self):
        """COLO's periodic checkpoint: COLO_CHECKPOINT every second"""
        while not self.stop.wait(1.0):
            try:
                self.notify.sendall(qemurecord.encode(COLO_CHECKPOINT))
            except OSError as e:
                return self.fail_in_thread("checkpointer: %s" % e)
            self.checkpoints += 1

    def outdev_reader(self):
        try:
            while True:
                (length,) = struct.unpack("!I", recv_exact(self.out, 4,
                                                           "outdev"))
                payload = recv_exact(self.out, length, "outdev")
                k, j = ident(payload)
                want = self.out_next.get(k, 0)
                if j != want:
                    return self.fail_in_thread(
                        "outdev: connection %d: frame %d, expected %d"
                        % (k, j, want))
                last = j + 1 == self.args.frames_per_connection
                if payload != frame(k, j, last, 0, False):
                    return self.fail_in_thread("outdev: frame (%d, %d) "
                                               "differs" % (k, j))
                if last:
                    del self.out_next[k]
                else:
                    self.out_next[k] = j + 1
                self.out_count += 1
        except (Failure, OSError) as e:
            if not self.stop.is_set() or self.out_count < self.sent:
                self.fail_in_thread("outdev reader: %s" % e)

    def sampler(self):
        """RSS every --sample-interval seconds: (time, connections sent so
        far, RSS)"""
        while True:
            try:
                self.samples.append((time.monotonic() - self.t0,
                                     self.conns_sent, vm_rss(self.proc.pid)))
            except (OSError, Failure):
                return
            if self.sampler_stop.wait(self.args.sample_interval):
                return

    # ---- the run --------------------------------------------------------

    def send(self):
        """Sends the load, paced at --rate pairs a second"""
        a = self.args
        window, fpc = a.window, a.frames_per_connection
        pairs_per_chunk = max(1, a.rate // 20)
        chunk_pri, chunk_sec = [], []
        start = time.monotonic()
        pairs = 0
        for base in range(0, a.connections, window):
            ks = range(base, min(base + window, a.connections))
            for j in range(fpc):
                last = j + 1 == fpc
                for k in ks:
                    n = k * fpc + j
                    diverge = n % 1000 == 999
                    chunk_pri.append(qemurecord.encode(
                        frame(k, j, last, 0, False)))
                    if n % 5000 != 4999:
                        chunk_sec.append(qemurecord.encode(
                            frame(k, j, last, 1, diverge)))
                    pairs += 1
                    if len(chunk_pri) >= pairs_per_chunk:
                        self.flush(chunk_pri, chunk_sec)
                        # pacing: wait for the schedule (a rate, not a
                        # timing assumption)
                        ahead = start + pairs / a.rate - time.monotonic()
                        if ahead > 0:
                            time.sleep(ahead)
                        check(not self.stop.is_set(),
                              "stopped: %s" % self.errors)
            self.conns_sent = ks.stop
        self.flush(chunk_pri, chunk_sec)

    def flush(self, pri, sec):
        self.primary.sendall(b"".join(pri))
        self.secondary.sendall(b"".join(sec))
        self.sent += len(pri)
        self.sent_secondary += len(sec)
        pri.clear()
        sec.clear()

    def run(self):
        a = self.args
        self.sent = self.sent_secondary = self.conns_sent = 0
        self.samples = []
        self.sampler_stop = threading.Event()
        self.start()
        rss_start = vm_rss(self.proc.pid)
        for target in (self.notify_reader, self.checkpointer,
                       self.outdev_reader):
            threading.Thread(target=target, daemon=True).start()
        self.t0 = time.monotonic()
        sampler = threading.Thread(target=self.sampler, daemon=True)
        sampler.start()
        self.send()
        send_s = time.monotonic() - self.t0
        # everything comes out: held frames at the next checkpoints
        deadline = time.monotonic() + self.timeout
        while self.out_count < self.sent:
            check(not self.errors, "; ".join(self.errors))
            check(time.monotonic() < deadline and self.proc.poll() is None,
                  "%d of %d primary frames on outdev; stderr:\n%s"
                  % (self.out_count, self.sent, "".join(self.stderr[-20:])))
            threading.Event().wait(0.1)
        self.sampler_stop.set()
        sampler.join()
        rss_end = vm_rss(self.proc.pid)
        self.stop.set()
        self.proc.send_signal(signal.SIGTERM)
        stats = None
        while True:
            try:
                line = self.lines.get(timeout=self.timeout)
            except queue.Empty:
                raise Failure("no stats line after SIGTERM")
            if line is None:
                break
            obj = json.loads(line)
            if obj.get("event") == "stats":
                stats = obj
        try:
            rc = self.proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("the program did not exit after SIGTERM")
        threading.Event().wait(0.2)   # stderr's last lines (EOF follows exit)
        err = "".join(self.stderr)
        check(rc == 0, "exit code %d; stderr:\n%s" % (rc, err[-4000:]))
        check(not self.errors, "; ".join(self.errors))
        check(stats is not None, "no stats line")

        # conservation
        check(stats["primary-in-records"] == self.sent
              and stats["secondary-in-records"] == self.sent_secondary,
              "records in: %d / %d sent; stats %r"
              % (self.sent, self.sent_secondary, stats))
        check(stats["primary-packets"] == self.sent
              and stats["released"] + stats["flushed"]
              + stats["passed-through"] == self.sent
              and stats["queued-primary"] == 0 and stats["dropped"] == 0,
              "primary frames not all released once: stats %r" % stats)
        check(stats["outdev-records"] == self.sent == self.out_count
              and stats["outdev-lost"] == 0,
              "outdev: %d read; stats %r" % (self.out_count, stats))
        check(stats["connections"] + stats["evicted"] + stats["closed"]
              == a.connections, "connections: %d made; stats %r"
              % (a.connections, stats))
        check(stats["miscompares"] >= 1 and stats["checkpoints-requested"] >= 1
              and stats["notify-checkpoints-unsent"] == 0,
              "requests: stats %r" % stats)

        # the leaks tracer
        check("object-alive," not in err and "Leaks detected" not in err,
              "the leaks tracer reports leaks:\n%s" % err[-4000:])

        # RSS flat after the warm-up (the first quarter of the connections)
        warm = [s for s in self.samples if s[1] <= a.connections // 4]
        after = [s for s in self.samples if s[1] > a.connections // 4]
        check(len(warm) >= 2 and len(after) >= 3,
              "too few RSS samples: %r" % self.samples)
        rss_warm = max(s[2] for s in warm)
        rss_max_after = max(s[2] for s in after)
        tail = after[-3:]
        rss_tail = sum(s[2] for s in tail) // len(tail)
        print("soak: %d connections, %d primary frames (%d secondary), "
              "%.0f s sending, %d DO_CHECKPOINT, %d COLO_CHECKPOINT"
              % (a.connections, self.sent, self.sent_secondary, send_s,
                 self.requests, self.checkpoints))
        print("soak: stats released %d flushed %d miscompares %d stale %d "
              "requests %d evicted %d closed %d tracked %d peak-rss %.1f MiB"
              % (stats["released"], stats["flushed"], stats["miscompares"],
                 stats["stale"], stats["checkpoints-requested"],
                 stats["evicted"], stats["closed"], stats["connections"],
                 stats["peak-rss"] / MiB))
        print("soak: RSS start %.1f MiB, end of warm-up %.1f MiB, highest "
              "after %.1f MiB, last samples %.1f MiB, at the end %.1f MiB "
              "(%d samples)" % (rss_start / MiB, rss_warm / MiB,
                                rss_max_after / MiB, rss_tail / MiB,
                                rss_end / MiB, len(self.samples)))
        if SANITIZED:
            print("soak: RSS not checked under the sanitizers (their own "
                  "memory)")
        else:
            tol = a.rss_tolerance_mib * MiB
            check(rss_max_after <= rss_warm + tol,
                  "RSS grew after the warm-up: %.1f MiB, then up to %.1f MiB "
                  "(tolerance %d MiB)" % (rss_warm / MiB, rss_max_after / MiB,
                                          a.rss_tolerance_mib))
        if a.samples_out:
            with open(a.samples_out, "w") as f:
                f.write("# seconds connections rss_bytes\n")
                for t, c, r in self.samples:
                    f.write("%.1f %d %d\n" % (t, c, r))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("program")
    ap.add_argument("--connections", type=int, default=100000)
    ap.add_argument("--frames-per-connection", type=int, default=2)
    ap.add_argument("--window", type=int, default=500,
                    help="connections sending at once")
    ap.add_argument("--rate", type=int, default=3400, help="pairs a second")
    ap.add_argument("--idle-timeout-ms", type=int, default=5000)
    ap.add_argument("--sample-interval", type=float, default=2.0)
    ap.add_argument("--rss-tolerance-mib", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="bound of every wait")
    ap.add_argument("--samples-out", help="write the RSS samples here")
    args = ap.parse_args()
    soak = Soak(args)
    try:
        soak.run()
    except Failure as e:
        print("FAIL soak: %s" % e)
        return 1
    finally:
        if soak.__dict__.get("proc") and soak.proc.poll() is None:
            soak.proc.kill()
            soak.proc.wait()
    print("PASS soak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
