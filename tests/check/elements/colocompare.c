/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Element tests for colocompare (README, colocompare; docs/design.md).  GstHarness tests run on a
 * GstTestClock: time only moves when a test moves it.  The real-pipeline
 * tests at the end run appsrc → colocompare → appsink on the system clock,
 * because the harness always behaves as live. */

#include <string.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>
#include <gst/base/gstaggregator.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>

#include "colocompare_harness.h"
#include "frames.h"

#define CAPS "application/x-ethernet, vnet-hdr-len=(int)0"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define ISN 1000u
#define PEER_ISN 5000u

/* Real-time bound for waiting on the element's thread in the pipeline
 * tests (never a sleep: the loops below wait on conditions and fail when
 * the bound is reached). */
#define WAIT_US COMPARE_HARNESS_WAIT_US

/* colocompare between two harnesses on a test clock
 * (common/colocompare_harness.h), frames caps without a vnet header */
#define ctx_new(...) compare_harness_new_with_properties (CAPS, __VA_ARGS__)

#define push_p(c, f) compare_harness_push_frame (c, COLO_SIDE_PRIMARY, f)
#define push_s(c, f) compare_harness_push_frame (c, COLO_SIDE_SECONDARY, f)

/* Pipelines not freed yet.  A failed assertion leaves the test function at
 * once (with CK_FORK=no, as under valgrind, by longjmp), so the test's own
 * pipe_free () is never reached.  The checked teardown below frees them
 * (and the harnesses, compare_harness_free_leftovers): a streaming thread
 * left waiting (on the clock, or in appsrc) would otherwise hang the
 * process at exit, where libgstcheck's gst_deinit () joins every task
 * thread. */
static GList *live_pipes;

typedef struct _Watchdog Watchdog;
static Watchdog *live_watchdog;
static void watchdog_stop (Watchdog * w);

/* --- helpers ------------------------------------------------------------- */

static GstBuffer *
buf_from_bytes (GBytes * b)
{
  GstBuffer *buf = gst_buffer_new_wrapped_bytes (b);

  g_bytes_unref (b);
  return buf;
}

/* Emits checkpoint-done and waits until the element handled it. */
static void
emit_and_wait (CompareHarness * c, const gchar * signal, guint64 flushed_after)
{
  g_signal_emit_by_name (c->e, signal);
  compare_harness_wait_stat (c, "flushed", flushed_after);
}

static GBytes *
udp_data (const FrameOpts * o, guint16 sport, const guint8 * d, gsize len)
{
  return frame_udp (o, sport, 53, d, len);
}

/* UDP frame whose payload is `len` bytes of pattern from `seed` */
static GBytes *
udp_n (const FrameOpts * o, guint16 sport, gsize seed, gsize len)
{
  guint8 *d = pattern_bytes (seed, len);
  GBytes *b = udp_data (o, sport, d, len);

  g_free (d);
  return b;
}

static GBytes *
udp_def (guint16 sport, gsize seed)
{
  FrameOpts o;

  frame_opts_init (&o);
  return udp_n (&o, sport, seed, 64);
}

/* TCP segment carrying stream bytes [off, off + len) */
static GBytes *
tcp_seg_o (const FrameOpts * o, guint16 sport, guint32 off, gsize len,
    guint32 ack, guint8 flags)
{
  guint8 *d = pattern_bytes (off, len);
  GBytes *b = frame_tcp (o, sport, 80, ISN + off, ack, flags, 0, d, len);

  g_free (d);
  return b;
}

static GBytes *
tcp_seg (guint16 sport, guint32 off, gsize len, guint32 ack)
{
  FrameOpts o;

  frame_opts_init (&o);
  return tcp_seg_o (&o, sport, off, len, ack, TH_ACK | TH_PSH);
}

/* --- properties ---------------------------------------------------------- */

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (e);
  const gchar *uprops[] = { "compare-timeout", "expired-scan-cycle",
    "max-queue-size"
  };
  const guint defaults[] = { 3000, 1000, 1024 };
  gboolean ar = TRUE;
  GstStructure *s;
  guint i, v;

  for (i = 0; i < G_N_ELEMENTS (uprops); i++) {
    GParamSpec *ps = g_object_class_find_property (klass, uprops[i]);
    GParamSpecUInt *pu;

    fail_unless (ps != NULL, uprops[i]);
    fail_unless (G_IS_PARAM_SPEC_UINT (ps));
    pu = G_PARAM_SPEC_UINT (ps);
    fail_unless_equals_int (pu->minimum, 1);
    fail_unless_equals_int (pu->default_value, defaults[i]);
    g_object_get (e, uprops[i], &v, NULL);
    fail_unless_equals_int (v, defaults[i]);
    g_object_set (e, uprops[i], 7, NULL);
    g_object_get (e, uprops[i], &v, NULL);
    fail_unless_equals_int (v, 7);
  }
  /* 0 is rejected (GLib warns and keeps the value) */
  ASSERT_WARNING (g_object_set (e, "compare-timeout", 0, NULL));
  g_object_get (e, "compare-timeout", &v, NULL);
  fail_unless_equals_int (v, 7);

  /* idle-timeout: 0 (never) allowed, default above TCP's largest RTO */
  fail_unless_equals_int (G_PARAM_SPEC_UINT (g_object_class_find_property
          (klass, "idle-timeout"))->minimum, 0);
  g_object_get (e, "idle-timeout", &v, NULL);
  fail_unless_equals_int (v, 300000);

  g_object_get (e, "auto-release", &ar, NULL);
  fail_unless (ar == FALSE);
  g_object_set (e, "auto-release", TRUE, NULL);
  g_object_get (e, "auto-release", &ar, NULL);
  fail_unless (ar == TRUE);

  fail_unless (!(g_object_class_find_property (klass, "stats")->flags &
          G_PARAM_WRITABLE));
  g_object_get (e, "stats", &s, NULL);
  fail_unless (s != NULL);
  gst_structure_free (s);

  {
    const gchar *names[] = { "primary", "secondary", "src" };

    for (i = 0; i < G_N_ELEMENTS (names); i++) {
      GstPad *pad = gst_element_get_static_pad (e, names[i]);

      fail_unless (pad != NULL, "no pad %s", names[i]);
      gst_object_unref (pad);
    }
  }
  gst_object_unref (e);
}

GST_END_TEST;

/* --- matching and release order ------------------------------------------ */

GST_START_TEST (test_udp_fifo_zero_copy)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[4];
  guint i;

  /* primary runs ahead: all queued */
  for (i = 0; i < 4; i++)
    p[i] = push_p (c, udp_def (1000, i * 100));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 4);

  for (i = 0; i < 4; i++) {
    push_s (c, udp_def (1000, i * 100));
    compare_harness_expect_out (c, p[i]);
    compare_harness_expect_none (c);
  }
  fail_unless_equals_uint64 (compare_stat (c->e, "released"), 4);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_no_checkpoint (c);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_secondary_first)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p;

  push_s (c, udp_def (1000, 0));
  compare_harness_expect_none (c);
  p = push_p (c, udp_def (1000, 0));
  compare_harness_expect_out (c, p);
  compare_harness_expect_none (c);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_icmp)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  guint8 d[16] = { 1, 2, 3, 4 };
  GstBuffer *p;

  frame_opts_init (&o);
  p = push_p (c, frame_icmp_echo (&o, 7, 1, d, sizeof (d)));
  compare_harness_expect_none (c);
  o.ttl = 12;                   /* IP header ignored */
  o.ip_id = 999;
  push_s (c, frame_icmp_echo (&o, 7, 1, d, sizeof (d)));
  compare_harness_expect_out (c, p);

  /* different echo seq: a miscompare */
  push_p (c, frame_icmp_echo (&o, 7, 2, d, sizeof (d)));
  push_s (c, frame_icmp_echo (&o, 7, 3, d, sizeof (d)));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 1);
  {
    GstMessage *m = compare_harness_pop_checkpoint (c);
    fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
    fail_unless_equals_int (compare_msg_uint (m, "ip-protocol"), 1);
    fail_unless_equals_int (compare_msg_uint (m, "src-port"), 0);
    fail_unless_equals_int (compare_msg_uint (m, "dst-port"), 0);
    /* ICMP: offset within the whole IP payload: the checksum (bytes 2-3)
     * differs first, in its low byte */
    fail_unless_equals_int (compare_msg_uint (m, "offset"), 3);
    gst_message_unref (m);
  }
  compare_harness_free (c);
}

GST_END_TEST;

