/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Tests for colopcapsrc and colopcapsink (plugin colopcap).  Results are
 * checked against libpcap read directly here and against tshark, never only
 * against our own reader. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/base/gstbasesrc.h>
#include <pcap/pcap.h>

#ifndef SAMPLES_DIR
#error SAMPLES_DIR must point to docs/samples
#endif

static const gchar *samples[] = { "primary.pcap", "secondary.pcap" };

/* ---- frames as libpcap reads them ---- */

typedef struct
{
  guint8 *data;
  guint caplen;
  guint len;
  GstClockTime ts;              /* UNIX time, ns */
} Frame;

static void
frame_clear (Frame * f)
{
  g_free (f->data);
}

static gchar *
sample_path (const gchar * name)
{
  return g_build_filename (SAMPLES_DIR, name, NULL);
}

/* Reads every frame of @path with libpcap (optionally through @filter). */
static GArray *
pcap_read_all (const gchar * path, const gchar * filter, int *linktype,
    int *snaplen)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *hdr;
  const u_char *data;
  GArray *frames;
  pcap_t *p;
  int rc;

  p = pcap_open_offline_with_tstamp_precision (path,
      PCAP_TSTAMP_PRECISION_NANO, errbuf);
  fail_unless (p != NULL, "libpcap cannot open %s: %s", path, errbuf);
  if (linktype)
    *linktype = pcap_datalink (p);
  if (snaplen)
    *snaplen = pcap_snapshot (p);
  if (filter) {
    struct bpf_program prog;

    fail_unless_equals_int (pcap_compile (p, &prog, filter, 1,
            PCAP_NETMASK_UNKNOWN), 0);
    fail_unless_equals_int (pcap_setfilter (p, &prog), 0);
    pcap_freecode (&prog);
  }

  frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (frames, (GDestroyNotify) frame_clear);
  while ((rc = pcap_next_ex (p, &hdr, &data)) == 1) {
    Frame f;

    f.data = g_memdup2 (data, hdr->caplen);
    f.caplen = hdr->caplen;
    f.len = hdr->len;
    f.ts = (GstClockTime) hdr->ts.tv_sec * GST_SECOND + hdr->ts.tv_usec;
    g_array_append_val (frames, f);
  }
  fail_unless_equals_int (rc, PCAP_ERROR_BREAK);
  pcap_close (p);
  return frames;
}

/* ---- running a source pipeline into a fakesink ---- */

typedef struct
{
  GMutex lock;
  GCond cond;
  GPtrArray *bufs;
  GstCaps *caps;
  guint warnings;
  GstMessage *last;             /* EOS or ERROR */
} Run;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Run * run)
{
  g_mutex_lock (&run->lock);
  if (run->caps == NULL)
    run->caps = gst_pad_get_current_caps (pad);
  g_ptr_array_add (run->bufs, gst_buffer_ref (buf));
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
}

static void
run_init (Run * run)
{
  memset (run, 0, sizeof (*run));
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);
  run->bufs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
}

static void
run_clear (Run * run)
{
  g_ptr_array_unref (run->bufs);
  gst_clear_caps (&run->caps);
  gst_clear_message (&run->last);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
}

/* Pipelines from make_pipeline () not released yet: a failed assertion
 * leaves its test early, and under CK_FORK=no (the valgrind setup) a live
 * capture left running would keep gst_deinit () at exit waiting for ever.
 * The checked teardown stops what a failed test left. */
static GList *live_pipelines;

static void
release_pipeline (GstElement * pipeline)
{
  live_pipelines = g_list_remove (live_pipelines, pipeline);
  gst_object_unref (pipeline);
}

static void
leftovers_teardown (void)
{
  while (live_pipelines) {
    GstElement *pipeline = live_pipelines->data;

    gst_element_set_state (pipeline, GST_STATE_NULL);
    release_pipeline (pipeline);
  }
}

static GstElement *
make_pipeline (const gchar * desc, Run * run)
{
  GError *err = NULL;
  GstElement *pipeline, *sink;
  gchar *full;

  full = g_strdup_printf ("%s ! fakesink name=sink sync=false "
      "signal-handoffs=true", desc);
  pipeline = gst_parse_launch (full, &err);
  fail_unless (pipeline != NULL, "%s: %s", full, err ? err->message : "?");
  g_clear_error (&err);
  g_free (full);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), run);
  gst_object_unref (sink);
  live_pipelines = g_list_prepend (live_pipelines, pipeline);
  return pipeline;
}

