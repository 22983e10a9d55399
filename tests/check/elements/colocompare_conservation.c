/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Randomized conservation test of colocompare against the reference model
 * of tests/check/common/conservation.h (docs/design.md, "Testing").
 *
 * Many connections (UDP, ICMP, TCP resegmented, with retransmissions,
 * reordering and new connections on the same ports; IPv6 and VLANs) are
 * pushed through GstHarness into both pads, in frames caps (vnet-hdr-len 0
 * to 20) or records caps (with and without the vnet word, several frames a
 * buffer), with random divergences, checkpoint-done, failover, flushes of
 * one pad or of both, EOS on a pad and on both, caps changes on either pad
 * while frames are held, PLAYING <-> PAUSED <-> READY, and time moved on
 * the GstTestClock (stale requests).  After every step the test waits
 * until colocompare took in what was pushed and everything it counted as
 * released was seen on src (never a sleep: conditions, with a real-time
 * bound), then checks the model (every primary frame released exactly
 * once, byte for byte and in order, or dropped by a flush or READY with a
 * warning on the bus; never a secondary frame; releases the model can
 * predict happened; the counters in `stats`) and the bus.
 *
 *   COLO_SEED=n     seed (default 1; the failure message prints it)
 *   COLO_FRAMES=n   frames to push (default 20000, 4000 under valgrind)
 *   COLO_CONNS=n    connections active at a time (default 24)
 *   COLO_BATCH=n    most frames in a records buffer (default 6; a large
 *                   value pins input buffers with held frames, so that
 *                   colocompare compacts them: docs/design.md, "Batches")
 *   COLO_ANSWER=n   chance (per mille, each step) that the application
 *                   answers a pending checkpoint request (default 60)
 *   COLO_DISRUPT=n  percent of the usual rate of checkpoint-done, failover,
 *                   flushes, EOS and state changes (default 100) */

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/base/gstaggregator.h>

#include "colo-framing.h"
#include "colocompare_harness.h"
#include "gstcolocaps.h"
#include "conservation.h"
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* Real-time bound for waiting on the element's thread */
#define TAG_FRAMES(vnet_hdr_len) ((guint) (vnet_hdr_len))
#define TAG_RECORDS(vnet_hdr) (0x100u | ((vnet_hdr) ? 1 : 0))

typedef struct
{
  CompareHarness *ch;           /* colocompare between two harnesses */
  GstPad *sinkpad[2];           /* colocompare's */

  GMutex lock;                  /* the model and what the probe sees */
  CsModel *m;
  GstColoCapsInfo out_caps;
  guint64 out_eos;
  gchar *probe_error;

  GstColoCapsInfo in_caps[2];
  gboolean eos[2];
  GstState state;
  CsStats base;                 /* counters of the comparators before */
  guint64 base_requests, base_stale;
  GstClockTime paused_stamp;
  guint compare_timeout, scan_cycle;    /* ms */

  guint32 seed;
  guint64 frames, ops;
  guint batch, answer, disrupt;
  guint64 compactions;
  const gchar *op;

  /* the bus */
  guint64 requests, requests_stale, warnings_malformed;
  GQueue discard_warnings;      /* primary frames each warning must name */
  gboolean request_pending;

  guint64 n_checkpoints, n_failovers, n_resumes, n_pad_flushes, n_full_flushes,
      n_eos, n_eos_both, n_pause, n_ready, n_caps, n_time, n_stale, n_records;
} Run;

static Run *live_run;

#define RUN_FAIL(r, ...) G_STMT_START {                                 \
  gchar *_m = g_strdup_printf (__VA_ARGS__);                            \
  fail ("COLO_SEED=%u COLO_FRAMES=%" G_GUINT64_FORMAT ": op %"          \
      G_GUINT64_FORMAT " (%s): %s", (r)->seed, (r)->frames, (r)->ops,   \
      (r)->op, _m);                                                     \
} G_STMT_END

#define RUN_CHECK(r, cond, ...) G_STMT_START {                          \
  if (!(cond))                                                          \
    RUN_FAIL (r, __VA_ARGS__);                                          \
} G_STMT_END

static guint64
env_u64 (const gchar * name, guint64 def)
{
  const gchar *v = g_getenv (name);

  return v && *v ? g_ascii_strtoull (v, NULL, 0) : def;
}

/* --- the element's clock ----------------------------------------------------- */

/* Pumps the element's src thread (compare_harness_pump) until cond holds;
 * a failure names the seed */
