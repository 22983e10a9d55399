#!/usr/bin/python3
# Drives gst-colo-compare on 127.0.0.1 through its four sockets, stdin and
# stdout.  Usage: test_gst_colo_compare.py PROGRAM CASE
#
# If GST_COLO_COMPARE_WRAPPER is set (e.g. "valgrind --error-exitcode=1
# ..."), the program runs under that command; the driver itself is never
# wrapped (see run-driver.sh).  Every wait has a generous bound and fails
# when it runs out: no sleeps, no timing assertions.
import json
import os
import queue
import re
import shlex
import signal
import socket
import struct
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
from ports import free_port  # noqa: E402
import sockets  # noqa: E402
from sockets import Failure, listener, vm_rss  # noqa: E402,F401

TIMEOUT = float(os.environ.get("GST_COLO_COMPARE_TEST_TIMEOUT", "60"))
WRAPPER = shlex.split(os.environ.get("GST_COLO_COMPARE_WRAPPER", ""))
# The build's -Db_sanitize (tests/tools/meson.build): under AddressSanitizer
# the program's memory is ASan's (redzones, a quarantine of freed blocks)
SANITIZED = os.environ.get("GST_COLO_SANITIZE", "none") != "none"
PROGRAM = None

INIT = b"COLO_USERSPACE_PROXY_INIT"
XEN_INIT = b"COLO_COMPARE_GET_XEN_INIT"
DO_CHECKPOINT = b"DO_CHECKPOINT"
COLO_CHECKPOINT = b"COLO_CHECKPOINT"


def check(cond, what):
    if not cond:
        raise Failure(what)




def connect(port, rcvbuf=None):
    """Connects to a program's tcp-listen endpoint, retrying until it
    listens (the program may still be starting, e.g. under valgrind).
    With @rcvbuf, the socket's receive buffer is that small (set before
    the connection, so the window is small from the start)."""
    import time
    deadline = time.monotonic() + TIMEOUT
    while True:
        s = socket.socket()
        if rcvbuf is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(TIMEOUT)
        try:
            s.connect(("127.0.0.1", port))
            return s
        except ConnectionRefusedError:
            s.close()
            if time.monotonic() > deadline:
                raise Failure("nothing listens on port %d" % port)
            # poll the port: this is not a timing assumption, only a retry
            threading.Event().wait(0.05)


def recv_exact(sock, n, what):
    return sockets.recv_exact(sock, n, what, timeout=TIMEOUT)


def read_record(sock, vnet, what):
    (length,) = struct.unpack("!I", recv_exact(sock, 4, what))
    vnet_len = None
    if vnet:
        (vnet_len,) = struct.unpack("!I", recv_exact(sock, 4, what))
    return vnet_len, recv_exact(sock, length, what)


def expect_closed(sock, what):
    sock.settimeout(TIMEOUT)
    try:
        data = sock.recv(1)
    except socket.timeout:
        raise Failure("%s was not closed" % what)
    except ConnectionResetError:
        return
    check(data == b"", "%s: expected the connection to be closed, got %r"
          % (what, data))


class Program:
    """gst-colo-compare connected to the driver: the driver listens for
    primary-in, secondary-in and outdev (tcp: endpoints, so their ports
    are race-free) unless told otherwise; notify-dev is always a
    tcp-listen endpoint of the program, as with QEMU."""

    def __init__(self, *extra, notify=False, vnet=False,
                 primary_listen=False, outdev_listen=False):
        self.vnet = vnet
        args = []
        self.primary_port = None
        if primary_listen:
            self.primary_port = free_port()
            args += ["--primary-in", "tcp-listen:127.0.0.1:%d" % self.primary_port]
        else:
            pl = listener()
            args += ["--primary-in", "tcp:127.0.0.1:%d" % pl.getsockname()[1]]
        sl = listener()
        args += ["--secondary-in", "tcp:127.0.0.1:%d" % sl.getsockname()[1]]
        self.out_port = None
        if outdev_listen:
            self.out_port = free_port()
            args += ["--outdev", "tcp-listen:127.0.0.1:%d" % self.out_port]
        else:
            ol = listener()
            args += ["--outdev", "tcp:127.0.0.1:%d" % ol.getsockname()[1]]
        self.notify_port = None
        if notify:
            self.notify_port = free_port()
            args += ["--notify-dev", "tcp-listen:127.0.0.1:%d" % self.notify_port]
        if vnet:
            args.append("--vnet-hdr")
        args += list(extra)
        self.proc = subprocess.Popen(WRAPPER + [PROGRAM] + args,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.other_lines = []   # JSON lines left unread at terminate()
        self.stderr = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if primary_listen:
            self.primary = connect(self.primary_port)
        else:
            self.primary = self._accept(pl, "primary-in")
        self.secondary_listener = sl
        self.secondary = self._accept(sl, "secondary-in", keep=True)
        self.out = None if outdev_listen else self._accept(ol, "outdev")

    def _accept(self, lsock, what, keep=False):
        lsock.settimeout(TIMEOUT)
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            raise Failure("the program did not connect to %s; stderr: %s"
                          % (what, self.stderr_text()))
        finally:
            if not keep:
                lsock.close()
        return conn

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode())
        self.lines.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode())

    def stderr_text(self):
        return "".join(self.stderr)

    def record(self, frame, vnet_hdr=b""):
        if self.vnet:
            return frames.record(vnet_hdr + frame, len(vnet_hdr))
        return frames.record(frame)

    def send_primary(self, frame, vnet_hdr=b""):
        self.primary.sendall(self.record(frame, vnet_hdr))

    def send_secondary(self, frame, vnet_hdr=b""):
        self.secondary.sendall(self.record(frame, vnet_hdr))

    def expect_out(self, frame, vnet_hdr=b""):
        vnet_len, payload = read_record(self.out, self.vnet, "a frame on outdev")
        if self.vnet:
            check(vnet_len == len(vnet_hdr), "vnet_hdr_len %r, expected %d"
                  % (vnet_len, len(vnet_hdr)))
        check(payload == vnet_hdr + frame,
              "outdev frame differs:\n got %s\nwant %s"
              % (payload.hex(), (vnet_hdr + frame).hex()))

    def expect_out_any_order(self, frame_list):
        """The frames, in any order (they belong to different connections:
        only the order within one connection is defined)."""
        got = [read_record(self.out, self.vnet, "a frame on outdev")[1]
               for _ in frame_list]
        check(sorted(got) == sorted(frame_list),
              "outdev frames differ:\n got %s\nwant %s"
              % ([f.hex() for f in got], [f.hex() for f in frame_list]))

    def next_json(self, what):
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            raise Failure("timed out waiting for %s on stdout" % what)
        check(line is not None, "stdout closed while waiting for %s; stderr: %s"
              % (what, self.stderr_text()))
        try:
            return json.loads(line)
        except ValueError:
            raise Failure("not a JSON line: %r" % line)

    def stdin_line(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def terminate(self, send=True):
        """SIGTERM (unless already sent); returns the final stats object;
        checks exit code 0."""
        if send:
            self.proc.send_signal(signal.SIGTERM)
        stats = None
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise Failure("no stats line after SIGTERM")
            if line is None:
                break
            obj = json.loads(line)
            if obj.get("event") == "stats":
                stats = obj
            else:
                self.other_lines.append(obj)
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("the program did not exit after SIGTERM")
        check(rc == 0, "exit code %d after SIGTERM; stderr:\n%s"
              % (rc, self.stderr_text()))
        check(stats is not None, "no stats JSON line after SIGTERM")
        return stats

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---- cases -------------------------------------------------------------

def udp_pair(data, sport=5000):
    """The same datagram as the primary and the secondary send it (other
    IP ID and TTL: the IP header is not compared)."""
    return (frames.udp(sport, 53, data, ip_id=100, ttl=64),
            frames.udp(sport, 53, data, ip_id=7, ttl=63))


def release_udp(vnet):
    p = Program(vnet=vnet)
    # with vnet: two header lengths, each frame keeps its own
    hdrs = [bytes(range(1, 11)), bytes(range(1, 13))] if vnet else [b"", b""]
    pairs = [udp_pair(frames.pattern(200, seed=i)) for i in range(2)]
    for (pri, sec), hdr in zip(pairs, hdrs):
        p.send_primary(pri, hdr)
        p.send_secondary(sec, bytes(len(hdr)))
    for (pri, _), hdr in zip(pairs, hdrs):
        p.expect_out(pri, hdr)
    stats = p.terminate()
    check(stats["released"] == 2 and stats["miscompares"] == 0,
          "stats: %r" % stats)


def case_release_udp():
    release_udp(False)


def case_release_udp_vnet():
    release_udp(True)


def release_tcp(vnet):
    p = Program(vnet=vnet)
    hdr = b"\x01" + bytes(9) if vnet else b""
    data = frames.pattern(3000, seed=3)
    pri = frames.tcp(40000, 80, 1000, 1, data, ip_id=1)
    p.send_primary(pri, hdr)
    for i in range(3):
        p.send_secondary(frames.tcp(40000, 80, 1000 + 1000 * i, 1,
                                    data[1000 * i:1000 * (i + 1)], ip_id=50 + i),
                         hdr)
    p.expect_out(pri, hdr)
    stats = p.terminate()
    check(stats["released"] == 1 and stats["miscompares"] == 0,
          "stats: %r" % stats)


def case_release_tcp_resegmented():
    release_tcp(False)


def case_release_tcp_resegmented_vnet():
    release_tcp(True)


def case_release_split_reads():
    # A read becomes one buffer of whole records: records cut anywhere by
    # the reads (sent in pieces of 1 to 200 bytes, with zero-length
    # records among them) all come out once, in order, and are counted.
    p = Program()
    pairs = [udp_pair(frames.pattern(60 + i, seed=i), sport=7000 + i % 5)
             for i in range(60)]
    empties = [i for i in range(len(pairs)) if i % 7 == 3]
    stream = b"".join(frames.record(pri) + (frames.record(b"")
                                            if i in empties else b"")
                      for i, (pri, _) in enumerate(pairs))
    p.primary.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sizes = [1, 2, 3, 4, 5, 7, 8, 11, 13, 64, 200]
    off = k = 0
    while off < len(stream):
        n = sizes[k % len(sizes)]
        p.primary.sendall(stream[off:off + n])
        off += n
        k += 1
    for _, sec in pairs:
        p.send_secondary(sec)
    for pri, _ in pairs:
        p.expect_out(pri)
    stats = p.terminate()
    check(stats["released"] == len(pairs)
          and stats["primary-in-records"] == len(pairs)
          and stats["primary-in-empty-records"] == len(empties)
          and stats["miscompares"] == 0, "stats: %r" % stats)


def notify_connect(p):
    n = connect(p.notify_port)
    n.sendall(frames.record(INIT))
    got = recv_exact(n, 4 + len(XEN_INIT), "the Xen handshake answer")
    check(got == b"\x00\x00\x00\x19" + XEN_INIT, "handshake answer %r" % got)
    return n


def case_notify_handshake():
    p = Program(notify=True)
    notify_connect(p)
    p.terminate()


def case_notify_handshake_vnet():
    # QEMU expects a vnet word on the notify channel with
    # vnet_hdr_support=on (quirk Q9); we never do.
    p = Program(notify=True, vnet=True)
    notify_connect(p)
    p.terminate()


def diverge(p):
    """A UDP frame the secondary answers differently: held, and a
    checkpoint request."""
    pri = frames.udp(6000, 53, b"primary says hello")
    sec = frames.udp(6000, 53, b"second says hello!")
    p.send_primary(pri)
    p.send_secondary(sec)
    return pri


def case_notify_checkpoint():
    p = Program(notify=True)
    n = notify_connect(p)
    pri = diverge(p)
    check(recv_exact(n, 4 + len(DO_CHECKPOINT), "DO_CHECKPOINT")
          == b"\x00\x00\x00\x0d" + DO_CHECKPOINT, "expected DO_CHECKPOINT")
    # with --notify-dev too, every request is a JSON line on stdout
    ev = p.next_json("the checkpoint request")
    check(ev.get("event") == "checkpoint-request"
          and ev.get("reason") == "miscompare" and ev.get("src-port") == 6000,
          "line %r" % ev)
    check_wall_time(ev)
    n.sendall(frames.record(COLO_CHECKPOINT))
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["flushed"] == 1 and stats["miscompares"] >= 1
          and stats["notify-checkpoints-sent"] >= 1, "stats: %r" % stats)
    check(all(o.get("event") == "checkpoint-request" for o in p.other_lines)
          and len(p.other_lines) + 1 == stats["checkpoints-requested"],
          "stdout lines %r, stats %r" % (p.other_lines, stats))