/* Plays @desc to EOS or ERROR, collecting buffers and warnings. */
static void
run_pipeline (const gchar * desc, Run * run)
{
  GstElement *pipeline = make_pipeline (desc, run);
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);

    fail_unless (msg != NULL, "no EOS or error from %s", desc);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      run->warnings++;
      gst_message_unref (msg);
      continue;
    }
    run->last = msg;
    break;
  }
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  release_pipeline (pipeline);
}

static void
assert_eos (Run * run)
{
  if (GST_MESSAGE_TYPE (run->last) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (run->last, &err, &dbg);
    fail ("unexpected error: %s (%s)", err->message, dbg);
  }
  fail_unless_equals_int (GST_MESSAGE_TYPE (run->last), GST_MESSAGE_EOS);
}

static void
assert_error (Run * run, GQuark domain, gint code, const gchar * needle)
{
  GError *err = NULL;
  gchar *dbg = NULL, *all;

  fail_unless_equals_int (GST_MESSAGE_TYPE (run->last), GST_MESSAGE_ERROR);
  gst_message_parse_error (run->last, &err, &dbg);
  GST_INFO ("error: %s (%s)", err->message, dbg);
  fail_unless (g_error_matches (err, domain, code),
      "expected error %s %d, got %s %d: %s", g_quark_to_string (domain), code,
      g_quark_to_string (err->domain), err->code, err->message);
  all = g_strdup_printf ("%s\n%s", err->message, dbg ? dbg : "");
  if (needle)
    fail_unless (strstr (all, needle) != NULL, "\"%s\" not in: %s", needle,
        all);
  g_free (all);
  g_free (dbg);
  g_error_free (err);
}

/* The buffers equal the frames: bytes, PTS relative to the first, offset
 * and the UNIX capture time in the reference timestamp meta. */
static void
assert_buffers_match (GPtrArray * bufs, GArray * frames)
{
  GstCaps *unix_caps = gst_caps_from_string ("timestamp/x-unix");
  GstClockTime first_ts;
  guint i;

  fail_unless_equals_int (bufs->len, frames->len);
  fail_unless (frames->len > 0);
  first_ts = g_array_index (frames, Frame, 0).ts;
  GST_DEBUG ("%u frames, first at %" GST_TIME_FORMAT, frames->len,
      GST_TIME_ARGS (first_ts));
  for (i = 0; i < bufs->len; i++) {
    GstBuffer *b = g_ptr_array_index (bufs, i);
    Frame *f = &g_array_index (frames, Frame, i);
    GstReferenceTimestampMeta *meta;
    GstMapInfo map;

    fail_unless (gst_buffer_map (b, &map, GST_MAP_READ));
    fail_unless_equals_int (map.size, f->caplen);
    fail_unless (memcmp (map.data, f->data, f->caplen) == 0,
        "frame %u differs", i);
    gst_buffer_unmap (b, &map);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), f->ts - first_ts);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), i);
    meta = gst_buffer_get_reference_timestamp_meta (b, unix_caps);
    fail_unless (meta != NULL);
    fail_unless_equals_uint64 (meta->timestamp, f->ts);
  }
  gst_caps_unref (unix_caps);
}

static gchar *
make_tmpdir (void)
{
  GError *err = NULL;
  gchar *dir = g_dir_make_tmp ("colopcap-XXXXXX", &err);

  fail_unless (dir != NULL, "%s", err ? err->message : "?");
  return dir;
}

static void
remove_tmpdir (gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    gchar *p = g_build_filename (dir, name, NULL);

    g_remove (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
  g_free (dir);
}

/* Runs @argv and returns its stdout; fails the test if it cannot. */
static gchar *
spawn_stdout (const gchar * const *argv)
{
  GError *err = NULL;
  gchar *out = NULL;
  gint status = 0;

  /* tshark and editcap are real dependencies (scripts/install-deps.sh):
   * a missing one fails the test instead of skipping a check */
  fail_unless (argv[0] != NULL && argv[0][0] != '\0'
      && g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE),
      "%s is not installed", argv[0] ? argv[0] : "tool");
  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &err),
      "%s: %s", argv[0], err ? err->message : "?");
  fail_unless (g_spawn_check_wait_status (status, NULL), "%s failed", argv[0]);
  return out;
}

