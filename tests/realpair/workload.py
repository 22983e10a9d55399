#!/usr/bin/python3
# gst-colo replica-pair test: the deterministic servers and client.
#
# Copyright (C) 2026 gst-colo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python standard library only.  realpair.py runs the same server in each
# replica's server namespace and the same client, with the same arguments,
# in each replica's client namespace (see README.md):
#
#   workload.py server [--write-chunk N] [--nodelay] [--sndbuf N] --replica R
#   workload.py client CASE
#
# Every byte the server sends is a function of what it received, except
# where a request asks for one replica-specific byte (GET /div/...): the
# only nondeterminism the test puts in.  The client binds every socket to a
# fixed source port, so both replicas see the same 4-tuples, and checks
# every answer.  Replica differences that change segmentation but not the
# byte stream (write sizes, TCP_NODELAY, SO_SNDBUF) are server options.

import argparse
import array
import hashlib
import select
import socket
import struct
import sys
import threading
import time

SERVER4, SERVER6 = "10.77.0.1", "fd00:77::1"
CLIENT4, CLIENT6 = "10.77.0.2", "fd00:77::2"
# A second client address per family, routed with MTU 1280 in both replicas:
# IP fragments are cut at the route MTU, so both replicas fragment the
# same way although their links have different MTUs.
FRAG4, FRAG6 = "10.77.0.3", "fd00:77::3"
HTTP_PORT = 8000
BIG_ANSWER = 16000000   # bytes of the answer before the abortive close
UDP_PORT = 7000
ICMP_IDENT = 0x636f

TIMEOUT = 30.0          # failure bound for any single wait, seconds

# 64 KiB of deterministic bytes; bodies are slices of it, repeated
_PATTERN = b"".join(hashlib.sha256(b"gst-colo %d" % i).digest()
                    for i in range(2048))


_REPEATED = _PATTERN     # the pattern repeated, grown on demand


