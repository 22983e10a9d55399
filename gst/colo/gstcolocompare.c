/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-colocompare
 * @title: colocompare
 * @see_also: colodepay, colopay, colopcapsrc
 *
 * Compares the network output of a COLO primary and secondary VM, one
 * Ethernet frame per buffer on the `primary` and `secondary` pads (or, with
 * `application/x-colo-records` caps, many QEMU chardev records per buffer:
 * see docs/design.md, "Batches"), and
 * pushes each primary frame on `src` (the original buffer) once the
 * secondary has sent the same output.  TCP is compared as a byte stream
 * aligned by sequence numbers, so both sides may segment differently;
 * UDP, ICMP and other IP protocols are compared packet by packet, first in
 * first out per connection.  ARP and other non-IP frames from the primary
 * go out at once; the secondary's are dropped.
 *
 * When the outputs diverge, a frame waits longer than #GstColoCompare:compare-timeout
 * on the pipeline clock, or a queue reaches #GstColoCompare:max-queue-size, the
 * element posts an element message `colo-checkpoint` on the bus:
 *
 * * `reason` (string): `miscompare`, `stale` or `queue-full`
 * * `running-time` (guint64): running time of the trigger, in ns
 * * `ip-version` (guint), `ip-protocol` (guint)
 * * `src`, `dst` (string): IP addresses; `src-port`, `dst-port` (guint)
 * * `side` (string): `primary` or `secondary`, the queue concerned
 * * `offset` (guint, miscompare only): index of the first differing byte
 *   in the primary packet's transport payload
 * * `tcp-seq` (guint, TCP miscompare only): sequence number of that byte
 * * `primary-excerpt`, `secondary-excerpt` (string, miscompare only): the
 *   bytes of each side's transport payload around the first difference,
 *   in hex (up to 16 before it and 16 from it on, aligned: the same number
 *   of bytes before the difference on both sides; the secondary's is
 *   empty where it has no byte there, for instance when it reset the
 *   stream)
 * * `excerpt-offset` (guint, miscompare only): index in the primary's
 *   transport payload of the excerpts' first byte
 * * `divergence-file` (string, miscompare only): the pcap written through
 *   #GstColoCompare:divergence-location, if any
 *
 * Queued frames stay queued until the application emits
 * #GstColoCompare::checkpoint-done (after the hypervisor's checkpoint):
 * every queued primary frame is then released and every queued secondary
 * frame dropped.  One message is posted per episode; while unanswered it
 * is posted again at most once per #GstColoCompare:expired-scan-cycle.
 *
 * The element always aggregates on the clock (force-live), so an idle
 * secondary never stalls the primary, with live and non-live upstreams.
 * Frame ages count in running time, which advances only while the element
 * is PLAYING: a frame that arrives earlier (a non-live source may push
 * while the pipeline is still PAUSED) or while it is PAUSED ages from the
 * running time at which the element next plays.
 * The action signals may be emitted from any thread, the element's own
 * streaming thread included (a synchronous bus handler for its
 * `colo-checkpoint` message, a probe on its src pad): they never block on
 * the element's streams.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m colocompare name=c auto-release=true ! colopay ! \
 *     tcpserversink host=127.0.0.1 port=9004 \
 *     tcpserversrc host=127.0.0.1 port=9002 ! colodepay ! c.primary \
 *     tcpserversrc host=127.0.0.1 port=9003 ! colodepay ! c.secondary
 * ]| Compares what QEMU's filter-redirectors send from the primary (port
 * 9002) and the secondary (port 9003) and sends the released frames to the
 * primary's filter-redirector (port 9004), printing every checkpoint
 * request; the same line is in the README, where a test runs it.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstcoloelements.h"
#include "gstcolocompare.h"
#include "colo-compare.h"
#include "colo-packet.h"
#include "colo-passthrough.h"
#include "colo-evidence.h"
#include "gstcolocaps.h"
#include "gstcoloframes.h"

GST_DEBUG_CATEGORY_STATIC (gst_colo_compare_debug);
#define GST_CAT_DEFAULT gst_colo_compare_debug

/* One definition of each default: the core's (colo-compare.h) */
#define DEFAULT_COMPARE_TIMEOUT COLO_DEFAULT_COMPARE_TIMEOUT_MS
#define DEFAULT_EXPIRED_SCAN_CYCLE COLO_DEFAULT_SCAN_CYCLE_MS
#define DEFAULT_MAX_QUEUE_SIZE COLO_DEFAULT_MAX_QUEUE_SIZE
#define DEFAULT_AUTO_RELEASE FALSE
#define DEFAULT_IDLE_TIMEOUT COLO_DEFAULT_IDLE_TIMEOUT_MS
#define DEFAULT_MAX_DIVERGENCE_FILES 100

/* Divergence evidence: frames per side written (the queued ones, and up
 * to HISTORY_FRAMES of the connection's that went out just before) */
#define EVIDENCE_QUEUED_FRAMES 16
#define HISTORY_FRAMES 8

#define WAKE_EVENT_NAME "GstColoCompareWake"

enum
{
  PROP_0,
  PROP_COMPARE_TIMEOUT,
  PROP_EXPIRED_SCAN_CYCLE,
  PROP_MAX_QUEUE_SIZE,
  PROP_AUTO_RELEASE,
  PROP_IDLE_TIMEOUT,
  PROP_PASSTHROUGH,
  PROP_DIVERGENCE_LOCATION,
  PROP_MAX_DIVERGENCE_FILES,
  PROP_START_IN_FAILOVER,
  PROP_REASSEMBLY_MAX_BYTES,
  PROP_STATS,
};

enum
{
  SIGNAL_CHECKPOINT_DONE,
  SIGNAL_FAILOVER,
  SIGNAL_RESUME,
  SIGNAL_GET_CONNECTIONS,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

struct _GstColoCompare
{
  GstAggregator parent;

  GstAggregatorPad *pads[COLO_N_SIDES]; /* indexed by ColoSide */
  GstColoCapsInfo in_caps[COLO_N_SIDES];        /* each sink pad's format */

  /* properties, under the object lock */
  guint compare_timeout;
  guint expired_scan_cycle;
  guint max_queue_size;
  gboolean auto_release;
  guint idle_timeout;
  gchar *passthrough;           /* rules, valid */
  guint passthrough_serial;     /* bumped by each change */
  gchar *divergence_location;   /* valid template or NULL */
  guint max_divergence_files;
  gboolean start_in_failover;
  guint reassembly_max_bytes;

  /* set from any thread, handled in aggregate () */
  gint checkpoint_done_pending;
  gint failover_pending;
  gint resume_pending;
  gint passthrough_pending;     /* new rules to hand to the comparator */

  /* the thread running aggregate () or a serialized sink event (our src
   * task), NULL outside them; atomic (see wake_aggregator ()) */
  gpointer streaming_thread;

  /* TRUE while the element is PLAYING: only then is its base time the
   * pipeline's (see running_time_now ()); atomic */
  gint clock_running;

  /* comparator state, under lock; used from the aggregate thread and by
   * the stats getter */
  GMutex lock;
  ColoComparator *comp;
  GstColoFrames frames;         /* buffers in and out of comp */
  GList *messages;              /* to post once the lock is dropped */
  guint64 malformed_seen;
  gchar *malformed_warning;
  GstClockTime last_now;
  guint passthrough_applied;    /* the serial comp has */
  guint divergence_files;       /* written since start */
  gchar *evidence_warning;      /* to post once the lock is dropped */

