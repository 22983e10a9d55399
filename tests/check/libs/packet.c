/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the frame parser (colo-packet.c): plain GTest, frames are
 * built by hand below. */

#include <string.h>

#include "colo-packet.h"

/* ---- frame builder ---- */

typedef struct
{
  guint8 d[2048];
  gsize len;
} Frame;

static void
put_u8 (Frame * f, guint8 v)
{
  g_assert_cmpuint (f->len, <, sizeof (f->d));
  f->d[f->len++] = v;
}

static void
put_u16 (Frame * f, guint16 v)
{
  put_u8 (f, v >> 8);
  put_u8 (f, v & 0xff);
}

static void
put_u32 (Frame * f, guint32 v)
{
  put_u16 (f, v >> 16);
  put_u16 (f, v & 0xffff);
}

static void
put_bytes (Frame * f, const void *data, gsize len)
{
  g_assert_cmpuint (f->len + len, <=, sizeof (f->d));
  memcpy (f->d + f->len, data, len);
  f->len += len;
}

static void
put_fill (Frame * f, guint8 v, gsize len)
{
  g_assert_cmpuint (f->len + len, <=, sizeof (f->d));
  memset (f->d + f->len, v, len);
  f->len += len;
}

static void
set_u16 (Frame * f, gsize off, guint16 v)
{
  f->d[off] = v >> 8;
  f->d[off + 1] = v & 0xff;
}

static const guint8 mac_dst[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const guint8 mac_src[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const guint8 ip4_src[4] = { 192, 0, 2, 1 };
static const guint8 ip4_dst[4] = { 198, 51, 100, 7 };

static const guint8 ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 1
};

static const guint8 ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
  0, 0, 0, 0, 0, 0, 0xbe, 0xef
};

/* vnet header (filled with 0xee), MACs, tags (TPID + TCI each), ethertype.
 * Returns the L3 offset. */
static gsize
put_eth (Frame * f, guint vnet, guint n_tags, const guint16 * tpid,
    const guint16 * tci, guint16 ethertype)
{
  guint i;

  f->len = 0;
  put_fill (f, 0xee, vnet);
  put_bytes (f, mac_dst, 6);
  put_bytes (f, mac_src, 6);
  for (i = 0; i < n_tags; i++) {
    put_u16 (f, tpid[i]);
    put_u16 (f, tci[i]);
  }
  put_u16 (f, ethertype);
  return f->len;
}

/* IPv4 header with n_opt option words (NOPs); total length is fixed up by
 * ipv4_end().  Returns the L3 offset. */
static gsize
put_ipv4 (Frame * f, guint8 proto, guint n_opt, guint16 frag)
{
  gsize l3 = f->len;
  guint i;

  put_u8 (f, 0x40 | (5 + n_opt));
  put_u8 (f, 0);
  put_u16 (f, 0);               /* total length, see ipv4_end() */
  put_u16 (f, 0x1234);          /* ID */
  put_u16 (f, frag);
  put_u8 (f, 64);
  put_u8 (f, proto);
  put_u16 (f, 0);               /* checksum: not checked */
  put_bytes (f, ip4_src, 4);
  put_bytes (f, ip4_dst, 4);
  for (i = 0; i < n_opt; i++)
    put_u32 (f, 0x01010101);
  return l3;
}

static void
ipv4_end (Frame * f, gsize l3)
{
  set_u16 (f, l3 + 2, f->len - l3);
}

static gsize
put_ipv6 (Frame * f, guint8 nh)
{
  gsize l3 = f->len;

  put_u32 (f, 0x60000000);
  put_u16 (f, 0);               /* payload length, see ipv6_end() */
  put_u8 (f, nh);
  put_u8 (f, 64);
  put_bytes (f, ip6_src, 16);
  put_bytes (f, ip6_dst, 16);
  return l3;
}

static void
ipv6_end (Frame * f, gsize l3)
{
  set_u16 (f, l3 + 4, f->len - l3 - 40);
}

/* Generic IPv6 option header (Hop-by-Hop, Destination, Routing):
 * (hdr_ext_len + 1) * 8 bytes */
static gsize
put_ext6 (Frame * f, guint8 nh, guint8 hdr_ext_len)
{
  gsize off = f->len;

  put_u8 (f, nh);
  put_u8 (f, hdr_ext_len);
  put_fill (f, 0, (hdr_ext_len + 1) * 8 - 2);
  return off;
}

/* TCP header with n_opt option words (NOPs) */
static gsize
put_tcp (Frame * f, guint16 sport, guint16 dport, guint32 seq, guint32 ack,
    guint8 flags, guint n_opt)
{
  gsize off = f->len;
  guint i;

  put_u16 (f, sport);
  put_u16 (f, dport);
  put_u32 (f, seq);
  put_u32 (f, ack);
  put_u8 (f, (5 + n_opt) << 4);
  put_u8 (f, flags);
  put_u16 (f, 65535);
  put_u16 (f, 0);
  put_u16 (f, 0);
  for (i = 0; i < n_opt; i++)
    put_u32 (f, 0x01010101);
  return off;
}

static gsize
put_udp (Frame * f, guint16 sport, guint16 dport, guint16 payload_len)
{
  gsize off = f->len;

  put_u16 (f, sport);
  put_u16 (f, dport);
  put_u16 (f, 8 + payload_len);
  put_u16 (f, 0);
  return off;
}

static void
put_payload (Frame * f, gsize len)
{
  gsize i;

  for (i = 0; i < len; i++)
    put_u8 (f, 'a' + i % 26);
}

/* Parses a heap copy of exactly f->len bytes, so valgrind sees any read
 * past the end. */
static ColoParseResult
parse_len (const Frame * f, gsize len, guint vnet, ColoPacketInfo * info)
{
  guint8 *copy = g_malloc (MAX (len, 1));
  ColoParseResult res;

  memcpy (copy, f->d, len);
  res = colo_packet_parse (copy, len, vnet, info);
  g_free (copy);
  return res;
}

static ColoParseResult
parse (const Frame * f, guint vnet, ColoPacketInfo * info)
{
  return parse_len (f, f->len, vnet, info);
}

