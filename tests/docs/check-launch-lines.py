#!/usr/bin/python3
# gst-colo
# Copyright (C) 2026 gst-colo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs every gst-launch-1.0 line documented in README.md and docs/*.md as
written, feeds it traffic and checks what comes out.

A line is taken from the documents (never from a copy here), its pipeline
description is read to find its inputs and outputs (tcpserversrc, udpsrc,
colopcapsrc; tcpserversink, udpsink, colopcapsink, fakesink), and a driver
for that shape plays the primary's and the secondary's traffic:

- colocompare fed by tcpserversrc/udpsrc: matching frames (TCP segmented
  differently on each side), a divergence (released anyway: the lines use
  auto-release=true, and -m must print the miscompare request naming the
  diverged flow), ARP; every primary frame must come out byte-exact, in
  order per flow, and nothing else;
- colodepay alone: framed records and a clean EOS (exit 0), then an
  oversized record, which must be a stream error;
- colopcapsrc files: the line runs in a scratch directory that sees docs/
  and a build/ directory, must exit 0 and write its output file.

Every line must end cleanly on Ctrl-C: it must use -e (EOS on shutdown),
and the lines interrupted here must still release the primary frame that
colocompare was holding when SIGINT came.  Any output line containing
"WARNING" (or gst-launch's "Pipeline construction is invalid") fails the
line.  A line written as `GST_PLUGIN_PATH=PATH gst-launch-1.0 ...` runs
with that plugin path (build/ and $PWD/build/ mean this build tree), and
every GST_PLUGIN_PATH in a code block that names build/gst must name
build/ext too (the colopcap plugin).

A line of any other shape fails the test.  Every wait has a deadline;
every gst-launch-1.0 runs in its own process group, killed on the way out.
The lines use fixed ports: a lock file serialises runs of this test on the
machine, and a port already taken is reported as such.
"""

import argparse
import re
import fcntl
import os
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
import qemurecord  # noqa: E402

TIMEOUT = 30          # seconds: failure bound for every wait
LOCK = os.path.join(tempfile.gettempdir(), "gst-colo-docs-ports.lock")


class Failure(Exception):
    pass


# --- extracting the lines ---------------------------------------------------

def documents(top):
    docs = [os.path.join(top, "README.md")]
    for root, _, files in os.walk(os.path.join(top, "docs")):
        docs += [os.path.join(root, f) for f in sorted(files)
                 if f.endswith(".md")]
    return docs


def code_lines(path):
    """(line number, text) of every line in a code block of a document"""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fenced = False
    for i, raw in enumerate(lines):
        if raw.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or raw.startswith("    ") or raw.startswith("\t"):
            yield i + 1, raw


def plugin_path_problems(top):
    """GST_PLUGIN_PATH values in code blocks that name the build tree's
    colo plugin (build/gst) but not its colopcap plugin (build/ext)"""
    problems = []
    for path in documents(top):
        for lineno, raw in code_lines(path):
            for m in re.finditer(r"GST_PLUGIN_PATH=(\S+)", raw):
                value = m.group(1).strip("\"'")
                entries = [e.rstrip("/") for e in value.split(":")]
                if any(e.endswith("build/gst") for e in entries) and \
                        not any(e.endswith("build/ext") for e in entries):
                    problems.append("%s:%d: GST_PLUGIN_PATH=%s lacks "
                                    "build/ext (colopcapsrc, colopcapsink)"
                                    % (os.path.relpath(path, top), lineno,
                                       value))
    return problems


def documented_lines(top):
    """(file, line number, command) for every gst-launch-1.0 line in a code
    block (indented or fenced), continuation lines joined; the command may
    start with a GST_PLUGIN_PATH=... assignment."""
    found = []
    for path in documents(top):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        fenced = False
        i = 0
        while i < len(lines):
            raw = lines[i]
            if raw.lstrip().startswith("```"):
                fenced = not fenced
            in_code = fenced or raw.startswith("    ") or raw.startswith("\t")
            text = raw.strip()
            start = i
            if in_code and (text.startswith("gst-launch-1.0") or re.match(
                    r"GST_PLUGIN_PATH=\S+ gst-launch-1.0", text)):
                cmd = text
                while cmd.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    cmd = cmd[:-1].rstrip() + " " + lines[i].strip()
                found.append((os.path.relpath(path, top), start + 1, cmd))
            i += 1
    return found


# --- reading a pipeline description ------------------------------------------

class Element:
    def __init__(self, factory):
        self.factory = factory      # factory name, caps or "name.pad"
        self.props = {}

    def __repr__(self):
        return self.factory


def parse_pipeline(argv):
    """Chains of Elements from gst-launch-1.0's arguments (options
    dropped).  Enough of the syntax for documented lines: elements with
    name=value properties, '!' links, 'name.pad' references."""
    args = argv[1:]
    while args and args[0].startswith("-"):
        args = args[1:]
    chains, chain, want_element = [], [], True
    for tok in args:
        if tok == "!":
            if not chain or want_element:
                raise Failure("dangling '!'")
            want_element = True
        elif want_element or "=" not in tok:
            if not want_element:       # a new chain starts
                chains.append(chain)
                chain = []
            chain.append(Element(tok))
            want_element = False
        else:
            key, _, value = tok.partition("=")
            chain[-1].props[key] = value
    if chain:
        chains.append(chain)
    return chains


def is_true(value):
    return value is not None and value.lower() in ("true", "1", "yes")


# --- frames --------------------------------------------------------------------

def ip_checksum(hdr):
    s = sum(struct.unpack(">%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4_frame(proto, l4, ttl, ip_id):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ip_id, 0, ttl,
                      proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    hdr = hdr[:10] + struct.pack(">H", ip_checksum(hdr)) + hdr[12:]
    eth = bytes.fromhex("525400000002525400000001") + b"\x08\x00"
    return eth + hdr + l4


def udp_frame(sport, payload, side):
    l4 = struct.pack(">HHHH", sport, 53, 8 + len(payload), 0) + payload
    # the secondary's IP headers differ: the comparison ignores them
    return ipv4_frame(17, l4, 64 if side == 0 else 63, 1 if side == 0 else 9)


def tcp_frame(off, length, side):
    data = bytes((off + i) * 7 % 251 for i in range(length))
    l4 = struct.pack(">HHIIBBHHH", 80, 40000, 1000 + off, 5000, 5 << 4, 0x18,
                     65535, 0, 0) + data
    return ipv4_frame(6, l4, 64 if side == 0 else 63, 1 if side == 0 else 9)


def arp_frame(marker):
    return (b"\xff" * 6 + bytes.fromhex("5254000000aa") + b"\x08\x06" +
            struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) +
            bytes.fromhex("5254000000aa") + bytes([10, 0, 0, marker]) +
            b"\x00" * 6 + bytes([10, 0, 0, 2]))


# the probe goes through at once (not IP); the driver sends it until it
# comes out, so that the pipeline is known to be up
PROBE = arp_frame(99)


def traffic():
    """(primary frames as [(flow, frame)], secondary frames, diverged
    source port)"""
    p, s = [], []
    for i in range(3):
        text = b"udp datagram %d" % i
        p.append((0, udp_frame(1000, text, 0)))
        s.append(udp_frame(1000, text, 1))
    # 3 x 500 bytes against 1 x 1500, then 1000 against 2 x 500
    for i in range(3):
        p.append((1, tcp_frame(i * 500, 500, 0)))
    s.append(tcp_frame(0, 1500, 1))
    p.append((1, tcp_frame(1500, 1000, 0)))
    s += [tcp_frame(1500, 500, 1), tcp_frame(2000, 500, 1)]
    p.append((2, arp_frame(1)))
    s.append(arp_frame(1))
    # diverged: released only thanks to auto-release
    p.append((3, udp_frame(2000, b"diverges here: A", 0)))
    s.append(udp_frame(2000, b"diverges here: B", 1))
    return p, s, 2000


# sent by the primary alone, once everything else came out, just before
# the line is ended: colocompare holds it (no twin, and well within
# compare-timeout), and only EOS (Ctrl-C with -e, or both inputs ending)
# releases it
HELD = udp_frame(3000, b"held until EOS", 0)


class Expected:
    """Primary frames expected out: byte-exact, in order per flow; the
    order across flows is not fixed."""

    def __init__(self, frames):
        self.flows = {}
        for flow, frame in frames:
            self.flows.setdefault(flow, []).append(frame)

    def take(self, unit):
        if unit == PROBE:
            return
        for queue in self.flows.values():
            if queue and queue[0] == unit:
                queue.pop(0)
                return
        raise Failure("released a %d-byte frame that is not the next "
                      "primary frame of any flow" % len(unit))

    def done(self):
        return not any(self.flows.values())


def record(frame, vnet):
    """QEMU's framing (with a 12-byte virtio-net header when vnet)"""
    return qemurecord.encode(frame, b"\x00" * 12 if vnet else b"", vnet)


