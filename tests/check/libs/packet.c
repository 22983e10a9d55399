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

static void
assert_malformed (const Frame * f, gsize len, guint vnet, ColoMalformed why)
{
  ColoPacketInfo info;

  g_assert_cmpint (parse_len (f, len, vnet, &info), ==, COLO_PARSE_MALFORMED);
  g_assert_cmpint (info.malformed, ==, why);
  g_assert_cmpstr (info.error, ==, colo_malformed_to_string (why));
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

/* ---- tests ---- */

static void
test_ipv4_tcp (void)
{
  Frame f;
  ColoPacketInfo info;

  make_ipv4_tcp (&f, 0);
  g_assert_cmpuint (f.len, ==, 14 + 28 + 32 + 10);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_null (info.error);
  g_assert_cmpuint (info.ethertype, ==, 0x0800);
  g_assert_cmpuint (info.n_vlan, ==, 0);
  g_assert_cmpuint (info.ip_version, ==, 4);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_TCP);
  g_assert_false (info.is_fragment);
  g_assert_cmpmem (info.src, 4, ip4_src, 4);
  g_assert_cmpmem (info.dst, 4, ip4_dst, 4);
  g_assert_cmpuint (info.src_port, ==, 40000);
  g_assert_cmpuint (info.dst_port, ==, 80);
  g_assert_cmpuint (info.tcp_seq, ==, 0xdeadbeef);
  g_assert_cmpuint (info.tcp_ack, ==, 0x01020304);
  g_assert_cmpuint (info.tcp_flags, ==, COLO_TCP_ACK | COLO_TCP_PSH);
  g_assert_cmpuint (info.l3_offset, ==, 14);
  g_assert_cmpuint (info.l4_offset, ==, 14 + 28);
  g_assert_cmpuint (info.l4_len, ==, 32 + 10);
  g_assert_cmpuint (info.payload_offset, ==, 14 + 28 + 32);
  g_assert_cmpuint (info.payload_len, ==, 10);
  g_assert_cmpmem (f.d + info.payload_offset, 10, "abcdefghij", 10);
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
test_ipv4_tcp_flags (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3, l4;

  put_eth (&f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (&f, 6, 0, 0);
  l4 = put_tcp (&f, 1, 2, 0, 0, COLO_TCP_FIN | COLO_TCP_RST | COLO_TCP_SYN, 0);
  /* NS bit (low bit of the data offset byte) is not in tcp_flags */
  f.d[l4 + 12] |= 0x01;
  ipv4_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.tcp_flags, ==,
      COLO_TCP_FIN | COLO_TCP_RST | COLO_TCP_SYN);
  g_assert_cmpuint (info.payload_offset, ==, 14 + 20 + 20);
  g_assert_cmpuint (info.payload_len, ==, 0);
  g_assert_cmpuint (info.l4_len, ==, 20);
}

static void
test_ipv4_udp (void)
{
  Frame f;
  ColoPacketInfo info;

  make_ipv4_udp (&f, 0, 100);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_version, ==, 4);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_UDP);
  g_assert_cmpuint (info.src_port, ==, 5353);
  g_assert_cmpuint (info.dst_port, ==, 53);
  g_assert_cmpuint (info.l4_offset, ==, 34);
  g_assert_cmpuint (info.l4_len, ==, 108);
  g_assert_cmpuint (info.payload_offset, ==, 42);
  g_assert_cmpuint (info.payload_len, ==, 100);
  g_assert_cmpuint (info.tcp_seq, ==, 0);
  g_assert_cmpuint (info.tcp_flags, ==, 0);
}

/* A UDP length shorter than the IP payload is accepted; the payload is
 * still bounded by the IP length */
static void
test_ipv4_udp_short_length (void)
{
  Frame f;
  ColoPacketInfo info;

  make_ipv4_udp (&f, 0, 20);
  set_u16 (&f, 34 + 4, 8 + 10);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.l4_len, ==, 28);
  g_assert_cmpuint (info.payload_offset, ==, 42);
  g_assert_cmpuint (info.payload_len, ==, 20);
}