/* ---- tests ---- */

GST_START_TEST (test_properties)
{
  GstElement *src = gst_element_factory_make ("colopcapsrc", NULL);
  GstElement *sink = gst_element_factory_make ("colopcapsink", NULL);
  gchar *loc, *dev, *filter;

  fail_unless (src != NULL && sink != NULL);
  g_object_get (src, "location", &loc, "device", &dev, "filter", &filter, NULL);
  fail_unless (loc == NULL && dev == NULL && filter == NULL);
  fail_if (gst_base_src_is_live (GST_BASE_SRC (src)));

  g_object_set (src, "device", "lo", "filter", "udp", NULL);
  g_object_get (src, "device", &dev, "filter", &filter, NULL);
  fail_unless_equals_string (dev, "lo");
  fail_unless_equals_string (filter, "udp");
  fail_unless (gst_base_src_is_live (GST_BASE_SRC (src)));
  g_free (dev);
  g_free (filter);
  g_object_set (src, "device", NULL, "location", "x.pcap", NULL);
  fail_if (gst_base_src_is_live (GST_BASE_SRC (src)));

  g_object_set (sink, "location", "out.pcap", NULL);
  g_object_get (sink, "location", &loc, NULL);
  fail_unless_equals_string (loc, "out.pcap");
  g_free (loc);

  gst_object_unref (src);
  gst_object_unref (sink);
}

GST_END_TEST;

GST_START_TEST (test_read_samples)
{
  guint s;

  for (s = 0; s < G_N_ELEMENTS (samples); s++) {
    gchar *path = sample_path (samples[s]);
    GArray *frames = pcap_read_all (path, NULL, NULL, NULL);
    gchar *desc = g_strdup_printf ("colopcapsrc location=\"%s\"", path);
    GstStructure *st;
    gint vnet = -1;
    Run run;

    run_init (&run);
    run_pipeline (desc, &run);
    assert_eos (&run);
    fail_unless_equals_int (run.warnings, 0);
    assert_buffers_match (run.bufs, frames);

    fail_unless (run.caps != NULL);
    st = gst_caps_get_structure (run.caps, 0);
    fail_unless (gst_structure_has_name (st, "application/x-ethernet"));
    fail_unless (gst_structure_get_int (st, "vnet-hdr-len", &vnet));
    fail_unless_equals_int (vnet, 0);

    run_clear (&run);
    g_array_unref (frames);
    g_free (desc);
    g_free (path);
  }
}

GST_END_TEST;

GST_START_TEST (test_filter)
{
  static const gchar *filters[] = { "udp", "icmp", "tcp port 8000",
    "tcp[tcpflags] & tcp-fin != 0", "udp and port 1"
  };
  gchar *path = sample_path ("primary.pcap");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (filters); i++) {
    GArray *all = pcap_read_all (path, NULL, NULL, NULL);
    GArray *frames = pcap_read_all (path, filters[i], NULL, NULL);
    gchar *desc = g_strdup_printf ("colopcapsrc location=\"%s\" "
        "filter=\"%s\"", path, filters[i]);
    Run run;

    /* the filters do select a proper subset */
    fail_unless (frames->len < all->len);
    if (i < 4)
      fail_unless (frames->len > 0);

    run_init (&run);
    run_pipeline (desc, &run);
    assert_eos (&run);
    if (frames->len > 0) {
      assert_buffers_match (run.bufs, frames);
    } else {
      fail_unless_equals_int (run.bufs->len, 0);
    }
    run_clear (&run);
    g_array_unref (frames);
    g_array_unref (all);
    g_free (desc);
  }
  g_free (path);
}

GST_END_TEST;

