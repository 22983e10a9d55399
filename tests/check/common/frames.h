/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Test helper: builds Ethernet frames (GLib only, shared by the core and
 * the element tests). */

#ifndef __TEST_FRAMES_H__
#define __TEST_FRAMES_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint vnet_hdr_len;           /* zero-filled virtio-net header */
  guint n_vlan;                 /* 0..2 tags (0x8100; outer 0x88a8 if 2) */
  guint16 vlan_id[2];
  gboolean ipv6;
  const char *src;              /* "10.0.0.1" / "fd00::1" */
  const char *dst;
  guint8 ttl;
  guint16 ip_id;
  guint ip_options_len;         /* IPv4 options (multiple of 4) */
  guint eth_padding;            /* bytes after the IP packet */
} FrameOpts;

/* Fills opts with defaults: IPv4 10.0.0.1 -> 10.0.0.2, TTL 64. */
void frame_opts_init (FrameOpts * opts);

/* TCP segment; tcp_options_len bytes of NOPs (multiple of 4). */
GBytes *frame_tcp (const FrameOpts * opts, guint16 sport, guint16 dport,
    guint32 seq, guint32 ack, guint8 flags, guint tcp_options_len,
    const guint8 * payload, gsize len);
GBytes *frame_udp (const FrameOpts * opts, guint16 sport, guint16 dport,
    const guint8 * payload, gsize len);
/* ICMP (IPv4) or ICMPv6 echo request (type 8 / 128) with id, seq, data */
GBytes *frame_icmp_echo (const FrameOpts * opts, guint16 id, guint16 seq,
    const guint8 * payload, gsize len);
/* An ARP request (not IP) */
GBytes *frame_arp (const FrameOpts * opts);

/* IP fragments of `datagram` (an unfragmented IPv4 or IPv6 frame built
 * above; vnet_hdr_len: its virtio-net header), as a stack with this MTU
 * cuts them: each fragment's IP packet fits mtu bytes.  IPv4: the header
 * is repeated with MF and the offset set (identification and DF as in the
 * datagram); IPv6: a Fragment header follows the IPv6 header
 * (identification `id`).  Returns GBytes, in offset order. */
GPtrArray *frame_fragments (GBytes * datagram, guint vnet_hdr_len, guint mtu,
    guint32 id);
/* One fragment: bytes [offset, offset + len) of the datagram's IP payload,
 * with the more-fragments flag `more` (overlaps, odd sizes: anything). */
GBytes *frame_fragment (GBytes * datagram, guint vnet_hdr_len, gsize offset,
    gsize len, gboolean more, guint32 id);

/* A UDP datagram sport -> 53 of `len` pattern bytes from stream offset
 * `pattern_offset` (pattern_bytes), byte `flip` changed (if < len): IPv4
 * 10.0.0.1 -> 10.0.0.2 with identification ip_id, or IPv6 fd00::1 ->
 * fd00::2 */
GBytes *frame_udp_pattern (gboolean ipv6, guint16 sport, guint16 ip_id,
    gsize pattern_offset, gsize len, gsize flip);

/* len bytes of a repeatable pattern starting at stream offset `offset` */
guint8 *pattern_bytes (gsize offset, gsize len);

G_END_DECLS

#endif /* __TEST_FRAMES_H__ */
