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

#include "colo-framing.h"
#include "colocompare_harness.h"
#include "frames.h"

#define RECORDS "application/x-colo-records, vnet-hdr=(boolean)false"
#define FRAMES "application/x-ethernet, vnet-hdr-len=(int)0"
#define P COLO_SIDE_PRIMARY
#define S COLO_SIDE_SECONDARY

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
  return frame_udp_pattern (ipv6, sport, 1, sport, len, flip);
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

/* No colo-checkpoint message and no request counted */
static void
no_checkpoint_message (CompareHarness * c)
{
  compare_harness_no_checkpoint (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "checkpoints-requested"), 0);
}

/* The case as frames: three IPv4 datagrams fragmented at an MTU of
 * 1000 on the primary and 1500 on the secondary, and an IPv6 one at 1280
 * against 1500.  No checkpoint request; the primary's own buffers come
 * out, unmodified, in order. */
GST_START_TEST (test_frames_mtu_1000_vs_1500)
{
  CompareHarness *c = compare_harness_new_with_properties (FRAMES, NULL);
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
      compare_harness_push (c, P, b, 1);
      np++;
    }
  fail_unless (gst_harness_try_pull (c->h[P]) == NULL);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), np);
  for (d = 0; d < 4; d++)
    for (i = 0; i < sf[d]->len; i++) {
      compare_harness_push (c, S, buf_from_bytes (g_ptr_array_index (sf[d], i)),
          1);
      ns++;
    }

  for (i = 0; i < np; i++) {
    GstBuffer *out = gst_harness_pull (c->h[P]);

    fail_unless (out == g_ptr_array_index (pushed, i),
        "fragment %u: not the primary's buffer, or out of order", i);
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (c->h[P]) == NULL);
  no_checkpoint_message (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "released"), np);
  fail_unless_equals_uint64 (compare_stat (c->e, "fragments"), np + ns);
  fail_unless_equals_uint64 (compare_stat (c->e, "reassembled"), 8);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-secondary"), 0);

  for (d = 0; d < 4; d++) {
    g_ptr_array_unref (pf[d]);
    g_ptr_array_unref (sf[d]);
  }
  g_ptr_array_unref (pushed);
  compare_harness_free (c);
}

GST_END_TEST;

/* reassembly-max-bytes=0: fragments are compared one by one, so the same
 * traffic is a (false) miscompare: the property reaches the comparator. */