  /* aggregate thread only (get_next_time reads next_deadline under the
   * object lock) */
  GstClockTime next_deadline;   /* running time, minus latency */
  GstClockTime latency;
  gboolean src_started;
  gboolean src_caps_set;
  GstColoCapsInfo src_caps;     /* of the caps set on src */
};

/* Records first: a colodepay upstream then sends many frames per buffer
 * (docs/design.md, "Batches"); frames keep working everywhere. */
#define COLO_CAPS GST_COLO_RECORDS_CAPS "; " GST_COLO_FRAMES_CAPS

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (COLO_CAPS));
static GstStaticPadTemplate primary_template =
GST_STATIC_PAD_TEMPLATE ("primary", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (COLO_CAPS));
static GstStaticPadTemplate secondary_template =
GST_STATIC_PAD_TEMPLATE ("secondary", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (COLO_CAPS));

#define gst_colo_compare_parent_class parent_class
G_DEFINE_TYPE (GstColoCompare, gst_colo_compare, GST_TYPE_AGGREGATOR);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colocompare, "colocompare",
    GST_RANK_NONE, GST_TYPE_COLO_COMPARE, colo_element_init (plugin));

/* --- the comparator's callbacks ---------------------------------------- */

static void
frame_release_cb (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  GstColoCompare *self = user_data;

  gst_colo_frames_release (&self->frames, handle, data, size);
}

static void
frame_drop_cb (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  GstColoCompare *self = user_data;

  gst_colo_frames_drop (&self->frames, handle, data, size);
}

static void
malformed_cb (ColoSide side, const char *error, gpointer user_data)
{
  GstColoCompare *self = user_data;
  guint64 n = ++self->malformed_seen;

  GST_DEBUG_OBJECT (self, "malformed %s frame: %s",
      colo_side_name (side), error);
  /* Warn on the 1st, 10th, 100th, ... so that garbage cannot flood the bus */
  while (n % 10 == 0)
    n /= 10;
  if (n == 1 && !self->malformed_warning)
    self->malformed_warning =
        g_strdup_printf ("%" G_GUINT64_FORMAT " malformed frame(s) so far; "
        "latest on %s: %s (forwarded uncompared from the primary, dropped "
        "from the secondary)", self->malformed_seen,
        colo_side_name (side), error);
}

static void
collect_frame (const ColoFrameInfo * f, gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, *f);
}

/* Writes the frames of a miscompare's connection to the next file of
 * divergence-location, if set and below max-divergence-files, and names
 * it in the message (lock held: the comparator is inside a call). */
static void
write_evidence (GstColoCompare * self, const ColoTrigger * t, GstStructure * s)
{
  GError *error = NULL;
  gchar *location, *path;
  guint max;
  GArray *frames;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->divergence_location);
  max = self->max_divergence_files;
  GST_OBJECT_UNLOCK (self);
  if (!location)
    return;
  if (self->divergence_files >= max) {
    GST_LOG_OBJECT (self, "max-divergence-files (%u) reached: no evidence "
        "file", max);
    g_free (location);
    return;
  }

  frames = g_array_new (FALSE, FALSE, sizeof (ColoFrameInfo));
  colo_comparator_foreach_on_conn (self->comp, &t->key,
      EVIDENCE_QUEUED_FRAMES, collect_frame, frames);
  path = colo_evidence_file_name (location, self->divergence_files);
  if (colo_evidence_write_pcap (path, (ColoFrameInfo *) frames->data,
          frames->len, &error)) {
    self->divergence_files++;
    GST_INFO_OBJECT (self, "wrote %u frame(s) of the miscompare to %s",
        frames->len, path);
    gst_structure_set (s, "divergence-file", G_TYPE_STRING, path, NULL);
  } else if (!self->evidence_warning) {
    self->evidence_warning = g_strdup (error->message);
  }
  g_clear_error (&error);
  g_array_unref (frames);
  g_free (path);
  g_free (location);
}

static void
request_checkpoint_cb (const ColoTrigger * t, gpointer user_data)
{
  GstColoCompare *self = user_data;
  gchar src[64], dst[64];
  GstStructure *s;

  colo_packet_addr_to_string (t->key.ip_version, t->key.src, src, sizeof (src));
  colo_packet_addr_to_string (t->key.ip_version, t->key.dst, dst, sizeof (dst));
  s = gst_structure_new ("colo-checkpoint",
      "reason", G_TYPE_STRING, colo_trigger_reason_to_string (t->reason),
      "running-time", G_TYPE_UINT64, t->time,
      "ip-version", G_TYPE_UINT, (guint) t->key.ip_version,
      "ip-protocol", G_TYPE_UINT, (guint) t->key.ip_proto,
      "src", G_TYPE_STRING, src, "dst", G_TYPE_STRING, dst,
      "src-port", G_TYPE_UINT, (guint) t->key.src_port,
      "dst-port", G_TYPE_UINT, (guint) t->key.dst_port,
      "side", G_TYPE_STRING, colo_side_name (t->side), NULL);
  if (t->has_offset)
    gst_structure_set (s, "offset", G_TYPE_UINT, t->offset, NULL);
  if (t->has_tcp_seq)
    gst_structure_set (s, "tcp-seq", G_TYPE_UINT, t->tcp_seq, NULL);
  if (t->has_offset) {
    gchar *p = colo_evidence_hex (t->excerpt[COLO_SIDE_PRIMARY],
        t->excerpt_len[COLO_SIDE_PRIMARY]);
    gchar *x = colo_evidence_hex (t->excerpt[COLO_SIDE_SECONDARY],
        t->excerpt_len[COLO_SIDE_SECONDARY]);

    gst_structure_set (s, "primary-excerpt", G_TYPE_STRING, p,
        "secondary-excerpt", G_TYPE_STRING, x,
        "excerpt-offset", G_TYPE_UINT, t->offset - t->excerpt_before, NULL);
    g_free (p);
    g_free (x);
  }
  if (t->reason == COLO_TRIGGER_MISCOMPARE)
    write_evidence (self, t, s);

  GST_INFO_OBJECT (self, "requesting checkpoint: %" GST_PTR_FORMAT, s);
  self->messages = g_list_append (self->messages,
      gst_message_new_element (GST_OBJECT (self), s));
}

/* The decision log: GST_DEBUG=colocompare:6 (LOG) */
static void
trace_cb (const ColoTraceEvent * ev, gpointer user_data)
{
  GstColoCompare *self = user_data;
  gchar src[64], dst[64], seq[48] = "";

  if (!ev->key) {
    GST_LOG_OBJECT (self, "%s frame %p (%" G_GSIZE_FORMAT " bytes): %s (%s)",
        colo_side_name (ev->side), ev->handle, ev->size,
        colo_decision_to_string (ev->decision), ev->why);
    return;
  }
  colo_packet_addr_to_string (ev->key->ip_version, ev->key->src, src,
      sizeof (src));
  colo_packet_addr_to_string (ev->key->ip_version, ev->key->dst, dst,
      sizeof (dst));
  if (ev->is_tcp)
    g_snprintf (seq, sizeof (seq), " seq %u+%u", ev->tcp_seq, ev->tcp_len);
  GST_LOG_OBJECT (self, "%s frame %p (%" G_GSIZE_FORMAT " bytes, proto %u "
      "%s:%u > %s:%u%s): %s (%s)", colo_side_name (ev->side), ev->handle,
      ev->size, ev->key->ip_proto, src, ev->key->src_port, dst,
      ev->key->dst_port, seq, colo_decision_to_string (ev->decision), ev->why);
}

static const ColoCompareOps compare_ops = {
  .release = frame_release_cb,
  .drop = frame_drop_cb,
  .malformed = malformed_cb,
  .request_checkpoint = request_checkpoint_cb,
  .trace = trace_cb,
};

/* --- helpers ------------------------------------------------------------ */

/* The running time on the pipeline clock, or GST_CLOCK_TIME_NONE while it
 * does not advance.  A pipeline going to PLAYING distributes its clock to
 * every element first, then queries the latency (which wakes the aggregate
 * thread), and sets each child's base time only right before that child's
 * own PAUSED→PLAYING: in between, the element has a clock but still its
 * old base time (0 the first time).  A frame consumed then would be
 * stamped with the absolute clock time and never become stale.  So the
 * clock counts only from our PAUSED→PLAYING on (the base time is set by
 * then) until PLAYING→PAUSED; before, aggregate () stamps frames with the
 * last running time seen (0 at start, like the pipeline's running time). */