def body(n, seed):
    """n deterministic bytes, different per seed (a view, no copy)."""
    global _REPEATED
    start = (seed * 7919) % len(_PATTERN)
    repeated = _REPEATED
    if len(repeated) < start + n:
        repeated = _PATTERN * ((start + n) // len(_PATTERN) + 1)
        _REPEATED = repeated
    return memoryview(repeated)[start:start + n]


def seed_of(path):
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big")


# --- server ---------------------------------------------------------------

SIOCOUTQ = 0x5411
TCP_INFO_STATE_CLOSE = 7


def outq(sock):
    import fcntl
    buf = fcntl.ioctl(sock.fileno(), SIOCOUTQ, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def send_vector(conn, bufs):
    """Everything in bufs, written together (sendmsg: no copy)."""
    bufs = [memoryview(b).cast("B") for b in bufs if len(b)]
    while bufs:
        n = conn.sendmsg(bufs)
        while n:
            if n >= len(bufs[0]):
                n -= len(bufs[0])
                bufs.pop(0)
            else:
                bufs[0] = bufs[0][n:]
                n = 0


class Server:
    def __init__(self, args):
        self.args = args
        self.replica_byte = {"primary": b"P", "secondary": b"S"}[args.replica]

    def send(self, conn, data):
        chunk = self.args.write_chunk
        if not chunk:
            conn.sendall(data)
            return
        view = memoryview(data)
        for i in range(0, len(view), chunk):
            conn.sendall(view[i:i + chunk])

    def respond(self, conn, payload):
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload)
        if self.args.write_chunk:
            # header and body in separate writes, the body in chunks
            self.send(conn, head)
            self.send(conn, payload)
        else:
            send_vector(conn, [head, payload])

    def handle(self, conn):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        conn.close()
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                method, path, _ = lines[0].split(" ")
                length = 0
                for line in lines[1:]:
                    k, v = line.split(":", 1)
                    if k.lower() == "content-length":
                        length = int(v)
                parts = path.strip("/").split("/")
                if method == "POST" and parts[0] == "upload":
                    h = hashlib.sha256()
                    got = min(len(buf), length)
                    h.update(buf[:got])
                    buf = buf[got:]
                    while got < length:
                        data = conn.recv(min(1 << 20, length - got))
                        if not data:
                            raise ConnectionError("upload cut short")
                        h.update(data)
                        got += len(data)
                    self.respond(conn, h.hexdigest().encode())
                    continue
                n = int(parts[1])
                payload = body(n, seed_of(path))
                if parts[0] == "div":
                    k = int(parts[2])
                    payload = bytes(payload[:k]) + self.replica_byte + \
                        bytes(payload[k + 1:])
                self.respond(conn, payload)
                if parts[0] == "close":
                    # the server closes first: its socket goes to TIME-WAIT
                    conn.close()
                    return
                if parts[0] == "abort":
                    # abortive close once the client has acknowledged all
                    # of the answer (nothing unsent is thrown away): RST|ACK
                    deadline = time.monotonic() + TIMEOUT
                    while outq(conn) > 0:
                        if time.monotonic() > deadline:
                            raise TimeoutError("answer never acknowledged")
                        time.sleep(0.001)
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
                    conn.close()
                    return
        except (ConnectionResetError, BrokenPipeError):
            conn.close()

    def tcp_listener(self, family, addr):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.args.sndbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.args.sndbuf)
        s.bind((addr, HTTP_PORT))
        s.listen(128)
        return s

    def accept_loop(self, lsock):
        while True:
            conn, _ = lsock.accept()
            if self.args.nodelay:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.handle, args=(conn,),
                             daemon=True).start()

    def udp_loop(self, s):
        while True:
            data, peer = s.recvfrom(65536)
            if data.startswith(b"echo:"):
                s.sendto(b"ECHO:" + data[5:], peer)
            elif data.startswith(b"big:"):
                n = int(data[4:])
                s.sendto(body(n, n), peer)

    def run(self):
        body(BIG_ANSWER + len(_PATTERN), 0)     # the largest answer, ready
        socks = []
        for family, addr in ((socket.AF_INET, SERVER4),
                             (socket.AF_INET6, SERVER6)):
            lsock = self.tcp_listener(family, addr)
            threading.Thread(target=self.accept_loop, args=(lsock,),
                             daemon=True).start()
            u = socket.socket(family, socket.SOCK_DGRAM)
            u.bind((addr, UDP_PORT))
            threading.Thread(target=self.udp_loop, args=(u,),
                             daemon=True).start()
            socks += [lsock, u]
        print("ready", flush=True)
        # until stdin closes (realpair.py holds it open)
        sys.stdin.read()


# --- client ---------------------------------------------------------------