/* UDP: several secondaries queued first, then the primaries at once */
GST_START_TEST (test_batched_release_udp)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *ps;
  guint i;

  for (i = 0; i < 3; i++)
    push_s (c, udp_def (2000, i));
  ps = push_p (c, udp_def (2000, 0));
  compare_harness_expect_out (c, ps);
  ps = push_p (c, udp_def (2000, 1));
  compare_harness_expect_out (c, ps);
  ps = push_p (c, udp_def (2000, 2));
  compare_harness_expect_out (c, ps);
  compare_harness_expect_none (c);
  compare_harness_free (c);
}

GST_END_TEST;

/* One TCP stream segmented differently on each side: the primary sends
 * n_primary segments of primary_len bytes, then the secondary n_secondary
 * of secondary_len; once the secondary's segment i is in, exactly
 * released_after[i] primary segments are out, in order, and nothing
 * else.  No checkpoint request, nothing left queued. */
typedef struct
{
  const gchar *name;
  guint n_primary, primary_len;
  guint n_secondary, secondary_len;
  guint released_after[3];
} ResegmentCase;

static const ResegmentCase resegment_cases[] = {
  {.name = "same segments",.n_primary = 3,.primary_len = 100,
      .n_secondary = 3,.secondary_len = 100,.released_after = {1, 2, 3}},
  {.name = "primary one big",.n_primary = 1,.primary_len = 3000,
      .n_secondary = 3,.secondary_len = 1000,.released_after = {0, 0, 1}},
  {.name = "secondary one big",.n_primary = 3,.primary_len = 1000,
      .n_secondary = 1,.secondary_len = 3000,.released_after = {3}},
  {.name = "five primaries in one",.n_primary = 5,.primary_len = 100,
      .n_secondary = 1,.secondary_len = 500,.released_after = {5}},
};

GST_START_TEST (test_tcp_resegment)
{
  const ResegmentCase *rc = &resegment_cases[__i__];
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[5];
  guint i, out = 0;

  fail_unless (rc->n_primary <= G_N_ELEMENTS (p));
  fail_unless (rc->n_secondary <= G_N_ELEMENTS (rc->released_after));
  compare_harness_set_case (c, rc->name);
  for (i = 0; i < rc->n_primary; i++)
    p[i] = push_p (c, tcp_seg (40000, i * rc->primary_len, rc->primary_len,
            PEER_ISN));
  compare_harness_expect_none (c);
  for (i = 0; i < rc->n_secondary; i++) {
    push_s (c, tcp_seg (40000, i * rc->secondary_len, rc->secondary_len,
            PEER_ISN));
    for (; out < rc->released_after[i]; out++) {
      /* counted before it is pushed: no waiting for a frame never sent */
      fail_unless (compare_released_total (c->e) > c->pulled,
          "%s: primary segment %u not released after secondary segment %u",
          rc->name, out, i);
      compare_harness_expect_out (c, p[out]);
    }
    compare_harness_expect_none (c);
  }
  fail_unless (out == rc->n_primary, "%s: %u of %u primaries released",
      rc->name, out, rc->n_primary);
  fail_unless (compare_harness_requests (c) == 0, "%s: checkpoint requested",
      rc->name);
  fail_unless (compare_stat (c->e, "queued-primary") == 0,
      "%s: primaries left queued", rc->name);
  fail_unless (compare_stat (c->e, "queued-secondary") == 0,
      "%s: secondaries left queued", rc->name);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- TCP connection lifecycle -------------------------------------------- */

/* A raw TCP segment: seq, flags, text payload (sport 41000 -> 80) */
static GBytes *
tcp_raw (guint32 seq, guint32 ack, guint8 flags, const gchar * text)
{
  FrameOpts o;

  frame_opts_init (&o);
  return frame_tcp (&o, 41000, 80, seq, ack, flags, 0,
      (const guint8 *) text, text ? strlen (text) : 0);
}

/* The client port is reused after an abortive close and the new ISN lies
 * below the old connection's end: the new connection's bytes are
 * compared, not released as retransmissions, and a divergence in them is
 * reported at its own position. */
GST_START_TEST (test_tcp_port_reuse_compared)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p;
  GstMessage *m;

  p = push_p (c, tcp_raw (9000, 1, TH_ACK, "old connection"));
  push_s (c, tcp_raw (9000, 1, TH_ACK, "old connection"));
  compare_harness_expect_out (c, p);
  p = push_p (c, tcp_raw (9014, 1, TH_RST, NULL));
  push_s (c, tcp_raw (9014, 1, TH_RST | TH_ACK, NULL));
  compare_harness_expect_out (c, p);

  p = push_p (c, tcp_raw (3000, 0, TH_SYN, NULL));
  push_s (c, tcp_raw (3000, 0, TH_SYN, NULL));
  compare_harness_expect_out (c, p);
  push_p (c, tcp_raw (3001, 7, TH_ACK, "GET /index.html"));
  push_s (c, tcp_raw (3001, 7, TH_ACK, "GET /indeX.html"));
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  fail_unless_equals_int (compare_msg_uint (m, "offset"), 9);
  fail_unless_equals_int (compare_msg_uint (m, "tcp-seq"), 3010);
  gst_message_unref (m);
  compare_harness_expect_none (c);
  compare_harness_free (c);
}

GST_END_TEST;

/* TIME-WAIT reuse: the new ISN lies above the old end; the new connection
 * matches and goes out (it is not a gap in the old stream). */
GST_START_TEST (test_tcp_port_reuse_isn_ahead)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[3];
  guint i;

  p[0] = push_p (c, tcp_raw (100, 1, TH_ACK, "hello"));
  p[1] = push_p (c, tcp_raw (105, 1, TH_ACK | TH_FIN, NULL));
  p[2] = push_p (c, tcp_raw (106 + 65537, 0, TH_SYN, NULL));
  push_s (c, tcp_raw (100, 1, TH_ACK, "hello"));
  push_s (c, tcp_raw (105, 1, TH_ACK | TH_FIN, NULL));
  push_s (c, tcp_raw (106 + 65537, 0, TH_SYN, NULL));
  for (i = 0; i < 3; i++)
    compare_harness_expect_out (c, p[i]);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* After an abortive close the primary answers late segments with more
 * RSTs at the matched position: they go out at once, no request. */
GST_START_TEST (test_tcp_repeated_rst_released)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[3];

  p[0] = push_p (c, tcp_raw (500, 1, TH_ACK, "data"));
  push_s (c, tcp_raw (500, 1, TH_ACK, "data"));
  compare_harness_expect_out (c, p[0]);
  p[1] = push_p (c, tcp_raw (504, 1, TH_RST | TH_ACK, NULL));
  push_s (c, tcp_raw (504, 1, TH_RST | TH_ACK, NULL));
  compare_harness_expect_out (c, p[1]);
  p[2] = push_p (c, tcp_raw (504, 0, TH_RST, NULL));
  compare_harness_expect_out (c, p[2]);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- TCP ----------------------------------------------------------------- */

GST_START_TEST (test_tcp_retransmission)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p;

  p = push_p (c, tcp_seg (40000, 0, 500, PEER_ISN));
  push_s (c, tcp_seg (40000, 0, 500, PEER_ISN));
  compare_harness_expect_out (c, p);
  /* the primary retransmits: released without the secondary */
  p = push_p (c, tcp_seg (40000, 0, 500, PEER_ISN));
  compare_harness_expect_out (c, p);
  p = push_p (c, tcp_seg (40000, 200, 100, PEER_ISN));
  compare_harness_expect_out (c, p);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_tcp_pure_ack)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  GstBuffer *p;

  frame_opts_init (&o);
  p = push_p (c, frame_tcp (&o, 40000, 80, ISN, PEER_ISN + 10, TH_ACK, 0,
          NULL, 0));
  compare_harness_expect_out (c, p);
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_tcp_ack_gating)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  GstBuffer *p;

  frame_opts_init (&o);
  /* same data, but the primary acknowledges more than the secondary has */
  p = push_p (c, tcp_seg (40000, 0, 100, PEER_ISN + 50));
  push_s (c, tcp_seg (40000, 0, 100, PEER_ISN + 10));
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 0);
  /* the secondary catches up with a pure ACK */
  push_s (c, frame_tcp (&o, 40000, 80, ISN + 100, PEER_ISN + 50, TH_ACK, 0,
          NULL, 0));
  compare_harness_expect_out (c, p);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_no_checkpoint (c);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- divergence ---------------------------------------------------------- */