def case_notify_garbage():
    p = Program(notify=True)
    n = notify_connect(p)
    # an unknown instruction (and a prefix of a known one): warned, kept
    n.sendall(frames.record(b"HELLO") + frames.record(INIT[:-1]))
    n.sendall(frames.record(INIT))
    check(recv_exact(n, 4 + len(XEN_INIT), "handshake after garbage")[4:]
          == XEN_INIT, "no handshake answer after an unknown instruction")
    # an impossible length: that connection is closed ...
    n.sendall(struct.pack("!I", 69633) + b"x" * 16)
    expect_closed(n, "the notify connection after an oversized record")
    # ... and the next client is served
    n2 = notify_connect(p)
    pri = diverge(p)
    check(recv_exact(n2, 17, "DO_CHECKPOINT")[4:] == DO_CHECKPOINT,
          "no DO_CHECKPOINT to the new notify client")
    n2.sendall(frames.record(COLO_CHECKPOINT))
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["notify-unsupported"] == 2 and stats["notify-errors"] == 1,
          "stats: %r" % stats)
    check("unsupported instruction" in p.stderr_text(),
          "no warning on stderr")


def wait_stderr(p, text, what):
    """Polls the program's stderr for @text (a retry, not a timing
    assumption)."""
    deadline = time.monotonic() + TIMEOUT
    while text not in p.stderr_text():
        check(time.monotonic() < deadline and p.proc.poll() is None,
              "%s: no '%s' on stderr; stderr: %s" % (what, text,
                                                   p.stderr_text()))
        threading.Event().wait(0.05)


def flood_init(sock, n):
    """Sends @n handshakes whose answers the peer never reads; False once
    the program closed the connection."""
    try:
        sock.sendall(frames.record(INIT) * n)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False
    except socket.timeout:
        raise Failure("the program stopped reading notify-dev (frozen?)")


def case_notify_not_reading():
    # A notify peer that stops reading: checkpoint requests (and handshake
    # answers) pile up for it.  The program never blocks on it: frames keep
    # being released, and once the small queue overflows (or nothing was
    # written for a few seconds) that peer is dropped, said on stderr and
    # counted; the next client is served; SIGTERM ends the program.
    p = Program("--auto-release", notify=True)
    n = connect(p.notify_port, rcvbuf=4096)
    n.sendall(frames.record(INIT))
    check(recv_exact(n, 4 + len(XEN_INIT), "the handshake answer")[4:]
          == XEN_INIT, "no handshake answer")
    # from now on n reads nothing
    rounds = 0
    while "dropping the connection" not in p.stderr_text():
        check(rounds < 2000, "the peer that does not read was never "
              "dropped; stderr: %s" % p.stderr_text())
        # a divergence (a request, released at once with --auto-release)
        # and a matched pair: both primaries must come out
        pri = diverge(p)
        pair = udp_pair(frames.pattern(32, seed=rounds), sport=6100)
        p.send_primary(pair[0])
        p.send_secondary(pair[1])
        p.expect_out_any_order([pri, pair[0]])
        if not flood_init(n, 200):
            break
        rounds += 1
    wait_stderr(p, "dropping the connection", "a peer that does not read")
    # the comparison goes on
    pair = udp_pair(b"after the notify peer was dropped", sport=6200)
    p.send_primary(pair[0])
    p.send_secondary(pair[1])
    p.expect_out(pair[0])
    # a new client is served, and gets the requests
    n2 = notify_connect(p)
    pri = diverge(p)
    check(recv_exact(n2, 17, "DO_CHECKPOINT")[4:] == DO_CHECKPOINT,
          "no DO_CHECKPOINT to the next notify client")
    p.expect_out(pri)
    # which stops reading too, just before SIGTERM
    flood_init(n2, 20000)
    stats = p.terminate()
    check(stats["notify-stalled"] >= 1
          and stats["notify-checkpoints-sent"] >= 1
          and stats["notify-checkpoints-sent"]
          + stats["notify-checkpoints-unsent"]
          == stats["checkpoints-requested"], "stats: %r" % stats)
    n.close()
    n2.close()