/* Every offset and length lies within the buffer */
static void
assert_consistent (const ColoPacketInfo * info, gsize size)
{
  g_assert_cmpuint (info->l3_offset, <=, size);
  g_assert_cmpuint (info->l4_offset, <=, size);
  g_assert_cmpuint ((guint64) info->l4_offset + info->l4_len, <=, size);
  g_assert_cmpuint (info->payload_offset, >=, info->l4_offset);
  g_assert_cmpuint ((guint64) info->payload_offset + info->payload_len, <=,
      (guint64) info->l4_offset + info->l4_len);
}

/* ---- canned frames ---- */

/* IPv4 + 2 IP option words, TCP + 3 option words, 10 bytes of data */
static void
make_ipv4_tcp (Frame * f, guint vnet)
{
  gsize l3;

  put_eth (f, vnet, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 6, 2, 0x4000 /* DF */ );
  put_tcp (f, 40000, 80, 0xdeadbeef, 0x01020304,
      COLO_TCP_ACK | COLO_TCP_PSH, 3);
  put_payload (f, 10);
  ipv4_end (f, l3);
}

static void
make_ipv4_udp (Frame * f, guint vnet, guint16 payload_len)
{
  gsize l3;

  put_eth (f, vnet, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 17, 0, 0);
  put_udp (f, 5353, 53, payload_len);
  put_payload (f, payload_len);
  ipv4_end (f, l3);
}

/* IPv6 + Hop-by-Hop (8) + Destination Options (16) + TCP (20) + 7 bytes */
static void
make_ipv6_ext_tcp (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 0);
  put_ext6 (f, 60, 0);
  put_ext6 (f, 6, 1);
  put_tcp (f, 443, 50000, 100, 200, COLO_TCP_SYN | COLO_TCP_ACK, 0);
  put_payload (f, 7);
  ipv6_end (f, l3);
}

/* ---- malformed frames ---- */

/* Malformed frames, one named case each: a well-formed frame with one
 * field broken (or cut to len bytes), the virtio-net header length to
 * parse it with, and the reason the parser must give. */
typedef struct
{
  const char *name;
  void (*build) (Frame * f);
  guint vnet;
  gsize len;                    /* parse the first len bytes; 0: all */
  ColoMalformed why;
} MalformedCase;

static void
ipv4_ihl_short (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14] = 0x44;
}

static void
ipv4_version_6 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14] = 0x67;
}

/* IHL beyond the buffer: 15 words = 60 bytes, the buffer holds 28 */
static void
ipv4_ihl_beyond (Frame * f)
{
  make_ipv4_udp (f, 0, 0);
  f->d[14] = 0x4f;
}

static void
ipv4_total_beyond (Frame * f)
{
  make_ipv4_tcp (f, 0);
  set_u16 (f, 16, f->len - 14 + 1);
}

static void
ipv4_total_below_ihl (Frame * f)
{
  make_ipv4_tcp (f, 0);
  set_u16 (f, 16, 27);
}

/* total length == IHL * 4: an empty IP payload, but TCP needs a header */
static void
ipv4_empty_tcp (Frame * f)
{
  make_ipv4_tcp (f, 0);
  set_u16 (f, 16, 28);
}

static void
tcp_doff_0 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 0 << 4;
}

static void
tcp_doff_1 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 1 << 4;
}

static void
tcp_doff_2 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 2 << 4;
}

static void
tcp_doff_3 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 3 << 4;
}

static void
tcp_doff_4 (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 4 << 4;
}

/* data offset beyond the IP payload: 15 * 4 = 60 > 42 */
static void
tcp_doff_beyond (Frame * f)
{
  make_ipv4_tcp (f, 0);
  f->d[14 + 28 + 12] = 15 << 4;
}

/* ... also when the bytes exist in the frame as Ethernet padding */
static void
tcp_doff_into_padding (Frame * f)
{
  make_ipv4_tcp (f, 0);
  set_u16 (f, 16, 28 + 20);
  f->d[14 + 28 + 12] = 6 << 4;
}

/* TCP header cut by the IP length */
static void
tcp_cut_by_ip_len (Frame * f)
{
  make_ipv4_tcp (f, 0);
  set_u16 (f, 16, 28 + 19);
}

static void
udp_cut_by_ip_len (Frame * f)
{
  make_ipv4_udp (f, 0, 10);
  set_u16 (f, 16, 20 + 7);
}

static void
udp_len_below_8 (Frame * f)
{
  make_ipv4_udp (f, 0, 10);
  set_u16 (f, 34 + 4, 7);
}

static void
udp_len_beyond (Frame * f)
{
  make_ipv4_udp (f, 0, 10);
  set_u16 (f, 34 + 4, 19);
}

/* ---- well-formed frames ---- */

/* What the parser must find in a frame.  Every field is checked; the
 * addresses are the builder's (ip4_src/ip4_dst, ip6_src/ip6_dst) whenever
 * ip_version is set. */
typedef struct
{
  ColoParseResult result;
  guint16 ethertype;
  guint8 n_vlan;
  guint16 vlan_id[2];
  guint8 ip_version;
  guint8 ip_proto;
  gboolean is_fragment;
  guint16 src_port, dst_port;
  guint32 tcp_seq, tcp_ack;
  guint8 tcp_flags;
  guint32 l3_offset, l4_offset, l4_len, payload_offset, payload_len;
  const char *payload;          /* the payload's first bytes, or NULL */
} Parsed;

/* A well-formed frame, one named case each: how to build it, the
 * virtio-net header length to parse it with, and what the parser finds. */
typedef struct
{
  const char *name;
  void (*build) (Frame * f);
  guint vnet;
  Parsed want;
} ParsedCase;

static void
ipv4_tcp (Frame * f)
{
  make_ipv4_tcp (f, 0);
  g_assert_cmpuint (f->len, ==, 14 + 28 + 32 + 10);
}

static void
ipv4_tcp_vnet10 (Frame * f)
{
  make_ipv4_tcp (f, 10);
}

static void
ipv4_tcp_vnet12 (Frame * f)
{
  make_ipv4_tcp (f, 12);
}

static void
ipv4_tcp_vnet20 (Frame * f)
{
  make_ipv4_tcp (f, 20);
}

/* SYN, FIN and RST at once, and the NS bit (the low bit of the data
 * offset byte), which is not in tcp_flags */