GST_START_TEST (test_udp_miscompare)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  guint8 a[40], b[40];
  GstBuffer *p[3];
  GstMessage *m;

  frame_opts_init (&o);
  memset (a, 0xaa, sizeof (a));
  memcpy (b, a, sizeof (b));
  b[17] = 0;

  p[0] = push_p (c, udp_data (&o, 1234, a, sizeof (a)));
  push_s (c, udp_data (&o, 1234, b, sizeof (b)));
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  fail_unless_equals_int (compare_msg_uint (m, "ip-protocol"), 17);
  fail_unless_equals_string (compare_msg_str (m, "src"), "10.0.0.1");
  fail_unless_equals_string (compare_msg_str (m, "dst"), "10.0.0.2");
  fail_unless_equals_int (compare_msg_uint (m, "src-port"), 1234);
  fail_unless_equals_int (compare_msg_uint (m, "dst-port"), 53);
  fail_unless_equals_int (compare_msg_uint (m, "offset"), 17);
  fail_if (gst_structure_has_field (gst_message_get_structure (m), "tcp-seq"));
  gst_message_unref (m);

  /* nothing released until checkpoint-done, even matching frames */
  p[1] = push_p (c, udp_data (&o, 1234, a, sizeof (a)));
  push_s (c, udp_data (&o, 1234, a, sizeof (a)));
  p[2] = push_p (c, udp_data (&o, 1234, a, 20));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 3);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 2);

  emit_and_wait (c, "checkpoint-done", 3);
  compare_harness_expect_out (c, p[0]);
  compare_harness_expect_out (c, p[1]);
  compare_harness_expect_out (c, p[2]);
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "flushed"), 3);

  /* comparison resumes */
  p[0] = push_p (c, udp_data (&o, 1234, a, sizeof (a)));
  push_s (c, udp_data (&o, 1234, a, sizeof (a)));
  compare_harness_expect_out (c, p[0]);
  fail_unless_equals_int (compare_harness_requests (c), 1);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_tcp_miscompare)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  guint8 *d;
  GstBuffer *p[2];
  GstMessage *m;

  frame_opts_init (&o);
  p[0] = push_p (c, tcp_seg (40000, 0, 300, PEER_ISN));
  p[1] = push_p (c, tcp_seg (40000, 300, 300, PEER_ISN));
  /* secondary: one segment, byte 450 of the stream differs */
  d = pattern_bytes (0, 600);
  d[450] ^= 0xff;
  push_s (c, frame_tcp (&o, 40000, 80, ISN, PEER_ISN, TH_ACK, 0, d, 600));
  g_free (d);
  /* the first segment matched and is released */
  compare_harness_expect_out (c, p[0]);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  fail_unless_equals_int (compare_msg_uint (m, "ip-protocol"), 6);
  fail_unless_equals_int (compare_msg_uint (m, "src-port"), 40000);
  fail_unless_equals_int (compare_msg_uint (m, "dst-port"), 80);
  fail_unless_equals_int (compare_msg_uint (m, "offset"), 150);
  fail_unless_equals_int (compare_msg_uint (m, "tcp-seq"), ISN + 450);
  gst_message_unref (m);

  emit_and_wait (c, "checkpoint-done", 1);
  compare_harness_expect_out (c, p[1]);
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 1);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_once_per_episode)
{
  CompareHarness *c = ctx_new (NULL);
  GstMessage *m;

  push_p (c, udp_def (1000, 0));
  push_s (c, udp_def (1000, 1));
  fail_unless_equals_int (compare_harness_requests (c), 1);
  m = compare_harness_pop_checkpoint (c);
  gst_message_unref (m);

  /* another connection diverges: counted, not posted */
  push_p (c, udp_def (1001, 0));
  push_s (c, udp_def (1001, 1));
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 2);
  fail_unless_equals_int (compare_harness_requests (c), 1);
  compare_harness_no_checkpoint (c);

  emit_and_wait (c, "checkpoint-done", 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  gst_buffer_unref (compare_harness_pull (c));
  gst_buffer_unref (compare_harness_pull (c));

  /* a new episode posts again */
  push_p (c, udp_def (1002, 0));
  push_s (c, udp_def (1002, 1));
  fail_unless_equals_int (compare_harness_requests (c), 2);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_int (compare_msg_uint (m, "src-port"), 1002);
  gst_message_unref (m);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_repost_per_scan_cycle)
{
  CompareHarness *c =
      ctx_new ("compare-timeout", 50, "expired-scan-cycle", 100, NULL);
  GstMessage *m;
  GstClockTime t;

  push_p (c, udp_def (1000, 0));
  push_s (c, udp_def (1000, 1));
  fail_unless_equals_int (compare_harness_requests (c), 1);
  gst_message_unref (compare_harness_pop_checkpoint (c));

  /* the unanswered request comes again, at most once per cycle */
  for (t = 10 * GST_MSECOND; t <= 450 * GST_MSECOND; t += 10 * GST_MSECOND) {
    guint expected = 1 + t / (100 * GST_MSECOND);

    compare_harness_advance_to (c, t);
    fail_unless_equals_int (compare_harness_requests (c), expected);
    if (t % (100 * GST_MSECOND) == 0) {
      m = compare_harness_pop_checkpoint (c);
      fail_unless_equals_uint64 (compare_msg_time (m), t);
      gst_message_unref (m);
    }
    compare_harness_no_checkpoint (c);
  }
  compare_harness_free (c);
}

GST_END_TEST;

/* --- stale ---------------------------------------------------------------- */

static void
check_stale (gint side)
{
  const guint T = 100, C = 30;
  CompareHarness *c =
      ctx_new ("compare-timeout", T, "expired-scan-cycle", C, NULL);
  GstClockTime t, start = 7 * GST_MSECOND;
  GstMessage *m = NULL;
  GstBuffer *p = NULL;

  p = compare_harness_push_frame_at (c, side, start, udp_def (1000, 0));

  for (t = start + GST_MSECOND; compare_harness_requests (c) == 0;
      t += GST_MSECOND) {
    fail_unless (t <= start + (T + C) * GST_MSECOND, "no stale request");
    compare_harness_advance_to (c, t);
  }
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "stale");
  fail_unless_equals_string (compare_msg_str (m, "side"),
      side ? "secondary" : "primary");
  fail_unless_equals_int (compare_msg_uint (m, "src-port"), 1000);
  fail_unless (compare_msg_time (m) >= start + T * GST_MSECOND);
  fail_unless (compare_msg_time (m) <= start + (T + C) * GST_MSECOND);
  fail_unless (compare_msg_time (m) <= t);
  gst_message_unref (m);
  fail_unless_equals_uint64 (compare_stat (c->e, "stale"), 1);
  compare_harness_expect_none (c);

  if (side == 0) {
    emit_and_wait (c, "checkpoint-done", 1);
    compare_harness_expect_out (c, p);
  } else {
    g_signal_emit_by_name (c->e, "checkpoint-done");
    compare_harness_wait_stat (c, "secondary-dropped", 1);
    fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  }
  compare_harness_expect_none (c);
  compare_harness_free (c);
}

/* A frame waiting on either side goes stale (loop: __i__ is the side) */
GST_START_TEST (test_stale)
{
  check_stale (__i__);
}

GST_END_TEST;

/* --- queue-full, auto-release, failover ----------------------------------- */

GST_START_TEST (test_queue_full)
{
  CompareHarness *c = ctx_new ("max-queue-size", 3, NULL);
  GstBuffer *p[5];
  GstMessage *m;
  guint i;

  for (i = 0; i < 2; i++)
    p[i] = push_p (c, udp_def (1000, i));
  fail_unless_equals_int (compare_harness_requests (c), 0);
  p[2] = push_p (c, udp_def (1000, 2));
  fail_unless_equals_int (compare_harness_requests (c), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "queue-full");
  fail_unless_equals_string (compare_msg_str (m, "side"), "primary");
  gst_message_unref (m);
  for (i = 3; i < 5; i++)
    p[i] = push_p (c, udp_def (1000, i));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 5);
  fail_unless_equals_uint64 (compare_stat (c->e, "dropped"), 0);

  emit_and_wait (c, "checkpoint-done", 5);
  for (i = 0; i < 5; i++)
    compare_harness_expect_out (c, p[i]);
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "dropped"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* Both pads hold max-queue-size frames before colocompare runs (with a
 * latency, untimed frames queue on its pads): aggregate () takes every
 * primary frame before any secondary one, and the primary queue must not
 * be judged full before their twins, already waiting, are in. */