#define PUMP_UNTIL(r, cond) G_STMT_START {                              \
  gint64 _end = g_get_monotonic_time () + COMPARE_HARNESS_WAIT_US;      \
  guint _round = 0;                                                     \
  while (!(cond)) {                                                     \
    RUN_CHECK (r, g_get_monotonic_time () < _end, "timed out: %s", #cond); \
    compare_harness_pump ((r)->ch, _round++);                           \
  }                                                                     \
} G_STMT_END

/* The arrival time colocompare gives a frame it takes now (docs/design.md,
 * "Stale timing on the pipeline clock") */
static GstClockTime
stamp (Run * r)
{
  return r->state ==
      GST_STATE_PLAYING ? compare_harness_running_time (r->
      ch) : r->paused_stamp;
}

/* --- stats ------------------------------------------------------------------ */

static guint64
field (Run * r, const GstStructure * s, const gchar * name)
{
  guint64 v = 0;

  RUN_CHECK (r, gst_structure_get_uint64 (s, name, &v), "no stat %s", name);
  return v;
}

/* The counters, summed over the comparators since the start */
static void
read_stats (Run * r, CsStats * st, guint64 * requests, guint64 * stale)
{
  GstStructure *s = NULL;

  g_object_get (r->ch->e, "stats", &s, NULL);
  RUN_CHECK (r, s != NULL, "no stats");
  st->primary_packets = r->base.primary_packets + field (r, s,
      "primary-packets");
  st->secondary_packets = r->base.secondary_packets + field (r, s,
      "secondary-packets");
  st->released = r->base.released + field (r, s, "released");
  st->passed_through = r->base.passed_through + field (r, s, "passed-through");
  st->flushed = r->base.flushed + field (r, s, "flushed");
  st->secondary_dropped = r->base.secondary_dropped + field (r, s,
      "secondary-dropped");
  st->dropped = r->base.dropped + field (r, s, "dropped");
  st->malformed = r->base.malformed + field (r, s, "malformed");
  st->miscompares = r->base.miscompares + field (r, s, "miscompares");
  st->queued_primary = field (r, s, "queued-primary");
  st->queued_secondary = field (r, s, "queued-secondary");
  if (requests)
    *requests = r->base_requests + field (r, s, "checkpoints-requested");
  if (stale)
    *stale = r->base_stale + field (r, s, "stale");
  gst_structure_free (s);
}

/* colocompare's `compactions`, over every comparator */
static guint64
compactions (Run * r)
{
  GstStructure *s = NULL;
  guint64 v;

  g_object_get (r->ch->e, "stats", &s, NULL);
  v = r->compactions + field (r, s, "compactions");
  gst_structure_free (s);
  return v;
}

static guint64
queued_secondary (Run * r)
{
  CsStats st;

  read_stats (r, &st, NULL, NULL);
  return st.queued_secondary;
}

/* --- output ----------------------------------------------------------------- */

/* Every released buffer, under the caps it came with (the harness chains
 * a buffer list's buffers one by one); dropped once seen. */
static GstPadProbeReturn
out_buffer_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Run *r = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_mutex_lock (&r->lock);
  if (r->out_caps.format == GST_COLO_FORMAT_FRAMES) {
    cs_released (r->m, map.data, map.size, r->out_caps.vnet_hdr_len,
        TAG_FRAMES (r->out_caps.vnet_hdr_len));
  } else {
    gsize off = 0;

    while (off < map.size) {
      ColoFramingRecord rec;

      if (colo_framing_peek (map.data + off, map.size - off,
              r->out_caps.vnet_hdr, &rec) != COLO_FRAMING_OK || rec.len == 0) {
        if (!r->probe_error)
          r->probe_error = g_strdup_printf ("released records buffer of %"
              G_GSIZE_FORMAT " bytes has no whole record at %" G_GSIZE_FORMAT,
              map.size, off);
        break;
      }
      cs_released (r->m, map.data + off, rec.record_size,
          rec.header_size + rec.vnet_hdr_len,
          TAG_RECORDS (r->out_caps.vnet_hdr));
      off += rec.record_size;
    }
  }
  g_mutex_unlock (&r->lock);
  gst_buffer_unmap (buf, &map);
  return GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
out_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Run *r = user_data;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

  g_mutex_lock (&r->lock);
  if (GST_EVENT_TYPE (ev) == GST_EVENT_CAPS) {
    GstCaps *caps;

    gst_event_parse_caps (ev, &caps);
    if (!gst_colo_caps_parse (caps, &r->out_caps) && !r->probe_error)
      r->probe_error = g_strdup ("src caps not understood");
  } else if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS) {
    r->out_eos++;
    g_mutex_unlock (&r->lock);
    /* the harness's sink pad never becomes EOS: the stream goes on after
     * a restart */
    return GST_PAD_PROBE_DROP;
  }
  g_mutex_unlock (&r->lock);
  return GST_PAD_PROBE_OK;
}