/* tshark's view of a file: times, lengths and a hex dump of every frame */
static gchar *
tshark_dump (const gchar * path)
{
  const gchar *fields[] = { TSHARK, "-r", path, "-T", "fields",
    "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len",
    "-e", "frame.protocols", NULL
  };
  const gchar *hex[] = { TSHARK, "-r", path, "-x", NULL };
  gchar *a, *b, *all;

  a = spawn_stdout (fields);
  b = spawn_stdout (hex);
  fail_unless (b != NULL);
  all = g_strconcat (a, "\n", b, NULL);
  g_free (a);
  g_free (b);
  return all;
}

static void
round_trip (const gchar * in, const gchar * out, const gchar * reference)
{
  gchar *desc = g_strdup_printf ("colopcapsrc location=\"%s\" ! "
      "colopcapsink location=\"%s\"", in, out);
  GstElement *pipeline;
  GstMessage *msg;
  GstBus *bus;
  GArray *want, *got;
  gchar *t_want, *t_got;
  int linktype = -1, snaplen = -1;
  guint i;

  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  /* EOS flushed the file: it is complete before stop () */
  got = pcap_read_all (out, NULL, &linktype, &snaplen);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  /* libpcap: same frames, same absolute timestamps, Ethernet, 262144 */
  fail_unless_equals_int (linktype, DLT_EN10MB);
  fail_unless_equals_int (snaplen, 262144);
  want = pcap_read_all (reference, NULL, NULL, NULL);
  fail_unless_equals_int (got->len, want->len);
  for (i = 0; i < got->len; i++) {
    Frame *g = &g_array_index (got, Frame, i);
    Frame *w = &g_array_index (want, Frame, i);

    fail_unless_equals_int (g->caplen, w->caplen);
    fail_unless_equals_int (g->len, w->len);
    fail_unless (memcmp (g->data, w->data, g->caplen) == 0);
    fail_unless_equals_uint64 (g->ts, w->ts);
  }
  g_array_unref (got);
  g_array_unref (want);

  /* tshark: the same dissection, timestamps and bytes */
  t_want = tshark_dump (reference);
  t_got = tshark_dump (out);
  fail_unless (t_want != NULL && t_got != NULL);
  fail_unless (strlen (t_want) > 100);
  fail_unless_equals_string (t_got, t_want);
  g_free (t_got);
  g_free (t_want);
  g_free (desc);
}

GST_START_TEST (test_round_trip)
{
  gchar *dir = make_tmpdir ();
  guint s;

  for (s = 0; s < G_N_ELEMENTS (samples); s++) {
    gchar *in = sample_path (samples[s]);
    gchar *out = g_build_filename (dir, samples[s], NULL);

    round_trip (in, out, in);
    g_free (in);
    g_free (out);
  }
  remove_tmpdir (dir);
}

GST_END_TEST;

GST_START_TEST (test_pcapng)
{
  gchar *dir = make_tmpdir ();
  gchar *in = sample_path ("primary.pcap");
  gchar *ng = g_build_filename (dir, "primary.pcapng", NULL);
  gchar *out = g_build_filename (dir, "back.pcap", NULL);
  const gchar *argv[] = { EDITCAP, "-F", "pcapng", in, ng, NULL };
  gchar *res = spawn_stdout (argv);

  fail_unless (res != NULL);
  {
    GArray *frames = pcap_read_all (in, NULL, NULL, NULL);
    gchar *desc = g_strdup_printf ("colopcapsrc location=\"%s\"", ng);
    gchar *head = NULL;
    gsize len = 0;
    Run run;

    /* it is really pcapng (section header block) */
    fail_unless (g_file_get_contents (ng, &head, &len, NULL));
    fail_unless (len > 4 && memcmp (head, "\x0a\x0d\x0d\x0a", 4) == 0);
    g_free (head);

    run_init (&run);
    run_pipeline (desc, &run);
    assert_eos (&run);
    assert_buffers_match (run.bufs, frames);
    run_clear (&run);

    /* pcapng in, classic pcap out, same frames and times */
    round_trip (ng, out, in);

    g_array_unref (frames);
    g_free (desc);
    g_free (res);
  }
  g_free (in);
  g_free (ng);
  g_free (out);
  remove_tmpdir (dir);
}

GST_END_TEST;

