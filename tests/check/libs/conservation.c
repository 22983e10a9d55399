/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Randomized conservation test of the comparator (colo-compare.h) against
 * the reference model of tests/check/common/conservation.h: the same
 * traffic and checks as tests/check/elements/colocompare_conservation.c,
 * driven straight into the core, so that it runs millions of frames in
 * seconds.  Batches mix both sides (the element's hold one side's frames).
 *
 *   COLO_SEED=n     seed (default 1; printed on failure)
 *   COLO_FRAMES=n   frames to push (default 300000, 60000 under valgrind)
 *   COLO_CONNS=n    connections active at a time (default 64)
 *
 * docs/design.md, "Testing", has the large runs. */

#include <string.h>
#include <stdlib.h>
#include "colo-compare.h"
#include "conservation.h"
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define MS (G_GUINT64_CONSTANT (1000000))

typedef struct
{
  GBytes *bytes;
  guint vnet_hdr_len;
} Held;

typedef struct
{
  CsModel *m;
  ColoComparator *c;
  ColoCompareConfig cfg;
  CsStats base;                 /* counters of the comparators freed */
  guint64 now;
  guint32 seed;
  guint64 frames, ops;
  const gchar *op;
  guint requests, requests_stale;
  gboolean request_pending;
  guint64 stale_checks, checkpoints, failovers, resumes, discards, restarts,
      batches;
} Core;

static void
held_free (Held * h)
{
  g_bytes_unref (h->bytes);
  g_free (h);
}

static void
on_release (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  Core *k = user_data;
  Held *h = handle;

  cs_released (k->m, data, size, h->vnet_hdr_len, h->vnet_hdr_len);
  held_free (h);
}

static void
on_drop (gpointer handle, const guint8 * data, gsize size, gpointer user_data)
{
  Core *k = user_data;
  Held *h = handle;

  cs_dropped (k->m, data, size, h->vnet_hdr_len);
  held_free (h);
}

static void
on_request (const ColoTrigger * t, gpointer user_data)
{
  Core *k = user_data;

  k->requests++;
  if (t->reason == COLO_TRIGGER_STALE)
    k->requests_stale++;
  k->request_pending = TRUE;
}

static const ColoCompareOps ops = {
  .release = on_release,
  .drop = on_drop,
  .request_checkpoint = on_request,
};

static guint64
env_u64 (const gchar * name, guint64 def)
{
  const gchar *v = g_getenv (name);

  return v && *v ? g_ascii_strtoull (v, NULL, 0) : def;
}

static void
get_stats (Core * k, CsStats * st)
{
  ColoStats cs;

  colo_comparator_get_stats (k->c, &cs);
#define SUM(f, g) st->f = k->base.f + cs.g
  SUM (primary_packets, primary_packets);
  SUM (secondary_packets, secondary_packets);
  SUM (released, released);
  SUM (passed_through, passed_through);
  SUM (flushed, flushed);
  SUM (secondary_dropped, secondary_dropped);
  SUM (dropped, dropped);
  SUM (malformed, malformed);
  SUM (miscompares, miscompares);
#undef SUM
  st->queued_primary = cs.queued_primary;
  st->queued_secondary = cs.queued_secondary;
}

static void
check (Core * k)
{
  CsStats st;

  get_stats (k, &st);
  if (!cs_check (k->m, &st))
    g_error ("COLO_SEED=%u COLO_FRAMES=%" G_GUINT64_FORMAT ": after op %"
        G_GUINT64_FORMAT " (%s): %s", k->seed, k->frames, k->ops, k->op,
        cs_error (k->m));
}

static void
push_one (Core * k, gint side)
{
  guint v = cs_rand (k->m, 10);
  guint vnet = v < 6 ? 0 : v < 8 ? 10 : 12;
  CsFrame *f = cs_next (k->m, side, vnet);
  Held *h = g_new (Held, 1);
  gsize size;
  const guint8 *data;

  h->bytes = g_bytes_ref (f->frame);
  h->vnet_hdr_len = vnet;
  data = g_bytes_get_data (h->bytes, &size);
  cs_pushed (k->m, f, side == CS_PRIMARY ? g_bytes_ref (h->bytes) : NULL,
      vnet, k->now);
  colo_comparator_push (k->c, side, data, size, vnet, h, k->now);
}

static guint64
queued_secondary (Core * k)
{
  return colo_comparator_queued (k->c, COLO_SIDE_SECONDARY);
}

static void
discard (Core * k)
{
  cs_discard (k->m, queued_secondary (k));
  colo_comparator_discard (k->c);
  cs_discard_done (k->m);
}

/* READY -> PAUSED: a new comparator */
static void
restart (Core * k)
{
  CsStats st;

  discard (k);
  get_stats (k, &st);
  k->base = st;
  k->base.queued_primary = k->base.queued_secondary = 0;
  colo_comparator_free (k->c);
  k->c = colo_comparator_new (&ops, k);
  colo_comparator_set_config (k->c, &k->cfg);
  cs_restart (k->m);
}

/* Time goes by past compare-timeout with frames queued: a stale check
 * must find the oldest. */
static void
stale (Core * k)
{
  ColoStats before, after;
  guint64 end = k->now + k->cfg.compare_timeout + k->cfg.scan_cycle;

  colo_comparator_get_stats (k->c, &before);
  while (k->now < end) {
    k->now += k->cfg.scan_cycle;
    colo_comparator_check_stale (k->c, k->now);
  }
  colo_comparator_get_stats (k->c, &after);
  if (before.queued_primary + before.queued_secondary > 0
      && after.stale == before.stale)
    g_error ("COLO_SEED=%u: %" G_GUINT64_FORMAT " frame(s) queued for a "
        "compare-timeout and no stale trigger", k->seed,
        before.queued_primary + before.queued_secondary);
  k->stale_checks++;
}