static GstClockTime
running_time_now (GstColoCompare * self)
{
  GstClock *clock;
  GstClockTime now, base;

  if (!g_atomic_int_get (&self->clock_running))
    return GST_CLOCK_TIME_NONE;
  clock = gst_element_get_clock (GST_ELEMENT (self));
  if (!clock)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (GST_ELEMENT (self));
  gst_object_unref (clock);
  return now > base ? now - base : 0;
}

/* Copies the properties into the comparator (lock held). */
static void
sync_config (GstColoCompare * self)
{
  ColoCompareConfig config;

  colo_compare_config_init (&config);
  GST_OBJECT_LOCK (self);
  config.compare_timeout = self->compare_timeout * GST_MSECOND;
  config.scan_cycle = self->expired_scan_cycle * GST_MSECOND;
  config.max_queue_size = self->max_queue_size;
  config.auto_release = self->auto_release;
  config.idle_timeout = self->idle_timeout * GST_MSECOND;
  config.history = self->divergence_location ? HISTORY_FRAMES : 0;
  config.reassembly_max_bytes = self->reassembly_max_bytes;
  GST_OBJECT_UNLOCK (self);
  colo_comparator_set_config (self->comp, &config);
}

/* Hands changed passthrough rules to the comparator (lock held). */
static void
sync_passthrough (GstColoCompare * self)
{
  GError *error = NULL;
  gchar *rules = NULL;
  guint serial;

  g_atomic_int_set (&self->passthrough_pending, 0);
  GST_OBJECT_LOCK (self);
  serial = self->passthrough_serial;
  if (serial != self->passthrough_applied)
    rules = g_strdup (self->passthrough);
  GST_OBJECT_UNLOCK (self);
  if (serial == self->passthrough_applied)
    return;
  self->passthrough_applied = serial;
  GST_INFO_OBJECT (self, "passthrough rules: \"%s\"", rules ? rules : "");
  /* set_property () let only valid rules in */
  if (!colo_comparator_set_passthrough (self->comp, rules, &error)) {
    GST_ERROR_OBJECT (self, "%s", error->message);
    g_error_free (error);
  }
  g_free (rules);
}

/* Wakes the aggregate thread from an application thread: a serialized
 * custom event through our own sink pad makes the base class leave its
 * clock or condition wait (1.22 has no public call for it).
 *
 * Not from our own streaming thread (a synchronous bus handler for a
 * message posted in aggregate (), a probe on src): sending a serialized
 * event takes the sink pad's stream lock, which upstream holds while it
 * waits in chain for this very thread to take its buffer, so the event
 * would block for good.  No wake is needed there: aggregate () handles
 * flags raised during it before it returns, and after a serialized event
 * the base class asks get_next_time () (0 while a flag is set) before it
 * waits again. */
static void
wake_aggregator (GstColoCompare * self)
{
  GstAggregatorPad *pad = self->pads[COLO_SIDE_PRIMARY];

  if (g_atomic_pointer_get (&self->streaming_thread) ==
      (gpointer) g_thread_self ()) {
    GST_DEBUG_OBJECT (self, "on the streaming thread: no wake needed");
    return;
  }
  if (gst_aggregator_pad_is_eos (pad))
    pad = self->pads[COLO_SIDE_SECONDARY];
  gst_pad_send_event (GST_PAD (pad),
      gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
          gst_structure_new_empty (WAKE_EVENT_NAME)));
}

static void
gst_colo_compare_checkpoint_done (GstColoCompare * self)
{
  GST_DEBUG_OBJECT (self, "checkpoint-done");
  g_atomic_int_set (&self->checkpoint_done_pending, 1);
  wake_aggregator (self);
}

static void
gst_colo_compare_failover (GstColoCompare * self)
{
  GST_INFO_OBJECT (self, "failover: forwarding the primary uncompared");
  g_atomic_int_set (&self->failover_pending, 1);
  wake_aggregator (self);
}

static void
gst_colo_compare_resume (GstColoCompare * self)
{
  GST_INFO_OBJECT (self, "resume: comparing again");
  g_atomic_int_set (&self->resume_pending, 1);
  wake_aggregator (self);
}

static void
add_connection (const ColoConnStatus * st, gpointer user_data)
{
  GstColoCompare *self = ((gpointer *) user_data)[0];
  GValue *list = ((gpointer *) user_data)[1];
  GValue v = G_VALUE_INIT;
  gchar src[64], dst[64];
  GstStructure *s;
  guint side;

  colo_packet_addr_to_string (st->key->ip_version, st->key->src, src,
      sizeof (src));
  colo_packet_addr_to_string (st->key->ip_version, st->key->dst, dst,
      sizeof (dst));
  s = gst_structure_new ("connection",
      "ip-version", G_TYPE_UINT, (guint) st->key->ip_version,
      "ip-protocol", G_TYPE_UINT, (guint) st->key->ip_proto,
      "src", G_TYPE_STRING, src, "dst", G_TYPE_STRING, dst,
      "src-port", G_TYPE_UINT, (guint) st->key->src_port,
      "dst-port", G_TYPE_UINT, (guint) st->key->dst_port,
      "queued-primary", G_TYPE_UINT, st->queued[COLO_SIDE_PRIMARY],
      "queued-secondary", G_TYPE_UINT, st->queued[COLO_SIDE_SECONDARY],
      "idle", G_TYPE_UINT64, self->last_now > st->last_seen ?
      self->last_now - st->last_seen : 0,
      "diverged", G_TYPE_BOOLEAN, st->diverged, NULL);
  if (st->key->n_vlan > 0)
    gst_structure_set (s, "vlan", G_TYPE_UINT, (guint) st->key->vlan_id[0],
        NULL);
  if (st->key->fragment)
    gst_structure_set (s, "fragments", G_TYPE_BOOLEAN, TRUE, NULL);
  for (side = 0; side < COLO_N_SIDES; side++) {
    gchar *field;

    if (st->oldest[side] == G_MAXUINT64)
      continue;
    field = g_strdup_printf ("%s-age", colo_side_name (side));
    gst_structure_set (s, field, G_TYPE_UINT64,
        self->last_now > st->oldest[side] ?
        self->last_now - st->oldest[side] : 0, NULL);
    g_free (field);
  }
  if (st->is_tcp) {
    gst_structure_set (s, "tcp-ended", G_TYPE_BOOLEAN, st->ended, NULL);
    if (st->tcp_position_valid)
      gst_structure_set (s, "tcp-position", G_TYPE_UINT, st->tcp_position,
          NULL);
  }
  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, s);
  gst_value_array_append_and_take_value (list, &v);
}

static GstStructure *
gst_colo_compare_get_connections (GstColoCompare * self)
{
  GValue list = G_VALUE_INIT;
  gpointer walk[2] = { self, &list };
  GstStructure *s;

  g_value_init (&list, GST_TYPE_ARRAY);
  g_mutex_lock (&self->lock);
  colo_comparator_foreach_conn (self->comp, add_connection, walk);
  s = gst_structure_new ("colo-connections",
      "running-time", G_TYPE_UINT64, (guint64) self->last_now,
      "mode", G_TYPE_STRING,
      colo_comparator_is_failover (self->comp) ? "failover" : "compare", NULL);
  g_mutex_unlock (&self->lock);
  gst_structure_take_value (s, "connections", &list);
  return s;
}