def read_notify(sock, what):
    """The text of the next notify record on @sock."""
    (length,) = struct.unpack("!I", recv_exact(sock, 4, what))
    return recv_exact(sock, length, what)


def diverge_on(p, sport):
    """diverge() on the connection of source port @sport."""
    pri = frames.udp(sport, 53, b"primary says hello")
    p.send_primary(pri)
    p.send_secondary(frames.udp(sport, 53, b"second says hello!"))
    return pri


def next_request(p, what):
    """The next checkpoint-request line on stdout (stats lines are kept)."""
    while True:
        ev = p.next_json(what)
        if ev.get("event") == "checkpoint-request":
            return ev
        p.other_lines.append(ev)


def past_scan_cycle(scan_ms):
    """Waits, on the monotonic clock the program's pipeline clock uses,
    until a scan cycle has passed since now: a precondition (colocompare
    makes a request at most once per cycle while one is unanswered), not
    a timing assumption."""
    until = time.monotonic() + 4 * scan_ms / 1000.0
    while time.monotonic() < until:
        time.sleep(scan_ms / 1000.0)


def case_notify_peer_gone():
    # The notify peer vanishes mid-run (it resets its connection with a
    # DO_CHECKPOINT unread): said on stderr; frames keep being compared
    # and released; a request while no peer is connected is not sent (a
    # warning, counted in notify-checkpoints-unsent) and the frames stay
    # held; the next peer is accepted, gets DO_CHECKPOINT for the next
    # request, and its COLO_CHECKPOINT releases every held frame.
    scan_ms = 50
    # no stale requests: only the test's divergences make requests
    p = Program("--compare-timeout", "600000", "--expired-scan-cycle",
                str(scan_ms), notify=True)
    n1 = notify_connect(p)
    pri1 = diverge_on(p, 6000)
    check(read_notify(n1, "DO_CHECKPOINT") == DO_CHECKPOINT,
          "no DO_CHECKPOINT to the first peer")
    check(next_request(p, "request 1")["src-port"] == 6000, "request 1")
    n1.sendall(frames.record(COLO_CHECKPOINT))
    p.expect_out(pri1)
    # a request the peer never reads: the JSON line follows the write
    pri2 = diverge_on(p, 6001)
    check(next_request(p, "request 2")["src-port"] == 6001, "request 2")
    port = n1.getsockname()[1]
    n1.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    n1.close()                  # a reset
    wait_stderr(p, "notify-dev: closed the connection to 127.0.0.1:%d "
                "(failed: Error receiving data: Connection reset by peer); "
                "waiting for the next client" % port, "the notify peer gone")
    # the comparison goes on
    for i in range(3):
        pair = udp_pair(frames.pattern(40, seed=i), sport=6100 + i)
        p.send_primary(pair[0])
        p.send_secondary(pair[1])
        p.expect_out(pair[0])
    # a request while nobody listens: not sent, said, counted
    past_scan_cycle(scan_ms)
    pri3 = diverge_on(p, 6002)
    check(next_request(p, "request 3")["src-port"] == 6002, "request 3")
    wait_stderr(p, "notify-dev: warning: no client connected, DO_CHECKPOINT "
                "not sent", "the unsent request")
    # the next peer is accepted and gets the next request
    n2 = notify_connect(p)
    past_scan_cycle(scan_ms)
    pri4 = diverge_on(p, 6003)
    check(read_notify(n2, "DO_CHECKPOINT") == DO_CHECKPOINT,
          "no DO_CHECKPOINT to the next peer")
    check(next_request(p, "request 4")["src-port"] == 6003, "request 4")
    n2.sendall(frames.record(COLO_CHECKPOINT))
    p.expect_out_any_order([pri2, pri3, pri4])
    stats = p.terminate()
    check(stats["checkpoints-requested"] == 4
          and stats["notify-checkpoints-sent"] == 3
          and stats["notify-checkpoints-unsent"] == 1
          and stats["flushed"] == 4 and stats["released"] == 3,
          "stats: %r" % stats)
    n2.close()


def count_lines(p, text):
    return sum(1 for line in p.stderr_text().splitlines() if text in line)


def case_log_floods():
    # Bad records on notify-dev, empty records on the inputs and unknown
    # stdin lines are each counted, and reported on the 1st, 10th, 100th,
    # ... occurrence only: a peer sending garbage cannot flood the log.
    p = Program(notify=True)
    n = notify_connect(p)
    n.sendall(frames.record(b"HELLO") * 10000 + frames.record(INIT))
    check(recv_exact(n, 4 + len(XEN_INIT), "handshake after garbage")[4:]
          == XEN_INIT, "no handshake answer after 10000 bad records")
    p.primary.sendall(struct.pack("!I", 0) * 10000)
    p.secondary.sendall(struct.pack("!I", 0) * 5000)
    pri, sec = udp_pair(b"after the empty records")
    p.send_primary(pri)
    p.send_secondary(sec)
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["notify-unsupported"] == 10000
          and stats["primary-in-empty-records"] == 10000
          and stats["secondary-in-empty-records"] == 5000, "stats %r" % stats)
    # 1, 10, 100, 1000, 10000; and 1, 10, 100, 1000
    got = (count_lines(p, "unsupported instruction"),
           count_lines(p, "primary-in: warning: skipped an empty record"),
           count_lines(p, "secondary-in: warning: skipped an empty record"))
    check(got == (5, 5, 4), "warning lines %r; stderr:\n%s"
          % (got, p.stderr_text()))
    check("(10000 so far" in p.stderr_text(), "no count in the warnings")

    p = Program()
    pri = diverge(p)
    check(p.next_json("the checkpoint request")["reason"] == "miscompare",
          "no miscompare request")
    p.proc.stdin.write(b"no-such-command\n" * 1000)
    p.stdin_line("checkpoint-done")
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["stdin-unknown"] == 1000, "stats %r" % stats)
    got = count_lines(p, "unknown command")
    check(got == 4, "%d warning lines for 1000 unknown commands" % got)


def proc_net_tcp(local, remote):
    """The kernel's row of the IPv4 TCP socket @local -> @remote ((host,
    port) pairs) in /proc/net/tcp: a dict of tx_queue, rx_queue and timer
    (1 retransmit, 2 keepalive, 4 zero window probe), or None."""
    def enc(addr):
        host, port = addr
        return "%08X:%04X" % (struct.unpack("<I", socket.inet_aton(host))[0],
                              port)
    want = (enc(local), enc(remote))
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                tx, rx = fields[4].split(":")
                return {"tx_queue": int(tx, 16), "rx_queue": int(rx, 16),
                        "timer": int(fields[5].split(":")[0], 16)}
    return None


def program_side(sock):
    """The row of the program's end of the driver's connection @sock."""
    return proc_net_tcp(sock.getpeername(), sock.getsockname())


