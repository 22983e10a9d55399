/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "gstcolocaps.h"

static GstBuffer *
make_frame (gsize size, guint8 seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;
  gsize i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < size; i++)
    map.data[i] = (guint8) (seed * 17 + i);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static GstHarness *
new_pay (gboolean vnet, const gchar * caps)
{
  GstElement *e = gst_element_factory_make ("colopay", NULL);
  GstHarness *h;

  fail_unless (e != NULL);
  g_object_set (e, "vnet-hdr", vnet, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  if (caps)
    gst_harness_set_src_caps_str (h, caps);
  return h;
}

static guint32
read_word (GstBuffer * buf, gsize offset)
{
  guint8 w[4];

  fail_unless_equals_int (gst_buffer_extract (buf, offset, w, 4), 4);
  return GST_READ_UINT32_BE (w);
}

static void
check_zero_copy (gboolean vnet)
{
  GstHarness *h = new_pay (vnet, "application/x-ethernet, vnet-hdr-len=12");
  GstBuffer *in = make_frame (74, 1);
  GstBuffer *out;
  guint hsize = vnet ? 8 : 4;
  GstCaps *caps;

  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  GST_BUFFER_DTS (in) = 4 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);

  fail_unless_equals_int (gst_buffer_get_size (out), hsize + 74);
  fail_unless_equals_int (gst_buffer_n_memory (out), 2);
  fail_unless_equals_int (gst_buffer_get_size (out), hsize + 74);
  /* the payload is the input's memory itself */
  fail_unless (gst_buffer_peek_memory (out, 1) ==
      gst_buffer_peek_memory (in, 0));
  fail_unless_equals_int (gst_memory_get_sizes (gst_buffer_peek_memory (out,
              0), NULL, NULL), hsize);

  fail_unless_equals_int (read_word (out, 0), 74);
  if (vnet)
    fail_unless_equals_int (read_word (out, 4), 12);
  fail_unless (gst_buffer_memcmp (out, hsize, "\x11\x12\x13", 3) == 0);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 5 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 4 * GST_SECOND);

  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "application/x-colo-framed"));
  gst_caps_unref (caps);

  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_START_TEST (test_zero_copy)
{
  check_zero_copy (FALSE);
  check_zero_copy (TRUE);
}

GST_END_TEST;

/* multi-memory input: every memory is kept, none copied */
GST_START_TEST (test_multi_memory)
{
  GstHarness *h = new_pay (FALSE, "application/x-ethernet, vnet-hdr-len=0");
  GstBuffer *in = make_frame (14, 1);
  GstBuffer *out;

  gst_buffer_append (in, make_frame (50, 2));
  fail_unless_equals_int (gst_buffer_n_memory (in), 2);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_n_memory (out), 3);
  fail_unless (gst_buffer_peek_memory (out, 1) ==
      gst_buffer_peek_memory (in, 0));
  fail_unless (gst_buffer_peek_memory (out, 2) ==
      gst_buffer_peek_memory (in, 1));
  fail_unless_equals_int (read_word (out, 0), 64);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* no caps event at all (udpsrc without caps): vnet-hdr-len 0 */
