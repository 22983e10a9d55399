/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* colocompare in one process, no sockets: what the element itself can do.
 *
 *   appsrc (primary)   -\
 *                        colocompare latency=10ms -> fakesink (or appsink)
 *   appsrc (secondary) -/
 *
 * The traffic is bench_sockets' (bench-traffic.c), built before the clock
 * starts; one thread pushes it, the primary in batches of --batch records
 * and the secondary's records alongside (each once its primary twin was
 * pushed), at most --window primary frames ahead of what colocompare
 * released (counted by a probe on its source pad).  Prints released pairs
 * per second (a pair: a primary frame and the secondary data it was
 * compared with), median of --runs.
 *
 * Input formats (--format):
 *  - frames: application/x-ethernet, one frame per buffer, a buffer list
 *    of --batch buffers per push (gst_app_src_push_buffer_list), as
 *    gst-colo-compare pushes one socket read;
 *  - records: application/x-colo-records, vnet-hdr=false (gstcolocaps.h):
 *    one buffer per --batch records, the bytes as QEMU's sockets carry
 *    them.  colocompare must accept these caps; where it does not, the run
 *    stops with a not-negotiated error.
 * Buffers wrap the prebuilt traffic without copying (a GstBuffer and a
 * GstMemory per frame are made at push time, as a socket reader would).
 *
 * --baseline measures GStreamer's own per-buffer cost instead:
 * `fakesrc ! fakesink`, `fakesrc ! queue ! fakesink`, and the frames push
 * path without colocompare (`appsrc ! fakesink`, lists of --batch).
 * See bench/README.md. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "bench-traffic.h"
#include "colo-framing.h"
#include "gstcolocaps.h"

/* The colo plugin, linked in, as in gst-colo-compare */
const GstPluginDesc *gst_plugin_colo_get_desc (void);

typedef struct
{
  /* options */
  const BenchTraffic *traffic;
  gboolean records;             /* --format records */
  guint batch;
  guint window;
  gint64 latency;               /* ns */
  gboolean appsink;
  gboolean no_compare;          /* baseline: appsrc ! fakesink */

  GstElement *pipeline;
  GstAppSrc *psrc, *ssrc;       /* ssrc NULL without colocompare */
  GstElement *compare;

  GMutex lock;
  GCond cond;
  guint released;               /* primary frames out (under lock) */
  gboolean aborted;             /* under lock */
  gboolean out_records;         /* the output's caps are records */
  gboolean out_vnet;            /* ... with the vnet word */
  gint64 t_start, t_end;
  gint64 cpu_start, cpu_end;    /* process CPU time, us */
  guint checkpoints;
} Run;

/* User and system CPU time of the whole process, us */
static gint64
cpu_now (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * (gint64) G_USEC_PER_SEC
      + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static gboolean
register_colo_plugin (void)
{
  const GstPluginDesc *d = gst_plugin_colo_get_desc ();

  return gst_plugin_register_static (d->major_version, d->minor_version,
      d->name, d->description, d->plugin_init, d->version, d->license,
      d->source, d->package, d->origin);
}

/* Frames in one released buffer: one, or the records it holds. */
static guint
count_frames (Run * run, GstBuffer * buf)
{
  GstMapInfo map;
  gsize off = 0;
  guint n = 0;

  if (!run->out_records)
    return 1;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return 0;
  while (off < map.size) {
    ColoFramingRecord rec;

    if (colo_framing_peek (map.data + off, map.size - off, run->out_vnet,
            &rec) != COLO_FRAMING_OK)
      break;
    off += rec.record_size;
    n++;
  }
  gst_buffer_unmap (buf, &map);
  return n;
}

/* On the released side: counts frames, opens the window, stops the
 * clock at the last one. */
static GstPadProbeReturn
on_released (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Run *run = user_data;
  guint n = 0;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (ev) == GST_EVENT_CAPS) {
      GstCaps *caps;
      GstColoCapsInfo ci;

      gst_event_parse_caps (ev, &caps);
      run->out_records = gst_colo_caps_parse (caps, &ci)
          && ci.format == GST_COLO_FORMAT_RECORDS;
      run->out_vnet = run->out_records && ci.vnet_hdr;
    }
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    n = count_frames (run, GST_PAD_PROBE_INFO_BUFFER (info));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

    if (!run->out_records) {
      n = gst_buffer_list_length (list);
    } else {
      guint i;
      for (i = 0; i < gst_buffer_list_length (list); i++)
        n += count_frames (run, gst_buffer_list_get (list, i));
    }
  }
  g_mutex_lock (&run->lock);
  run->released += n;
  if (run->released >= run->traffic->primary.n && !run->t_end) {
    run->t_end = g_get_monotonic_time ();
    run->cpu_end = cpu_now ();
  }
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  return GST_PAD_PROBE_OK;
}

