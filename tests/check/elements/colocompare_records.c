/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* colocompare with the records (batch) caps: many QEMU chardev records per
 * buffer, parsed in place, released as regions of the input buffers
 * (docs/design.md, "Batches").  GstHarness on a GstTestClock. */

#include <string.h>
#include <gst/check/gstcheck.h>

#include "colo-framing.h"
#include "colocompare_harness.h"
#include "frames.h"

/* colocompare between two harnesses on a test clock, with these caps on
 * primary and secondary (common/colocompare_harness.h) */
#define ctx_new(p_caps, s_caps) compare_harness_new (NULL, p_caps, s_caps)

#define RECORDS "application/x-colo-records, vnet-hdr=(boolean)false"
#define RECORDS_VNET "application/x-colo-records, vnet-hdr=(boolean)true"
#define FRAMES "application/x-ethernet, vnet-hdr-len=(int)0"

/* Frames (taken) framed as records into one buffer; vnet: each record
 * carries the vnet word, with vnet_hdr_len bytes of header in the frame. */
static GstBuffer *
records (GBytes ** frames, guint n, gboolean vnet, guint vnet_hdr_len)
{
  GByteArray *a = g_byte_array_new ();
  guint i;

  for (i = 0; i < n; i++) {
    gsize size;
    const guint8 *d = g_bytes_get_data (frames[i], &size);
    guint8 hdr[8];
    guint hl = colo_framing_write_header (hdr, size, vnet, vnet_hdr_len);

    g_byte_array_append (a, hdr, hl);
    g_byte_array_append (a, d, size);
    g_bytes_unref (frames[i]);
  }
  {
    gsize len = a->len;

    return gst_buffer_new_wrapped (g_byte_array_free (a, FALSE), len);
  }
}

static GBytes *
udp_n (guint16 sport, guint n, guint16 ip_id)
{
  FrameOpts o;
  gchar text[32];

  frame_opts_init (&o);
  o.ip_id = ip_id;
  g_snprintf (text, sizeof (text), "datagram %u", n);
  return frame_udp (&o, sport, 53, (const guint8 *) text, strlen (text));
}

static void
expect_bytes (GByteArray * got, GstBuffer * want, gsize offset, gsize size)
{
  GstMapInfo map;

  gst_buffer_map (want, &map, GST_MAP_READ);
  fail_unless_equals_uint64 (got->len, size);
  fail_unless (memcmp (got->data, map.data + offset, size) == 0,
      "released bytes differ from the primary's records");
  gst_buffer_unmap (want, &map);
}

