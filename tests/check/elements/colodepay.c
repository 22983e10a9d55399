/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "colo-bytes.h"
#include "gstcolocaps.h"

/* A record to put on the wire and the frame expected back */
typedef struct
{
  guint32 len;
  guint32 vnet_hdr_len;
  guint8 seed;
} Rec;

static void
fill_payload (guint8 * p, guint32 len, guint8 seed)
{
  guint32 i;

  for (i = 0; i < len; i++)
    p[i] = (guint8) (seed * 31 + i);
}

static void
append_rec (GByteArray * s, gboolean vnet, const Rec * r)
{
  guint8 hdr[8];
  guint8 *payload = g_malloc (r->len + 1);

  GST_WRITE_UINT32_BE (hdr, r->len);
  GST_WRITE_UINT32_BE (hdr + 4, r->vnet_hdr_len);
  g_byte_array_append (s, hdr, vnet ? 8 : 4);
  fill_payload (payload, r->len, r->seed);
  g_byte_array_append (s, payload, r->len);
  g_free (payload);
}

static GByteArray *
make_stream (gboolean vnet, const Rec * recs, guint n)
{
  GByteArray *s = g_byte_array_new ();
  guint i;

  for (i = 0; i < n; i++)
    append_rec (s, vnet, &recs[i]);
  return s;
}

static GstBuffer *
wrap (const guint8 * data, gsize size)
{
  return gst_buffer_new_memdup (data, size);
}

static gint
current_vnet_hdr_len (GstHarness * h)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  gint v = -1;

  fail_unless (caps != NULL);
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "application/x-ethernet"));
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "vnet-hdr-len", &v));
  gst_caps_unref (caps);
  return v;
}

static void
check_frame (GstBuffer * buf, const Rec * r)
{
  guint8 *expect = g_malloc (r->len + 1);

  fill_payload (expect, r->len, r->seed);
  fail_unless_equals_int (gst_buffer_get_size (buf), r->len);
  fail_unless (gst_buffer_memcmp (buf, 0, expect, r->len) == 0);
  g_free (expect);
}

static GstHarness *
new_depay (gboolean vnet)
{
  GstElement *e = gst_element_factory_make ("colodepay", NULL);
  GstHarness *h;

  fail_unless (e != NULL);
  g_object_set (e, "vnet-hdr", vnet, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);

  gst_harness_set_src_caps_str (h, "application/x-colo-framed");
  return h;
}

static guint64
get_stat (GstElement * e, const gchar * field)
{
  GstStructure *s;
  guint64 v = 0;

  g_object_get (e, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, field, &v));
  gst_structure_free (s);
  return v;
}

static const Rec recs[] = {
  {60, 0, 1},
  {1, 0, 2},
  {0, 0, 3},                    /* zero-length: skipped */
  {1514, 12, 4},
  {20, 20, 5},
  {64, 10, 6},
  {0, 0, 7},
  {69632, 12, 8},
  {42, 12, 9},
};

#define N_RECS G_N_ELEMENTS (recs)

/* Pulls and checks every non-empty record, in order */
static void
pull_and_check_all (GstHarness * h, gboolean vnet)
{
  guint i;

  for (i = 0; i < N_RECS; i++) {
    GstBuffer *buf;

    if (recs[i].len == 0)
      continue;
    buf = gst_harness_pull (h);
    check_frame (buf, &recs[i]);
    gst_buffer_unref (buf);
  }
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
}