static void
ipv4_tcp_flags (Frame * f)
{
  gsize l3, l4;

  put_eth (f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 6, 0, 0);
  l4 = put_tcp (f, 1, 2, 0, 0, COLO_TCP_FIN | COLO_TCP_RST | COLO_TCP_SYN, 0);
  f->d[l4 + 12] |= 0x01;
  ipv4_end (f, l3);
}

static void
ipv4_udp (Frame * f)
{
  make_ipv4_udp (f, 0, 100);
}

/* A UDP length shorter than the IP payload is accepted; the payload is
 * still bounded by the IP length */
static void
ipv4_udp_short_length (Frame * f)
{
  make_ipv4_udp (f, 0, 20);
  set_u16 (f, 34 + 4, 8 + 10);
}

static void
ipv4_icmp (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 1, 0, 0);
  put_u8 (f, 8);                /* echo request */
  put_u8 (f, 0);
  put_u16 (f, 0);
  put_u16 (f, 0x4242);
  put_u16 (f, 1);
  put_payload (f, 56);
  ipv4_end (f, l3);
}

/* Unknown protocol (GRE, 47): the whole IP payload, no ports */
static void
ipv4_other_proto (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 47, 1, 0);
  put_payload (f, 3);
  ipv4_end (f, l3);
}

/* An IP payload of length 0 is fine for protocols without a header */
static void
ipv4_empty_icmp (Frame * f)
{
  ipv4_empty_tcp (f);
  f->d[14 + 9] = 1;
}

/* Fragments: not a UDP header at all in non-first fragments, 3 bytes */
static void
ipv4_fragment (Frame * f, guint16 frag)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 17, 0, frag);
  put_payload (f, 3);
  ipv4_end (f, l3);
}

static void
ipv4_fragment_mf (Frame * f)
{
  ipv4_fragment (f, 0x2000);
}

static void
ipv4_fragment_offset (Frame * f)
{
  ipv4_fragment (f, 0x0010);    /* offset 128 */
}

static void
ipv4_fragment_mf_offset (Frame * f)
{
  ipv4_fragment (f, 0x2000 | 0x0001);
}

/* Minimum-size Ethernet frames: 60 bytes, of which only the IP packet
 * counts.  UDP with 12 bytes of data: 14 + 20 + 8 + 12 = 54 */
static void
eth_padding_udp (Frame * f)
{
  make_ipv4_udp (f, 0, 12);
  put_fill (f, 0, 60 - f->len);
  g_assert_cmpuint (f->len, ==, 60);
}

/* TCP pure ACK: 14 + 20 + 20 = 54, padded to 60 */
static void
eth_padding_tcp_ack (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (f, 6, 0, 0);
  put_tcp (f, 1000, 2000, 5, 6, COLO_TCP_ACK, 0);
  ipv4_end (f, l3);
  put_fill (f, 0xaa, 6);
}

static void
eth_vlan_8021q (Frame * f)
{
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 0xa000 | 100 };        /* PCP 5, VID 100 */
  gsize l3;

  l3 = put_eth (f, 0, 1, tpid, tci, 0x0800);
  g_assert_cmpuint (l3, ==, 18);
  l3 = put_ipv4 (f, 17, 0, 0);
  put_udp (f, 1, 2, 4);
  put_payload (f, 4);
  ipv4_end (f, l3);
}

static void
eth_vlan_qinq (Frame * f, guint16 outer)
{
  guint16 tpid[] = { outer, 0x8100 };
  static const guint16 tci[] = { 0x1000 | 4094, 7 };    /* DEI set */
  gsize l3;

  l3 = put_eth (f, 12, 2, tpid, tci, 0x86dd);
  g_assert_cmpuint (l3, ==, 12 + 22);
  l3 = put_ipv6 (f, 17);
  put_udp (f, 9, 10, 0);
  ipv6_end (f, l3);
}

static void
eth_vlan_qinq_88a8 (Frame * f)
{
  eth_vlan_qinq (f, 0x88a8);
}

static void
eth_vlan_qinq_9100 (Frame * f)
{
  eth_vlan_qinq (f, 0x9100);
}

/* ARP request */
static void
eth_arp (Frame * f)
{
  put_eth (f, 0, 0, NULL, NULL, 0x0806);
  put_u16 (f, 1);
  put_u16 (f, 0x0800);
  put_fill (f, 0, 24);
}

/* bare 14-byte Ethernet header, LLDP */
static void
eth_lldp (Frame * f)
{
  put_eth (f, 0, 0, NULL, NULL, 0x88cc);
}

static void
eth_lldp_tagged (Frame * f)
{
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 42 };

  put_eth (f, 0, 1, tpid, tci, 0x88cc);
}

static void
ipv6_tcp (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 6);
  put_tcp (f, 22, 60000, 0xffffffff, 1, COLO_TCP_ACK, 3);
  put_payload (f, 30);
  ipv6_end (f, l3);
}

/* trailing garbage after the IPv6 payload is ignored */
static void
ipv6_udp (Frame * f)
{
  gsize l3;

  put_eth (f, 10, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 17);
  put_udp (f, 546, 547, 33);
  put_payload (f, 33);
  ipv6_end (f, l3);
  put_fill (f, 0x55, 5);
}

static void
ipv6_icmpv6 (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 58);
  put_u8 (f, 128);              /* echo request */
  put_u8 (f, 0);
  put_u16 (f, 0);
  put_u32 (f, 0x00010002);
  put_payload (f, 16);
  ipv6_end (f, l3);
}

/* Routing header and AH (length in 4-byte units, + 2) */
static void
ipv6_routing_ah (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 43);
  put_ext6 (f, 51, 2);          /* routing, 24 bytes */
  put_u8 (f, 17);               /* AH: next header UDP */
  put_u8 (f, 4);                /* (4 + 2) * 4 = 24 bytes */
  put_fill (f, 0, 22);
  put_udp (f, 7, 8, 2);
  put_payload (f, 2);
  ipv6_end (f, l3);
}

/* ESP and "no next header" end the walk: opaque payload */
static void
ipv6_esp (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 60);
  put_ext6 (f, 50, 0);
  put_payload (f, 12);
  ipv6_end (f, l3);
}

/* payload length 0 with no next header is an empty packet, not a
 * jumbogram */