/* colopcapsink alone: vnet header stripping and the record timestamps */
GST_START_TEST (test_sink_timestamps_vnet)
{
  gchar *dir = make_tmpdir ();
  gchar *out = g_build_filename (dir, "sink.pcap", NULL);
  GstElement *sink = gst_element_factory_make ("colopcapsink", NULL);
  GstCaps *unix_caps = gst_caps_from_string ("timestamp/x-unix");
  const GstClockTime pts[] = { 0, 1500 * GST_MSECOND, GST_CLOCK_TIME_NONE,
    2 * GST_SECOND + 123456, GST_CLOCK_TIME_NONE
  };
  const GstClockTime want_ts[] = { 0, 1500 * GST_MSECOND, 1500 * GST_MSECOND,
    2 * GST_SECOND + 123000, 1700000000 * GST_SECOND + 500 * GST_MSECOND
  };
  GArray *frames;
  GstHarness *h;
  guint i, j;

  g_object_set (sink, "location", out, NULL);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_harness_set_src_caps_str (h,
      "application/x-ethernet, vnet-hdr-len=(int)10");

  for (i = 0; i < G_N_ELEMENTS (pts); i++) {
    GstBuffer *b = gst_buffer_new_allocate (NULL, 10 + 60, NULL);
    GstMapInfo map;

    gst_buffer_map (b, &map, GST_MAP_WRITE);
    for (j = 0; j < map.size; j++)
      map.data[j] = (j < 10) ? 0xee : (guint8) (i * 16 + j);
    gst_buffer_unmap (b, &map);
    GST_BUFFER_PTS (b) = pts[i];
    if (i == 4)
      gst_buffer_add_reference_timestamp_meta (b, unix_caps, want_ts[4],
          GST_CLOCK_TIME_NONE);
    fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  }
  /* shorter than the virtio-net header: counted and dropped */
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_allocate (NULL, 4, NULL)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  frames = pcap_read_all (out, NULL, NULL, NULL);
  fail_unless_equals_int (frames->len, G_N_ELEMENTS (pts));
  for (i = 0; i < frames->len; i++) {
    Frame *f = &g_array_index (frames, Frame, i);

    fail_unless_equals_int (f->caplen, 60);
    fail_unless_equals_int (f->len, 60);
    for (j = 0; j < 60; j++)
      fail_unless_equals_int (f->data[j], (guint8) (i * 16 + j + 10));
    fail_unless_equals_uint64 (f->ts, want_ts[i]);
  }
  g_array_unref (frames);

  gst_harness_teardown (h);
  gst_object_unref (sink);
  gst_caps_unref (unix_caps);
  g_free (out);
  remove_tmpdir (dir);
}

GST_END_TEST;

/* buffers without caps: taken as vnet-hdr-len=0 */
GST_START_TEST (test_sink_no_caps)
{
  gchar *dir = make_tmpdir ();
  gchar *out = g_build_filename (dir, "nocaps.pcap", NULL);
  GstElement *sink = gst_element_factory_make ("colopcapsink", NULL);
  GArray *frames;
  GstHarness *h;
  GstBuffer *b;

  g_object_set (sink, "location", out, NULL);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  /* stream-start and segment, but no caps event */
  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("nocaps")));
  {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  }
  b = gst_buffer_new_memdup ("0123456789abcdef", 16);
  GST_BUFFER_PTS (b) = GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  gst_harness_teardown (h);
  gst_object_unref (sink);

  frames = pcap_read_all (out, NULL, NULL, NULL);
  fail_unless_equals_int (frames->len, 1);
  fail_unless_equals_int (g_array_index (frames, Frame, 0).caplen, 16);
  fail_unless (memcmp (g_array_index (frames, Frame, 0).data,
          "0123456789abcdef", 16) == 0);
  fail_unless_equals_uint64 (g_array_index (frames, Frame, 0).ts, GST_SECOND);
  g_array_unref (frames);
  g_free (out);
  remove_tmpdir (dir);
}

GST_END_TEST;

static void
expect_src_error (const gchar * props, GQuark domain, gint code,
    const gchar * needle, guint min_frames)
{
  gchar *desc = g_strdup_printf ("colopcapsrc %s", props);
  Run run;

  run_init (&run);
  run_pipeline (desc, &run);
  assert_error (&run, domain, code, needle);
  fail_unless (run.bufs->len >= min_frames, "%u frames before the error",
      run.bufs->len);
  run_clear (&run);
  g_free (desc);
}

