/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench-traffic.h"
#include "colo-framing.h"

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 32              /* with NOP, NOP, timestamps, as Linux sends */
#define UDP_LEN 8
#define BASE_PORT 10000
/* connection c: client port BASE_PORT + c % PORTS_PER_ADDR on client
 * address 10.0.(c / PORTS_PER_ADDR).2 */
#define PORTS_PER_ADDR 50000
#define MAX_CONNS 200000
#define VNET_LEN 12             /* virtio_net_hdr_mrg_rxbuf */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

typedef struct
{
  const char *name;
  gboolean tcp;
  guint primary_seg;
  guint secondary_seg;
} Workload;

static const Workload workloads[] = {
  {"tcp-reseg", TRUE, 1448, 2896},
  {"tcp", TRUE, 1448, 1448},
  {"udp", FALSE, 512, 512},
  {"tcp-small", TRUE, 64, 64},
};

const char *const bench_workloads[] = {
  "tcp-reseg", "tcp", "udp", "tcp-small", NULL
};

static void
put16 (guint8 * p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static void
put32 (guint8 * p, guint32 v)
{
  put16 (p, v >> 16);
  put16 (p + 2, v & 0xffff);
}

static guint16
get16 (const guint8 * p)
{
  return (p[0] << 8) | p[1];
}

static guint32
sum16 (const guint8 * d, gsize len, guint32 sum)
{
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    sum += (d[i] << 8) | d[i + 1];
  if (len & 1)
    sum += d[len - 1] << 8;
  return sum;
}

static guint16
fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

typedef struct
{
  GByteArray *data;
  GArray *off;                  /* gsize */
  GArray *pos;                  /* guint */
} StreamBuilder;

/* Appends one record: be32 len [be32 vnet_hdr_len] vnet Ethernet IPv4 L4.
 * `l4` holds the L4 header (checksum field zero) followed by its data. */
static void
append_frame (StreamBuilder * b, guint vnet, guint c, guint8 proto,
    guint16 ip_id, guint8 * l4, gsize l4_len, guint csum_at)
{
  static const guint8 eth[ETH_LEN] = { 0x52, 0x54, 0, 0, 0, 2,
    0x52, 0x54, 0, 0, 0, 1, 0x08, 0x00
  };
  static const guint8 src[4] = { 10, 0, 0, 1 };
  const guint8 dst[4] = { 10, 0, c / PORTS_PER_ADDR, 2 };
  guint8 head[8 + VNET_LEN + ETH_LEN + IP_LEN] = { 0 };
  guint8 *p = head, *ip;
  gsize off = b->data->len;
  guint32 sum;

  p += colo_framing_write_header (p, vnet + ETH_LEN + IP_LEN + l4_len,
      vnet != 0, vnet);
  p += vnet;                    /* zeroed virtio-net header */
  memcpy (p, eth, ETH_LEN);
  ip = p + ETH_LEN;
  ip[0] = 0x45;
  put16 (ip + 2, IP_LEN + l4_len);
  put16 (ip + 4, ip_id);
  ip[6] = 0x40;                 /* DF */
  ip[8] = 64;
  ip[9] = proto;
  memcpy (ip + 12, src, 4);
  memcpy (ip + 16, dst, 4);
  put16 (ip + 10, fold (sum16 (ip, IP_LEN, 0)));

  /* pseudo-header: addresses, protocol, L4 length */
  sum = sum16 (ip + 12, 8, proto + l4_len);
  put16 (l4 + csum_at, fold (sum16 (l4, l4_len, sum)));

  g_byte_array_append (b->data, head, ip + IP_LEN - head);
  g_byte_array_append (b->data, l4, l4_len);
  g_array_append_val (b->off, off);
}

/* Connection c's data at stream offset o, the same on both sides */
static void
fill_payload (guint8 * p, guint c, guint64 o, gsize len)
{
  gsize i;

  for (i = 0; i < len; i++)
    p[i] = (guint8) ((o + i) * 7 + ((o + i) >> 8) + c * 13);
}

static void
append_tcp (StreamBuilder * b, guint vnet, guint c, guint16 ip_id,
    guint32 seq, guint8 flags, guint64 stream_off, gsize len)
{
  guint8 l4[TCP_LEN + 65536];

  memset (l4, 0, TCP_LEN);
  put16 (l4, 5201);             /* iperf3 */
  put16 (l4 + 2, BASE_PORT + c % PORTS_PER_ADDR);
  put32 (l4 + 4, seq);
  put32 (l4 + 8, 0x05000001);   /* the client sends nothing: constant ACK */
  l4[12] = (TCP_LEN / 4) << 4;
  l4[13] = flags;
  put16 (l4 + 14, 502);         /* window */
  l4[20] = 1;                   /* NOP, NOP, timestamps (kind 8, len 10) */
  l4[21] = 1;
  l4[22] = 8;
  l4[23] = 10;
  put32 (l4 + 24, 4000000 + stream_off / 65536);
  put32 (l4 + 28, 7000000);
  fill_payload (l4 + TCP_LEN, c, stream_off, len);
  append_frame (b, vnet, c, 6, ip_id, l4, TCP_LEN + len, 16);
}

static void
append_udp (StreamBuilder * b, guint vnet, guint c, guint16 ip_id, gsize len)
{
  guint8 l4[UDP_LEN + 65536] = { 0 };

  put16 (l4, 5001);
  put16 (l4 + 2, BASE_PORT + c % PORTS_PER_ADDR);
  put16 (l4 + 4, UDP_LEN + len);
  /* QEMU matches a flow's datagrams newest-first (its quirk Q3): equal
   * datagrams within a flow keep that from causing false miscompares. */
  fill_payload (l4 + UDP_LEN, c, 0, len);
  append_frame (b, vnet, c, 17, ip_id, l4, UDP_LEN + len, 6);
}

static void
builder_init (StreamBuilder * b)
{
  b->data = g_byte_array_new ();
  b->off = g_array_new (FALSE, FALSE, sizeof (gsize));
  b->pos = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
builder_finish (StreamBuilder * b, BenchStream * s)
{
  gsize end = b->data->len;

  s->n = b->off->len;
  g_array_append_val (b->off, end);
  s->off = (gsize *) g_array_free (b->off, FALSE);
  s->data = g_byte_array_free (b->data, FALSE);
  s->pos = (guint *) g_array_free (b->pos, FALSE);
}

static guint32
isn (guint c)
{
  return 1000000 + c * 7777777u;
}

/* One round of TCP for connection c: the primary's frame, then whatever
 * the secondary has completed by then. */
static void
tcp_round (BenchTraffic * t, StreamBuilder * p,
    StreamBuilder * s, guint16 * sec_id, guint64 * sec_done, guint c, guint r)
{
  guint vnet = t->vnet_hdr_len;
  guint data_rounds = t->rounds - 2;
  guint64 total = (guint64) data_rounds * t->primary_seg;
  guint64 pdone;
  guint8 fl = TCP_ACK | TCP_PSH;

  if (r == 0) {
    append_tcp (p, vnet, c, 0, isn (c), TCP_SYN | TCP_ACK, 0, 0);
    pdone = 0;
  } else if (r == t->rounds - 1) {
    append_tcp (p, vnet, c, r, isn (c) + 1 + total, TCP_FIN | TCP_ACK, 0, 0);
    pdone = total;
  } else {
    pdone = (guint64) (r - 1) * t->primary_seg;
    append_tcp (p, vnet, c, r, isn (c) + 1 + pdone, fl, pdone, t->primary_seg);
    pdone += t->primary_seg;
  }

  if (r == 0) {
    append_tcp (s, vnet, c, sec_id[c]++, isn (c), TCP_SYN | TCP_ACK, 0, 0);
    g_array_append_val (s->pos, p->off->len);
    return;
  }
  while (sec_done[c] < pdone) {
    guint64 len = MIN (t->secondary_seg, pdone - sec_done[c]);
    if (len < t->secondary_seg && pdone < total)
      break;                    /* wait for the rest of this segment */
    append_tcp (s, vnet, c, sec_id[c]++, isn (c) + 1 + sec_done[c], fl,
        sec_done[c], len);
    g_array_append_val (s->pos, p->off->len);
    sec_done[c] += len;
  }
  if (r == t->rounds - 1) {
    append_tcp (s, vnet, c, sec_id[c]++, isn (c) + 1 + total,
        TCP_FIN | TCP_ACK, 0, 0);
    g_array_append_val (s->pos, p->off->len);
  }
}

gboolean
bench_traffic_build (BenchTraffic * t, const char *workload, guint size,
    guint frames, guint conns, gboolean vnet, GError ** error)
{
  const Workload *w = NULL;
  StreamBuilder p, s;
  guint16 *sec_id;
  guint64 *sec_done;
  guint i, r, c, max_size;

  for (i = 0; i < G_N_ELEMENTS (workloads); i++)
    if (g_strcmp0 (workloads[i].name, workload) == 0)
      w = &workloads[i];
  if (!w) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "unknown workload '%s'", workload);
    return FALSE;
  }
  if (conns < 1 || conns > MAX_CONNS) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "connections must be 1..%u", MAX_CONNS);
    return FALSE;
  }
  /* the secondary's frames within an IPv4 datagram's 65535 bytes */
  max_size = 65000 / (w->secondary_seg / w->primary_seg);
  if (size > max_size) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: payload size must be at most %u bytes", w->name, max_size);
    return FALSE;
  }
  memset (t, 0, sizeof (*t));
  t->name = w->name;
  t->tcp = w->tcp;
  t->conns = conns;
  t->vnet_hdr_len = vnet ? VNET_LEN : 0;
  t->primary_seg = size ? size : w->primary_seg;
  t->secondary_seg = t->primary_seg * (w->secondary_seg / w->primary_seg);
  /* IP IDs number the rounds modulo 65536 (see bench_traffic_round);
   * a TCP stream stays below 2^31 bytes, clear of sequence wrap-around */
  t->rounds = MAX (frames / conns, t->tcp ? 3 : 1);
  if (t->tcp)
    t->rounds = MIN (t->rounds, G_MAXINT32 / t->primary_seg);

  builder_init (&p);
  builder_init (&s);
  sec_id = g_new0 (guint16, conns);
  sec_done = g_new0 (guint64, conns);
  for (r = 0; r < t->rounds; r++) {
    for (c = 0; c < conns; c++) {
      if (t->tcp) {
        tcp_round (t, &p, &s, sec_id, sec_done, c, r);
      } else {
        append_udp (&p, t->vnet_hdr_len, c, r, t->primary_seg);
        append_udp (&s, t->vnet_hdr_len, c, r, t->secondary_seg);
        g_array_append_val (s.pos, p.off->len);
      }
    }
  }
  g_free (sec_id);
  g_free (sec_done);
  builder_finish (&p, &t->primary);
  builder_finish (&s, &t->secondary);
  g_free (t->primary.pos);
  t->primary.pos = NULL;
  return TRUE;
}