static void
run_chunked (gboolean vnet, gsize chunk)
{
  GstHarness *h = new_depay (vnet);
  GByteArray *s;
  gsize pos;
  guint i;
  Rec r[N_RECS];

  memcpy (r, recs, sizeof (recs));
  if (!vnet)
    for (i = 0; i < N_RECS; i++)
      r[i].vnet_hdr_len = 0;
  s = make_stream (vnet, r, N_RECS);

  for (pos = 0; pos < s->len; pos += chunk) {
    fail_unless_equals_int (gst_harness_push (h, wrap (s->data + pos,
                MIN (chunk, s->len - pos))), GST_FLOW_OK);
  }
  gst_harness_push_event (h, gst_event_new_eos ());

  pull_and_check_all (h, vnet);
  fail_unless_equals_uint64 (get_stat (h->element, "records"), N_RECS - 2);
  fail_unless_equals_uint64 (get_stat (h->element, "empty-records"), 2);
  fail_unless_equals_uint64 (get_stat (h->element, "truncated-bytes"), 0);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_START_TEST (test_one_buffer)
{
  run_chunked (FALSE, G_MAXSIZE);
  run_chunked (TRUE, G_MAXSIZE);
}

GST_END_TEST;

GST_START_TEST (test_byte_by_byte)
{
  run_chunked (FALSE, 1);
  run_chunked (TRUE, 1);
}

GST_END_TEST;

GST_START_TEST (test_odd_chunks)
{
  run_chunked (FALSE, 7);
  run_chunked (TRUE, 3);
  run_chunked (TRUE, 1000);
}

GST_END_TEST;

/* udpsrc-like: each buffer holds whole records and has its own PTS */
GST_START_TEST (test_datagrams)
{
  GstHarness *h = new_depay (TRUE);
  static const Rec d1[] = { {60, 10, 1}, {70, 10, 2}, {80, 10, 3} };
  static const Rec d2[] = { {90, 10, 4} };
  GByteArray *s1 = make_stream (TRUE, d1, 3);
  GByteArray *s2 = make_stream (TRUE, d2, 1);
  GstBuffer *b, *out;
  guint i;

  b = wrap (s1->data, s1->len);
  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = 1 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  b = wrap (s2->data, s2->len);
  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = 2 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);

  /* one output per record, immediately: nothing waits for more data */
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 4);
  for (i = 0; i < 3; i++) {
    out = gst_harness_pull (h);
    check_frame (out, &d1[i]);
    /* the first record of a datagram carries its timestamp; no
     * durations are invented */
    if (i == 0)
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 1 * GST_SECOND);
    fail_if (GST_BUFFER_DURATION_IS_VALID (out));
    gst_buffer_unref (out);
  }
  out = gst_harness_pull (h);
  check_frame (out, &d2[0]);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 2 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 2 * GST_SECOND);
  gst_buffer_unref (out);
  fail_unless_equals_int (current_vnet_hdr_len (h), 10);

  g_byte_array_unref (s1);
  g_byte_array_unref (s2);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_caps_renegotiation)
{
  static const Rec r[] = {
    {60, 10, 1}, {61, 10, 2}, {62, 12, 3}, {63, 0, 4}, {64, 0, 5}, {65, 12, 6}
  };
  static const gint expect_caps_events = 4;
  GstHarness *h = new_depay (TRUE);
  guint i;
  gint caps_events = 0;
  GstEvent *ev;

  /* drop the events the harness itself produced so far */
  while ((ev = gst_harness_try_pull_event (h)))
    gst_event_unref (ev);

  for (i = 0; i < G_N_ELEMENTS (r); i++) {
    GByteArray *s = make_stream (TRUE, &r[i], 1);
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, wrap (s->data, s->len)),
        GST_FLOW_OK);
    /* the caps that apply to this buffer */
    fail_unless_equals_int (current_vnet_hdr_len (h), r[i].vnet_hdr_len);
    out = gst_harness_pull (h);
    check_frame (out, &r[i]);
    gst_buffer_unref (out);
    g_byte_array_unref (s);
  }

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_CAPS)
      caps_events++;
    gst_event_unref (ev);
  }
  /* 10, 12, 0, 12: a caps event only when the value changes */
  fail_unless_equals_int (caps_events, expect_caps_events);

  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_no_vnet_caps)
{
  static const Rec r = { 60, 0, 1 };
  GstHarness *h = new_depay (FALSE);
  GByteArray *s = make_stream (FALSE, &r, 1);

  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, s->len)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (current_vnet_hdr_len (h), 0);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Pushes @s in @chunk-sized buffers; returns the error message's debug
 * string, which the caller frees */
static gchar *
push_expect_error (gboolean vnet, GByteArray * s, gsize chunk,
    guint expect_frames)
{
  GstHarness *h = new_depay (vnet);
  GstBus *bus = gst_bus_new ();
  GstFlowReturn ret = GST_FLOW_OK;
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;
  gsize pos;

  gst_element_set_bus (h->element, bus);
  for (pos = 0; pos < s->len && ret == GST_FLOW_OK; pos += chunk)
    ret = gst_harness_push (h, wrap (s->data + pos, MIN (chunk, s->len - pos)));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), expect_frames);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_DECODE));
  GST_INFO ("error: %s (%s)", err->message, debug);
  g_error_free (err);
  gst_message_unref (msg);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  return debug;
}

GST_START_TEST (test_error_oversize)
{
  static const Rec r[] = { {60, 0, 1}, {100, 0, 2}, {69633, 0, 3} };
  gsize chunks[] = { G_MAXSIZE, 1, 5 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (chunks); i++) {
    GByteArray *s = g_byte_array_new ();
    gchar *debug;

    append_rec (s, FALSE, &r[0]);
    append_rec (s, FALSE, &r[1]);
    /* only the header of the bad record */
    g_byte_array_append (s, (const guint8 *) "\x00\x01\x10\x01", 4);
    debug = push_expect_error (FALSE, s, chunks[i], 2);
    /* 64 + 104 = 168 */
    fail_unless (strstr (debug, "offset 168") != NULL, "%s", debug);
    fail_unless (strstr (debug, "69633") != NULL, "%s", debug);
    g_free (debug);
    g_byte_array_unref (s);
  }
}

GST_END_TEST;

GST_START_TEST (test_error_vnet_hdr_len)
{
  static const Rec r[] = { {60, 10, 1}, {100, 21, 2} };
  static const Rec r2[] = { {60, 10, 1}, {10, 12, 2} };
  GByteArray *s = make_stream (TRUE, r, 2);
  gchar *debug;

  debug = push_expect_error (TRUE, s, G_MAXSIZE, 1);
  fail_unless (strstr (debug, "offset 68") != NULL, "%s", debug);
  fail_unless (strstr (debug, "vnet_hdr_len 21") != NULL, "%s", debug);
  g_free (debug);
  g_byte_array_unref (s);

  /* vnet_hdr_len larger than the record */
  s = make_stream (TRUE, r2, 2);
  debug = push_expect_error (TRUE, s, 1, 1);
  fail_unless (strstr (debug, "offset 68") != NULL, "%s", debug);
  fail_unless (strstr (debug, "vnet_hdr_len 12") != NULL, "%s", debug);
  g_free (debug);
  g_byte_array_unref (s);
}

GST_END_TEST;

