# Minimal Ethernet/IPv4/TCP/UDP frame builders for the gst-colo-compare
# tests (plain struct: no checksums, colocompare ignores them).
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
import qemurecord  # noqa: E402

ETH_SRC = b"\x52\x54\x00\x00\x00\x01"
ETH_DST = b"\x52\x54\x00\x00\x00\x02"


def _ipv4(proto, payload, src="10.0.0.1", dst="10.0.0.2", ip_id=1, ttl=64):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ip_id, 0,
                      ttl, proto, 0, bytes(map(int, src.split("."))),
                      bytes(map(int, dst.split("."))))
    return hdr + payload


def _eth(l3):
    return ETH_DST + ETH_SRC + b"\x08\x00" + l3


def udp(sport, dport, data, **ip):
    l4 = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return _eth(_ipv4(17, l4, **ip))


TCP_ACK = 0x10
TCP_PSH = 0x08


def tcp(sport, dport, seq, ack, data, flags=TCP_ACK | TCP_PSH, **ip):
    l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                     65535, 0, 0) + data
    return _eth(_ipv4(6, l4, **ip))


def record(frame, vnet_hdr_len=None):
    """QEMU chardev record: be32 len [be32 vnet_hdr_len] payload; with
    vnet_hdr_len, frame starts with that many bytes of virtio-net header."""
    if vnet_hdr_len is None:
        return qemurecord.encode(frame)
    return qemurecord.encode(frame[vnet_hdr_len:], frame[:vnet_hdr_len],
                             vnet=True)


def pattern(n, seed=0):
    return bytes((seed + i * 7) & 0xFF for i in range(n))