GST_START_TEST (test_queue_full_judged_per_batch)
{
  CompareHarness *c = ctx_new ("max-queue-size", 8, "latency",
      (GstClockTime) (10 * GST_MSECOND), NULL);
  GstBuffer *p[8];
  guint i;

  for (i = 0; i < 8; i++) {
    p[i] = buf_from_bytes (udp_def (1000, i));
    c->kept = g_list_prepend (c->kept, gst_buffer_ref (p[i]));
    fail_unless_equals_int (gst_harness_push (c->h[COLO_SIDE_PRIMARY], p[i]),
        GST_FLOW_OK);
  }
  for (i = 0; i < 8; i++)
    fail_unless_equals_int (gst_harness_push (c->h[COLO_SIDE_SECONDARY],
            buf_from_bytes (udp_def (1000, i))), GST_FLOW_OK);
  c->pushed[COLO_SIDE_PRIMARY] = c->pushed[COLO_SIDE_SECONDARY] = 8;
  /* the element waits for the clock to pass the latency */
  compare_harness_advance_to (c, 10 * GST_MSECOND);
  compare_harness_wait_stat (c, "secondary-packets", 8);
  for (i = 0; i < 8; i++)
    compare_harness_expect_out (c, p[i]);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queue-full"), 0);
  compare_harness_no_checkpoint (c);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_auto_release)
{
  CompareHarness *c = ctx_new ("auto-release", TRUE, NULL);
  GstBuffer *p;
  GstMessage *m;

  p = push_p (c, udp_def (1000, 0));
  push_s (c, udp_def (1000, 1));
  compare_harness_expect_out (c, p);
  compare_harness_expect_none (c);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  gst_message_unref (m);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);

  /* the next divergence is a new episode */
  p = push_p (c, udp_def (1000, 2));
  push_s (c, udp_def (1000, 3));
  compare_harness_expect_out (c, p);
  fail_unless_equals_int (compare_harness_requests (c), 2);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_failover)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[3];

  p[0] = push_p (c, udp_def (1000, 0));
  p[1] = push_p (c, tcp_seg (40000, 0, 100, PEER_ISN));
  push_s (c, udp_def (1001, 0));
  compare_harness_expect_none (c);

  emit_and_wait (c, "failover", 2);
  compare_harness_expect_out (c, p[0]);
  compare_harness_expect_out (c, p[1]);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);

  p[2] = push_p (c, udp_def (1000, 5));
  compare_harness_expect_out (c, p[2]);
  push_s (c, udp_def (1000, 6));
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- IPv6, VLAN, ARP, vnet ------------------------------------------------ */

GST_START_TEST (test_ipv6)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  GstBuffer *p;
  GstMessage *m;

  frame_opts_init (&o);
  o.ipv6 = TRUE;
  o.src = "fd00::1";
  o.dst = "fd00::2";

  p = push_p (c, udp_n (&o, 1000, 0, 64));
  push_s (c, udp_n (&o, 1000, 0, 64));
  compare_harness_expect_out (c, p);
  p = push_p (c, tcp_seg_o (&o, 40000, 0, 200, PEER_ISN, TH_ACK));
  push_s (c, tcp_seg_o (&o, 40000, 0, 100, PEER_ISN, TH_ACK));
  push_s (c, tcp_seg_o (&o, 40000, 100, 100, PEER_ISN, TH_ACK));
  compare_harness_expect_out (c, p);
  fail_unless_equals_int (compare_harness_requests (c), 0);

  /* divergence in IPv6 TCP */
  push_p (c, tcp_seg_o (&o, 40000, 200, 100, PEER_ISN, TH_ACK));
  push_s (c, tcp_seg_o (&o, 40001, 200, 100, PEER_ISN, TH_ACK));
  fail_unless_equals_int (compare_harness_requests (c), 0);     /* other connection */
  {
    guint8 *d = pattern_bytes (200, 100);

    d[42] ^= 1;
    push_s (c, frame_tcp (&o, 40000, 80, ISN + 200, PEER_ISN, TH_ACK, 0, d,
            100));
    g_free (d);
  }
  compare_harness_expect_none (c);
  fail_unless_equals_int (compare_harness_requests (c), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "src"), "fd00::1");
  fail_unless_equals_string (compare_msg_str (m, "dst"), "fd00::2");
  fail_unless_equals_int (compare_msg_uint (m, "ip-protocol"), 6);
  fail_unless_equals_int (compare_msg_uint (m, "offset"), 42);
  fail_unless_equals_int (compare_msg_uint (m, "tcp-seq"), ISN + 242);
  gst_message_unref (m);
  emit_and_wait (c, "checkpoint-done", 1);
  gst_buffer_unref (compare_harness_pull (c));

  /* divergence in IPv6 UDP */
  push_p (c, udp_n (&o, 1000, 0, 64));
  push_s (c, udp_n (&o, 1000, 1, 64));
  fail_unless_equals_int (compare_harness_requests (c), 2);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_int (compare_msg_uint (m, "ip-protocol"), 17);
  fail_unless_equals_string (compare_msg_str (m, "src"), "fd00::1");
  gst_message_unref (m);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_vlan)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  GstBuffer *p;

  frame_opts_init (&o);
  o.n_vlan = 1;
  o.vlan_id[0] = 10;

  p = push_p (c, udp_n (&o, 1000, 0, 64));
  o.vlan_id[0] = 20;
  /* same flow on another VLAN: another connection, no match */
  push_s (c, udp_n (&o, 1000, 0, 64));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "connections"), 2);
  o.vlan_id[0] = 10;
  push_s (c, udp_n (&o, 1000, 0, 64));
  compare_harness_expect_out (c, p);
  /* tagged frames are compared */
  push_p (c, udp_n (&o, 1000, 0, 64));
  push_s (c, udp_n (&o, 1000, 3, 64));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 1);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_arp)
{
  CompareHarness *c = ctx_new (NULL);
  FrameOpts o;
  GstBuffer *p;

  frame_opts_init (&o);
  p = push_p (c, frame_arp (&o));
  compare_harness_expect_out (c, p);
  push_s (c, frame_arp (&o));
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "passed-through"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_vnet_hdr)
{
  CompareHarness *c =
      compare_harness_new_with_properties
      ("application/x-ethernet, vnet-hdr-len=(int)12", NULL);
  FrameOpts o;
  GstBuffer *p;

  frame_opts_init (&o);
  o.vnet_hdr_len = 12;
  p = push_p (c, udp_n (&o, 1000, 0, 64));
  push_s (c, udp_n (&o, 1000, 0, 64));
  compare_harness_expect_out (c, p);
  p = push_p (c, tcp_seg_o (&o, 40000, 0, 100, PEER_ISN, TH_ACK));
  push_s (c, tcp_seg_o (&o, 40000, 0, 100, PEER_ISN, TH_ACK));
  compare_harness_expect_out (c, p);
  push_p (c, udp_n (&o, 1000, 0, 64));
  push_s (c, udp_n (&o, 1000, 1, 64));
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "malformed"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* Records, for every buffer reaching the harness, the vnet-hdr-len of the
 * caps it arrived under (the harness chains the buffers of a list one by
 * one, so a buffer probe sees each). */
static GstPadProbeReturn
record_vnet_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GArray *seen = user_data;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gint vnet = -1;

  if (caps) {
    gst_structure_get_int (gst_caps_get_structure (caps, 0), "vnet-hdr-len",
        &vnet);
    gst_caps_unref (caps);
  }
  g_array_append_val (seen, vnet);
  return GST_PAD_PROBE_OK;
}

/* A vnet-hdr-len change on primary while frames are held: each frame goes
 * out under the caps it arrived with, the new caps after them. */
GST_START_TEST (test_vnet_hdr_change_with_held_frames)
{
  CompareHarness *c = ctx_new (NULL);
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint));
  FrameOpts o;
  GstBuffer *p1, *p2, *p3;

  gst_pad_add_probe (c->h[COLO_SIDE_PRIMARY]->sinkpad,
      GST_PAD_PROBE_TYPE_BUFFER, record_vnet_probe, seen, NULL);
  frame_opts_init (&o);
  p1 = push_p (c, udp_n (&o, 1000, 0, 64));     /* held: no secondary yet */
  gst_harness_set_src_caps_str (c->h[COLO_SIDE_PRIMARY],
      "application/x-ethernet, vnet-hdr-len=(int)10");
  o.vnet_hdr_len = 10;
  p2 = push_p (c, udp_n (&o, 1001, 0, 64));
  emit_and_wait (c, "checkpoint-done", 2);
  compare_harness_expect_out (c, p1);
  compare_harness_expect_out (c, p2);
  p3 = push_p (c, frame_arp (&o));      /* passed through at once */
  compare_harness_expect_out (c, p3);

  fail_unless_equals_int (seen->len, 3);
  fail_unless_equals_int (g_array_index (seen, gint, 0), 0);
  fail_unless_equals_int (g_array_index (seen, gint, 1), 10);
  fail_unless_equals_int (g_array_index (seen, gint, 2), 10);
  g_array_unref (seen);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- malformed ------------------------------------------------------------ */