static GstStructure *
stats_to_structure (const ColoStats * st, const GstColoFrames * f)
{
  return gst_structure_new ("colocompare-stats",
      "primary-packets", G_TYPE_UINT64, st->primary_packets,
      "secondary-packets", G_TYPE_UINT64, st->secondary_packets,
      "released", G_TYPE_UINT64, st->released,
      "passed-through", G_TYPE_UINT64, st->passed_through,
      "passthrough-primary", G_TYPE_UINT64,
      st->passthrough[COLO_SIDE_PRIMARY],
      "passthrough-secondary", G_TYPE_UINT64,
      st->passthrough[COLO_SIDE_SECONDARY],
      "flushed", G_TYPE_UINT64, st->flushed,
      "secondary-dropped", G_TYPE_UINT64, st->secondary_dropped,
      "dropped", G_TYPE_UINT64, st->dropped,
      "malformed", G_TYPE_UINT64, st->malformed,
      "miscompares", G_TYPE_UINT64, st->miscompares,
      "stale", G_TYPE_UINT64, st->stale,
      "queue-full", G_TYPE_UINT64, st->queue_full,
      "checkpoints-requested", G_TYPE_UINT64, st->checkpoints_requested,
      "requests-miscompare", G_TYPE_UINT64,
      st->requests[COLO_TRIGGER_MISCOMPARE],
      "requests-stale", G_TYPE_UINT64, st->requests[COLO_TRIGGER_STALE],
      "requests-queue-full", G_TYPE_UINT64,
      st->requests[COLO_TRIGGER_QUEUE_FULL],
      "resumes", G_TYPE_UINT64, st->resumes,
      "time-compare", G_TYPE_UINT64, st->time_compare,
      "time-failover", G_TYPE_UINT64, st->time_failover,
      "connections", G_TYPE_UINT64, st->connections,
      "evicted", G_TYPE_UINT64, st->evicted,
      "closed", G_TYPE_UINT64, st->closed,
      "queued-primary", G_TYPE_UINT64, st->queued_primary,
      "queued-secondary", G_TYPE_UINT64, st->queued_secondary,
      "fragments", G_TYPE_UINT64, st->fragments,
      "reassembled", G_TYPE_UINT64, st->reassembled,
      "reassembly-failed", G_TYPE_UINT64, st->reassembly_failed,
      "fragment-overlaps", G_TYPE_UINT64, st->fragment_overlaps,
      "empty-records", G_TYPE_UINT64, f->empty_records,
      "compactions", G_TYPE_UINT64, f->compactions,
      "pinned-bytes", G_TYPE_UINT64, (guint64) f->pinned, NULL);
}

/* Throws away everything queued (flush, stop); warns when primary frames
 * are lost that way. */
static void
discard_queued (GstColoCompare * self, const gchar * why)
{
  guint64 lost;

  g_mutex_lock (&self->lock);
  lost = colo_comparator_discard (self->comp);
  g_mutex_unlock (&self->lock);
  if (lost > 0)
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        (_("Queued primary frames were discarded.")),
        ("%" G_GUINT64_FORMAT " queued primary frame(s) discarded by %s",
            lost, why));
}

/* --- GstAggregator ------------------------------------------------------ */

/* Hands buf (taken) to the comparator; FALSE after posting an error for a
 * records buffer that does not hold whole valid records. */
static gboolean
push_buffer (GstColoCompare * self, ColoSide side, GstBuffer * buf,
    GstClockTime now)
{
  gsize bad_offset = 0;

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)
      && gst_buffer_get_size (buf) == 0) {
    gst_buffer_unref (buf);     /* a GAP event turned into a buffer */
    return TRUE;
  }
  if (gst_colo_frames_push (&self->frames, self->comp, side, buf,
          &self->in_caps[side], now, &bad_offset))
    return TRUE;
  GST_ELEMENT_ERROR (self, STREAM, DECODE,
      (_("Received a buffer that does not hold whole COLO records.")),
      ("%s buffer: no valid whole record at byte %" G_GSIZE_FORMAT
          " (records caps promise whole records: is the upstream element "
          "colodepay?)", colo_side_name (side), bad_offset));
  return FALSE;
}

/* What one aggregation takes from a pad at most: while upstream keeps
 * refilling the pads, a pass that emptied them would never end, and its
 * released batch (and memory) would grow with the load.  What is left is
 * taken by the next pass at once (get_next_time sees a buffer). */
#define MAX_BYTES_PER_PASS (4 * 1024 * 1024)

/* Hands the buffers waiting on side's pad to the comparator, up to
 * MAX_BYTES_PER_PASS; FALSE after a stream error. */
static gboolean
take_side (GstColoCompare * self, ColoSide side, GstClockTime now)
{
  gsize taken = 0;
  GstBuffer *buf;

  while (taken < MAX_BYTES_PER_PASS
      && (buf = gst_aggregator_pad_pop_buffer (self->pads[side]))) {
    taken += gst_buffer_get_size (buf);
    if (!push_buffer (self, side, buf, now))
      return FALSE;
  }
  return TRUE;
}

/* Sets fixed src caps for the frames about to go out. */
static void
set_src_caps (GstColoCompare * self, const GstColoCapsInfo * info)
{
  GstCaps *caps = info->format == GST_COLO_FORMAT_RECORDS ?
      gst_colo_caps_new_records (info->vnet_hdr) :
      gst_colo_caps_new_frames (info->vnet_hdr_len);

  GST_DEBUG_OBJECT (self, "src caps %" GST_PTR_FORMAT, caps);
  gst_aggregator_set_src_caps (GST_AGGREGATOR (self), caps);
  gst_caps_unref (caps);
  self->src_caps = *info;
  self->src_caps_set = TRUE;
}

/* With an async sink downstream and nothing released yet, a pipeline would
 * never preroll: announce the stream and a gap once at start. */
static void
start_src (GstColoCompare * self)
{
  GstAggregator *agg = GST_AGGREGATOR (self);
  GstSegment segment;

  self->src_started = TRUE;
  /* set_src_caps pushes stream-start and caps at once */
  if (!self->src_caps_set)
    set_src_caps (self, &self->in_caps[COLO_SIDE_PRIMARY]);
  GST_OBJECT_LOCK (self);
  segment = GST_AGGREGATOR_PAD (agg->srcpad)->segment;
  GST_OBJECT_UNLOCK (self);
  if (segment.format != GST_FORMAT_TIME)
    gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (agg->srcpad, gst_event_new_segment (&segment));
  gst_pad_push_event (agg->srcpad, gst_event_new_gap (segment.start,
          GST_CLOCK_TIME_NONE));
}

/* One pass of aggregate (): the pending action, every queued frame, the
 * stale check; then posts what it found and pushes what it released.
 * *eos: both sink pads are EOS (everything was drained). */
