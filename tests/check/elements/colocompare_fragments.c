/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* colocompare and IP fragments (docs/design.md, "IP fragments"): a
 * primary that fragments at another MTU than the secondary still matches,
 * with no checkpoint request, and the primary's own fragments go out
 * unmodified and in order, as frames and as records.  GstHarness on a
 * GstTestClock. */

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>

#include "colo-framing.h"
#include "frames.h"

#define WAIT_US (120 * G_USEC_PER_SEC)

#define RECORDS "application/x-colo-records, vnet-hdr=(boolean)false"
#define FRAMES "application/x-ethernet, vnet-hdr-len=(int)0"

typedef struct
{
  GstHarness *hp, *hs;
  GstElement *e;
  GstBus *bus;
  GstTestClock *clock;
  guint64 in[2];                /* frames pushed per side */
} Ctx;

static GList *live_ctxs;

static guint64
stat (GstElement * e, const gchar * name)
{
  GstStructure *s = NULL;
  guint64 v = 0;

  g_object_get (e, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, name, &v), "no stat %s", name);
  gst_structure_free (s);
  return v;
}

static void
pump_until_stat (Ctx * c, const gchar * name, guint64 value)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  while (stat (c->e, name) < value) {
    GstClockID id;

    fail_if (g_get_monotonic_time () > end, "timed out waiting for %s", name);
    id = gst_test_clock_process_next_clock_id (c->clock);
    if (id)
      gst_clock_id_unref (id);
    else
      gst_test_clock_timed_wait_for_multiple_pending_ids (c->clock, 1, 2, NULL);
  }
}

/* Moves the test clock to t and fires every wait due by then. */
static void
advance_to (Ctx * c, GstClockTime t)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  if (t > gst_clock_get_time (GST_CLOCK (c->clock)))
    gst_test_clock_set_time (c->clock, t);
  for (;;) {
    GstClockID id = NULL;

    fail_if (g_get_monotonic_time () > end, "timed out advancing clock");
    if (!gst_test_clock_timed_wait_for_multiple_pending_ids (c->clock, 1,
            200, NULL))
      return;
    if (!gst_test_clock_peek_next_pending_id (c->clock, &id))
      continue;
    if (gst_clock_id_get_time (id) > t) {
      gst_clock_id_unref (id);
      return;
    }
    gst_clock_id_unref (id);
    id = gst_test_clock_process_next_clock_id (c->clock);
    if (id)
      gst_clock_id_unref (id);
  }
}

static Ctx *
ctx_new (const gchar * caps, const gchar * first_prop, ...)
{
  Ctx *c = g_new0 (Ctx, 1);
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  va_list ap;

  fail_unless (e != NULL);
  if (first_prop) {
    va_start (ap, first_prop);
    g_object_set_valist (G_OBJECT (e), first_prop, ap);
    va_end (ap);
  }
  c->hp = gst_harness_new_with_element (e, "primary", "src");
  c->hs = gst_harness_new_with_element (e, "secondary", NULL);
  gst_object_unref (e);
  c->e = c->hp->element;
  c->bus = gst_bus_new ();
  gst_element_set_bus (c->e, c->bus);
  c->clock = gst_harness_get_testclock (c->hp);
  gst_harness_set_src_caps_str (c->hp, caps);
  gst_harness_set_src_caps_str (c->hs, caps);
  live_ctxs = g_list_prepend (live_ctxs, c);
  return c;
}

static void
ctx_free (Ctx * c)
{
  live_ctxs = g_list_remove (live_ctxs, c);
  gst_element_set_bus (c->e, NULL);
  gst_bus_set_flushing (c->bus, TRUE);
  gst_object_unref (c->bus);
  gst_object_unref (c->clock);
  gst_harness_teardown (c->hs);
  gst_harness_teardown (c->hp);
  g_free (c);
}

static void
leftovers_teardown (void)
{
  while (live_ctxs)
    ctx_free (live_ctxs->data);
}

static void
push (Ctx * c, gint side, GstBuffer * buf, guint n_frames)
{
  fail_unless_equals_int (gst_harness_push (side ? c->hs : c->hp, buf),
      GST_FLOW_OK);
  c->in[side] += n_frames;
  pump_until_stat (c, side ? "secondary-packets" : "primary-packets",
      c->in[side]);
}

static GstBuffer *
buf_from_bytes (GBytes * b)
{
  return gst_buffer_new_wrapped_bytes (b);
}

