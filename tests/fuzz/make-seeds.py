#!/usr/bin/env python3
# Writes the seed corpus of fuzz_packet into corpus/packet/, the
# hand-written programs of fuzz_compare into corpus/compare/ (the other
# files there are random programs), and the seeds of fuzz_notify and
# fuzz_stdin into corpus/notify/ and corpus/stdin/.
# A fuzz_packet seed is one byte choosing the virtio-net header length
# (byte % 22), then the frame.  Usage: tests/fuzz/make-seeds.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'packet')
OUT_COMPARE = os.path.join(HERE, 'corpus', 'compare')

MACS = bytes.fromhex('525400123456' '525400abcdef')
V4 = bytes([192, 0, 2, 1, 198, 51, 100, 7])
V6 = bytes.fromhex('20010db8000000000000000000000001'
                   '20010db800010000000000000000beef')


def eth(ethertype, tags=(), vnet=0):
    h = b'\xee' * vnet + MACS
    for tpid, tci in tags:
        h += struct.pack('!HH', tpid, tci)
    return h + struct.pack('!H', ethertype)


def ipv4(proto, payload, opts=b'', frag=0):
    ihl = 5 + len(opts) // 4
    return struct.pack('!BBHHHBBH', 0x40 | ihl, 0, ihl * 4 + len(payload),
                       0x1234, frag, 64, proto, 0) + V4 + opts + payload


def ipv6(nh, payload):
    return struct.pack('!IHBB', 0x60000000, len(payload), nh, 64) + V6 + payload


def tcp(payload, flags=0x18, opts=b''):
    doff = 5 + len(opts) // 4
    return struct.pack('!HHIIBBHHH', 40000, 80, 0xdeadbeef, 1,
                       doff << 4, flags, 65535, 0, 0) + opts + payload


def udp(payload):
    return struct.pack('!HHHH', 5353, 53, 8 + len(payload), 0) + payload


def ext(nh, n8):
    return bytes([nh, n8 - 1]) + b'\0' * (n8 * 8 - 2)


SEEDS = {
    'ipv4-tcp': (0, eth(0x0800) + ipv4(6, tcp(b'hello', opts=b'\1' * 12),
                                       opts=b'\1' * 8)),
    'ipv4-tcp-vnet12': (12, eth(0x0800, vnet=12) + ipv4(6, tcp(b'x', 0x02))),
    'ipv4-udp-padded': (0, (eth(0x0800) + ipv4(17, udp(b'abcd'))).ljust(60, b'\0')),
    'ipv4-icmp': (0, eth(0x0800) + ipv4(1, b'\x08\0\0\0\0\1\0\1' + b'p' * 16)),
    'ipv4-frag': (0, eth(0x0800) + ipv4(17, b'frag', frag=0x2001)),
    'vlan-ipv4-udp-vnet10': (10, eth(0x0800, [(0x8100, 100)], vnet=10)
                             + ipv4(17, udp(b'q'))),
    'qinq-ipv6-udp': (0, eth(0x86dd, [(0x88a8, 1), (0x8100, 2)])
                      + ipv6(17, udp(b'v6'))),
    'arp': (0, eth(0x0806) + bytes.fromhex('0001080006040001') + b'\0' * 20),
    'ipv6-tcp-ext': (0, eth(0x86dd) + ipv6(0, ext(60, 1) + ext(6, 2)
                                           + tcp(b'data', 0x12))),
    'ipv6-ah-routing-udp': (20, eth(0x86dd, vnet=20) + ipv6(
        43, ext(51, 3) + bytes([17, 4]) + b'\0' * 22 + udp(b'ah'))),
    'ipv6-frag': (0, eth(0x86dd, [(0x9100, 7)]) + ipv6(
        44, bytes([58, 0, 0, 1, 0, 0, 0, 9]) + b'\x80\0\0\0')),
    'ipv6-icmpv6': (0, eth(0x86dd) + ipv6(58, b'\x80\0\0\0\0\1\0\2' + b'z' * 8)),
}

os.makedirs(OUT, exist_ok=True)
for name, (vnet, frame) in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(bytes([vnet]) + frame)


