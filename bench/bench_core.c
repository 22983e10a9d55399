/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Throughput of the packet core alone (parse + connection table + compare
 * + release), no GStreamer.  Prints frames per second per scenario.
 * Usage: bench_core [frames-per-side]
 *        bench_core --connections N: memory per tracked connection, with N
 *        TCP connections tracked at once (process memory and the table's own
 *        accounting). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colo-bytes.h"
#include "colo-compare.h"
#include "colo-packet.h"
#include "frames.h"

static guint64 released;

static void
on_release (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  released++;
}

static void
on_drop (gpointer handle, const guint8 * data, gsize size, gpointer user_data)
{
}

static void
on_request (const ColoTrigger * t, gpointer user_data)
{
  g_error ("unexpected checkpoint request: %s",
      colo_trigger_reason_to_string (t->reason));
}

static const ColoCompareOps ops = {
  .release = on_release,
  .drop = on_drop,
  .request_checkpoint = on_request,
};

/* A workload: per connection, a primary and a secondary segment shape.
 * Frames are taken from a ring of RING slots per side that is rewritten in
 * place (only the TCP sequence number changes), so that, as after a socket
 * read, the bytes compared are in cache: this measures the core, not the
 * memory bus. */
#define RING 4096               /* a multiple of every connection count */

typedef struct
{
  const char *name;
  gboolean tcp;
  guint conns;
  guint p_len, s_len;           /* payload per frame; s_len = k * p_len */
  guint8 *p_ring[RING], *s_ring[RING];
  gsize p_size, s_size;
} Workload;

/* The TCP sequence number of a frame built by frame_tcp (IPv4, no
 * options, no vnet header) */
#define TCP_SEQ_OFFSET (14 + 20 + 4)

static guint8 *
frame_copy (GBytes * b, gsize * size)
{
  guint8 *d = g_memdup2 (g_bytes_get_data (b, size), g_bytes_get_size (b));
  g_bytes_unref (b);
  return d;
}

static void
workload_init (Workload * w, const char *name, gboolean tcp, guint conns,
    guint p_len, guint s_len)
{
  guint8 *data = pattern_bytes (0, p_len);
  guint8 *s_data = g_malloc (s_len);
  FrameOpts o;
  guint i;

  /* the primary sends the same p_len bytes again and again */
  for (i = 0; i < s_len; i += p_len)
    memcpy (s_data + i, data, p_len);

  memset (w, 0, sizeof (*w));
  w->name = name;
  w->tcp = tcp;
  w->conns = conns;
  w->p_len = p_len;
  w->s_len = s_len;
  frame_opts_init (&o);
  for (i = 0; i < RING; i++) {
    guint c = i % conns;

    if (tcp) {
      w->p_ring[i] = frame_copy (frame_tcp (&o, 80, 10000 + c, 0, 1,
              COLO_TCP_ACK, 12, data, p_len), &w->p_size);
      w->s_ring[i] = frame_copy (frame_tcp (&o, 80, 10000 + c, 0, 1,
              COLO_TCP_ACK, 12, s_data, s_len), &w->s_size);
    } else {
      w->p_ring[i] = frame_copy (frame_udp (&o, 5000 + c, 53, data, p_len),
          &w->p_size);
      w->s_ring[i] = frame_copy (frame_udp (&o, 5000 + c, 53, s_data,
              s_len), &w->s_size);
    }
  }
  g_free (data);
  g_free (s_data);
}

static void
workload_clear (Workload * w)
{
  guint i;

  for (i = 0; i < RING; i++) {
    g_free (w->p_ring[i]);
    g_free (w->s_ring[i]);
  }
}

static const guint8 *
next_frame (guint8 ** ring, gboolean tcp, guint conns, guint64 i, guint len)
{
  guint8 *f = ring[i % RING];

  if (tcp) {
    guint32 seq = 1000 + (guint32) (i / conns) * len;

    colo_write_be32 (f + TCP_SEQ_OFFSET, seq);
  }
  return f;
}

/* n primary frames, in bursts of `burst`, the secondary keeping pace in
 * bytes; returns nanoseconds per frame, both sides counted. */