GST_START_TEST (test_truncated_at_eos)
{
  static const Rec r[] = { {60, 0, 1}, {100, 0, 2} };
  GstHarness *h = new_depay (FALSE);
  GByteArray *s = make_stream (FALSE, r, 2);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;
  GstEvent *ev;
  gboolean got_eos = FALSE;

  gst_element_set_bus (h->element, bus);
  /* the first record and 34 bytes of the second */
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, 64 + 34)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  gst_buffer_unref (gst_harness_pull (h));

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_parse_warning (msg, &err, &debug);
  fail_unless (strstr (debug, "discarded 34 bytes") != NULL, "%s", debug);
  fail_unless (strstr (debug, "offset 64") != NULL, "%s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
  fail_if (gst_bus_have_pending (bus));
  fail_unless_equals_uint64 (get_stat (h->element, "truncated-bytes"), 34);

  while ((ev = gst_harness_try_pull_event (h))) {
    got_eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (got_eos);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A zero-length record never stalls the stream */
GST_START_TEST (test_zero_length_only)
{
  static const Rec r[] = { {0, 0, 1}, {0, 0, 2}, {30, 0, 3} };
  GstHarness *h = new_depay (FALSE);
  GByteArray *s = make_stream (FALSE, r, 3);
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, 4)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h->element, "empty-records"), 1);
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data + 4,
              s->len - 4)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h->element, "empty-records"), 2);
  out = gst_harness_pull (h);
  check_frame (out, &r[2]);
  gst_buffer_unref (out);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_not_seekable)
{
  GstHarness *h = new_depay (FALSE);
  GstQuery *q = gst_query_new_seeking (GST_FORMAT_TIME);
  gboolean seekable = TRUE;

  fail_unless (gst_pad_peer_query (h->sinkpad, q));
  gst_query_parse_seeking (q, NULL, &seekable, NULL, NULL);
  fail_if (seekable);
  gst_query_unref (q);

  gst_harness_teardown (h);
}

GST_END_TEST;

/* filesrc ! colodepay ! appsink, with small reads cutting records */
static void
run_filesrc (gboolean vnet, guint blocksize)
{
  GByteArray *s;
  Rec r[N_RECS];
  GError *error = NULL;
  gchar *path = NULL, *desc;
  GstElement *pipe, *sink;
  GstBus *bus;
  GstMessage *msg;
  guint i;
  gint fd;

  memcpy (r, recs, sizeof (recs));
  if (!vnet)
    for (i = 0; i < N_RECS; i++)
      r[i].vnet_hdr_len = 0;
  s = make_stream (vnet, r, N_RECS);

  fd = g_file_open_tmp ("colodepay-XXXXXX.bin", &path, &error);
  fail_unless (fd >= 0);
  g_close (fd, NULL);
  fail_unless (g_file_set_contents (path, (const gchar *) s->data, s->len,
          &error));

  desc = g_strdup_printf ("filesrc location=\"%s\" blocksize=%u ! "
      "colodepay vnet-hdr=%s ! appsink name=sink sync=false", path,
      blocksize, vnet ? "true" : "false");
  pipe = gst_parse_launch (desc, &error);
  fail_unless (pipe != NULL, "%s", error ? error->message : "");
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");

  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < N_RECS; i++) {
    GstSample *sample = NULL;
    GstCaps *caps;
    gint v = -1;

    if (r[i].len == 0)
      continue;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    fail_unless (sample != NULL, "record %u missing", i);
    check_frame (gst_sample_get_buffer (sample), &r[i]);
    caps = gst_sample_get_caps (sample);
    fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
            "vnet-hdr-len", &v));
    fail_unless_equals_int (v, r[i].vnet_hdr_len);
    gst_sample_unref (sample);
  }

  bus = gst_element_get_bus (pipe);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_unlink (path);
  g_free (path);
  g_byte_array_unref (s);
}

GST_START_TEST (test_filesrc_pipeline)
{
  run_filesrc (FALSE, 4096);
  run_filesrc (TRUE, 4096);
  run_filesrc (TRUE, 13);
}

GST_END_TEST;


/* --- records mode ----------------------------------------------------- */

/* A harness whose sink accepts only records: colodepay outputs records */
static GstHarness *
new_depay_records (gboolean vnet)
{
  GstHarness *h = new_depay (vnet);

  gst_harness_set_sink_caps_str (h, GST_COLO_RECORDS_MEDIA_TYPE);
  return h;
}

/* The stream colodepay must reproduce in records mode: the input without
 * its zero-length records */
static GByteArray *
make_stream_without_empty (gboolean vnet, const Rec * r, guint n)
{
  GByteArray *s = g_byte_array_new ();
  guint i;

  for (i = 0; i < n; i++)
    if (r[i].len > 0)
      append_rec (s, vnet, &r[i]);
  return s;
}

/* Parses a records buffer on its own (not with the element's framing
 * code): whole, valid, non-empty records only, from its first byte to its
 * last.  Appends its bytes to @acc (if not NULL); returns the record
 * count. */