static void
ipv6_no_next_empty (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 59);
  ipv6_end (f, l3);
}

/* 16 chained destination options headers (17 are too many) */
static void
ipv6_ext_16 (Frame * f)
{
  gsize l3;
  guint i;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 60);
  for (i = 0; i < 15; i++)
    put_ext6 (f, 60, 0);
  put_ext6 (f, 59, 0);
  put_payload (f, 8);
  ipv6_end (f, l3);
}

/* hop-by-hop, then the first fragment of a TCP segment */
static void
ipv6_fragment (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 0);
  put_ext6 (f, 44, 0);          /* hop-by-hop */
  put_u8 (f, 6);                /* fragment header: next header TCP */
  put_u8 (f, 0);
  put_u16 (f, 0x0001);          /* offset 0, M=1: first fragment */
  put_u32 (f, 0xcafe);
  put_tcp (f, 1, 2, 3, 4, COLO_TCP_ACK, 0);
  put_payload (f, 40);
  ipv6_end (f, l3);
}

#define TCP_ACK_PSH (COLO_TCP_ACK | COLO_TCP_PSH)

/* IPv4 TCP of make_ipv4_tcp behind a virtio-net header of v bytes (DF
 * set: not a fragment) */
#define IPV4_TCP(v) {COLO_PARSE_OK, 0x0800, 0, {0, 0}, 4, COLO_IPPROTO_TCP,   \
    FALSE, 40000, 80, 0xdeadbeef, 0x01020304, TCP_ACK_PSH,                  \
    (v) + 14, (v) + 14 + 28, 32 + 10, (v) + 14 + 28 + 32, 10, "abcdefghij"}

/* result, ethertype, n_vlan, vlan_id, ip_version, ip_proto, is_fragment,
 * ports, tcp_seq, tcp_ack, tcp_flags, l3_offset, l4_offset, l4_len,
 * payload_offset, payload_len, payload */
static const ParsedCase parsed_cases[] = {
  {"ipv4/tcp", ipv4_tcp, 0, IPV4_TCP (0)},
  {"ipv4/tcp-flags", ipv4_tcp_flags, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0}, 4,
          COLO_IPPROTO_TCP, FALSE, 1, 2, 0, 0,
          COLO_TCP_FIN | COLO_TCP_RST | COLO_TCP_SYN,
          14, 34, 20, 14 + 20 + 20, 0, NULL}},
  {"ipv4/udp", ipv4_udp, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0}, 4,
          COLO_IPPROTO_UDP, FALSE, 5353, 53, 0, 0, 0,
          14, 34, 108, 42, 100, "abcdefghij"}},
  {"ipv4/udp-short-length", ipv4_udp_short_length, 0, {COLO_PARSE_OK, 0x0800,
              0, {0, 0}, 4, COLO_IPPROTO_UDP, FALSE, 5353, 53, 0, 0, 0,
          14, 34, 28, 42, 20, NULL}},
  {"ipv4/icmp", ipv4_icmp, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0}, 4,
          COLO_IPPROTO_ICMP, FALSE, 0, 0, 0, 0, 0,
          14, 34, 64, 34, 64, NULL}},
  {"ipv4/other-proto", ipv4_other_proto, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0},
          4, 47, FALSE, 0, 0, 0, 0, 0,
          14, 14 + 24, 3, 14 + 24, 3, "abc"}},
  {"ipv4/empty-ip-payload", ipv4_empty_icmp, 0, {COLO_PARSE_OK, 0x0800, 0,
              {0, 0}, 4, COLO_IPPROTO_ICMP, FALSE, 0, 0, 0, 0, 0,
          14, 42, 0, 42, 0, NULL}},
  {"ipv4/fragment-mf", ipv4_fragment_mf, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0},
          4, COLO_IPPROTO_UDP, TRUE, 0, 0, 0, 0, 0,
          14, 34, 3, 34, 3, "abc"}},
  {"ipv4/fragment-offset", ipv4_fragment_offset, 0, {COLO_PARSE_OK, 0x0800, 0,
              {0, 0}, 4, COLO_IPPROTO_UDP, TRUE, 0, 0, 0, 0, 0,
          14, 34, 3, 34, 3, "abc"}},
  {"ipv4/fragment-mf-offset", ipv4_fragment_mf_offset, 0, {COLO_PARSE_OK,
              0x0800, 0, {0, 0}, 4, COLO_IPPROTO_UDP, TRUE, 0, 0, 0, 0, 0,
          14, 34, 3, 34, 3, "abc"}},
  {"eth/padding-udp", eth_padding_udp, 0, {COLO_PARSE_OK, 0x0800, 0, {0, 0},
          4, COLO_IPPROTO_UDP, FALSE, 5353, 53, 0, 0, 0,
          14, 34, 20, 42, 12, "abcdefghijkl"}},
  {"eth/padding-tcp-ack", eth_padding_tcp_ack, 0, {COLO_PARSE_OK, 0x0800, 0,
              {0, 0}, 4, COLO_IPPROTO_TCP, FALSE, 1000, 2000, 5, 6,
          COLO_TCP_ACK, 14, 34, 20, 54, 0, NULL}},
  {"eth/vnet-hdr-10", ipv4_tcp_vnet10, 10, IPV4_TCP (10)},
  {"eth/vnet-hdr-12", ipv4_tcp_vnet12, 12, IPV4_TCP (12)},
  {"eth/vnet-hdr-20", ipv4_tcp_vnet20, 20, IPV4_TCP (20)},
  {"eth/vlan-8021q", eth_vlan_8021q, 0, {COLO_PARSE_OK, 0x0800, 1, {100, 0},
          4, COLO_IPPROTO_UDP, FALSE, 1, 2, 0, 0, 0,
          18, 38, 12, 46, 4, "abcd"}},
  {"eth/vlan-qinq-88a8", eth_vlan_qinq_88a8, 12, {COLO_PARSE_OK, 0x86dd, 2,
              {4094, 7}, 6, COLO_IPPROTO_UDP, FALSE, 9, 10, 0, 0, 0,
          34, 74, 8, 82, 0, NULL}},
  {"eth/vlan-qinq-9100", eth_vlan_qinq_9100, 12, {COLO_PARSE_OK, 0x86dd, 2,
              {4094, 7}, 6, COLO_IPPROTO_UDP, FALSE, 9, 10, 0, 0, 0,
          34, 74, 8, 82, 0, NULL}},
  {"eth/not-ip-arp", eth_arp, 0, {COLO_PARSE_NOT_IP, 0x0806, 0, {0, 0}, 0, 0,
          FALSE, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, NULL}},
  {"eth/not-ip-lldp", eth_lldp, 0, {COLO_PARSE_NOT_IP, 0x88cc, 0, {0, 0}, 0,
          0, FALSE, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, NULL}},
  {"eth/not-ip-lldp-tagged", eth_lldp_tagged, 0, {COLO_PARSE_NOT_IP, 0x88cc,
          1, {42, 0}, 0, 0, FALSE, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0, NULL}},
  {"ipv6/tcp", ipv6_tcp, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0}, 6,
          COLO_IPPROTO_TCP, FALSE, 22, 60000, 0xffffffff, 1, COLO_TCP_ACK,
          14, 54, 32 + 30, 54 + 32, 30, "abcdefghij"}},
  {"ipv6/udp", ipv6_udp, 10, {COLO_PARSE_OK, 0x86dd, 0, {0, 0}, 6,
          COLO_IPPROTO_UDP, FALSE, 546, 547, 0, 0, 0,
          24, 64, 41, 72, 33, "abcdefghij"}},
  {"ipv6/icmpv6", ipv6_icmpv6, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0}, 6,
          COLO_IPPROTO_ICMPV6, FALSE, 0, 0, 0, 0, 0,
          14, 54, 24, 54, 24, NULL}},
  {"ipv6/ext-headers", make_ipv6_ext_tcp, 0, {COLO_PARSE_OK, 0x86dd, 0,
              {0, 0}, 6, COLO_IPPROTO_TCP, FALSE, 443, 50000, 100, 200,
              COLO_TCP_SYN | COLO_TCP_ACK,
          14, 14 + 40 + 8 + 16, 27, 14 + 40 + 24 + 20, 7, "abcdefg"}},
  {"ipv6/ext-headers-16", ipv6_ext_16, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0},
          6, 59, FALSE, 0, 0, 0, 0, 0,
          14, 54 + 128, 8, 54 + 128, 8, "abcdefgh"}},
  {"ipv6/routing-ah", ipv6_routing_ah, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0},
          6, COLO_IPPROTO_UDP, FALSE, 7, 8, 0, 0, 0,
          14, 14 + 40 + 24 + 24, 10, 14 + 40 + 24 + 24 + 8, 2, "ab"}},
  {"ipv6/esp", ipv6_esp, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0}, 6, 50, FALSE,
          0, 0, 0, 0, 0, 14, 62, 12, 62, 12, "abcdefghijkl"}},
  {"ipv6/no-next-empty", ipv6_no_next_empty, 0, {COLO_PARSE_OK, 0x86dd, 0,
          {0, 0}, 6, 59, FALSE, 0, 0, 0, 0, 0, 14, 54, 0, 54, 0, NULL}},
  {"ipv6/fragment", ipv6_fragment, 0, {COLO_PARSE_OK, 0x86dd, 0, {0, 0}, 6,
          COLO_IPPROTO_IPV6_FRAG, TRUE, 0, 0, 0, 0, 0,
          14, 14 + 40 + 8, 8 + 20 + 40, 14 + 40 + 8, 68, NULL}},
};

