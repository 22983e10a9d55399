# gst-colo replica-pair test: reading, rewriting and analysing captures.
#
# Copyright (C) 2026 gst-colo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python standard library only (fast enough for tens of thousands of frames,
# where scapy takes seconds).  Independent of colocompare's own parser: the
# expected results are computed here, from the captures.

import array
import struct
import sys

TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10
MOD = 1 << 32


class Frame:
    __slots__ = ("ts", "data", "index", "ipver", "proto", "src", "dst",
                 "sport", "dport", "fragment", "l3", "l4", "payload",
                 "seq", "ack", "flags", "frag_id_at")

    def __init__(self, ts, data, index):
        self.ts, self.data, self.index = ts, bytearray(data), index
        self.ipver = self.proto = None
        self.src = self.dst = None
        self.sport = self.dport = 0
        self.fragment = False
        self.l3 = self.l4 = self.payload = None
        self.seq = self.ack = self.flags = None
        self.frag_id_at = None
        parse(self)

    @property
    def is_tcp(self):
        return self.proto == 6 and not self.fragment

    def key(self):
        """The flow this frame belongs to (what colocompare calls a
        connection: addresses, protocol, ports; fragments apart)."""
        return (self.ipver, self.proto, self.src, self.sport, self.dst,
                self.dport, self.fragment)

    def tcp_payload(self):
        return bytes(self.data[self.payload:self.l3_end])

    @property
    def l3_end(self):
        d = self.data
        if self.ipver == 4:
            return self.l3 + struct.unpack_from("!H", d, self.l3 + 2)[0]
        return self.l3 + 40 + struct.unpack_from("!H", d, self.l3 + 4)[0]

    @property
    def end(self):
        """Sequence number after this TCP segment (SYN and FIN count)."""
        n = self.l3_end - self.payload
        n += 1 if self.flags & TCP_SYN else 0
        n += 1 if self.flags & TCP_FIN else 0
        return (self.seq + n) % MOD


def addr_str(ipver, raw):
    import socket
    return socket.inet_ntop(socket.AF_INET if ipver == 4 else socket.AF_INET6,
                            bytes(raw))


def parse(f):
    d = f.data
    if len(d) < 14:
        return
    etype = struct.unpack_from("!H", d, 12)[0]
    l3 = 14
    f.l3 = l3
    if etype == 0x0800:
        f.ipver = 4
        ihl = (d[l3] & 0xf) * 4
        f.proto = d[l3 + 9]
        f.src = addr_str(4, d[l3 + 12:l3 + 16])
        f.dst = addr_str(4, d[l3 + 16:l3 + 20])
        f.fragment = (struct.unpack_from("!H", d, l3 + 6)[0] & 0x3fff) != 0
        f.l4 = l3 + ihl
    elif etype == 0x86dd:
        f.ipver = 6
        f.src = addr_str(6, d[l3 + 8:l3 + 24])
        f.dst = addr_str(6, d[l3 + 24:l3 + 40])
        nh, pos = d[l3 + 6], l3 + 40
        while nh in (0, 43, 60, 44):
            if nh == 44:
                f.fragment = True
                f.frag_id_at = pos + 4
                break
            nh, pos = d[pos], pos + (d[pos + 1] + 1) * 8
        f.proto = nh
        f.l4 = pos
    else:
        return
    if f.fragment:
        return
    if f.proto in (6, 17):
        f.sport, f.dport = struct.unpack_from("!HH", d, f.l4)
    if f.proto == 6:
        f.seq, f.ack = struct.unpack_from("!II", d, f.l4 + 4)
        f.flags = d[f.l4 + 13]
        f.payload = f.l4 + (d[f.l4 + 12] >> 4) * 4


# --- pcap files -----------------------------------------------------------