static void
test_ipv4_icmp (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (&f, 1, 0, 0);
  put_u8 (&f, 8);               /* echo request */
  put_u8 (&f, 0);
  put_u16 (&f, 0);
  put_u16 (&f, 0x4242);
  put_u16 (&f, 1);
  put_payload (&f, 56);
  ipv4_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_ICMP);
  g_assert_cmpuint (info.src_port, ==, 0);
  g_assert_cmpuint (info.dst_port, ==, 0);
  g_assert_cmpuint (info.l4_offset, ==, 34);
  g_assert_cmpuint (info.l4_len, ==, 64);
  g_assert_cmpuint (info.payload_offset, ==, 34);
  g_assert_cmpuint (info.payload_len, ==, 64);
}

/* Unknown protocol (GRE, 47): the whole IP payload, no ports */
static void
test_ipv4_other_proto (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x0800);
  l3 = put_ipv4 (&f, 47, 1, 0);
  put_payload (&f, 3);
  ipv4_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, 47);
  g_assert_cmpuint (info.src_port, ==, 0);
  g_assert_cmpuint (info.l4_offset, ==, 14 + 24);
  g_assert_cmpuint (info.l4_len, ==, 3);
  g_assert_cmpuint (info.payload_offset, ==, 14 + 24);
  g_assert_cmpuint (info.payload_len, ==, 3);
}

/* Minimum-size Ethernet frame: 60 bytes, of which 20 are IP payload and
 * the rest padding that must not count */
static void
test_ethernet_padding (void)
{
  Frame f;
  ColoPacketInfo info;

  /* UDP with 12 bytes of data: 14 + 20 + 8 + 12 = 54, padded to 60 */
  make_ipv4_udp (&f, 0, 12);
  put_fill (&f, 0, 60 - f.len);
  g_assert_cmpuint (f.len, ==, 60);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.l4_len, ==, 20);
  g_assert_cmpuint (info.payload_len, ==, 12);

  /* TCP pure ACK: 14 + 20 + 20 = 54, padded to 60 */
  {
    gsize l3;

    put_eth (&f, 0, 0, NULL, NULL, 0x0800);
    l3 = put_ipv4 (&f, 6, 0, 0);
    put_tcp (&f, 1000, 2000, 5, 6, COLO_TCP_ACK, 0);
    ipv4_end (&f, l3);
    put_fill (&f, 0xaa, 6);
  }
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.l4_len, ==, 20);
  g_assert_cmpuint (info.payload_offset, ==, 54);
  g_assert_cmpuint (info.payload_len, ==, 0);
}

static void
test_vnet_hdr (void)
{
  static const guint vnet_lens[] = { 0, 10, 12, 20 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (vnet_lens); i++) {
    Frame f;
    ColoPacketInfo info;
    guint v = vnet_lens[i];

    make_ipv4_tcp (&f, v);
    g_assert_cmpint (parse (&f, v, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint (info.l3_offset, ==, v + 14);
    g_assert_cmpuint (info.l4_offset, ==, v + 14 + 28);
    g_assert_cmpuint (info.payload_offset, ==, v + 14 + 28 + 32);
    g_assert_cmpuint (info.payload_len, ==, 10);
    g_assert_cmpuint (info.src_port, ==, 40000);
  }

  {
    Frame f;

    make_ipv4_tcp (&f, 21);
    assert_malformed (&f, f.len, 21, COLO_MALFORMED_VNET_HDR_TOO_LONG);
    assert_malformed (&f, f.len, G_MAXUINT, COLO_MALFORMED_VNET_HDR_TOO_LONG);
  }
}

static void
test_vlan_8021q (void)
{
  Frame f;
  ColoPacketInfo info;
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 0xa000 | 100 };        /* PCP 5, VID 100 */
  gsize l3;

  l3 = put_eth (&f, 0, 1, tpid, tci, 0x0800);
  g_assert_cmpuint (l3, ==, 18);
  l3 = put_ipv4 (&f, 17, 0, 0);
  put_udp (&f, 1, 2, 4);
  put_payload (&f, 4);
  ipv4_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.n_vlan, ==, 1);
  g_assert_cmpuint (info.vlan_id[0], ==, 100);
  g_assert_cmpuint (info.ethertype, ==, 0x0800);
  g_assert_cmpuint (info.l3_offset, ==, 18);
  g_assert_cmpuint (info.l4_offset, ==, 38);
  g_assert_cmpuint (info.payload_offset, ==, 46);
  g_assert_cmpuint (info.payload_len, ==, 4);
}