# --- processes and sockets -------------------------------------------------------

class Launch:
    """One documented line, run as written, in its own process group."""

    def __init__(self, argv, gst_launch, env, cwd, scratch):
        self.log_path = os.path.join(scratch, "gst-launch.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([gst_launch] + argv[1:], env=env,
                                     cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait(self):
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("gst-launch-1.0 did not end within %d s" % TIMEOUT)

    def running(self):
        return self.proc.poll() is None

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)
        return self.wait()

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def deadline():
    return time.monotonic() + TIMEOUT


def tcp_connect(host, port, launch):
    """Connects once the line listens (retried until the deadline)."""
    end = deadline()
    while True:
        try:
            s = socket.create_connection((host, port), timeout=TIMEOUT)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
        except OSError:
            if not launch.running():
                raise Failure("gst-launch-1.0 exited before listening on "
                              "port %d" % port)
            if time.monotonic() > end:
                raise Failure("nothing listens on %s:%d" % (host, port))
            time.sleep(0.05)


def send_split(sock, data, pieces):
    """Writes data cut at arbitrary points (records across writes)."""
    off, i = 0, 0
    while off < len(data):
        n = pieces[i % len(pieces)]
        sock.sendall(data[off:off + n])
        off += n
        i += 1


def check_port_free(kind, host, port):
    s = socket.socket(socket.AF_INET, kind)
    # as GStreamer binds: connections in TIME_WAIT do not count
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
    except OSError as e:
        raise Failure("port %s:%d is taken (%s): stop what uses it"
                      % (host, port, e))
    finally:
        s.close()