static guint
reparse_records (GstBuffer * buf, gboolean vnet, GByteArray * acc)
{
  guint hsize = vnet ? 8 : 4;
  GstMapInfo map;
  gsize pos = 0;
  guint n = 0;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless (map.size > 0);
  while (pos < map.size) {
    guint32 len, vnet_hdr_len = 0;

    fail_unless (map.size - pos >= hsize, "partial header at %"
        G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, pos, map.size);
    len = colo_read_be32 (map.data + pos);
    if (vnet)
      vnet_hdr_len = colo_read_be32 (map.data + pos + 4);
    fail_unless (len > 0 && len <= 69632, "bad len %u", len);
    fail_unless (vnet_hdr_len <= 20 && vnet_hdr_len <= len);
    fail_unless (map.size - pos - hsize >= len, "partial record at %"
        G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, pos, map.size);
    pos += hsize + len;
    n++;
  }
  if (acc)
    g_byte_array_append (acc, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return n;
}

static void
check_records_caps (GstHarness * h, gboolean vnet)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstColoCapsInfo info;

  fail_unless (caps != NULL);
  fail_unless (gst_colo_caps_parse (caps, &info));
  fail_unless_equals_int (info.format, GST_COLO_FORMAT_RECORDS);
  fail_unless_equals_int (info.vnet_hdr, vnet);
  gst_caps_unref (caps);
}

/* Pulls every buffer waiting: each must be whole records; their bytes are
 * appended to @acc.  Returns the number of buffers. */
static guint
pull_records (GstHarness * h, gboolean vnet, GByteArray * acc,
    guint * n_records)
{
  GstBuffer *buf;
  guint n = 0;

  while ((buf = gst_harness_try_pull (h))) {
    guint r = reparse_records (buf, vnet, acc);

    if (n_records)
      *n_records += r;
    gst_buffer_unref (buf);
    n++;
  }
  return n;
}

static void
run_chunked_records (gboolean vnet, gsize chunk)
{
  GstHarness *h = new_depay_records (vnet);
  GByteArray *s, *expect, *got = g_byte_array_new ();
  guint i, n_records = 0, n_buffers;
  gsize pos;
  Rec r[N_RECS];

  memcpy (r, recs, sizeof (recs));
  if (!vnet)
    for (i = 0; i < N_RECS; i++)
      r[i].vnet_hdr_len = 0;
  s = make_stream (vnet, r, N_RECS);
  expect = make_stream_without_empty (vnet, r, N_RECS);

  for (pos = 0; pos < s->len; pos += chunk) {
    fail_unless_equals_int (gst_harness_push (h, wrap (s->data + pos,
                MIN (chunk, s->len - pos))), GST_FLOW_OK);
  }
  gst_harness_push_event (h, gst_event_new_eos ());

  n_buffers = pull_records (h, vnet, got, &n_records);
  check_records_caps (h, vnet);
  fail_unless_equals_int (got->len, expect->len);
  fail_unless (memcmp (got->data, expect->data, got->len) == 0);
  fail_unless_equals_int (n_records, N_RECS - 2);
  fail_unless_equals_uint64 (get_stat (h->element, "records"), N_RECS - 2);
  fail_unless_equals_uint64 (get_stat (h->element, "buffers"), n_buffers);
  fail_unless_equals_uint64 (get_stat (h->element, "empty-records"), 2);
  fail_unless_equals_uint64 (get_stat (h->element, "truncated-bytes"), 0);

  g_byte_array_unref (got);
  g_byte_array_unref (expect);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

/* The whole stream at once: the batches split around the two zero-length
 * records and around the record too large to share a buffer */
GST_START_TEST (test_records_one_buffer)
{
  run_chunked_records (FALSE, G_MAXSIZE);
  run_chunked_records (TRUE, G_MAXSIZE);
}

GST_END_TEST;

GST_START_TEST (test_records_byte_by_byte)
{
  run_chunked_records (FALSE, 1);
  run_chunked_records (TRUE, 1);
}

GST_END_TEST;

GST_START_TEST (test_records_odd_chunks)
{
  run_chunked_records (FALSE, 7);
  run_chunked_records (TRUE, 3);
  run_chunked_records (TRUE, 1000);
  run_chunked_records (TRUE, 4096);
}

GST_END_TEST;

/* A small stream cut in two at every byte, and in three with a middle
 * piece of up to 9 bytes (a header spread over three buffers) starting at
 * every byte: every record comes out whole, once, in order, byte-exact */
static void
run_splits (gboolean vnet)
{
  static const Rec small[] = {
    {14, 0, 1}, {1, 0, 2}, {0, 0, 3}, {20, 10, 4}, {3, 2, 5}, {0, 0, 6},
    {0, 0, 7}, {9, 0, 8},
  };
  GstHarness *h = new_depay_records (vnet);
  GByteArray *s, *expect;
  Rec r[G_N_ELEMENTS (small)];
  guint i, j, n = G_N_ELEMENTS (small);

  memcpy (r, small, sizeof (small));
  if (!vnet)
    for (i = 0; i < n; i++)
      r[i].vnet_hdr_len = 0;
  s = make_stream (vnet, r, n);
  expect = make_stream_without_empty (vnet, r, n);

  /* one harness, the stream over and over: records start again at
   * every repetition */
  for (i = 0; i <= s->len; i++) {
    for (j = i; j <= MIN (i + 9, s->len); j++) {
      GByteArray *got = g_byte_array_new ();
      guint n_records = 0;

      if (i > 0)
        fail_unless_equals_int (gst_harness_push (h, wrap (s->data, i)),
            GST_FLOW_OK);
      if (j > i)
        fail_unless_equals_int (gst_harness_push (h, wrap (s->data + i,
                    j - i)), GST_FLOW_OK);
      if (s->len > j)
        fail_unless_equals_int (gst_harness_push (h, wrap (s->data + j,
                    s->len - j)), GST_FLOW_OK);
      pull_records (h, vnet, got, &n_records);
      fail_unless_equals_int (got->len, expect->len);
      fail_unless (memcmp (got->data, expect->data, got->len) == 0,
          "split at %u and %u", i, j);
      fail_unless_equals_int (n_records, n - 3);
      g_byte_array_unref (got);
    }
  }
  check_records_caps (h, vnet);
  fail_unless_equals_uint64 (get_stat (h->element, "truncated-bytes"), 0);

  g_byte_array_unref (expect);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_START_TEST (test_records_every_split)
{
  run_splits (FALSE);
  run_splits (TRUE);
}

GST_END_TEST;

/* Many records in one input buffer come out as one buffer that shares the
 * input's memory */
GST_START_TEST (test_records_batch_zero_copy)
{
  GstHarness *h = new_depay_records (TRUE);
  GByteArray *s = g_byte_array_new ();
  GstBuffer *in, *out;
  GstMapInfo a, b;
  guint i;

  for (i = 0; i < 100; i++) {
    Rec r = { 60 + i, i % 21, i };

    append_rec (s, TRUE, &r);
  }
  in = wrap (s->data, s->len);
  GST_BUFFER_PTS (in) = 3 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);

  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, TRUE, NULL), 100);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND);
  fail_unless (gst_buffer_map (in, &a, GST_MAP_READ));
  fail_unless (gst_buffer_map (out, &b, GST_MAP_READ));
  fail_unless_equals_int (a.size, b.size);
  /* the same bytes in memory, not a copy */
  fail_unless (a.data == b.data);
  gst_buffer_unmap (in, &a);
  gst_buffer_unmap (out, &b);
  fail_unless_equals_uint64 (get_stat (h->element, "buffers"), 1);
  fail_unless_equals_uint64 (get_stat (h->element, "records"), 100);
  check_records_caps (h, TRUE);

  gst_buffer_unref (out);
  gst_buffer_unref (in);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A buffer holds at most 64 KiB of records; a larger record goes alone */
