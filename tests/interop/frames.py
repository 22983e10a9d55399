# gst-colo interoperability suite: Ethernet frames for the scenarios.
#
# Built with Debian's python3-scapy.  Every builder returns bytes (one
# Ethernet frame, no virtio-net header).  The guests' MAC addresses and IP
# addresses are fixed; tests vary ports, payloads and header fields.

import struct

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether

GUEST_MAC = "52:54:00:12:34:56"
PEER_MAC = "52:54:00:ab:cd:ef"
GUEST_IP = "10.0.0.1"
PEER_IP = "10.0.0.2"
GUEST_IP6 = "fd00::1"
PEER_IP6 = "fd00::2"

# A virtio_net_hdr_mrg_rxbuf (12 bytes) with some non-zero fields, to
# prove the comparators carry it through unchanged.
VNET_HDR = bytes([1, 0, 0x36, 0, 0xb4, 5, 0x22, 0, 0x10, 0, 1, 0])


def _eth(l3, vlan=None, qinq=None):
    eth = Ether(src=GUEST_MAC, dst=PEER_MAC)
    if qinq is not None:
        eth = eth / Dot1AD(vlan=qinq[0]) / Dot1Q(vlan=qinq[1])
    elif vlan is not None:
        eth = eth / Dot1Q(vlan=vlan)
    return eth / l3


def udp(sport, dport, payload, ip_id=1, ttl=64, src=GUEST_IP, dst=PEER_IP,
        vlan=None, qinq=None):
    pkt = _eth(IP(src=src, dst=dst, id=ip_id, ttl=ttl) /
               UDP(sport=sport, dport=dport) / payload, vlan, qinq)
    return bytes(pkt)


def tcp(sport, dport, seq, ack, payload=b"", flags="PA", ip_id=1, ttl=64,
        window=64240, options=(), src=GUEST_IP, dst=PEER_IP):
    pkt = _eth(IP(src=src, dst=dst, id=ip_id, ttl=ttl) /
               TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                   window=window, options=list(options)) / payload)
    return bytes(pkt)


def icmp_echo(ident, seq, payload, ip_id=1, ttl=64):
    pkt = _eth(IP(src=GUEST_IP, dst=PEER_IP, id=ip_id, ttl=ttl) /
               ICMP(type=0, id=ident, seq=seq) / payload)
    return bytes(pkt)


def ip_raw(proto, payload, ip_id=1, ttl=64):
    """An IPv4 packet of another protocol (GRE, IGMP...): raw payload."""
    pkt = _eth(IP(src=GUEST_IP, dst=PEER_IP, id=ip_id, ttl=ttl,
                  proto=proto) / payload)
    return bytes(pkt)


def udp6(sport, dport, payload, hlim=64, fl=0):
    pkt = _eth(IPv6(src=GUEST_IP6, dst=PEER_IP6, hlim=hlim, fl=fl) /
               UDP(sport=sport, dport=dport) / payload)
    return bytes(pkt)


def arp_reply(tag=1):
    pkt = Ether(src=GUEST_MAC, dst=PEER_MAC) / ARP(
        op=2, hwsrc=GUEST_MAC, psrc=GUEST_IP, hwdst=PEER_MAC,
        pdst="10.0.%d.%d" % (tag // 250, tag % 250 + 2))
    return bytes(pkt)


def pad(frame, length, fill=b"\0"):
    """Ethernet padding after the IP packet (the IP length is unchanged)."""
    return frame + fill * (length - len(frame))


def conn_key(frame):
    """What both comparators key a connection on, as a readable tuple:
    ethertype (and VLAN IDs), addresses, IP protocol and ports.  Frames
    that are not IP are keyed by their ethertype alone."""
    tags = []
    off = 12
    etype = struct.unpack_from(">H", frame, off)[0]
    while etype in (0x8100, 0x88a8) and len(frame) >= off + 6:
        tags.append(struct.unpack_from(">H", frame, off + 2)[0] & 0xfff)
        off += 4
        etype = struct.unpack_from(">H", frame, off)[0]
    l3 = off + 2
    if etype == 0x0800:
        ihl = (frame[l3] & 0xf) * 4
        proto = frame[l3 + 9]
        src = ".".join(str(b) for b in frame[l3 + 12:l3 + 16])
        dst = ".".join(str(b) for b in frame[l3 + 16:l3 + 20])
        l4 = l3 + ihl
    elif etype == 0x86dd:
        proto = frame[l3 + 6]
        src = frame[l3 + 8:l3 + 24].hex()
        dst = frame[l3 + 24:l3 + 40].hex()
        l4 = l3 + 40
    else:
        return ("eth", hex(etype), tuple(tags))
    ports = (0, 0)
    if proto in (6, 17):
        ports = struct.unpack_from(">HH", frame, l4)
    return (hex(etype), tuple(tags), proto, src, dst) + ports


def describe(frame):
    """One line for a failure message: connection, length, a digest."""
    import zlib
    return "%s len=%d crc=%08x" % (conn_key(frame), len(frame),
                                   zlib.crc32(frame))