/* Checks of a table case: a failure names the case, the field, what the
 * parser gave and what the case wants. */
#define CASE_CHECK(c, cond) G_STMT_START {                              \
  if (!(cond))                                                          \
    g_error ("%s: %s does not hold", (c)->name, #cond);                 \
} G_STMT_END

#define CASE_CHECK_UINT(c, got, want) G_STMT_START {                    \
  guint64 _got = (got), _want = (want);                                 \
  if (_got != _want)                                                    \
    g_error ("%s: %s is %" G_GUINT64_FORMAT ", want %" G_GUINT64_FORMAT, \
        (c)->name, #got, _got, _want);                                  \
} G_STMT_END

static void
test_parsed_case (gconstpointer data)
{
  const ParsedCase *c = data;
  const Parsed *w = &c->want;
  Frame f = { {0}, 0 };
  ColoPacketInfo info;

  c->build (&f);
  CASE_CHECK_UINT (c, parse (&f, c->vnet, &info), w->result);
  CASE_CHECK (c, info.error == NULL);
  CASE_CHECK_UINT (c, info.ethertype, w->ethertype);
  CASE_CHECK_UINT (c, info.n_vlan, w->n_vlan);
  CASE_CHECK_UINT (c, info.vlan_id[0], w->vlan_id[0]);
  CASE_CHECK_UINT (c, info.vlan_id[1], w->vlan_id[1]);
  CASE_CHECK_UINT (c, info.ip_version, w->ip_version);
  CASE_CHECK_UINT (c, info.ip_proto, w->ip_proto);
  CASE_CHECK_UINT (c, info.is_fragment, w->is_fragment);
  if (w->ip_version == 4) {
    CASE_CHECK (c, memcmp (info.src, ip4_src, 4) == 0);
    CASE_CHECK (c, memcmp (info.dst, ip4_dst, 4) == 0);
  } else if (w->ip_version == 6) {
    CASE_CHECK (c, memcmp (info.src, ip6_src, 16) == 0);
    CASE_CHECK (c, memcmp (info.dst, ip6_dst, 16) == 0);
  }
  CASE_CHECK_UINT (c, info.src_port, w->src_port);
  CASE_CHECK_UINT (c, info.dst_port, w->dst_port);
  CASE_CHECK_UINT (c, info.tcp_seq, w->tcp_seq);
  CASE_CHECK_UINT (c, info.tcp_ack, w->tcp_ack);
  CASE_CHECK_UINT (c, info.tcp_flags, w->tcp_flags);
  CASE_CHECK_UINT (c, info.l3_offset, w->l3_offset);
  CASE_CHECK_UINT (c, info.l4_offset, w->l4_offset);
  CASE_CHECK_UINT (c, info.l4_len, w->l4_len);
  CASE_CHECK_UINT (c, info.payload_offset, w->payload_offset);
  CASE_CHECK_UINT (c, info.payload_len, w->payload_len);
  if (w->payload)
    CASE_CHECK (c, memcmp (f.d + info.payload_offset, w->payload,
            strlen (w->payload)) == 0);
  assert_consistent (&info, f.len);
}