static void
test_vlan_qinq (void)
{
  static const guint16 outer[] = { 0x88a8, 0x9100 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (outer); i++) {
    Frame f;
    ColoPacketInfo info;
    guint16 tpid[] = { outer[i], 0x8100 };
    static const guint16 tci[] = { 0x1000 | 4094, 7 };  /* DEI set */
    gsize l3;

    l3 = put_eth (&f, 12, 2, tpid, tci, 0x86dd);
    g_assert_cmpuint (l3, ==, 12 + 22);
    l3 = put_ipv6 (&f, 17);
    put_udp (&f, 9, 10, 0);
    ipv6_end (&f, l3);
    g_assert_cmpint (parse (&f, 12, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint (info.n_vlan, ==, 2);
    g_assert_cmpuint (info.vlan_id[0], ==, 4094);
    g_assert_cmpuint (info.vlan_id[1], ==, 7);
    g_assert_cmpuint (info.ethertype, ==, 0x86dd);
    g_assert_cmpuint (info.ip_version, ==, 6);
    g_assert_cmpuint (info.l3_offset, ==, 34);
    g_assert_cmpuint (info.l4_offset, ==, 74);
    g_assert_cmpuint (info.payload_offset, ==, 82);
    g_assert_cmpuint (info.payload_len, ==, 0);
    g_assert_cmpuint (info.src_port, ==, 9);
  }
}

static void
test_vlan_three_tags (void)
{
  Frame f;
  static const guint16 tpid[] = { 0x88a8, 0x8100, 0x8100 };
  static const guint16 tci[] = { 1, 2, 3 };

  put_eth (&f, 0, 3, tpid, tci, 0x0800);
  put_ipv4 (&f, 6, 0, 0);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_TOO_MANY_VLAN_TAGS);
}

static void
test_vlan_truncated (void)
{
  Frame f;
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 5 };

  put_eth (&f, 0, 1, tpid, tci, 0x0806);
  /* only the TPID and TCI, no inner ethertype */
  assert_malformed (&f, 16, 0, COLO_MALFORMED_VLAN_TRUNCATED);
  assert_malformed (&f, 17, 0, COLO_MALFORMED_VLAN_TRUNCATED);
  assert_malformed (&f, 13, 0, COLO_MALFORMED_ETH_TRUNCATED);
}

static void
test_not_ip (void)
{
  Frame f;
  ColoPacketInfo info;
  static const guint16 tpid[] = { 0x8100 };
  static const guint16 tci[] = { 42 };

  /* ARP request */
  put_eth (&f, 0, 0, NULL, NULL, 0x0806);
  put_u16 (&f, 1);
  put_u16 (&f, 0x0800);
  put_fill (&f, 0, 24);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_NOT_IP);
  g_assert_cmpuint (info.ethertype, ==, 0x0806);
  g_assert_cmpuint (info.n_vlan, ==, 0);
  g_assert_cmpuint (info.l3_offset, ==, 14);
  g_assert_cmpuint (info.ip_version, ==, 0);
  g_assert_cmpuint (info.l4_len, ==, 0);
  g_assert_cmpuint (info.payload_len, ==, 0);

  /* bare 14-byte Ethernet header, tagged LLDP */
  put_eth (&f, 0, 0, NULL, NULL, 0x88cc);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_NOT_IP);
  g_assert_cmpuint (info.ethertype, ==, 0x88cc);
  put_eth (&f, 0, 1, tpid, tci, 0x88cc);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_NOT_IP);
  g_assert_cmpuint (info.ethertype, ==, 0x88cc);
  g_assert_cmpuint (info.n_vlan, ==, 1);
  g_assert_cmpuint (info.vlan_id[0], ==, 42);
  g_assert_cmpuint (info.l3_offset, ==, 18);
}

static void
test_ipv6_tcp (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 6);
  put_tcp (&f, 22, 60000, 0xffffffff, 1, COLO_TCP_ACK, 3);
  put_payload (&f, 30);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ethertype, ==, 0x86dd);
  g_assert_cmpuint (info.ip_version, ==, 6);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_TCP);
  g_assert_false (info.is_fragment);
  g_assert_cmpmem (info.src, 16, ip6_src, 16);
  g_assert_cmpmem (info.dst, 16, ip6_dst, 16);
  g_assert_cmpuint (info.src_port, ==, 22);
  g_assert_cmpuint (info.dst_port, ==, 60000);
  g_assert_cmpuint (info.tcp_seq, ==, 0xffffffff);
  g_assert_cmpuint (info.tcp_ack, ==, 1);
  g_assert_cmpuint (info.tcp_flags, ==, COLO_TCP_ACK);
  g_assert_cmpuint (info.l3_offset, ==, 14);
  g_assert_cmpuint (info.l4_offset, ==, 54);
  g_assert_cmpuint (info.l4_len, ==, 32 + 30);
  g_assert_cmpuint (info.payload_offset, ==, 54 + 32);
  g_assert_cmpuint (info.payload_len, ==, 30);
}