static GstFlowReturn
aggregate_once (GstColoCompare * self, gboolean * eos_out)
{
  GstAggregator *agg = GST_AGGREGATOR (self);
  GstClockTime now = running_time_now (self), t, deadline;
  GPtrArray *out;
  GList *messages, *l;
  gchar *warning, *evidence_warning;
  gboolean eos, ok = TRUE;
  GstFlowReturn ret = GST_FLOW_OK;
  guint i;

  g_mutex_lock (&self->lock);
  sync_config (self);
  sync_passthrough (self);
  colo_comparator_set_trace (self->comp,
      gst_debug_category_get_threshold (GST_CAT_DEFAULT) >= GST_LEVEL_LOG);
  if (GST_CLOCK_TIME_IS_VALID (now))
    self->last_now = now;
  t = self->last_now;

  if (g_atomic_int_compare_and_exchange (&self->checkpoint_done_pending, 1, 0))
    colo_comparator_checkpoint_done (self->comp, t);
  if (g_atomic_int_compare_and_exchange (&self->failover_pending, 1, 0))
    colo_comparator_failover (self->comp, t);
  if (g_atomic_int_compare_and_exchange (&self->resume_pending, 1, 0))
    colo_comparator_resume (self->comp, t);

  /* One batch: every primary frame taken before any secondary one, so a
   * queue is judged full only once both sides' are in. */
  colo_comparator_begin_batch (self->comp);
  ok = take_side (self, COLO_SIDE_PRIMARY, t)
      && take_side (self, COLO_SIDE_SECONDARY, t);
  colo_comparator_end_batch (self->comp);

  if (GST_CLOCK_TIME_IS_VALID (now))
    colo_comparator_check_stale (self->comp, now);

  eos = gst_aggregator_pad_is_eos (self->pads[COLO_SIDE_PRIMARY])
      && gst_aggregator_pad_is_eos (self->pads[COLO_SIDE_SECONDARY]);
  if (eos)
    colo_comparator_checkpoint_done (self->comp, t);    /* drain */

  deadline = colo_comparator_next_scan_time (self->comp, t);
  if (deadline == G_MAXUINT64)
    deadline = GST_CLOCK_TIME_NONE;
  gst_colo_frames_compact (&self->frames, self->comp);
  out = gst_colo_frames_take_output (&self->frames);
  messages = self->messages;
  self->messages = NULL;
  warning = self->malformed_warning;
  self->malformed_warning = NULL;
  evidence_warning = self->evidence_warning;
  self->evidence_warning = NULL;
  g_mutex_unlock (&self->lock);

  if (GST_CLOCK_TIME_IS_VALID (deadline) && GST_CLOCK_TIME_IS_VALID
      (self->latency))
    deadline = deadline > self->latency ? deadline - self->latency : 0;
  GST_OBJECT_LOCK (self);
  self->next_deadline = deadline;
  GST_OBJECT_UNLOCK (self);

  if (warning) {
    GST_ELEMENT_WARNING (self, STREAM, DECODE,
        (_("Malformed frames were not compared.")), ("%s", warning));
    g_free (warning);
  }
  if (evidence_warning) {
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
        (_("Could not write divergence evidence.")), ("%s", evidence_warning));
    g_free (evidence_warning);
  }
  for (l = messages; l; l = l->next)
    gst_element_post_message (GST_ELEMENT (self), l->data);
  g_list_free (messages);

  if (!self->src_started)
    start_src (self);

  if (out && out->len > 0) {
    GstBufferList *list = ((GstColoOutBatch *) g_ptr_array_index (out,
            out->len - 1))->buffers;
    GstBuffer *last = gst_buffer_list_get (list,
        gst_buffer_list_length (list) - 1);

    gst_aggregator_selected_samples (agg, GST_BUFFER_PTS (last),
        GST_BUFFER_DTS (last), GST_BUFFER_DURATION (last), NULL);
  } else {
    gst_aggregator_selected_samples (agg, GST_CLOCK_TIME_NONE,
        GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, NULL);
  }
  for (i = 0; out && i < out->len && ret == GST_FLOW_OK; i++) {
    GstColoOutBatch *b = g_ptr_array_index (out, i);

    if (!self->src_caps_set || memcmp (&b->caps, &self->src_caps,
            sizeof (b->caps)) != 0)
      set_src_caps (self, &b->caps);
    GST_LOG_OBJECT (self, "releasing %u buffer(s)",
        gst_buffer_list_length (b->buffers));
    ret = gst_aggregator_finish_buffer_list (agg, g_steal_pointer
        (&b->buffers));
  }
  if (out)
    g_ptr_array_unref (out);
  if (!ok)
    ret = GST_FLOW_ERROR;

  *eos_out = eos;
  return ret;
}

static gboolean
action_pending (GstColoCompare * self)
{
  return g_atomic_int_get (&self->checkpoint_done_pending)
      || g_atomic_int_get (&self->failover_pending)
      || g_atomic_int_get (&self->resume_pending)
      || g_atomic_int_get (&self->passthrough_pending);
}

static GstFlowReturn
gst_colo_compare_aggregate (GstAggregator * agg, gboolean timeout)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);
  GstFlowReturn ret;
  gboolean eos;

  self->latency = gst_aggregator_get_latency (agg);
  g_atomic_pointer_set (&self->streaming_thread, g_thread_self ());
  /* An action emitted on this thread during a pass (a synchronous bus
   * handler, a probe on src) did not wake us (see wake_aggregator ()):
   * take it now rather than at the next wake-up, which may be far (no
   * clock before PLAYING). */
  do {
    ret = aggregate_once (self, &eos);
  } while (ret == GST_FLOW_OK && !eos && action_pending (self));
  g_atomic_pointer_set (&self->streaming_thread, NULL);

  if (ret == GST_FLOW_OK && eos)
    ret = GST_FLOW_EOS;
  return ret;
}

static GstClockTime
gst_colo_compare_get_next_time (GstAggregator * agg)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);
  GstClockTime t;

  /* Anything to consume: aggregate at once, whatever the other pad does. */
  if (action_pending (self)
      || gst_aggregator_pad_has_buffer (self->pads[COLO_SIDE_PRIMARY])
      || gst_aggregator_pad_has_buffer (self->pads[COLO_SIDE_SECONDARY]))
    return 0;

  /* Not PLAYING: no stale scan (the base class would wait against a stale
   * base time, or spin).  Called with the base class's SRC_LOCK held, and
   * change_state () sets clock_running before the base class broadcasts
   * under that lock on PAUSED→PLAYING, so that wake-up cannot be lost. */
  if (!g_atomic_int_get (&self->clock_running))
    return GST_CLOCK_TIME_NONE;

  GST_OBJECT_LOCK (self);
  t = self->next_deadline;
  GST_OBJECT_UNLOCK (self);
  return t;
}

static gboolean
handle_sink_event (GstAggregator * agg, GstAggregatorPad * pad,
    GstEvent * event)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);
  ColoSide side = pad == self->pads[COLO_SIDE_PRIMARY] ? COLO_SIDE_PRIMARY :
      COLO_SIDE_SECONDARY;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CUSTOM_DOWNSTREAM:
      if (gst_event_has_name (event, WAKE_EVENT_NAME)) {
        gst_event_unref (event);
        return TRUE;
      }
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      GstColoCapsInfo info;
      gboolean ok;

      gst_event_parse_caps (event, &caps);
      ok = gst_colo_caps_parse (caps, &info);
      /* Frames keep the format they arrive with; src caps follow the
       * released frames (see GstColoOutBatch). */
      if (ok)
        self->in_caps[side] = info;
      GST_DEBUG_OBJECT (pad, "caps %" GST_PTR_FORMAT "%s", caps,
          ok ? "" : ": refused");
      gst_event_unref (event);
      return ok;
    }
    case GST_EVENT_SEGMENT:{
      gboolean ret;

      if (side == COLO_SIDE_PRIMARY) {
        const GstSegment *segment;

        gst_event_parse_segment (event, &segment);
        if (segment->format == GST_FORMAT_TIME)
          gst_aggregator_update_segment (agg, segment);
      }
      ret = GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);
      if (!self->src_started)
        start_src (self);
      return ret;
    }
    case GST_EVENT_STREAM_START:{
      gboolean ret;

      ret = GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);
      /* Serialized events are handled on the src thread.  Without a live
       * upstream the base class does not aggregate before PLAYING (no
       * clock yet) and a non-live source may send nothing but
       * stream-start until its first frame: announce the stream now, so
       * that async sinks preroll even when the first frames stay queued. */
      if (!self->src_started)
        start_src (self);
      return ret;
    }
    case GST_EVENT_FLUSH_STOP:
      /* The base class calls flush () only for a flushing seek through
       * the element; an upstream flush must free what is queued too. */
      discard_queued (self, "a flush");
      break;
    default:
      break;
  }
  return GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);
}