/* A batch that all matches goes out as it came in: the same buffer. */
GST_START_TEST (test_records_batch_zero_copy)
{
  CompareHarness *c = ctx_new (RECORDS, RECORDS);
  GBytes *pf[16], *sf[16];
  GstBuffer *pbuf, *out;
  guint i;

  for (i = 0; i < 16; i++) {
    pf[i] = udp_n (1000 + i % 4, i, 1);
    sf[i] = udp_n (1000 + i % 4, i, 2); /* another IP ID: ignored */
  }
  pbuf = records (pf, 16, FALSE, 0);
  gst_buffer_ref (pbuf);
  compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf, 16);
  fail_unless (gst_harness_try_pull (c->h[COLO_SIDE_PRIMARY]) == NULL);
  compare_harness_push (c, COLO_SIDE_SECONDARY, records (sf, 16, FALSE, 0), 16);
  compare_harness_wait_stat (c, "released", 16);
  out = gst_harness_pull (c->h[COLO_SIDE_PRIMARY]);
  fail_unless (out == pbuf, "the whole batch did not go out as it came");
  gst_buffer_unref (out);
  gst_buffer_unref (pbuf);
  fail_unless (gst_harness_try_pull (c->h[COLO_SIDE_PRIMARY]) == NULL);
  fail_unless_equals_uint64 (compare_stat (c->e, "checkpoints-requested"), 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "pinned-bytes"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* A divergence in the middle of a batch: the records before it go out as
 * one region of the input (sharing its memory), the rest waits for
 * checkpoint-done and then goes out, in order, byte-exact. */
GST_START_TEST (test_records_divergence_mid_batch)
{
  CompareHarness *c = ctx_new (RECORDS, RECORDS);
  GBytes *pf[6], *sf[6];
  GstBuffer *pbuf;
  GByteArray *got;
  GstMessage *m;
  gsize first3 = 0;
  guint i, n;

  for (i = 0; i < 6; i++) {
    pf[i] = udp_n (2000, i, 1);
    sf[i] = udp_n (2000, i == 3 ? 99 : i, 1);
    if (i < 3)
      first3 += 4 + g_bytes_get_size (pf[i]);
  }
  pbuf = records (pf, 6, FALSE, 0);
  gst_buffer_ref (pbuf);
  compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf, 6);
  compare_harness_push (c, COLO_SIDE_SECONDARY, records (sf, 6, FALSE, 0), 6);
  compare_harness_wait_stat (c, "released", 3);

  {
    GstBuffer *out = gst_harness_pull (c->h[COLO_SIDE_PRIMARY]);
    GstMapInfo om, pm;

    gst_buffer_map (out, &om, GST_MAP_READ);
    gst_buffer_map (pbuf, &pm, GST_MAP_READ);
    fail_unless_equals_uint64 (om.size, first3);
    fail_unless (om.data == pm.data, "the region was copied");
    gst_buffer_unmap (pbuf, &pm);
    gst_buffer_unmap (out, &om);
    gst_buffer_unref (out);
  }
  m = gst_bus_timed_pop_filtered (c->bus, 10 * GST_SECOND, GST_MESSAGE_ELEMENT);
  fail_unless (m && gst_message_has_name (m, "colo-checkpoint"));
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "miscompare");
  gst_message_unref (m);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", 3);
  got = compare_harness_pull_bytes (c, gst_buffer_get_size (pbuf) - first3, &n);
  fail_unless_equals_int (n, 1);
  expect_bytes (got, pbuf, first3, gst_buffer_get_size (pbuf) - first3);
  g_byte_array_unref (got);
  gst_buffer_unref (pbuf);
  compare_harness_free (c);
}

GST_END_TEST;

/* TCP resegmented across batches: 1448-byte primary segments against
 * 2896-byte secondary ones, records split over several buffers per side. */
GST_START_TEST (test_records_tcp_resegmented)
{
  CompareHarness *c = ctx_new (RECORDS, RECORDS);
  guint8 *data = pattern_bytes (0, 1448 * 8);
  GBytes *pf[8], *sf[4];
  GstBuffer *pbuf[2];
  GByteArray *got;
  FrameOpts o;
  guint i, n;

  frame_opts_init (&o);
  for (i = 0; i < 8; i++)
    pf[i] = frame_tcp (&o, 80, 4000, 1000 + i * 1448, 1, 0x10, 12,
        data + i * 1448, 1448);
  for (i = 0; i < 4; i++)
    sf[i] = frame_tcp (&o, 80, 4000, 1000 + i * 2896, 1, 0x10, 0,
        data + i * 2896, 2896);
  pbuf[0] = records (pf, 4, FALSE, 0);
  pbuf[1] = records (pf + 4, 4, FALSE, 0);
  gst_buffer_ref (pbuf[0]);
  gst_buffer_ref (pbuf[1]);
  compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf[0], 4);
  compare_harness_push (c, COLO_SIDE_SECONDARY, records (sf, 1, FALSE, 0), 1);
  compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf[1], 4);
  compare_harness_push (c, COLO_SIDE_SECONDARY, records (sf + 1, 3, FALSE, 0),
      3);
  compare_harness_wait_stat (c, "released", 8);
  got = compare_harness_pull_bytes (c, gst_buffer_get_size (pbuf[0]) +
      gst_buffer_get_size (pbuf[1]), &n);
  {
    GstMapInfo m0, m1;

    gst_buffer_map (pbuf[0], &m0, GST_MAP_READ);
    gst_buffer_map (pbuf[1], &m1, GST_MAP_READ);
    fail_unless_equals_uint64 (got->len, m0.size + m1.size);
    fail_unless (memcmp (got->data, m0.data, m0.size) == 0);
    fail_unless (memcmp (got->data + m0.size, m1.data, m1.size) == 0);
    gst_buffer_unmap (pbuf[0], &m0);
    gst_buffer_unmap (pbuf[1], &m1);
  }
  fail_unless_equals_uint64 (compare_stat (c->e, "checkpoints-requested"), 0);
  g_byte_array_unref (got);
  gst_buffer_unref (pbuf[0]);
  gst_buffer_unref (pbuf[1]);
  g_free (data);
  compare_harness_free (c);
}