void
bench_traffic_clear (BenchTraffic * t)
{
  BenchStream *s[2] = { &t->primary, &t->secondary };
  guint i;

  for (i = 0; i < 2; i++) {
    g_free (s[i]->data);
    g_free (s[i]->off);
    g_free (s[i]->pos);
  }
  memset (t, 0, sizeof (*t));
}

gboolean
bench_traffic_frame_id (const BenchTraffic * t, const guint8 * frame,
    gsize len, guint * conn, guint16 * ip_id)
{
  const guint8 *ip = frame + t->vnet_hdr_len + ETH_LEN;
  guint port;

  if (len < t->vnet_hdr_len + ETH_LEN + IP_LEN + 4 || get16 (ip - 2) != 0x0800)
    return FALSE;
  port = get16 (ip + IP_LEN + 2) - BASE_PORT;
  *conn = ip[18] * PORTS_PER_ADDR + port;
  *ip_id = get16 (ip + 4);
  return port < PORTS_PER_ADDR && *conn < t->conns;
}

gint
bench_traffic_round (const BenchTraffic * t, guint base, guint16 ip_id)
{
  guint r = base + (guint16) (ip_id - base);

  /* one of the rounds before base (a frame released twice) */
  if (r >= t->rounds && r >= 65536)
    r -= 65536;
  return r < t->rounds ? (gint) r : -1;
}