static gboolean
gst_colo_compare_sink_event (GstAggregator * agg, GstAggregatorPad * pad,
    GstEvent * event)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);
  /* The base class queues serialized events (but flush-stop) and hands
   * them to us on the src task; what we push from there (start_src ())
   * reaches src probes on that thread (see wake_aggregator ()). */
  gboolean on_src_task = GST_EVENT_IS_SERIALIZED (event)
      && GST_EVENT_TYPE (event) != GST_EVENT_FLUSH_STOP;
  gboolean ret;

  if (on_src_task)
    g_atomic_pointer_set (&self->streaming_thread, g_thread_self ());
  ret = handle_sink_event (agg, pad, event);
  if (on_src_task)
    g_atomic_pointer_set (&self->streaming_thread, NULL);
  return ret;
}

static gboolean
gst_colo_compare_start (GstAggregator * agg)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);
  gboolean start_in_failover;

  g_mutex_lock (&self->lock);
  colo_comparator_free (self->comp);
  self->comp = colo_comparator_new (&compare_ops, self);
  self->malformed_seen = 0;
  self->last_now = 0;
  self->passthrough_applied = 0;
  self->divergence_files = 0;
  sync_passthrough (self);      /* the new comparator has no rule yet */
  GST_OBJECT_LOCK (self);
  start_in_failover = self->start_in_failover;
  GST_OBJECT_UNLOCK (self);
  if (start_in_failover) {
    GST_INFO_OBJECT (self, "starting in failover: the primary alone");
    colo_comparator_failover (self->comp, 0);
  }
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->checkpoint_done_pending, 0);
  g_atomic_int_set (&self->failover_pending, 0);
  g_atomic_int_set (&self->resume_pending, 0);
  self->next_deadline = GST_CLOCK_TIME_NONE;
  self->src_started = FALSE;
  self->src_caps_set = FALSE;
  gst_colo_caps_parse (NULL, &self->in_caps[COLO_SIDE_PRIMARY]);
  gst_colo_caps_parse (NULL, &self->in_caps[COLO_SIDE_SECONDARY]);
  return TRUE;
}

static gboolean
gst_colo_compare_stop (GstAggregator * agg)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);

  discard_queued (self, "stopping");
  g_mutex_lock (&self->lock);
  gst_colo_frames_clear (&self->frames);
  g_list_free_full (self->messages, (GDestroyNotify) gst_message_unref);
  self->messages = NULL;
  g_clear_pointer (&self->malformed_warning, g_free);
  g_clear_pointer (&self->evidence_warning, g_free);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static GstFlowReturn
gst_colo_compare_flush (GstAggregator * agg)
{
  GstColoCompare *self = GST_COLO_COMPARE (agg);

  discard_queued (self, "a flush");
  GST_OBJECT_LOCK (self);
  self->next_deadline = GST_CLOCK_TIME_NONE;
  GST_OBJECT_UNLOCK (self);
  self->src_started = FALSE;
  return GST_FLOW_OK;
}

/* --- GstElement / GObject ----------------------------------------------- */

