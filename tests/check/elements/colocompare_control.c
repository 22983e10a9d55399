/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Element tests for what an operator controls in colocompare beyond QEMU's
 * object (docs/design.md, "Passthrough rules", "Divergence evidence",
 * "The replica's life"): per-flow passthrough, the
 * evidence of a miscompare, starting in failover and resuming, the
 * connection table and the decision log.  GstHarness on a GstTestClock
 * (common/colocompare_harness.h). */

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "colocompare_harness.h"
#include "frames.h"

#define CAPS "application/x-ethernet, vnet-hdr-len=(int)0"
#define P COLO_SIDE_PRIMARY
#define S COLO_SIDE_SECONDARY
#define TH_ACK 0x10

static GBytes *
udp (guint16 sport, guint16 dport, const gchar * text)
{
  FrameOpts o;

  frame_opts_init (&o);
  return frame_udp (&o, sport, dport, (const guint8 *) text, strlen (text));
}

static GBytes *
tcp (guint16 sport, guint32 seq, const gchar * text)
{
  FrameOpts o;

  frame_opts_init (&o);
  return frame_tcp (&o, sport, 40000, seq, 1, TH_ACK, 0,
      (const guint8 *) text, strlen (text));
}

/* --- passthrough -------------------------------------------------------- */

/* A flow named by the rules goes out from the primary at once, whatever
 * the secondary sends; the others are still compared. */