GST_END_TEST;

/* Records with the vnet word (12-byte virtio-net headers), primary against
 * a secondary that sends plain frames: compared all the same, and the
 * output keeps the primary's records caps. */
GST_START_TEST (test_records_vnet_against_frames)
{
  CompareHarness *c = ctx_new (RECORDS_VNET, FRAMES);
  GBytes *pf[3];
  GstBuffer *pbuf;
  GByteArray *got;
  GstCaps *caps;
  FrameOpts o;
  guint i, n;

  frame_opts_init (&o);
  o.vnet_hdr_len = 12;
  for (i = 0; i < 3; i++)
    pf[i] = frame_udp (&o, 3000, 53, (const guint8 *) "vnet!", 5);
  pbuf = records (pf, 3, TRUE, 12);
  gst_buffer_ref (pbuf);
  compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf, 3);
  frame_opts_init (&o);
  for (i = 0; i < 3; i++) {
    GBytes *f = frame_udp (&o, 3000, 53, (const guint8 *) "vnet!", 5);

    compare_harness_push (c, COLO_SIDE_SECONDARY,
        gst_buffer_new_wrapped_bytes (f), 1);
    g_bytes_unref (f);
  }
  compare_harness_wait_stat (c, "released", 3);
  /* one region per aggregation: the secondary came frame by frame */
  got = compare_harness_pull_bytes (c, gst_buffer_get_size (pbuf), &n);
  fail_unless_equals_int (n, 3);
  expect_bytes (got, pbuf, 0, gst_buffer_get_size (pbuf));
  g_byte_array_unref (got);
  caps = gst_pad_get_current_caps (c->h[COLO_SIDE_PRIMARY]->sinkpad);
  fail_unless (caps != NULL);
  {
    GstCaps *want = gst_caps_from_string (RECORDS_VNET);
    fail_unless (gst_caps_is_equal (caps, want), "src caps %" GST_PTR_FORMAT,
        caps);
    gst_caps_unref (want);
  }
  gst_caps_unref (caps);
  gst_buffer_unref (pbuf);
  compare_harness_free (c);
}

GST_END_TEST;

/* One held frame per batch must not keep whole batches alive: past the
 * bound, held frames are copied out and the batches freed; they still go
 * out byte-exact and in order at checkpoint-done. */