static guint64
out_count (Run * r)
{
  guint64 n;

  g_mutex_lock (&r->lock);
  n = cs_out (r->m);
  g_mutex_unlock (&r->lock);
  return n;
}

/* Whether the model or the probe already found a violation: then waiting
 * for the output to add up is pointless */
static gboolean
violated (Run * r)
{
  gboolean v;

  g_mutex_lock (&r->lock);
  v = r->probe_error || cs_error (r->m);
  g_mutex_unlock (&r->lock);
  return v;
}

static guint64
out_eos (Run * r)
{
  guint64 n;

  g_mutex_lock (&r->lock);
  n = r->out_eos;
  g_mutex_unlock (&r->lock);
  return n;
}

/* --- the bus ---------------------------------------------------------------- */

static void
expect_discard_warning (Run * r, guint64 primaries)
{
  if (primaries > 0)
    g_queue_push_tail (&r->discard_warnings, g_memdup2 (&primaries,
            sizeof (primaries)));
}

static void
drain_bus (Run * r)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (r->ch->bus))) {
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ELEMENT:
        if (gst_message_has_name (msg, "colo-checkpoint")) {
          const gchar *reason = gst_structure_get_string
              (gst_message_get_structure (msg), "reason");

          r->requests++;
          if (!g_strcmp0 (reason, "stale"))
            r->requests_stale++;
          r->request_pending = TRUE;
        }
        break;
      case GST_MESSAGE_WARNING:{
        GError *err = NULL;
        gchar *dbg = NULL;

        gst_message_parse_warning (msg, &err, &dbg);
        if (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED)) {
          guint64 *want = g_queue_pop_head (&r->discard_warnings), n;

          RUN_CHECK (r, want != NULL, "unexpected warning: %s (%s)",
              err->message, dbg);
          /* "file(line): func (): /path:\nN queued primary frame(s) ..." */
          n = g_ascii_strtoull (dbg && strrchr (dbg, '\n') ?
              strrchr (dbg, '\n') + 1 : "", NULL, 10);
          RUN_CHECK (r, n == *want, "the warning names %" G_GUINT64_FORMAT
              " discarded primary frames, the model %" G_GUINT64_FORMAT
              ": %s", n, *want, dbg);
          g_free (want);
        } else {
          RUN_CHECK (r, g_error_matches (err, GST_STREAM_ERROR,
                  GST_STREAM_ERROR_DECODE), "unexpected warning: %s (%s)",
              err->message, dbg);
          r->warnings_malformed++;
        }
        g_error_free (err);
        g_free (dbg);
        break;
      }
      case GST_MESSAGE_ERROR:{
        GError *err = NULL;
        gchar *dbg = NULL;

        gst_message_parse_error (msg, &err, &dbg);
        RUN_FAIL (r, "error on the bus: %s (%s)", err->message, dbg);
        break;
      }
      default:
        break;
    }
    gst_message_unref (msg);
  }
}

/* --- synchronisation and the model's checks -------------------------------- */

/* Waits until colocompare took in everything pushed and everything it
 * counted as released was seen; then checks the model, the counters and
 * the bus. */
static void
sync_check (Run * r)
{
  CsStats st;
  guint64 requests, in_p, in_s;
  GstEvent *ev;
  gboolean ok;

  g_mutex_lock (&r->lock);
  in_p = cs_in (r->m, CS_PRIMARY);
  in_s = cs_in (r->m, CS_SECONDARY);
  g_mutex_unlock (&r->lock);
  PUMP_UNTIL (r, (read_stats (r, &st, NULL, NULL),
          st.primary_packets >= in_p && st.secondary_packets >= in_s));
  PUMP_UNTIL (r, (read_stats (r, &st, NULL, NULL), violated (r)
          || out_count (r) >= st.released + st.flushed + st.passed_through));
  /* the messages of the passes counted (posted right after the counters
   * are updated) */
  PUMP_UNTIL (r, (read_stats (r, &st, &requests, NULL), drain_bus (r),
          r->requests >= requests));
  /* Quiescent: PLAYING with frames queued, the src thread waits for its
   * next stale scan, later than now (every scan due by now has run);
   * otherwise it waits on no clock (nothing queued, or not PLAYING: no
   * scan).  So what it does never depends on when this thread looks. */
  if (r->state == GST_STATE_PLAYING && st.queued_primary
      + st.queued_secondary > 0)
    PUMP_UNTIL (r, compare_harness_waits_for_later (r->ch));
  read_stats (r, &st, &requests, NULL);
  drain_bus (r);
  while ((ev = gst_harness_try_pull_event (r->ch->h[CS_PRIMARY])))
    gst_event_unref (ev);
  RUN_CHECK (r, g_queue_is_empty (&r->discard_warnings),
      "no warning for %" G_GUINT64_FORMAT " discarded primary frames",
      *(guint64 *) g_queue_peek_head (&r->discard_warnings));
  RUN_CHECK (r, requests == r->requests, "checkpoints-requested %"
      G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " colo-checkpoint messages",
      requests, r->requests);
  g_mutex_lock (&r->lock);
  ok = cs_check (r->m, &st) && !r->probe_error;
  g_mutex_unlock (&r->lock);
  RUN_CHECK (r, ok, "%s", r->probe_error ? r->probe_error : cs_error (r->m));
}