static void
test_ipv6_udp (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 10, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 17);
  put_udp (&f, 546, 547, 33);
  put_payload (&f, 33);
  ipv6_end (&f, l3);
  /* trailing garbage after the IPv6 payload is ignored */
  put_fill (&f, 0x55, 5);
  g_assert_cmpint (parse (&f, 10, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_UDP);
  g_assert_cmpuint (info.src_port, ==, 546);
  g_assert_cmpuint (info.dst_port, ==, 547);
  g_assert_cmpuint (info.l3_offset, ==, 24);
  g_assert_cmpuint (info.l4_offset, ==, 64);
  g_assert_cmpuint (info.l4_len, ==, 41);
  g_assert_cmpuint (info.payload_offset, ==, 72);
  g_assert_cmpuint (info.payload_len, ==, 33);
}

static void
test_ipv6_icmpv6 (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 58);
  put_u8 (&f, 128);             /* echo request */
  put_u8 (&f, 0);
  put_u16 (&f, 0);
  put_u32 (&f, 0x00010002);
  put_payload (&f, 16);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_ICMPV6);
  g_assert_cmpuint (info.src_port, ==, 0);
  g_assert_cmpuint (info.dst_port, ==, 0);
  g_assert_cmpuint (info.l4_offset, ==, 54);
  g_assert_cmpuint (info.l4_len, ==, 24);
  g_assert_cmpuint (info.payload_offset, ==, 54);
  g_assert_cmpuint (info.payload_len, ==, 24);
}

static void
test_ipv6_ext_headers (void)
{
  Frame f;
  ColoPacketInfo info;

  make_ipv6_ext_tcp (&f);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_TCP);
  g_assert_false (info.is_fragment);
  g_assert_cmpuint (info.l3_offset, ==, 14);
  g_assert_cmpuint (info.l4_offset, ==, 14 + 40 + 8 + 16);
  g_assert_cmpuint (info.l4_len, ==, 27);
  g_assert_cmpuint (info.src_port, ==, 443);
  g_assert_cmpuint (info.dst_port, ==, 50000);
  g_assert_cmpuint (info.tcp_seq, ==, 100);
  g_assert_cmpuint (info.tcp_ack, ==, 200);
  g_assert_cmpuint (info.tcp_flags, ==, COLO_TCP_SYN | COLO_TCP_ACK);
  g_assert_cmpuint (info.payload_offset, ==, 14 + 40 + 24 + 20);
  g_assert_cmpuint (info.payload_len, ==, 7);
}

/* Routing header and AH (length in 4-byte units, + 2) */
static void
test_ipv6_routing_ah (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 43);
  put_ext6 (&f, 51, 2);         /* routing, 24 bytes */
  put_u8 (&f, 17);              /* AH: next header UDP */
  put_u8 (&f, 4);               /* (4 + 2) * 4 = 24 bytes */
  put_fill (&f, 0, 22);
  put_udp (&f, 7, 8, 2);
  put_payload (&f, 2);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_UDP);
  g_assert_cmpuint (info.l4_offset, ==, 14 + 40 + 24 + 24);
  g_assert_cmpuint (info.l4_len, ==, 10);
  g_assert_cmpuint (info.src_port, ==, 7);
  g_assert_cmpuint (info.payload_len, ==, 2);
}

/* ESP and "no next header" end the walk: opaque payload */
static void
test_ipv6_esp_no_next (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 60);
  put_ext6 (&f, 50, 0);
  put_payload (&f, 12);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, 50);
  g_assert_cmpuint (info.l4_offset, ==, 62);
  g_assert_cmpuint (info.payload_offset, ==, 62);
  g_assert_cmpuint (info.payload_len, ==, 12);

  /* payload length 0 with no next header is an empty packet, not a
   * jumbogram */
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 59);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.ip_proto, ==, 59);
  g_assert_cmpuint (info.l4_offset, ==, 54);
  g_assert_cmpuint (info.l4_len, ==, 0);
}