GST_START_TEST (test_records_batch_bound)
{
  GstHarness *h = new_depay_records (FALSE);
  GByteArray *s = g_byte_array_new ();
  static const Rec big[] = { {100, 0, 1}, {69632, 0, 2}, {65532, 0, 3},
  {100, 0, 4}
  };
  GstBuffer *out;
  guint i;

  /* 2000 records of 64 bytes: 1024 fill 65536 bytes exactly */
  for (i = 0; i < 2000; i++) {
    Rec r = { 60, 0, i };

    append_rec (s, FALSE, &r);
  }
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, s->len)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 65536);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 1024);
  gst_buffer_unref (out);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 976);
  gst_buffer_unref (out);
  g_byte_array_unref (s);

  /* 104 | 69636 alone | 65536 exactly | 104 */
  s = make_stream (FALSE, big, G_N_ELEMENTS (big));
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, s->len)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 4);
  for (i = 0; i < G_N_ELEMENTS (big); i++) {
    out = gst_harness_pull (h);
    fail_unless_equals_int (reparse_records (out, FALSE, NULL), 1);
    fail_unless_equals_int (gst_buffer_get_size (out), 4 + big[i].len);
    fail_unless (gst_buffer_memcmp (out, 0, s->data + (i ? 104 : 0) +
            (i > 1 ? 69636 : 0) + (i > 2 ? 65536 : 0), 4 + big[i].len) == 0);
    gst_buffer_unref (out);
  }
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* udpsrc-like datagrams: a datagram's records go out together, with its
 * timestamps */
GST_START_TEST (test_records_datagrams)
{
  GstHarness *h = new_depay_records (TRUE);
  static const Rec d1[] = { {60, 10, 1}, {70, 12, 2}, {80, 0, 3} };
  static const Rec d2[] = { {90, 20, 4} };
  GByteArray *s1 = make_stream (TRUE, d1, 3);
  GByteArray *s2 = make_stream (TRUE, d2, 1);
  GstBuffer *b, *out;

  b = wrap (s1->data, s1->len);
  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = 1 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  b = wrap (s2->data, s2->len);
  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = 2 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);

  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), s1->len);
  fail_unless (gst_buffer_memcmp (out, 0, s1->data, s1->len) == 0);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 1 * GST_SECOND);
  fail_if (GST_BUFFER_DURATION_IS_VALID (out));
  gst_buffer_unref (out);
  out = gst_harness_pull (h);
  fail_unless (gst_buffer_memcmp (out, 0, s2->data, s2->len) == 0);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 2 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 2 * GST_SECOND);
  gst_buffer_unref (out);
  check_records_caps (h, TRUE);

  g_byte_array_unref (s1);
  g_byte_array_unref (s2);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A zero-length record is never passed in records mode either: the
 * records around it go out in separate buffers */
GST_START_TEST (test_records_zero_length)
{
  static const Rec r[] = { {30, 0, 1}, {0, 0, 2}, {0, 0, 3}, {31, 0, 4},
  {32, 0, 5}, {0, 0, 6}
  };
  GstHarness *h = new_depay_records (FALSE);
  GByteArray *s = make_stream (FALSE, r, G_N_ELEMENTS (r));
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, s->len)),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h->element, "empty-records"), 3);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 1);
  fail_unless (gst_buffer_memcmp (out, 0, s->data, 34) == 0);
  gst_buffer_unref (out);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 2);
  fail_unless (gst_buffer_memcmp (out, 0, s->data + 34 + 8, 35 + 36) == 0);
  gst_buffer_unref (out);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The framing errors of frames mode, in records mode: the same message,
 * after the valid records before the bad one went out (in as many
 * buffers as the input allowed), and never inside a records buffer */