static GstStateChangeReturn
gst_colo_compare_change_state (GstElement * element, GstStateChange transition)
{
  GstColoCompare *self = GST_COLO_COMPARE (element);

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      /* The bin has set our base time by now.  Set before chaining up:
       * the base class then wakes the aggregate thread (under its
       * SRC_LOCK), which re-reads get_next_time (). */
      g_atomic_int_set (&self->clock_running, 1);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:{
      /* Running time stops here: frames consumed while PAUSED are stamped
       * with it.  The base class wakes the aggregate thread after chaining
       * up. */
      GstClockTime now = running_time_now (self);

      g_mutex_lock (&self->lock);
      if (GST_CLOCK_TIME_IS_VALID (now) && now > self->last_now)
        self->last_now = now;
      g_mutex_unlock (&self->lock);
      g_atomic_int_set (&self->clock_running, 0);
      break;
    }
    default:
      break;
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

static gboolean
gst_colo_compare_send_event (GstElement * element, GstEvent * event)
{
  /* force-live makes the element look like a source, so an application's
   * EOS would reach it directly and end the stream with frames still
   * queued.  EOS reaches it through its sink pads instead. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    GST_DEBUG_OBJECT (element, "EOS arrives through the sink pads");
    gst_event_unref (event);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
}

/* Takes new passthrough rules if they are valid; warns and keeps the old
 * ones otherwise.  A change while running is applied by the next pass,
 * woken at once so that what the newly passed flows hold goes out. */
static void
set_passthrough (GstColoCompare * self, const gchar * rules)
{
  GError *error = NULL;
  ColoPassthrough *pt = colo_passthrough_parse (rules, &error);

  if (!pt) {
    g_warning ("%s: %s; keeping the previous rules", GST_OBJECT_NAME (self),
        error->message);
    g_error_free (error);
    return;
  }
  colo_passthrough_free (pt);
  GST_OBJECT_LOCK (self);
  g_free (self->passthrough);
  self->passthrough = g_strdup (rules ? rules : "");
  self->passthrough_serial++;
  if (self->passthrough_serial == 0)    /* 0: "nothing applied yet" */
    self->passthrough_serial = 1;
  GST_OBJECT_UNLOCK (self);
  g_atomic_int_set (&self->passthrough_pending, 1);
  if (GST_STATE (self) >= GST_STATE_PAUSED)
    wake_aggregator (self);
}

/* Takes a file name template if it is valid (NULL or "": no evidence
 * files); warns and keeps the old one otherwise. */
static void
set_divergence_location (GstColoCompare * self, const gchar * location)
{
  GError *error = NULL;

  if (location && *location && !colo_evidence_template_valid (location, &error)) {
    g_warning ("%s: %s; keeping the previous divergence-location",
        GST_OBJECT_NAME (self), error->message);
    g_error_free (error);
    return;
  }
  GST_OBJECT_LOCK (self);
  g_free (self->divergence_location);
  self->divergence_location = location && *location ? g_strdup (location) :
      NULL;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_colo_compare_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstColoCompare *self = GST_COLO_COMPARE (object);

  if (prop_id == PROP_PASSTHROUGH) {
    set_passthrough (self, g_value_get_string (value));
    return;
  }
  if (prop_id == PROP_DIVERGENCE_LOCATION) {
    set_divergence_location (self, g_value_get_string (value));
    return;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_COMPARE_TIMEOUT:
      self->compare_timeout = g_value_get_uint (value);
      break;
    case PROP_EXPIRED_SCAN_CYCLE:
      self->expired_scan_cycle = g_value_get_uint (value);
      break;
    case PROP_MAX_QUEUE_SIZE:
      self->max_queue_size = g_value_get_uint (value);
      break;
    case PROP_AUTO_RELEASE:
      self->auto_release = g_value_get_boolean (value);
      break;
    case PROP_IDLE_TIMEOUT:
      self->idle_timeout = g_value_get_uint (value);
      break;
    case PROP_MAX_DIVERGENCE_FILES:
      self->max_divergence_files = g_value_get_uint (value);
      break;
    case PROP_START_IN_FAILOVER:
      self->start_in_failover = g_value_get_boolean (value);
      break;
    case PROP_REASSEMBLY_MAX_BYTES:
      self->reassembly_max_bytes = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_colo_compare_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstColoCompare *self = GST_COLO_COMPARE (object);

  switch (prop_id) {
    case PROP_COMPARE_TIMEOUT:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->compare_timeout);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_EXPIRED_SCAN_CYCLE:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->expired_scan_cycle);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_QUEUE_SIZE:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->max_queue_size);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_AUTO_RELEASE:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->auto_release);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_IDLE_TIMEOUT:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->idle_timeout);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PASSTHROUGH:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->passthrough);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_DIVERGENCE_LOCATION:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->divergence_location);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_DIVERGENCE_FILES:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->max_divergence_files);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_START_IN_FAILOVER:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->start_in_failover);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_REASSEMBLY_MAX_BYTES:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->reassembly_max_bytes);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STATS:{
      GstStructure *st;
      ColoStats cs;

      g_mutex_lock (&self->lock);
      colo_comparator_get_stats (self->comp, &cs);
      st = stats_to_structure (&cs, &self->frames);
      gst_structure_set (st, "divergence-files", G_TYPE_UINT64,
          (guint64) self->divergence_files, "mode", G_TYPE_STRING,
          colo_comparator_is_failover (self->comp) ? "failover" : "compare",
          NULL);
      g_mutex_unlock (&self->lock);
      g_value_take_boxed (value, st);
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_colo_compare_finalize (GObject * object)
{
  GstColoCompare *self = GST_COLO_COMPARE (object);

  colo_comparator_free (self->comp);
  gst_colo_frames_clear (&self->frames);
  g_free (self->passthrough);
  g_free (self->divergence_location);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_colo_compare_class_init (GstColoCompareClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_colo_compare_debug, "colocompare", 0,
      "COLO primary/secondary output comparison");

  gobject_class->set_property = gst_colo_compare_set_property;
  gobject_class->get_property = gst_colo_compare_get_property;
  gobject_class->finalize = gst_colo_compare_finalize;

  /**
   * GstColoCompare:compare-timeout:
   *
   * Age in ms, on the pipeline clock, after which a queued frame on either
   * side causes a `stale` checkpoint request.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_COMPARE_TIMEOUT,
      g_param_spec_uint ("compare-timeout", "Compare timeout",
          "Age (ms) after which a queued frame causes a checkpoint request",
          1, G_MAXUINT, DEFAULT_COMPARE_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:expired-scan-cycle:
   *
   * Period in ms of the stale check.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_EXPIRED_SCAN_CYCLE,
      g_param_spec_uint ("expired-scan-cycle", "Expired scan cycle",
          "Period (ms) of the check for stale frames",
          1, G_MAXUINT, DEFAULT_EXPIRED_SCAN_CYCLE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:max-queue-size:
   *
   * Frames per connection and side; a queue reaching it causes a
   * `queue-full` checkpoint request.  Frames are never dropped for it.
   * It is judged at the end of each pass over both pads: a queue that the
   * other side's frames, already waiting, bring back below it asks for
   * nothing.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_QUEUE_SIZE,
      g_param_spec_uint ("max-queue-size", "Max queue size",
          "Frames per connection and side before a queue-full request",
          1, G_MAXUINT, DEFAULT_MAX_QUEUE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:auto-release:
   *
   * Act as if the application answered every checkpoint request with
   * #GstColoCompare::checkpoint-done right after it was posted (for
   * pipelines without an application, such as gst-launch-1.0).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_AUTO_RELEASE,
      g_param_spec_boolean ("auto-release", "Auto release",
          "Answer every checkpoint request with checkpoint-done at once",
          DEFAULT_AUTO_RELEASE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:idle-timeout:
   *
   * A connection with nothing queued that has seen no frame for this many
   * ms is forgotten, so that the connection table stays as small as the
   * set of active flows; 0 keeps every connection forever (as QEMU does,
   * until its table reaches 16384 entries and is wiped).  The default is
   * above TCP's largest retransmission timeout.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_IDLE_TIMEOUT,
      g_param_spec_uint ("idle-timeout", "Idle timeout",
          "Time (ms) after which an idle connection with nothing queued is "
          "forgotten (0: never)", 0, G_MAXUINT, DEFAULT_IDLE_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:passthrough:
   *
   * Flows whose output is never the same on both replicas (a remote
   * desktop, a protocol that embeds the time or random nonces): they are
   * forwarded from the primary uncompared and dropped from the secondary,
   * counted in `passthrough-primary` and `passthrough-secondary` (and in
   * `passed-through` and `secondary-dropped`).  A comma-separated list of
   * rules `PROTO[:PORTS[:PORTS]]`: PROTO is `tcp`, `udp`, `sctp`,
   * `udplite`, `icmp`, `icmpv6`, a protocol number or `*` (every IP
   * protocol); PORTS is a port, a range `LOW-HIGH` or `*`.  `PROTO` alone
   * matches every flow of the protocol, `PROTO:P` a flow with a port in P
   * at either end, `PROTO:S:D` a flow from a port in S to a port in D in
   * the direction the guests send.  Example:
   * `tcp:3389,udp:*:5353,icmp`.  May change while PLAYING: what a newly
   * matching flow holds then goes out (primary) or is dropped (secondary)
   * at once; a flow whose rule goes away is compared again from its next
   * frames.  Invalid rules are refused with a warning, keeping the
   * previous ones.  A fragmented datagram is judged by its ports once
   * reassembled; fragments compared one by one (a datagram given up) carry
   * no ports, so only rules without ports match them.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_PASSTHROUGH,
      g_param_spec_string ("passthrough", "Passthrough rules",
          "Flows forwarded from the primary uncompared and dropped from the "
          "secondary: comma-separated PROTO[:PORTS[:PORTS]], e.g. "
          "\"tcp:3389,udp:*:5353,icmp\" (see the element documentation)",
          "", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:divergence-location:
   *
   * Where to write the evidence of each miscompare: a file name template
   * with one integer conversion for the file's number, counted from 0
   * (e.g. `div-%05d.pcap`).  Each file is a classic pcap (Ethernet) of
   * the connection's frames: the primary's first, then the secondary's,
   * each side oldest first, with up to 8 frames per side that went out
   * just before (already compared) and up to 16 still queued (the ones
   * that diverged among them); timestamps are the frames' arrival running
   * times.  The `colo-checkpoint` message names the file in
   * `divergence-file`.  NULL or "": no files.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_DIVERGENCE_LOCATION,
      g_param_spec_string ("divergence-location", "Divergence location",
          "File name template (one integer conversion, e.g. div-%05d.pcap) "
          "for a pcap of the frames of each miscompare (NULL: none)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:max-divergence-files:
   *
   * At most this many files are written through
   * #GstColoCompare:divergence-location while the element runs (counted
   * from its start); later miscompares write none.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_MAX_DIVERGENCE_FILES,
      g_param_spec_uint ("max-divergence-files", "Max divergence files",
          "Bound on the files written through divergence-location", 0,
          G_MAXUINT, DEFAULT_MAX_DIVERGENCE_FILES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:start-in-failover:
   *
   * Begin each run (READY→PAUSED) in failover, as for a primary that runs
   * alone before its first secondary is synchronised: frames from
   * `primary` go out uncompared and frames from `secondary` are dropped
   * until #GstColoCompare::resume.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_START_IN_FAILOVER,
      g_param_spec_boolean ("start-in-failover", "Start in failover",
          "Begin in failover (the primary alone, forwarded uncompared) "
          "until the resume signal", FALSE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstColoCompare:reassembly-max-bytes:
   *
   * IP fragments are reassembled for comparison, so that replicas that
   * fragment differently still match: at most this many bytes per side
   * are held in datagrams not complete yet (the oldest is given up beyond
   * it, and compared fragment by fragment).  0 compares every fragment
   * on its own, as QEMU does.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_REASSEMBLY_MAX_BYTES,
      g_param_spec_uint ("reassembly-max-bytes", "Reassembly max bytes",
          "Bytes per side held for IP fragment reassembly (0: fragments "
          "compared one by one)", 0, G_MAXUINT,
          COLO_DEFAULT_REASSEMBLY_MAX_BYTES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstColoCompare:stats:
   *
   * Counters (all #guint64): `primary-packets`, `secondary-packets`,
   * `released` (primary frames released after comparison), `passed-through`
   * (primary frames forwarded uncompared: non-IP, malformed, passthrough
   * flows, after failover), `passthrough-primary` and
   * `passthrough-secondary` (frames of #GstColoCompare:passthrough flows), `flushed` (primary frames released by checkpoint-done,
   * failover or the final drain), `secondary-dropped` (secondary frames
   * discarded unmatched), `dropped` (frames discarded by a flush or a
   * state change to READY), `malformed`, `miscompares`, `stale`,
   * `queue-full`, `checkpoints-requested` (messages posted), `connections`
   * (tracked now), `evicted` (idle connections forgotten), `closed` (ended TCP
   * connections forgotten after their linger), `queued-primary`,
   * `queued-secondary` (fragments held for reassembly included); IP
   * fragments: `fragments` (fragment frames taken in), `reassembled`
   * (datagrams reassembled for comparison), `reassembly-failed` (datagrams
   * given up, their fragments compared one by one: timeout, memory bound,
   * impossible or overlapping fragments), `fragment-overlaps` (of those, for
   * overlapping fragments); with records input, `empty-records` (zero-length
   * records skipped), `compactions` (held frames copied out of mostly
   * released input buffers) and `pinned-bytes` (input buffers kept alive by
   * held frames); `divergence-files` (evidence files written through
   * #GstColoCompare:divergence-location).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters (guint64): "
          "primary-packets, secondary-packets: frames received on each pad; "
          "released: primary frames released by comparison (matched, or "
          "nothing to compare: a pure TCP ACK, a retransmission); "
          "passed-through: primary frames forwarded uncompared (not IP, "
          "malformed, a passthrough flow, or in failover); "
          "passthrough-primary, passthrough-secondary: frames of the flows "
          "the passthrough rules name (forwarded, dropped); "
          "flushed: primary frames released uncompared by checkpoint-done, "
          "failover or the drain (end of stream); "
          "secondary-dropped: secondary frames discarded without a match "
          "(by checkpoint-done, failover or the drain, or not compared); "
          "dropped: frames of either pad discarded by a flush or a change to "
          "READY; "
          "malformed: frames that failed to parse; "
          "miscompares, stale, queue-full: divergences, frames older than "
          "compare-timeout and full queues found (the reasons of the "
          "requests; several may make one request); "
          "checkpoints-requested: colo-checkpoint messages posted; "
          "requests-miscompare, requests-stale, requests-queue-full: those "
          "messages by the reason they give; "
          "resumes: times comparison resumed after failover; "
          "time-compare, time-failover: running time (ns) spent comparing "
          "and in failover; "
          "divergence-files: pcap files written through "
          "divergence-location; "
          "connections: connections tracked now; "
          "evicted: idle connections forgotten (idle-timeout); "
          "closed: ended TCP connections forgotten after their linger; "
          "queued-primary, queued-secondary: frames queued now (fragments "
          "held for reassembly included); "
          "fragments: IP fragments received; reassembled: datagrams "
          "reassembled for comparison; reassembly-failed: datagrams given "
          "up (timeout, memory bound, overlap), their fragments compared one "
          "by one; fragment-overlaps: of those, datagrams with overlapping "
          "fragments; "
          "with records input: empty-records: zero-length records skipped; "
          "compactions: held frames copied out of mostly released input "
          "buffers; pinned-bytes: bytes of input buffers kept alive by held "
          "frames; and mode (a string): compare or failover",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstColoCompare::checkpoint-done:
   *
   * The checkpoint is done: release every queued primary frame and drop
   * every queued secondary frame.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CHECKPOINT_DONE] =
      g_signal_new_class_handler ("checkpoint-done",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_colo_compare_checkpoint_done), NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  /**
   * GstColoCompare::failover:
   *
   * The secondary is gone: release every queued primary frame and from
   * now on forward the primary uncompared, dropping the secondary.
   *
   * Since: 0.1
   */
  signals[SIGNAL_FAILOVER] =
      g_signal_new_class_handler ("failover",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_colo_compare_failover), NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * GstColoCompare::resume:
   *
   * A new secondary is in step with the primary (synchronised as after a
   * checkpoint): leave failover and compare again.  Every connection starts
   * afresh from its next frames on both sides (TCP is aligned from the next
   * segments).  Nothing happens when the element is not in failover.
   *
   * Since: 0.2
   */
  signals[SIGNAL_RESUME] =
      g_signal_new_class_handler ("resume",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_colo_compare_resume), NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * GstColoCompare::get-connections:
   *
   * The tracked connections: a #GstStructure `colo-connections` with
   * `running-time` (guint64), `mode` (string: `compare` or `failover`) and
   * `connections`, an array of `connection` structures, each with
   * `ip-version`, `ip-protocol`, `src`, `dst`, `src-port`, `dst-port`,
   * `vlan` (when tagged), `queued-primary`, `queued-secondary` (guint),
   * `primary-age`, `secondary-age` (guint64 ns, the age of the oldest
   * queued frame, when there is one), `idle` (guint64 ns since its last
   * frame), `diverged` (gboolean: waiting for checkpoint-done) and, for
   * TCP, `tcp-ended` (gboolean) and `tcp-position` (guint: the sequence
   * number up to which both outputs matched, once known).  It walks the
   * whole table under the element's lock: with a million connections it
   * takes a while and holds comparison for it.
   *
   * Returns: (transfer full): the connections
   *
   * Since: 0.2
   */
  signals[SIGNAL_GET_CONNECTIONS] =
      g_signal_new_class_handler ("get-connections",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_colo_compare_get_connections), NULL, NULL, NULL,
      GST_TYPE_STRUCTURE, 0);

  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &primary_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &secondary_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata (element_class, "COLO compare",
      "Filter/Network",
      "Compares the network output of a COLO primary and secondary VM",
      "gst-colo developers");
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_colo_compare_send_event);
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_colo_compare_change_state);

  agg_class->aggregate = GST_DEBUG_FUNCPTR (gst_colo_compare_aggregate);
  agg_class->get_next_time = GST_DEBUG_FUNCPTR (gst_colo_compare_get_next_time);
  agg_class->sink_event = GST_DEBUG_FUNCPTR (gst_colo_compare_sink_event);
  agg_class->start = GST_DEBUG_FUNCPTR (gst_colo_compare_start);
  agg_class->stop = GST_DEBUG_FUNCPTR (gst_colo_compare_stop);
  agg_class->flush = GST_DEBUG_FUNCPTR (gst_colo_compare_flush);
  agg_class->negotiate = NULL;
}