def read_pcap(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    return parse_pcap(raw)


def parse_pcap(raw, partial=False):
    """(global header, frames).  partial: a file still being written may
    end inside a record; that record is left out."""
    if len(raw) < 24:
        if partial:
            return raw, []
        raise ValueError("not a pcap file (too short)")
    magic = struct.unpack_from("<I", raw, 0)[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise ValueError("not a little-endian pcap file")
    linktype = struct.unpack_from("<I", raw, 20)[0]
    if linktype != 1:
        raise ValueError("link type %d, not Ethernet" % linktype)
    frames, pos = [], 24
    while pos + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack_from("<IIII", raw, pos)
        if incl != orig:
            raise ValueError("frame %d truncated by the capture"
                             % len(frames))
        if pos + 16 + incl > len(raw):
            break
        frames.append(Frame((sec, frac), raw[pos + 16:pos + 16 + incl],
                            len(frames)))
        pos += 16 + incl
    if pos != len(raw) and not partial:
        raise ValueError("truncated pcap file")
    return raw[:24], frames


def write_pcap(path, header, frames):
    with open(path, "wb") as fh:
        fh.write(header)
        for f in frames:
            fh.write(struct.pack("<IIII", f.ts[0], f.ts[1], len(f.data),
                                 len(f.data)))
            fh.write(f.data)


# --- checksums ------------------------------------------------------------

def ones_sum(data):
    if len(data) % 2:
        data = bytes(data) + b"\0"
    a = array.array("H", bytes(data))
    if sys.byteorder == "little":
        a.byteswap()
    s = sum(a)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def fix_tcp_checksum(f):
    d = f.data
    seg_len = f.l3_end - f.l4
    if f.ipver == 4:
        pseudo = bytes(d[f.l3 + 12:f.l3 + 20]) + struct.pack("!BBH", 0, 6,
                                                            seg_len)
    else:
        pseudo = bytes(d[f.l3 + 8:f.l3 + 40]) + struct.pack("!IxxxB",
                                                           seg_len, 6)
    struct.pack_into("!H", d, f.l4 + 16, 0)
    s = ones_sum(pseudo) + ones_sum(d[f.l4:f.l3_end])
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    struct.pack_into("!H", d, f.l4 + 16, ~s & 0xffff)


# --- TCP connection instances ---------------------------------------------

class Instance:
    """One TCP connection on a 4-tuple, from the server's SYN|ACK on."""

    def __init__(self, key, synack):
        self.key = key
        self.isn = synack.seq               # server's ISN
        self.client_isn = (synack.ack - 1) % MOD
        self.frames = []
        self.end = (synack.seq + 1) % MOD   # highest end seen

    def add(self, f):
        self.frames.append(f)
        if seq_gt(f.end, self.end):
            self.end = f.end


def seq_gt(a, b):
    return 0 < (a - b) % MOD < (1 << 31)


def instances(frames, server_addrs):
    """Server TCP output split into connection instances: a SYN|ACK with a
    new sequence number starts one (a retransmitted SYN|ACK does not).
    Returns (list of Instance in order of birth, {frame index: Instance})."""
    current, order, of = {}, [], {}
    for f in frames:
        if not f.is_tcp or f.src not in server_addrs:
            continue
        k = f.key()
        inst = current.get(k)
        if f.flags & TCP_SYN and f.flags & TCP_ACK and (
                inst is None or f.seq != inst.isn):
            inst = Instance(k, f)
            current[k] = inst
            order.append(inst)
        if inst is None:
            raise ValueError("frame %d: TCP from the server with no SYN|ACK "
                             "before it" % (f.index + 1))
        inst.add(f)
        of[f.index] = inst
    return order, of


def normalise(primary, secondary, server_addrs):
    """Moves the secondary's TCP sequence numbers to the primary's ISNs
    (per connection instance: the n-th instance on a 4-tuple in one capture
    is the n-th in the other), its ACK numbers to the primary client's ISN,
    and its IPv6 fragment identifications to the primary's (the n-th
    fragmented datagram per address pair).  Rewrites the secondary frames
    in place, checksums fixed.  Returns a list of report lines."""
    p_inst, _ = instances(primary, server_addrs)
    s_inst, s_of = instances(secondary, server_addrs)
    by_key = {}
    for inst in p_inst:
        by_key.setdefault(inst.key, []).append(inst)
    seen = {}
    pairs = {}
    lines = []
    for inst in s_inst:
        n = seen.get(inst.key, 0)
        seen[inst.key] = n + 1
        plist = by_key.get(inst.key, [])
        if n >= len(plist):
            raise ValueError("the secondary has connection instance %d of %s, "
                             "the primary has %d" % (n + 1, fmt_key(inst.key),
                                                     len(plist)))
        p = plist[n]
        pairs[id(inst)] = ((p.isn - inst.isn) % MOD,
                           (p.client_isn - inst.client_isn) % MOD)
        lines.append("%s #%d: server ISN %u -> %u, client ISN %u -> %u"
                     % (fmt_key(inst.key), n + 1, inst.isn, p.isn,
                        inst.client_isn, p.client_isn))
    report = ["%d TCP connection instance(s) moved to the primary's ISNs"
              % len(s_inst)]
    # the details where a 4-tuple was used more than once
    report += [line for line, inst in zip(lines, s_inst)
               if len(by_key[inst.key]) > 1]
    for key, plist in by_key.items():
        if seen.get(key, 0) != len(plist):
            raise ValueError("the primary has %d instance(s) of %s, the "
                             "secondary %d" % (len(plist), fmt_key(key),
                                               seen.get(key, 0)))
    for f in secondary:
        inst = s_of.get(f.index)
        if inst is None:
            continue
        dseq, dack = pairs[id(inst)]
        f.seq = (f.seq + dseq) % MOD
        struct.pack_into("!I", f.data, f.l4 + 4, f.seq)
        if f.flags & TCP_ACK:
            f.ack = (f.ack + dack) % MOD
            struct.pack_into("!I", f.data, f.l4 + 8, f.ack)
        fix_tcp_checksum(f)
    # IPv6 fragment identifications
    p_ids = {}
    for f in primary:
        if f.frag_id_at is not None:
            ids = p_ids.setdefault((f.src, f.dst), [])
            fid = bytes(f.data[f.frag_id_at:f.frag_id_at + 4])
            if fid not in ids:
                ids.append(fid)
    s_map, s_count = {}, {}
    for f in secondary:
        if f.frag_id_at is None:
            continue
        pair = (f.src, f.dst)
        fid = bytes(f.data[f.frag_id_at:f.frag_id_at + 4])
        if (pair, fid) not in s_map:
            n = s_count.get(pair, 0)
            s_count[pair] = n + 1
            plist = p_ids.get(pair, [])
            if n >= len(plist):
                raise ValueError("more fragmented IPv6 datagrams from the "
                                 "secondary than from the primary")
            s_map[(pair, fid)] = plist[n]
        f.data[f.frag_id_at:f.frag_id_at + 4] = s_map[(pair, fid)]
    if s_map:
        report.append("%d IPv6 fragment identification(s) moved to the "
                      "primary's" % len(s_map))
    return report


def fmt_key(key):
    ipver, proto, src, sport, dst, dport, frag = key
    name = {6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6"}.get(proto,
                                                             str(proto))
    if frag:
        name += " fragments"
    if ipver == 6:
        src, dst = "[%s]" % src, "[%s]" % dst
    if sport or dport:
        return "%s %s:%d > %s:%d" % (name, src, sport, dst, dport)
    return "%s %s > %s" % (name, src, dst)


def stream(inst):
    """The server's byte stream of an instance (index 0 is the byte at
    ISN + 1); checks that retransmissions repeat the same bytes and that no
    byte is missing."""
    segs = []
    for f in inst.frames:
        payload = f.tcp_payload()
        if payload:
            start = (f.seq - inst.isn - 1) % MOD
            if f.flags & TCP_SYN:
                start += 1
            segs.append((start, payload))
    segs.sort(key=lambda s: s[0])
    data = bytearray()
    for start, payload in segs:
        if start > len(data):
            raise ValueError("%s: the capture misses stream bytes %d-%d"
                             % (fmt_key(inst.key), len(data), start - 1))
        overlap = min(len(data) - start, len(payload))
        if data[start:start + overlap] != payload[:overlap]:
            raise ValueError("%s: a retransmission changes bytes near %d"
                             % (fmt_key(inst.key), start))
        data += payload[overlap:]
    return bytes(data)
