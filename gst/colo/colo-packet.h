/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Frame parsing: Ethernet (+ optional virtio-net header, 802.1Q/802.1ad
 * tags) → IPv4/IPv6 → TCP/UDP/ICMP/other.  Plain C + GLib types only, no
 * GStreamer: unit-tested and fuzzed on its own.  Every length is checked
 * against the buffer; nothing is read past data + size. */

#ifndef __COLO_PACKET_H__
#define __COLO_PACKET_H__

#include <glib.h>

G_BEGIN_DECLS

/* The largest virtio-net header (virtio_net_hdr_v1_hash) */
#define COLO_MAX_VNET_HDR_LEN 20
#define COLO_TCP_FIN 0x01
#define COLO_TCP_SYN 0x02
#define COLO_TCP_RST 0x04
#define COLO_TCP_PSH 0x08
#define COLO_TCP_ACK 0x10
#define COLO_IPPROTO_ICMP 1
#define COLO_IPPROTO_TCP 6
#define COLO_IPPROTO_UDP 17
#define COLO_IPPROTO_IPV6_FRAG 44
#define COLO_IPPROTO_ICMPV6 58

typedef enum
{
  COLO_PARSE_OK,                /* an IP packet, comparable */
  COLO_PARSE_NOT_IP,            /* a well-formed non-IP frame (ARP, LLDP, ...) */
  COLO_PARSE_MALFORMED,         /* truncated or impossible lengths: see .error */
} ColoParseResult;

/* Why a frame is malformed (ColoPacketInfo.malformed); for tests and
 * statistics, with a message from colo_malformed_to_string () */
typedef enum
{
  COLO_MALFORMED_NONE = 0,
  COLO_MALFORMED_ETH_TRUNCATED,
  COLO_MALFORMED_VNET_HDR_TOO_LONG,
  COLO_MALFORMED_FRAME_TOO_LARGE,
  COLO_MALFORMED_VLAN_TRUNCATED,
  COLO_MALFORMED_TOO_MANY_VLAN_TAGS,
  COLO_MALFORMED_IPV4_TRUNCATED,
  COLO_MALFORMED_IPV4_VERSION,
  COLO_MALFORMED_IPV4_HDR_LEN_SHORT,
  COLO_MALFORMED_IPV4_OPTIONS_TRUNCATED,
  COLO_MALFORMED_IPV4_TOTAL_LEN_SHORT,
  COLO_MALFORMED_IPV4_PACKET_TRUNCATED,
  COLO_MALFORMED_IPV6_TRUNCATED,
  COLO_MALFORMED_IPV6_VERSION,
  COLO_MALFORMED_IPV6_JUMBOGRAM,
  COLO_MALFORMED_IPV6_PACKET_TRUNCATED,
  COLO_MALFORMED_IPV6_TOO_MANY_EXT,
  COLO_MALFORMED_IPV6_EXT_TRUNCATED,
  COLO_MALFORMED_IPV6_EXT_BEYOND_PAYLOAD,
  COLO_MALFORMED_TCP_TRUNCATED,
  COLO_MALFORMED_TCP_DATA_OFFSET_SHORT,
  COLO_MALFORMED_TCP_DATA_OFFSET_BEYOND,
  COLO_MALFORMED_UDP_TRUNCATED,
  COLO_MALFORMED_UDP_LEN_SHORT,
  COLO_MALFORMED_UDP_LEN_BEYOND,
  COLO_N_MALFORMED
} ColoMalformed;

typedef struct
{
  /* Ethernet */
  guint16 ethertype;            /* innermost ethertype after VLAN tags */
  guint8 n_vlan;                /* 0, 1 or 2 tags */
  guint16 vlan_id[2];           /* VIDs (12 bits), outermost first */

  /* IP */
  guint8 ip_version;            /* 4 or 6 */
  guint8 ip_proto;              /* transport protocol (after IPv6 extension
                                 * headers); COLO_IPPROTO_IPV6_FRAG or the
                                 * IPv4 protocol of a fragment, see below */
  gboolean is_fragment;         /* IPv4 MF/offset or an IPv6 Fragment header:
                                 * ports are 0 and the payload is opaque */
  guint8 src[16];               /* address; IPv4 uses the first 4 bytes */
  guint8 dst[16];
  guint16 src_port;             /* host order; 0 where the protocol has none */
  guint16 dst_port;

  /* Offsets from the start of the buffer (virtio-net header included) */
  guint32 l3_offset;            /* IP header */
  guint32 l4_offset;            /* IP payload (after extension headers) */
  guint32 l4_len;               /* IP payload length, bounded by the IP
                                 * length field (Ethernet padding excluded) */
  guint32 payload_offset;       /* transport payload: after the TCP/UDP
                                 * header; == l4_offset for other protocols */
  guint32 payload_len;

  /* TCP only */
  guint32 tcp_seq;
  guint32 tcp_ack;
  guint8 tcp_flags;             /* COLO_TCP_* */

  /* IP fragments only (is_fragment; docs/design.md, "IP fragments") */
  guint32 frag_id;              /* identification (IPv4: 16 bits) */
  guint32 frag_offset;          /* of this fragment's data in the datagram's
                                 * payload, bytes */
  guint32 frag_data_offset;     /* this fragment's data in the buffer: IPv4
                                 * l4_offset, IPv6 after the Fragment header */
  guint32 frag_data_len;
  guint32 frag_nh_offset;       /* IPv6: the byte whose next header names the
                                 * Fragment header (l4_offset is that header) */
  guint8 frag_proto;            /* IPv4 protocol / the Fragment header's next
                                 * header */
  guint8 frag_more;             /* MF / M: more fragments follow */

  /* COLO_PARSE_MALFORMED: why, and a static string saying so */
  ColoMalformed malformed;
  const char *error;
} ColoPacketInfo;

const char *colo_malformed_to_string (ColoMalformed reason);

ColoParseResult colo_packet_parse (const guint8 * data, gsize size,
    guint vnet_hdr_len, ColoPacketInfo * info);

/* "192.0.2.1" / "2001:db8::1" into buf (at least 46 bytes); returns buf */
const char *colo_packet_addr_to_string (guint8 ip_version,
    const guint8 * addr, char *buf, gsize buf_size);

G_END_DECLS

#endif /* __COLO_PACKET_H__ */
