/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Frame parser of the packet core (see colo-packet.h).
 *
 * Runs once per frame at line rate: no allocation, no global state, and
 * every read is preceded by a bounds check against data + size.  All
 * offsets are computed as "bytes still available" differences so that no
 * addition can wrap. */

#include "colo-bytes.h"
#include "colo-packet.h"

#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define IPV6_EXT_MIN_LEN 8
#define TCP_MIN_HDR_LEN 20
#define UDP_HDR_LEN 8

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

#define IPV6_NH_HOPOPTS 0
#define IPV6_NH_ROUTING 43
#define IPV6_NH_FRAGMENT 44
#define IPV6_NH_AH 51
#define IPV6_NH_NONE 59
#define IPV6_NH_DSTOPTS 60

/* Longest chain of IPv6 extension headers we walk before giving up */
#define IPV6_MAX_EXT_HDRS 16

#define COLO_MAX_VLAN_TAGS 2

static inline gboolean
is_vlan_tpid (guint16 ethertype)
{
  /* 0x9100 is the pre-standard QinQ outer TPID still seen on switches;
   * accepting it in either position costs nothing */
  return ethertype == ETHERTYPE_8021Q || ethertype == ETHERTYPE_8021AD ||
      ethertype == ETHERTYPE_QINQ_OLD;
}

static const char *const malformed_messages[COLO_N_MALFORMED] = {
  [COLO_MALFORMED_NONE] = NULL,
  [COLO_MALFORMED_ETH_TRUNCATED] = "Ethernet header truncated",
  [COLO_MALFORMED_VNET_HDR_TOO_LONG] = "virtio-net header longer than 20 bytes",
  [COLO_MALFORMED_FRAME_TOO_LARGE] = "frame too large",
  [COLO_MALFORMED_VLAN_TRUNCATED] = "VLAN tag truncated",
  [COLO_MALFORMED_TOO_MANY_VLAN_TAGS] = "more than two VLAN tags",
  [COLO_MALFORMED_IPV4_TRUNCATED] = "IPv4 header truncated",
  [COLO_MALFORMED_IPV4_VERSION] = "IPv4 version field is not 4",
  [COLO_MALFORMED_IPV4_HDR_LEN_SHORT] = "IPv4 header length below 20 bytes",
  [COLO_MALFORMED_IPV4_OPTIONS_TRUNCATED] = "IPv4 options truncated",
  [COLO_MALFORMED_IPV4_TOTAL_LEN_SHORT] =
      "IPv4 total length shorter than its header",
  [COLO_MALFORMED_IPV4_PACKET_TRUNCATED] = "IPv4 packet truncated",
  [COLO_MALFORMED_IPV6_TRUNCATED] = "IPv6 header truncated",
  [COLO_MALFORMED_IPV6_VERSION] = "IPv6 version field is not 6",
  [COLO_MALFORMED_IPV6_JUMBOGRAM] = "IPv6 jumbogram unsupported",
  [COLO_MALFORMED_IPV6_PACKET_TRUNCATED] = "IPv6 packet truncated",
  [COLO_MALFORMED_IPV6_TOO_MANY_EXT] = "too many IPv6 extension headers",
  [COLO_MALFORMED_IPV6_EXT_TRUNCATED] = "IPv6 extension header truncated",
  [COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD] =
      "IPv6 extension header beyond payload",
  [COLO_MALFORMED_TCP_TRUNCATED] = "TCP header truncated",
  [COLO_MALFORMED_TCP_DATA_OFFSET_SHORT] = "TCP data offset below 5",
  [COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND] = "TCP data offset beyond IP payload",
  [COLO_MALFORMED_UDP_TRUNCATED] = "UDP header truncated",
  [COLO_MALFORMED_UDP_LEN_SHORT] = "UDP length below 8",
  [COLO_MALFORMED_UDP_LEN_BEYOND] = "UDP length beyond IP payload",
};

const char *
colo_malformed_to_string (ColoMalformed reason)
{
  return (guint) reason < COLO_N_MALFORMED ? malformed_messages[reason] : NULL;
}