# fuzz_compare: operations of 7 bytes (see fuzz_compare.c).  op[0] % 8:
# 0 TCP primary, 1 TCP secondary, 2 UDP primary, 3 UDP secondary,
# 5 advance time by op[1] ms and scan, 6 checkpoint-done, 7 failover if
# op[1] == 0xff.  Frames: op[1] & 1 picks one of two hosts, op[2] and
# op[3] the TCP sequence and ACK numbers, op[4] the TCP flags, op[5] the
# payload bytes (a pattern unless bit 7 is set), op[6] % 64 the payload
# length.  Bit 0 of the first byte is auto-release: keep it clear.
def op(what, host=0, seq=0, ack=0, flags=0, fill=0, length=0):
    return bytes([what, host, seq, ack, flags, fill, length])


def push(side, proto, **kw):
    return op({('p', 'tcp'): 0, ('s', 'tcp'): 1, ('p', 'udp'): 2,
               ('s', 'udp'): 3}[(side, proto)], **kw)


ACK = 0x10
COMPARE_SEEDS = {
    # the same datagram from both sides: released when the secondary's
    # arrives (with two hosts, a fill pattern and a divergence after it)
    'matched-udp': push('p', 'udp', length=20) + push('s', 'udp', length=20)
    + push('s', 'udp', host=1, fill=0x85, length=33)
    + push('p', 'udp', host=1, fill=0x85, length=33)
    + push('p', 'udp', length=20) + push('s', 'udp', length=21)
    + op(5, host=200) + op(6),
    # the same TCP segment from both sides, then one cut in two
    'matched-tcp': push('p', 'tcp', seq=1, ack=1, flags=ACK, length=16)
    + push('s', 'tcp', seq=1, ack=1, flags=ACK, length=16)
    + push('p', 'tcp', host=1, seq=4, ack=2, flags=ACK, length=32)
    + push('s', 'tcp', host=1, seq=4, ack=2, flags=ACK, length=16)
    + op(5, host=200) + op(6),
}

os.makedirs(OUT_COMPARE, exist_ok=True)
for name, program in COMPARE_SEEDS.items():
    with open(os.path.join(OUT_COMPARE, name), 'wb') as f:
        f.write(program)


# fuzz_notify: byte 0 seeds the chunking, then what Xen sends on the
# notify channel: records be32 length + text, never a vnet word.
def rec(text):
    return struct.pack('!I', len(text)) + text


NOTIFY_SEEDS = {
    'handshake-checkpoint': b'\x05' + rec(b'COLO_USERSPACE_PROXY_INIT')
    + rec(b'COLO_CHECKPOINT') + rec(b'COLO_CHECKPOINT'),
    # unknown: a prefix, a trailing NUL, another message, an empty record
    'unknown': b'\x21' + rec(b'COLO_CHECKPOIN') + rec(b'COLO_CHECKPOINT\0')
    + rec(b'DO_CHECKPOINT') + rec(b'') + rec(b'HELLO'),
    # a vnet word where there is none (QEMU quirk Q9): an unknown message
    'vnet-word': b'\x40' + struct.pack('!II', 15, 0) + b'COLO_CHECKPOINT',
    # a length over the framing limit: an error, the rest is not read
    'oversize': b'\x07' + rec(b'COLO_CHECKPOINT')
    + struct.pack('!I', 0x7fffffff) + b'COLO',
    # a record cut short: pending
    'partial': b'\x02' + rec(b'COLO_USERSPACE_PROXY_INIT')[:-3],
}

OUT_NOTIFY = os.path.join(HERE, 'corpus', 'notify')
os.makedirs(OUT_NOTIFY, exist_ok=True)
for name, stream in NOTIFY_SEEDS.items():
    with open(os.path.join(OUT_NOTIFY, name), 'wb') as f:
        f.write(stream)


# fuzz_stdin: byte 0 = flags (bit 0: shutting down) and the write-size
# seed, then standard input.  MAX_COMMAND_LEN is 1024.
STDIN_SEEDS = {
    'commands': b'\x02checkpoint-done\nfailover\n',
    'spaces-crlf-empty': b'\x04  checkpoint-done \t\r\n\n\r\nfailover\r\n',
    'unknown': b'\x06checkpoint\nFAILOVER\ncheckpoint-done failover\n'
    b'\xff\xfe\n',
    'partial-then-eof': b'\x08checkpoint-done\nfailov',
    'shutting-down': b'\x03checkpoint-done\nfailover\nwhat\n',
    # a line of exactly 1024 bytes is still read as one line
    'longest-line': b'\x0a' + b' ' * 1009 + b'checkpoint-done\nfailover\n',
    # reads of the whole 4096-byte buffer (read-size seed 0xe0..0xff)
    'big-reads': b'\xe2' + b'checkpoint-done\n' * 100 + b'x' * 1100
    + b'\nfailover\n',
    # known-*: the reader differs from its documentation (README,
    # "Findings"); fuzz_stdin built with FUZZ_STDIN_STRICT=1 fails on them.
    # A line over 1024 bytes, cut by reads: the part after the discarded
    # 1024 and more runs as a command.
    'known-long-line-tail': b'\x00' + b' ' * 1500 + b'failover\n',
    # A line over 1024 bytes that arrives in one read runs as a command.
    'known-long-line-one-read': b'\xe0' + b' ' * 1100
    + b'checkpoint-done\n',
    # A NUL byte ends the command: the rest of the line is ignored.
    'known-nul': b'\x02failover\0garbage\n',
}