GST_START_TEST (test_error_missing_file)
{
  expect_src_error ("location=/nonexistent/colo.pcap", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "/nonexistent/colo.pcap", 0);
  expect_src_error ("", GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
      NULL, 0);
  expect_src_error ("location=x.pcap device=lo", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, NULL, 0);
}

GST_END_TEST;

GST_START_TEST (test_error_truncated)
{
  gchar *dir = make_tmpdir ();
  gchar *in = sample_path ("primary.pcap");
  GArray *frames = pcap_read_all (in, NULL, NULL, NULL);
  gchar *data = NULL;
  gsize len = 0, rec2;
  guint cut;

  fail_unless (g_file_get_contents (in, &data, &len, NULL));
  /* file header, record 1 (16-byte header + data), then record 2 */
  rec2 = 24 + 16 + g_array_index (frames, Frame, 0).caplen;
  fail_unless (len > rec2 + 16 + 8);

  /* cut in the middle of record 2's data, then of its header */
  for (cut = 0; cut < 2; cut++) {
    gchar *path = g_strdup_printf ("%s/cut%u.pcap", dir, cut);
    gsize keep = cut == 0 ? rec2 + 16 + 8 : rec2 + 7;
    gchar *props = g_strdup_printf ("location=\"%s\"", path);

    fail_unless (g_file_set_contents (path, data, keep, NULL));
    expect_src_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
        "truncated", 0);
    g_free (props);
    g_free (path);
  }

  /* not even a complete file header: not a readable capture */
  {
    gchar *path = g_build_filename (dir, "short.pcap", NULL);
    gchar *props = g_strdup_printf ("location=\"%s\"", path);

    fail_unless (g_file_set_contents (path, data, 10, NULL));
    expect_src_error (props, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
        "truncated", 0);
    fail_unless (g_file_set_contents (path, "this is not a capture file",
            -1, NULL));
    expect_src_error (props, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
        NULL, 0);
    g_free (props);
    g_free (path);
  }

  g_free (data);
  g_free (in);
  g_array_unref (frames);
  remove_tmpdir (dir);
}

GST_END_TEST;

GST_START_TEST (test_error_linktype)
{
  gchar *dir = make_tmpdir ();
  gchar *path = g_build_filename (dir, "raw.pcap", NULL);
  gchar *props = g_strdup_printf ("location=\"%s\"", path);
  const u_char ip[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0,
    127, 0, 0, 1, 127, 0, 0, 1
  };
  struct pcap_pkthdr hdr = { {1, 0}, 20, 20 };
  pcap_t *dead = pcap_open_dead (DLT_RAW, 65535);
  pcap_dumper_t *d = pcap_dump_open (dead, path);

  fail_unless (d != NULL);
  pcap_dump ((u_char *) d, &hdr, ip);
  pcap_dump_close (d);
  pcap_close (dead);

  expect_src_error (props, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
      "RAW", 0);

  g_free (props);
  g_free (path);
  remove_tmpdir (dir);
}

GST_END_TEST;

GST_START_TEST (test_error_filter)
{
  gchar *path = sample_path ("primary.pcap");
  gchar *props = g_strdup_printf ("location=\"%s\" filter=\"udp and bogus\"",
      path);

  expect_src_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "udp and bogus", 0);
  g_free (props);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_error_device)
{
  expect_src_error ("device=colo-nonexistent0", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_READ, "colo-nonexistent0", 0);
}

GST_END_TEST;

GST_START_TEST (test_sink_error_create)
{
  GstElement *pipeline;
  GstMessage *msg;
  GstBus *bus;
  GError *err = NULL;
  gchar *path = sample_path ("primary.pcap");
  gchar *desc = g_strdup_printf ("colopcapsrc location=\"%s\" ! "
      "colopcapsink location=/nonexistent/dir/out.pcap", path);

  pipeline = gst_parse_launch (desc, NULL);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_WRITE), "%s", err->message);
  fail_unless (strstr (err->message, "/nonexistent/dir/out.pcap") != NULL);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (path);
}

GST_END_TEST;

/* frames captured with a short snap length: pushed with their captured
 * bytes, one warning */