static void
run (gconstpointer data)
{
  Core k = { 0 };
  CsParams p;
  gint64 t0 = g_get_monotonic_time ();
  gchar *summary;

  k.seed = (guint32) env_u64 ("COLO_SEED", 1);
  k.frames = env_u64 ("COLO_FRAMES", RUNNING_ON_VALGRIND ? 60000 : 300000);
  cs_params_init (&p);
  p.conns = (guint) env_u64 ("COLO_CONNS", 64);
  /* The comparator's settings come from the seed too; the model is then
   * made again, knowing after how long a connection may be forgotten. */
  k.m = cs_model_new (k.seed, &p);
  colo_compare_config_init (&k.cfg);
  k.cfg.compare_timeout = (20 + cs_rand (k.m, 300)) * MS;
  k.cfg.scan_cycle = (5 + cs_rand (k.m, 50)) * MS;
  k.cfg.max_queue_size = cs_chance (k.m, 500) ? 4 + cs_rand (k.m, 60) : 1024;
  k.cfg.idle_timeout = cs_chance (k.m, 500) ? (200 + cs_rand (k.m, 3000)) * MS
      : 0;
  k.cfg.tcp_linger = (1000 + cs_rand (k.m, 5000)) * MS;
  /* the model assumes state is lost after the shorter of the two */
  p.forget_after = k.cfg.idle_timeout ? MIN (k.cfg.idle_timeout,
      k.cfg.tcp_linger) : k.cfg.tcp_linger;
  cs_model_free (k.m);
  k.m = cs_model_new (k.seed, &p);
  k.c = colo_comparator_new (&ops, &k);
  colo_comparator_set_config (k.c, &k.cfg);

  while (cs_in (k.m, CS_PRIMARY) + cs_in (k.m, CS_SECONDARY) < k.frames) {
    guint op = cs_rand (k.m, 1000);

    k.ops++;
    k.now += cs_rand (k.m, 200) * 1000;
    if (k.request_pending && cs_chance (k.m, 30)) {
      k.op = "checkpoint-done (answering a request)";
      cs_checkpoint (k.m, queued_secondary (&k));
      colo_comparator_checkpoint_done (k.c, k.now);
      k.request_pending = FALSE;
      k.checkpoints++;
    } else if (op < 860) {
      k.op = "push";
      push_one (&k, cs_rand (k.m, 2));
    } else if (op < 960) {
      guint n = 2 + cs_rand (k.m, 30), i;

      k.op = "batch";
      colo_comparator_begin_batch (k.c);
      for (i = 0; i < n; i++)
        push_one (&k, cs_rand (k.m, 2));
      colo_comparator_end_batch (k.c);
      k.batches++;
    } else if (op < 965) {
      k.op = "checkpoint-done";
      cs_checkpoint (k.m, queued_secondary (&k));
      colo_comparator_checkpoint_done (k.c, k.now);
      k.request_pending = FALSE;
      k.checkpoints++;
    } else if (op < 967) {
      k.op = "flush";
      discard (&k);
      k.discards++;
    } else if (op < 968 && cs_chance (k.m, 300)) {
      k.op = "restart";
      restart (&k);
      k.restarts++;
    } else if (op < 969 && cs_chance (k.m, 100) && !cs_failover_on (k.m)) {
      k.op = "failover";
      cs_failover (k.m, queued_secondary (&k));
      colo_comparator_failover (k.c, k.now);
      k.failovers++;
    } else if (op < 975 && cs_failover_on (k.m)) {
      /* a new secondary in step: compared again, every connection
       * afresh (the model forgets what it knew of them, as for a
       * restart) */
      k.op = "resume after failover";
      colo_comparator_resume (k.c, k.now);
      cs_restart (k.m);
      k.resumes++;
    } else if (op < 980 && cs_failover_on (k.m)) {
      k.op = "restart after failover";
      restart (&k);
      k.restarts++;
    } else if (op < 997) {
      k.op = "time";
      k.now += cs_rand (k.m, 2 * k.cfg.scan_cycle);
      colo_comparator_check_stale (k.c, k.now);
    } else {
      k.op = "stale";
      stale (&k);
    }
    check (&k);
  }
  cs_checkpoint (k.m, queued_secondary (&k));
  colo_comparator_checkpoint_done (k.c, k.now);
  k.op = "final checkpoint-done";
  check (&k);
  if (cs_outstanding (k.m) != 0)
    g_error ("COLO_SEED=%u: %" G_GUINT64_FORMAT " frame(s) left", k.seed,
        cs_outstanding (k.m));

  summary = cs_summary (k.m);
  g_test_message ("COLO_SEED=%u COLO_FRAMES=%" G_GUINT64_FORMAT
      " COLO_CONNS=%u: %.2f s, %" G_GUINT64_FORMAT " ops; checkpoints %"
      G_GUINT64_FORMAT ", failovers %" G_GUINT64_FORMAT ", resumes %"
      G_GUINT64_FORMAT ", flushes %"
      G_GUINT64_FORMAT ", restarts %" G_GUINT64_FORMAT ", batches %"
      G_GUINT64_FORMAT ", stale checks %" G_GUINT64_FORMAT ", requests %u "
      "(stale %u); %s", k.seed, k.frames, p.conns,
      (g_get_monotonic_time () - t0) / 1e6, k.ops, k.checkpoints, k.failovers,
      k.resumes, k.discards, k.restarts, k.batches, k.stale_checks, k.requests,
      k.requests_stale, summary);
  g_free (summary);
  colo_comparator_free (k.c);
  cs_model_free (k.m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/conservation/core", NULL, run);
  return g_test_run ();
}