GST_START_TEST (test_no_caps)
{
  GstHarness *h = new_pay (TRUE, NULL);
  GstSegment seg;
  GstBuffer *out;
  GstCaps *caps;

  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("colopay-test")));
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  fail_unless_equals_int (gst_harness_push (h, make_frame (60, 3)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 68);
  fail_unless_equals_int (read_word (out, 0), 60);
  fail_unless_equals_int (read_word (out, 4), 0);
  gst_buffer_unref (out);

  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (caps != NULL);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_vnet_caps_change)
{
  GstHarness *h = new_pay (TRUE, "application/x-ethernet, vnet-hdr-len=10");
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, make_frame (60, 1)),
      GST_FLOW_OK);
  gst_harness_set_src_caps_str (h, "application/x-ethernet, vnet-hdr-len=12");
  fail_unless_equals_int (gst_harness_push (h, make_frame (62, 2)),
      GST_FLOW_OK);

  out = gst_harness_pull (h);
  fail_unless_equals_int (read_word (out, 4), 10);
  gst_buffer_unref (out);
  out = gst_harness_pull (h);
  fail_unless_equals_int (read_word (out, 0), 62);
  fail_unless_equals_int (read_word (out, 4), 12);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_empty_skipped)
{
  GstHarness *h = new_pay (FALSE, "application/x-ethernet, vnet-hdr-len=0");

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
check_error (gboolean vnet, const gchar * caps, gsize size)
{
  GstHarness *h = new_pay (vnet, caps);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  gst_element_set_bus (h->element, bus);
  fail_unless_equals_int (gst_harness_push (h, make_frame (size, 1)),
      GST_FLOW_ERROR);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_ENCODE));
  GST_INFO ("error: %s (%s)", err->message, debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_START_TEST (test_oversize)
{
  GstHarness *h = new_pay (FALSE, "application/x-ethernet, vnet-hdr-len=0");
  GstBuffer *out;

  /* the largest allowed frame passes */
  fail_unless_equals_int (gst_harness_push (h, make_frame (69632, 1)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (read_word (out, 0), 69632);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  check_error (FALSE, "application/x-ethernet, vnet-hdr-len=0", 69633);
  check_error (TRUE, "application/x-ethernet, vnet-hdr-len=0", 100000);
  /* shorter than its own vnet header */
  check_error (TRUE, "application/x-ethernet, vnet-hdr-len=12", 10);
}

GST_END_TEST;

/* colocompare releases lists: a list goes out as one list, so that a sink
 * can write it at once; an empty buffer in it is skipped, and an
 * unframeable one fails the list after the ones before it went out */
static GstBufferList *received_list;
static guint n_lists;

static GstFlowReturn
capture_list (GstPad * pad, GstObject * parent, GstBufferList * list)
{
  n_lists++;
  if (received_list)
    gst_buffer_list_unref (received_list);
  received_list = list;
  return GST_FLOW_OK;
}

GST_START_TEST (test_buffer_list)
{
  GstHarness *h = new_pay (FALSE, "application/x-ethernet, vnet-hdr-len=0");
  GstBufferList *list = gst_buffer_list_new ();
  GstBuffer *first = make_frame (60, 1);

  gst_pad_set_chain_list_function (h->sinkpad, capture_list);
  gst_buffer_list_add (list, gst_buffer_ref (first));
  gst_buffer_list_add (list, gst_buffer_new ());
  gst_buffer_list_add (list, make_frame (1514, 2));
  fail_unless_equals_int (gst_pad_push_list (h->srcpad, list), GST_FLOW_OK);
  fail_unless_equals_int (n_lists, 1);
  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  fail_unless_equals_int (gst_buffer_list_length (received_list), 2);
  fail_unless_equals_int (read_word (gst_buffer_list_get (received_list, 0),
          0), 60);
  fail_unless (gst_buffer_peek_memory (gst_buffer_list_get (received_list, 0),
          1) == gst_buffer_peek_memory (first, 0));
  fail_unless_equals_int (gst_buffer_get_size (gst_buffer_list_get
          (received_list, 1)), 4 + 1514);
  fail_unless_equals_int (read_word (gst_buffer_list_get (received_list, 1),
          0), 1514);

  list = gst_buffer_list_new ();
  gst_buffer_list_add (list, make_frame (70, 3));
  gst_buffer_list_add (list, make_frame (69633, 4));
  gst_buffer_list_add (list, make_frame (80, 5));
  fail_unless_equals_int (gst_pad_push_list (h->srcpad, list), GST_FLOW_ERROR);
  fail_unless_equals_int (n_lists, 2);
  fail_unless_equals_int (gst_buffer_list_length (received_list), 1);
  fail_unless_equals_int (read_word (gst_buffer_list_get (received_list, 0),
          0), 70);

  gst_buffer_list_unref (received_list);
  received_list = NULL;
  gst_buffer_unref (first);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* colopay ! colodepay gives back every frame byte for byte */
static void
check_roundtrip (gboolean vnet, gint vnet_hdr_len)
{
  GstElement *bin = gst_bin_new (NULL);
  GstElement *pay = gst_element_factory_make ("colopay", NULL);
  GstElement *depay = gst_element_factory_make ("colodepay", NULL);
  GstHarness *h;
  GstPad *pad;
  gchar *caps;
  guint i;

  g_object_set (pay, "vnet-hdr", vnet, NULL);
  g_object_set (depay, "vnet-hdr", vnet, NULL);
  gst_bin_add_many (GST_BIN (bin), pay, depay, NULL);
  fail_unless (gst_element_link (pay, depay));
  pad = gst_element_get_static_pad (pay, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (depay, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);

  h = gst_harness_new_with_element (bin, "sink", "src");
  gst_object_unref (bin);
  caps = g_strdup_printf ("application/x-ethernet, vnet-hdr-len=%d",
      vnet_hdr_len);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);

  for (i = 0; i < 50; i++) {
    gsize size = MAX (vnet_hdr_len, 1) + (i * 97) % 1600;
    GstBuffer *in = make_frame (size, i);
    GstBuffer *out;
    GstMapInfo a, b;
    GstCaps *oc;
    gint v = -1;

    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    gst_buffer_map (in, &a, GST_MAP_READ);
    gst_buffer_map (out, &b, GST_MAP_READ);
    fail_unless_equals_int (a.size, b.size);
    fail_unless (memcmp (a.data, b.data, a.size) == 0);
    gst_buffer_unmap (in, &a);
    gst_buffer_unmap (out, &b);

    oc = gst_pad_get_current_caps (h->sinkpad);
    fail_unless (gst_structure_get_int (gst_caps_get_structure (oc, 0),
            "vnet-hdr-len", &v));
    fail_unless_equals_int (v, vnet ? vnet_hdr_len : 0);
    gst_caps_unref (oc);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
  }
  gst_harness_teardown (h);
}

GST_START_TEST (test_roundtrip)
{
  check_roundtrip (FALSE, 0);
  check_roundtrip (TRUE, 0);
  check_roundtrip (TRUE, 12);
  check_roundtrip (TRUE, 20);
}

GST_END_TEST;

/* --- records input ---------------------------------------------------- */

/* Appends a record: @len bytes of payload from @seed, with the vnet word
 * @vnet_hdr_len when @vnet */
static void
append_record (GByteArray * s, gboolean vnet, guint32 len,
    guint32 vnet_hdr_len, guint8 seed)
{
  guint8 hdr[8];
  guint32 i;

  GST_WRITE_UINT32_BE (hdr, len);
  GST_WRITE_UINT32_BE (hdr + 4, vnet_hdr_len);
  g_byte_array_append (s, hdr, vnet ? 8 : 4);
  for (i = 0; i < len; i++) {
    guint8 b = (guint8) (seed * 17 + i);

    g_byte_array_append (s, &b, 1);
  }
}

typedef struct
{
  guint32 len;
  guint32 vnet_hdr_len;
} PayRec;

static const PayRec pay_recs[] = {
  {60, 10}, {1514, 12}, {0, 0}, {20, 20}, {69632, 0}, {42, 12},
};

/* The records of pay_recs framed with or without the vnet word (without:
 * vnet_hdr_len is not on the wire); @skip_empty leaves out len 0 */
static GByteArray *
make_records (gboolean vnet, gboolean skip_empty)
{
  GByteArray *s = g_byte_array_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pay_recs); i++) {
    if (skip_empty && pay_recs[i].len == 0)
      continue;
    append_record (s, vnet, pay_recs[i].len, pay_recs[i].vnet_hdr_len, i);
  }
  return s;
}

static GstHarness *
new_pay_records (gboolean vnet, gboolean in_vnet)
{
  GstCaps *caps = gst_colo_caps_new_records (in_vnet);
  GstHarness *h = new_pay (vnet, NULL);

  gst_harness_set_src_caps (h, caps);
  return h;
}

/* A buffer of the bytes of @s cut into memories at @cuts (increasing) */
static GstBuffer *
wrap_in_memories (GByteArray * s, const gsize * cuts, guint n_cuts)
{
  GstBuffer *buf = gst_buffer_new ();
  gsize start = 0;
  guint i;

  for (i = 0; i <= n_cuts; i++) {
    gsize end = i < n_cuts ? cuts[i] : s->len;
    gpointer data = g_memdup2 (s->data + start, end - start);

    gst_buffer_append_memory (buf, gst_memory_new_wrapped (0, data,
            end - start, 0, end - start, data, g_free));
    start = end;
  }
  return buf;
}

static void
check_bytes (GstBuffer * buf, GByteArray * expect)
{
  fail_unless_equals_int (gst_buffer_get_size (buf), expect->len);
  fail_unless (gst_buffer_memcmp (buf, 0, expect->data, expect->len) == 0);
}

/* Matching vnet word: the very buffer goes out, byte for byte, its
 * memories untouched */
static void
check_passthrough (gboolean vnet)
{
  GstHarness *h = new_pay_records (vnet, vnet);
  GByteArray *s = make_records (vnet, TRUE);
  /* cuts inside a header, inside a payload, on a record boundary */
  gsize cuts[] = { 2, 100, (vnet ? 8 : 4) + 60 + (vnet ? 8 : 4) + 1514 };
  GstBuffer *in, *out;
  GstCaps *caps;
  guint i;

  in = gst_buffer_new_memdup (s->data, s->len);
  GST_BUFFER_PTS (in) = 7 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  check_bytes (out, s);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 7 * GST_SECOND);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  /* several memories, records across them: nothing merged or copied */
  in = wrap_in_memories (s, cuts, G_N_ELEMENTS (cuts));
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  fail_unless_equals_int (gst_buffer_n_memory (out), 4);
  for (i = 0; i < 4; i++)
    fail_unless (gst_buffer_peek_memory (out, i) ==
        gst_buffer_peek_memory (in, i));
  check_bytes (out, s);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "application/x-colo-framed"));
  gst_caps_unref (caps);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_START_TEST (test_records_passthrough)
{
  check_passthrough (FALSE);
  check_passthrough (TRUE);
}