static inline ColoParseResult
malformed (ColoPacketInfo * info, ColoMalformed reason)
{
  info->malformed = reason;
  info->error = malformed_messages[reason];
  return COLO_PARSE_MALFORMED;
}

/* Parses the IPv4 header at data[l3]; fills the IP fields and l4_*. */
static ColoParseResult
parse_ipv4 (const guint8 * data, gsize size, guint32 l3, ColoPacketInfo * info)
{
  const guint8 *ip = data + l3;
  gsize avail = size - l3;
  guint hdr_len, total_len;
  guint16 frag;

  if (avail < IPV4_MIN_HDR_LEN)
    return malformed (info, COLO_MALFORMED_IPV4_TRUNCATED);
  if ((ip[0] >> 4) != 4)
    return malformed (info, COLO_MALFORMED_IPV4_VERSION);
  info->ip_version = 4;

  hdr_len = (ip[0] & 0x0f) * 4;
  if (hdr_len < IPV4_MIN_HDR_LEN)
    return malformed (info, COLO_MALFORMED_IPV4_HDR_LEN_SHORT);
  if (hdr_len > avail)
    return malformed (info, COLO_MALFORMED_IPV4_OPTIONS_TRUNCATED);

  total_len = colo_read_be16 (ip + 2);
  if (total_len < hdr_len)
    return malformed (info, COLO_MALFORMED_IPV4_TOTAL_LEN_SHORT);
  if (total_len > avail)
    return malformed (info, COLO_MALFORMED_IPV4_PACKET_TRUNCATED);

  info->ip_proto = ip[9];
  memcpy (info->src, ip + 12, 4);
  memcpy (info->dst, ip + 16, 4);

  /* MF flag or a non-zero fragment offset */
  frag = colo_read_be16 (ip + 6);
  info->is_fragment = (frag & 0x3fff) != 0;

  info->l4_offset = l3 + hdr_len;
  info->l4_len = total_len - hdr_len;
  if (info->is_fragment) {
    info->frag_id = colo_read_be16 (ip + 4);
    info->frag_offset = (frag & 0x1fff) * 8;
    info->frag_more = (frag & 0x2000) != 0;
    info->frag_proto = info->ip_proto;
    info->frag_data_offset = info->l4_offset;
    info->frag_data_len = info->l4_len;
  }
  return COLO_PARSE_OK;
}