def case_connection_log():
    # Every listen, connection, disconnection and failed reconnection is
    # said on stderr with the endpoint's option name, and every connection
    # the program accepts or makes has TCP keepalive on (the kernel's
    # keepalive timer runs on the program's end: /proc/net/tcp).
    p = Program(notify=True, primary_listen=True, outdev_listen=True)
    sec_port = p.secondary_listener.getsockname()[1]
    pair = udp_pair(b"through every endpoint")
    p.send_primary(pair[0])
    p.send_secondary(pair[1])
    p.out = connect(p.out_port)
    p.expect_out(pair[0])
    n = notify_connect(p)
    for name, port in (("primary-in", p.primary_port),
                       ("outdev", p.out_port),
                       ("notify-dev", p.notify_port)):
        wait_stderr(p, "%s: listening on 127.0.0.1:%d" % (name, port),
                    name + " listening")
    for name, sock in (("primary-in", p.primary), ("outdev", p.out),
                       ("notify-dev", n)):
        wait_stderr(p, "%s: client 127.0.0.1:%d connected"
                    % (name, sock.getsockname()[1]), name + " client")
    wait_stderr(p, "secondary-in: connected to 127.0.0.1:%d" % sec_port,
                "secondary-in connected")

    deadline = time.monotonic() + TIMEOUT
    for name, sock in (("primary-in", p.primary), ("secondary-in", p.secondary),
                       ("outdev", p.out), ("notify-dev", n)):
        # 2 is the keepalive timer; 1 (a retransmission timer) may show
        # while a segment is not yet acknowledged: poll
        while True:
            row = program_side(sock)
            check(row is not None, "%s: no socket in /proc/net/tcp" % name)
            if row["timer"] == 2:
                break
            check(time.monotonic() < deadline and row["timer"] == 1,
                  "%s: no keepalive on the program's socket (%r)"
                  % (name, row))
            threading.Event().wait(0.05)

    # disconnections
    port = p.primary.getsockname()[1]
    p.primary.close()
    wait_stderr(p, "primary-in: client 127.0.0.1:%d disconnected; waiting "
                "for the next client" % port, "primary-in disconnected")
    port = n.getsockname()[1]
    n.close()
    wait_stderr(p, "notify-dev: client 127.0.0.1:%d disconnected" % port,
                "notify-dev disconnected")
    # a tcp: input whose peer goes away: reconnected, failed attempts said
    p.secondary.close()
    p.secondary_listener.close()
    wait_stderr(p, "secondary-in: 127.0.0.1:%d disconnected; reconnecting "
                "every second" % sec_port, "secondary-in disconnected")
    wait_stderr(p, "secondary-in: warning: cannot reconnect to 127.0.0.1:%d"
                % sec_port, "failed reconnection")
    relisten = socket.socket()
    relisten.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    relisten.bind(("127.0.0.1", sec_port))
    relisten.listen(1)
    p.secondary = p._accept(relisten, "secondary-in again")
    deadline = time.monotonic() + TIMEOUT
    while not re.search(r"secondary-in: connected to 127\.0\.0\.1:%d \(from "
                        r"[0-9.:]+\) after [0-9]+ failed attempt\(s\)"
                        % sec_port, p.stderr_text()):
        check(time.monotonic() < deadline, "the reconnection is not said; "
              "stderr: %s" % p.stderr_text())
        threading.Event().wait(0.05)
    check(count_lines(p, "secondary-in: warning: cannot reconnect") <= 2,
          "failed reconnections are reported the 1st, 10th, ... time")
    p.primary = connect(p.primary_port)
    pair = udp_pair(b"after the reconnections")
    p.send_primary(pair[0])
    p.send_secondary(pair[1])
    p.expect_out(pair[0])
    stats = p.terminate()
    check(stats["secondary-in-connections"] == 2
          and stats["primary-in-connections"] == 2
          and stats["outdev-connections"] == 1, "stats %r" % stats)
    wait_stderr(p, "primary-in: closed the connection to", "shutdown")


def case_outdev_peer_gone():
    # An outdev client that goes away with frames written to it unread:
    # said on stderr with the number of records it never acknowledged
    # (lost, counted in outdev-unacknowledged); the next client gets the
    # rest, in order, none twice.
    p = Program(outdev_listen=True)
    count = 6000
    body = frames.pattern(1000)

    def frame(i):  # not IP: forwarded without comparison
        return (frames.ETH_DST + frames.ETH_SRC + b"\x88\xb5"
                + struct.pack("!I", i) + body)
    first = connect(p.out_port, rcvbuf=4096)
    # 6 MB: more than the socket buffers hold, less than the input bound
    p.primary.sendall(b"".join(p.record(frame(i)) for i in range(count)))
    deadline = time.monotonic() + TIMEOUT
    while True:
        # the program's end holds many records the first client did not
        # acknowledge (its window is closed)
        row = program_side(first)
        if row is not None and row["tx_queue"] > 100000:
            break
        check(time.monotonic() < deadline, "outdev never filled up: %r"
              % row)
        threading.Event().wait(0.05)
    first.close()               # unread data: a reset
    wait_stderr(p, "outdev: warning: 127.0.0.1:", "outdev peer gone")
    p.out = connect(p.out_port)
    _, payload = read_record(p.out, False, "the first frame of the rest")
    start = struct.unpack("!I", payload[14:18])[0]
    check(payload == frame(start), "frame %d differs" % start)
    for i in range(start + 1, count):
        _, payload = read_record(p.out, False, "frame %d" % i)
        check(payload == frame(i), "frame %d differs" % i)
    stats = p.terminate()
    # the first client read nothing: frames 0 to start - 1 are lost; those
    # still in the program's socket, not acknowledged, are counted (those
    # the client's kernel acknowledged are lost too, and cannot be)
    lost = stats["outdev-unacknowledged"]
    check(lost >= 1 and lost <= start
          and stats["outdev-records"] == count
          and stats["outdev-connections"] == 2,
          "first frame on the second connection %d; stats %r"
          % (start, stats))
    check(("after %d record(s) written to it; %d of them were not "
           "acknowledged by the peer and are lost" % (start, lost))
          in p.stderr_text(), "the loss is not said: %s" % p.stderr_text())


WALL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def check_wall_time(ev):
    """@ev has a "wall-time": UTC, ISO 8601 with microseconds, within
    a day of now (a sanity check of the clock, not of timing)."""
    wt = ev.get("wall-time")
    check(isinstance(wt, str) and WALL_TIME.match(wt), "wall-time in %r" % ev)
    import calendar
    t = calendar.timegm(time.strptime(wt[:19], "%Y-%m-%dT%H:%M:%S"))
    check(abs(t - time.time()) < 86400, "wall-time %s is not now" % wt)


def case_json_checkpoint():
    p = Program()
    pri = diverge(p)
    ev = p.next_json("the checkpoint request")
    check(ev.get("event") == "checkpoint-request", "line %r" % ev)
    check_wall_time(ev)
    check(ev.get("reason") == "miscompare" and ev.get("ip-protocol") == 17
          and ev.get("src") == "10.0.0.1" and ev.get("dst") == "10.0.0.2"
          and ev.get("src-port") == 6000 and ev.get("dst-port") == 53
          and ev.get("offset") == 0 and isinstance(ev.get("running-time"), int),
          "request fields %r" % ev)
    p.stdin_line("no-such-command")
    # binary junk and an endless line: warned, dropped
    p.proc.stdin.write(b"\x00\xff" * 3000)
    p.stdin_line("")
    p.stdin_line("checkpoint-done")
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["flushed"] == 1, "stats: %r" % stats)
    check("unknown command 'no-such-command'" in p.stderr_text(),
          "no warning for an unknown stdin line")
    check("without a newline" in p.stderr_text(),
          "no warning for an overlong stdin line")


def case_json_failover():
    p = Program()
    pri = diverge(p)
    check(p.next_json("the checkpoint request")["reason"] == "miscompare",
          "no miscompare request")
    p.stdin_line("failover")
    p.expect_out(pri)
    # from now on the primary goes out uncompared
    alone = frames.udp(6001, 53, b"no secondary needed")
    p.send_primary(alone)
    p.expect_out(alone)
    stats = p.terminate()
    check(stats["passed-through"] >= 1, "stats: %r" % stats)


def case_passthrough():
    """--passthrough: the named flow goes out from the primary at once,
    whatever the secondary sends; other flows are still compared."""
    p = Program("--passthrough", "udp:5353,tcp:3389")
    mdns = frames.udp(5353, 5353, b"primary announces")
    p.send_primary(mdns)
    p.expect_out(mdns)
    p.send_secondary(frames.udp(5353, 5353, b"secondary differs"))
    pri, sec = udp_pair(b"compared")
    p.send_primary(pri)
    p.send_secondary(sec)
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["passthrough-primary"] == 1
          and stats["passthrough-secondary"] == 1
          and stats["released"] == 1 and stats["miscompares"] == 0,
          "stats: %r" % stats)


def case_divergence_evidence():
    """--divergence-location: the request line carries the excerpts and
    names the pcap holding both sides' frames."""
    tmp = tempfile.mkdtemp(prefix="colo-div-")
    try:
        p = Program("--divergence-location", os.path.join(tmp, "div-%02d.pcap"))
        pri = diverge(p)
        ev = p.next_json("the checkpoint request")
        check(ev.get("reason") == "miscompare", "line %r" % ev)
        # they differ from byte 0: the whole payloads (18 bytes) are shown
        check(ev.get("primary-excerpt") == b"primary says hello".hex()
              and ev.get("excerpt-offset") == 0, "primary-excerpt %r" % ev)
        check(ev.get("secondary-excerpt") == b"second says hello!".hex(),
              "secondary-excerpt %r" % ev)
        path = ev.get("divergence-file")
        check(path == os.path.join(tmp, "div-00.pcap"), "file %r" % path)
        data = open(path, "rb").read()
        check(struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4
              and struct.unpack("<I", data[20:24])[0] == 1,
              "pcap header %r" % data[:24])
        pos, found = 24, []
        while pos < len(data):
            caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
            found.append(data[pos + 16:pos + 16 + caplen])
            pos += 16 + caplen
        check(found[0] == pri and b"second says hello!" in found[1]
              and len(found) == 2, "frames in the pcap: %r" % found)
        p.stdin_line("checkpoint-done")
        p.expect_out(pri)
        stats = p.terminate()
        check(stats["divergence-files"] == 1, "stats: %r" % stats)
    finally:
        shutil.rmtree(tmp)