static GstAggregatorPad *
add_sink_pad (GstColoCompare * self, const gchar * name)
{
  GstPadTemplate *templ =
      gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
      name);
  GstAggregatorPad *pad = g_object_new (GST_TYPE_AGGREGATOR_PAD, "name",
      name, "direction", GST_PAD_SINK, "template", templ, NULL);

  gst_element_add_pad (GST_ELEMENT (self), GST_PAD (pad));
  return pad;
}

static void
gst_colo_compare_init (GstColoCompare * self)
{
  self->compare_timeout = DEFAULT_COMPARE_TIMEOUT;
  self->expired_scan_cycle = DEFAULT_EXPIRED_SCAN_CYCLE;
  self->max_queue_size = DEFAULT_MAX_QUEUE_SIZE;
  self->auto_release = DEFAULT_AUTO_RELEASE;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->passthrough = g_strdup ("");
  self->max_divergence_files = DEFAULT_MAX_DIVERGENCE_FILES;
  self->reassembly_max_bytes = COLO_DEFAULT_REASSEMBLY_MAX_BYTES;
  self->next_deadline = GST_CLOCK_TIME_NONE;
  self->src_caps_set = FALSE;
  g_mutex_init (&self->lock);
  gst_colo_frames_init (&self->frames);
  self->comp = colo_comparator_new (&compare_ops, self);

  self->pads[COLO_SIDE_PRIMARY] = add_sink_pad (self, "primary");
  self->pads[COLO_SIDE_SECONDARY] = add_sink_pad (self, "secondary");

  /* Aggregate on the clock even without a live upstream, so an idle pad
   * never stalls the other one; must be set before constructed (). */
  gst_aggregator_set_force_live (GST_AGGREGATOR (self), TRUE);
}