GST_START_TEST (test_passthrough_flow)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS,
      "passthrough", "tcp:3389,udp:*:5353", NULL);
  GstBuffer *p1, *p2;

  p1 = compare_harness_push_frame (c, P, tcp (3389, 1000, "desktop frame"));
  compare_harness_expect_out (c, p1);
  compare_harness_push_frame (c, S, tcp (3389, 1000, "other pixels!"));
  p2 = compare_harness_push_frame (c, P, udp (4000, 53, "query"));
  compare_harness_expect_none (c);
  compare_harness_push_frame (c, S, udp (4000, 53, "query"));
  compare_harness_expect_out (c, p2);
  compare_harness_no_checkpoint (c);
  fail_unless_equals_uint64 (compare_stat (c->e, "passthrough-primary"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "passthrough-secondary"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "passed-through"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "miscompares"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* Rules set while PLAYING: what the newly passed flow holds goes out at
 * once, in order, without waiting for the next frame. */
GST_START_TEST (test_passthrough_change_while_playing)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS, NULL);
  GstBuffer *p1, *p2;
  gchar *rules = NULL;

  p1 = compare_harness_push_frame (c, P, udp (5353, 5353, "announce 1"));
  p2 = compare_harness_push_frame (c, P, udp (5353, 5353, "announce 2"));
  compare_harness_expect_none (c);
  g_object_set (c->e, "passthrough", "udp:5353", NULL);
  compare_harness_wait_stat (c, "passthrough-primary", 2);
  compare_harness_expect_out (c, p1);
  compare_harness_expect_out (c, p2);
  g_object_get (c->e, "passthrough", &rules, NULL);
  fail_unless_equals_string (rules, "udp:5353");
  g_free (rules);
  fail_unless_equals_uint64 (compare_stat (c->e, "passthrough-primary"), 2);
  fail_unless_equals_uint64 (compare_stat (c->e, "queued-primary"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* Bad rules are refused with a warning; the old ones stay. */
GST_START_TEST (test_passthrough_bad_rules)
{
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  gchar *rules = NULL;

  g_object_set (e, "passthrough", "icmp", NULL);
  ASSERT_WARNING (g_object_set (e, "passthrough", "icmp:8", NULL));
  g_object_get (e, "passthrough", &rules, NULL);
  fail_unless_equals_string (rules, "icmp");
  g_free (rules);
  gst_object_unref (e);
}

GST_END_TEST;

/* --- divergence evidence ------------------------------------------------ */

static gchar *
hex_of (const gchar * text, gsize len)
{
  GString *s = g_string_new (NULL);
  gsize i;

  for (i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", (guint8) text[i]);
  return g_string_free (s, FALSE);
}

/* The miscompare message carries the bytes of both sides around the
 * first difference. */
GST_START_TEST (test_excerpts_in_message)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS, NULL);
  const gchar *pt = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
  gchar *st = g_strdup (pt), *want;
  GstMessage *m;

  st[20] = '#';                 /* 'k' */
  compare_harness_push_frame (c, P, udp (4000, 53, pt));
  compare_harness_push_frame (c, S, udp (4000, 53, st));
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  fail_unless_equals_int (compare_msg_uint (m, "offset"), 20);
  fail_unless_equals_int (compare_msg_uint (m, "excerpt-offset"), 4);
  want = hex_of (pt + 4, 32);
  fail_unless_equals_string (compare_msg_str (m, "primary-excerpt"), want);
  g_free (want);
  want = hex_of (st + 4, 32);
  fail_unless_equals_string (compare_msg_str (m, "secondary-excerpt"), want);
  g_free (want);
  fail_if (gst_structure_has_field (gst_message_get_structure (m),
          "divergence-file"));
  gst_message_unref (m);
  g_free (st);
  compare_harness_free (c);
}

GST_END_TEST;

typedef struct
{
  guint32 ts_sec, ts_usec, caplen, len;
} PcapRecord;

/* Reads a classic pcap written on this host: the frames in order */
static GPtrArray *
read_pcap (const gchar * path)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  gchar *data;
  gsize len, pos = 24;
  guint32 magic, linktype;

  fail_unless (g_file_get_contents (path, &data, &len, NULL), "no %s", path);
  fail_unless (len >= 24);
  memcpy (&magic, data, 4);
  memcpy (&linktype, data + 20, 4);
  fail_unless_equals_int (magic, 0xa1b2c3d4);
  fail_unless_equals_int (linktype, 1);
  while (pos < len) {
    PcapRecord r;

    fail_unless (pos + 16 <= len);
    memcpy (&r, data + pos, 16);
    fail_unless (pos + 16 + r.caplen <= len);
    g_ptr_array_add (frames, g_bytes_new (data + pos + 16, r.caplen));
    pos += 16 + r.caplen;
  }
  g_free (data);
  return frames;
}

static gboolean
bytes_equal_frame (GBytes * b, GBytes * frame)
{
  gboolean eq = g_bytes_equal (b, frame);

  g_bytes_unref (frame);
  return eq;
}

/* divergence-location writes the connection's frames (the ones that went
 * out before and the diverging ones), primary first, up to
 * max-divergence-files files; the message names the file. */
GST_START_TEST (test_divergence_files)
{
  gchar *dir = g_dir_make_tmp ("colo-div-XXXXXX", NULL);
  gchar *tmpl = g_build_filename (dir, "div-%03d.pcap", NULL);
  gchar *first = g_build_filename (dir, "div-000.pcap", NULL);
  gchar *second = g_build_filename (dir, "div-001.pcap", NULL);
  CompareHarness *c = compare_harness_new_with_properties (CAPS,
      "divergence-location", tmpl, "max-divergence-files", 1, NULL);
  GstMessage *m;
  GPtrArray *frames;

  compare_harness_push_frame (c, P, udp (4000, 53, "before"));
  compare_harness_push_frame (c, S, udp (4000, 53, "before"));
  compare_harness_push_frame (c, P, udp (4001, 53, "another flow"));
  compare_harness_push_frame (c, S, udp (4001, 53, "another flow"));
  compare_harness_push_frame (c, P, udp (4000, 53, "left"));
  compare_harness_push_frame (c, S, udp (4000, 53, "right"));
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "divergence-file"), first);
  gst_message_unref (m);

  frames = read_pcap (first);
  fail_unless_equals_int (frames->len, 4);
  fail_unless (bytes_equal_frame (g_ptr_array_index (frames, 0),
          udp (4000, 53, "before")));
  fail_unless (bytes_equal_frame (g_ptr_array_index (frames, 1),
          udp (4000, 53, "left")));
  fail_unless (bytes_equal_frame (g_ptr_array_index (frames, 2),
          udp (4000, 53, "before")));
  fail_unless (bytes_equal_frame (g_ptr_array_index (frames, 3),
          udp (4000, 53, "right")));
  g_ptr_array_unref (frames);
  fail_unless_equals_uint64 (compare_stat (c->e, "divergence-files"), 1);

  /* a second miscompare: max-divergence-files is 1, no file */
  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", 1);
  gst_buffer_unref (compare_harness_pull (c));  /* "left" */
  compare_harness_push_frame (c, P, udp (4000, 53, "up"));
  compare_harness_push_frame (c, S, udp (4000, 53, "down"));
  m = compare_harness_pop_checkpoint (c);
  fail_if (gst_structure_has_field (gst_message_get_structure (m),
          "divergence-file"));
  gst_message_unref (m);
  fail_if (g_file_test (second, G_FILE_TEST_EXISTS));
  fail_unless_equals_uint64 (compare_stat (c->e, "divergence-files"), 1);
  compare_harness_free (c);

  g_unlink (first);
  g_rmdir (dir);
  g_free (first);
  g_free (second);
  g_free (tmpl);
  g_free (dir);
}