static GBytes *
truncated_ipv4 (void)
{
  GBytes *full = udp_def (1000, 0);
  GBytes *b = g_bytes_new_from_bytes (full, 0, 14 + 12);

  g_bytes_unref (full);
  return b;
}

GST_START_TEST (test_malformed)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p;
  GstMessage *m;

  p = push_p (c, truncated_ipv4 ());
  compare_harness_expect_out (c, p);
  fail_unless_equals_uint64 (compare_stat (c->e, "malformed"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "passed-through"), 1);
  m = gst_bus_timed_pop_filtered (c->bus, 10 * GST_SECOND, GST_MESSAGE_WARNING);
  fail_unless (m != NULL, "no warning for a malformed frame");
  gst_message_unref (m);

  push_s (c, truncated_ipv4 ());
  compare_harness_expect_none (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "malformed"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  fail_unless_equals_int (compare_harness_requests (c), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- EOS ------------------------------------------------------------------ */

GST_START_TEST (test_eos_both_drain)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p[2];

  p[0] = push_p (c, udp_def (1000, 0));
  p[1] = push_p (c, tcp_seg (40000, 0, 100, PEER_ISN));
  push_s (c, udp_def (1001, 0));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_PRIMARY],
          gst_event_new_eos ()));
  /* one pad EOS: nothing is released */
  COMPARE_HARNESS_PUMP_UNTIL (c, gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD
          (c->h[COLO_SIDE_PRIMARY]->srcpad->peer)));
  compare_harness_expect_none (c);
  fail_if (compare_harness_src_eos (c));

  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_SECONDARY],
          gst_event_new_eos ()));
  COMPARE_HARNESS_PUMP_UNTIL (c, compare_harness_src_eos (c));
  /* the frames came before EOS */
  fail_unless_equals_int (gst_harness_buffers_in_queue (c->h
          [COLO_SIDE_PRIMARY]), 2);
  compare_harness_expect_out (c, p[0]);
  compare_harness_expect_out (c, p[1]);
  fail_unless_equals_uint64 (compare_stat (c->e, "flushed"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 1);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_eos_one_pad)
{
  CompareHarness *c =
      ctx_new ("compare-timeout", 100, "expired-scan-cycle", 50, NULL);
  GstBuffer *p;
  GstMessage *m;
  GstClockTime t;

  /* secondary ends first: what it sent is still compared */
  push_s (c, udp_def (1000, 0));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_SECONDARY],
          gst_event_new_eos ()));
  COMPARE_HARNESS_PUMP_UNTIL (c,
      gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD (c->
              h[COLO_SIDE_SECONDARY]->srcpad->peer)));
  p = push_p (c, udp_def (1000, 0));
  compare_harness_expect_out (c, p);
  /* an unmatched primary still becomes stale */
  push_p (c, udp_def (1000, 1));
  compare_harness_expect_none (c);
  for (t = GST_MSECOND; compare_harness_requests (c) == 0;
      t += 10 * GST_MSECOND) {
    fail_unless (t <= 200 * GST_MSECOND);
    compare_harness_advance_to (c, t);
  }
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "stale");
  fail_unless (compare_msg_time (m) >= 100 * GST_MSECOND);
  gst_message_unref (m);
  fail_if (compare_harness_src_eos (c));
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_eos_primary_first)
{
  CompareHarness *c = ctx_new (NULL);
  GstBuffer *p;

  p = push_p (c, udp_def (1000, 0));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_PRIMARY],
          gst_event_new_eos ()));
  COMPARE_HARNESS_PUMP_UNTIL (c,
      gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD (c->
              h[COLO_SIDE_PRIMARY]->srcpad->peer)));
  push_s (c, udp_def (1000, 0));
  compare_harness_expect_out (c, p);
  /* checkpoint-done still works with the primary EOS */
  push_s (c, udp_def (1000, 9));
  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "secondary-dropped", 1);
  compare_harness_expect_none (c);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- flushing, state changes ----------------------------------------------- */

GST_START_TEST (test_flush)
{
  CompareHarness *c = ctx_new (NULL);
  GstMessage *m;
  GstBuffer *p;

  push_p (c, udp_def (1000, 0));
  push_p (c, udp_def (1000, 1));
  push_s (c, udp_def (1001, 0));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_PRIMARY],
          gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_SECONDARY],
          gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_PRIMARY],
          gst_event_new_flush_stop (TRUE)));
  fail_unless (gst_harness_push_event (c->h[COLO_SIDE_SECONDARY],
          gst_event_new_flush_stop (TRUE)));
  compare_harness_wait_stat (c, "dropped", 3);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  m = gst_bus_timed_pop_filtered (c->bus, 10 * GST_SECOND, GST_MESSAGE_WARNING);
  fail_unless (m != NULL, "no warning for discarded primaries");
  gst_message_unref (m);
  compare_harness_expect_none (c);

  /* and it works afterwards */
  gst_harness_set_src_caps_str (c->h[COLO_SIDE_PRIMARY], CAPS);
  gst_harness_set_src_caps_str (c->h[COLO_SIDE_SECONDARY], CAPS);
  p = push_p (c, udp_def (1000, 0));
  push_s (c, udp_def (1000, 0));
  compare_harness_expect_out (c, p);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_null_with_queued)
{
  CompareHarness *c = ctx_new (NULL);

  push_p (c, udp_def (1000, 0));
  push_p (c, tcp_seg (40000, 0, 100, PEER_ISN));
  push_s (c, udp_def (1001, 0));
  push_s (c, tcp_seg (40001, 0, 100, PEER_ISN));
  fail_unless_equals_int (gst_element_set_state (c->e, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  /* back to PLAYING: starts clean */
  fail_if (gst_element_set_state (c->e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_teardown_with_queued)
{
  CompareHarness *c = ctx_new (NULL);

  push_p (c, udp_def (1000, 0));
  push_p (c, tcp_seg (40000, 0, 100, PEER_ISN));
  push_s (c, udp_def (1001, 0));
  compare_harness_free (c);
}

GST_END_TEST;

/* --- stats ------------------------------------------------------------------ */

GST_START_TEST (test_stats)
{
  CompareHarness *c = ctx_new (NULL);
  const gchar *fields[] = { "primary-packets", "secondary-packets",
    "released", "passed-through", "flushed", "secondary-dropped", "dropped",
    "miscompares", "stale", "checkpoints-requested", "connections",
    "queued-primary", "queued-secondary", "malformed", "evicted"
  };
  GstStructure *s;
  FrameOpts o;
  guint i;

  frame_opts_init (&o);
  push_p (c, udp_def (1000, 0));        /* matched */
  push_s (c, udp_def (1000, 0));
  push_p (c, frame_arp (&o));   /* passed through */
  push_p (c, udp_def (1001, 0));        /* diverges */
  push_s (c, udp_def (1001, 1));
  push_p (c, udp_def (1002, 0));        /* queued */
  push_s (c, udp_def (1003, 0));        /* queued */

  g_object_get (c->e, "stats", &s, NULL);
  for (i = 0; i < G_N_ELEMENTS (fields); i++)
    fail_unless (gst_structure_has_field_typed (s, fields[i], G_TYPE_UINT64),
        "missing %s", fields[i]);
  gst_structure_free (s);

  fail_unless_equals_uint64 (compare_stat (c->e, "primary-packets"), 4);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-packets"), 3);
  fail_unless_equals_uint64 (compare_stat (c->e, "released"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "passed-through"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "flushed"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "checkpoints-requested"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "connections"), 4);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "stale"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "dropped"), 0);

  emit_and_wait (c, "checkpoint-done", 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "secondary-dropped"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_idle_timeout)
{
  CompareHarness *c = ctx_new ("idle-timeout", 1000, NULL);
  GstBuffer *p;
  guint v = 0;

  g_object_get (c->e, "idle-timeout", &v, NULL);
  fail_unless_equals_int (v, 1000);
  p = push_p (c, udp_def (1000, 0));
  push_s (c, udp_def (1000, 0));
  compare_harness_expect_out (c, p);
  fail_unless_equals_uint64 (compare_stat (c->e, "connections"), 1);

  /* idle for the timeout on the pipeline clock: forgotten on the next
   * frame of another flow */
  compare_harness_advance_to (c, 1 * GST_SECOND);
  p = push_p (c, udp_def (1001, 0));
  push_s (c, udp_def (1001, 0));
  compare_harness_expect_out (c, p);
  fail_unless_equals_uint64 (compare_stat (c->e, "evicted"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "connections"), 1);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_two_instances)
{
  CompareHarness *a = ctx_new (NULL);
  CompareHarness *b = ctx_new (NULL);
  GstBuffer *p;

  push_p (a, udp_def (1000, 0));
  push_s (a, udp_def (1000, 1));
  fail_unless_equals_int (compare_harness_requests (a), 1);

  p = push_p (b, udp_def (1000, 0));
  push_s (b, udp_def (1000, 0));
  compare_harness_expect_out (b, p);
  fail_unless_equals_int (compare_harness_requests (b), 0);
  compare_harness_no_checkpoint (b);
  fail_unless_equals_uint64 (compare_stat (b->e, "miscompares"), 0);
  compare_harness_expect_none (a);

  g_signal_emit_by_name (b->e, "checkpoint-done");
  p = push_p (b, udp_def (1000, 3));
  push_s (b, udp_def (1000, 3));
  compare_harness_expect_out (b, p);
  compare_harness_expect_none (a);
  fail_unless_equals_uint64 (compare_stat (a->e, "queued-primary"), 1);
  compare_harness_free (b);
  compare_harness_free (a);
}

GST_END_TEST;

/* --- real pipelines (system clock, non-live appsrc) ------------------------ */

typedef struct
{
  GstElement *pipe, *c;
  GstAppSrc *p, *s;
  GstElement *sink;
  GstBus *bus;
} Pipe;

static void
pipe_release (Pipe * x)
{
  live_pipes = g_list_remove (live_pipes, x);
  gst_object_unref (x->bus);
  gst_object_unref (x->sink);
  gst_object_unref (x->p);
  gst_object_unref (x->s);
  gst_object_unref (x->c);
  gst_object_unref (x->pipe);
  g_free (x);
}

/* checked teardown of both test cases (see live_pipes) */
static void
leftovers_teardown (void)
{
  compare_harness_free_leftovers ();
  while (live_pipes) {
    Pipe *x = live_pipes->data;

    gst_element_set_state (x->pipe, GST_STATE_NULL);
    pipe_release (x);
  }
  if (live_watchdog)
    watchdog_stop (live_watchdog);
}

static Pipe *
pipe_new (const gchar * sink_desc)
{
  Pipe *x = g_new0 (Pipe, 1);
  GError *err = NULL;
  gchar *desc = g_strdup_printf ("appsrc name=p is-live=false format=time "
      "caps=\"" CAPS "\" ! colocompare name=c compare-timeout=200 "
      "expired-scan-cycle=50 ! %s name=out "
      "appsrc name=s is-live=false format=time ! c.secondary", sink_desc);

  x->pipe = gst_parse_launch (desc, &err);
  g_free (desc);
  fail_unless (x->pipe != NULL, "%s", err ? err->message : "?");
  x->c = gst_bin_get_by_name (GST_BIN (x->pipe), "c");
  x->p = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (x->pipe), "p"));
  x->s = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (x->pipe), "s"));
  x->sink = gst_bin_get_by_name (GST_BIN (x->pipe), "out");
  x->bus = gst_element_get_bus (x->pipe);
  live_pipes = g_list_prepend (live_pipes, x);
  return x;
}