GST_START_TEST (test_snapped_frames)
{
  gchar *dir = make_tmpdir ();
  gchar *path = g_build_filename (dir, "snapped.pcap", NULL);
  gchar *props = g_strdup_printf ("colopcapsrc location=\"%s\"", path);
  u_char frame[64] = { 0 };
  pcap_t *dead = pcap_open_dead (DLT_EN10MB, 32);
  pcap_dumper_t *d = pcap_dump_open (dead, path);
  guint i;
  Run run;

  fail_unless (d != NULL);
  for (i = 0; i < 3; i++) {
    struct pcap_pkthdr hdr = { {10 + i, 0}, 32, 64 };

    frame[0] = i;
    pcap_dump ((u_char *) d, &hdr, frame);
  }
  pcap_dump_close (d);
  pcap_close (dead);

  run_init (&run);
  run_pipeline (props, &run);
  assert_eos (&run);
  fail_unless_equals_int (run.bufs->len, 3);
  fail_unless_equals_int (run.warnings, 1);
  for (i = 0; i < 3; i++) {
    GstBuffer *b = g_ptr_array_index (run.bufs, i);

    fail_unless_equals_int (gst_buffer_get_size (b), 32);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), i * GST_SECOND);
  }
  run_clear (&run);

  g_free (props);
  g_free (path);
  remove_tmpdir (dir);
}

GST_END_TEST;

/* How many captured UDP frames (Ethernet + IPv4 + UDP) carry a payload
 * starting with @prefix. */
static guint
count_payload_prefix (GPtrArray * bufs, const gchar * prefix)
{
  guint i, n = 0;

  for (i = 0; i < bufs->len; i++) {
    GstMapInfo map;

    gst_buffer_map (g_ptr_array_index (bufs, i), &map, GST_MAP_READ);
    if (map.size >= 42 + strlen (prefix)
        && memcmp (map.data + 42, prefix, strlen (prefix)) == 0)
      n++;
    gst_buffer_unmap (g_ptr_array_index (bufs, i), &map);
  }
  return n;
}