static void
test_ipv6_fragment (void)
{
  Frame f;
  ColoPacketInfo info;
  gsize l3;

  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 0);
  put_ext6 (&f, 44, 0);         /* hop-by-hop */
  put_u8 (&f, 6);               /* fragment header: next header TCP */
  put_u8 (&f, 0);
  put_u16 (&f, 0x0001);         /* offset 0, M=1: first fragment */
  put_u32 (&f, 0xcafe);
  put_tcp (&f, 1, 2, 3, 4, COLO_TCP_ACK, 0);
  put_payload (&f, 40);
  ipv6_end (&f, l3);
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_true (info.is_fragment);
  g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_IPV6_FRAG);
  g_assert_cmpuint (info.src_port, ==, 0);
  g_assert_cmpuint (info.dst_port, ==, 0);
  g_assert_cmpuint (info.tcp_seq, ==, 0);
  g_assert_cmpuint (info.l4_offset, ==, 14 + 40 + 8);
  g_assert_cmpuint (info.l4_len, ==, 8 + 20 + 40);
  g_assert_cmpuint (info.payload_offset, ==, 14 + 40 + 8);
  g_assert_cmpuint (info.payload_len, ==, 68);
  /* what reassembly needs (docs/design.md, "IP fragments") */
  g_assert_cmpuint (info.frag_proto, ==, COLO_IPPROTO_TCP);
  g_assert_cmpuint (info.frag_offset, ==, 0);
  g_assert_cmpuint (info.frag_more, ==, 1);
  g_assert_cmpuint (info.frag_id, ==, 0xcafe);
  g_assert_cmpuint (info.frag_nh_offset, ==, 14 + 40);  /* hop-by-hop's */
  g_assert_cmpuint (info.frag_data_offset, ==, 14 + 40 + 8 + 8);
  g_assert_cmpuint (info.frag_data_len, ==, 20 + 40);

  /* the Fragment header right after the IPv6 header; offset 1232, last */
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

  /* the fragment header itself must fit */
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 44);
  put_fill (&f, 0, 4);
  ipv6_end (&f, l3);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_EXT_TRUNCATED);
}

static void
test_ipv4_fragment (void)
{
  static const guint16 frags[] = { 0x2000 /* MF */ , 0x0010 /* off 128 */ ,
    0x2000 | 0x0001
  };
  static const guint32 offsets[] = { 0, 128, 8 };
  static const guint8 more[] = { 1, 0, 1 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (frags); i++) {
    Frame f;
    ColoPacketInfo info;
    gsize l3;

    put_eth (&f, 0, 0, NULL, NULL, 0x0800);
    l3 = put_ipv4 (&f, 17, 0, frags[i]);
    /* not a UDP header at all in non-first fragments: 3 bytes */
    put_payload (&f, 3);
    ipv4_end (&f, l3);
    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_true (info.is_fragment);
    g_assert_cmpuint (info.ip_proto, ==, COLO_IPPROTO_UDP);
    g_assert_cmpuint (info.src_port, ==, 0);
    g_assert_cmpuint (info.dst_port, ==, 0);
    g_assert_cmpuint (info.l4_offset, ==, 34);
    g_assert_cmpuint (info.l4_len, ==, 3);
    g_assert_cmpuint (info.payload_offset, ==, 34);
    g_assert_cmpuint (info.payload_len, ==, 3);
    g_assert_cmpuint (info.frag_id, ==, 0x1234);
    g_assert_cmpuint (info.frag_proto, ==, COLO_IPPROTO_UDP);
    g_assert_cmpuint (info.frag_offset, ==, offsets[i]);
    g_assert_cmpuint (info.frag_more, ==, more[i]);
    g_assert_cmpuint (info.frag_data_offset, ==, 34);
    g_assert_cmpuint (info.frag_data_len, ==, 3);
  }

  /* DF alone is not a fragment */
  {
    Frame f;
    ColoPacketInfo info;

    make_ipv4_tcp (&f, 0);
    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_false (info.is_fragment);
  }
}

/* ---- malformed ---- */