static void
free_nothing (gpointer data)
{
}

/* Records [k, end) of a stream, as pushed: in frames mode a list of one
 * buffer per frame (the record's payload), in records mode one buffer. */
static void
push_records (Run * run, GstAppSrc * src, const BenchStream * s, guint k,
    guint end)
{
  guint hdr = COLO_FRAMING_HEADER_SIZE (run->traffic->vnet_hdr_len != 0);
  guint i;

  if (k >= end)
    return;
  if (run->records) {
    gst_app_src_push_buffer (src,
        gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
            s->data + s->off[k], s->off[end] - s->off[k], 0,
            s->off[end] - s->off[k], NULL, free_nothing));
  } else {
    GstBufferList *list = gst_buffer_list_new_sized (end - k);

    for (i = k; i < end; i++) {
      gsize len = s->off[i + 1] - s->off[i] - hdr;
      gst_buffer_list_add (list,
          gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
              s->data + s->off[i] + hdr, len, 0, len, NULL, free_nothing));
    }
    gst_app_src_push_buffer_list (src, list);
  }
}

static gpointer
push_thread (gpointer data)
{
  Run *run = data;
  const BenchStream *p = &run->traffic->primary, *s = &run->traffic->secondary;
  guint k = 0, j = 0;

  g_mutex_lock (&run->lock);
  run->t_start = g_get_monotonic_time ();
  run->cpu_start = cpu_now ();
  while (k < p->n && !run->aborted) {
    guint end = MIN (k + run->batch, p->n), sec_end = j;

    while (!run->aborted && end > run->released + run->window)
      g_cond_wait (&run->cond, &run->lock);
    g_mutex_unlock (&run->lock);
    push_records (run, run->psrc, p, k, end);
    /* the secondary's records whose primary twins are out (pos: primary
     * frames generated up to and with that record) */
    if (run->ssrc) {
      while (sec_end < s->n && s->pos[sec_end] <= end)
        sec_end++;
      push_records (run, run->ssrc, s, j, sec_end);
      j = sec_end;
    }
    k = end;
    g_mutex_lock (&run->lock);
  }
  g_mutex_unlock (&run->lock);
  if (run->ssrc)
    push_records (run, run->ssrc, s, j, s->n);
  gst_app_src_end_of_stream (run->psrc);
  if (run->ssrc)
    gst_app_src_end_of_stream (run->ssrc);
  return NULL;
}

static GstElement *
make (const char *factory, const char *name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e)
    g_printerr ("bench_element: no element '%s'\n", factory);
  return e;
}

static GstAppSrc *
make_src (Run * run, const char *name)
{
  GstElement *src = make ("appsrc", name);

  /* as gst-colo-compare: live, unbounded (the window bounds it) */
  g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, NULL);
  gst_bin_add (GST_BIN (run->pipeline), src);
  return GST_APP_SRC (src);
}

static GstFlowReturn
on_new_sample (GstAppSink * sink, gpointer user_data)
{
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (sample)
    gst_sample_unref (sample);
  return sample ? GST_FLOW_OK : GST_FLOW_EOS;
}

