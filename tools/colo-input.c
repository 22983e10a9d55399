/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-input.h"

#include <string.h>

#include <gst/base/gstaggregator.h>
#include "colo-framing.h"
#include "colo-i18n.h"
#include "colo-link.h"
#include "colo-log.h"

/* What a read costs while it waits for colocompare: its bytes and at most
 * about this much for the GstBuffer, its memory block, the queue entries
 * and the allocator's rounding (measured for one frame per buffer: 500 to
 * 850 bytes, GStreamer 1.22, glibc 2.36, x86-64).  A read is one buffer of
 * whole records (docs/design.md, "Batches"). */
#define BUFFER_OVERHEAD 1024

struct _ColoInput
{
  gchar *name;
  ColoLink *link;
  ColoFramingParser *parser;
  /* Pushes into colocompare's sink pad from the main loop itself: no
   * source element, so no thread between a read and colocompare's pad
   * queue (docs/performance.md) */
  GstPad *srcpad;
  GstCaps *caps;
  gboolean started;             /* stream-start, caps and segment sent */
  gboolean warned_flow;         /* a push failed (reported once) */
  GstPad *consumer;             /* colocompare's sink pad */
  GstElement *compare;          /* colocompare */
  gulong consumed_id;
  gulong selected_id;
  gboolean vnet;                /* records carry the vnet word */
  guint8 *pending;              /* whole records of this read, not pushed */
  gsize pending_len;
  gsize pending_size;           /* allocated: exactly what a read may need */

  /* Bytes (with BUFFER_OVERHEAD) pushed and not yet taken by colocompare
   * (its aggregator pad's queue): added on the
   * main thread, subtracted on colocompare's streaming thread at the end
   * of the aggregation cycle that took them (see on_samples_selected). */
  gssize in_flight;
  gssize taken;                 /* taken in the current cycle */
  gssize max_in_flight;
  gint throttled;               /* reading paused until in_flight <= max/2 */
  guint64 throttles;
  gboolean warned_throttle;     /* this connection */

  guint64 connections;
  guint64 records;
  guint64 empty_records;        /* len 0: nothing to compare, skipped */
  guint64 framing_errors;
  guint64 partial_records;      /* cut off by a disconnect, discarded */
};

/* The stream's sticky events, once, before its first buffer or EOS */
static void
start_stream (ColoInput * input)
{
  GstSegment segment;

  if (input->started)
    return;
  input->started = TRUE;
  gst_pad_push_event (input->srcpad, gst_event_new_stream_start (input->name));
  gst_pad_push_event (input->srcpad, gst_event_new_caps (input->caps));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (input->srcpad, gst_event_new_segment (&segment));
}

/* The records of one read go to colocompare as one buffer.  The push only
 * queues it on colocompare's pad (its queue is bounded by the in-flight
 * accounting below, not by the pad): it never waits for the comparator. */
static void
push_pending (ColoInput * input)
{
  gsize size = input->pending_len;
  GstFlowReturn ret;
  GstBuffer *buf;

  if (size == 0)
    return;
  buf = gst_buffer_new_wrapped_full (0, input->pending, input->pending_size,
      0, size, input->pending, g_free);
  input->pending = NULL;
  input->pending_len = input->pending_size = 0;
  g_atomic_pointer_add (&input->in_flight, (gssize) size + BUFFER_OVERHEAD);
  start_stream (input);
  ret = gst_pad_push (input->srcpad, buf);
  if (ret != GST_FLOW_OK) {
    /* not taken: not in flight either */
    g_atomic_pointer_add (&input->in_flight,
        -((gssize) size + BUFFER_OVERHEAD));
    if (!input->warned_flow && ret != GST_FLOW_FLUSHING)
      colo_log_warning (input->name, _("colocompare refused a buffer: %s"),
          gst_flow_get_name (ret));
    input->warned_flow = TRUE;
  }
}

/* colocompare's aggregator asks its upstream for latency: a live source
 * that adds none (the frames are not timestamped) */
