#!/usr/bin/python3
# gst-colo replica-pair test: two real Linux network stacks, one case.
#
# Copyright (C) 2026 gst-colo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   realpair.py CASE [--keep DIR]        (as root; see README.md)
#
# Builds a primary and a secondary replica out of network namespaces (same
# addresses and MACs, different MTU, offloads, socket buffers and write
# sizes, and per case loss on the secondary), runs the same servers and
# client (workload.py) in each, captures each server's output, moves the
# secondary's TCP sequence numbers to the primary's ISNs (capture.py),
# feeds both captures through colocompare and checks what it asked for and
# what it released against what the captures say it must.
#
# Exit status: 0 pass, 1 fail, 77 skip (only when network namespaces
# cannot be created: not root / no CAP_NET_ADMIN).

import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import capture as cap  # noqa: E402
import workload as wl  # noqa: E402

PY = "/usr/bin/python3"
WORKLOAD = os.path.join(HERE, "workload.py")
SKIP = 77
PREFIX = "gcrp"            # namespace names: gcrp<pid>-<case>-<p|s><s|c>
BOUND = 60.0               # failure bound for any wait, seconds

CAPTURE_BUFFER_KIB = 65536
SERVER_MAC, CLIENT_MAC = "02:c0:10:00:00:01", "02:c0:10:00:00:02"
SERVER_ADDRS = {wl.SERVER4, wl.SERVER6}


class Failure(Exception):
    pass


class Precondition(Failure):
    """The run did not produce the situation the case is about (checked on
    the captures, before colocompare sees them)."""


class Skip(Exception):
    pass


ATTEMPTS = 3   # runs of the replica pair for a case's precondition


def log(msg=""):
    print(msg, flush=True)