static gboolean
build (Run * run)
{
  GstElement *sink;
  GstCaps *caps;
  GstPad *pad;
  gboolean ok;

  run->pipeline = gst_pipeline_new ("bench");
  run->psrc = make_src (run, "primary-src");
  if (run->appsink) {
    GstAppSinkCallbacks cb = { NULL, };
    sink = make ("appsink", "out");
    g_object_set (sink, "sync", FALSE, "async", FALSE, "buffer-list", TRUE,
        NULL);
    cb.new_sample = on_new_sample;
    gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, run, NULL);
  } else {
    sink = make ("fakesink", "out");
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  }
  gst_bin_add (GST_BIN (run->pipeline), sink);
  if (run->no_compare) {
    ok = gst_element_link (GST_ELEMENT (run->psrc), sink);
    pad = gst_element_get_static_pad (GST_ELEMENT (run->psrc), "src");
  } else {
    run->ssrc = make_src (run, "secondary-src");
    run->compare = make ("colocompare", "compare");
    if (!run->compare)
      return FALSE;
    g_object_set (run->compare, "latency", run->latency, NULL);
    gst_bin_add (GST_BIN (run->pipeline), run->compare);
    ok = gst_element_link_pads (GST_ELEMENT (run->psrc), "src", run->compare,
        "primary")
        && gst_element_link_pads (GST_ELEMENT (run->ssrc), "src",
        run->compare, "secondary")
        && gst_element_link (run->compare, sink);
    pad = gst_element_get_static_pad (run->compare, "src");
  }
  if (!ok) {
    g_printerr ("bench_element: cannot link the pipeline\n");
    gst_object_unref (pad);
    return FALSE;
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      on_released, run, NULL);
  gst_object_unref (pad);

  /* set after linking: caps colocompare refuses then fail as they would
   * in a real pipeline, with not-negotiated, instead of a link error */
  caps = run->records ?
      gst_colo_caps_new_records (run->traffic->vnet_hdr_len != 0) :
      gst_colo_caps_new_frames (run->traffic->vnet_hdr_len);
  g_object_set (run->psrc, "caps", caps, NULL);
  if (run->ssrc)
    g_object_set (run->ssrc, "caps", caps, NULL);
  gst_caps_unref (caps);
  return TRUE;
}

/* One run: released pairs per second, or a negative value on failure;
 * the process's CPU time per pair in *cpu_ns. */
static double
run_once (Run * run, double *cpu_ns, gchar ** error)
{
  GstBus *bus;
  GThread *th;
  gboolean eos = FALSE;
  double rate = -1;
  guint last = 0;

  if (!build (run)) {
    *error = g_strdup ("cannot build the pipeline");
    return -1;
  }
  bus = gst_element_get_bus (run->pipeline);
  if (gst_element_set_state (run->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    *error = g_strdup ("cannot start the pipeline");
    gst_object_unref (bus);
    return -1;
  }
  th = g_thread_new ("push", push_thread, run);
  while (!eos && !*error) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);

    if (!m) {
      g_mutex_lock (&run->lock);
      if (run->released == last)
        *error = g_strdup_printf ("stalled: %u of %u primary frames "
            "released, none for 10 s", run->released, run->traffic->primary.n);
      last = run->released;
      g_mutex_unlock (&run->lock);
      continue;
    }
    switch (GST_MESSAGE_TYPE (m)) {
      case GST_MESSAGE_EOS:
        eos = TRUE;
        break;
      case GST_MESSAGE_ERROR:{
        GError *err = NULL;
        gchar *dbg = NULL;

        gst_message_parse_error (m, &err, &dbg);
        *error = g_strdup_printf ("%s (%s)%s", err->message,
            dbg ? dbg : "", dbg && strstr (dbg, "not-negotiated") ?
            "\n  colocompare did not accept the input caps: this build "
            "has no such input format" : "");
        g_error_free (err);
        g_free (dbg);
        break;
      }
      case GST_MESSAGE_ELEMENT:
        if (gst_message_has_name (m, "colo-checkpoint"))
          run->checkpoints++;
        break;
      default:
        break;
    }
    gst_message_unref (m);
  }
  g_mutex_lock (&run->lock);
  run->aborted = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  g_thread_join (th);
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  gst_object_unref (bus);

  if (!*error && run->released != run->traffic->primary.n)
    *error = g_strdup_printf ("%u of %u primary frames released",
        run->released, run->traffic->primary.n);
  if (!*error && run->checkpoints)
    *error = g_strdup_printf ("%u checkpoint requests", run->checkpoints);
  if (!*error) {
    rate = run->traffic->primary.n / ((run->t_end - run->t_start) / 1e6);
    *cpu_ns = (run->cpu_end - run->cpu_start) * 1e3 / run->traffic->primary.n;
  }
  gst_object_unref (run->pipeline);
  run->pipeline = NULL;
  run->psrc = run->ssrc = NULL;
  run->compare = NULL;
  return rate;
}