static gboolean
srcpad_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return gst_pad_query_default (pad, parent, query);
}

static gboolean
resume_reading (gpointer user_data)
{
  ColoInput *input = user_data;

  colo_link_pause (input->link, FALSE);
  return G_SOURCE_REMOVE;
}

/* colocompare's streaming thread: a buffer left the pad's queue.  It
 * stays charged until the cycle ends: colocompare takes every frame its
 * pads hold in one cycle and releases them as one batch, so if reading
 * resumed while it takes them, the batch (and memory) would grow without
 * bound under load. */
static void
on_buffer_consumed (GstAggregatorPad * pad, GstBuffer * buf, gpointer user_data)
{
  ColoInput *input = user_data;

  g_atomic_pointer_add (&input->taken, gst_buffer_get_size (buf) +
      BUFFER_OVERHEAD);
}

/* colocompare's streaming thread: the aggregation cycle took what it
 * takes (GstAggregator's samples-selected, emitted by every cycle before
 * it releases the batch) */
static void
on_samples_selected (GstAggregator * agg, GstSegment * segment,
    GstClockTime pts, GstClockTime dts, GstClockTime duration,
    GstStructure * info, gpointer user_data)
{
  ColoInput *input = user_data;
  gssize charge = (gssize) g_atomic_pointer_exchange (&input->taken, 0);
  gssize left;

  if (charge == 0)
    return;
  left = g_atomic_pointer_add (&input->in_flight, -charge) - charge;

  if (left <= input->max_in_flight / 2 && g_atomic_int_get (&input->throttled)
      && g_atomic_int_compare_and_exchange (&input->throttled, 1, 0)) {
    /* on the main loop, which owns the link */
    GSource *idle = g_idle_source_new ();

    g_source_set_callback (idle, resume_reading, input, NULL);
    g_source_attach (idle, NULL);
    g_source_unref (idle);
  }
}

/* Main thread, after a read was pushed: with too much not yet taken by
 * colocompare (its streaming thread is held by a slow outdev), stop
 * reading, so the peer's writes wait in the socket (TCP flow control)
 * instead of in memory.  Nothing is dropped. */
static void
check_in_flight (ColoInput * input)
{
  if (g_atomic_pointer_get (&input->in_flight) <= input->max_in_flight)
    return;
  input->throttles++;
  if (!input->warned_throttle)
    colo_log (input->name, _("the comparator is behind (outdev slow or "
            "absent?): reading paused while more than %zu KiB wait for it "
            "(reported once per connection)"),
        (gsize) input->max_in_flight / 1024);
  input->warned_throttle = TRUE;
  g_atomic_int_set (&input->throttled, 1);
  colo_link_pause (input->link, TRUE);
  /* it may have been consumed in between */
  if (g_atomic_pointer_get (&input->in_flight) <= input->max_in_flight / 2
      && g_atomic_int_compare_and_exchange (&input->throttled, 1, 0))
    colo_link_pause (input->link, FALSE);
}

static void
on_record (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  ColoInput *input = user_data;

  if (len == 0) {
    if (colo_log_is_reported (++input->empty_records))
      colo_log_warning (input->name, _("skipped an empty record at byte "
              "offset %" PRIu64 " (%" PRIu64 " so far; reported the 1st, "
              "10th, 100th, ... time)"), offset, input->empty_records);
    return;
  }
  input->records++;
  {
    guint8 *out = input->pending + input->pending_len;
    guint hl = colo_framing_write_header (out, len, input->vnet,
        vnet_hdr_len);

    g_assert (input->pending_len + hl + len <= input->pending_size);
    memcpy (out + hl, payload, len);
    input->pending_len += hl + len;
  }
}

static void
on_connected (ColoLink * link, gpointer user_data)
{
  ColoInput *input = user_data;

  input->connections++;
  input->warned_throttle = FALSE;
  colo_framing_parser_reset (input->parser);
}