# --- drivers ---------------------------------------------------------------------

def find(chains, factory):
    return [e for c in chains for e in c if e.factory == factory]


def input_sides(chains, comp_name):
    """{0: primary chain, 1: secondary chain} from 'name.primary' links"""
    sides = {}
    for chain in chains:
        last = chain[-1].factory
        for side, pad in ((0, "primary"), (1, "secondary")):
            if last == "%s.%s" % (comp_name, pad):
                sides[side] = chain
    if len(sides) != 2:
        raise Failure("colocompare's primary and secondary inputs must be "
                      "linked as %s.primary and %s.secondary"
                      % (comp_name, comp_name))
    return sides


def drive_compare(argv, chains, run):
    comp = find(chains, "colocompare")[0]
    if not is_true(comp.props.get("auto-release")):
        raise Failure("a colocompare line needs auto-release=true to run "
                      "without an application")
    if "-m" not in argv[1:]:
        raise Failure("a colocompare line should print its checkpoint "
                      "requests (-m)")
    name = comp.props.get("name")
    sides = input_sides(chains, name)
    out_chain = next(c for c in chains if c[0] is comp)
    out = out_chain[-1]
    src = [sides[i][0] for i in (0, 1)]
    framed = [any(e.factory == "colodepay" for e in sides[i]) for i in (0, 1)]
    vnet_in = [any(e.factory == "colodepay" and is_true(e.props.get(
        "vnet-hdr")) for e in sides[i]) for i in (0, 1)]
    pay = [e for e in out_chain if e.factory == "colopay"]
    vnet_out = bool(pay) and is_true(pay[0].props.get("vnet-hdr"))

    for i in (0, 1):
        if src[i].factory == "tcpserversrc" and not framed[i]:
            raise Failure("tcpserversrc without colodepay")
        if src[i].factory not in ("tcpserversrc", "udpsrc"):
            raise Failure("no driver for input %s" % src[i].factory)
    if out.factory == "tcpserversink" and not pay:
        raise Failure("tcpserversink without colopay")
    if out.factory not in ("tcpserversink", "udpsink"):
        raise Failure("no driver for output %s" % out.factory)

    def host(e):
        return e.props.get("host", e.props.get("address", "127.0.0.1"))

    for i in (0, 1):
        kind = (socket.SOCK_STREAM if src[i].factory == "tcpserversrc"
                else socket.SOCK_DGRAM)
        check_port_free(kind, host(src[i]), int(src[i].props["port"]))
    if out.factory == "tcpserversink":
        check_port_free(socket.SOCK_STREAM, host(out), int(out.props["port"]))

    primary, secondary, diverged_port = traffic()
    expected = Expected(primary)
    frames = [[f for _, f in primary], secondary]

    # the output's reader exists before the line starts
    rx = None
    if out.factory == "udpsink":
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind((host(out), int(out.props["port"])))
        rx.settimeout(0.2)
    launch = run(argv)
    try:
        if out.factory == "tcpserversink":
            rx = tcp_connect(host(out), int(out.props["port"]), launch)
        tx = []
        for i in (0, 1):
            if src[i].factory == "tcpserversrc":
                tx.append(tcp_connect(host(src[i]), int(src[i].props["port"]),
                                      launch))
            else:
                tx.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

        def send(i, frame_list):
            if src[i].factory == "tcpserversrc":
                data = b"".join(record(f, vnet_in[i]) for f in frame_list)
                send_split(tx[i], data, [1, 5, 3, 700, 2, 1500, 6])
            else:
                for f in frame_list:
                    tx[i].sendto(f, (host(src[i]), int(src[i].props["port"])))

        pending = bytearray()

        def receive(timeout):
            """the next released frame; None when none came in time, b""
            once the line closed the connection"""
            rx.settimeout(timeout)
            if out.factory == "udpsink":
                try:
                    return rx.recv(70000)
                except socket.timeout:
                    return None
            hsize = 8 if vnet_out else 4
            end = time.monotonic() + timeout
            while True:
                if len(pending) >= hsize:
                    length = struct.unpack(">I", pending[:4])[0]
                    if len(pending) >= hsize + length:
                        if vnet_out and \
                                struct.unpack(">I", pending[4:8])[0] != 12:
                            raise Failure("released record lost its "
                                          "vnet_hdr_len")
                        unit = bytes(pending[hsize:hsize + length])
                        del pending[:hsize + length]
                        return unit[12:] if vnet_out else unit
                left = end - time.monotonic()
                if left <= 0:
                    return None
                rx.settimeout(left)
                try:
                    chunk = rx.recv(65536)
                except socket.timeout:
                    return None
                if not chunk:
                    if pending:
                        raise Failure("connection closed inside a record")
                    return b""
                pending.extend(chunk)

        # the pipeline is up once a probe made it through
        end = deadline()
        while True:
            send(0, [PROBE])
            unit = receive(0.2)
            if unit is not None:
                expected.take(unit)
                break
            if not launch.running() or time.monotonic() > end:
                raise Failure("no probe frame came through")

        send(1, frames[1])
        send(0, frames[0])
        end = deadline()
        while not expected.done():
            if time.monotonic() > end:
                raise Failure("primary frames not released: %s" %
                              {k: len(v) for k, v in expected.flows.items()})
            unit = receive(1.0)
            if unit is not None:
                expected.take(unit)

        # a frame colocompare holds when the line is ended
        expected.flows["held"] = [HELD]
        send(0, [HELD])
        time.sleep(0.2)

        if src[0].factory == "tcpserversrc" and \
                src[1].factory == "tcpserversrc":
            # both chardevs disconnect: EOS, the line ends by itself
            for s in tx:
                s.close()
            rc = launch.wait()
        else:
            rc = launch.interrupt()
        for s in tx:
            s.close()
        if rc != 0:
            raise Failure("gst-launch-1.0 exited with %d" % rc)
        # nothing but probes after the expected frames
        while True:
            unit = receive(0.2)
            if unit is None or unit == b"":
                break
            expected.take(unit)
        if not expected.done():
            raise Failure("the frame colocompare held was not released when "
                          "the line ended (Ctrl-C without -e loses it)")
    except (socket.timeout, ConnectionError) as e:
        raise Failure("socket: %s" % e)
    finally:
        if rx is not None:
            rx.close()

    log = launch.output()
    requests = [l for l in log.split("\n") if "colo-checkpoint," in l]
    if not any("reason=(string)miscompare" in l and
               "src-port=(uint)%d" % diverged_port in l for l in requests):
        raise Failure("no miscompare request for port %d printed:\n%s"
                      % (diverged_port, "\n".join(requests) or log))