def fail(msg):
    raise RuntimeError(msg)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Http:
    """One keep-alive connection from a fixed client port."""

    def __init__(self, server, client, port):
        self.sock = socket.socket(family_of(server), socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.settimeout(TIMEOUT)
        self.sock.bind((client, port))
        self.sock.connect((server, HTTP_PORT))
        self.buf = b""

    def read_response(self):
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                fail("connection closed before an answer")
            self.buf += data
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        out = bytearray(length)
        got = min(len(rest), length)
        out[:got] = rest[:got]
        self.buf = rest[got:]
        view = memoryview(out)
        while got < length:
            n = self.sock.recv_into(view[got:], min(1 << 20, length - got))
            if not n:
                fail("connection closed inside an answer")
            got += n
        return out

    def get(self, path, check=True):
        self.sock.sendall(b"GET %s HTTP/1.1\r\nHost: colo\r\n\r\n"
                          % path.encode())
        data = self.read_response()
        parts = path.strip("/").split("/")
        want = body(int(parts[1]), seed_of(path))
        if parts[0] == "div":
            k = int(parts[2])
            if data[:k] != want[:k] or data[k + 1:] != want[k + 1:]:
                fail("GET %s: answer differs outside byte %d" % (path, k))
        elif check and data != want:
            fail("GET %s: wrong answer" % path)
        return data

    def upload(self, n):
        data = body(n, n + 1)
        self.sock.sendall(b"POST /upload/%d HTTP/1.1\r\nHost: colo\r\n"
                          b"Content-Length: %d\r\n\r\n" % (n, n) + data)
        if self.read_response() != hashlib.sha256(data).hexdigest().encode():
            fail("upload of %d bytes: wrong digest" % n)

    def wait_eof(self):
        if self.buf or self.sock.recv(1):
            fail("data after the last answer")

    def wait_state(self, state):
        deadline = time.monotonic() + TIMEOUT
        while self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO,
                                   8)[0] != state:
            if time.monotonic() > deadline:
                fail("socket never reached TCP state %d" % state)
            time.sleep(0.001)

    def close(self):
        self.sock.close()

    def abort(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        self.sock.close()


def keepalive_mix(server, client, port):
    h = Http(server, client, port)
    for i, n in enumerate([0, 1, 100, 1460, 1461, 3000, 20000, 65536,
                           100000, 7, 2900, 250000, 1, 4096]):
        h.get("/data/%d/%d" % (n, i))
    h.close()


def small_exchanges(server, client, port, count):
    h = Http(server, client, port)
    for i in range(count):
        h.get("/data/%d/%d" % (1 + i % 50, i))
    h.close()


def bulk_down(server, client, port, n):
    h = Http(server, client, port)
    h.get("/data/%d/bulk" % n)
    h.close()


def bulk_up(server, client, port, n):
    h = Http(server, client, port)
    h.upload(n)
    h.close()


def parallel_short(server, client, first_port, count):
    errors = []

    def one(i):
        try:
            h = Http(server, client, first_port + i)
            h.get("/data/%d/p%d" % (100 + 37 * i, i))
            h.close()
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def udp_echo(server, client, port, count):
    s = socket.socket(family_of(server), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.bind((client, port))
    for i in range(count):
        msg = b"%d:" % i + body(20 + 53 * i, i)
        s.sendto(b"echo:" + msg, (server, UDP_PORT))
        if s.recv(65536) != b"ECHO:" + msg:
            fail("UDP echo %d: wrong answer" % i)
    s.close()


def udp_big(server, client, port, sizes):
    """Datagrams above the route MTU: the server's answers are fragmented."""
    s = socket.socket(family_of(server), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.bind((client, port))
    for n in sizes:
        s.sendto(b"big:%d" % n, (server, UDP_PORT))
        if s.recv(65536) != body(n, n):
            fail("UDP datagram of %d bytes: wrong answer" % n)
    s.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    a = array.array("H", data)
    if sys.byteorder == "little":
        a.byteswap()
    s = sum(a)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ping(server, count):
    """Echo requests with a fixed identifier, sequence numbers 1..count and
    fixed payloads (unlike ping(8), no timestamps): the kernel's echo replies
    are then the same in both replicas."""
    v6 = ":" in server
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
        req_type, reply_type = 128, 129
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        req_type, reply_type = 8, 0
    s.settimeout(TIMEOUT)
    for seq in range(1, count + 1):
        payload = body(48 + seq, seq)
        hdr = struct.pack("!BBHHH", req_type, 0, 0, ICMP_IDENT, seq)
        # the kernel fills in the ICMPv6 checksum
        csum = 0 if v6 else checksum(hdr + payload)
        pkt = struct.pack("!BBHHH", req_type, 0, csum, ICMP_IDENT, seq) \
            + payload
        s.sendto(pkt, (server, 0))
        deadline = time.monotonic() + TIMEOUT
        while True:
            if time.monotonic() > deadline:
                fail("no echo reply %d from %s" % (seq, server))
            data = s.recv(65536)
            if not v6:
                data = data[(data[0] & 0xf) * 4:]
            t, _, _, ident, rseq = struct.unpack("!BBHHH", data[:8])
            if t == reply_type and ident == ICMP_IDENT and rseq == seq:
                if data[8:] != payload:
                    fail("echo reply %d: wrong payload" % seq)
                break
    s.close()


# Abortive close by the server, then a late segment from the client.

ETH_P_ALL = 3


def abort_with_late_segment(port):
    """GET /abort/...: the server answers, waits until the answer is
    acknowledged and resets the connection (SO_LINGER 0: RST|ACK at its
    snd_nxt).  The client then sends a late data segment on the dead
    connection, as a client whose data crossed the RST would: a segment
    with the connection's next sequence number and ACK.  The server has no
    socket for it any more and answers with a bare RST whose sequence
    number is that ACK: a second RST at the position of the first.  The
    numbers are read from the server's RST|ACK (a packet socket sees it)."""
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
    sniff.bind(("eth0", 0))
    h = Http(SERVER4, CLIENT4, port)
    h.get("/abort/3000/late")
    try:
        extra = h.sock.recv(1)
        if extra:
            fail("data after the answer that precedes the abort")
    except ConnectionResetError:
        pass
    deadline = time.monotonic() + TIMEOUT
    rst = None
    while rst is None:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sniff], [], [], left)[0]:
            fail("the server's RST was not seen")
        frame = sniff.recv(65536)
        if frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ip = frame[14:]
        tcp = ip[(ip[0] & 0xf) * 4:]
        sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
        if sport == HTTP_PORT and dport == port and tcp[13] & 0x04:
            rst = (seq, ack)
    sniff.close()
    h.sock.close()
    server_seq, client_seq = rst
    payload = b"late data after the abort\n"
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)

    def segment(csum):
        return struct.pack("!HHIIBBHHH", port, HTTP_PORT, client_seq,
                           server_seq, 5 << 4, 0x18, 65535, csum, 0) + payload

    pseudo = socket.inet_aton(CLIENT4) + socket.inet_aton(SERVER4) + \
        struct.pack("!BBH", 0, 6, 20 + len(payload))
    raw.sendto(segment(checksum(pseudo + segment(0))), (SERVER4, 0))
    raw.close()


