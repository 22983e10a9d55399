#!/usr/bin/env python3
# Writes the seed corpus of fuzz_packet into corpus/packet/.
# Each seed is one byte choosing the virtio-net header length (byte % 22),
# then the frame.  Usage: tests/fuzz/make-seeds.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'packet')

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