def run(cmd, input=None, timeout=BOUND):
    r = subprocess.run(cmd, input=input, capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode != 0:
        raise Failure("%s: exit %d\n%s%s" % (" ".join(cmd), r.returncode,
                                              r.stdout, r.stderr))
    return r.stdout


def wait_for(what, pred, bound=BOUND, step=0.005):
    """Polls pred until it is true; reaching the bound is a failure."""
    deadline = time.monotonic() + bound
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(step)


# --- namespaces -------------------------------------------------------------

class Namespaces:
    """Every namespace this run creates, and every process it starts in
    them; cleanup() removes both, on any exit path."""

    def __init__(self):
        self.names = []
        self.procs = []

    def add(self, name):
        r = subprocess.run(["ip", "netns", "add", name], capture_output=True,
                           text=True)
        if r.returncode != 0:
            if "Operation not permitted" in r.stderr or \
                    "Permission denied" in r.stderr:
                raise Skip("cannot create network namespaces (%s): the "
                           "replica-pair test needs root or CAP_NET_ADMIN "
                           "and CAP_SYS_ADMIN" % r.stderr.strip())
            raise Failure("ip netns add %s: %s" % (name, r.stderr.strip()))
        self.names.append(name)

    def popen(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for name in self.names:
            delete_namespace(name)
        self.names = []


def delete_namespace(name):
    # processes still inside a namespace of ours were started by this test
    r = subprocess.run(["ip", "netns", "pids", name], capture_output=True,
                       text=True)
    for pid in r.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


def sweep_stale():
    """Removes namespaces left by runs of this test that were killed
    (SIGKILL leaves no chance to clean up): their pid is gone."""
    r = subprocess.run(["ip", "netns", "list"], capture_output=True,
                       text=True)
    for line in r.stdout.splitlines():
        m = re.match(r"(%s(\d+)-\S+)" % PREFIX, line)
        if m and not os.path.exists("/proc/%s" % m.group(2)):
            delete_namespace(m.group(1))


# --- replicas -------------------------------------------------------------

class Replica:
    """A server namespace and a client namespace joined by a veth pair,
    addresses and MACs the same in every replica."""

    def __init__(self, ns, prefix, role, mtu, offload, server_args,
                 nft_server="", nft_client="", tc_server=()):
        self.ns, self.role = ns, role
        self.srv = "%s-%ss" % (prefix, role[0])
        self.cli = "%s-%sc" % (prefix, role[0])
        self.mtu, self.offload = mtu, offload
        self.server_args = server_args
        self.nft_server, self.nft_client = nft_server, nft_client
        self.tc_server = tc_server

    def ip(self, ns, *args):
        run(["ip", "-n", ns] + list(args))

    def setup(self):
        self.ns.add(self.srv)
        self.ns.add(self.cli)
        self.ip(self.srv, "link", "add", "eth0", "type", "veth", "peer",
                "name", "eth0", "netns", self.cli)
        ends = ((self.srv, SERVER_MAC, [wl.SERVER4 + "/24",
                                        wl.SERVER6 + "/64"]),
                (self.cli, CLIENT_MAC, [wl.CLIENT4 + "/24", wl.FRAG4 + "/24",
                                        wl.CLIENT6 + "/64",
                                        wl.FRAG6 + "/64"]))
        for ns, mac, addrs in ends:
            self.ip(ns, "link", "set", "lo", "up")
            # no link-local address: no DAD, no router solicitations
            self.ip(ns, "link", "set", "eth0", "address", mac, "mtu",
                    str(self.mtu), "addrgenmode", "none")
            for a in addrs:
                self.ip(ns, "addr", "add", a, "dev", "eth0",
                        *(["nodad"] if ":" in a else []))
            self.ip(ns, "link", "set", "eth0", "up")
        # static neighbours: no ARP, no neighbour discovery in the captures
        for a in (wl.CLIENT4, wl.FRAG4, wl.CLIENT6, wl.FRAG6):
            self.ip(self.srv, "neigh", "add", a, "lladdr", CLIENT_MAC, "dev",
                    "eth0", "nud", "permanent")
        for a in (wl.SERVER4, wl.SERVER6):
            self.ip(self.cli, "neigh", "add", a, "lladdr", SERVER_MAC, "dev",
                    "eth0", "nud", "permanent")
        # the fragment addresses: route MTU 1280 in every replica
        self.ip(self.srv, "route", "add", wl.FRAG4 + "/32", "dev", "eth0",
                "mtu", "lock", "1280")
        self.ip(self.srv, "-6", "route", "add", wl.FRAG6 + "/128", "dev",
                "eth0", "mtu", "lock", "1280")
        if not self.offload:
            run(["ip", "netns", "exec", self.srv, "ethtool", "-K", "eth0",
                 "tso", "off", "gso", "off"])
        for ns, rules in ((self.srv, self.nft_server),
                          (self.cli, self.nft_client)):
            if rules:
                run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
                    input=rules)
        for cmd in self.tc_server:
            run(["ip", "netns", "exec", self.srv, "tc"] + cmd.split())

    def describe(self):
        return "%s: MTU %d, TSO/GSO %s, server %s%s%s" % (
            self.role, self.mtu, "on" if self.offload else "off",
            " ".join(self.server_args) or "(defaults)",
            "; nft in server namespace" if self.nft_server else "",
            "; nft in client namespace" if self.nft_client else "")

    def nft_counter(self, ns, name):
        out = run(["ip", "netns", "exec", ns, "nft", "-j", "list", "counter",
                   "inet", "realpair", name])
        for obj in json.loads(out)["nftables"]:
            if "counter" in obj:
                return obj["counter"]["packets"]
        raise Failure("no nft counter " + name)

    def read_counters(self):
        """The nft counters of both namespaces, kept for the checks."""
        self.counters = {}
        for ns, rules in ((self.srv, self.nft_server),
                          (self.cli, self.nft_client)):
            for name in re.findall(r"counter (\w+) \{", rules):
                self.counters[name] = self.nft_counter(ns, name)

    def quiet(self):
        """No TCP socket in either namespace other than listeners and
        TIME-WAIT: every connection has ended on both ends."""
        for ns in (self.srv, self.cli):
            out = run(["ip", "netns", "exec", ns, "ss", "-tanH"])
            for line in out.splitlines():
                if line.split()[0] not in ("LISTEN", "TIME-WAIT"):
                    return False
        return True

    def run_case(self, case, workdir):
        """Runs the client against the server with the capture running;
        returns the server's output frames."""
        pcap = os.path.join(workdir, self.role + "-raw.pcap")
        tcpdump = self.ns.popen(
            ["ip", "netns", "exec", self.srv, "tcpdump", "-i", "eth0", "-Q",
             "out", "-n", "-U", "--immediate-mode", "-s", "262144",
             # a ring larger than anything a case sends: nothing is
             # dropped even if tcpdump does not get the CPU for a while
             "-B", str(CAPTURE_BUFFER_KIB), "-w",
             pcap, "(ip and src host %s) or (ip6 and src host %s)"
             % (wl.SERVER4, wl.SERVER6)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        errlines = []

        def read_err():
            for line in tcpdump.stderr:
                errlines.append(line.decode(errors="replace"))

        threading.Thread(target=read_err, daemon=True).start()
        wait_for("tcpdump to listen",
                 lambda: any("listening on" in l for l in errlines)
                 or tcpdump.poll() is not None)
        if tcpdump.poll() is not None:
            raise Failure("tcpdump failed:\n" + "".join(errlines))

        server = self.ns.popen(
            ["ip", "netns", "exec", self.srv, PY, WORKLOAD, "server",
             "--replica", self.role] + self.server_args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if not select.select([server.stdout], [], [], BOUND)[0] or \
                server.stdout.readline() != b"ready\n":
            raise Failure("the %s server did not start" % self.role)

        try:
            r = subprocess.run(["ip", "netns", "exec", self.cli, PY,
                                WORKLOAD, "client", case.name],
                               capture_output=True, text=True, timeout=BOUND)
        except subprocess.TimeoutExpired as e:
            raise Failure("the client did not finish against the %s in %d s:"
                          "\n%s%s" % (self.role, BOUND, e.stdout or "",
                                       e.stderr or ""))
        if r.returncode != 0:
            raise Failure("the client failed against the %s:\n%s%s"
                          % (self.role, r.stdout, r.stderr))
        if case.wait_done:
            case.wait_done(self, pcap)
        wait_for("every connection of the %s to end" % self.role, self.quiet)

        run(["ip", "netns", "exec", self.srv, PY, WORKLOAD, "marker"])
        frames = wait_for("the end marker in the %s capture" % self.role,
                          lambda: until_marker(pcap))
        tcpdump.send_signal(signal.SIGINT)
        tcpdump.wait(timeout=BOUND)
        dropped = [l for l in errlines if "dropped by kernel" in l]
        if not dropped or not dropped[0].startswith("0 "):
            raise Failure("the %s capture is incomplete: %s"
                          % (self.role, "".join(errlines)))
        server.stdin.close()
        server.wait(timeout=BOUND)
        if server.returncode != 0:
            raise Failure("the %s server exited with %d"
                          % (self.role, server.returncode))
        return frames


def until_marker(pcap):
    """The frames before the end marker, once the capture holds it."""
    try:
        with open(pcap, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    header, frames = cap.parse_pcap(raw, partial=True)
    for i, f in enumerate(frames):
        if f.proto == 17 and f.sport == wl.MARKER_PORT and \
                f.data.endswith(wl.MARKER):
            return header, frames[:i]
    return None


# --- the cases ------------------------------------------------------------

PRIMARY = dict(mtu=1500, offload=True, server_args=[])
# Same byte streams, other segmentation: smaller MTU, no TSO/GSO, a small
# send buffer, header and body written separately in 1000-byte writes,
# TCP_NODELAY.
SECONDARY = dict(mtu=1400, offload=False,
                 server_args=["--write-chunk", "1000", "--nodelay",
                              "--sndbuf", "65536"])

# Loss on the secondary: every 8th data segment from the server is dropped
# on arrival in the client namespace (after the capture: the secondary's
# stack retransmits it, out of order behind the segments sent meanwhile),
# every 8th data segment from the client is dropped on arrival in the
# server namespace (the secondary answers with duplicate ACKs and SACKs).
# SYN, FIN and RST are never dropped: only recovery by retransmission.
LOSS_CLIENT = """
table inet realpair {
  counter lost_down { }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp sport 8000 tcp flags & (fin | syn | rst) == 0 meta length > 300 \
      numgen inc mod 8 == 0 counter name lost_down drop
  }
}
"""
LOSS_SERVER = """
table inet realpair {
  counter lost_up { }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8000 tcp flags & (fin | syn | rst) == 0 meta length > 300 \
      numgen inc mod 8 == 0 counter name lost_up drop
  }
}
"""

# The bare RST that answers the late segment: counted in both replicas,
# dropped (never sent) in the secondary, which is "a little behind".
LATE_RST = """
table inet realpair {
  counter late_rst { }
  chain output {
    type filter hook output priority 0; policy accept;
    tcp sport 8000 tcp dport 47001 tcp flags & (rst | ack) == rst \
      counter name late_rst %s
  }
}
"""


HOLES = ("qdisc add dev eth0 root handle 1: tbf rate 200mbit burst 16k "
         "latency 100ms",
         "qdisc add dev eth0 parent 1:1 handle 10: pfifo_head_drop limit 4")


def check_holes(p, s, replicas):
    holes = 0
    for inst in cap.instances(s, SERVER_ADDRS)[0]:
        high = None
        for f in inst.frames:
            if high is not None and cap.seq_gt(f.seq, high):
                holes += 1
            if high is None or cap.seq_gt(f.end, high):
                high = f.end
    if holes == 0:
        raise Precondition("the secondary's output has no hole")
    return ["the secondary's output has %d hole(s) filled later (segments "
            "after a gap: the queue on its link dropped frames after its "
            "stack had sent them)" % holes]


class Case:
    def __init__(self, name, what, diverges=False, primary=None,
                 secondary=None, wait_done=None, check=None):
        self.name, self.what, self.diverges = name, what, diverges
        self.primary = dict(PRIMARY, **(primary or {}))
        self.secondary = dict(SECONDARY, **(secondary or {}))
        self.wait_done, self.check = wait_done, check


def only(instances, port, n):
    found = [i for i in instances if i.key[5] == port]
    if len(found) != n:
        raise Failure("expected %d connection instance(s) on client port %d, "
                      "the capture has %d" % (n, port, len(found)))
    return found


def check_reuse_ahead(port):
    def check(p, s, replicas):
        old, new = only(cap.instances(p, SERVER_ADDRS)[0], port, 2)
        d = (new.isn - old.end) % cap.MOD
        if not 0 < d < 1 << 31:
            raise Precondition("the new ISN %u is not ahead of the "
                          "old end %u" % (new.isn, old.end))
        return ["port reuse from TIME-WAIT: old connection ISN %u ends at %u; "
                "new ISN %u = old end + %d (ahead)" % (old.isn, old.end,
                                                      new.isn, d)]
    return check


def check_reuse_below(port):
    def check(p, s, replicas):
        old, new = only(cap.instances(p, SERVER_ADDRS)[0], port, 2)
        if not (cap.seq_gt(new.isn, old.isn) and
                cap.seq_gt(old.end, new.isn)):
            raise Precondition("the new ISN %u is not inside the "
                          "old connection [%u, %u)" % (new.isn, old.isn,
                                                       old.end))
        return ["port reuse after an abortive close: old connection ISN %u "
                "ends at %u; new ISN %u = old end - %d (below)"
                % (old.isn, old.end, new.isn, (old.end - new.isn) % cap.MOD)]
    return check


def rsts(frames, port):
    return [f for f in frames if f.is_tcp and f.dport == port
            and f.flags & cap.TCP_RST and f.src in SERVER_ADDRS]


def wait_late_rst(replica, pcap):
    """The late segment's answer: in the primary's capture, or counted
    (and dropped) by nft in the secondary."""
    if replica.role == "primary":
        def seen():
            try:
                with open(pcap, "rb") as fh:
                    _, frames = cap.parse_pcap(fh.read(), partial=True)
            except FileNotFoundError:
                return False
            return any(f.flags == cap.TCP_RST for f in rsts(frames, 47001))
        wait_for("the RST answering the late segment in the capture", seen)
    else:
        wait_for("the secondary's RST answering the late segment",
                 lambda: replica.nft_counter(replica.srv, "late_rst") >= 1)


def check_late_rst(p, s, replicas):
    pr, sr = rsts(p, 47001), rsts(s, 47001)
    kinds = lambda rs: ["RST|ACK" if f.flags & cap.TCP_ACK else "RST"
                        for f in rs]
    if kinds(pr) != ["RST|ACK", "RST"] or kinds(sr) != ["RST|ACK"] or \
            pr[0].seq != pr[1].seq or sr[0].seq != pr[0].seq:
        raise Precondition("want RST|ACK then RST at one position "
                      "from the primary and RST|ACK there from the "
                      "secondary; got %s and %s" % (
                          [(k, f.seq) for k, f in zip(kinds(pr), pr)],
                          [(k, f.seq) for k, f in zip(kinds(sr), sr)]))
    return ["abortive close: primary RST|ACK and RST at seq %u, secondary "
            "RST|ACK only" % pr[0].seq]


def check_loss(p, s, replicas):
    down = replicas[1].counters["lost_down"]
    up = replicas[1].counters["lost_up"]
    # segments the secondary sent again (by the captures' own account)
    retrans = 0
    for inst in cap.instances(s, SERVER_ADDRS)[0]:
        high = None
        for f in inst.frames:
            if f.tcp_payload() and high is not None and \
                    not cap.seq_gt(f.end, high):
                retrans += 1
            if high is None or cap.seq_gt(f.end, high):
                high = f.end
    if down == 0 or up == 0 or retrans == 0:
        raise Precondition("no loss happened (dropped %d down, %d "
                      "up, %d retransmissions)" % (down, up, retrans))
    return ["loss on the secondary: %d data segments to the client and %d "
            "from it dropped; %d segments in the secondary's output repeat "
            "data it had sent already (retransmissions, behind later "
            "segments)" % (down, up, retrans)]


def check_fragments(p, s, replicas):
    n = {}
    for side, frames in (("primary", p), ("secondary", s)):
        for f in frames:
            if f.fragment:
                n[(side, f.ipver)] = n.get((side, f.ipver), 0) + 1
    if any(n.get((side, v), 0) == 0 for side in ("primary", "secondary")
           for v in (4, 6)):
        raise Precondition("fragments missing: %s" % n)
    return ["IP fragments: %s" % ", ".join(
        "%s IPv%d %d" % (k[0], k[1], v) for k, v in sorted(n.items()))]


CASES = {c.name: c for c in [
    Case("tcp4", "IPv4 TCP: keep-alive, bulk both ways, 300 small exchanges, "
         "16 parallel short connections"),
    Case("tcp6", "the same over IPv6"),
    Case("datagrams", "UDP and ICMP echo over IPv4 and IPv6, UDP answers "
         "fragmented over IPv4 and IPv6", check=check_fragments),
    Case("loss", "TCP with loss on the secondary's network "
         "(retransmissions in its output)", secondary=dict(
             nft_client=LOSS_CLIENT, nft_server=LOSS_SERVER),
         check=check_loss),
    Case("reorder", "TCP whose secondary output has holes filled later",
         secondary=dict(tc_server=HOLES), check=check_holes),
    Case("divergence", "one replica-specific byte in an HTTP answer",
         diverges=True),
    Case("reuse-timewait", "a new connection from the same client port "
         "after a normal close (server TIME-WAIT: new ISN ahead)",
         check=check_reuse_ahead(46001)),
    Case("reuse-abort", "a new connection from the same client port just "
         "after an abortive close (new ISN below the old end)",
         check=check_reuse_below(46002)),
    Case("reuse-abort-divergence", "as reuse-abort, with one "
         "replica-specific byte in the new connection", diverges=True,
         check=check_reuse_below(46003)),
    Case("abort-late", "abortive close by the server, then a late segment: "
         "the primary repeats its RST, the secondary does not (yet)",
         primary=dict(nft_server=LATE_RST % ""),
         secondary=dict(nft_server=LATE_RST % "drop"),
         wait_done=wait_late_rst, check=check_late_rst),
]}


# --- expectations from the captures -----------------------------------------

def first_difference(a, b):
    """Index of the first byte where a and b differ (the length of the
    shorter where one is a prefix of the other), None if equal."""
    if a == b:
        return None
    n, lo = min(len(a), len(b)), 0
    step = 65536
    while lo < n and a[lo:lo + step] == b[lo:lo + step]:
        lo += step
    while lo < n and a[lo] == b[lo]:
        lo += 1
    return lo


def divergences(primary, secondary):
    """Where the two captures' outputs differ, computed from the captures
    alone: per TCP connection instance the first byte of the streams that
    differs (a FIN or RST at another position counts too), per datagram
    flow the first datagram that differs.  Returns a list of dicts with the
    fields of the checkpoint request colocompare must post."""
    found = []
    p_inst, _ = cap.instances(primary, SERVER_ADDRS)
    s_inst, _ = cap.instances(secondary, SERVER_ADDRS)
    s_by = {}
    for inst in s_inst:
        s_by.setdefault(inst.key, []).append(inst)
    n_seen = {}
    for pi in p_inst:
        n = n_seen.get(pi.key, 0)
        n_seen[pi.key] = n + 1
        si = s_by[pi.key][n]
        i = first_difference(cap.stream(pi), cap.stream(si))
        ctl = lambda inst: sorted({((f.seq + len(f.tcp_payload())) % cap.MOD,
                                    f.flags & (cap.TCP_FIN | cap.TCP_RST))
                                   for f in inst.frames
                                   if f.flags & (cap.TCP_FIN | cap.TCP_RST)})
        if i is None and ctl(pi) != ctl(si):
            raise Failure("%s: FIN/RST positions differ: %s / %s"
                          % (cap.fmt_key(pi.key), ctl(pi), ctl(si)))
        if i is None:
            continue
        seq = (pi.isn + 1 + i) % cap.MOD
        frame = next(f for f in pi.frames if f.tcp_payload()
                     and not cap.seq_gt(f.seq, seq) and cap.seq_gt(
                         (f.seq + len(f.tcp_payload())) % cap.MOD, seq))
        found.append(dict(key=pi.key, tcp_seq=seq,
                          offset=(seq - frame.seq) % cap.MOD,
                          frame=frame.index, stream_offset=i))
    flows = {}
    for side, frames in ((0, primary), (1, secondary)):
        for f in frames:
            if f.ipver and not f.is_tcp:
                flows.setdefault(f.key(), ([], []))[side].append(
                    bytes(f.data[f.l4:f.l3_end]))
    for key, (pd, sd) in flows.items():
        if pd != sd:
            raise Failure("%s: the datagrams differ between the replicas "
                          "(%d / %d)" % (cap.fmt_key(key), len(pd), len(sd)))
    return found


# --- colocompare ------------------------------------------------------------

def colocompare(primary_pcap, secondary_pcap, out_pcap, n_primary,
                n_secondary):
    """colopcapsrc ! colocompare ! colopcapsink on the two captures.

    Stale and queue-full requests depend on how fast the two file sources
    happen to be read, not on what the replicas sent, so they are kept out
    of the way while the frames go in (compare-timeout and
    expired-scan-cycle of 10 minutes, max-queue-size 10^6).  Both sources'
    EOS is held back (a blocking probe) until colocompare has taken in
    every frame of both captures; then compare-timeout drops to 1 ms and
    the EOS goes on: a frame still held at that point is reported as a
    stale request by the final stale check, then released by the drain at
    EOS.  Returns (requests, stats before the EOS, final stats)."""
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst

    Gst.init(None)
    pipe = Gst.Pipeline.new("realpair")
    comp = Gst.ElementFactory.make("colocompare", "c")
    sink = Gst.ElementFactory.make("colopcapsink")
    if comp is None or sink is None:
        raise Failure("colocompare or colopcapsink not found (plugin path: "
                      "%s)" % (os.environ.get("GST_PLUGIN_PATH_1_0") or
                               os.environ.get("GST_PLUGIN_PATH")))
    comp.set_property("compare-timeout", 600000)
    comp.set_property("expired-scan-cycle", 600000)
    comp.set_property("max-queue-size", 1000000)
    sink.set_property("location", out_pcap)
    pipe.add(comp)
    pipe.add(sink)
    comp.link(sink)
    release = threading.Event()
    eos = {}

    def hold_eos(pad, info, side):
        if info.get_event().type == Gst.EventType.EOS:
            eos[side] = True
            release.wait()
        return Gst.PadProbeReturn.OK

    for side, location in (("primary", primary_pcap),
                           ("secondary", secondary_pcap)):
        src = Gst.ElementFactory.make("colopcapsrc")
        src.set_property("location", location)
        pipe.add(src)
        src.get_static_pad("src").link(comp.get_static_pad(side))
        src.get_static_pad("src").add_probe(
            Gst.PadProbeType.EVENT_DOWNSTREAM, hold_eos, side)

    def stats():
        # the counters (mode is a string)
        s = comp.get_property("stats")
        fields = (s.nth_field_name(i) for i in range(s.n_fields()))
        return {f: s.get_value(f) for f in fields
                if isinstance(s.get_value(f), int)}

    requests = []

    def drain_bus(timeout_ns):
        msg = pipe.get_bus().timed_pop(timeout_ns)
        if msg is None:
            return False
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            raise Failure("pipeline error: %s (%s)" % (err.message, dbg))
        if msg.type == Gst.MessageType.ELEMENT and \
                msg.has_name("colo-checkpoint"):
            s = msg.get_structure()
            r = {s.nth_field_name(i): s.get_value(s.nth_field_name(i))
                 for i in range(s.n_fields())}
            requests.append(r)
        return msg.type == Gst.MessageType.EOS

    try:
        pipe.set_state(Gst.State.PLAYING)
        deadline = time.monotonic() + BOUND
        while True:
            drain_bus(10 * Gst.MSECOND)
            st = stats()
            if len(eos) == 2 and st["primary-packets"] == n_primary and \
                    st["secondary-packets"] == n_secondary:
                break
            if time.monotonic() > deadline:
                raise Failure("colocompare did not take in every frame: "
                              "%s, EOS on %s" % (st, sorted(eos)))
        before = stats()
        clock = pipe.get_clock()
        t0 = clock.get_time()
        # every frame is now at least 2 ms old
        wait_for("the pipeline clock",
                 lambda: clock.get_time() >= t0 + 2 * Gst.MSECOND, step=0.001)
        comp.set_property("compare-timeout", 1)
        release.set()
        deadline = time.monotonic() + BOUND
        while not drain_bus(10 * Gst.MSECOND):
            if time.monotonic() > deadline:
                raise Failure("no EOS from the pipeline")
        after = stats()
    finally:
        release.set()
        pipe.set_state(Gst.State.NULL)
    # Requests reach the bus a little after colocompare counts them: the
    # count taken before the EOS says which came while the frames went in.
    for i, r in enumerate(requests):
        r["phase"] = "compare" if i < before["checkpoints-requested"] \
            else "end of input"
    return requests, before, after


def fmt_request(r):
    keys = ["reason", "src", "src-port", "dst", "dst-port", "ip-protocol",
            "side", "offset", "tcp-seq"]
    return "%s request: %s" % (r["phase"], ", ".join(
        "%s=%s" % (k, r[k]) for k in keys if k in r))


# --- the test ---------------------------------------------------------------

def retransmissions(frames):
    """Indexes of the TCP segments whose data the same connection instance
    had sent before (by capture order)."""
    found, high = set(), {}
    _, of = cap.instances(frames, SERVER_ADDRS)
    for f in frames:
        inst = of.get(f.index)
        if inst is None or not f.tcp_payload():
            continue
        h = high.get(id(inst))
        if h is not None and not cap.seq_gt(f.end, h):
            found.add(f.index)
        if h is None or cap.seq_gt(f.end, h):
            high[id(inst)] = f.end
    return found


def check_released(primary, released, before):
    """Every primary frame released exactly once, and per flow in the order
    the primary sent it; a TCP retransmission of data already compared is
    released at once (README), so it may overtake segments sent before it
    that still wait for the secondary: those are left out of the order
    check.  Returns (problems, the frames colocompare still held when the
    input ended, released by the drain at EOS)."""
    from collections import Counter, defaultdict, deque
    problems = []
    if len(released) != len(primary):
        problems.append("%d frames released, the primary sent %d"
                        % (len(released), len(primary)))
    if Counter(bytes(f.data) for f in released) != \
            Counter(bytes(f.data) for f in primary):
        problems.append("the released frames are not the primary's frames, "
                        "each once")
        return problems, []
    retrans = retransmissions(primary)
    where = defaultdict(deque)
    for f in primary:
        where[bytes(f.data)].append(f.index)
    last, first_bad, n_bad = {}, {}, Counter()
    for f in released:
        i = where[bytes(f.data)].popleft()
        if i in retrans:
            continue
        k = primary[i].key()
        if last.get(k, -1) > i:
            first_bad.setdefault(k, (i, last[k]))
            n_bad[k] += 1
        last[k] = max(i, last.get(k, -1))
    for k, (i, j) in first_bad.items():
        problems.append("%s: released out of order: %d frame(s) after a "
                        "frame the primary sent later, the first: primary "
                        "frame %d after frame %d" % (cap.fmt_key(k), n_bad[k],
                                                     i + 1, j + 1))
    k = before["released"] + before["passed-through"]
    return problems, released[k:]


def run_pair(case, ns, workdir):
    """Builds both replicas, runs the case in each and returns the
    captures, the secondary's normalised, once the case's precondition
    holds on them: (pcap header, primary frames, secondary frames)."""
    prefix = "%s%d-%s" % (PREFIX, os.getpid(), case.name[:12])
    replicas = [Replica(ns, prefix, "primary", **case.primary),
                Replica(ns, prefix, "secondary", **case.secondary)]
    for r in replicas:
        r.setup()
        log("  " + r.describe())
    captured = []
    try:
        for r in replicas:
            t = time.monotonic()
            header, frames = r.run_case(case, workdir)
            captured.append((header, frames))
            log("  %s: %d frames captured in %.1f s"
                % (r.role, len(frames), time.monotonic() - t))
            r.read_counters()
    finally:
        ns.cleanup()
    (header, p), (_, s) = captured
    notes = cap.normalise(p, s, SERVER_ADDRS)
    log("  secondary normalised: %s" % notes[0])
    for n in notes[1:]:
        log("    " + n)
    for n in case.check(p, s, replicas) if case.check else []:
        log("  " + n)
    return header, p, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--keep", help="work in this directory and keep it "
                    "(captures, normalised captures, released frames)")
    args = ap.parse_args()
    case = CASES[args.case]

    for tool in ("ip", "nft", "tcpdump", "ethtool", "ss", "tc"):
        if not shutil.which(tool):
            raise Failure("%s is not installed (scripts/install-deps.sh "
                          "installs it)" % tool)
    sweep_stale()
    ns = Namespaces()
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        workdir = args.keep
    else:
        workdir = tempfile.mkdtemp(prefix="realpair-")
    try:
        log("case %s: %s" % (case.name, case.what))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                header, p, s = run_pair(case, ns, workdir)
                break
            except Precondition as e:
                # e.g. a machine too slow to outrun Linux's ISN clock:
                # the situation did not arise, colocompare is not judged
                log("  precondition not met (run %d of %d): %s"
                    % (attempt, ATTEMPTS, e))
                if attempt == ATTEMPTS:
                    raise Failure("precondition never met: %s" % e)
        expected = divergences(p, s)
        ppath = os.path.join(workdir, "primary.pcap")
        spath = os.path.join(workdir, "secondary.pcap")
        opath = os.path.join(workdir, "released.pcap")
        cap.write_pcap(ppath, header, p)
        cap.write_pcap(spath, header, s)
        if case.diverges and len(expected) != 1:
            raise Failure("the captures differ in %d places, want 1: %s"
                          % (len(expected), expected))
        if not case.diverges and expected:
            raise Failure("the replicas' outputs differ where the workload "
                          "is deterministic: %s" % expected)
        for e in expected:
            log("  expected divergence: %s, stream byte %d, tcp-seq %u, "
                "offset %d in primary frame %d" % (
                    cap.fmt_key(e["key"]), e["stream_offset"], e["tcp_seq"],
                    e["offset"], e["frame"] + 1))

        t = time.monotonic()
        requests, before, after = colocompare(ppath, spath, opath, len(p),
                                              len(s))
        log("  colocompare: %.1f s; stats %s" % (
            time.monotonic() - t, ", ".join(
                "%s=%d" % kv for kv in after.items() if kv[1])))
        for r in requests:
            log("  " + fmt_request(r))
        _, released = cap.read_pcap(opath)
        problems, held = check_released(p, released, before)
        if held:
            keys = {}
            for f in held:
                keys[f.key()] = keys.get(f.key(), 0) + 1
            log("  held until the end of input: " + "; ".join(
                "%d frame(s) of %s" % (v, cap.fmt_key(k))
                for k, v in keys.items()))

        if expected:
            e = expected[0]
            ipver, proto, src, sport, dst, dport, _ = e["key"]
            want = {"reason": "miscompare", "src": src, "dst": dst,
                    "src-port": sport, "dst-port": dport, "ip-protocol": 6,
                    "offset": e["offset"], "tcp-seq": e["tcp_seq"],
                    "phase": "compare"}
            if len(requests) != 1:
                problems.append("%d checkpoint requests, want exactly 1 "
                                "miscompare: %s" % (len(requests), want))
            else:
                bad = {k: (requests[0].get(k), v) for k, v in want.items()
                       if requests[0].get(k) != v}
                if bad:
                    problems.append("the request differs from the expected "
                                    "one (got, want): %s" % bad)
            p_div = p[e["frame"]].data
            if any(bytes(f.data) == bytes(p_div) for f in released[:len(
                    released) - len(held)]):
                problems.append("the primary frame with the divergent byte "
                                "was released before the checkpoint")
            others = [f for f in held if f.key() != e["key"]]
            if others:
                problems.append("%d frame(s) of other flows held until the "
                                "end" % len(others))
        else:
            if requests:
                problems.append("%d checkpoint request(s) where the replicas "
                                "sent the same" % len(requests))
            if held:
                problems.append("%d primary frame(s) were never released by "
                                "comparison (held until the input ended)"
                                % len(held))
        if after["malformed"]:
            problems.append("%d malformed frames" % after["malformed"])
        if problems:
            for pr in problems:
                log("FAIL: " + pr)
            return 1
        log("PASS: %s: %d primary frames released once each, in order; %s"
            % (case.name, len(p), "one miscompare where expected"
               if expected else "no checkpoint request"))
        return 0
    finally:
        ns.cleanup()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sys.exit(main())
    except Skip as e:
        print("SKIP: %s" % e, flush=True)
        sys.exit(SKIP)
    except (Failure, ValueError) as e:
        print("FAIL: %s" % e, flush=True)
        sys.exit(1)