static gchar *
push_expect_error_records (gboolean vnet, GByteArray * s, gsize chunk,
    guint expect_records)
{
  GstHarness *h = new_depay_records (vnet);
  GstBus *bus = gst_bus_new ();
  GstFlowReturn ret = GST_FLOW_OK;
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;
  guint n_records = 0;
  gsize pos;

  gst_element_set_bus (h->element, bus);
  for (pos = 0; pos < s->len && ret == GST_FLOW_OK; pos += chunk)
    ret = gst_harness_push (h, wrap (s->data + pos, MIN (chunk, s->len - pos)));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  pull_records (h, vnet, NULL, &n_records);
  fail_unless_equals_int (n_records, expect_records);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_DECODE));
  GST_INFO ("error: %s (%s)", err->message, debug);
  g_error_free (err);
  gst_message_unref (msg);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  return debug;
}

GST_START_TEST (test_records_errors)
{
  static const Rec ok[] = { {60, 10, 1}, {100, 12, 2} };
  static const Rec bad_vnet[] = { {60, 10, 1}, {100, 12, 2}, {100, 21, 3} };
  static const Rec vnet_over_len[] = { {60, 10, 1}, {100, 12, 2},
  {10, 12, 3}
  };
  gsize chunks[] = { G_MAXSIZE, 1, 5, 67 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (chunks); i++) {
    GByteArray *s;
    gchar *debug;

    /* oversized length: its header is enough */
    s = make_stream (TRUE, ok, 2);
    g_byte_array_append (s,
        (const guint8 *) "\x00\x01\x10\x01\x00\x00\x00\x00", 8);
    debug = push_expect_error_records (TRUE, s, chunks[i], 2);
    /* 68 + 108 = 176 */
    fail_unless (strstr (debug, "offset 176") != NULL, "%s", debug);
    fail_unless (strstr (debug, "69633") != NULL, "%s", debug);
    g_free (debug);
    g_byte_array_unref (s);

    s = make_stream (TRUE, bad_vnet, 3);
    debug = push_expect_error_records (TRUE, s, chunks[i], 2);
    fail_unless (strstr (debug, "offset 176") != NULL, "%s", debug);
    fail_unless (strstr (debug, "vnet_hdr_len 21") != NULL, "%s", debug);
    g_free (debug);
    g_byte_array_unref (s);

    s = make_stream (TRUE, vnet_over_len, 3);
    debug = push_expect_error_records (TRUE, s, chunks[i], 2);
    fail_unless (strstr (debug, "offset 176") != NULL, "%s", debug);
    fail_unless (strstr (debug, "vnet_hdr_len 12") != NULL, "%s", debug);
    fail_unless (strstr (debug, "len 10") != NULL, "%s", debug);
    g_free (debug);
    g_byte_array_unref (s);
  }
}

GST_END_TEST;