/* The rest of a 16-byte address is zero for IPv4, even if info held
 * an IPv6 address before */
static void
test_ipv4_addr_zero_tail (void)
{
  Frame f;
  ColoPacketInfo info;
  static const guint8 zero[12] = { 0 };

  make_ipv6_ext_tcp (&f);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  make_ipv4_tcp (&f, 0);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpmem (info.src + 4, 12, zero, 12);
  g_assert_cmpmem (info.dst + 4, 12, zero, 12);
}

static void
empty (Frame * f)
{
  f->len = 0;
}

static void
ipv4_tcp_vnet21 (Frame * f)
{
  make_ipv4_tcp (f, 21);
}

static void
eth_vlan_three_tags (Frame * f)
{
  static const guint16 tpid[] = { 0x88a8, 0x8100, 0x8100 };
  static const guint16 tci[] = { 1, 2, 3 };

  put_eth (f, 0, 3, tpid, tci, 0x0800);
  put_ipv4 (f, 6, 0, 0);
}

/* a tagged ARP frame, to be cut inside its tag */
static void
eth_vlan_arp (Frame * f)
{
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 5 };

  put_eth (f, 0, 1, tpid, tci, 0x0806);
}

static void
ipv6_version_4 (Frame * f)
{
  make_ipv6_ext_tcp (f);
  f->d[14] = 0x45;
}

static void
ipv6_payload_beyond (Frame * f)
{
  make_ipv6_ext_tcp (f);
  set_u16 (f, 18, f->len - 54 + 1);
}

static void
ipv6_jumbogram (Frame * f)
{
  make_ipv6_ext_tcp (f);
  set_u16 (f, 18, 0);
}

/* the destination options header (16 bytes) is in the buffer but beyond
 * the payload length */
static void
ipv6_ext_beyond_payload (Frame * f)
{
  make_ipv6_ext_tcp (f);
  set_u16 (f, 18, 8 + 12);
}

/* ... or its first bytes are not even within the payload length */
static void
ipv6_ext_cut (Frame * f)
{
  make_ipv6_ext_tcp (f);
  set_u16 (f, 18, 8 + 4);
}

static void
ipv6_ah_beyond_payload (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 51);
  put_u8 (f, 59);
  put_u8 (f, 10);               /* 48 bytes */
  put_fill (f, 0, 30);
  ipv6_end (f, l3);
}

/* 17 chained destination options headers */
static void
ipv6_ext_17 (Frame * f)
{
  gsize l3;
  guint i;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 60);
  for (i = 0; i < 17; i++)
    put_ext6 (f, 60, 0);
  put_payload (f, 8);
  ipv6_end (f, l3);
}

/* TCP after extension headers, cut by the payload length */
static void
ipv6_tcp_cut_by_payload_len (Frame * f)
{
  make_ipv6_ext_tcp (f);
  set_u16 (f, 18, 24 + 19);
}