/* Copies whole records [from, to) of a read into the pending buffer as
 * they are (their headers already are what colocompare expects). */
static void
take_run (ColoInput * input, const guint8 * from, const guint8 * to,
    guint records)
{
  g_assert (input->pending_len + (to - from) <= input->pending_size);
  memcpy (input->pending + input->pending_len, from, to - from);
  input->pending_len += to - from;
  input->records += records;
}

/* Feeds a read to the framing parser, but copies runs of whole records
 * that lie in the read with one memcpy each: the parser (and on_record)
 * only sees a record cut by either end of the read, a zero-length record
 * and whatever it must report as an error. */
static ColoFramingResult
push_records (ColoInput * input, const guint8 * data, gsize len)
{
  ColoFramingParser *parser = input->parser;
  const guint8 *run, *p = data, *end = data + len;
  guint n = 0;
  gsize need;

  /* finish the record the last read cut */
  while (p < end && (need = colo_framing_parser_get_needed (parser)) > 0) {
    gsize k = MIN (need, (gsize) (end - p));
    ColoFramingResult res = colo_framing_parser_push (parser, p, k);

    if (res != COLO_FRAMING_OK)
      return res;
    p += k;
  }
  if (colo_framing_parser_get_needed (parser) > 0)
    return COLO_FRAMING_OK;     /* the read ended inside that record */
  run = p;
  while (p < end) {
    ColoFramingRecord rec;

    if (colo_framing_peek (p, end - p, input->vnet, &rec) != COLO_FRAMING_OK
        || rec.len == 0)
      break;
    p += rec.record_size;
    n++;
  }
  take_run (input, run, p, n);
  colo_framing_parser_skip (parser, p - run);
  /* the rest: an empty record, a bad one or one cut by the end */
  if (p == end)
    return COLO_FRAMING_OK;
  {
    ColoFramingRecord rec;

    if (colo_framing_peek (p, end - p, input->vnet, &rec) == COLO_FRAMING_OK) {
      /* an empty record (reported by on_record), then more records */
      ColoFramingResult res = colo_framing_parser_push (parser, p,
          rec.record_size);

      if (res != COLO_FRAMING_OK)
        return res;
      return push_records (input, p + rec.record_size, end - p -
          rec.record_size);
    }
  }
  return colo_framing_parser_push (parser, p, end - p);
}

static void
on_data (ColoLink * link, const guint8 * data, gsize len, gpointer user_data)
{
  ColoInput *input = user_data;
  ColoFramingResult res;
  guint64 offset;
  guint32 value;

  /* the records of one read go to colocompare as one buffer, allocated at
   * its final size: the records completed by this read (the partial one
   * held from the last read included) take at most these bytes, as they
   * keep their header size */
  {
    gsize need = len + colo_framing_parser_get_pending (input->parser, NULL);

    if (input->pending_size < need) {
      /* nothing complete in it yet (pending_len is 0 between reads) */
      g_free (input->pending);
      input->pending = g_malloc (need);
      input->pending_size = need;
    }
  }
  res = push_records (input, data, len);
  push_pending (input);
  check_in_flight (input);
  if (!COLO_FRAMING_RESULT_IS_ERROR (res))
    return;
  colo_framing_parser_get_error (input->parser, &offset, &value);
  input->framing_errors++;
  colo_log_error (input->name, _("bad record at byte offset %" PRIu64
          ": %s (value %u); closing this connection, queued frames are kept"),
      offset, colo_framing_result_to_string (res), value);
  colo_link_drop (link, _("bad record"));
}

/* The connection is gone: an incomplete record is discarded */
static void
discard_partial (ColoInput * input, const gchar * when)
{
  guint64 offset;
  gsize pending = colo_framing_parser_get_pending (input->parser, &offset);

  if (pending > 0) {
    input->partial_records++;
    colo_log_warning (input->name, _("%s inside a record (%zu bytes from "
            "byte offset %" PRIu64 "), discarded"), when, pending, offset);
  }
  colo_framing_parser_reset (input->parser);
}