GST_START_TEST (test_records_truncated_at_eos)
{
  static const Rec r[] = { {60, 0, 1}, {61, 0, 2}, {100, 0, 3} };
  GstHarness *h = new_depay_records (FALSE);
  GByteArray *s = make_stream (FALSE, r, 3);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;
  GstBuffer *out;

  gst_element_set_bus (h->element, bus);
  /* two records and 34 bytes of the third */
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, 64 + 65 + 34)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 2);
  gst_buffer_unref (out);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_parse_warning (msg, &err, &debug);
  fail_unless (strstr (debug, "discarded 34 bytes") != NULL, "%s", debug);
  fail_unless (strstr (debug, "offset 129") != NULL, "%s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
  fail_unless_equals_uint64 (get_stat (h->element, "truncated-bytes"), 34);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* filesrc ! colodepay ! application/x-colo-records ! appsink: every output
 * buffer whole records, all of them together the file without its
 * zero-length records */
static void
run_filesrc_records (gboolean vnet, guint blocksize)
{
  GByteArray *s, *expect, *got = g_byte_array_new ();
  Rec r[N_RECS];
  GError *error = NULL;
  gchar *path = NULL, *desc;
  GstElement *pipe, *sink;
  GstSample *sample;
  guint i, n_records = 0;
  gint fd;

  memcpy (r, recs, sizeof (recs));
  if (!vnet)
    for (i = 0; i < N_RECS; i++)
      r[i].vnet_hdr_len = 0;
  s = make_stream (vnet, r, N_RECS);
  expect = make_stream_without_empty (vnet, r, N_RECS);

  fd = g_file_open_tmp ("colodepay-XXXXXX.bin", &path, &error);
  fail_unless (fd >= 0);
  g_close (fd, NULL);
  fail_unless (g_file_set_contents (path, (const gchar *) s->data, s->len,
          &error));

  desc = g_strdup_printf ("filesrc location=\"%s\" blocksize=%u ! "
      "colodepay vnet-hdr=%s ! " GST_COLO_RECORDS_MEDIA_TYPE " ! "
      "appsink name=sink sync=false", path, blocksize, vnet ? "true" : "false");
  pipe = gst_parse_launch (desc, &error);
  fail_unless (pipe != NULL, "%s", error ? error->message : "");
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");

  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  /* NULL at EOS */
  for (;;) {
    GstColoCapsInfo info;

    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (sample == NULL)
      break;
    n_records += reparse_records (gst_sample_get_buffer (sample), vnet, got);
    fail_unless (gst_colo_caps_parse (gst_sample_get_caps (sample), &info));
    fail_unless_equals_int (info.format, GST_COLO_FORMAT_RECORDS);
    fail_unless_equals_int (info.vnet_hdr, vnet);
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (n_records, N_RECS - 2);
  fail_unless_equals_int (got->len, expect->len);
  fail_unless (memcmp (got->data, expect->data, got->len) == 0);

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_unlink (path);
  g_free (path);
  g_byte_array_unref (got);
  g_byte_array_unref (expect);
  g_byte_array_unref (s);
}

GST_START_TEST (test_filesrc_records)
{
  run_filesrc_records (FALSE, 4096);
  run_filesrc_records (TRUE, 4096);
  run_filesrc_records (TRUE, 13);
}

GST_END_TEST;

/* --- negotiation ------------------------------------------------------ */

/* The format colodepay picks for a harness sink accepting @sink_caps
 * (NULL: anything); -1 when it cannot negotiate */
static gint
negotiated_format (gboolean vnet, const gchar * sink_caps)
{
  static const Rec r = { 60, 0, 1 };
  GstHarness *h = new_depay (vnet);
  GByteArray *s = make_stream (vnet, &r, 1);
  GstBus *bus = gst_bus_new ();
  GstFlowReturn ret;
  GstCaps *caps;
  GstColoCapsInfo info;
  gint format = -1;

  gst_element_set_bus (h->element, bus);
  if (sink_caps)
    gst_harness_set_sink_caps_str (h, sink_caps);
  ret = gst_harness_push (h, wrap (s->data, s->len));
  if (ret == GST_FLOW_OK) {
    GstBuffer *out = gst_harness_pull (h);

    caps = gst_pad_get_current_caps (h->sinkpad);
    fail_unless (gst_colo_caps_parse (caps, &info));
    gst_caps_unref (caps);
    format = info.format;
    if (format == GST_COLO_FORMAT_RECORDS) {
      fail_unless_equals_int (info.vnet_hdr, vnet);
      fail_unless_equals_int (gst_buffer_get_size (out), s->len);
    } else {
      fail_unless_equals_int (info.vnet_hdr_len, 0);
      fail_unless_equals_int (gst_buffer_get_size (out), 60);
    }
    gst_buffer_unref (out);
    fail_if (gst_bus_have_pending (bus));
  } else {
    GstMessage *msg;
    GError *err = NULL;

    fail_unless_equals_int (ret, GST_FLOW_NOT_NEGOTIATED);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    gst_message_parse_error (msg, &err, NULL);
    fail_unless (g_error_matches (err, GST_CORE_ERROR,
            GST_CORE_ERROR_NEGOTIATION));
    g_error_free (err);
    gst_message_unref (msg);
  }

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
  return format;
}

GST_START_TEST (test_negotiation)
{
  /* anything (the harness's default sink is ANY): our order, frames */
  fail_unless_equals_int (negotiated_format (FALSE, NULL),
      GST_COLO_FORMAT_FRAMES);
  fail_unless_equals_int (negotiated_format (TRUE, "ANY"),
      GST_COLO_FORMAT_FRAMES);
  /* both, frames first: frames */
  fail_unless_equals_int (negotiated_format (FALSE,
          GST_COLO_FRAMES_CAPS "; " GST_COLO_RECORDS_CAPS),
      GST_COLO_FORMAT_FRAMES);
  /* both, records first (as colocompare lists them): records */
  fail_unless_equals_int (negotiated_format (FALSE,
          GST_COLO_RECORDS_CAPS "; " GST_COLO_FRAMES_CAPS),
      GST_COLO_FORMAT_RECORDS);
  fail_unless_equals_int (negotiated_format (TRUE,
          GST_COLO_RECORDS_CAPS "; " GST_COLO_FRAMES_CAPS),
      GST_COLO_FORMAT_RECORDS);
  /* records only */
  fail_unless_equals_int (negotiated_format (FALSE,
          GST_COLO_RECORDS_MEDIA_TYPE), GST_COLO_FORMAT_RECORDS);
  fail_unless_equals_int (negotiated_format (TRUE,
          GST_COLO_RECORDS_MEDIA_TYPE ", vnet-hdr=(boolean)true"),
      GST_COLO_FORMAT_RECORDS);
  /* records, but not with our vnet word: frames */
  fail_unless_equals_int (negotiated_format (FALSE,
          GST_COLO_RECORDS_MEDIA_TYPE ", vnet-hdr=(boolean)true; "
          GST_COLO_FRAMES_MEDIA_TYPE), GST_COLO_FORMAT_FRAMES);
  /* frames only */
  fail_unless_equals_int (negotiated_format (TRUE,
          GST_COLO_FRAMES_MEDIA_TYPE), GST_COLO_FORMAT_FRAMES);
  /* neither: a negotiation error */
  fail_unless_equals_int (negotiated_format (FALSE,
          GST_COLO_RECORDS_MEDIA_TYPE ", vnet-hdr=(boolean)true"), -1);
  fail_unless_equals_int (negotiated_format (FALSE, "video/x-raw"), -1);
}

GST_END_TEST;

/* Downstream changes its mind (a reconfigure event): the next buffer is in
 * the new format, the switch falls on a record boundary */
GST_START_TEST (test_renegotiation_switches_format)
{
  static const Rec r[] = { {60, 0, 1}, {61, 0, 2}, {62, 0, 3}, {63, 0, 4} };
  GstHarness *h = new_depay (FALSE);
  GByteArray *s = make_stream (FALSE, r, 4);
  GstBuffer *out;

  /* frames while downstream takes anything */
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data, 64)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  check_frame (out, &r[0]);
  gst_buffer_unref (out);
  fail_unless_equals_int (current_vnet_hdr_len (h), 0);

  /* then records only; the two next records arrive together */
  gst_harness_set_sink_caps_str (h, GST_COLO_RECORDS_MEDIA_TYPE);
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data + 64,
              65 + 66)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  out = gst_harness_pull (h);
  fail_unless_equals_int (reparse_records (out, FALSE, NULL), 2);
  fail_unless (gst_buffer_memcmp (out, 0, s->data + 64, 65 + 66) == 0);
  gst_buffer_unref (out);
  check_records_caps (h, FALSE);

  /* and back to frames */
  gst_harness_set_sink_caps_str (h, GST_COLO_FRAMES_MEDIA_TYPE);
  fail_unless_equals_int (gst_harness_push (h, wrap (s->data + 64 + 65 + 66,
              67)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  check_frame (out, &r[3]);
  gst_buffer_unref (out);
  fail_unless_equals_int (current_vnet_hdr_len (h), 0);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Real downstream elements: fakesink and a queue take anything (frames),
 * a capsfilter for records gets records */
static void
check_pipeline_format (const gchar * downstream, GstColoFormat expect)
{
  static const Rec r[] = { {60, 0, 1}, {61, 0, 2} };
  GByteArray *s = make_stream (FALSE, r, 2);
  GError *error = NULL;
  gchar *desc;
  GstElement *pipe, *src, *depay;
  GstPad *pad;
  GstCaps *caps;
  GstColoCapsInfo info;
  GstBus *bus;
  GstMessage *msg;
  GstFlowReturn ret;
  GstBuffer *buf;

  desc = g_strdup_printf ("appsrc name=src caps=application/x-colo-framed ! "
      "colodepay name=depay ! %s", downstream);
  pipe = gst_parse_launch (desc, &error);
  fail_unless (pipe != NULL, "%s", error ? error->message : "");
  g_free (desc);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  depay = gst_bin_get_by_name (GST_BIN (pipe), "depay");

  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  buf = wrap (s->data, s->len);
  g_signal_emit_by_name (src, "push-buffer", buf, &ret);
  gst_buffer_unref (buf);
  g_signal_emit_by_name (src, "end-of-stream", &ret);

  bus = gst_element_get_bus (pipe);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);

  pad = gst_element_get_static_pad (depay, "src");
  caps = gst_pad_get_current_caps (pad);
  fail_unless (caps != NULL);
  fail_unless (gst_colo_caps_parse (caps, &info));
  fail_unless_equals_int (info.format, expect);
  gst_caps_unref (caps);
  gst_object_unref (pad);

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (depay);
  gst_object_unref (src);
  gst_object_unref (pipe);
  g_byte_array_unref (s);
}

GST_START_TEST (test_negotiation_pipelines)
{
  check_pipeline_format ("fakesink", GST_COLO_FORMAT_FRAMES);
  check_pipeline_format ("queue ! fakesink", GST_COLO_FORMAT_FRAMES);
  check_pipeline_format ("capsfilter caps=" GST_COLO_RECORDS_MEDIA_TYPE
      " ! fakesink", GST_COLO_FORMAT_RECORDS);
  check_pipeline_format ("queue ! capsfilter caps="
      GST_COLO_RECORDS_MEDIA_TYPE " ! fakesink", GST_COLO_FORMAT_RECORDS);
}

GST_END_TEST;

static Suite *
colodepay_suite (void)
{
  Suite *s = suite_create ("colodepay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_one_buffer);
  tcase_add_test (tc, test_byte_by_byte);
  tcase_add_test (tc, test_odd_chunks);
  tcase_add_test (tc, test_datagrams);
  tcase_add_test (tc, test_caps_renegotiation);
  tcase_add_test (tc, test_no_vnet_caps);
  tcase_add_test (tc, test_error_oversize);
  tcase_add_test (tc, test_error_vnet_hdr_len);
  tcase_add_test (tc, test_truncated_at_eos);
  tcase_add_test (tc, test_zero_length_only);
  tcase_add_test (tc, test_not_seekable);
  tcase_add_test (tc, test_filesrc_pipeline);
  tcase_add_test (tc, test_filesrc_records);
  tcase_add_test (tc, test_records_one_buffer);
  tcase_add_test (tc, test_records_byte_by_byte);
  tcase_add_test (tc, test_records_odd_chunks);
  tcase_add_test (tc, test_records_every_split);
  tcase_add_test (tc, test_records_batch_zero_copy);
  tcase_add_test (tc, test_records_batch_bound);
  tcase_add_test (tc, test_records_datagrams);
  tcase_add_test (tc, test_records_zero_length);
  tcase_add_test (tc, test_records_errors);
  tcase_add_test (tc, test_records_truncated_at_eos);
  tcase_add_test (tc, test_negotiation);
  tcase_add_test (tc, test_renegotiation_switches_format);
  tcase_add_test (tc, test_negotiation_pipelines);
  return s;
}

GST_CHECK_MAIN (colodepay);