/* --- what the test does ------------------------------------------------------ */

static gchar *
caps_string (const GstColoCapsInfo * c)
{
  if (c->format == GST_COLO_FORMAT_RECORDS)
    return g_strdup_printf ("application/x-colo-records, vnet-hdr=(boolean)%s",
        c->vnet_hdr ? "true" : "false");
  return g_strdup_printf ("application/x-ethernet, vnet-hdr-len=(int)%d",
      c->vnet_hdr_len);
}

static void
set_caps (Run * r, gint side)
{
  gchar *s = caps_string (&r->in_caps[side]);

  gst_harness_set_src_caps_str (r->ch->h[side], s);
  g_free (s);
}

static void
push (Run * r, gint side)
{
  const GstColoCapsInfo *caps = &r->in_caps[side];
  GstClockTime t = stamp (r);
  GstBuffer *buf;

  g_mutex_lock (&r->lock);
  if (caps->format == GST_COLO_FORMAT_FRAMES) {
    CsFrame *f = cs_next (r->m, side, caps->vnet_hdr_len);

    buf = gst_buffer_new_wrapped_bytes (f->frame);
    cs_pushed (r->m, f, side == CS_PRIMARY ? g_bytes_ref (f->frame) : NULL,
        TAG_FRAMES (caps->vnet_hdr_len), t);
  } else {
    GByteArray *a = g_byte_array_new ();
    guint n = 1 + cs_rand (r->m, r->batch), i;

    for (i = 0; i < n; i++) {
      guint v = cs_rand (r->m, 3);
      guint vnet = caps->vnet_hdr ? (v == 0 ? 0 : v == 1 ? 10 : 12) : 0;
      CsFrame *f = cs_next (r->m, side, vnet);
      gsize size, start = a->len;
      const guint8 *d = g_bytes_get_data (f->frame, &size);
      guint8 hdr[8];
      guint hl = colo_framing_write_header (hdr, size, caps->vnet_hdr, vnet);

      g_byte_array_append (a, hdr, hl);
      g_byte_array_append (a, d, size);
      cs_pushed (r->m, f, side == CS_PRIMARY ? g_bytes_new (a->data + start,
              a->len - start) : NULL, TAG_RECORDS (caps->vnet_hdr), t);
    }
    {
      GBytes *bytes = g_byte_array_free_to_bytes (a);

      buf = gst_buffer_new_wrapped_bytes (bytes);
      g_bytes_unref (bytes);
    }
    r->n_records++;
  }
  g_mutex_unlock (&r->lock);
  RUN_CHECK (r, gst_harness_push (r->ch->h[side], buf) == GST_FLOW_OK,
      "push refused");
  sync_check (r);
}

/* A frame on a pad that is not EOS: the pass that takes it has handled
 * every action emitted before (aggregate () runs them first). */
static void
barrier (Run * r)
{
  if (!r->eos[CS_SECONDARY])
    push (r, CS_SECONDARY);
  else if (!r->eos[CS_PRIMARY])
    push (r, CS_PRIMARY);
}

static void
checkpoint_done (Run * r)
{
  g_mutex_lock (&r->lock);
  cs_checkpoint (r->m, queued_secondary (r));
  g_mutex_unlock (&r->lock);
  g_signal_emit_by_name (r->ch->e, "checkpoint-done");
  r->request_pending = FALSE;
  r->n_checkpoints++;
  barrier (r);
}

