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

typedef struct
{
  const char *name;
  GPtrArray *primary;           /* GBytes */
  GPtrArray *secondary;
} Scenario;

/* TCP: 1448-byte primary segments, the secondary in 2896-byte segments,
 * over `conns` connections, interleaved. */
static Scenario
make_tcp (guint n, guint conns)
{
  Scenario s = { "tcp 1448/2896 resegmented",
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref)
  };
  FrameOpts o;
  guint8 *data = pattern_bytes (0, 2896);
  guint i;

  frame_opts_init (&o);
  for (i = 0; i < n; i++) {
    guint c = i % conns;
    guint32 seq = 1000 + (i / conns) * 1448;
    g_ptr_array_add (s.primary, frame_tcp (&o, 80, 10000 + c, seq, 1,
            COLO_TCP_ACK, 12, data + (i / conns) % 2 * 1448, 1448));
    if ((i / conns) % 2 == 1)
      g_ptr_array_add (s.secondary, frame_tcp (&o, 80, 10000 + c,
              seq - 1448, 1, COLO_TCP_ACK, 12, data, 2896));
  }
  g_free (data);
  return s;
}

static Scenario
make_udp (guint n, guint conns)
{
  Scenario s = { "udp 512-byte datagrams",
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref)
  };
  FrameOpts o;
  guint8 *data = pattern_bytes (0, 512);
  guint i;

  frame_opts_init (&o);
  for (i = 0; i < n; i++) {
    GBytes *b = frame_udp (&o, 5000 + i % conns, 53, data, 512);
    g_ptr_array_add (s.primary, b);
    g_ptr_array_add (s.secondary, g_bytes_ref (b));
  }
  g_free (data);
  return s;
}

/* Primary first in bursts of `burst`, then the secondary catches up. */
static double
run (Scenario * s, guint burst)
{
  ColoComparator *c = colo_comparator_new (&ops, NULL);
  guint pi = 0, si = 0;
  gint64 t0, t1;
  gsize size;
  const guint8 *d;

  released = 0;
  t0 = g_get_monotonic_time ();
  while (pi < s->primary->len || si < s->secondary->len) {
    guint k;
    for (k = 0; k < burst && pi < s->primary->len; k++, pi++) {
      d = g_bytes_get_data (g_ptr_array_index (s->primary, pi), &size);
      colo_comparator_push (c, COLO_SIDE_PRIMARY, d, size, 0, NULL, 0);
    }
    /* the secondary keeps pace in bytes, not in frames */
    for (; si < s->secondary->len &&
        (guint64) si * s->primary->len < (guint64) pi * s->secondary->len;
        si++) {
      d = g_bytes_get_data (g_ptr_array_index (s->secondary, si), &size);
      colo_comparator_push (c, COLO_SIDE_SECONDARY, d, size, 0, NULL, 0);
    }
  }
  t1 = g_get_monotonic_time ();
  if (released != s->primary->len)
    g_error ("%s: released %" G_GUINT64_FORMAT " of %u", s->name, released,
        s->primary->len);
  colo_comparator_free (c);
  return (double) (s->primary->len + s->secondary->len) * 1e6 / (t1 - t0);
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
  guint n;
  Scenario sc[2];
  guint i, r;

  if (argc > 2 && strcmp (argv[1], "--connections") == 0)
    return run_connections (atoi (argv[2]));
  n = argc > 1 ? atoi (argv[1]) : 400000;

  sc[0] = make_tcp (n, 64);
  sc[1] = make_udp (n, 64);
  for (i = 0; i < 2; i++) {
    double best = 0;
    for (r = 0; r < 3; r++)
      best = MAX (best, run (&sc[i], 32));
    g_print ("%-28s %10.0f frames/s (%u primary frames, best of 3)\n",
        sc[i].name, best, sc[i].primary->len);
    g_ptr_array_unref (sc[i].primary);
    g_ptr_array_unref (sc[i].secondary);
  }
  return 0;
}