OUT_STDIN = os.path.join(HERE, 'corpus', 'stdin')
os.makedirs(OUT_STDIN, exist_ok=True)
for name, stream in STDIN_SEEDS.items():
    with open(os.path.join(OUT_STDIN, name), 'wb') as f:
        f.write(stream)

# fuzz_frag: a config byte (bit 0 auto-release, the rest * 16: the
# reassembly memory bound), then 7-byte operations (tests/fuzz/fuzz_frag.c):
# what | 8 (IPv6) | 16 (primary), datagram, offset / 8, length, flags (1 more,
# 2 other bytes, 4 whole), protocol (0 UDP, 1 TCP, 2 ICMP, 3 other), UDP
# length - 8.


def frag(primary, ipv6, dgram, off8, length, more, other=False, whole=False,
         proto=0, extra=0):
    return bytes([(16 if primary else 0) | (8 if ipv6 else 0), dgram, off8,
                  length, (1 if more else 0) | (2 if other else 0)
                  | (4 if whole else 0), proto, extra])


def fop(what, arg=0):
    return bytes([what, arg, 0, 0, 0, 0, 0])


def cut(primary, ipv6, dgram, total, step, **kw):
    """A datagram of `total` bytes in fragments of `step` (multiple of 8)."""
    out = b''
    for off in range(0, total, step):
        n = min(step, total - off)
        out += frag(primary, ipv6, dgram, off // 8, n, off + n < total, **kw)
    return out


FRAG_SEEDS = {
    # 88 bytes (UDP length 88) cut 40+48 on the primary, 16*5+8 on the
    # secondary: a match
    'ipv4-two-cuts': b'\xfe' + cut(True, False, 0, 88, 40, extra=80)
    + cut(False, False, 0, 88, 16, extra=80),
    'ipv6-two-cuts': b'\xfe' + cut(True, True, 1, 88, 48, extra=80)
    + cut(False, True, 1, 88, 24, extra=80),
    # fragmented against whole, and out of order
    'whole-vs-cut': b'\xfe' + frag(False, False, 2, 0, 88, False, whole=True,
                                   extra=80)
    + frag(True, False, 2, 8, 24, False, extra=80)
    + frag(True, False, 2, 0, 64, True, extra=80),
    # IPv6 overlap, IPv4 overlap with other bytes, a duplicate
    'overlaps': b'\xfe' + frag(True, True, 3, 0, 32, True)
    + frag(True, True, 3, 2, 32, True) + frag(False, False, 3, 0, 32, True)
    + frag(False, False, 3, 2, 32, True, other=True)
    + frag(True, False, 1, 0, 32, True) + frag(True, False, 1, 0, 32, True),
    # incomplete: timeout, checkpoint-done, moved bytes, failover
    'held': b'\x40' + frag(True, False, 0, 0, 64, True)
    + frag(False, True, 1, 0, 64, True) + fop(7) + fop(4, 200) + fop(4, 200)
    + frag(True, False, 2, 4, 64, True) + fop(5) + frag(True, True, 3, 0, 64,
                                                        True)
    + fop(7) + fop(6, 255) + frag(True, True, 3, 8, 8, False),
    # a tiny memory bound: datagrams given up as they come
    'memory': b'\x08' + cut(True, False, 0, 88, 16) + cut(False, False, 0, 88, 24)
    + cut(True, True, 1, 88, 8) + cut(False, True, 1, 88, 8),
}

OUT_FRAG = os.path.join(HERE, 'corpus', 'frag')
os.makedirs(OUT_FRAG, exist_ok=True)
for name, prog in FRAG_SEEDS.items():
    with open(os.path.join(OUT_FRAG, name), 'wb') as f:
        f.write(prog)