static void
failover (Run * r)
{
  g_mutex_lock (&r->lock);
  cs_failover (r->m, queued_secondary (r));
  g_mutex_unlock (&r->lock);
  g_signal_emit_by_name (r->ch->e, "failover");
  r->n_failovers++;
  barrier (r);
}

/* A new secondary in step after failover: compared again, every
 * connection afresh (the model forgets what it knew of them, as for a
 * restart) */
static void
resume (Run * r)
{
  g_mutex_lock (&r->lock);
  cs_restart (r->m);
  g_mutex_unlock (&r->lock);
  g_signal_emit_by_name (r->ch->e, "resume");
  r->n_resumes++;
  barrier (r);
}

/* FLUSH_START / FLUSH_STOP on one pad, or on both with one seqnum (then
 * GstAggregator flushes itself and restarts its src task) */
static void
flush (Run * r, gboolean both)
{
  guint32 seqnum = gst_util_seqnum_next ();
  gint side = cs_rand (r->m, 2), i;
  guint64 lost;

  g_mutex_lock (&r->lock);
  lost = cs_discard (r->m, queued_secondary (r));
  g_mutex_unlock (&r->lock);
  expect_discard_warning (r, lost);
  for (i = 0; i < 2; i++) {
    GstEvent *ev;

    if (!both && i != side)
      continue;
    ev = gst_event_new_flush_start ();
    gst_event_set_seqnum (ev, seqnum);
    RUN_CHECK (r, gst_harness_push_event (r->ch->h[i], ev), "flush-start");
  }
  for (i = 0; i < 2; i++) {
    GstEvent *ev;

    if (!both && i != side)
      continue;
    ev = gst_event_new_flush_stop (TRUE);
    gst_event_set_seqnum (ev, seqnum);
    RUN_CHECK (r, gst_harness_push_event (r->ch->h[i], ev), "flush-stop");
    r->eos[i] = FALSE;
    set_caps (r, i);
  }
  g_mutex_lock (&r->lock);
  cs_discard_done (r->m);
  g_mutex_unlock (&r->lock);
  if (both) {
    r->n_full_flushes++;
    sync_check (r);
  } else {
    /* a flush of one pad leaves the src thread waiting for the scan of
     * frames that are gone: a pass now, as an application's next frame
     * would cause */
    r->n_pad_flushes++;
    barrier (r);
  }
}

static void
set_state (Run * r, GstState target)
{
  GstStateChangeReturn ret = gst_element_set_state (r->ch->e, target);

  RUN_CHECK (r, ret != GST_STATE_CHANGE_FAILURE && ret !=
      GST_STATE_CHANGE_ASYNC, "state change to %s: %s",
      gst_element_state_get_name (target),
      gst_element_state_change_return_get_name (ret));
  r->state = target;
}

/* PLAYING <-> PAUSED */
static void
toggle_pause (Run * r)
{
  if (r->state == GST_STATE_PLAYING) {
    r->paused_stamp = compare_harness_running_time (r->ch);
    set_state (r, GST_STATE_PAUSED);
  } else {
    set_state (r, GST_STATE_PLAYING);
  }
  r->n_pause++;
  sync_check (r);
}

/* -> READY -> PAUSED or PLAYING: queued frames are dropped (warning), and
 * a new comparator starts */
static void
ready_cycle (Run * r)
{
  GstState back = cs_chance (r->m, 500) ? GST_STATE_PAUSED : GST_STATE_PLAYING;
  guint64 lost, requests, stale;
  CsStats st;
  gint i;

  g_mutex_lock (&r->lock);
  lost = cs_discard (r->m, queued_secondary (r));
  g_mutex_unlock (&r->lock);
  expect_discard_warning (r, lost);
  set_state (r, GST_STATE_READY);
  r->compactions = compactions (r);
  read_stats (r, &st, &requests, &stale);
  drain_bus (r);
  r->base = st;
  r->base.queued_primary = r->base.queued_secondary = 0;
  r->base_requests = requests;
  r->base_stale = stale;
  g_mutex_lock (&r->lock);
  cs_discard_done (r->m);
  cs_restart (r->m);
  g_mutex_unlock (&r->lock);

  set_state (r, back);
  r->paused_stamp = 0;          /* start () counts from 0 again */
  for (i = 0; i < 2; i++) {
    if (r->eos[i]) {
      /* the harness's own src pad is EOS: a flush lets it push again (the
       * comparator is empty, nothing to discard) */
      gst_harness_push_event (r->ch->h[i], gst_event_new_flush_start ());
      gst_harness_push_event (r->ch->h[i], gst_event_new_flush_stop (TRUE));
      r->eos[i] = FALSE;
    }
    set_caps (r, i);
  }
  r->n_ready++;
  sync_check (r);
}