def wait_mode(p, mode):
    """Asks for stats until colocompare is in @mode (the commands act on
    the streaming thread, after the line is read)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        p.stdin_line("stats")
        # each round trip waits for the program's answer: no sleep needed
        if next_stats(p, "stats, waiting for %s" % mode).get("mode") == mode:
            return
    raise Failure("colocompare never reached mode %s" % mode)


def case_resume_and_connections():
    """failover, resume and connections on stdin: after resume the flows
    are compared again; the connection table is one JSON line."""
    p = Program()
    p.stdin_line("failover")
    wait_mode(p, "failover")
    alone = frames.udp(7000, 53, b"alone")
    p.send_primary(alone)
    p.expect_out(alone)
    p.stdin_line("resume")
    wait_mode(p, "compare")
    # compared again: held until the secondary's twin
    pri, sec = udp_pair(b"after resume", sport=7001)
    held = frames.udp(7002, 53, b"held")
    p.send_primary(pri)
    p.send_primary(held)
    p.send_secondary(sec)
    p.expect_out(pri)
    p.stdin_line("connections")
    ev = p.next_json("the connections line")
    check(ev.get("event") == "connections" and ev.get("mode") == "compare",
          "line %r" % ev)
    conns = {c["src-port"]: c for c in ev["connections"]}
    check(conns.get(7002, {}).get("queued-primary") == 1
          and conns[7002].get("queued-secondary") == 0
          and conns[7002].get("dst") == "10.0.0.2"
          and conns.get(7001, {}).get("queued-primary") == 0,
          "connections %r" % ev["connections"])
    check(7000 not in conns, "a connection from failover is kept: %r" % conns)
    stats = p.terminate()
    check(stats["resumes"] == 1 and stats["passed-through"] >= 1
          and stats["released"] == 1, "stats: %r" % stats)


def next_stats(p, what):
    """The next stats line on stdout (checkpoint requests before it are
    kept in p.other_lines)."""
    while True:
        ev = p.next_json(what)
        if ev.get("event") == "stats":
            check_wall_time(ev)
            return ev
        p.other_lines.append(ev)


def stats_on_request(request, *extra, notify=False):
    """@request(p) asks for the stats: a stats line comes, with the
    counters so far, and the program goes on."""
    p = Program(*extra, notify=notify)

    def ask(released):
        # outdev-records is counted once the write returned, which may be
        # just after the driver read the frame: ask again until it is
        # (a retry bounded by TIMEOUT, not a timing assumption)
        deadline = time.monotonic() + TIMEOUT
        while True:
            request(p)
            stats = next_stats(p, "the stats asked for")
            check(stats["released"] == released
                  and stats["primary-in-records"] == released
                  and stats["outdev-records"] <= released, "stats: %r" % stats)
            if stats["outdev-records"] == released:
                break
            check(time.monotonic() < deadline, "outdev-records: %r" % stats)
            threading.Event().wait(0.05)
        check(p.proc.poll() is None, "the program ended after the stats")

    for i in range(2):
        pri, sec = udp_pair(b"stats round %d" % i)
        p.send_primary(pri)
        p.send_secondary(sec)
        p.expect_out(pri)
        ask(i + 1)
    stats = p.terminate()
    check(stats["released"] == 2, "final stats: %r" % stats)


def case_stats_sigusr1():
    stats_on_request(lambda p: p.proc.send_signal(signal.SIGUSR1))


def case_stats_sigusr1_notify():
    stats_on_request(lambda p: p.proc.send_signal(signal.SIGUSR1),
                     notify=True)


def case_stats_stdin():
    stats_on_request(lambda p: p.stdin_line("stats"))


def case_stats_interval():
    # --stats-interval 1: stats lines come by themselves, with the counters
    # so far (waiting for them is bounded by TIMEOUT, no timing assertion)
    p = Program("--stats-interval", "1")
    pri, sec = udp_pair(b"counted")
    p.send_primary(pri)
    p.send_secondary(sec)
    p.expect_out(pri)
    seen = 0
    while seen < 2:
        stats = next_stats(p, "a periodic stats line")
        if stats["released"] == 1:
            seen += 1
    check(p.proc.poll() is None, "the program ended")
    p.terminate()


def http_get(port, path="/metrics", method="GET"):
    """One request on a new connection: (status line, headers, body)."""
    s = connect(port)
    s.sendall(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
               % (method, path)).encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            raise Failure("timed out waiting for the metrics answer")
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    check(int(headers.get("Content-Length", -1)) == len(body.encode()),
          "Content-Length in %r" % data)
    return lines[0], headers, body


def metric_values(body):
    """{name: value} of a Prometheus text body, checking that every sample
    has its HELP and TYPE lines."""
    values, typed = {}, set()
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            check(kind == ("counter" if name.endswith("_total") else "gauge"),
                  "type of %s: %s" % (name, kind))
            typed.add(name)
        elif line and not line.startswith("#"):
            name, value = line.split(" ")
            check(name in typed and name.startswith("gst_colo_compare_"),
                  "sample %r" % line)
            values[name] = int(value)
    return values


def case_metrics():
    # --metrics tcp-listen: the counters in Prometheus text format, one
    # GET per connection, while the program goes on; a client that sends
    # nothing does not hold up the others
    port = free_port()
    p = Program("--metrics", "tcp-listen:127.0.0.1:%d" % port)
    idle = connect(port)
    pri, sec = udp_pair(b"counted in the metrics")
    p.send_primary(pri)
    p.send_secondary(sec)
    p.expect_out(pri)
    deadline = time.monotonic() + TIMEOUT
    while True:
        status, headers, body = http_get(port)
        check(status == "HTTP/1.0 200 OK", "status %r" % status)
        check(headers["Content-Type"].startswith("text/plain; version=0.0.4"),
              "headers %r" % headers)
        values = metric_values(body)
        check(values.get("gst_colo_compare_released_total") == 1
              and values.get("gst_colo_compare_primary_in_records_total") == 1
              and "gst_colo_compare_queued_primary" in values
              and values.get("gst_colo_compare_peak_rss_bytes", 0) > 0,
              "metrics %r" % values)
        # outdev-records is counted once the write returned (see
        # stats_on_request): ask again until it is
        if values.get("gst_colo_compare_outdev_records_total") == 1:
            break
        check(time.monotonic() < deadline, "metrics %r" % values)
        threading.Event().wait(0.05)
    check(http_get(port, "/")[0] == "HTTP/1.0 200 OK", "GET / refused")
    check(http_get(port, "/other")[0].startswith("HTTP/1.0 404"),
          "no 404 for another path")
    check(http_get(port, "/metrics", "POST")[0].startswith("HTTP/1.0 405"),
          "no 405 for POST")
    # the idle client is still connected at SIGTERM: dropped
    stats = p.terminate()
    expect_closed(idle, "the idle metrics client")
    check(stats["released"] == 1, "stats: %r" % stats)
    check("metrics: serving the stats" in p.stderr_text(),
          "stderr: %s" % p.stderr_text())


def case_stdin_eof():
    # end of file on stdin is not an end: the program keeps working
    p = Program()
    p.proc.stdin.close()
    pri, sec = udp_pair(b"after stdin closed")
    p.send_primary(pri)
    p.send_secondary(sec)
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["released"] == 1, "stats: %r" % stats)


def case_auto_release():
    p = Program("--auto-release")
    pri = diverge(p)
    ev = p.next_json("the checkpoint request")
    check(ev["reason"] == "miscompare", "line %r" % ev)
    # nobody answers on stdin: released all the same
    p.expect_out(pri)
    p.terminate()


def case_stale():
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20")
    pri = frames.udp(7000, 53, b"nobody answers")
    p.send_primary(pri)
    ev = p.next_json("the stale request")
    check(ev.get("event") == "checkpoint-request" and ev.get("reason") == "stale"
          and ev.get("src-port") == 7000, "line %r" % ev)
    p.stdin_line("checkpoint-done")
    p.expect_out(pri)
    p.terminate()


def case_primary_reconnect():
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20",
                primary_listen=True)
    first = [udp_pair(frames.pattern(100, seed=i), sport=8000)
             for i in range(2)]
    for pri, _ in first:
        p.send_primary(pri)
    # the stale request proves both frames are queued
    check(p.next_json("stale request")["reason"] == "stale", "no stale request")
    # drop the connection in the middle of a record
    p.primary.sendall(p.record(frames.udp(8000, 53, b"cut"))[:10])
    p.primary.close()
    p.primary = connect(p.primary_port)
    late = udp_pair(b"after reconnect", sport=8000)
    p.send_primary(late[0])
    for _, sec in first + [late]:
        p.send_secondary(sec)
    for pri, _ in first + [late]:
        p.expect_out(pri)
    stats = p.terminate()
    check(stats["primary-in-partial-records"] == 1
          and stats["primary-in-connections"] == 2, "stats %r" % stats)


def case_secondary_reconnect():
    # a tcp: input that drops is connected again; what it queued stays
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20")
    pri, sec = udp_pair(b"compared after the reconnect", sport=8200)
    early = udp_pair(b"secondary first", sport=8201)
    p.send_secondary(early[1])
    p.send_primary(pri)
    check(p.next_json("stale request")["reason"] == "stale", "no stale request")
    p.secondary.close()
    p.secondary = p._accept(p.secondary_listener, "secondary-in again")
    p.send_secondary(sec)
    p.send_primary(early[0])
    p.expect_out_any_order([pri, early[0]])
    stats = p.terminate()
    check(stats["secondary-in-connections"] == 2, "stats %r" % stats)


def case_primary_framing_error():
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20",
                primary_listen=True)
    pri, sec = udp_pair(b"queued before the error", sport=8100)
    p.send_primary(pri)
    check(p.next_json("stale request")["reason"] == "stale", "no stale request")
    p.primary.sendall(struct.pack("!I", 70000) + b"junk")
    expect_closed(p.primary, "the primary connection after a bad record")
    p.primary = connect(p.primary_port)
    p.send_secondary(sec)
    p.expect_out(pri)
    stats = p.terminate()
    check(stats["primary-in-framing-errors"] == 1, "stats %r" % stats)
    check("bad record" in p.stderr_text(), "no error message")


def case_sigterm_releases():
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20")
    held = [frames.tcp(40001, 80, 1 + 100 * i, 1, frames.pattern(100, seed=i))
            for i in range(3)]
    for f in held:
        p.send_primary(f)
    check(p.next_json("stale request")["reason"] == "stale", "no stale request")
    p.proc.send_signal(signal.SIGTERM)
    for f in held:
        p.expect_out(f)
    stats = p.terminate(send=False)
    check(stats["flushed"] == 3 and stats["outdev-records"] == 3
          and stats["outdev-lost"] == 0, "stats %r" % stats)


def case_idle_timeout():
    # A flow idle for --idle-timeout is forgotten when another flow's frame
    # comes; the comparison goes on (the idle time is a precondition waited
    # for on the monotonic clock that the program's pipeline clock uses).
    p = Program("--idle-timeout", "50")
    first = udp_pair(frames.pattern(100, seed=1), sport=5000)
    p.send_primary(first[0])
    p.send_secondary(first[1])
    p.expect_out(first[0])
    idle_from = time.monotonic()
    while time.monotonic() < idle_from + 0.2:
        time.sleep(0.05)
    second = udp_pair(frames.pattern(100, seed=2), sport=5001)
    p.send_primary(second[0])
    p.send_secondary(second[1])
    p.expect_out(second[0])
    stats = p.terminate()
    # the first flow was forgotten when the second came; the second may be
    # too by the time the program stops (idle checks also run on its
    # clock, and under valgrind more than 50 ms pass before SIGTERM)
    check(stats["evicted"] >= 1
          and stats["connections"] + stats["evicted"] == 2
          and stats["released"] == 2, "stats %r" % stats)


def case_outdev_late_client():
    # nobody reads outdev yet: released frames are held, not dropped, and
    # checkpoint-done / SIGTERM are still handled
    p = Program("--compare-timeout", "100", "--expired-scan-cycle", "20",
                outdev_listen=True)
    matched = [udp_pair(frames.pattern(64, seed=i), sport=9000 + i)
               for i in range(3)]
    for pri, sec in matched:
        p.send_primary(pri)
        p.send_secondary(sec)
    held = frames.udp(9100, 53, b"held until SIGTERM")
    p.send_primary(held)
    p.stdin_line("checkpoint-done")
    p.proc.send_signal(signal.SIGTERM)
    p.out = connect(p.out_port)
    p.expect_out_any_order([pri for pri, _ in matched] + [held])
    stats = p.terminate(send=False)
    check(stats["outdev-records"] == 4 and stats["outdev-lost"] == 0,
          "stats %r" % stats)


def case_input_backpressure():
    # nobody reads outdev, so the comparator cannot release: once more than
    # 16 MiB wait for it, the program stops reading primary-in and TCP
    # holds the sender back (no unbounded queue); once outdev is read,
    # every frame comes out, once, in order, unchanged
    p = Program(outdev_listen=True)
    body = frames.pattern(60000)

    def frame(i):  # not IP: forwarded without comparison
        return (frames.ETH_DST + frames.ETH_SRC + b"\x88\xb5"
                + struct.pack("!I", i) + body)
    stop = threading.Event()
    state = {"started": 0, "error": None}

    def sender():
        try:
            while not stop.is_set():
                i = state["started"]
                state["started"] = i + 1
                p.primary.sendall(p.record(frame(i)))
        except OSError as e:
            state["error"] = e
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    import time
    deadline = time.monotonic() + TIMEOUT
    while "reading paused" not in p.stderr_text():
        check(time.monotonic() < deadline and t.is_alive(),
              "primary-in was never paused (%d frames sent, error %r); "
              "stderr: %s" % (state["started"], state["error"],
                              p.stderr_text()))
        # poll stderr: a retry, not a timing assumption
        threading.Event().wait(0.05)
    stop.set()
    p.out = connect(p.out_port)
    got = 0
    while True:
        if got < state["started"]:
            _, payload = read_record(p.out, False, "frame %d on outdev" % got)
            check(payload == frame(got), "frame %d differs" % got)
            got += 1
            continue
        t.join(TIMEOUT)
        check(not t.is_alive(), "the sender is stuck")
        if got == state["started"]:
            break
    check(state["error"] is None, "sender: %r" % state["error"])
    stats = p.terminate()
    check(stats["primary-in-throttled"] >= 1
          and stats["primary-in-records"] == got
          and stats["outdev-records"] == got and stats["outdev-lost"] == 0,
          "%d frames; stats %r" % (got, stats))


MiB = 1024 * 1024
IN_FLIGHT = 16 * MiB            # per input (gst-colo-compare.c)


def case_sigterm_under_load():
    # Both inputs send as fast as they can while outdev is absent: each
    # input is paused at the in-flight bound.  Then outdev reads (a
    # sustained load), then SIGTERM while the peers are still sending:
    # the program takes what it had received, through the same bound,
    # writes every frame it read to outdev once, in order, and exits 0.
    # Memory (the program's peak RSS, a stats field) stays within the
    # bound: each input's frames waiting, and one released batch being
    # written (it does not grow with the load, nor at SIGTERM).  The
    # memory figures are not checked under valgrind (its own memory) nor
    # AddressSanitizer (up to 256 MiB of freed blocks held in quarantine).
    p = Program(outdev_listen=True)
    base = vm_rss(p.proc.pid)
    body = frames.pattern(100)

    def frame(side, i):  # not IP: forwarded (primary) or dropped at once
        return (frames.ETH_DST + frames.ETH_SRC + b"\x88\xb5"
                + struct.pack("!BI", side, i) + body)
    stop = threading.Event()

    def sender(sock, side):
        i = 0
        try:
            while not stop.is_set():
                sock.sendall(b"".join(p.record(frame(side, i + k))
                                      for k in range(100)))
                i += 100
        except OSError:
            pass                # closed by the program at SIGTERM
    for sock, side in ((p.primary, 0), (p.secondary, 1)):
        threading.Thread(target=sender, args=(sock, side), daemon=True).start()
    wait_stderr(p, "primary-in: the comparator is behind", "primary-in paused")
    wait_stderr(p, "secondary-in: the comparator is behind",
                "secondary-in paused")

    p.out = connect(p.out_port)
    got = 0
    sustained = 5000 if WRAPPER else 200000
    while True:
        try:
            _, payload = read_record(p.out, False, "frame %d on outdev" % got)
        except Failure:
            if got > sustained:
                break           # the end of outdev's stream, after SIGTERM
            raise
        check(payload == frame(0, got), "frame %d differs" % got)
        got += 1
        if got == sustained:
            p.proc.send_signal(signal.SIGTERM)
    stop.set()
    stats = p.terminate(send=False)
    check(stats["outdev-records"] == got
          and stats["primary-in-records"] == got
          and stats["outdev-lost"] == 0, "%d frames; stats %r" % (got, stats))
    if not WRAPPER and not SANITIZED:
        peak = stats["peak-rss"] - base
        check(peak <= 3 * IN_FLIGHT + 8 * MiB,
              "peak RSS %.1f MiB above the start, more than the bound (3 x "
              "%d MiB and 8 MiB)" % (peak / MiB, IN_FLIGHT // MiB))


STALL_S = 20


def case_outdev_stalled():
    # An outdev client that reads nothing for 20 s while the peers send
    # 100 000 matched UDP pairs of 1 KB over 1000 connections (about
    # 100 MB a side, six times the in-flight bound): the comparator waits
    # for outdev, each input stops reading at its bound, and the program
    # stays responsive (stats on SIGUSR1).  Memory stays within the bound
    # stated in the man page: 16 MiB of each input's frames waiting and one
    # released batch being written (3 x 16 MiB), plus 8 MiB of slack.  Once
    # the client reads, every primary frame comes out once, in order within
    # its connection, and the stall causes no checkpoint request: a frame's
    # age counts from when the comparator takes it, and it takes both sides
    # of a pair before it looks for stale frames.
    count = 60000 if WRAPPER else 100000
    conns = 1000
    p = Program(outdev_listen=True)
    base = vm_rss(p.proc.pid)
    body = frames.pattern(960)

    def pair(i):
        data = struct.pack("!I", i) + body
        return (frames.udp(10000 + i % conns, 53, data, ip_id=i & 0xFFFF),
                frames.udp(10000 + i % conns, 53, data, ip_id=7, ttl=63))
    state = {"error": None}

    def sender(sock, side):
        try:
            for start in range(0, count, 100):
                sock.sendall(b"".join(p.record(pair(i)[side])
                                      for i in range(start, start + 100)))
        except OSError as e:
            state["error"] = e
    senders = [threading.Thread(target=sender, args=(sock, side), daemon=True)
               for sock, side in ((p.primary, 0), (p.secondary, 1))]
    for t in senders:
        t.start()
    out = connect(p.out_port, rcvbuf=4096)
    # outdev takes a few KB, then the comparator blocks on it and both
    # inputs stop reading at their bound
    wait_stderr(p, "primary-in: the comparator is behind", "primary-in paused")
    wait_stderr(p, "secondary-in: the comparator is behind",
                "secondary-in paused")
    stall_end = time.monotonic() + STALL_S
    peak = 0
    while time.monotonic() < stall_end:
        peak = max(peak, vm_rss(p.proc.pid))
        threading.Event().wait(0.5)
    check(all(t.is_alive() for t in senders),
          "the senders got rid of all their frames: the inputs were not "
          "held back")
    p.proc.send_signal(signal.SIGUSR1)
    stats = next_stats(p, "the stats during the stall")
    check(stats["outdev-records"] < count // 2
          and stats["primary-in-throttled"] >= 1
          and stats["secondary-in-throttled"] >= 1
          and stats["checkpoints-requested"] == 0, "stats during the stall %r"
          % stats)
    row = program_side(out)
    check(row is not None and row["tx_queue"] > 0,
          "outdev was not stalled: %r" % row)

    p.out = out
    last = {}
    for k in range(count):
        _, payload = read_record(p.out, False, "frame %d on outdev" % k)
        i = struct.unpack("!I", payload[42:46])[0]
        check(i < count and payload == pair(i)[0], "frame %d (%d) differs"
              % (k, i))
        c = i % conns
        check(last.get(c, c - conns) == i - conns,
              "connection %d: frame %d after %r" % (c, i, last.get(c)))
        last[c] = i
    for t in senders:
        t.join(TIMEOUT)
    check(state["error"] is None, "sender: %r" % state["error"])
    stats = p.terminate()
    check(stats["released"] == count and stats["outdev-records"] == count
          and stats["outdev-lost"] == 0 and stats["miscompares"] == 0
          and stats["checkpoints-requested"] == 0 and stats["stale"] == 0,
          "stats %r" % stats)
    check(not any(o.get("event") == "checkpoint-request"
                  for o in p.other_lines), "a checkpoint request: %r"
          % p.other_lines)
    if not WRAPPER and not SANITIZED:
        peak = max(peak, stats["peak-rss"]) - base
        check(peak <= 3 * IN_FLIGHT + 8 * MiB,
              "peak RSS %.1f MiB above the start, more than the bound (3 x "
              "%d MiB and 8 MiB)" % (peak / MiB, IN_FLIGHT // MiB))
    print("outdev stalled %d s with %d pairs sent: peak RSS %.1f MiB above "
          "the start" % (STALL_S, count, peak / MiB))


def start_program(args):
    """gst-colo-compare with exactly @args, its stdout and stderr read as
    Program reads them; the caller sets primary, secondary and out."""
    p = Program.__new__(Program)
    p.vnet = False
    p.proc = subprocess.Popen(WRAPPER + [PROGRAM] + args,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    p.lines = queue.Queue()
    p.other_lines = []
    p.stderr = []
    threading.Thread(target=p._read_stdout, daemon=True).start()
    threading.Thread(target=p._read_stderr, daemon=True).start()
    return p


def connect_unix(path):
    """Connects to a program's UNIX listen endpoint, retrying until it
    listens."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            check(time.monotonic() < deadline, "nothing listens on %s" % path)
            threading.Event().wait(0.05)


