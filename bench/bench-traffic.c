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

#include "colo-bytes.h"
#include "bench-traffic.h"
#include "colo-framing.h"
#include "frames.h"

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

typedef struct
{
  GByteArray *data;
  GArray *off;                  /* gsize */
  GArray *pos;                  /* guint */
} StreamBuilder;

/* Appends one record (be32 len [be32 vnet_hdr_len] frame) holding frame,
 * built by the tests' frame builder (tests/check/common/frames.c). */
static void
append_record (StreamBuilder * b, guint vnet, GBytes * frame)
{
  gsize off = b->data->len, size;
  const guint8 *d = g_bytes_get_data (frame, &size);
  guint8 hdr[8];

  g_byte_array_append (b->data, hdr, colo_framing_write_header (hdr, size,
          vnet != 0, vnet));
  g_byte_array_append (b->data, d, size);
  g_array_append_val (b->off, off);
  g_bytes_unref (frame);
}

/* Connection c's frame options: 10.0.0.1 -> 10.0.(c / PORTS_PER_ADDR).2 */
static void
conn_opts (FrameOpts * o, guint vnet, guint c, guint16 ip_id, gchar dst[16])
{
  frame_opts_init (o);
  g_snprintf (dst, 16, "10.0.%u.2", c / PORTS_PER_ADDR);
  o->dst = dst;
  o->vnet_hdr_len = vnet;
  o->ip_id = ip_id;
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
  guint8 data[65536];
  gchar dst[16];
  FrameOpts o;

  conn_opts (&o, vnet, c, ip_id, dst);
  fill_payload (data, c, stream_off, len);
  /* 12 bytes of options, as Linux sends timestamps; the client sends
   * nothing: a constant ACK */
  append_record (b, vnet, frame_tcp (&o, 5201, BASE_PORT + c % PORTS_PER_ADDR,
          seq, 0x05000001, flags, TCP_LEN - 20, data, len));
}

static void
append_udp (StreamBuilder * b, guint vnet, guint c, guint16 ip_id, gsize len)
{
  guint8 data[65536];
  gchar dst[16];
  FrameOpts o;

  conn_opts (&o, vnet, c, ip_id, dst);
  /* QEMU matches a flow's datagrams newest-first (its quirk Q3): equal
   * datagrams within a flow keep that from causing false miscompares. */
  fill_payload (data, c, 0, len);
  append_record (b, vnet, frame_udp (&o, 5001, BASE_PORT + c % PORTS_PER_ADDR,
          data, len));
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

  if (len < t->vnet_hdr_len + ETH_LEN + IP_LEN + 4
      || colo_read_be16 (ip - 2) != 0x0800)
    return FALSE;
  port = colo_read_be16 (ip + IP_LEN + 2) - BASE_PORT;
  *conn = ip[18] * PORTS_PER_ADDR + port;
  *ip_id = colo_read_be16 (ip + 4);
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
  FrameOpts o;
  GBytes *arp, *rec;
  GByteArray *a = g_byte_array_new ();
  guint8 hdr[8];
  gsize size;
  const guint8 *d;

  frame_opts_init (&o);
  o.vnet_hdr_len = t->vnet_hdr_len;
  arp = frame_arp (&o);
  d = g_bytes_get_data (arp, &size);
  g_byte_array_append (a, hdr, colo_framing_write_header (hdr, size,
          t->vnet_hdr_len != 0, t->vnet_hdr_len));
  g_byte_array_append (a, d, size);
  rec = g_byte_array_free_to_bytes (a);
  g_bytes_unref (arp);
  return rec;
}

gboolean
bench_traffic_is_probe (const BenchTraffic * t, const guint8 * frame, gsize len)
{
  return len >= t->vnet_hdr_len + ETH_LEN
      && colo_read_be16 (frame + t->vnet_hdr_len + 12) == 0x0806;
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