def drive_depay(argv, chains, run):
    chain = chains[0]
    src, sink = chain[0], chain[-1]
    depay = [e for e in chain if e.factory == "colodepay"]
    if len(chains) != 1 or src.factory != "tcpserversrc" or not depay or \
            sink.factory != "fakesink":
        raise Failure("no driver for this colodepay line")
    vnet = is_true(depay[0].props.get("vnet-hdr"))
    host = src.props.get("host", "127.0.0.1")
    port = int(src.props["port"])
    frames = [f for _, f in traffic()[0]]

    # valid records, cut anywhere: a clean EOS when the client leaves
    check_port_free(socket.SOCK_STREAM, host, port)
    launch = run(argv)
    s = tcp_connect(host, port, launch)
    send_split(s, b"".join(record(f, vnet) for f in frames), [3, 1, 900, 7])
    s.close()
    rc = launch.wait()
    log = launch.output()
    if rc != 0 or "Got EOS" not in log:
        raise Failure("valid records: exit %d\n%s" % (rc, log))

    # an oversized record: a stream error, exit != 0
    check_port_free(socket.SOCK_STREAM, host, port)
    launch = run(argv)
    s = tcp_connect(host, port, launch)
    s.sendall(struct.pack(">II", 0x100000, 0) + b"garbage")
    rc = launch.wait()
    s.close()
    log = launch.output()
    if rc == 0 or "Invalid record" not in log:
        raise Failure("oversized record: exit %d\n%s" % (rc, log))