def case_unix_endpoints():
    # unix-listen:PATH, unix:PATH (connect) and QEMU's unix:PATH,server
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        pri_path, sec_path, out_path, notify_path = (
            os.path.join(d, n) for n in ("pri", "sec", "out", "notify"))
        sl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sl.bind(sec_path)
        sl.listen(1)
        # a stale socket file where the program listens: replaced
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(pri_path)
        stale.close()
        p = start_program(["--primary-in", "unix-listen:" + pri_path,
                           "--secondary-in", "unix:" + sec_path,
                           "--outdev", "unix:%s,server" % out_path,
                           "--notify-dev", "unix-listen:" + notify_path])
        try:
            p.secondary = p._accept(sl, "secondary-in")
            p.primary = connect_unix(pri_path)
            p.out = connect_unix(out_path)
            n = connect_unix(notify_path)
            n.sendall(frames.record(INIT))
            check(recv_exact(n, 4 + len(XEN_INIT), "the handshake answer")[4:]
                  == XEN_INIT, "no handshake answer on notify-dev")
            pri, sec = udp_pair(b"over UNIX sockets")
            p.send_primary(pri)
            p.send_secondary(sec)
            p.expect_out(pri)
            pri = diverge(p)
            check(recv_exact(n, 17, "DO_CHECKPOINT")[4:] == DO_CHECKPOINT,
                  "no DO_CHECKPOINT")
            n.sendall(frames.record(COLO_CHECKPOINT))
            p.expect_out(pri)
            stats = p.terminate()
            check(stats["released"] == 1 and stats["flushed"] == 1,
                  "stats: %r" % stats)
            for text in ("primary-in: listening on " + pri_path,
                         "outdev: listening on " + out_path,
                         "secondary-in: connected to " + sec_path):
                check(text in p.stderr_text(), "no '%s' on stderr: %s"
                      % (text, p.stderr_text()))
            check("warning" not in p.stderr_text(),
                  "a warning: %s" % p.stderr_text())
        finally:
            p.kill()