/* Frames framed as records into one buffer (no vnet word) */
static GstBuffer *
records (GBytes ** frames, guint n)
{
  GByteArray *a = g_byte_array_new ();
  gsize len;
  guint i;

  for (i = 0; i < n; i++) {
    gsize size;
    const guint8 *d = g_bytes_get_data (frames[i], &size);
    guint8 hdr[8];
    guint hl = colo_framing_write_header (hdr, size, FALSE, 0);

    g_byte_array_append (a, hdr, hl);
    g_byte_array_append (a, d, size);
  }
  len = a->len;
  return gst_buffer_new_wrapped (g_byte_array_free (a, FALSE), len);
}

/* A UDP datagram of `len` pattern bytes, byte `flip` changed (if < len) */
static GBytes *
udp_datagram (gboolean ipv6, guint16 sport, gsize len, gsize flip)
{
  FrameOpts o;
  guint8 *payload = pattern_bytes (sport, len);
  GBytes *b;

  frame_opts_init (&o);
  o.ipv6 = ipv6;
  if (ipv6) {
    o.src = "fd00::1";
    o.dst = "fd00::2";
  }
  if (flip < len)
    payload[flip] ^= 0x5a;
  b = frame_udp (&o, sport, 53, payload, len);
  g_free (payload);
  return b;
}

static GPtrArray *
fragments (gboolean ipv6, guint16 sport, gsize len, guint mtu, gsize flip,
    guint32 id)
{
  GBytes *d = udp_datagram (ipv6, sport, len, flip);
  GPtrArray *f = frame_fragments (d, 0, mtu, id);

  g_bytes_unref (d);
  return f;
}

static void
no_checkpoint_message (Ctx * c)
{
  GstMessage *m = gst_bus_pop_filtered (c->bus, GST_MESSAGE_ELEMENT);

  fail_unless (m == NULL, "unexpected message %" GST_PTR_FORMAT, m);
  fail_unless_equals_uint64 (stat (c->e, "checkpoints-requested"), 0);
}

static GstMessage *
pop_checkpoint (Ctx * c)
{
  for (;;) {
    GstMessage *m = gst_bus_timed_pop_filtered (c->bus, 10 * GST_SECOND,
        GST_MESSAGE_ELEMENT);

    fail_unless (m != NULL, "no colo-checkpoint message");
    if (gst_message_has_name (m, "colo-checkpoint"))
      return m;
    gst_message_unref (m);
  }
}

/* The case as frames: three IPv4 datagrams fragmented at an MTU of
 * 1000 on the primary and 1500 on the secondary, and an IPv6 one at 1280
 * against 1500.  No checkpoint request; the primary's own buffers come
 * out, unmodified, in order. */