GST_START_TEST (test_records_held_frames_do_not_pin_batches)
{
  const guint batches = 120, per = 40;
  CompareHarness *c = ctx_new (RECORDS, RECORDS);
  guint8 *data = pattern_bytes (0, 1400);
  GByteArray *want = g_byte_array_new (), *got;
  guint b, i, n;
  FrameOpts o;

  frame_opts_init (&o);
  for (b = 0; b < batches; b++) {
    GBytes *pf[40], *sf[40];
    GstBuffer *pbuf;
    GstMapInfo map;
    gsize first;

    for (i = 0; i < per; i++) {
      /* record 0 of each batch: a flow the secondary never sends */
      pf[i] = frame_udp (&o, i == 0 ? 7000 + b : 8000, 53, data, 1400);
      sf[i] = frame_udp (&o, 8000, 53, data, 1400);
    }
    first = 4 + g_bytes_get_size (pf[0]);
    pbuf = records (pf, per, FALSE, 0);
    gst_buffer_map (pbuf, &map, GST_MAP_READ);
    g_byte_array_append (want, map.data, first);
    gst_buffer_unmap (pbuf, &map);
    g_bytes_unref (sf[0]);
    compare_harness_push (c, COLO_SIDE_PRIMARY, pbuf, per);
    compare_harness_push (c, COLO_SIDE_SECONDARY, records (sf + 1, per - 1,
            FALSE, 0), per - 1);
  }
  compare_harness_wait_stat (c, "released", (guint64) batches * (per - 1));
  got =
      compare_harness_pull_bytes (c,
      (gsize) batches * (per - 1) * (4 + 14 + 20 + 8 + 1400), &n);
  fail_unless_equals_uint64 (got->len,
      (guint64) batches * (per - 1) * (4 + 14 + 20 + 8 + 1400));
  g_byte_array_unref (got);

  fail_unless (compare_stat (c->e, "compactions") >= 1);
  fail_unless (compare_stat (c->e, "pinned-bytes") <= 2 * want->len + 4 * 1024 *
      1024, "%" G_GUINT64_FORMAT " bytes pinned by %u held bytes",
      compare_stat (c->e, "pinned-bytes"), want->len);

  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", batches);
  got = compare_harness_pull_bytes (c, want->len, &n);
  fail_unless_equals_uint64 (got->len, want->len);
  fail_unless (memcmp (got->data, want->data, want->len) == 0);
  fail_unless_equals_uint64 (compare_stat (c->e, "pinned-bytes"), 0);
  g_byte_array_unref (got);
  g_byte_array_unref (want);
  g_free (data);
  compare_harness_free (c);
}

GST_END_TEST;

/* Records caps promise whole records: a buffer that ends inside one is a
 * stream error, not a guess. */
GST_START_TEST (test_records_partial_is_error)
{
  CompareHarness *c = ctx_new (RECORDS, RECORDS);
  GBytes *pf[2];
  GstBuffer *pbuf, *cut;
  GstMessage *m;

  pf[0] = udp_n (1, 1, 1);
  pf[1] = udp_n (1, 2, 1);
  pbuf = records (pf, 2, FALSE, 0);
  cut = gst_buffer_copy_region (pbuf, GST_BUFFER_COPY_ALL, 0,
      gst_buffer_get_size (pbuf) - 3);
  gst_buffer_unref (pbuf);
  gst_harness_push (c->h[COLO_SIDE_PRIMARY], cut);
  /* an error for the partial record */
  COMPARE_HARNESS_PUMP_UNTIL (c, (m = gst_bus_pop_filtered (c->bus,
              GST_MESSAGE_ERROR)) != NULL);
  /* the whole record before the cut was compared (it waits) */
  fail_unless_equals_uint64 (compare_stat (c->e, "primary-packets"), 1);
  gst_message_unref (m);
  compare_harness_free (c);
}

GST_END_TEST;

static Suite *
colocompare_records_suite (void)
{
  Suite *s = suite_create ("colocompare-records");
  TCase *tc = tcase_create ("records");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, compare_harness_free_leftovers);
  tcase_add_test (tc, test_records_batch_zero_copy);
  tcase_add_test (tc, test_records_divergence_mid_batch);
  tcase_add_test (tc, test_records_tcp_resegmented);
  tcase_add_test (tc, test_records_vnet_against_frames);
  tcase_add_test (tc, test_records_held_frames_do_not_pin_batches);
  tcase_add_test (tc, test_records_partial_is_error);
  return s;
}

GST_CHECK_MAIN (colocompare_records);
