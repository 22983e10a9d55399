/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include <arpa/inet.h>
#include "colo-bytes.h"
#include "colo-packet.h"
#include "frames.h"

void
frame_opts_init (FrameOpts * opts)
{
  memset (opts, 0, sizeof (*opts));
  opts->src = "10.0.0.1";
  opts->dst = "10.0.0.2";
  opts->ttl = 64;
  opts->ip_id = 1;
}

static guint16
checksum (const guint8 * data, gsize len, guint32 sum)
{
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    sum += (data[i] << 8) | data[i + 1];
  if (len & 1)
    sum += data[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* Wraps an L4 payload (already built) into vnet + Ethernet + IP. */
static GBytes *
wrap_ip (const FrameOpts * opts, guint8 proto, const guint8 * l4, gsize l4_len)
{
  GByteArray *a = g_byte_array_new ();
  guint8 eth[14] = { 0x52, 0x54, 0, 0, 0, 2, 0x52, 0x54, 0, 0, 0, 1 };
  guint8 tag[4];
  guint i;

  /* a zeroed virtio-net header (an empty array has no data: no memset) */
  if (opts->vnet_hdr_len > 0) {
    g_byte_array_set_size (a, opts->vnet_hdr_len);
    memset (a->data, 0, opts->vnet_hdr_len);
  }
  g_byte_array_append (a, eth, 12);
  for (i = 0; i < opts->n_vlan; i++) {
    colo_write_be16 (tag, (opts->n_vlan == 2 && i == 0) ? 0x88a8 : 0x8100);
    colo_write_be16 (tag + 2, opts->vlan_id[i] & 0x0fff);
    g_byte_array_append (a, tag, 4);
  }
  colo_write_be16 (tag, opts->ipv6 ? 0x86dd : 0x0800);
  g_byte_array_append (a, tag, 2);

  if (opts->ipv6) {
    guint8 ip[40] = { 0x60 };
    colo_write_be16 (ip + 4, l4_len);
    ip[6] = proto;
    ip[7] = opts->ttl;
    g_assert (inet_pton (AF_INET6, opts->src, ip + 8) == 1);
    g_assert (inet_pton (AF_INET6, opts->dst, ip + 24) == 1);
    g_byte_array_append (a, ip, 40);
  } else {
    guint hl = 20 + opts->ip_options_len;
    guint8 ip[60] = { 0 };
    g_assert (opts->ip_options_len % 4 == 0 && hl <= 60);
    ip[0] = 0x40 | (hl / 4);
    colo_write_be16 (ip + 2, hl + l4_len);
    colo_write_be16 (ip + 4, opts->ip_id);
    ip[8] = opts->ttl;
    ip[9] = proto;
    g_assert (inet_pton (AF_INET, opts->src, ip + 12) == 1);
    g_assert (inet_pton (AF_INET, opts->dst, ip + 16) == 1);
    memset (ip + 20, 1, opts->ip_options_len);  /* NOP options */
    colo_write_be16 (ip + 10, checksum (ip, hl, 0));
    g_byte_array_append (a, ip, hl);
  }
  g_byte_array_append (a, l4, l4_len);
  for (i = 0; i < opts->eth_padding; i++) {
    guint8 z = 0;
    g_byte_array_append (a, &z, 1);
  }
  return g_byte_array_free_to_bytes (a);
}

GBytes *
frame_tcp (const FrameOpts * opts, guint16 sport, guint16 dport, guint32 seq,
    guint32 ack, guint8 flags, guint tcp_options_len, const guint8 * payload,
    gsize len)
{
  gsize hl = 20 + tcp_options_len, total = hl + len;
  guint8 *l4 = g_malloc0 (total);
  GBytes *b;

  g_assert (tcp_options_len % 4 == 0 && hl <= 60);
  colo_write_be16 (l4, sport);
  colo_write_be16 (l4 + 2, dport);
  colo_write_be32 (l4 + 4, seq);
  colo_write_be32 (l4 + 8, ack);
  l4[12] = (hl / 4) << 4;
  l4[13] = flags;
  colo_write_be16 (l4 + 14, 65535);
  memset (l4 + 20, 1, tcp_options_len);
  if (len)
    memcpy (l4 + hl, payload, len);
  colo_write_be16 (l4 + 16, checksum (l4, total, 0));   /* not a real pseudo-header sum */
  b = wrap_ip (opts, 6, l4, total);
  g_free (l4);
  return b;
}

GBytes *
frame_udp (const FrameOpts * opts, guint16 sport, guint16 dport,
    const guint8 * payload, gsize len)
{
  guint8 *l4 = g_malloc0 (8 + len);
  GBytes *b;

  colo_write_be16 (l4, sport);
  colo_write_be16 (l4 + 2, dport);
  colo_write_be16 (l4 + 4, 8 + len);
  if (len)
    memcpy (l4 + 8, payload, len);
  colo_write_be16 (l4 + 6, checksum (l4, 8 + len, 0));
  b = wrap_ip (opts, 17, l4, 8 + len);
  g_free (l4);
  return b;
}

GBytes *
frame_icmp_echo (const FrameOpts * opts, guint16 id, guint16 seq,
    const guint8 * payload, gsize len)
{
  guint8 *l4 = g_malloc0 (8 + len);
  GBytes *b;

  l4[0] = opts->ipv6 ? 128 : 8;
  colo_write_be16 (l4 + 4, id);
  colo_write_be16 (l4 + 6, seq);
  if (len)
    memcpy (l4 + 8, payload, len);
  colo_write_be16 (l4 + 2, checksum (l4, 8 + len, 0));
  b = wrap_ip (opts, opts->ipv6 ? 58 : 1, l4, 8 + len);
  g_free (l4);
  return b;
}

GBytes *
frame_arp (const FrameOpts * opts)
{
  guint8 f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0, 0, 1,
    0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1
  };
  GByteArray *a = g_byte_array_new ();

  if (opts->vnet_hdr_len > 0) {
    g_byte_array_set_size (a, opts->vnet_hdr_len);
    memset (a->data, 0, opts->vnet_hdr_len);
  }
  g_byte_array_append (a, f, sizeof (f));
  return g_byte_array_free_to_bytes (a);
}

GBytes *
frame_fragment (GBytes * datagram, guint vnet_hdr_len, gsize offset,
    gsize len, gboolean more, guint32 id)
{
  gsize size;
  const guint8 *d = g_bytes_get_data (datagram, &size);
  ColoPacketInfo info;
  GByteArray *a = g_byte_array_new ();

  g_assert (colo_packet_parse (d, size, vnet_hdr_len, &info) ==
      COLO_PARSE_OK && !info.is_fragment);
  g_assert (offset + len <= info.l4_len);
  /* everything up to the IP payload: vnet, Ethernet, tags, IP header */
  g_byte_array_append (a, d, info.l4_offset);
  if (info.ip_version == 4) {
    guint8 *ip = a->data + info.l3_offset;
    guint hl = info.l4_offset - info.l3_offset;

    g_assert (offset % 8 == 0);
    colo_write_be16 (ip + 2, hl + len);
    colo_write_be16 (ip + 6, (colo_read_be16 (ip + 6) & 0x4000)
        | (more ? 0x2000 : 0) | (offset / 8));
    colo_write_be16 (ip + 10, 0);
    colo_write_be16 (ip + 10, checksum (ip, hl, 0));
  } else {
    guint8 fh[8];
    guint8 *ip = a->data + info.l3_offset;

    g_assert (info.l4_offset == info.l3_offset + 40);   /* no extensions */
    fh[0] = ip[6];
    fh[1] = 0;
    colo_write_be16 (fh + 2, (offset & 0xfff8) | (more ? 1 : 0));
    colo_write_be32 (fh + 4, id);
    ip[6] = 44;
    colo_write_be16 (ip + 4, 8 + len);
    g_byte_array_append (a, fh, 8);
  }
  g_byte_array_append (a, d + info.l4_offset + offset, len);
  return g_byte_array_free_to_bytes (a);
}

GPtrArray *
frame_fragments (GBytes * datagram, guint vnet_hdr_len, guint mtu, guint32 id)
{
  gsize size, off, step;
  const guint8 *d = g_bytes_get_data (datagram, &size);
  ColoPacketInfo info;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);

  g_assert (colo_packet_parse (d, size, vnet_hdr_len, &info) == COLO_PARSE_OK);
  /* IP header (and the Fragment header) within the MTU, data in 8s */
  step = info.ip_version == 4 ? mtu - (info.l4_offset - info.l3_offset) :
      mtu - 48;
  step &= ~(gsize) 7;
  g_assert (step > 0);
  for (off = 0; off < info.l4_len; off += step) {
    gsize len = MIN (step, info.l4_len - off);

    g_ptr_array_add (out, frame_fragment (datagram, vnet_hdr_len, off, len,
            off + len < info.l4_len, id));
  }
  return out;
}

guint8 *
pattern_bytes (gsize offset, gsize len)
{
  guint8 *p = g_malloc (len ? len : 1);
  gsize i;

  for (i = 0; i < len; i++)
    p[i] = (guint8) ((offset + i) * 7 + ((offset + i) >> 8));
  return p;
}

GBytes *
frame_udp_pattern (gboolean ipv6, guint16 sport, guint16 ip_id,
    gsize pattern_offset, gsize len, gsize flip)
{
  FrameOpts o;
  guint8 *payload = pattern_bytes (pattern_offset, len);
  GBytes *b;

  frame_opts_init (&o);
  o.ipv6 = ipv6;
  if (ipv6) {
    o.src = "fd00::1";
    o.dst = "fd00::2";
  }
  o.ip_id = ip_id;
  if (flip < len)
    payload[flip] ^= 0x5a;
  b = frame_udp (&o, sport, 53, payload, len);
  g_free (payload);
  return b;
}