GBytes *
bench_traffic_probe (const BenchTraffic * t)
{
  guint8 rec[8 + VNET_LEN + 42] = { 0 };
  guint8 *p = rec;
  static const guint8 arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x52, 0x54, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1,
    0x52, 0x54, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2
  };

  p += colo_framing_write_header (p, t->vnet_hdr_len + sizeof (arp),
      t->vnet_hdr_len != 0, t->vnet_hdr_len);
  p += t->vnet_hdr_len;
  memcpy (p, arp, sizeof (arp));
  return g_bytes_new (rec, p + sizeof (arp) - rec);
}

gboolean
bench_traffic_is_probe (const BenchTraffic * t, const guint8 * frame, gsize len)
{
  return len >= t->vnet_hdr_len + ETH_LEN
      && get16 (frame + t->vnet_hdr_len + 12) == 0x0806;
}

/* Classic pcap, Ethernet, one record's frame per packet (vnet stripped) */
static gboolean
write_pcap (const BenchTraffic * t, const BenchStream * s, const char *path,
    GError ** error)
{
  static const guint32 file_hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 262144, 1
  };
  FILE *f = fopen (path, "wb");
  guint hdr = t->vnet_hdr_len ? 8 + t->vnet_hdr_len : 4;
  gboolean ok;
  guint i;

  if (!f) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "%s: %s", path, g_strerror (errno));
    return FALSE;
  }
  ok = fwrite (file_hdr, sizeof (file_hdr), 1, f) == 1;
  for (i = 0; ok && i < s->n; i++) {
    guint32 len = s->off[i + 1] - s->off[i] - hdr;
    guint32 rec[4] = { i / 1000, (i % 1000) * 1000, len, len };
    ok = fwrite (rec, sizeof (rec), 1, f) == 1
        && fwrite (s->data + s->off[i] + hdr, len, 1, f) == 1;
  }
  if (fclose (f) != 0 || !ok) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: write failed",
        path);
    return FALSE;
  }
  return TRUE;
}

gboolean
bench_traffic_write_pcaps (const BenchTraffic * t, const char *prefix,
    GError ** error)
{
  gchar *p = g_strconcat (prefix, "-primary.pcap", NULL);
  gchar *s = g_strconcat (prefix, "-secondary.pcap", NULL);
  gboolean ok = write_pcap (t, &t->primary, p, error)
      && write_pcap (t, &t->secondary, s, error);

  g_free (p);
  g_free (s);
  return ok;
}