GST_START_TEST (test_live_lo)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  struct sockaddr_in addr;
  socklen_t alen = sizeof (addr);
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  gint64 deadline;
  int rx, tx, rc;
  guint port, i;
  gchar *desc;
  pcap_t *probe;
  Run run;

  /* can this machine capture on lo at all? */
  probe = pcap_create ("lo", errbuf);
  if (probe == NULL) {
    g_print ("SKIP test_live_lo: no lo: %s\n", errbuf);
    return;
  }
  rc = pcap_activate (probe);
  /* only a missing permission (or no lo at all) is a reason to skip */
  if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_NO_SUCH_DEVICE
      || (rc == PCAP_ERROR && (strstr (pcap_geterr (probe), "not permitted")
              || strstr (pcap_geterr (probe), "ermission")))) {
    g_print ("SKIP test_live_lo: cannot capture on lo: %s (%s)\n",
        pcap_statustostr (rc), pcap_geterr (probe));
    pcap_close (probe);
    return;
  }
  fail_unless (rc >= 0, "pcap_activate (lo): %s", pcap_geterr (probe));
  pcap_close (probe);

  /* a free port: what we bind stays ours for the test */
  rx = socket (AF_INET, SOCK_DGRAM, 0);
  fail_unless (rx >= 0);
  memset (&addr, 0, sizeof (addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless_equals_int (bind (rx, (struct sockaddr *) &addr, sizeof (addr)),
      0);
  fail_unless_equals_int (getsockname (rx, (struct sockaddr *) &addr, &alen),
      0);
  port = ntohs (addr.sin_port);

  desc = g_strdup_printf ("colopcapsrc device=lo filter=\"udp and port %u\"",
      port);
  run_init (&run);
  pipeline = make_pipeline (desc, &run);
  bus = gst_element_get_bus (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  /* Until the filter is installed, libpcap's ring takes every frame on lo:
   * with other traffic on lo (parallel tests) it may be full when our
   * frames come.  Send probes until one is captured: from then on the ring
   * is drained and filtered, and what follows is not lost. */
  tx = socket (AF_INET, SOCK_DGRAM, 0);
  fail_unless (tx >= 0);
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&run.lock);
  while (run.bufs->len == 0) {
    g_mutex_unlock (&run.lock);
    fail_unless (sendto (tx, "probe", 5, 0, (struct sockaddr *) &addr,
            sizeof (addr)) > 0);
    g_mutex_lock (&run.lock);
    if (!g_cond_wait_until (&run.cond, &run.lock, MIN (deadline,
                g_get_monotonic_time () + G_TIME_SPAN_SECOND / 10))
        && g_get_monotonic_time () >= deadline)
      break;
  }
  fail_unless (run.bufs->len > 0, "live capture on lo saw no probe");
  g_mutex_unlock (&run.lock);

  for (i = 0; i < 3; i++) {
    gchar payload[32];

    g_snprintf (payload, sizeof (payload), "colo live %u", i);
    fail_unless (sendto (tx, payload, strlen (payload), 0,
            (struct sockaddr *) &addr, sizeof (addr)) > 0);
  }

  /* live capture: the frames arrive when the kernel delivers them */
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&run.lock);
  while (count_payload_prefix (run.bufs, "colo live ") < 3)
    if (!g_cond_wait_until (&run.cond, &run.lock, deadline))
      break;
  g_mutex_unlock (&run.lock);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL, "error during live capture");

  /* stoppable while waiting for more frames */
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  /* the probes first, then exactly our three frames, in order */
  fail_unless_equals_int (count_payload_prefix (run.bufs, "colo live "), 3);
  for (i = 0; i < 3; i++) {
    GstBuffer *b = g_ptr_array_index (run.bufs, run.bufs->len - 3 + i);
    gchar payload[32];
    GstMapInfo map;

    g_snprintf (payload, sizeof (payload), "colo live %u", i);
    fail_unless (GST_BUFFER_PTS_IS_VALID (b));
    gst_buffer_map (b, &map, GST_MAP_READ);
    /* Ethernet 14 + IPv4 20 + UDP 8 */
    fail_unless_equals_int (map.size, 42 + strlen (payload));
    fail_unless_equals_int (map.data[12], 0x08);
    fail_unless_equals_int (map.data[13], 0x00);
    fail_unless (memcmp (map.data + 42, payload, strlen (payload)) == 0);
    gst_buffer_unmap (b, &map);
  }

  close (tx);
  close (rx);
  gst_object_unref (bus);
  release_pipeline (pipeline);
  run_clear (&run);
  g_free (desc);
}

GST_END_TEST;

/* going to NULL while nothing at all was captured does not hang either */
GST_START_TEST (test_live_stop_idle)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  GstElement *pipeline;
  pcap_t *probe;
  Run run;
  int rc;

  probe = pcap_create ("lo", errbuf);
  rc = probe ? pcap_activate (probe) : PCAP_ERROR_NO_SUCH_DEVICE;
  if (probe)
    pcap_close (probe);
  if (rc < 0) {
    /* test_live_lo fails for anything but a missing permission */
    g_print ("SKIP test_live_stop_idle: cannot capture on lo: %s\n",
        pcap_statustostr (rc));
    return;
  }

  run_init (&run);
  /* port 1, tcpmux: nothing talks on it here */
  pipeline = make_pipeline ("colopcapsrc device=lo filter=\"udp port 1 and "
      "udp port 2\"", &run);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (run.bufs->len, 0);
  release_pipeline (pipeline);
  run_clear (&run);
}

GST_END_TEST;

static Suite *
colopcap_suite (void)
{
  Suite *s = suite_create ("colopcap");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, NULL, leftovers_teardown);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_read_samples);
  tcase_add_test (tc, test_filter);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_pcapng);
  tcase_add_test (tc, test_sink_timestamps_vnet);
  tcase_add_test (tc, test_sink_no_caps);
  tcase_add_test (tc, test_error_missing_file);
  tcase_add_test (tc, test_error_truncated);
  tcase_add_test (tc, test_error_linktype);
  tcase_add_test (tc, test_error_filter);
  tcase_add_test (tc, test_error_device);
  tcase_add_test (tc, test_sink_error_create);
  tcase_add_test (tc, test_snapped_frames);
  tcase_add_test (tc, test_live_lo);
  tcase_add_test (tc, test_live_stop_idle);
  return s;
}

GST_CHECK_MAIN (colopcap);