GST_START_TEST (test_reassembly_off)
{
  CompareHarness *c = compare_harness_new_with_properties (FRAMES,
      "reassembly-max-bytes", 0, NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GPtrArray *sf = fragments (FALSE, 5000, 4000, 1500, G_MAXSIZE, 2);
  GstMessage *m;
  guint i, v = 1;

  g_object_get (c->e, "reassembly-max-bytes", &v, NULL);
  fail_unless_equals_int (v, 0);
  for (i = 0; i < pf->len; i++)
    compare_harness_push (c, P, buf_from_bytes (g_ptr_array_index (pf, i)), 1);
  for (i = 0; i < sf->len; i++)
    compare_harness_push (c, S, buf_from_bytes (g_ptr_array_index (sf, i)), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  gst_message_unref (m);
  fail_unless_equals_uint64 (compare_stat (c->e, "fragments"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "reassembled"), 0);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  compare_harness_free (c);
}

GST_END_TEST;

/* Records: the primary's batch [A, fragments of D, B] against the
 * secondary's [A, D cut at 1500, B]: everything matches, and the batch
 * goes out as it came (one buffer). */
GST_START_TEST (test_records_whole_batch)
{
  CompareHarness *c = compare_harness_new_with_properties (RECORDS, NULL);
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
  compare_harness_push (c, P, gst_buffer_ref (pbuf), pl->len);
  compare_harness_push (c, S, records ((GBytes **) sl->pdata, sl->len),
      sl->len);

  got = compare_harness_pull_bytes (c, gst_buffer_get_size (pbuf), &n);
  fail_unless_equals_int (n, 1);
  gst_buffer_map (pbuf, &map, GST_MAP_READ);
  fail_unless_equals_uint64 (got->len, map.size);
  fail_unless (memcmp (got->data, map.data, map.size) == 0);
  gst_buffer_unmap (pbuf, &map);
  no_checkpoint_message (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "released"), pl->len);
  fail_unless_equals_uint64 (compare_stat (c->e, "reassembled"), 2);

  g_byte_array_unref (got);
  gst_buffer_unref (pbuf);
  g_ptr_array_unref (pl);
  g_ptr_array_unref (sl);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  g_bytes_unref (a);
  g_bytes_unref (b);
  compare_harness_free (c);
}

GST_END_TEST;

/* Records: the primary's batch [F0, A, F1, F2] (A another flow, between
 * the fragments of D); the secondary sends A first, then D cut otherwise.
 * Released: A, then D's fragments in order, each record whole. */
GST_START_TEST (test_records_interleaved)
{
  CompareHarness *c = compare_harness_new_with_properties (RECORDS, NULL);
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
  compare_harness_push (c, P, records (pl, 4), 4);
  compare_harness_push (c, S, records (&a, 1), 1);
  compare_harness_push (c, S, records ((GBytes **) sf->pdata, sf->len),
      sf->len);

  want[0] = a;
  want[1] = pl[0];
  want[2] = pl[2];
  want[3] = pl[3];
  wbuf = records (want, 4);
  gst_buffer_map (wbuf, &map, GST_MAP_READ);
  g_byte_array_append (expected, map.data, map.size);
  gst_buffer_unmap (wbuf, &map);
  gst_buffer_unref (wbuf);
  got = compare_harness_pull_bytes (c, expected->len, &n);
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
  compare_harness_free (c);
}

GST_END_TEST;

/* A difference in the last fragment: a miscompare naming the datagram's
 * flow and the offset in its UDP payload; checkpoint-done then releases
 * the primary's fragments in order. */
GST_START_TEST (test_miscompare_offset)
{
  CompareHarness *c = compare_harness_new_with_properties (FRAMES, NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GPtrArray *sf = fragments (FALSE, 5000, 4000, 1500, 3990, 2);
  GPtrArray *pushed = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  GstMessage *m;
  guint i, v = 0;

  for (i = 0; i < pf->len; i++) {
    GstBuffer *b = buf_from_bytes (g_ptr_array_index (pf, i));

    g_ptr_array_add (pushed, gst_buffer_ref (b));
    compare_harness_push (c, P, b, 1);
  }
  for (i = 0; i < sf->len; i++)
    compare_harness_push (c, S, buf_from_bytes (g_ptr_array_index (sf, i)), 1);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "miscompare");
  fail_unless (gst_structure_get_uint (gst_message_get_structure (m),
          "offset", &v));
  fail_unless_equals_int (v, 3990);
  fail_unless (gst_structure_get_uint (gst_message_get_structure (m),
          "src-port", &v));
  fail_unless_equals_int (v, 5000);
  gst_message_unref (m);
  fail_unless (gst_harness_try_pull (c->h[P]) == NULL);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", pf->len);
  for (i = 0; i < pf->len; i++) {
    GstBuffer *out = gst_harness_pull (c->h[P]);

    fail_unless (out == g_ptr_array_index (pushed, i));
    gst_buffer_unref (out);
  }
  g_ptr_array_unref (pushed);
  g_ptr_array_unref (pf);
  g_ptr_array_unref (sf);
  compare_harness_free (c);
}

GST_END_TEST;

/* A datagram whose other fragments never come: a stale request within
 * compare-timeout + expired-scan-cycle of its first fragment. */
GST_START_TEST (test_incomplete_goes_stale)
{
  const guint T = 100, C = 30;
  CompareHarness *c =
      compare_harness_new_with_properties (FRAMES, "compare-timeout", T,
      "expired-scan-cycle", C,
      NULL);
  GPtrArray *pf = fragments (FALSE, 5000, 4000, 1000, G_MAXSIZE, 1);
  GstClockTime t, start = 7 * GST_MSECOND;
  GstBuffer *first;
  GstMessage *m;

  compare_harness_advance_to (c, start);
  first = buf_from_bytes (g_ptr_array_index (pf, 0));
  compare_harness_push (c, P, gst_buffer_ref (first), 1);
  for (t = start + GST_MSECOND;
      compare_stat (c->e, "checkpoints-requested") == 0; t += GST_MSECOND) {
    fail_unless (t <= start + (T + C) * GST_MSECOND, "no stale request");
    compare_harness_advance_to (c, t);
  }
  fail_unless (t > start + T * GST_MSECOND);
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "stale");
  gst_message_unref (m);
  fail_unless_equals_uint64 (compare_stat (c->e, "reassembly-failed"), 1);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", 1);
  {
    GstBuffer *out = gst_harness_pull (c->h[P]);

    fail_unless (out == first);
    gst_buffer_unref (out);
  }
  gst_buffer_unref (first);
  g_ptr_array_unref (pf);
  compare_harness_free (c);
}

GST_END_TEST;

static Suite *
colocompare_fragments_suite (void)
{
  Suite *s = suite_create ("colocompare-fragments");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, compare_harness_free_leftovers);
  tcase_add_test (tc, test_frames_mtu_1000_vs_1500);
  tcase_add_test (tc, test_reassembly_off);
  tcase_add_test (tc, test_records_whole_batch);
  tcase_add_test (tc, test_records_interleaved);
  tcase_add_test (tc, test_miscompare_offset);
  tcase_add_test (tc, test_incomplete_goes_stale);
  return s;
}

GST_CHECK_MAIN (colocompare_fragments);