def case_qemu_tcp_endpoints():
    # QEMU's spellings: tcp::PORT connects to localhost, and
    # tcp:HOST:PORT,server[,nowait] listens (tests stay on 127.0.0.1)
    pl = socket.socket(socket.AF_INET)
    pl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    pl.bind(("127.0.0.1", 0))
    pl.listen(1)
    sec_port, out_port = free_port(), free_port()
    p = start_program(["--primary-in", "tcp::%d" % pl.getsockname()[1],
                       "--secondary-in",
                       "tcp:127.0.0.1:%d,server,nowait" % sec_port,
                       "--outdev", "tcp:127.0.0.1:%d,server=on" % out_port])
    try:
        p.primary = p._accept(pl, "primary-in")
        p.secondary = connect(sec_port)
        p.out = connect(out_port)
        pri, sec = udp_pair(b"QEMU-style endpoints")
        p.send_primary(pri)
        p.send_secondary(sec)
        p.expect_out(pri)
        stats = p.terminate()
        check(stats["released"] == 1, "stats: %r" % stats)
        check("secondary-in: listening on 127.0.0.1:%d" % sec_port
              in p.stderr_text(), "stderr: %s" % p.stderr_text())
    finally:
        p.kill()


def expect_exit_2(args, what):
    proc = subprocess.run(WRAPPER + [PROGRAM] + args, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=TIMEOUT)
    err = proc.stderr.decode()
    check(proc.returncode == 2, "%s: exit code %d, stderr %r"
          % (what, proc.returncode, err))
    lines = [line for line in err.splitlines()
             if line.startswith("gst-colo-compare: error:")]
    check(len(lines) == 1, "%s: expected one error line, stderr %r" % (what, err))
    return lines[0]