def drive_files(argv, chains, run, scratch, top):
    """colopcapsrc/colopcapsink lines: run where docs/ and build/ exist."""
    os.symlink(os.path.join(top, "docs"), os.path.join(scratch, "docs"))
    os.mkdir(os.path.join(scratch, "build"))
    outputs = [e.props["location"] for e in find(chains, "colopcapsink")]
    launch = run(argv, cwd=scratch)
    rc = launch.wait()
    log = launch.output()
    if rc != 0:
        raise Failure("exit %d\n%s" % (rc, log))
    for loc in outputs:
        path = os.path.join(scratch, loc)
        if not os.path.exists(path) or os.path.getsize(path) <= 24:
            raise Failure("%s not written" % loc)
    if find(chains, "colocompare") and "-m" in argv[1:] and \
            "colo-checkpoint," not in log:
        raise Failure("no colo-checkpoint request printed")


def check_output(log):
    """every line of output that warns"""
    return [l for l in log.split("\n") if "WARNING" in l or
            "Pipeline construction is invalid" in l]


def check_line(argv, gst_launch, env, top):
    options = []
    for a in argv[1:]:
        if not a.startswith("-"):
            break
        options.append(a)
    if "-e" not in options and "--eos-on-shutdown" not in options:
        raise Failure("no -e: Ctrl-C would stop the pipeline without EOS "
                      "and lose the frames colocompare holds")
    chains = parse_pipeline(argv)
    factories = {e.factory for c in chains for e in c}
    with tempfile.TemporaryDirectory() as scratch:
        launches = []

        def run(a, cwd=None):
            launch = Launch(a, gst_launch, env, cwd or scratch, scratch)
            launches.append(launch)
            return launch

        try:
            if "colopcapsrc" in factories:
                drive_files(argv, chains, run, scratch, top)
            elif "colocompare" in factories:
                drive_compare(argv, chains, run)
            elif "colodepay" in factories:
                drive_depay(argv, chains, run)
            else:
                raise Failure("no driver for a line with %s"
                              % ", ".join(sorted(factories)))
            for launch in launches:
                warnings = check_output(launch.output())
                if warnings:
                    raise Failure("output warns:\n" + "\n".join(warnings))
        except Failure as e:
            out = launches[-1].output() if launches else ""
            raise Failure("%s\n--- gst-launch-1.0 output ---\n%s"
                          % (e, out[-3000:]))
        finally:
            for launch in launches:
                launch.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", required=True, help="source tree")
    ap.add_argument("--plugin-path", required=True,
                    help="the build tree's plugin directories")
    ap.add_argument("--gst-launch", default="gst-launch-1.0")
    ap.add_argument("--registry", required=True)
    args = ap.parse_args()
    # meson's timeout sends SIGTERM: unwind, so that the finally clauses
    # kill the gst-launch-1.0 process groups
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAIL: terminated"))

    env = dict(os.environ)
    # the _1_0 variants would take precedence over ours
    for var in ("GST_PLUGIN_PATH_1_0", "GST_REGISTRY_1_0",
                "GST_PLUGIN_SYSTEM_PATH", "GST_PLUGIN_SYSTEM_PATH_1_0",
                "GST_PLUGIN_LOADING_WHITELIST", "GST_DEBUG"):
        env.pop(var, None)
    env["GST_PLUGIN_PATH"] = os.pathsep.join(
        os.path.abspath(p) for p in args.plugin_path.split(os.pathsep))
    env["GST_REGISTRY"] = os.path.abspath(args.registry)
    args.top = os.path.abspath(args.top)

    if not shutil.which(args.gst_launch):
        print("FAIL: %s not found (Debian: gstreamer1.0-tools)"
              % args.gst_launch)
        return 1

    lines = documented_lines(args.top)
    if not lines:
        print("FAIL: no gst-launch-1.0 line found in the documents")
        return 1

    # the lines use fixed ports: one run at a time on this machine
    lock = open(LOCK, "w")
    end = deadline() + 60
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() > end:
                print("FAIL: another run holds %s" % LOCK)
                return 1
            time.sleep(0.2)

    failed = 0
    for problem in plugin_path_problems(args.top):
        failed += 1
        print("FAIL " + problem)
    # the build tree: the parent of the first plugin directory
    build_root = os.path.dirname(env["GST_PLUGIN_PATH"].split(os.pathsep)[0])
    for path, lineno, cmd in lines:
        where = "%s:%d" % (path, lineno)
        argv = shlex.split(cmd)
        line_env = env
        if argv[0].startswith("GST_PLUGIN_PATH="):
            # the documented plugin path, in this build tree
            line_env = dict(env)
            line_env["GST_PLUGIN_PATH"] = os.pathsep.join(
                re.sub(r"^(\$PWD/|\$\{PWD\}/)?build(?=/|$)", build_root, e)
                for e in argv[0].partition("=")[2].split(":"))
            argv = argv[1:]
        try:
            check_line(argv, args.gst_launch, line_env, args.top)
            print("ok   %s: %s" % (where, cmd))
        except Failure as e:
            failed += 1
            print("FAIL %s: %s\n%s" % (where, cmd, e))
    print("%d documented line(s), %d failed" % (len(lines), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