static void
on_closed (ColoLink * link, gpointer user_data)
{
  discard_partial (user_data, _("connection closed"));
}

static const ColoLinkFuncs input_funcs = {
  .connected = on_connected,
  .data = on_data,
  .closed = on_closed,
};

ColoInput *
colo_input_new (const ColoEndpoint * ep, const gchar * name,
    gboolean vnet, GstCaps * caps, GstPad * consumer, gsize max_in_flight,
    GError ** error)
{
  ColoInput *input = g_new0 (ColoInput, 1);

  input->name = g_strdup (name);
  input->caps = gst_caps_ref (caps);
  input->srcpad = gst_pad_new (name, GST_PAD_SRC);
  gst_pad_set_query_function (input->srcpad, srcpad_query);
  gst_pad_set_active (input->srcpad, TRUE);
  if (gst_pad_link (input->srcpad, consumer) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_PAD,
        "%s: cannot link to colocompare's pad", name);
    input->consumer = NULL;
    gst_pad_set_active (input->srcpad, FALSE);
    gst_object_unref (input->srcpad);
    gst_caps_unref (input->caps);
    g_free (input->name);
    g_free (input);
    return NULL;
  }
  input->max_in_flight = MIN (max_in_flight, G_MAXSSIZE / 2);
  input->consumer = gst_object_ref (consumer);
  g_object_set (consumer, "emit-signals", TRUE, NULL);
  input->consumed_id = g_signal_connect (consumer, "buffer-consumed",
      G_CALLBACK (on_buffer_consumed), input);
  input->compare = gst_pad_get_parent_element (consumer);
  g_object_set (input->compare, "emit-signals", TRUE, NULL);
  input->selected_id = g_signal_connect (input->compare, "samples-selected",
      G_CALLBACK (on_samples_selected), input);
  input->vnet = vnet;
  input->parser = colo_framing_parser_new (vnet, on_record, input);
  input->link = colo_link_new (ep, name, &input_funcs, input, error);
  if (input->link == NULL) {
    colo_input_free (input);
    return NULL;
  }
  return input;
}

static void
on_finished (ColoLink * link, gpointer user_data)
{
  ColoInput *input = user_data;

  discard_partial (input, _("shutdown"));
  push_pending (input);
  start_stream (input);
  gst_pad_push_event (input->srcpad, gst_event_new_eos ());
}

void
colo_input_finish (ColoInput * input)
{
  colo_link_finish (input->link, on_finished);
}

void
colo_input_free (ColoInput * input)
{
  if (input == NULL)
    return;
  colo_link_free (input->link);
  colo_framing_parser_free (input->parser);
  g_free (input->pending);
  gst_pad_unlink (input->srcpad, input->consumer);
  gst_pad_set_active (input->srcpad, FALSE);
  g_signal_handler_disconnect (input->consumer, input->consumed_id);
  gst_object_unref (input->consumer);
  g_signal_handler_disconnect (input->compare, input->selected_id);
  gst_object_unref (input->compare);
  /* a resume still queued for the main loop */
  while (g_source_remove_by_user_data (input));
  gst_object_unref (input->srcpad);
  gst_caps_unref (input->caps);
  g_free (input->name);
  g_free (input);
}

static void
set_counter (GstStructure * stats, ColoInput * input, const gchar * what,
    guint64 value)
{
  gchar *field = g_strdup_printf ("%s-%s", input->name, what);

  gst_structure_set (stats, field, G_TYPE_UINT64, value, NULL);
  g_free (field);
}

void
colo_input_add_stats (ColoInput * input, GstStructure * stats)
{
  set_counter (stats, input, "connections", input->connections);
  set_counter (stats, input, "records", input->records);
  set_counter (stats, input, "empty-records", input->empty_records);
  set_counter (stats, input, "framing-errors", input->framing_errors);
  set_counter (stats, input, "partial-records", input->partial_records);
  set_counter (stats, input, "throttled", input->throttles);
}