def base_args():
    return ["--primary-in", "tcp-listen:127.0.0.1:%d" % free_port(),
            "--secondary-in", "tcp-listen:127.0.0.1:%d" % free_port(),
            "--outdev", "tcp-listen:127.0.0.1:%d" % free_port()]


def case_exit_bad_option():
    expect_exit_2(base_args() + ["--bogus"], "unknown option")
    expect_exit_2(base_args() + ["--compare-timeout", "0"], "compare-timeout 0")
    expect_exit_2(base_args() + ["--max-queue-size", "x"], "max-queue-size x")
    expect_exit_2(base_args() + ["--idle-timeout", "-1"], "idle-timeout -1")
    expect_exit_2(base_args() + ["--stats-interval", "-1"],
                  "stats-interval -1")
    expect_exit_2(base_args() + ["--stats-interval", "x"], "stats-interval x")
    expect_exit_2(base_args()[2:], "missing --primary-in")
    # the strings colocompare parses are checked at startup, with the
    # parser's reason
    line = expect_exit_2(base_args() + ["--passthrough", "icmp:8"],
                         "passthrough icmp:8")
    check("--passthrough" in line and "icmp:8" in line,
          "passthrough message %r" % line)
    line = expect_exit_2(base_args() + ["--divergence-location", "div.pcap"],
                         "divergence-location without a number")
    check("--divergence-location" in line and "div.pcap" in line,
          "divergence-location message %r" % line)


def case_exit_bad_endpoint():
    args = base_args()
    for bad in ["udp:127.0.0.1:1", "tcp:127.0.0.1", "tcp:127.0.0.1:0",
                "tcp:127.0.0.1:65536", "tcp-listen::5", "tcp:[::1:5"]:
        expect_exit_2(["--primary-in", bad] + args[2:], bad)
    expect_exit_2(args[:4] + ["--outdev", args[1]], "equal endpoints")
    expect_exit_2(args + ["--metrics", "tcp:127.0.0.1:5"],
                  "--metrics not a listen endpoint")
    expect_exit_2(args + ["--metrics", args[5]], "--metrics equal to --outdev")
    for bad in ["unix:", "tcp::5,bogus", "tcp::5,wait=on", "unix:/x,",
                "tcp-listen:127.0.0.1:5,server"]:
        expect_exit_2(["--primary-in", bad] + args[2:], bad)
    # one socket file, whether connected to or listened on
    expect_exit_2(args[:4] + ["--notify-dev", "unix:/tmp/x.sock",
                              "--outdev", "unix-listen:/tmp/x.sock"],
                  "equal UNIX endpoints")


def case_exit_port_in_use():
    busy = listener()
    args = base_args()
    args[1] = "tcp-listen:127.0.0.1:%d" % busy.getsockname()[1]
    line = expect_exit_2(args, "port in use")
    # the error names the option and its endpoint
    check(("--primary-in %s: " % args[1]) in line, "port in use: %r" % line)
    # and a tcp: endpoint nobody listens on
    args = base_args()
    args[5] = "tcp:127.0.0.1:%d" % free_port()
    line = expect_exit_2(args, "connection refused")
    check(("--outdev %s: " % args[5]) in line, "connection refused: %r" % line)
    args = base_args()
    args[3] = "tcp:127.0.0.1:%d" % free_port()
    line = expect_exit_2(args, "connection refused")
    check(("--secondary-in %s: " % args[3]) in line,
          "connection refused: %r" % line)
    args = base_args() + ["--notify-dev", "tcp:127.0.0.1:%d" % free_port()]
    line = expect_exit_2(args, "connection refused")
    check(("--notify-dev %s: " % args[7]) in line,
          "connection refused: %r" % line)


def case_manpage():
    """docs/gst-colo-compare.1 renders without groff warnings and documents
    every option --help lists."""
    page = os.environ["GST_COLO_COMPARE_MANPAGE"]
    groff = subprocess.run(["groff", "-man", "-ww", "-z", page],
                           capture_output=True, timeout=TIMEOUT)
    check(groff.returncode == 0 and groff.stderr == b"",
          "groff: %r" % groff.stderr)
    helptext = subprocess.run(WRAPPER + [PROGRAM, "--help"], capture_output=True,
                              timeout=TIMEOUT)
    check(helptext.returncode == 0, "--help exit code %d" % helptext.returncode)
    options = [word.split("=")[0] for line in helptext.stdout.decode().splitlines()
               for word in line.split()[:1] if word.startswith("--")
               and not word.startswith("--help")]
    spec = ["--primary-in", "--secondary-in", "--outdev", "--notify-dev",
            "--compare-timeout", "--expired-scan-cycle", "--max-queue-size",
            "--vnet-hdr", "--auto-release"]  # docs/gst-colo-compare.1
    check(all(o in options for o in spec), "options in --help: %r" % options)
    source = open(page).read()
    for opt in options:
        check(opt.replace("-", "\\-") in source, "%s is not in the man page"
              % opt)


def case_plugin_metadata():
    """The colo plugin's version is the project's, with its release date;
    gst-colo-compare --version says the same version."""
    env = dict(os.environ, GST_REGISTRY_UPDATE="no")
    if SANITIZED:
        # gst-inspect-1.0 is not built with ASan but loads the ASan plugin
        # (scripts/test-sanitizers.sh names the runtime)
        env.update(LD_PRELOAD=os.environ.get("GST_COLO_ASAN_RUNTIME", ""),
                   ASAN_OPTIONS="detect_leaks=0")
    out = subprocess.run(["gst-inspect-1.0", os.environ["GST_COLO_PLUGIN"]],
                         capture_output=True, timeout=TIMEOUT, env=env)
    text = out.stdout.decode()
    check(out.returncode == 0, "gst-inspect-1.0: %r" % out.stderr)
    fields = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1)
                  for line in text.split("\n\n")[0].splitlines()[1:])
    version = os.environ["GST_COLO_VERSION"]
    check(fields.get("Version") == version, "Version in %r" % fields)
    check(fields.get("Source release date")
          == os.environ["GST_COLO_RELEASE_DATE"],
          "Release date in %r" % fields)
    check(fields.get("Origin URL", "").startswith("http"),
          "Origin URL in %r" % fields)
    v = subprocess.run(WRAPPER + [PROGRAM, "--version"], capture_output=True,
                       timeout=TIMEOUT)
    check(v.stdout.decode().startswith("gst-colo-compare %s " % version),
          "--version: %r" % v.stdout)


def main():
    global PROGRAM
    PROGRAM = sys.argv[1]
    case = globals().get("case_" + sys.argv[2])
    if case is None:
        print("unknown case %s" % sys.argv[2])
        return 1
    programs = []
    orig_init = Program.__init__

    def tracking_init(self, *a, **kw):
        programs.append(self)
        orig_init(self, *a, **kw)
    Program.__init__ = tracking_init
    try:
        case()
    except Failure as e:
        print("FAIL %s: %s" % (sys.argv[2], e))
        for p in programs:
            print("program exit code %r, stderr:\n%s"
                  % (p.proc.poll(), p.stderr_text()))
        return 1
    finally:
        for p in programs:
            p.kill()
    print("PASS %s" % sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