static void
pipe_free (Pipe * x)
{
  fail_unless_equals_int (gst_element_set_state (x->pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  pipe_release (x);
}

/* Counts the buffers colocompare took from a sink pad (the pad's
 * buffer-consumed signal, on the aggregate thread). */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint consumed;
} Consumed;

static void
on_buffer_consumed (GstAggregatorPad * pad, GstBuffer * buf, Consumed * c)
{
  g_mutex_lock (&c->lock);
  c->consumed++;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
}

/* Waits until @n buffers were consumed (the bound only turns a hang into a
 * failure). */
static void
consumed_wait (Consumed * c, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&c->lock);
  while (c->consumed < n)
    fail_unless (g_cond_wait_until (&c->cond, &c->lock, end),
        "%u of %u buffers consumed", c->consumed, n);
  g_mutex_unlock (&c->lock);
}

static GstBuffer *
app_push (GstAppSrc * src, GBytes * frame)
{
  GstBuffer *b = buf_from_bytes (frame);

  fail_unless_equals_int (gst_app_src_push_buffer (src, gst_buffer_ref (b)),
      GST_FLOW_OK);
  return b;                     /* the caller's ref */
}

static void
pipe_play (Pipe * x)
{
  GstState st;

  fail_if (gst_element_set_state (x->pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_get_state (x->pipe, &st, NULL,
          30 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (st, GST_STATE_PLAYING);
}

static GstMessage *
pipe_pop_checkpoint (Pipe * x)
{
  GstMessage *m;

  for (;;) {
    m = gst_bus_timed_pop_filtered (x->bus, 30 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    fail_unless (m != NULL, "no colo-checkpoint message");
    fail_if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR, "pipeline error");
    if (gst_message_has_name (m, "colo-checkpoint"))
      return m;
    gst_message_unref (m);
  }
}

/* (a) first frames all unmatched: PLAYING anyway, and a stale request */
GST_START_TEST (test_pipeline_unmatched_reaches_playing)
{
  Pipe *x = pipe_new ("appsink sync=false");
  GstBuffer *b;
  GstMessage *m;

  b = app_push (x->p, udp_def (1000, 0));
  gst_buffer_unref (b);
  pipe_play (x);
  m = pipe_pop_checkpoint (x);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "stale");
  fail_unless (compare_msg_time (m) >= 200 * GST_MSECOND);
  gst_message_unref (m);
  pipe_free (x);
}

GST_END_TEST;

static void
check_pipeline_match (const gchar * sink_desc)
{
  Pipe *x = pipe_new (sink_desc);
  GstBuffer *b[3];
  GstSample *sample;
  guint i;

  pipe_play (x);
  /* the secondary sends first, then stays idle */
  for (i = 0; i < 3; i++)
    gst_buffer_unref (app_push (x->s, udp_def (1000, i)));
  for (i = 0; i < 3; i++)
    b[i] = app_push (x->p, udp_def (1000, i));
  for (i = 0; i < 3; i++) {
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (x->sink),
        30 * GST_SECOND);
    fail_unless (sample != NULL, "%s: frame %u not released", sink_desc, i);
    /* appsrc may make the buffer's metadata writable (a shallow copy):
     * the frame's memory itself must be the one that was pushed */
    fail_unless (gst_buffer_peek_memory (gst_sample_get_buffer (sample),
            0) == gst_buffer_peek_memory (b[i], 0), "%s: frame %u copied",
        sink_desc, i);
    gst_sample_unref (sample);
    gst_buffer_unref (b[i]);
  }
  pipe_free (x);
}

/* (b) matched frames arrive while the secondary is idle (loop: __i__ is
 * the sink) */
static const gchar *const idle_secondary_sinks[] = {
  "appsink sync=false",
  "appsink sync=true",
};

GST_START_TEST (test_pipeline_idle_secondary)
{
  check_pipeline_match (idle_secondary_sinks[__i__]);
}

GST_END_TEST;

/* (c) EOS sent to the pipeline does not drop queued primaries */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint n;
} Counter;

static GstPadProbeReturn
count_buffers (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Counter *cnt = user_data;

  g_mutex_lock (&cnt->lock);
  cnt->n++;
  g_cond_broadcast (&cnt->cond);
  g_mutex_unlock (&cnt->lock);
  return GST_PAD_PROBE_OK;
}