/* Both pads EOS: everything queued goes out, then EOS; the stream is then
 * restarted by a flush of both pads or a READY cycle. */
static void
eos (Run * r)
{
  gint side = r->eos[CS_PRIMARY] ? CS_SECONDARY : r->eos[CS_SECONDARY] ?
      CS_PRIMARY : (gint) cs_rand (r->m, 2);
  GstAggregatorPad *pad = GST_AGGREGATOR_PAD (r->sinkpad[side]);

  if (r->eos[!side]) {
    guint64 eos_before = out_eos (r);

    g_mutex_lock (&r->lock);
    cs_checkpoint (r->m, queued_secondary (r));
    g_mutex_unlock (&r->lock);
    RUN_CHECK (r, gst_harness_push_event (r->ch->h[side], gst_event_new_eos ()),
        "EOS");
    r->eos[side] = TRUE;
    PUMP_UNTIL (r, out_eos (r) > eos_before);
    sync_check (r);
    g_mutex_lock (&r->lock);
    RUN_CHECK (r, cs_outstanding (r->m) == 0, "%" G_GUINT64_FORMAT
        " primary frame(s) held after EOS", cs_outstanding (r->m));
    g_mutex_unlock (&r->lock);
    r->n_eos_both++;
    if (cs_chance (r->m, 600))
      flush (r, TRUE);
    else
      ready_cycle (r);
    return;
  }
  RUN_CHECK (r, gst_harness_push_event (r->ch->h[side], gst_event_new_eos ()),
      "EOS");
  r->eos[side] = TRUE;
  PUMP_UNTIL (r, gst_aggregator_pad_is_eos (pad));
  r->n_eos++;
  sync_check (r);
}

static void
change_caps (Run * r)
{
  gint side = cs_rand (r->m, 2);
  GstColoCapsInfo *c = &r->in_caps[side];
  static const gint vnets[] = { 0, 0, 10, 12, 20 };

  if (r->eos[side])
    return;
  memset (c, 0, sizeof (*c));
  if (cs_chance (r->m, 500)) {
    c->format = GST_COLO_FORMAT_RECORDS;
    c->vnet_hdr = cs_chance (r->m, 500);
  } else {
    c->format = GST_COLO_FORMAT_FRAMES;
    c->vnet_hdr_len = vnets[cs_rand (r->m, G_N_ELEMENTS (vnets))];
  }
  set_caps (r, side);
  r->n_caps++;
}

/* Time goes by; a long step with frames queued while PLAYING must bring a
 * stale trigger and a `stale` request. */
static void
move_time (Run * r, gboolean long_step)
{
  GstClockTime now = gst_clock_get_time (GST_CLOCK (r->ch->clock));
  GstClockTime cycle = r->scan_cycle * GST_MSECOND;
  CsStats st;
  guint64 stale_before, requests_stale = r->requests_stale, stale;

  read_stats (r, &st, NULL, &stale_before);
  if (!long_step) {
    gst_test_clock_set_time (r->ch->clock, now + cs_rand (r->m,
            r->scan_cycle + 1) * GST_MSECOND);
    r->n_time++;
    sync_check (r);
    return;
  }
  gst_test_clock_set_time (r->ch->clock, now + r->compare_timeout * GST_MSECOND
      + 2 * cycle);
  if (r->state == GST_STATE_PLAYING && st.queued_primary +
      st.queued_secondary > 0) {
    PUMP_UNTIL (r, (read_stats (r, &st, NULL, &stale), stale > stale_before));
    sync_check (r);
    RUN_CHECK (r, r->requests_stale > requests_stale, "frames queued for "
        "compare-timeout + 2 scan cycles, no stale request");
    r->n_stale++;
    return;
  }
  sync_check (r);
}

/* --- setup ------------------------------------------------------------------- */

static void
run_free (Run * r)
{
  live_run = NULL;
  gst_object_unref (r->sinkpad[0]);
  gst_object_unref (r->sinkpad[1]);
  compare_harness_free (r->ch);
  g_queue_clear_full (&r->discard_warnings, g_free);
  cs_model_free (r->m);
  g_free (r->probe_error);
  g_mutex_clear (&r->lock);
  g_free (r);
}

/* A failed check leaves the test at once: free what it set up, or the
 * element's thread would hang the process at exit. */
static void
leftovers_teardown (void)
{
  if (live_run)
    run_free (live_run);
}