GST_END_TEST;

/* Different vnet word: every record framed again, the payload unchanged */
static void
check_reframe (gboolean in_vnet, gboolean out_vnet, gboolean multi_memory)
{
  GstHarness *h = new_pay_records (out_vnet, in_vnet);
  GByteArray *s = make_records (in_vnet, FALSE);
  GByteArray *expect = g_byte_array_new ();
  gsize cuts[] = { 3, 70, 71, 2000 };
  GstBuffer *in, *out;
  guint i;

  /* dropped: no word; added: 0, the payload has no virtio-net header */
  for (i = 0; i < G_N_ELEMENTS (pay_recs); i++)
    if (pay_recs[i].len > 0)
      append_record (expect, out_vnet, pay_recs[i].len,
          in_vnet ? pay_recs[i].vnet_hdr_len : 0, i);

  if (multi_memory)
    in = wrap_in_memories (s, cuts, G_N_ELEMENTS (cuts));
  else
    in = gst_buffer_new_memdup (s->data, s->len);
  GST_BUFFER_PTS (in) = 3 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  check_bytes (out, expect);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND);
  gst_buffer_unref (out);

  g_byte_array_unref (expect);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_START_TEST (test_records_reframe)
{
  check_reframe (TRUE, FALSE, FALSE);
  check_reframe (TRUE, FALSE, TRUE);
  check_reframe (FALSE, TRUE, FALSE);
  check_reframe (FALSE, TRUE, TRUE);
  /* same vnet word, but a zero-length record to leave out */
  check_reframe (TRUE, TRUE, FALSE);
  check_reframe (FALSE, FALSE, TRUE);
}