static double
run (Workload * w, guint64 n, guint burst)
{
  ColoComparator *c = colo_comparator_new (&ops, NULL);
  guint ratio = w->s_len / w->p_len;
  guint64 pi = 0, si = 0, ns = n / ratio;
  gint64 t0, t1;

  released = 0;
  t0 = g_get_monotonic_time ();
  while (pi < n) {
    guint k;

    for (k = 0; k < burst && pi < n; k++, pi++)
      colo_comparator_push (c, COLO_SIDE_PRIMARY, next_frame (w->p_ring,
              w->tcp, w->conns, pi, w->p_len), w->p_size, 0, NULL, 0);
    for (; si < ns && (si + 1) * ratio <= pi; si++)
      colo_comparator_push (c, COLO_SIDE_SECONDARY, next_frame (w->s_ring,
              w->tcp, w->conns, si, w->s_len), w->s_size, 0, NULL, 0);
  }
  t1 = g_get_monotonic_time ();
  if (released != n)
    g_error ("%s: released %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
        w->name, released, n);
  colo_comparator_free (c);
  return (t1 - t0) * 1e3 / (double) (n + ns);
}

/* Resident set size of this process, bytes */
static gsize
rss_bytes (void)
{
  gchar *text = NULL;
  gsize pages = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
    sscanf (text, "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT, &pages, &resident);
  g_free (text);
  return resident * 4096;
}

/* n TCP connections, each with a matched segment pair (nothing queued):
 * what tracking them costs. */
static int
run_connections (guint n)
{
  ColoComparator *c = colo_comparator_new (&ops, NULL);
  guint8 *data = pattern_bytes (0, 64);
  FrameOpts o;
  gsize before, after;
  ColoStats st;
  guint i;

  frame_opts_init (&o);
  before = rss_bytes ();
  for (i = 0; i < n; i++) {
    GBytes *b = frame_tcp (&o, 1024 + i / 50000, 1 + i % 50000, 1000, 1,
        COLO_TCP_ACK, 0, data, 64);
    gsize size;
    const guint8 *d = g_bytes_get_data (b, &size);

    colo_comparator_push (c, COLO_SIDE_PRIMARY, d, size, 0, NULL, 0);
    colo_comparator_push (c, COLO_SIDE_SECONDARY, d, size, 0, NULL, 0);
    g_bytes_unref (b);
  }
  after = rss_bytes ();
  colo_comparator_get_stats (c, &st);
  if (st.connections != n || released != n)
    g_error ("tracked %" G_GUINT64_FORMAT " connections, released %"
        G_GUINT64_FORMAT " of %u", st.connections, released, n);
  g_print ("%u connections tracked: %.1f bytes each (process memory), "
      "%.1f bytes each (table accounting)\n", n,
      (double) (after - before) / n,
      (double) colo_comparator_table_bytes (c) / n);
  colo_comparator_free (c);
  g_free (data);
  return 0;
}

int
main (int argc, char **argv)
{
  guint64 n;
  Workload w;
  guint i, r;
  static const struct
  {
    const char *name;
    gboolean tcp;
    guint p_len, s_len;
  } shapes[] = {
    {"tcp 64", TRUE, 64, 64},
    {"tcp 1448", TRUE, 1448, 1448},
    {"tcp 1448/2896 resegmented", TRUE, 1448, 2896},
    {"udp 512", FALSE, 512, 512},
  };

  if (argc > 2 && strcmp (argv[1], "--connections") == 0)
    return run_connections (atoi (argv[2]));
  n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 2000000;
  n -= n % (2 * RING);
  for (i = 0; i < G_N_ELEMENTS (shapes); i++) {
    double best = G_MAXDOUBLE;

    workload_init (&w, shapes[i].name, shapes[i].tcp, 64, shapes[i].p_len,
        shapes[i].s_len);
    for (r = 0; r < 3; r++)
      best = MIN (best, run (&w, n, 32));
    g_print ("%-28s %6.1f ns/frame %10.0f frames/s (64 connections, "
        "%" G_GUINT64_FORMAT " primary frames, best of 3)\n", w.name, best,
        1e9 / best, n);
    workload_clear (&w);
  }
  return 0;
}