def reuse_timewait(port):
    """A connection the server closes first (its side goes to TIME-WAIT),
    then a new connection from the same client port: the SYN lands on the
    TIME-WAIT socket, and Linux gives the new connection the ISN
    old snd_nxt + 65537 (ahead of the old end)."""
    h = Http(SERVER4, CLIENT4, port)
    h.get("/data/30000/tw1")
    h.get("/close/500/tw1")
    h.wait_eof()
    h.sock.shutdown(socket.SHUT_WR)
    h.wait_state(TCP_INFO_STATE_CLOSE)      # our FIN acknowledged
    h.close()
    h = Http(SERVER4, CLIENT4, port)
    for i in range(5):
        h.get("/data/%d/tw2-%d" % (2000 + 1000 * i, i))
    h.close()


def reuse_after_abort(port, diverge):
    """A large answer, an abortive close by the client (RST, no TIME-WAIT)
    and at once a new connection from the same port.  Linux's ISN for a
    4-tuple is a keyed hash plus a clock that advances 1 per 64 ns, so the
    new ISN lies below the end of the old connection as long as the old
    connection and the reconnect take less than 16 MB x 64 ns = 1 s
    (about 0.1 s here: the answer is sent and received without copies and
    checked only after the reconnect; realpair.py checks the ISNs on the
    capture and runs the pair again where the machine was too slow)."""
    path = "/data/%d/ab1" % BIG_ANSWER
    h = Http(SERVER4, CLIENT4, port)
    old = h.get(path, check=False)      # checked later, outside the window
    h.abort()
    h = Http(SERVER4, CLIENT4, port)
    for i in range(6):
        if diverge and i == 3:
            h.get("/div/5000/1234/ab2")
        else:
            h.get("/data/%d/ab2-%d" % (3000 + 700 * i, i))
    h.close()
    if old != body(BIG_ANSWER, seed_of(path)):
        fail("GET %s: wrong answer" % path)


CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


@case("tcp4")
def case_tcp4():
    keepalive_mix(SERVER4, CLIENT4, 40001)
    bulk_down(SERVER4, CLIENT4, 40002, 4000000)
    bulk_up(SERVER4, CLIENT4, 40003, 4000000)
    small_exchanges(SERVER4, CLIENT4, 40004, 300)
    parallel_short(SERVER4, CLIENT4, 40100, 16)


@case("tcp6")
def case_tcp6():
    keepalive_mix(SERVER6, CLIENT6, 40001)
    bulk_down(SERVER6, CLIENT6, 40002, 2000000)
    bulk_up(SERVER6, CLIENT6, 40003, 2000000)
    small_exchanges(SERVER6, CLIENT6, 40004, 100)
    parallel_short(SERVER6, CLIENT6, 40100, 8)


@case("datagrams")
def case_datagrams():
    udp_echo(SERVER4, CLIENT4, 41001, 20)
    udp_echo(SERVER6, CLIENT6, 41001, 20)
    ping(SERVER4, 5)
    ping(SERVER6, 5)
    udp_big(SERVER4, FRAG4, 41002, [1300, 3000, 5000, 20000])
    udp_big(SERVER6, FRAG6, 41002, [1300, 3000, 5000, 20000])


@case("loss")
def case_loss():
    bulk_down(SERVER4, CLIENT4, 44001, 3000000)
    bulk_up(SERVER4, CLIENT4, 44002, 3000000)
    keepalive_mix(SERVER4, CLIENT4, 44003)
    bulk_down(SERVER6, CLIENT6, 44004, 2000000)


@case("reorder")
def case_reorder():
    bulk_down(SERVER4, CLIENT4, 48001, 2000000)
    keepalive_mix(SERVER4, CLIENT4, 48002)
    bulk_down(SERVER6, CLIENT6, 48003, 1000000)


@case("divergence")
def case_divergence():
    h = Http(SERVER4, CLIENT4, 45001)
    h.get("/data/5000/d1")
    h.get("/data/70000/d2")
    h.get("/div/30000/22222/d3")
    h.get("/data/5000/d4")
    h.close()
    keepalive_mix(SERVER4, CLIENT4, 45002)
    udp_echo(SERVER4, CLIENT4, 45003, 5)


@case("reuse-timewait")
def case_reuse_timewait():
    reuse_timewait(46001)


@case("reuse-abort")
def case_reuse_abort():
    reuse_after_abort(46002, False)


@case("reuse-abort-divergence")
def case_reuse_abort_divergence():
    reuse_after_abort(46003, True)


@case("abort-late")
def case_abort_late():
    abort_with_late_segment(47001)


MARKER_PORT = 9
MARKER = b"gst-colo realpair: end of capture"


def marker():
    """One UDP datagram from the server address: once the capture holds
    it, it holds everything the server sent before."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((SERVER4, MARKER_PORT))
    s.sendto(MARKER, (CLIENT4, MARKER_PORT))
    s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("marker")
    sp = sub.add_parser("server")
    sp.add_argument("--replica", required=True,
                    choices=["primary", "secondary"])
    sp.add_argument("--write-chunk", type=int, default=0)
    sp.add_argument("--nodelay", action="store_true")
    sp.add_argument("--sndbuf", type=int, default=0)
    cp = sub.add_parser("client")
    cp.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    if args.cmd == "server":
        Server(args).run()
    elif args.cmd == "marker":
        marker()
    else:
        CASES[args.case]()
        print("client done", flush=True)


if __name__ == "__main__":
    main()