static void
check_pipeline_eos (gboolean use_signal, const gchar * sink_desc)
{
  Pipe *x = pipe_new (sink_desc);
  GstPad *pad = gst_element_get_static_pad (x->c, "primary");
  gchar *name = g_strdup_printf ("%s%s", sink_desc,
      use_signal ? ", checkpoint-done" : "");
  Counter cnt;
  GstMessage *m;
  gint64 end;
  guint i;

  g_mutex_init (&cnt.lock);
  g_cond_init (&cnt.cond);
  cnt.n = 0;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers, &cnt, NULL);
  pipe_play (x);
  for (i = 0; i < 3; i++)
    gst_buffer_unref (app_push (x->p, udp_def (1000, i)));
  gst_buffer_unref (app_push (x->s, udp_def (1000, 7)));
  /* diverged: everything stays queued */
  gst_message_unref (pipe_pop_checkpoint (x));
  /* all primaries have left appsrc (whose own EOS handling would drop
   * what it still queues) */
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_mutex_lock (&cnt.lock);
  while (cnt.n < 3)
    fail_unless (g_cond_wait_until (&cnt.cond, &cnt.lock, end),
        "%s: primaries not delivered", name);
  g_mutex_unlock (&cnt.lock);

  fail_unless (gst_element_send_event (x->pipe, gst_event_new_eos ()),
      "%s: EOS not sent", name);
  if (use_signal) {
    g_signal_emit_by_name (x->c, "checkpoint-done");
  }
  gst_app_src_end_of_stream (x->p);
  gst_app_src_end_of_stream (x->s);
  gst_object_unref (pad);
  if (g_str_has_prefix (sink_desc, "appsink")) {
    /* appsink holds EOS back until its samples are pulled */
    for (i = 0; i < 3; i++) {
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK
          (x->sink), 30 * GST_SECOND);
      fail_unless (sample != NULL, "%s: primary %u lost", name, i);
      gst_sample_unref (sample);
    }
  }
  m = gst_bus_timed_pop_filtered (x->bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "%s: no EOS", name);
  fail_unless (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS, "%s: %" GST_PTR_FORMAT,
      name, m);
  gst_message_unref (m);
  {
    GstStructure *st;
    guint64 flushed = 0, dropped = 1;

    g_object_get (x->c, "stats", &st, NULL);
    gst_structure_get_uint64 (st, "flushed", &flushed);
    gst_structure_get_uint64 (st, "dropped", &dropped);
    fail_unless (flushed == 3, "%s: flushed %" G_GUINT64_FORMAT ", want 3",
        name, flushed);
    fail_unless (dropped == 0, "%s: dropped %" G_GUINT64_FORMAT ", want 0",
        name, dropped);
    gst_structure_free (st);
  }
  if (g_str_has_prefix (sink_desc, "fakesink")) {
    GstSample *last = NULL;

    g_object_get (x->sink, "last-sample", &last, NULL);
    fail_unless (last != NULL, "%s: no last sample", name);
    gst_sample_unref (last);
  }
  pipe_free (x);
  g_mutex_clear (&cnt.lock);
  g_cond_clear (&cnt.cond);
  g_free (name);
}

/* EOS sent to the pipeline, with checkpoint-done emitted or not (the
 * sink descriptions name the cases) */
typedef struct
{
  gboolean use_signal;
  const gchar *sink_desc;
} EosCase;

static const EosCase eos_cases[] = {
  {.use_signal = FALSE,.sink_desc = "appsink sync=false"},
  {.use_signal = TRUE,.sink_desc = "appsink sync=false"},
  /* (d) with fakesink (async by default) */
  {.use_signal = FALSE,.sink_desc = "fakesink enable-last-sample=true"},
  {.use_signal = TRUE,.sink_desc =
        "fakesink enable-last-sample=true sync=true"},
};

GST_START_TEST (test_pipeline_eos_keeps_primaries)
{
  check_pipeline_eos (eos_cases[__i__].use_signal, eos_cases[__i__].sink_desc);
}

GST_END_TEST;

/* (d) with fakesink (async by default) */
GST_START_TEST (test_pipeline_fakesink)
{
  Pipe *x = pipe_new ("fakesink");
  GstMessage *m;

  gst_buffer_unref (app_push (x->p, udp_def (1000, 0)));
  pipe_play (x);
  m = pipe_pop_checkpoint (x);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "stale");
  gst_message_unref (m);
  pipe_free (x);
}

GST_END_TEST;

/* (e) Going to PLAYING, the pipeline gives every element its clock and
 * queries the latency (which wakes the aggregate thread) before it sets
 * each child's base time, right before that child's own PAUSED→PLAYING.
 * A frame consumed in that window was stamped with the absolute clock time
 * (base time 0), so it never became stale and no checkpoint request was
 * ever posted.  The window is reproduced step by step: the clock is set on
 * the element and the latency queried while it is PAUSED. */
GST_START_TEST (test_pipeline_clock_before_base_time)
{
  /* queue: the async sink's preroll must not block our src thread */
  Pipe *x = pipe_new ("queue ! fakesink");
  GstPad *src = gst_element_get_static_pad (x->c, "src");
  GstPad *primary = gst_element_get_static_pad (x->c, "primary");
  GstClock *clock = gst_system_clock_obtain ();
  GstQuery *q = gst_query_new_latency ();
  GstMessage *m;
  Consumed consumed = { 0 };

  g_mutex_init (&consumed.lock);
  g_cond_init (&consumed.cond);
  g_object_set (primary, "emit-signals", TRUE, NULL);
  g_signal_connect (primary, "buffer-consumed",
      G_CALLBACK (on_buffer_consumed), &consumed);
  gst_buffer_unref (app_push (x->p, udp_def (1000, 0)));
  fail_if (gst_element_set_state (x->pipe, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  /* the pipeline's first steps towards PLAYING */
  fail_unless (gst_element_set_clock (x->c, clock));
  fail_unless (gst_pad_query (src, q));
  /* consumed (on the latency query's wake-up, or on its arrival if it
   * came after), with the element still PAUSED */
  consumed_wait (&consumed, 1);
  pipe_play (x);
  m = pipe_pop_checkpoint (x);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "stale");
  fail_unless (compare_msg_time (m) >= 200 * GST_MSECOND);
  gst_message_unref (m);
  gst_query_unref (q);
  gst_object_unref (clock);
  gst_object_unref (src);
  pipe_free (x);
  g_signal_handlers_disconnect_by_data (primary, &consumed);
  gst_object_unref (primary);
  g_mutex_clear (&consumed.lock);
  g_cond_clear (&consumed.cond);
}

GST_END_TEST;

/* (f) checkpoint-done and failover emitted on colocompare's own streaming
 * thread (callable from any thread, docs/design.md "Aggregator mechanics"): from a synchronous bus
 * handler reacting to colo-checkpoint, and from a probe on src.  They
 * used to wake the aggregate thread with a serialized event into the
 * primary pad, which takes that pad's stream lock; upstream holds it while
 * it waits in chain for the streaming thread to take its buffer, so both
 * threads waited for each other for good.  The callbacks below first wait
 * until upstream is blocked that way, then emit. */

#define SELF_CALL_FILLERS 20

/* A deadlock would hang the test's teardown too (the state change to NULL
 * joins the streaming thread): past this bound the watchdog ends the
 * process with a failure instead. */
#define WATCHDOG_US (90 * G_USEC_PER_SEC)

struct _Watchdog
{
  GMutex lock;
  GCond cond;
  gboolean done;
  const gchar *what;
  GThread *thread;
};

static gpointer
watchdog_run (gpointer data)
{
  Watchdog *w = data;
  gint64 end = g_get_monotonic_time () + WATCHDOG_US;

  g_mutex_lock (&w->lock);
  while (!w->done) {
    if (!g_cond_wait_until (&w->cond, &w->lock, end)) {
      g_printerr ("FAIL: %s: not done after %d s (deadlock)\n", w->what,
          (gint) (WATCHDOG_US / G_USEC_PER_SEC));
      _exit (1);
    }
  }
  g_mutex_unlock (&w->lock);
  return NULL;
}

static Watchdog *
watchdog_start (const gchar * what)
{
  Watchdog *w = g_new0 (Watchdog, 1);

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->what = what;
  w->thread = g_thread_new ("watchdog", watchdog_run, w);
  live_watchdog = w;
  return w;
}

static void
watchdog_stop (Watchdog * w)
{
  g_mutex_lock (&w->lock);
  w->done = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  if (live_watchdog == w)
    live_watchdog = NULL;
  g_free (w);
}

/* What a callback on the streaming thread does, and what it saw. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstElement *c;                /* colocompare */
  GstPad *primary;              /* its primary pad */
  const gchar *signal;          /* the action signal to emit */
  gboolean every_time;          /* or only the first time */
  gboolean entered;             /* the callback ran */
  gboolean upstream_blocked;    /* upstream held the primary's stream lock */
  guint emitted;
} SelfCall;

static void
self_call_clear (SelfCall * sc)
{
  gst_object_unref (sc->primary);
  gst_object_unref (sc->c);
  g_mutex_clear (&sc->lock);
  g_cond_clear (&sc->cond);
}

static void
self_call_unref (gpointer sc)
{
  g_atomic_rc_box_release_full (sc, (GDestroyNotify) self_call_clear);
}

static SelfCall *
self_call_new (GstElement * c, const gchar * signal, gboolean every_time)
{
  SelfCall *sc = g_atomic_rc_box_new0 (SelfCall);

  g_mutex_init (&sc->lock);
  g_cond_init (&sc->cond);
  sc->c = gst_object_ref (c);
  sc->primary = gst_element_get_static_pad (c, "primary");
  sc->signal = signal;
  sc->every_time = every_time;
  return sc;
}