/* Parses the IPv6 header at data[l3] and walks its extension headers. */
static ColoParseResult
parse_ipv6 (const guint8 * data, gsize size, guint32 l3, ColoPacketInfo * info)
{
  const guint8 *ip = data + l3;
  gsize avail = size - l3;
  guint32 pos, end, nh_at;
  guint payload_len, n;
  guint8 nh;

  if (avail < IPV6_HDR_LEN)
    return malformed (info, COLO_MALFORMED_IPV6_TRUNCATED);
  if ((ip[0] >> 4) != 6)
    return malformed (info, COLO_MALFORMED_IPV6_VERSION);
  info->ip_version = 6;

  payload_len = colo_read_be16 (ip + 4);
  nh = ip[6];
  /* Payload length 0 means a jumbogram (RFC 2675), except with "no next
   * header", where it is merely an empty packet */
  if (payload_len == 0 && nh != IPV6_NH_NONE)
    return malformed (info, COLO_MALFORMED_IPV6_JUMBOGRAM);
  if (payload_len > avail - IPV6_HDR_LEN)
    return malformed (info, COLO_MALFORMED_IPV6_PACKET_TRUNCATED);

  memcpy (info->src, ip + 8, 16);
  memcpy (info->dst, ip + 24, 16);

  pos = l3 + IPV6_HDR_LEN;
  end = pos + payload_len;
  nh_at = l3 + 6;

  for (n = 0;; n++) {
    guint ext_len;

    if (nh != IPV6_NH_HOPOPTS && nh != IPV6_NH_ROUTING &&
        nh != IPV6_NH_DSTOPTS && nh != IPV6_NH_AH && nh != IPV6_NH_FRAGMENT)
      break;

    if (n >= IPV6_MAX_EXT_HDRS)
      return malformed (info, COLO_MALFORMED_IPV6_TOO_MANY_EXT);
    /* every extension header is at least 8 bytes long */
    if (end - pos < IPV6_EXT_MIN_LEN)
      return malformed (info, COLO_MALFORMED_IPV6_EXT_TRUNCATED);

    if (nh == IPV6_NH_FRAGMENT) {
      /* the rest is opaque: the transport header may be in another
       * fragment */
      guint16 off_m = colo_read_be16 (data + pos + 2);

      info->is_fragment = TRUE;
      info->frag_proto = data[pos];
      info->frag_offset = off_m & 0xfff8;
      info->frag_more = off_m & 1;
      info->frag_id = colo_read_be32 (data + pos + 4);
      info->frag_nh_offset = nh_at;
      info->frag_data_offset = pos + IPV6_EXT_MIN_LEN;
      info->frag_data_len = end - pos - IPV6_EXT_MIN_LEN;
      break;
    }

    if (nh == IPV6_NH_AH)
      ext_len = (data[pos + 1] + 2) * 4;
    else
      ext_len = (data[pos + 1] + 1) * 8;
    if (ext_len > end - pos)
      return malformed (info, COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD);

    nh = data[pos];
    nh_at = pos;
    pos += ext_len;
  }

  info->ip_proto = nh;
  info->l4_offset = pos;
  info->l4_len = end - pos;
  return COLO_PARSE_OK;
}

/* Zeroes info with 16-byte stores.  A memset () of this size becomes
 * `rep stosq` at -O2, whose start-up alone took about a third of the
 * parse of a small frame (docs/performance.md); the stores are written
 * out so that the compiler does not turn a loop back into that memset. */
#define ZERO_AT(p, off) G_STMT_START {                          \
  if ((off) + 16 <= sizeof (ColoPacketInfo))                     \
    memcpy ((p) + (off), zero16, 16);                            \
} G_STMT_END

static inline void
zero_info (ColoPacketInfo * info)
{
  static const guint8 zero16[16] = { 0 };
  guint8 *p = (guint8 *) info;

  G_STATIC_ASSERT (sizeof (ColoPacketInfo) >= 16);
  G_STATIC_ASSERT (sizeof (ColoPacketInfo) <= 12 * 16);
  ZERO_AT (p, 0);
  ZERO_AT (p, 16);
  ZERO_AT (p, 32);
  ZERO_AT (p, 48);
  ZERO_AT (p, 64);
  ZERO_AT (p, 80);
  ZERO_AT (p, 96);
  ZERO_AT (p, 112);
  ZERO_AT (p, 128);
  ZERO_AT (p, 144);
  ZERO_AT (p, 160);
  ZERO_AT (p, 176);
  /* the tail, overlapping the last whole block */
  memcpy (p + sizeof (ColoPacketInfo) - 16, zero16, 16);
}