static Run *
run_new (void)
{
  Run *r = g_new0 (Run, 1);
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  GRand *cfg;
  CsParams p;
  guint idle;

  fail_unless (e != NULL);
  r->seed = (guint32) env_u64 ("COLO_SEED", 1);
  r->frames = env_u64 ("COLO_FRAMES", RUNNING_ON_VALGRIND ? 4000 : 20000);
  r->batch = MAX (1, (guint) env_u64 ("COLO_BATCH", 6));
  r->answer = (guint) env_u64 ("COLO_ANSWER", 60);
  r->disrupt = (guint) env_u64 ("COLO_DISRUPT", 100);
  g_mutex_init (&r->lock);
  g_queue_init (&r->discard_warnings);

  /* the element's settings, from the seed */
  cfg = g_rand_new_with_seed (r->seed ^ 0x5eed);
  r->compare_timeout = 50 + g_rand_int_range (cfg, 0, 400);
  r->scan_cycle = 10 + g_rand_int_range (cfg, 0, r->compare_timeout - 9);
  idle = g_rand_boolean (cfg) ? 0 : g_rand_boolean (cfg) ? 300000 :
      500 + g_rand_int_range (cfg, 0, 5000);
  g_object_set (e, "compare-timeout", r->compare_timeout,
      "expired-scan-cycle", r->scan_cycle, "idle-timeout", idle,
      "max-queue-size", g_rand_boolean (cfg) ? 1024 :
      4 + g_rand_int_range (cfg, 0, 60), NULL);
  g_rand_free (cfg);

  cs_params_init (&p);
  p.conns = (guint) env_u64 ("COLO_CONNS", 24);
  /* TCP linger 60 s; idle-timeout if shorter */
  p.forget_after = (idle ? MIN (idle, 60000) : 60000) * GST_MSECOND;
  r->m = cs_model_new (r->seed, &p);

  /* caps once the probes are in place */
  r->ch = compare_harness_new (e, NULL, NULL);
  r->sinkpad[0] = gst_element_get_static_pad (r->ch->e, "primary");
  r->sinkpad[1] = gst_element_get_static_pad (r->ch->e, "secondary");
  gst_pad_add_probe (r->ch->h[0]->sinkpad, GST_PAD_PROBE_TYPE_BUFFER,
      out_buffer_probe, r, NULL);
  gst_pad_add_probe (r->ch->h[0]->sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      out_event_probe, r, NULL);
  r->state = GST_STATE_PLAYING;
  set_caps (r, 0);
  set_caps (r, 1);
  live_run = r;
  return r;
}