GST_END_TEST;

/* Only zero-length records: nothing goes out */
GST_START_TEST (test_records_only_empty)
{
  GstHarness *h = new_pay_records (FALSE, FALSE);
  GByteArray *s = g_byte_array_new ();

  append_record (s, FALSE, 0, 0, 0);
  append_record (s, FALSE, 0, 0, 0);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (s->data, s->len)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Bad records input: a stream error naming the offset, nothing pushed */
static void
check_records_error (gboolean vnet, GByteArray * s, const gchar * expect1,
    const gchar * expect2)
{
  GstHarness *h = new_pay_records (vnet, vnet);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  gst_element_set_bus (h->element, bus);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (s->data, s->len)), GST_FLOW_ERROR);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FORMAT));
  GST_INFO ("error: %s (%s)", err->message, debug);
  fail_unless (strstr (debug, expect1) != NULL, "%s", debug);
  fail_unless (strstr (debug, expect2) != NULL, "%s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_START_TEST (test_records_errors)
{
  GByteArray *s;

  /* len over 69632 */
  s = g_byte_array_new ();
  append_record (s, FALSE, 60, 0, 1);
  append_record (s, FALSE, 69633, 0, 2);
  check_records_error (FALSE, s, "offset 64", "len 69633");
  g_byte_array_unref (s);

  /* vnet_hdr_len over 20, and over len */
  s = g_byte_array_new ();
  append_record (s, TRUE, 60, 10, 1);
  append_record (s, TRUE, 100, 21, 2);
  check_records_error (TRUE, s, "offset 68", "vnet_hdr_len 21");
  g_byte_array_unref (s);
  s = g_byte_array_new ();
  append_record (s, TRUE, 60, 10, 1);
  append_record (s, TRUE, 10, 12, 2);
  check_records_error (TRUE, s, "offset 68", "vnet_hdr_len 12");
  g_byte_array_unref (s);

  /* the buffer ends inside a record's payload, or inside its header */
  s = g_byte_array_new ();
  append_record (s, TRUE, 60, 10, 1);
  append_record (s, TRUE, 100, 10, 2);
  g_byte_array_set_size (s, s->len - 1);
  check_records_error (TRUE, s, "offset 68", "needs 108 bytes");
  g_byte_array_set_size (s, 68 + 5);
  check_records_error (TRUE, s, "offset 68", "5 bytes left");
  g_byte_array_unref (s);
}

GST_END_TEST;

/* The error offsets count from the start of the records input */
GST_START_TEST (test_records_error_stream_offset)
{
  GstHarness *h = new_pay_records (FALSE, FALSE);
  GByteArray *s = g_byte_array_new ();
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  gst_element_set_bus (h->element, bus);
  append_record (s, FALSE, 60, 0, 1);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (s->data, s->len)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  append_record (s, FALSE, 69633, 0, 2);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (s->data, s->len)), GST_FLOW_ERROR);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (strstr (debug, "offset 128") != NULL, "%s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A list of records buffers stays a list of the same buffers */
GST_START_TEST (test_records_list)
{
  GstHarness *h = new_pay_records (TRUE, TRUE);
  GByteArray *s = make_records (TRUE, TRUE);
  GstBufferList *list = gst_buffer_list_new ();
  GstBuffer *a = gst_buffer_new_memdup (s->data, s->len);
  GstBuffer *b = gst_buffer_new_memdup (s->data, 68);

  gst_pad_set_chain_list_function (h->sinkpad, capture_list);
  n_lists = 0;
  gst_buffer_list_add (list, gst_buffer_ref (a));
  gst_buffer_list_add (list, gst_buffer_ref (b));
  fail_unless_equals_int (gst_pad_push_list (h->srcpad, list), GST_FLOW_OK);
  fail_unless_equals_int (n_lists, 1);
  fail_unless_equals_int (gst_buffer_list_length (received_list), 2);
  fail_unless (gst_buffer_list_get (received_list, 0) == a);
  fail_unless (gst_buffer_list_get (received_list, 1) == b);

  gst_buffer_list_unref (received_list);
  received_list = NULL;
  gst_buffer_unref (a);
  gst_buffer_unref (b);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The input switches between frames and records: each buffer is framed
 * by the caps it came with */
GST_START_TEST (test_records_caps_switch)
{
  GstHarness *h = new_pay (TRUE, "application/x-ethernet, vnet-hdr-len=10");
  GByteArray *s = g_byte_array_new ();
  GstBuffer *in, *out;

  fail_unless_equals_int (gst_harness_push (h, make_frame (60, 1)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (read_word (out, 0), 60);
  fail_unless_equals_int (read_word (out, 4), 10);
  gst_buffer_unref (out);

  gst_harness_set_src_caps (h, gst_colo_caps_new_records (TRUE));
  append_record (s, TRUE, 70, 12, 2);
  in = gst_buffer_new_memdup (s->data, s->len);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  gst_harness_set_src_caps_str (h, "application/x-ethernet, vnet-hdr-len=0");
  fail_unless_equals_int (gst_harness_push (h, make_frame (80, 3)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (read_word (out, 0), 80);
  fail_unless_equals_int (read_word (out, 4), 0);
  gst_buffer_unref (out);

  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* colodepay (records) ! colopay: the stream comes back byte for byte
 * (without its zero-length records), whatever the input cuts; with
 * different vnet settings, framed again */
static void
check_records_roundtrip (gboolean in_vnet, gboolean out_vnet, gsize chunk)
{
  GstHarness *h = gst_harness_new_parse (in_vnet ?
      "colodepay vnet-hdr=true ! " GST_COLO_RECORDS_MEDIA_TYPE " ! colopay" :
      "colodepay vnet-hdr=false ! " GST_COLO_RECORDS_MEDIA_TYPE " ! colopay");
  GByteArray *s = make_records (in_vnet, FALSE);
  GByteArray *expect = g_byte_array_new ();
  GByteArray *got = g_byte_array_new ();
  GstElement *pay = gst_harness_find_element (h, "colopay");
  GstBuffer *out;
  gsize pos;
  guint i;

  g_object_set (pay, "vnet-hdr", out_vnet, NULL);
  gst_object_unref (pay);
  gst_harness_set_src_caps_str (h, "application/x-colo-framed");
  for (i = 0; i < G_N_ELEMENTS (pay_recs); i++)
    if (pay_recs[i].len > 0)
      append_record (expect, out_vnet, pay_recs[i].len,
          in_vnet ? pay_recs[i].vnet_hdr_len : 0, i);

  for (pos = 0; pos < s->len; pos += chunk)
    fail_unless_equals_int (gst_harness_push (h,
            gst_buffer_new_memdup (s->data + pos, MIN (chunk, s->len - pos))),
        GST_FLOW_OK);
  while ((out = gst_harness_try_pull (h))) {
    GstMapInfo map;

    gst_buffer_map (out, &map, GST_MAP_READ);
    g_byte_array_append (got, map.data, map.size);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (got->len, expect->len);
  fail_unless (memcmp (got->data, expect->data, got->len) == 0);

  g_byte_array_unref (got);
  g_byte_array_unref (expect);
  g_byte_array_unref (s);
  gst_harness_teardown (h);
}

GST_START_TEST (test_records_roundtrip)
{
  check_records_roundtrip (FALSE, FALSE, G_MAXSIZE);
  check_records_roundtrip (TRUE, TRUE, 1000);
  check_records_roundtrip (TRUE, FALSE, 7);
  check_records_roundtrip (FALSE, TRUE, 4096);
}

GST_END_TEST;

static Suite *
colopay_suite (void)
{
  Suite *s = suite_create ("colopay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_zero_copy);
  tcase_add_test (tc, test_multi_memory);
  tcase_add_test (tc, test_no_caps);
  tcase_add_test (tc, test_vnet_caps_change);
  tcase_add_test (tc, test_empty_skipped);
  tcase_add_test (tc, test_oversize);
  tcase_add_test (tc, test_roundtrip);
  tcase_add_test (tc, test_buffer_list);
  tcase_add_test (tc, test_records_passthrough);
  tcase_add_test (tc, test_records_reframe);
  tcase_add_test (tc, test_records_only_empty);
  tcase_add_test (tc, test_records_errors);
  tcase_add_test (tc, test_records_error_stream_offset);
  tcase_add_test (tc, test_records_list);
  tcase_add_test (tc, test_records_caps_switch);
  tcase_add_test (tc, test_records_roundtrip);
  return s;
}

GST_CHECK_MAIN (colopay);