/* `fakesrc num-buffers=N ...`: buffers per second from PLAYING to EOS */
static double
run_launch (const char *desc, gchar ** error)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *m;
  gint64 t0;
  double secs;

  if (!p) {
    *error = g_strdup (err->message);
    g_error_free (err);
    return -1;
  }
  bus = gst_element_get_bus (p);
  t0 = g_get_monotonic_time ();
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  if (!m || GST_MESSAGE_TYPE (m) != GST_MESSAGE_EOS)
    *error = g_strdup ("no EOS");
  if (m)
    gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  return secs > 0 ? 1 / secs : -1;      /* runs per second */
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Prints the runs, their median and a RESULT line; cpu (may be NULL):
 * CPU ns per unit of each run. */
static void
report (const char *what, const char *result_fields, double *v, double *cpu,
    guint runs, guint per_run, const char *unit)
{
  double m;
  guint i;

  g_print ("%s:", what);
  for (i = 0; i < runs; i++)
    g_print (" %.0f", v[i] * per_run);
  m = median (v, runs) * per_run;
  g_print (" -> median %.0f %s/s, %.0f ns per %s", m, unit, 1e9 / m, unit);
  if (cpu)
    g_print (" (CPU time %.0f ns per %s)", median (cpu, runs), unit);
  g_print ("\nRESULT %s %s_per_s=%.0f ns_per_%s=%.1f", result_fields, unit, m,
      unit, 1e9 / m);
  if (cpu)
    g_print (" cpu_ns_per_%s=%.1f", unit, median (cpu, runs));
  g_print ("\n");
}

static gboolean
baselines (const BenchTraffic * t, guint n, guint runs, guint batch,
    guint window)
{
  static const char *const launch[] = {
    "fakesrc num-buffers=%u ! fakesink sync=false",
    "fakesrc num-buffers=%u ! queue ! fakesink sync=false",
  };
  static const char *const names[] = { "fakesrc-fakesink",
    "fakesrc-queue-fakesink"
  };
  double *v = g_new (double, runs), *cpu = g_new (double, runs);
  gboolean ok = TRUE;
  guint i, r;

  for (i = 0; ok && i < G_N_ELEMENTS (launch); i++) {
    gchar *desc = g_strdup_printf (launch[i], n);
    gchar *fields = g_strdup_printf ("bench=baseline pipeline=%s buffers=%u",
        names[i], n);
    for (r = 0; ok && r < runs; r++) {
      gchar *error = NULL;
      v[r] = run_launch (desc, &error);
      if (error) {
        g_printerr ("%s: %s\n", desc, error);
        g_free (error);
        ok = FALSE;
      }
    }
    if (ok) {
      gchar *what = g_strdup_printf ("`%s`, N=%u", desc, n);
      report (what, fields, v, NULL, runs, n, "buffer");
      g_free (what);
    }
    g_free (desc);
    g_free (fields);
  }
  for (r = 0; ok && r < runs; r++) {
    Run run = { 0 };
    gchar *error = NULL;

    run.traffic = t;
    run.batch = batch;
    run.window = window;
    run.no_compare = TRUE;
    g_mutex_init (&run.lock);
    g_cond_init (&run.cond);
    v[r] = run_once (&run, &cpu[r], &error);
    g_mutex_clear (&run.lock);
    g_cond_clear (&run.cond);
    if (error) {
      g_printerr ("appsrc ! fakesink: %s\n", error);
      g_free (error);
      ok = FALSE;
    }
  }
  if (ok) {
    gchar *what = g_strdup_printf ("appsrc (lists of %u %u-byte frames) ! "
        "fakesink", batch, t->primary_seg);
    gchar *fields = g_strdup_printf ("bench=baseline "
        "pipeline=appsrc-fakesink batch=%u buffers=%u", batch, t->primary.n);
    report (what, fields, v, cpu, runs, 1, "buffer");
    g_free (what);
    g_free (fields);
  }
  g_free (v);
  g_free (cpu);
  return ok;
}