GST_END_TEST;

/* A location that cannot be written is a warning; comparison goes on. */
GST_START_TEST (test_divergence_file_unwritable)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS,
      "divergence-location", "/nonexistent-colo-dir/div-%d.pcap", NULL);
  gboolean warned = FALSE, requested = FALSE;
  GstMessage *m;

  compare_harness_push_frame (c, P, udp (4000, 53, "left"));
  compare_harness_push_frame (c, S, udp (4000, 53, "right"));
  /* the warning, then the request, both on the bus */
  while (!warned || !requested) {
    m = gst_bus_timed_pop_filtered (c->bus, 10 * GST_SECOND,
        GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT);
    fail_unless (m != NULL, "warned %d, requested %d", warned, requested);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
      GError *err = NULL;

      gst_message_parse_warning (m, &err, NULL);
      fail_unless (err->domain == GST_RESOURCE_ERROR);
      g_error_free (err);
      warned = TRUE;
    } else if (gst_message_has_name (m, "colo-checkpoint")) {
      fail_if (gst_structure_has_field (gst_message_get_structure (m),
              "divergence-file"));
      requested = TRUE;
    }
    gst_message_unref (m);
  }
  fail_unless_equals_uint64 (compare_stat (c->e, "divergence-files"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

GST_START_TEST (test_divergence_location_validated)
{
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  gchar *loc = NULL;

  g_object_set (e, "divergence-location", "div-%05d.pcap", NULL);
  ASSERT_WARNING (g_object_set (e, "divergence-location", "div-%s.pcap", NULL));
  g_object_get (e, "divergence-location", &loc, NULL);
  fail_unless_equals_string (loc, "div-%05d.pcap");
  g_free (loc);
  gst_object_unref (e);
}

GST_END_TEST;

/* --- the replica's life -------------------------------------------------- */

/* Started in failover (the primary alone), the element forwards the
 * primary uncompared; after resume it compares again, and stats count
 * the time in each mode. */
GST_START_TEST (test_start_in_failover_then_resume)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS,
      "start-in-failover", TRUE, NULL);
  GstBuffer *p1, *p2;
  GstStructure *st = NULL;

  compare_harness_advance_to (c, 1 * GST_SECOND);
  p1 = compare_harness_push_frame (c, P, udp (4000, 53, "alone"));
  compare_harness_expect_out (c, p1);
  compare_harness_push_frame (c, S, udp (4000, 53, "ignored"));
  g_object_get (c->e, "stats", &st, NULL);
  fail_unless_equals_string (gst_structure_get_string (st, "mode"), "failover");
  gst_structure_free (st);

  compare_harness_advance_to (c, 3 * GST_SECOND);
  g_signal_emit_by_name (c->e, "resume");
  compare_harness_wait_stat (c, "resumes", 1);
  p2 = compare_harness_push_frame (c, P, udp (4000, 53, "compared"));
  compare_harness_expect_none (c);
  compare_harness_push_frame (c, S, udp (4000, 53, "compared"));
  compare_harness_expect_out (c, p2);
  fail_unless_equals_uint64 (compare_stat (c->e, "released"), 1);
  fail_unless (compare_stat (c->e, "time-failover") >= 2 * GST_SECOND);
  fail_unless_equals_uint64 (compare_stat (c->e, "time-compare"), 0);
  compare_harness_free (c);
}