/* the fragment header itself must fit */
static void
ipv6_fragment_header_cut (Frame * f)
{
  gsize l3;

  put_eth (f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (f, 44);
  put_fill (f, 0, 4);
  ipv6_end (f, l3);
}

static const MalformedCase malformed_cases[] = {
  {.name = "eth/empty",.build = empty,.why = COLO_MALFORMED_ETH_TRUNCATED},
  {.name = "eth/vnet-hdr-21",.build = ipv4_tcp_vnet21,.vnet = 21,
      .why = COLO_MALFORMED_VNET_HDR_TOO_LONG},
  {.name = "eth/vnet-hdr-max",.build = ipv4_tcp_vnet21,.vnet = G_MAXUINT,
      .why = COLO_MALFORMED_VNET_HDR_TOO_LONG},
  {.name = "eth/vlan-three-tags",.build = eth_vlan_three_tags,
      .why = COLO_MALFORMED_TOO_MANY_VLAN_TAGS},
  /* only the TPID and TCI, no inner ethertype */
  {.name = "eth/vlan-cut-16",.build = eth_vlan_arp,.len = 16,
      .why = COLO_MALFORMED_VLAN_TRUNCATED},
  {.name = "eth/vlan-cut-17",.build = eth_vlan_arp,.len = 17,
      .why = COLO_MALFORMED_VLAN_TRUNCATED},
  {.name = "eth/vlan-cut-13",.build = eth_vlan_arp,.len = 13,
      .why = COLO_MALFORMED_ETH_TRUNCATED},
  {.name = "ipv4/cut-14",.build = ipv4_tcp,.len = 14,
      .why = COLO_MALFORMED_IPV4_TRUNCATED},
  {.name = "ipv4/cut-33",.build = ipv4_tcp,.len = 33,
      .why = COLO_MALFORMED_IPV4_TRUNCATED},
  {.name = "ipv4/ihl-short",.build = ipv4_ihl_short,
      .why = COLO_MALFORMED_IPV4_HDR_LEN_SHORT},
  {.name = "ipv4/version-6",.build = ipv4_version_6,
      .why = COLO_MALFORMED_IPV4_VERSION},
  {.name = "ipv4/ihl-beyond",.build = ipv4_ihl_beyond,
      .why = COLO_MALFORMED_IPV4_OPTIONS_TRUNCATED},
  {.name = "ipv4/total-beyond",.build = ipv4_total_beyond,
      .why = COLO_MALFORMED_IPV4_PACKET_TRUNCATED},
  {.name = "ipv4/total-below-ihl",.build = ipv4_total_below_ihl,
      .why = COLO_MALFORMED_IPV4_TOTAL_LEN_SHORT},
  {.name = "ipv4/empty-tcp",.build = ipv4_empty_tcp,
      .why = COLO_MALFORMED_TCP_TRUNCATED},
  {.name = "ipv6/cut-14",.build = make_ipv6_ext_tcp,.len = 14,
      .why = COLO_MALFORMED_IPV6_TRUNCATED},
  {.name = "ipv6/cut-53",.build = make_ipv6_ext_tcp,.len = 53,
      .why = COLO_MALFORMED_IPV6_TRUNCATED},
  {.name = "ipv6/version-4",.build = ipv6_version_4,
      .why = COLO_MALFORMED_IPV6_VERSION},
  {.name = "ipv6/payload-beyond",.build = ipv6_payload_beyond,
      .why = COLO_MALFORMED_IPV6_PACKET_TRUNCATED},
  {.name = "ipv6/jumbogram",.build = ipv6_jumbogram,
      .why = COLO_MALFORMED_IPV6_JUMBOGRAM},
  {.name = "ipv6/ext-beyond-payload",.build = ipv6_ext_beyond_payload,
      .why = COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD},
  {.name = "ipv6/ext-cut",.build = ipv6_ext_cut,
      .why = COLO_MALFORMED_IPV6_EXT_TRUNCATED},
  {.name = "ipv6/ah-beyond-payload",.build = ipv6_ah_beyond_payload,
      .why = COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD},
  {.name = "ipv6/ext-headers-17",.build = ipv6_ext_17,
      .why = COLO_MALFORMED_IPV6_TOO_MANY_EXT},
  {.name = "ipv6/fragment-header-cut",.build = ipv6_fragment_header_cut,
      .why = COLO_MALFORMED_IPV6_EXT_TRUNCATED},
  {.name = "ipv6/tcp-cut-by-payload-length",
        .build = ipv6_tcp_cut_by_payload_len,
      .why = COLO_MALFORMED_TCP_TRUNCATED},
  {.name = "tcp/doff-0",.build = tcp_doff_0,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {.name = "tcp/doff-1",.build = tcp_doff_1,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {.name = "tcp/doff-2",.build = tcp_doff_2,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {.name = "tcp/doff-3",.build = tcp_doff_3,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {.name = "tcp/doff-4",.build = tcp_doff_4,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {.name = "tcp/doff-beyond",.build = tcp_doff_beyond,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND},
  {.name = "tcp/doff-into-padding",.build = tcp_doff_into_padding,
      .why = COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND},
  {.name = "tcp/cut-by-ip-length",.build = tcp_cut_by_ip_len,
      .why = COLO_MALFORMED_TCP_TRUNCATED},
  {.name = "udp/cut-by-ip-length",.build = udp_cut_by_ip_len,
      .why = COLO_MALFORMED_UDP_TRUNCATED},
  {.name = "udp/length-below-8",.build = udp_len_below_8,
      .why = COLO_MALFORMED_UDP_LEN_SHORT},
  {.name = "udp/length-beyond",.build = udp_len_beyond,
      .why = COLO_MALFORMED_UDP_LEN_BEYOND},
};

static void
test_malformed_case (gconstpointer data)
{
  const MalformedCase *c = data;
  Frame f;

  ColoPacketInfo info;

  c->build (&f);
  CASE_CHECK (c, c->len <= f.len);
  CASE_CHECK_UINT (c, parse_len (&f, c->len ? c->len : f.len, c->vnet,
          &info), COLO_PARSE_MALFORMED);
  CASE_CHECK_UINT (c, info.malformed, c->why);
  CASE_CHECK (c, g_strcmp0 (info.error,
          colo_malformed_to_string (c->why)) == 0);
}

/* No buffer at all */
static void
test_malformed_null (void)
{
  ColoPacketInfo info;

  g_assert_cmpint (colo_packet_parse (NULL, 0, 0, &info), ==,
      COLO_PARSE_MALFORMED);
  g_assert_cmpint (info.malformed, ==, COLO_MALFORMED_ETH_TRUNCATED);
}

/* Every prefix of a valid frame: never reads out of bounds (valgrind,
 * exact-size heap copies), and since the IP length covers the whole frame,
 * every strict prefix that reaches the IP header is malformed. */
typedef void (*MakeFunc) (Frame * f);

static void
make_tcp_vnet (Frame * f)
{
  make_ipv4_tcp (f, 12);
}

static void
make_udp (Frame * f)
{
  make_ipv4_udp (f, 0, 9);
}

static void
make_qinq_v6_frag (Frame * f)
{
  static const guint16 tpid[] = { 0x88a8, 0x8100 };
  static const guint16 tci[] = { 10, 20 };
  gsize l3;

  put_eth (f, 0, 2, tpid, tci, 0x86dd);
  l3 = put_ipv6 (f, 60);
  put_ext6 (f, 44, 0);
  put_u8 (f, 17);
  put_u8 (f, 0);
  put_u16 (f, 0x0008);
  put_u32 (f, 1);
  put_payload (f, 5);
  ipv6_end (f, l3);
}

static void
test_truncation (void)
{
  static const MakeFunc makers[] = { make_tcp_vnet, make_udp,
    make_ipv6_ext_tcp, make_qinq_v6_frag
  };
  static const guint vnets[] = { 12, 0, 0, 0 };
  guint m;

  for (m = 0; m < G_N_ELEMENTS (makers); m++) {
    Frame f;
    ColoPacketInfo info, full;
    gsize len;

    makers[m] (&f);
    g_assert_cmpint (parse (&f, vnets[m], &full), ==, COLO_PARSE_OK);
    assert_consistent (&full, f.len);

    for (len = 0; len < f.len; len++) {
      g_assert_cmpint (parse_len (&f, len, vnets[m], &info), ==,
          COLO_PARSE_MALFORMED);
      if (len >= full.l3_offset) {
        /* the same headers are parsed as far as they go */
        g_assert_cmpuint (info.l3_offset, ==, full.l3_offset);
        g_assert_cmpuint (info.ethertype, ==, full.ethertype);
        g_assert_cmpuint (info.n_vlan, ==, full.n_vlan);
      }
      g_assert_nonnull (info.error);
      assert_consistent (&info, len);
    }
  }
}

/* Garbage frames: any result, but always consistent */
static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (42);
  guint iter;

  for (iter = 0; iter < 20000; iter++) {
    Frame f;
    ColoPacketInfo info;
    ColoParseResult res;
    guint vnet = g_rand_int_range (rand, 0, 22);
    gsize i;

    /* start from a valid frame and flip bytes, so that parsing gets deep */
    switch (iter % 4) {
      case 0:
        make_ipv4_tcp (&f, 0);
        break;
      case 1:
        make_ipv4_udp (&f, 0, 30);
        break;
      case 2:
        make_ipv6_ext_tcp (&f);
        break;
      default:
        make_qinq_v6_frag (&f);
        break;
    }
    for (i = 0; i < 3; i++)
      f.d[g_rand_int_range (rand, 0, f.len)] = g_rand_int (rand);
    f.len = g_rand_int_range (rand, 0, f.len + 1);
    res = parse (&f, vnet, &info);
    if (res == COLO_PARSE_MALFORMED)
      g_assert_nonnull (info.error);
    else
      g_assert_null (info.error);
    assert_consistent (&info, f.len);
  }
  g_rand_free (rand);
}

static void
test_addr_to_string (void)
{
  char buf[46];
  char small[8];
  guint8 addr[16] = { 0 };

  g_assert_cmpstr (colo_packet_addr_to_string (4, ip4_src, buf, sizeof buf),
      ==, "192.0.2.1");
  g_assert_cmpstr (colo_packet_addr_to_string (4, ip4_dst, buf, sizeof buf),
      ==, "198.51.100.7");
  g_assert_cmpstr (colo_packet_addr_to_string (6, ip6_src, buf, sizeof buf),
      ==, "2001:db8::1");
  g_assert_cmpstr (colo_packet_addr_to_string (6, ip6_dst, buf, sizeof buf),
      ==, "2001:db8:1::beef");
  g_assert_cmpstr (colo_packet_addr_to_string (6, addr, buf, sizeof buf),
      ==, "::");
  memset (addr, 0xff, sizeof addr);
  g_assert_cmpstr (colo_packet_addr_to_string (6, addr, buf, sizeof buf),
      ==, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  g_assert_cmpuint (strlen (buf), ==, 39);
  /* unknown version or a too small buffer */
  g_assert_cmpstr (colo_packet_addr_to_string (0, addr, buf, sizeof buf),
      ==, "?");
  g_assert_cmpstr (colo_packet_addr_to_string (6, addr, small, sizeof small),
      ==, "?");

  /* round trip through the parser */
  {
    Frame f;
    ColoPacketInfo info;

    make_ipv4_tcp (&f, 0);
    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpstr (colo_packet_addr_to_string (info.ip_version, info.dst,
            buf, sizeof buf), ==, "198.51.100.7");
    make_ipv6_ext_tcp (&f);
    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpstr (colo_packet_addr_to_string (info.ip_version, info.src,
            buf, sizeof buf), ==, "2001:db8::1");
  }
}

/* What reassembly needs from a fragment (docs/design.md, "IP fragments"):
 * its identification, offset, MF, protocol and where its data lies. */
static void
test_fragment_fields (void)
{
  static const guint16 frags[] = { 0x2000 /* MF */ , 0x0010 /* off 128 */ ,
    0x2000 | 0x0001
  };
  static const guint32 offsets[] = { 0, 128, 8 };
  static const guint8 more[] = { 1, 0, 1 };
  ColoPacketInfo info;
  Frame f;
  gsize l3;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (frags); i++) {
    f.len = 0;
    ipv4_fragment (&f, frags[i]);
    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_true (info.is_fragment);
    g_assert_cmpuint (info.frag_id, ==, 0x1234);
    g_assert_cmpuint (info.frag_proto, ==, COLO_IPPROTO_UDP);
    g_assert_cmpuint (info.frag_offset, ==, offsets[i]);
    g_assert_cmpuint (info.frag_more, ==, more[i]);
    g_assert_cmpuint (info.frag_data_offset, ==, 34);
    g_assert_cmpuint (info.frag_data_len, ==, 3);
  }

  /* IPv6: hop-by-hop, then the Fragment header (ipv6_fragment) */
  f.len = 0;
  ipv6_fragment (&f);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.frag_proto, ==, COLO_IPPROTO_TCP);
  g_assert_cmpuint (info.frag_offset, ==, 0);
  g_assert_cmpuint (info.frag_more, ==, 1);
  g_assert_cmpuint (info.frag_id, ==, 0xcafe);
  g_assert_cmpuint (info.frag_nh_offset, ==, 14 + 40);  /* hop-by-hop's */
  g_assert_cmpuint (info.frag_data_offset, ==, 14 + 40 + 8 + 8);
  g_assert_cmpuint (info.frag_data_len, ==, 20 + 40);

  /* the Fragment header right after the IPv6 header; offset 1232, last */
  f.len = 0;
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 44);
  put_u8 (&f, 17);
  put_u8 (&f, 0);
  put_u16 (&f, 1232);
  put_u32 (&f, 0xfedcba98);
  put_payload (&f, 5);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_true (info.is_fragment);
  g_assert_cmpuint (info.frag_proto, ==, COLO_IPPROTO_UDP);
  g_assert_cmpuint (info.frag_offset, ==, 1232);
  g_assert_cmpuint (info.frag_more, ==, 0);
  g_assert_cmpuint (info.frag_id, ==, 0xfedcba98);
  g_assert_cmpuint (info.frag_nh_offset, ==, 14 + 6);
  g_assert_cmpuint (info.frag_data_offset, ==, 14 + 40 + 8);
  g_assert_cmpuint (info.frag_data_len, ==, 5);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (parsed_cases); i++) {
    gchar *path = g_strconcat ("/packet/", parsed_cases[i].name, NULL);

    g_test_add_data_func (path, &parsed_cases[i], test_parsed_case);
    g_free (path);
  }
  g_test_add_func ("/packet/ipv4/addr-zero-tail", test_ipv4_addr_zero_tail);
  for (i = 0; i < G_N_ELEMENTS (malformed_cases); i++) {
    gchar *path = g_strconcat ("/packet/malformed/", malformed_cases[i].name,
        NULL);

    g_test_add_data_func (path, &malformed_cases[i], test_malformed_case);
    g_free (path);
  }
  g_test_add_func ("/packet/malformed/null", test_malformed_null);
  g_test_add_func ("/packet/malformed/truncation", test_truncation);
  g_test_add_func ("/packet/malformed/random", test_random);
  g_test_add_func ("/packet/addr-to-string", test_addr_to_string);
  g_test_add_func ("/packet/fragment-fields", test_fragment_fields);

  return g_test_run ();
}