/* Malformed IPv4, TCP and UDP frames, one named case each: a well-formed
 * frame, one field broken, and the reason the parser must give. */
typedef struct
{
  const char *name;
  void (*build) (Frame * f);
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

static const MalformedCase malformed_cases[] = {
  {"ipv4/ihl-short", ipv4_ihl_short, COLO_MALFORMED_IPV4_HDR_LEN_SHORT},
  {"ipv4/version-6", ipv4_version_6, COLO_MALFORMED_IPV4_VERSION},
  {"ipv4/ihl-beyond", ipv4_ihl_beyond, COLO_MALFORMED_IPV4_OPTIONS_TRUNCATED},
  {"ipv4/total-beyond", ipv4_total_beyond,
      COLO_MALFORMED_IPV4_PACKET_TRUNCATED},
  {"ipv4/total-below-ihl", ipv4_total_below_ihl,
      COLO_MALFORMED_IPV4_TOTAL_LEN_SHORT},
  {"ipv4/empty-tcp", ipv4_empty_tcp, COLO_MALFORMED_TCP_TRUNCATED},
  {"tcp/doff-0", tcp_doff_0, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {"tcp/doff-1", tcp_doff_1, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {"tcp/doff-2", tcp_doff_2, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {"tcp/doff-3", tcp_doff_3, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {"tcp/doff-4", tcp_doff_4, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT},
  {"tcp/doff-beyond", tcp_doff_beyond, COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND},
  {"tcp/doff-into-padding", tcp_doff_into_padding,
      COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND},
  {"tcp/cut-by-ip-length", tcp_cut_by_ip_len, COLO_MALFORMED_TCP_TRUNCATED},
  {"udp/cut-by-ip-length", udp_cut_by_ip_len, COLO_MALFORMED_UDP_TRUNCATED},
  {"udp/length-below-8", udp_len_below_8, COLO_MALFORMED_UDP_LEN_SHORT},
  {"udp/length-beyond", udp_len_beyond, COLO_MALFORMED_UDP_LEN_BEYOND},
};

static void
test_malformed_case (gconstpointer data)
{
  const MalformedCase *c = data;
  Frame f;

  c->build (&f);
  assert_malformed (&f, f.len, 0, c->why);
}

/* An IP payload of length 0 is fine for protocols without a header */
static void
test_empty_ip_payload (void)
{
  Frame f;
  ColoPacketInfo info;

  ipv4_empty_tcp (&f);
  f.d[14 + 9] = 1;
  g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
  g_assert_cmpuint (info.l4_len, ==, 0);
  g_assert_cmpuint (info.payload_len, ==, 0);
}

static void
test_malformed_ipv6 (void)
{
  Frame f;
  gsize l3;
  guint i;

  /* wrong version */
  make_ipv6_ext_tcp (&f);
  f.d[14] = 0x45;
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_VERSION);

  /* payload length beyond the buffer */
  make_ipv6_ext_tcp (&f);
  set_u16 (&f, 18, f.len - 54 + 1);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_PACKET_TRUNCATED);

  /* jumbogram */
  make_ipv6_ext_tcp (&f);
  set_u16 (&f, 18, 0);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_JUMBOGRAM);

  /* destination options header (16 bytes) overrunning the payload: it is
   * in the buffer but beyond the payload length */
  make_ipv6_ext_tcp (&f);
  set_u16 (&f, 18, 8 + 12);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD);
  set_u16 (&f, 18, 8 + 4);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_EXT_TRUNCATED);

  /* AH overrunning the payload */
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 51);
  put_u8 (&f, 59);
  put_u8 (&f, 10);              /* 48 bytes */
  put_fill (&f, 0, 30);
  ipv6_end (&f, l3);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD);

  /* 17 chained destination options headers */
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 60);
  for (i = 0; i < 17; i++)
    put_ext6 (&f, 60, 0);
  put_payload (&f, 8);
  ipv6_end (&f, l3);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_IPV6_TOO_MANY_EXT);

  /* but 16 are fine */
  put_eth (&f, 0, 0, NULL, NULL, 0x86dd);
  l3 = put_ipv6 (&f, 60);
  for (i = 0; i < 15; i++)
    put_ext6 (&f, 60, 0);
  put_ext6 (&f, 59, 0);
  put_payload (&f, 8);
  ipv6_end (&f, l3);
  {
    ColoPacketInfo info;

    g_assert_cmpint (parse (&f, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint (info.ip_proto, ==, 59);
    g_assert_cmpuint (info.l4_offset, ==, 54 + 128);
    g_assert_cmpuint (info.l4_len, ==, 8);
  }

  /* TCP after extension headers, cut by the payload length */
  make_ipv6_ext_tcp (&f);
  set_u16 (&f, 18, 24 + 19);
  assert_malformed (&f, f.len, 0, COLO_MALFORMED_TCP_TRUNCATED);
}

static void
test_empty_and_tiny (void)
{
  Frame f;
  ColoPacketInfo info;

  f.len = 0;
  g_assert_cmpint (colo_packet_parse (NULL, 0, 0, &info), ==,
      COLO_PARSE_MALFORMED);
  g_assert_cmpint (info.malformed, ==, COLO_MALFORMED_ETH_TRUNCATED);
  assert_malformed (&f, 0, 0, COLO_MALFORMED_ETH_TRUNCATED);

  make_ipv4_tcp (&f, 0);
  assert_malformed (&f, 14, 0, COLO_MALFORMED_IPV4_TRUNCATED);
  assert_malformed (&f, 33, 0, COLO_MALFORMED_IPV4_TRUNCATED);
  make_ipv6_ext_tcp (&f);
  assert_malformed (&f, 14, 0, COLO_MALFORMED_IPV6_TRUNCATED);
  assert_malformed (&f, 53, 0, COLO_MALFORMED_IPV6_TRUNCATED);
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

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/packet/ipv4/tcp", test_ipv4_tcp);
  g_test_add_func ("/packet/ipv4/addr-zero-tail", test_ipv4_addr_zero_tail);
  g_test_add_func ("/packet/ipv4/tcp-flags", test_ipv4_tcp_flags);
  g_test_add_func ("/packet/ipv4/udp", test_ipv4_udp);
  g_test_add_func ("/packet/ipv4/udp-short-length", test_ipv4_udp_short_length);
  g_test_add_func ("/packet/ipv4/icmp", test_ipv4_icmp);
  g_test_add_func ("/packet/ipv4/other-proto", test_ipv4_other_proto);
  g_test_add_func ("/packet/ipv4/fragment", test_ipv4_fragment);
  g_test_add_func ("/packet/eth/padding", test_ethernet_padding);
  g_test_add_func ("/packet/eth/vnet-hdr", test_vnet_hdr);
  g_test_add_func ("/packet/eth/vlan-8021q", test_vlan_8021q);
  g_test_add_func ("/packet/eth/vlan-qinq", test_vlan_qinq);
  g_test_add_func ("/packet/eth/vlan-three-tags", test_vlan_three_tags);
  g_test_add_func ("/packet/eth/vlan-truncated", test_vlan_truncated);
  g_test_add_func ("/packet/eth/not-ip", test_not_ip);
  g_test_add_func ("/packet/ipv6/tcp", test_ipv6_tcp);
  g_test_add_func ("/packet/ipv6/udp", test_ipv6_udp);
  g_test_add_func ("/packet/ipv6/icmpv6", test_ipv6_icmpv6);
  g_test_add_func ("/packet/ipv6/ext-headers", test_ipv6_ext_headers);
  g_test_add_func ("/packet/ipv6/routing-ah", test_ipv6_routing_ah);
  g_test_add_func ("/packet/ipv6/esp-no-next", test_ipv6_esp_no_next);
  g_test_add_func ("/packet/ipv6/fragment", test_ipv6_fragment);
  for (i = 0; i < G_N_ELEMENTS (malformed_cases); i++) {
    gchar *path = g_strconcat ("/packet/malformed/", malformed_cases[i].name,
        NULL);

    g_test_add_data_func (path, &malformed_cases[i], test_malformed_case);
    g_free (path);
  }
  g_test_add_func ("/packet/empty-ip-payload", test_empty_ip_payload);
  g_test_add_func ("/packet/malformed/ipv6", test_malformed_ipv6);
  g_test_add_func ("/packet/malformed/empty-and-tiny", test_empty_and_tiny);
  g_test_add_func ("/packet/malformed/truncation", test_truncation);
  g_test_add_func ("/packet/malformed/random", test_random);
  g_test_add_func ("/packet/addr-to-string", test_addr_to_string);

  return g_test_run ();
}