GST_END_TEST;

/* failover, then resume: a TCP stream is aligned afresh on the new
 * secondary; a difference after resume is a miscompare again. */
GST_START_TEST (test_failover_resume_tcp)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS, NULL);
  GstBuffer *p1, *p2;
  GstMessage *m;

  p1 = compare_harness_push_frame (c, P, tcp (80, 1000, "matched"));
  compare_harness_push_frame (c, S, tcp (80, 1000, "matched"));
  compare_harness_expect_out (c, p1);
  g_signal_emit_by_name (c->e, "failover");
  compare_harness_push_frame (c, P, tcp (80, 1007, "alone"));
  gst_buffer_unref (compare_harness_pull (c));
  g_signal_emit_by_name (c->e, "resume");
  compare_harness_wait_stat (c, "resumes", 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "connections"), 0);
  p2 = compare_harness_push_frame (c, P, tcp (80, 1012, "again"));
  compare_harness_push_frame (c, S, tcp (80, 1012, "agaiN"));
  m = compare_harness_pop_checkpoint (c);
  fail_unless_equals_string (compare_msg_str (m, "reason"), "miscompare");
  fail_unless_equals_int (compare_msg_uint (m, "tcp-seq"), 1016);
  gst_message_unref (m);
  fail_unless_equals_uint64 (compare_stat (c->e, "requests-miscompare"), 1);
  fail_unless_equals_uint64 (compare_stat (c->e, "requests-stale"), 0);
  g_signal_emit_by_name (c->e, "checkpoint-done");
  compare_harness_wait_stat (c, "flushed", 1);
  compare_harness_expect_out (c, p2);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- the connection table ------------------------------------------------ */

static const GstStructure *
find_connection (const GstStructure * table, guint src_port)
{
  const GValue *list = gst_structure_get_value (table, "connections");
  guint i;

  fail_unless (list != NULL && GST_VALUE_HOLDS_ARRAY (list));
  for (i = 0; i < gst_value_array_get_size (list); i++) {
    const GstStructure *s =
        gst_value_get_structure (gst_value_array_get_value (list, i));
    guint port = 0;

    fail_unless (gst_structure_get_uint (s, "src-port", &port));
    if (port == src_port)
      return s;
  }
  return NULL;
}

GST_START_TEST (test_get_connections)
{
  CompareHarness *c = compare_harness_new_with_properties (CAPS, NULL);
  GstStructure *table = NULL;
  const GstStructure *conn;
  guint v = 0;
  guint64 age = 0;
  gboolean diverged = TRUE;

  compare_harness_push_frame_at (c, P, 1 * GST_SECOND, udp (4000, 53, "q1"));
  compare_harness_push_frame_at (c, P, 2 * GST_SECOND, udp (4000, 53, "q2"));
  compare_harness_push_frame (c, P, tcp (80, 1000, "data"));
  compare_harness_push_frame (c, S, tcp (80, 1000, "data"));
  gst_buffer_unref (compare_harness_pull (c));
  compare_harness_advance_to (c, 2500 * GST_MSECOND);
  /* a frame makes the element take the time */
  compare_harness_push_frame (c, P, udp (9, 9, "tick"));

  g_signal_emit_by_name (c->e, "get-connections", &table);
  fail_unless (table != NULL);
  fail_unless (gst_structure_has_name (table, "colo-connections"));
  fail_unless_equals_string (gst_structure_get_string (table, "mode"),
      "compare");
  fail_unless_equals_int (gst_value_array_get_size (gst_structure_get_value
          (table, "connections")), 3);

  conn = find_connection (table, 4000);
  fail_unless (conn != NULL);
  fail_unless_equals_string (gst_structure_get_string (conn, "src"),
      "10.0.0.1");
  fail_unless (gst_structure_get_uint (conn, "queued-primary", &v));
  fail_unless_equals_int (v, 2);
  fail_unless (gst_structure_get_uint (conn, "queued-secondary", &v));
  fail_unless_equals_int (v, 0);
  fail_unless (gst_structure_get_uint64 (conn, "primary-age", &age));
  fail_unless_equals_uint64 (age, 1500 * GST_MSECOND);
  fail_if (gst_structure_has_field (conn, "secondary-age"));
  fail_unless (gst_structure_get_boolean (conn, "diverged", &diverged));
  fail_if (diverged);

  conn = find_connection (table, 80);
  fail_unless (conn != NULL);
  fail_unless (gst_structure_get_uint (conn, "tcp-position", &v));
  fail_unless_equals_int (v, 1004);
  fail_unless (gst_structure_get_uint (conn, "ip-protocol", &v));
  fail_unless_equals_int (v, 6);
  gst_structure_free (table);
  compare_harness_free (c);
}