GST_START_TEST (test_conservation)
{
  Run *r = run_new ();
  gint64 t0 = g_get_monotonic_time ();
  gboolean trace_ops = g_getenv ("COLO_TRACE_CONN") != NULL;
  gchar *summary;

  while (cs_in (r->m, CS_PRIMARY) + cs_in (r->m, CS_SECONDARY) < r->frames) {
    guint op = cs_rand (r->m, 1000);

    r->ops++;
    if (trace_ops && r->op)
      g_printerr ("op %" G_GUINT64_FORMAT " done: %s\n", r->ops - 1, r->op);
    if (r->request_pending && cs_chance (r->m, r->answer))
      op = 1000;                /* the application answers */
    else if (cs_failover_on (r->m) && cs_chance (r->m, 30 * r->disrupt / 100))
      op = 1001;                /* the secondary is back: a restart */
    else if ((r->eos[0] || r->eos[1]) && cs_chance (r->m, 50))
      op = 1002;                /* the other input ends too */
    else if ((op >= 866 && op < 868 && cs_failover_on (r->m))
        || (op >= 935 && op < 995)
        || (op >= 860 && op < 886 && !cs_chance (r->m, 10 * r->disrupt)))
      op = 0;
    if (op < 860) {
      gint side = cs_rand (r->m, 2);
      guint64 in_p = cs_in (r->m, CS_PRIMARY), in_s = cs_in (r->m,
          CS_SECONDARY);

      /* a pad with records caps sends many frames a step, one with frames
       * caps one: the side that is behind mostly goes first */
      if (in_p + 2 * r->batch < in_s && cs_chance (r->m, 800))
        side = CS_PRIMARY;
      else if (in_s + 2 * r->batch < in_p && cs_chance (r->m, 800))
        side = CS_SECONDARY;
      r->op = "push";
      push (r, r->eos[side] ? !side : side);
    } else if (op < 866 || op == 1000) {
      r->op = "checkpoint-done";
      checkpoint_done (r);
    } else if (op < 868) {
      r->op = "failover";
      failover (r);
    } else if (op < 872) {
      r->op = "flush one pad";
      flush (r, FALSE);
    } else if (op < 874) {
      r->op = "flush both pads";
      flush (r, TRUE);
    } else if (op < 878 || op == 1002) {
      r->op = "EOS";
      eos (r);
    } else if (op < 884) {
      r->op = "PLAYING <-> PAUSED";
      toggle_pause (r);
    } else if (op == 1001 && cs_chance (r->m, 500)) {
      r->op = "resume";
      resume (r);
    } else if (op < 886 || op == 1001) {
      r->op = "READY";
      ready_cycle (r);
    } else if (op < 900) {
      r->op = "caps";
      change_caps (r);
    } else if (op < 935) {
      r->op = "time";
      move_time (r, FALSE);
    } else {
      r->op = "stale";
      move_time (r, TRUE);
    }
  }

  /* the end: EOS on both pads releases everything */
  r->op = "final EOS";
  if (!r->eos[CS_PRIMARY] && !r->eos[CS_SECONDARY]) {
    fail_unless (gst_harness_push_event (r->ch->h[CS_PRIMARY],
            gst_event_new_eos ()));
    r->eos[CS_PRIMARY] = TRUE;
    PUMP_UNTIL (r, gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD
            (r->sinkpad[CS_PRIMARY])));
    sync_check (r);
  }
  {
    guint64 eos_before = out_eos (r);
    gint side = r->eos[CS_PRIMARY] ? CS_SECONDARY : CS_PRIMARY;

    g_mutex_lock (&r->lock);
    cs_checkpoint (r->m, queued_secondary (r));
    g_mutex_unlock (&r->lock);
    fail_unless (gst_harness_push_event (r->ch->h[side], gst_event_new_eos ()));
    r->eos[side] = TRUE;
    PUMP_UNTIL (r, out_eos (r) > eos_before);
    sync_check (r);
  }
  RUN_CHECK (r, cs_outstanding (r->m) == 0, "%" G_GUINT64_FORMAT
      " primary frame(s) never released", cs_outstanding (r->m));

  summary = cs_summary (r->m);
  g_print ("colocompare conservation: COLO_SEED=%u COLO_FRAMES=%"
      G_GUINT64_FORMAT " COLO_CONNS=%s: %.2f s, %" G_GUINT64_FORMAT " ops "
      "(checkpoint-done %" G_GUINT64_FORMAT ", failover %" G_GUINT64_FORMAT
      ", resume %" G_GUINT64_FORMAT ", pad flushes %" G_GUINT64_FORMAT
      ", full flushes %" G_GUINT64_FORMAT ", pad EOS %" G_GUINT64_FORMAT
      ", EOS on both %" G_GUINT64_FORMAT ", PLAYING<->PAUSED %" G_GUINT64_FORMAT
      ", READY %" G_GUINT64_FORMAT ", caps changes %" G_GUINT64_FORMAT
      ", records buffers %" G_GUINT64_FORMAT ", time steps %" G_GUINT64_FORMAT
      ", stale checks %" G_GUINT64_FORMAT "); requests %" G_GUINT64_FORMAT
      " (stale %" G_GUINT64_FORMAT "), compactions %" G_GUINT64_FORMAT "; %s\n",
      r->seed, r->frames,
      g_getenv ("COLO_CONNS") ? g_getenv ("COLO_CONNS") : "24",
      (g_get_monotonic_time () - t0) / 1e6, r->ops, r->n_checkpoints,
      r->n_failovers, r->n_resumes, r->n_pad_flushes, r->n_full_flushes,
      r->n_eos, r->n_eos_both, r->n_pause, r->n_ready, r->n_caps, r->n_records,
      r->n_time, r->n_stale, r->requests, r->requests_stale, compactions (r),
      summary);
  g_free (summary);
  run_free (r);
}

GST_END_TEST;

static Suite *
colocompare_conservation_suite (void)
{
  Suite *s = suite_create ("colocompare-conservation");
  TCase *tc = tcase_create ("conservation");

  suite_add_tcase (s, tc);
  /* A run sized by COLO_FRAMES takes what it takes (meson's own timeout
   * still applies: `meson test -t 0` lifts it); every wait in it has its
   * own real-time bound. */
  if (g_getenv ("COLO_FRAMES"))
    tcase_set_timeout (tc, 0);
  tcase_add_checked_fixture (tc, NULL, leftovers_teardown);
  tcase_add_test (tc, test_conservation);
  return s;
}

GST_CHECK_MAIN (colocompare_conservation);