ColoParseResult
colo_packet_parse (const guint8 * data, gsize size, guint vnet_hdr_len,
    ColoPacketInfo * info)
{
  ColoParseResult res;
  guint32 off;
  guint16 ethertype;
  const guint8 *l4;

  /* every field then has a defined value whatever the result (and IPv4
   * addresses get their zero tail) */
  zero_info (info);

  if (vnet_hdr_len > COLO_MAX_VNET_HDR_LEN)
    return malformed (info, COLO_MALFORMED_VNET_HDR_TOO_LONG);
  /* offsets are 32-bit in ColoPacketInfo */
  if (size > G_MAXUINT32)
    return malformed (info, COLO_MALFORMED_FRAME_TOO_LARGE);
  if (data == NULL || size < vnet_hdr_len + ETH_HDR_LEN)
    return malformed (info, COLO_MALFORMED_ETH_TRUNCATED);

  /* off: position of the (next) ethertype / TPID field */
  off = vnet_hdr_len + 12;
  ethertype = colo_read_be16 (data + off);
  while (is_vlan_tpid (ethertype)) {
    if (info->n_vlan == COLO_MAX_VLAN_TAGS)
      return malformed (info, COLO_MALFORMED_TOO_MANY_VLAN_TAGS);
    /* TPID + TCI, then the next ethertype */
    if (size - off < VLAN_TAG_LEN + 2)
      return malformed (info, COLO_MALFORMED_VLAN_TRUNCATED);
    info->vlan_id[info->n_vlan++] = colo_read_be16 (data + off + 2) & 0x0fff;
    off += VLAN_TAG_LEN;
    ethertype = colo_read_be16 (data + off);
  }
  info->ethertype = ethertype;
  off += 2;
  info->l3_offset = off;

  if (ethertype == ETHERTYPE_IPV4)
    res = parse_ipv4 (data, size, off, info);
  else if (ethertype == ETHERTYPE_IPV6)
    res = parse_ipv6 (data, size, off, info);
  else
    return COLO_PARSE_NOT_IP;
  if (res != COLO_PARSE_OK)
    return res;

  /* Transport: defaults for fragments and protocols without ports */
  info->payload_offset = info->l4_offset;
  info->payload_len = info->l4_len;
  if (info->is_fragment)
    return COLO_PARSE_OK;

  l4 = data + info->l4_offset;
  switch (info->ip_proto) {
    case COLO_IPPROTO_TCP:{
      guint hdr_len;

      if (info->l4_len < TCP_MIN_HDR_LEN)
        return malformed (info, COLO_MALFORMED_TCP_TRUNCATED);
      hdr_len = (l4[12] >> 4) * 4;
      if (hdr_len < TCP_MIN_HDR_LEN)
        return malformed (info, COLO_MALFORMED_TCP_DATA_OFFSET_SHORT);
      if (hdr_len > info->l4_len)
        return malformed (info, COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND);
      info->src_port = colo_read_be16 (l4);
      info->dst_port = colo_read_be16 (l4 + 2);
      info->tcp_seq = colo_read_be32 (l4 + 4);
      info->tcp_ack = colo_read_be32 (l4 + 8);
      info->tcp_flags = l4[13];
      info->payload_offset = info->l4_offset + hdr_len;
      info->payload_len = info->l4_len - hdr_len;
      break;
    }
    case COLO_IPPROTO_UDP:{
      guint udp_len;

      if (info->l4_len < UDP_HDR_LEN)
        return malformed (info, COLO_MALFORMED_UDP_TRUNCATED);
      /* The IP length bounds the payload; the UDP length only has to be
       * plausible */
      udp_len = colo_read_be16 (l4 + 4);
      if (udp_len < UDP_HDR_LEN)
        return malformed (info, COLO_MALFORMED_UDP_LEN_SHORT);
      if (udp_len > info->l4_len)
        return malformed (info, COLO_MALFORMED_UDP_LEN_BEYOND);
      info->src_port = colo_read_be16 (l4);
      info->dst_port = colo_read_be16 (l4 + 2);
      info->payload_offset = info->l4_offset + UDP_HDR_LEN;
      info->payload_len = info->l4_len - UDP_HDR_LEN;
      break;
    }
    default:
      /* ICMP, ICMPv6 and everything else: the whole IP payload */
      break;
  }

  return COLO_PARSE_OK;
}

const char *
colo_packet_addr_to_string (guint8 ip_version, const guint8 * addr, char *buf,
    gsize buf_size)
{
  int af;

  if (buf_size == 0)
    return buf;

  if (ip_version == 4)
    af = AF_INET;
  else if (ip_version == 6)
    af = AF_INET6;
  else
    af = AF_UNSPEC;

  if (af == AF_UNSPEC || inet_ntop (af, addr, buf,
          (socklen_t) MIN (buf_size, G_MAXINT32)) == NULL)
    g_strlcpy (buf, "?", buf_size);
  return buf;
}