GST_END_TEST;

/* --- the decision log ---------------------------------------------------- */

static GString *log_text;

static void
log_func (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  if (level == GST_LEVEL_LOG
      && g_str_equal (gst_debug_category_get_name (category), "colocompare"))
    g_string_append_printf (log_text, "%s\n", gst_debug_message_get (message));
}

/* With colocompare:6 every decision on a frame is logged, with its
 * reason. */
GST_START_TEST (test_decision_log)
{
  CompareHarness *c;

  log_text = g_string_new (NULL);
  gst_debug_set_threshold_for_name ("colocompare", GST_LEVEL_LOG);
  gst_debug_add_log_function (log_func, NULL, NULL);
  c = compare_harness_new_with_properties (CAPS, "passthrough", "udp:7", NULL);
  compare_harness_push_frame (c, P, udp (4000, 53, "query"));
  compare_harness_push_frame (c, S, udp (4000, 53, "query"));
  gst_buffer_unref (compare_harness_pull (c));
  compare_harness_push_frame (c, P, udp (7, 7, "echo"));
  gst_buffer_unref (compare_harness_pull (c));
  compare_harness_free (c);
  gst_debug_remove_log_function (log_func);
  gst_debug_set_threshold_for_name ("colocompare", GST_LEVEL_NONE);

  fail_unless (strstr (log_text->str, "primary frame") != NULL);
  fail_unless (strstr (log_text->str, "10.0.0.1:4000 > 10.0.0.2:53): "
          "queued (to compare)") != NULL, "%s", log_text->str);
  fail_unless (strstr (log_text->str, "10.0.0.1:4000 > 10.0.0.2:53): "
          "released (matched)") != NULL, "%s", log_text->str);
  fail_unless (strstr (log_text->str, "10.0.0.1:4000 > 10.0.0.2:53): "
          "consumed (matched)") != NULL, "%s", log_text->str);
  fail_unless (strstr (log_text->str, "10.0.0.1:7 > 10.0.0.2:7): "
          "passed (passthrough rule)") != NULL, "%s", log_text->str);
  g_string_free (log_text, TRUE);
}

GST_END_TEST;

static Suite *
colocompare_control_suite (void)
{
  Suite *s = suite_create ("colocompare-control");
  TCase *tc = tcase_create ("control");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, compare_harness_free_leftovers);
  tcase_add_test (tc, test_passthrough_flow);
  tcase_add_test (tc, test_passthrough_change_while_playing);
  tcase_add_test (tc, test_passthrough_bad_rules);
  tcase_add_test (tc, test_excerpts_in_message);
  tcase_add_test (tc, test_divergence_files);
  tcase_add_test (tc, test_divergence_file_unwritable);
  tcase_add_test (tc, test_divergence_location_validated);
  tcase_add_test (tc, test_start_in_failover_then_resume);
  tcase_add_test (tc, test_failover_resume_tcp);
  tcase_add_test (tc, test_get_connections);
  tcase_add_test (tc, test_decision_log);
  return s;
}

GST_CHECK_MAIN (colocompare_control);