/* Whether another thread holds @pad's stream lock and keeps it (upstream
 * waiting in chain), polled for a bounded time. */
static gboolean
stream_lock_kept_by_upstream (GstPad * pad)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint held = 0;

  while (held < 20) {
    if (GST_PAD_STREAM_TRYLOCK (pad)) {
      GST_PAD_STREAM_UNLOCK (pad);
      held = 0;
    } else {
      held++;
    }
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (1000);
  }
  return TRUE;
}

/* Runs on colocompare's streaming thread. */
static void
self_call (SelfCall * sc)
{
  gboolean first;

  g_mutex_lock (&sc->lock);
  first = !sc->entered;
  sc->entered = TRUE;
  g_cond_broadcast (&sc->cond);
  g_mutex_unlock (&sc->lock);
  if (!first && !sc->every_time)
    return;
  if (first) {
    /* the test now feeds the primary: nobody takes its frames while we
     * are here, so appsrc's thread ends up waiting in chain */
    gboolean blocked = stream_lock_kept_by_upstream (sc->primary);

    g_mutex_lock (&sc->lock);
    sc->upstream_blocked = blocked;
    g_mutex_unlock (&sc->lock);
  }
  g_signal_emit_by_name (sc->c, sc->signal);
  g_mutex_lock (&sc->lock);
  sc->emitted++;
  g_mutex_unlock (&sc->lock);
}

static void
self_call_wait_entered (SelfCall * sc)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&sc->lock);
  while (!sc->entered)
    fail_unless (g_cond_wait_until (&sc->cond, &sc->lock, end),
        "the callback never ran");
  g_mutex_unlock (&sc->lock);
}

static GstBusSyncReply
self_call_on_message (GstBus * bus, GstMessage * m, gpointer user_data)
{
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (m, "colo-checkpoint"))
    self_call (user_data);
  return GST_BUS_PASS;
}

static GstPadProbeReturn
self_call_on_data (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  self_call (user_data);
  return GST_PAD_PROBE_OK;
}

/* Feeds the primary (and, if @matched, the secondary) with the fillers
 * once the callback runs; every primary frame (@n in all) must come out
 * exactly once, none dropped. */
static void
self_call_finish (Pipe * x, SelfCall * sc, gboolean matched, guint n)
{
  guint i;

  self_call_wait_entered (sc);
  for (i = 0; i < SELF_CALL_FILLERS; i++) {
    gst_buffer_unref (app_push (x->p, udp_def (2000, i)));
    if (matched)
      gst_buffer_unref (app_push (x->s, udp_def (2000, i)));
  }
  for (i = 0; i < n; i++) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (x->sink),
        30 * GST_SECOND);

    fail_unless (sample != NULL, "frame %u of %u not released", i, n);
    gst_sample_unref (sample);
  }
  g_mutex_lock (&sc->lock);
  fail_unless (sc->upstream_blocked, "upstream never blocked in chain");
  fail_unless (sc->emitted >= 1);
  g_mutex_unlock (&sc->lock);
  fail_unless_equals_uint64 (compare_released_total (x->c), n);
  fail_unless_equals_uint64 (compare_stat (x->c, "dropped"), 0);
}

GST_START_TEST (test_pipeline_action_from_sync_bus_handler)
{
  Pipe *x = pipe_new ("appsink sync=false");
  SelfCall *sc = self_call_new (x->c, "checkpoint-done", TRUE);
  Watchdog *w = watchdog_start ("checkpoint-done from a sync bus handler");

  gst_bus_set_sync_handler (x->bus, self_call_on_message,
      g_atomic_rc_box_acquire (sc), self_call_unref);
  pipe_play (x);
  /* a divergence: the handler answers it on the streaming thread */
  gst_buffer_unref (app_push (x->p, udp_def (1000, 0)));
  gst_buffer_unref (app_push (x->s, udp_def (1000, 1)));
  self_call_finish (x, sc, TRUE, 1 + SELF_CALL_FILLERS);
  fail_unless (compare_stat (x->c, "flushed") >= 1);
  gst_bus_set_sync_handler (x->bus, NULL, NULL, NULL);
  pipe_free (x);
  watchdog_stop (w);
  self_call_unref (sc);
}

GST_END_TEST;

GST_START_TEST (test_pipeline_action_from_src_probe)
{
  Pipe *x = pipe_new ("appsink sync=false");
  SelfCall *sc = self_call_new (x->c, "failover", FALSE);
  Watchdog *w = watchdog_start ("failover from a probe on src");
  GstPad *src = gst_element_get_static_pad (x->c, "src");
  gulong probe = gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, self_call_on_data,
      g_atomic_rc_box_acquire (sc), self_call_unref);

  pipe_play (x);
  /* a matched pair: the probe sees it go out and fails over; the fillers
   * then have no secondary and are forwarded */
  gst_buffer_unref (app_push (x->p, udp_def (3000, 0)));
  gst_buffer_unref (app_push (x->s, udp_def (3000, 0)));
  self_call_finish (x, sc, FALSE, 1 + SELF_CALL_FILLERS);
  fail_unless_equals_uint64 (compare_stat (x->c, "passed-through") +
      compare_stat (x->c, "flushed"), SELF_CALL_FILLERS);
  /* the probe's SelfCall holds the element */
  gst_pad_remove_probe (src, probe);
  gst_object_unref (src);
  pipe_free (x);
  watchdog_stop (w);
  self_call_unref (sc);
}

GST_END_TEST;

static Suite *
colocompare_suite (void)
{
  Suite *s = suite_create ("colocompare");
  TCase *tc = tcase_create ("harness");
  TCase *tp = tcase_create ("pipeline");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, leftovers_teardown);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_udp_fifo_zero_copy);
  tcase_add_test (tc, test_secondary_first);
  tcase_add_test (tc, test_icmp);
  tcase_add_loop_test (tc, test_tcp_resegment, 0,
      G_N_ELEMENTS (resegment_cases));
  tcase_add_test (tc, test_batched_release_udp);
  tcase_add_test (tc, test_tcp_retransmission);
  tcase_add_test (tc, test_tcp_pure_ack);
  tcase_add_test (tc, test_tcp_ack_gating);
  tcase_add_test (tc, test_tcp_port_reuse_compared);
  tcase_add_test (tc, test_tcp_port_reuse_isn_ahead);
  tcase_add_test (tc, test_tcp_repeated_rst_released);
  tcase_add_test (tc, test_udp_miscompare);
  tcase_add_test (tc, test_tcp_miscompare);
  tcase_add_test (tc, test_once_per_episode);
  tcase_add_test (tc, test_repost_per_scan_cycle);
  tcase_add_loop_test (tc, test_stale, COLO_SIDE_PRIMARY,
      COLO_SIDE_SECONDARY + 1);
  tcase_add_test (tc, test_queue_full);
  tcase_add_test (tc, test_queue_full_judged_per_batch);
  tcase_add_test (tc, test_auto_release);
  tcase_add_test (tc, test_failover);
  tcase_add_test (tc, test_ipv6);
  tcase_add_test (tc, test_vlan);
  tcase_add_test (tc, test_arp);
  tcase_add_test (tc, test_vnet_hdr);
  tcase_add_test (tc, test_vnet_hdr_change_with_held_frames);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_eos_both_drain);
  tcase_add_test (tc, test_eos_one_pad);
  tcase_add_test (tc, test_eos_primary_first);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_null_with_queued);
  tcase_add_test (tc, test_teardown_with_queued);
  tcase_add_test (tc, test_stats);
  tcase_add_test (tc, test_idle_timeout);
  tcase_add_test (tc, test_two_instances);

  suite_add_tcase (s, tp);
  tcase_add_checked_fixture (tp, NULL, leftovers_teardown);
  tcase_add_test (tp, test_pipeline_unmatched_reaches_playing);
  tcase_add_loop_test (tp, test_pipeline_idle_secondary, 0,
      G_N_ELEMENTS (idle_secondary_sinks));
  tcase_add_loop_test (tp, test_pipeline_eos_keeps_primaries, 0,
      G_N_ELEMENTS (eos_cases));
  tcase_add_test (tp, test_pipeline_fakesink);
  tcase_add_test (tp, test_pipeline_clock_before_base_time);
  tcase_add_test (tp, test_pipeline_action_from_sync_bus_handler);
  tcase_add_test (tp, test_pipeline_action_from_src_probe);
  return s;
}

GST_CHECK_MAIN (colocompare);