int
main (int argc, char **argv)
{
  gchar *workload = NULL, *format = NULL;
  gint frames = 400000, conns = 64, batch = 64, window = 4096, size = 0;
  gint runs = 3, latency_ms = 10;
  gboolean vnet = FALSE, appsink = FALSE, baseline = FALSE;
  GOptionEntry entries[] = {
    {"workload", 'w', 0, G_OPTION_ARG_STRING, &workload,
        "tcp, tcp-reseg, udp or tcp-small (tcp)", "NAME"},
    {"size", 's', 0, G_OPTION_ARG_INT, &size,
        "payload bytes per primary frame (0: the workload's)", "BYTES"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames,
        "primary frames per run, about (400000)", "N"},
    {"conns", 'c', 0, G_OPTION_ARG_INT, &conns, "connections (64)", "N"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &format,
        "input caps: frames (application/x-ethernet, a buffer list per "
          "push) or records (application/x-colo-records, one buffer per "
          "push) (frames)", "FORMAT"},
    {"batch", 'b', 0, G_OPTION_ARG_INT, &batch,
        "primary records per push (64)", "N"},
    {"window", 0, 0, G_OPTION_ARG_INT, &window,
          "primary frames pushed ahead of the released ones, at most (4096)",
        "N"},
    {"latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms,
          "colocompare's latency (GstAggregator), as gst-colo-compare (10)",
        "MS"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &runs, "runs; the median counts (3)",
        "N"},
    {"vnet-hdr", 0, 0, G_OPTION_ARG_NONE, &vnet,
        "frames with a 12-byte virtio-net header", NULL},
    {"appsink", 0, 0, G_OPTION_ARG_NONE, &appsink,
        "release into an appsink (buffer-list=true, pulled at once) "
          "instead of a fakesink", NULL},
    {"baseline", 0, 0, G_OPTION_ARG_NONE, &baseline,
        "GStreamer's per-buffer cost instead (fakesrc ! fakesink, with a "
          "queue, appsrc ! fakesink)", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- colocompare in-process "
      "throughput");
  GError *err = NULL;
  BenchTraffic traffic;
  double *v, *cpu;
  gboolean records;
  int ret = 0, r;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("bench_element: %s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  records = g_strcmp0 (format, "records") == 0;
  if ((format && !records && strcmp (format, "frames") != 0) || frames < 1
      || conns < 1 || batch < 1 || window < batch || runs < 1
      || latency_ms < 0 || size < 0) {
    g_printerr ("bench_element: bad option value (--help)\n");
    return 2;
  }
  if (!register_colo_plugin ()) {
    g_printerr ("bench_element: cannot register the colo plugin\n");
    return 2;
  }
  if (!bench_traffic_build (&traffic, workload ? workload : "tcp", size,
          frames, conns, vnet, &err)) {
    g_printerr ("bench_element: %s\n", err->message);
    return 2;
  }
  g_print ("%s: %u primary frames (%u-byte payloads) + %u secondary over %u "
      "connections; %s, %u records per push, window %d, latency %d ms, %s\n",
      traffic.name, traffic.primary.n, traffic.primary_seg,
      traffic.secondary.n, traffic.conns, records ? "records" : "frames",
      batch, window, latency_ms, appsink ? "appsink" : "fakesink");

  v = g_new (double, runs);
  cpu = g_new (double, runs);
  if (baseline) {
    ret = baselines (&traffic, traffic.primary.n, runs, batch, window) ? 0 : 1;
  } else {
    for (r = 0; r < runs; r++) {
      Run run = { 0 };
      gchar *error = NULL;

      run.traffic = &traffic;
      run.records = records;
      run.batch = batch;
      run.window = window;
      run.latency = (gint64) latency_ms *GST_MSECOND;
      run.appsink = appsink;
      g_mutex_init (&run.lock);
      g_cond_init (&run.cond);
      v[r] = run_once (&run, &cpu[r], &error);
      g_mutex_clear (&run.lock);
      g_cond_clear (&run.cond);
      if (error) {
        g_printerr ("bench_element: run %d: %s\n", r + 1, error);
        g_free (error);
        ret = 1;
        break;
      }
    }
    if (ret == 0) {
      gchar *fields = g_strdup_printf ("bench=element workload=%s size=%u "
          "format=%s conns=%u batch=%d latency_ms=%d frames=%u",
          traffic.name, traffic.primary_seg, records ? "records" : "frames",
          traffic.conns, batch, latency_ms, traffic.primary.n);
      report ("released pairs/s", fields, v, cpu, runs, 1, "pair");
      g_free (fields);
    }
  }
  g_free (v);
  g_free (cpu);
  g_free (workload);
  g_free (format);
  bench_traffic_clear (&traffic);
  return ret;
}