GST_START_TEST (test_frames_mtu_1000_vs_1500)
{
  Ctx *c = ctx_new (FRAMES, NULL);
  GPtrArray *pf[4], *sf[4];
  GPtrArray *pushed = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  guint d, i, np = 0, ns = 0;

  for (d = 0; d < 4; d++) {
    gboolean ipv6 = d == 3;

    pf[d] = fragments (ipv6, 5000 + d, 4000, ipv6 ? 1280 : 1000, G_MAXSIZE,
        d + 1);
    sf[d] = fragments (ipv6, 5000 + d, 4000, 1500, G_MAXSIZE, d + 100);
    fail_unless (pf[d]->len > sf[d]->len);
  }
  for (d = 0; d < 4; d++)
    for (i = 0; i < pf[d]->len; i++) {
      GstBuffer *b = buf_from_bytes (g_ptr_array_index (pf[d], i));

      g_ptr_array_add (pushed, gst_buffer_ref (b));
      push (c, 0, b, 1);
      np++;
    }
  fail_unless (gst_harness_try_pull (c->hp) == NULL);
  fail_unless_equals_uint64 (stat (c->e, "queued-primary"), np);
  for (d = 0; d < 4; d++)
    for (i = 0; i < sf[d]->len; i++) {
      push (c, 1, buf_from_bytes (g_ptr_array_index (sf[d], i)), 1);
      ns++;
    }

  for (i = 0; i < np; i++) {
    GstBuffer *out = gst_harness_pull (c->hp);

    fail_unless (out == g_ptr_array_index (pushed, i),
        "fragment %u: not the primary's buffer, or out of order", i);
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (c->hp) == NULL);
  no_checkpoint_message (c);
  fail_unless_equals_uint64 (stat (c->e, "released"), np);
  fail_unless_equals_uint64 (stat (c->e, "fragments"), np + ns);
  fail_unless_equals_uint64 (stat (c->e, "reassembled"), 8);
  fail_unless_equals_uint64 (stat (c->e, "miscompares"), 0);
  fail_unless_equals_uint64 (stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (stat (c->e, "queued-secondary"), 0);

  for (d = 0; d < 4; d++) {
    g_ptr_array_unref (pf[d]);
    g_ptr_array_unref (sf[d]);
  }
  g_ptr_array_unref (pushed);
  ctx_free (c);
}

GST_END_TEST;

/* Pulls everything released into one byte array (waiting until `bytes`
 * came); *n_buffers: how many buffers. */
static GByteArray *
pull_bytes (Ctx * c, gsize bytes, guint * n_buffers)
{
  GByteArray *a = g_byte_array_new ();
  GstBuffer *out;

  *n_buffers = 0;
  while ((out = a->len < bytes ? gst_harness_pull (c->hp) :
          gst_harness_try_pull (c->hp))) {
    GstMapInfo map;

    gst_buffer_map (out, &map, GST_MAP_READ);
    g_byte_array_append (a, map.data, map.size);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    (*n_buffers)++;
  }
  return a;
}

/* Records: the primary's batch [A, fragments of D, B] against the
 * secondary's [A, D cut at 1500, B]: everything matches, and the batch
 * goes out as it came (one buffer). */
GST_START_TEST (test_records_whole_batch)
{
  Ctx *c = ctx_new (RECORDS, NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GPtrArray *sf = fragments (FALSE, 5000, 4000, 1500, G_MAXSIZE, 2);
  GBytes *a = udp_datagram (FALSE, 7000, 10, G_MAXSIZE);
  GBytes *b = udp_datagram (FALSE, 7001, 20, G_MAXSIZE);
  GPtrArray *pl = g_ptr_array_new (), *sl = g_ptr_array_new ();
  GstBuffer *pbuf;
  GstMapInfo map;
  GByteArray *got;
  guint i, n;

  g_ptr_array_add (pl, a);
  g_ptr_array_add (sl, a);
  for (i = 0; i < pf->len; i++)
    g_ptr_array_add (pl, g_ptr_array_index (pf, i));
  for (i = 0; i < sf->len; i++)
    g_ptr_array_add (sl, g_ptr_array_index (sf, i));
  g_ptr_array_add (pl, b);
  g_ptr_array_add (sl, b);

  pbuf = records ((GBytes **) pl->pdata, pl->len);
  push (c, 0, gst_buffer_ref (pbuf), pl->len);
  push (c, 1, records ((GBytes **) sl->pdata, sl->len), sl->len);

  got = pull_bytes (c, gst_buffer_get_size (pbuf), &n);
  fail_unless_equals_int (n, 1);
  gst_buffer_map (pbuf, &map, GST_MAP_READ);
  fail_unless_equals_uint64 (got->len, map.size);
  fail_unless (memcmp (got->data, map.data, map.size) == 0);
  gst_buffer_unmap (pbuf, &map);
  no_checkpoint_message (c);
  fail_unless_equals_uint64 (stat (c->e, "released"), pl->len);
  fail_unless_equals_uint64 (stat (c->e, "reassembled"), 2);

  g_byte_array_unref (got);
  gst_buffer_unref (pbuf);
  g_ptr_array_unref (pl);
  g_ptr_array_unref (sl);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  g_bytes_unref (a);
  g_bytes_unref (b);
  ctx_free (c);
}

GST_END_TEST;

/* Records: the primary's batch [F0, A, F1, F2] (A another flow, between
 * the fragments of D); the secondary sends A first, then D cut otherwise.
 * Released: A, then D's fragments in order, each record whole. */
GST_START_TEST (test_records_interleaved)
{
  Ctx *c = ctx_new (RECORDS, NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 2500, 1000, G_MAXSIZE, 1);
  GPtrArray *sf = fragments (FALSE, 5000, 2500, 1500, G_MAXSIZE, 2);
  GBytes *a = udp_datagram (FALSE, 7000, 10, G_MAXSIZE);
  GBytes *pl[4], *want[4];
  GByteArray *expected = g_byte_array_new (), *got;
  GstBuffer *wbuf;
  GstMapInfo map;
  guint n;

  fail_unless_equals_int (pf->len, 3);
  pl[0] = g_ptr_array_index (pf, 0);
  pl[1] = a;
  pl[2] = g_ptr_array_index (pf, 1);
  pl[3] = g_ptr_array_index (pf, 2);
  push (c, 0, records (pl, 4), 4);
  push (c, 1, records (&a, 1), 1);
  push (c, 1, records ((GBytes **) sf->pdata, sf->len), sf->len);

  want[0] = a;
  want[1] = pl[0];
  want[2] = pl[2];
  want[3] = pl[3];
  wbuf = records (want, 4);
  gst_buffer_map (wbuf, &map, GST_MAP_READ);
  g_byte_array_append (expected, map.data, map.size);
  gst_buffer_unmap (wbuf, &map);
  gst_buffer_unref (wbuf);
  got = pull_bytes (c, expected->len, &n);
  fail_unless_equals_uint64 (got->len, expected->len);
  fail_unless (memcmp (got->data, expected->data, got->len) == 0,
      "released records differ from A, F0, F1, F2");
  /* A alone; F0 alone; F1 and F2 contiguous: one region */
  fail_unless_equals_int (n, 3);
  no_checkpoint_message (c);

  g_byte_array_unref (got);
  g_byte_array_unref (expected);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  g_bytes_unref (a);
  ctx_free (c);
}

GST_END_TEST;

/* A difference in the last fragment: a miscompare naming the datagram's
 * flow and the offset in its UDP payload; checkpoint-done then releases
 * the primary's fragments in order. */
GST_START_TEST (test_miscompare_offset)
{
  Ctx *c = ctx_new (FRAMES, NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GPtrArray *sf = fragments (FALSE, 5000, 4000, 1500, 3990, 2);
  GPtrArray *pushed = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstMessage *m;
  guint i, v = 0;

  for (i = 0; i < pf->len; i++) {
    GstBuffer *b = buf_from_bytes (g_ptr_array_index (pf, i));

    g_ptr_array_add (pushed, gst_buffer_ref (b));
    push (c, 0, b, 1);
  }
  for (i = 0; i < sf->len; i++)
    push (c, 1, buf_from_bytes (g_ptr_array_index (sf, i)), 1);
  m = pop_checkpoint (c);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "miscompare");
  fail_unless (gst_structure_get_uint (gst_message_get_structure (m),
          "offset", &v));
  fail_unless_equals_int (v, 3990);
  fail_unless (gst_structure_get_uint (gst_message_get_structure (m),
          "src-port", &v));
  fail_unless_equals_int (v, 5000);
  gst_message_unref (m);
  fail_unless (gst_harness_try_pull (c->hp) == NULL);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  pump_until_stat (c, "flushed", pf->len);
  for (i = 0; i < pf->len; i++) {
    GstBuffer *out = gst_harness_pull (c->hp);

    fail_unless (out == g_ptr_array_index (pushed, i));
    gst_buffer_unref (out);
  }
  g_ptr_array_unref (pushed);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  ctx_free (c);
}

GST_END_TEST;

/* A datagram whose other fragments never come: a stale request within
 * compare-timeout + expired-scan-cycle of its first fragment. */
GST_START_TEST (test_incomplete_goes_stale)
{
  const guint T = 100, C = 30;
  Ctx *c = ctx_new (FRAMES, "compare-timeout", T, "expired-scan-cycle", C,
      NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GstClockTime t, start = 7 * GST_MSECOND;
  GstBuffer *first;
  GstMessage *m;

  advance_to (c, start);
  first = buf_from_bytes (g_ptr_array_index (pf, 0));
  push (c, 0, gst_buffer_ref (first), 1);
  for (t = start + GST_MSECOND;
      stat (c->e, "checkpoints-requested") == 0; t += GST_MSECOND) {
    fail_unless (t <= start + (T + C) * GST_MSECOND, "no stale request");
    advance_to (c, t);
  }
  fail_unless (t > start + T * GST_MSECOND);
  m = pop_checkpoint (c);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "stale");
  gst_message_unref (m);
  fail_unless_equals_uint64 (stat (c->e, "reassembly-failed"), 1);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  pump_until_stat (c, "flushed", 1);
  {
    GstBuffer *out = gst_harness_pull (c->hp);

    fail_unless (out == first);
    gst_buffer_unref (out);
  }
  gst_buffer_unref (first);
  g_ptr_array_unref (pf);
  ctx_free (c);
}

GST_END_TEST;

static Suite *
colocompare_fragments_suite (void)
{
  Suite *s = suite_create ("colocompare-fragments");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, leftovers_teardown);
  tcase_add_test (tc, test_frames_mtu_1000_vs_1500);
  tcase_add_test (tc, test_records_whole_batch);
  tcase_add_test (tc, test_records_interleaved);
  tcase_add_test (tc, test_miscompare_offset);
  tcase_add_test (tc, test_incomplete_goes_stale);
  return s;
}

GST_CHECK_MAIN (colocompare_fragments);
