/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare: QEMU's colo-compare object as a standalone process
 * (man page docs/gst-colo-compare.1).
 *
 *   primary-in   -> ColoInput -> appsrc -> colocompare.primary
 *   secondary-in -> ColoInput -> appsrc -> colocompare.secondary
 *   colocompare -> appsink -> ColoOutput (QEMU framing) -> outdev
 *
 * Sockets, the notify channel, stdin and the signals are handled on the
 * main loop (main thread); only the outdev writes happen on the streaming
 * thread (blocking: the backpressure).  checkpoint-done and failover are
 * emitted by ColoControl's thread, never by a streaming thread, so that
 * the main loop stays responsive while outdev holds the pipeline. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "colo-commands.h"
#include "colo-control.h"
#include "colo-endpoint.h"
#include "colo-framing.h"
#include "colo-input.h"
#include "colo-json.h"
#include "colo-log.h"
#include "colo-notify-channel.h"
#include "colo-output.h"
#include "colo-release.h"
#include "gstcolocaps.h"

/* How long SIGINT/SIGTERM waits for the released frames to reach outdev */
#define SHUTDOWN_TIMEOUT_S 10

/* Bytes an input may have pushed that colocompare has not taken yet
 * before it stops reading (see colo_input_new) */
#define INPUT_MAX_IN_FLIGHT (16 * 1024 * 1024)

/* colocompare's aggregator latency: any value above 0 lets its sink pads
 * queue the (untimestamped) frames instead of taking one at a time, which
 * would cost two thread switches per frame.  It delays nothing: frames
 * are compared as soon as they are queued and the appsink does not sync. */
#define COMPARE_LATENCY (10 * GST_MSECOND)

/* The colo plugin, linked in (see register_colo_plugin) */
GST_PLUGIN_STATIC_DECLARE (colo);

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstAppSrc *primary_src;       /* owned by the pipeline */
  GstAppSrc *secondary_src;
  GstElement *compare;
  ColoControl *control;         /* emits checkpoint-done / failover */
  ColoInput *primary;
  ColoInput *secondary;
  ColoOutput *output;

  ColoNotifyChannel *notify;    /* NULL without --notify-dev */

  ColoCommands *commands;       /* stdin, without --notify-dev */

  gboolean shutting_down;
  guint shutdown_timeout_id;
  gboolean output_given_up;
  int exit_code;

  /* used on the streaming thread, read after it stopped */
  ColoRelease *release;
} App;

/* ---- options ------------------------------------------------------- */

static gchar *opt_primary_in, *opt_secondary_in, *opt_outdev, *opt_notify_dev;
static guint opt_compare_timeout = 3000;
static guint opt_expired_scan_cycle = 1000;
static guint opt_max_queue_size = 1024;
static guint opt_idle_timeout = 300000;
static gboolean opt_vnet_hdr, opt_auto_release, opt_version;

static gboolean
parse_uint (const gchar * name, const gchar * value, guint min, guint * out,
    GError ** error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, min, G_MAXUINT, &v, NULL)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s requires %s integer (%u to %u), not '%s'", name,
        min ? "a positive" : "an", min, G_MAXUINT, value);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

static gboolean
opt_uint_cb (const gchar * name, const gchar * value, gpointer data,
    GError ** error)
{
  if (g_str_equal (name, "--compare-timeout"))
    return parse_uint (name, value, 1, &opt_compare_timeout, error);
  if (g_str_equal (name, "--expired-scan-cycle"))
    return parse_uint (name, value, 1, &opt_expired_scan_cycle, error);
  if (g_str_equal (name, "--idle-timeout"))
    return parse_uint (name, value, 0, &opt_idle_timeout, error);
  return parse_uint (name, value, 1, &opt_max_queue_size, error);
}

static const GOptionEntry entries[] = {
  {"primary-in", 0, 0, G_OPTION_ARG_STRING, &opt_primary_in,
      "Frames sent by the primary VM", "EP"},
  {"secondary-in", 0, 0, G_OPTION_ARG_STRING, &opt_secondary_in,
      "Frames sent by the secondary VM", "EP"},
  {"outdev", 0, 0, G_OPTION_ARG_STRING, &opt_outdev,
      "Where released primary frames are written", "EP"},
  {"notify-dev", 0, 0, G_OPTION_ARG_STRING, &opt_notify_dev,
      "Xen userspace COLO proxy channel (else stdin/stdout JSON)", "EP"},
  {"compare-timeout", 0, 0, G_OPTION_ARG_CALLBACK, opt_uint_cb,
      "Age in ms after which a queued frame requests a checkpoint "
        "(default 3000)", "MS"},
  {"expired-scan-cycle", 0, 0, G_OPTION_ARG_CALLBACK, opt_uint_cb,
      "Period in ms of the stale check (default 1000)", "MS"},
  {"max-queue-size", 0, 0, G_OPTION_ARG_CALLBACK, opt_uint_cb,
      "Frames per connection and side before a queue-full request "
        "(default 1024)", "N"},
  {"idle-timeout", 0, 0, G_OPTION_ARG_CALLBACK, opt_uint_cb,
      "Forget a connection with nothing queued after this many ms "
        "without a frame (0: never; default 300000)", "MS"},
  {"vnet-hdr", 0, 0, G_OPTION_ARG_NONE, &opt_vnet_hdr,
      "Records carry a vnet_hdr_len word (QEMU vnet_hdr_support=on)", NULL},
  {"auto-release", 0, 0, G_OPTION_ARG_NONE, &opt_auto_release,
      "Answer every checkpoint request with checkpoint-done at once", NULL},
  {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
      "Print the version and exit", NULL},
  {NULL}
};

static
G_GNUC_PRINTF (1, 2)
     int startup_error (const gchar * format, ...)
{
  va_list args;
  gchar *msg;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("gst-colo-compare: error: %s\n", msg);
  g_free (msg);
  return 2;
}

/* Parses and checks the endpoints: eps[0..3] = primary, secondary,
 * outdev, notify (NULL if not given). */
static int
parse_endpoints (ColoEndpoint * eps[4])
{
  const gchar *names[4] = { "--primary-in", "--secondary-in", "--outdev",
    "--notify-dev"
  };
  const gchar *values[4] = { opt_primary_in, opt_secondary_in, opt_outdev,
    opt_notify_dev
  };
  GError *err = NULL;
  gint i, j;

  for (i = 0; i < 4; i++) {
    if (values[i] == NULL) {
      if (i < 3)
        return startup_error ("%s is required (see --help)", names[i]);
      continue;
    }
    eps[i] = colo_endpoint_parse (values[i], &err);
    if (eps[i] == NULL) {
      int ret = startup_error ("%s: %s", names[i], err->message);

      g_error_free (err);
      return ret;
    }
    for (j = 0; j < i; j++)
      if (eps[j] != NULL && colo_endpoint_equal (eps[i], eps[j]))
        return startup_error ("%s and %s must be different endpoints",
            names[j], names[i]);
  }
  return 0;
}

/* ---- the colo plugin --------------------------------------------- */

/* The colo plugin's objects are linked into this program and registered
 * here, so the program always runs the elements it was built with, from
 * the build tree as well as installed, without GST_PLUGIN_PATH.  Its
 * features replace those of an installed colo plugin of another
 * version. */
static gboolean
register_colo_plugin (void)
{
  GstElementFactory *factory;
  GstPlugin *plugin = NULL;
  gboolean ours;

  GST_PLUGIN_STATIC_REGISTER (colo);
  /* registered: colocompare now comes from a plugin without a file */
  factory = gst_element_factory_find ("colocompare");
  if (factory != NULL)
    plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (factory));
  ours = plugin != NULL && gst_plugin_get_filename (plugin) == NULL;
  g_clear_object (&plugin);
  g_clear_object (&factory);
  return ours;
}

/* ---- output -------------------------------------------------------- */

/* colocompare's streaming thread: a released batch goes to outdev */
static GstFlowReturn
on_new_sample (GstAppSink * sink, gpointer user_data)
{
  App *app = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;
  colo_release_write (app->release, sample);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* ---- checkpoints --------------------------------------------------- */

static void
print_line (gchar * line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_free (line);
}

static void
on_checkpoint_request (App * app, const GstStructure * s)
{
  if (app->notify != NULL)
    colo_notify_channel_request_checkpoint (app->notify);
  else
    print_line (colo_json_from_structure ("checkpoint-request", s));
}

/* ---- notify-dev ---------------------------------------------------- */

/* COLO_CHECKPOINT (the notify channel, colo-notify-channel.c, handles the
 * rest of the protocol) */
static void
on_notify_checkpoint_done (gpointer user_data)
{
  App *app = user_data;

  if (!app->shutting_down)
    colo_control_emit (app->control, "checkpoint-done");
}

/* ---- stdin ------------------------------------------------------- */

/* checkpoint-done, failover: the commands are colocompare's signals */
static void
on_command (ColoCommand command, gpointer user_data)
{
  App *app = user_data;

  colo_control_emit (app->control, colo_command_name (command));
}

/* ---- shutdown ------------------------------------------------------ */

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  App *app = user_data;

  if (!app->output_given_up) {
    /* give up on outdev: the rest of the stream now drains quickly, each
     * record counted in outdev-lost; wait once more for its EOS */
    g_printerr ("gst-colo-compare: warning: released frames could not all "
        "be written to outdev within %d s, giving up\n", SHUTDOWN_TIMEOUT_S);
    app->output_given_up = TRUE;
    colo_output_cancel (app->output);
    return G_SOURCE_CONTINUE;
  }
  app->shutdown_timeout_id = 0;
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

/* Releases everything queued: EOS into both inputs (once they have pushed
 * what they had received) makes colocompare release every queued primary
 * frame and then push EOS, which reaches the bus once the appsink has
 * handed every record to outdev. */
static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  if (app->shutting_down) {
    /* a second signal: stop waiting for outdev */
    colo_output_cancel (app->output);
    g_main_loop_quit (app->loop);
    return G_SOURCE_CONTINUE;
  }
  app->shutting_down = TRUE;
  /* each input ends its appsrc's stream once it has pushed what it had
   * received */
  colo_input_finish (app->primary);
  colo_input_finish (app->secondary);
  if (app->notify != NULL)
    colo_notify_channel_stop (app->notify);
  if (app->commands != NULL)
    colo_commands_stop (app->commands);
  app->shutdown_timeout_id = g_timeout_add_seconds (SHUTDOWN_TIMEOUT_S,
      on_shutdown_timeout, app);
  return G_SOURCE_CONTINUE;
}

/* ---- bus ------------------------------------------------------------ */

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  App *app = user_data;
  GError *err = NULL;
  gchar *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (s != NULL && gst_structure_has_name (s, "colo-checkpoint"))
        on_checkpoint_request (app, s);
      break;
    }
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &debug);
      g_printerr ("gst-colo-compare: warning: %s\n", err->message);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &debug);
      g_printerr ("gst-colo-compare: error: %s (%s)\n", err->message,
          debug ? debug : "no details");
      app->exit_code = 1;
      g_main_loop_quit (app->loop);
      break;
    case GST_MESSAGE_EOS:
      g_main_loop_quit (app->loop);
      break;
    default:
      break;
  }
  g_clear_error (&err);
  g_free (debug);
  return G_SOURCE_CONTINUE;
}

/* ---- setup ---------------------------------------------------------- */

static GstElement *
make (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL)
    g_printerr ("gst-colo-compare: error: cannot create element '%s' (is "
        "the GStreamer plugin providing it installed?)\n", factory);
  return e;
}

static gboolean
build_pipeline (App * app)
{
  GstElement *psrc, *ssrc, *sink;
  GstAppSinkCallbacks callbacks = {.new_sample = on_new_sample };
  GstCaps *caps;

  app->pipeline = gst_pipeline_new ("gst-colo-compare");
  psrc = make ("appsrc", "primary-src");
  ssrc = make ("appsrc", "secondary-src");
  app->compare = make ("colocompare", "compare");
  sink = make ("appsink", "out");
  if (!psrc || !ssrc || !app->compare || !sink) {
    g_clear_object (&psrc);
    g_clear_object (&ssrc);
    g_clear_object (&app->compare);
    g_clear_object (&sink);
    return FALSE;
  }

  /* a read becomes one buffer of whole records (docs/design.md,
   * "Batches") */
  caps = gst_colo_caps_new_records (opt_vnet_hdr);
  /* live, unbounded: an input is never blocked by the comparator (the
   * backpressure is the outdev write, which holds the comparator) */
  g_object_set (psrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, "caps", caps, NULL);
  g_object_set (ssrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (app->compare, "latency", (gint64) COMPARE_LATENCY,
      "compare-timeout", opt_compare_timeout,
      "expired-scan-cycle", opt_expired_scan_cycle, "max-queue-size",
      opt_max_queue_size, "idle-timeout", opt_idle_timeout, "auto-release",
      opt_auto_release, NULL);
  /* no last-sample: basesink would keep the previous batch alive while the
   * next one is written */
  g_object_set (sink, "sync", FALSE, "async", FALSE, "max-buffers", 1,
      "buffer-list", TRUE, "enable-last-sample", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, app, NULL);

  gst_bin_add_many (GST_BIN (app->pipeline), psrc, ssrc, app->compare, sink,
      NULL);
  app->primary_src = GST_APP_SRC (psrc);
  app->secondary_src = GST_APP_SRC (ssrc);
  if (!gst_element_link_pads (psrc, "src", app->compare, "primary") ||
      !gst_element_link_pads (ssrc, "src", app->compare, "secondary") ||
      !gst_element_link (app->compare, sink)) {
    g_printerr ("gst-colo-compare: error: cannot link the pipeline\n");
    return FALSE;
  }
  return TRUE;
}

/* Opens every endpoint: 0, or the exit code of a startup error. */
static int
open_endpoints (App * app, ColoEndpoint * eps[4])
{
  GError *err = NULL;
  GstPad *ppad, *spad;
  int ret;

  /* the output first: it must be there before anything is released */
  app->output = colo_output_new (eps[2], "outdev", &err);
  if (app->output == NULL)
    goto failed;
  app->release = colo_release_new (app->output, opt_vnet_hdr);
  ppad = gst_element_get_static_pad (app->compare, "primary");
  spad = gst_element_get_static_pad (app->compare, "secondary");
  app->primary = colo_input_new (eps[0], "primary-in", opt_vnet_hdr,
      app->primary_src, ppad, INPUT_MAX_IN_FLIGHT, &err);
  if (app->primary != NULL)
    app->secondary = colo_input_new (eps[1], "secondary-in", opt_vnet_hdr,
        app->secondary_src, spad, INPUT_MAX_IN_FLIGHT, &err);
  gst_object_unref (ppad);
  gst_object_unref (spad);
  if (app->primary == NULL || app->secondary == NULL)
    goto failed;
  if (eps[3] != NULL) {
    app->notify = colo_notify_channel_new (eps[3], "notify-dev",
        on_notify_checkpoint_done, app, &err);
    if (app->notify == NULL)
      goto failed;
  }
  return 0;

failed:
  ret = startup_error ("%s", err->message);
  g_error_free (err);
  return ret;
}

static void
print_stats (App * app)
{
  GstStructure *stats = NULL;
  struct rusage usage;

  g_object_get (app->compare, "stats", &stats, NULL);
  if (stats == NULL)
    stats = gst_structure_new_empty ("stats");
  colo_input_add_stats (app->primary, stats);
  colo_input_add_stats (app->secondary, stats);
  gst_structure_set (stats,
      "outdev-records", G_TYPE_UINT64, colo_release_get_written (app->release),
      "outdev-lost", G_TYPE_UINT64, colo_release_get_lost (app->release),
      "outdev-unacknowledged", G_TYPE_UINT64,
      colo_output_get_unacknowledged (app->output),
      "outdev-connections", G_TYPE_UINT64,
      colo_output_get_connections (app->output), NULL);
  if (app->notify == NULL)
    gst_structure_set (stats, "stdin-unknown", G_TYPE_UINT64,
        colo_commands_get_unknown (app->commands), NULL);
  /* the memory high-water mark (the in-flight bound is about memory) */
  if (getrusage (RUSAGE_SELF, &usage) == 0)
    gst_structure_set (stats, "peak-rss", G_TYPE_UINT64,
        (guint64) usage.ru_maxrss * 1024, NULL);
  if (app->notify != NULL) {
    ColoNotifyStats ns;

    colo_notify_channel_get_stats (app->notify, &ns);
    gst_structure_set (stats,
        "notify-checkpoints-sent", G_TYPE_UINT64, ns.checkpoints_sent,
        "notify-checkpoints-unsent", G_TYPE_UINT64, ns.checkpoints_unsent,
        "notify-unsupported", G_TYPE_UINT64, ns.unsupported,
        "notify-errors", G_TYPE_UINT64, ns.errors,
        "notify-stalled", G_TYPE_UINT64, ns.stalled, NULL);
  }
  print_line (colo_json_from_structure ("stats", stats));
  gst_structure_free (stats);
}

static int
run (ColoEndpoint * eps[4])
{
  App app = { 0, };
  GstBus *bus;
  guint sigint_id, sigterm_id;
  int ret;

  if (!register_colo_plugin ())
    return startup_error ("cannot register the colo plugin");
  if (!build_pipeline (&app)) {
    g_clear_object (&app.pipeline);
    return 2;
  }
  /* handle the signals before any peer can see us: a SIGTERM sent once
   * the sockets are up must not kill the process */
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &app);
  ret = open_endpoints (&app, eps);
  if (ret != 0)
    goto done;
  app.control = colo_control_new (app.compare);

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (app.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &app);
  if (app.notify == NULL) {
    app.commands = colo_commands_new ("stdin", on_command, &app);
    colo_commands_watch (app.commands, 0);
  }

  if (gst_element_set_state (app.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("gst-colo-compare: error: cannot start the pipeline\n");
    app.exit_code = 1;
  } else {
    g_main_loop_run (app.loop);
  }

  /* stop the streaming thread before reading its counters; an emission
   * still waiting for it then completes */
  colo_output_cancel (app.output);
  colo_control_free (app.control);
  if (app.exit_code == 0)
    print_stats (&app);
  gst_element_set_state (app.pipeline, GST_STATE_NULL);
  ret = app.exit_code;

  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  colo_commands_free (app.commands);
  if (app.shutdown_timeout_id != 0)
    g_source_remove (app.shutdown_timeout_id);
  g_main_loop_unref (app.loop);

done:
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  colo_input_free (app.primary);
  colo_input_free (app.secondary);
  colo_notify_channel_free (app.notify);
  colo_output_free (app.output);
  gst_object_unref (app.pipeline);
  colo_release_free (app.release);
  return ret;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx;
  GError *err = NULL;
  ColoEndpoint *eps[4] = { NULL, };
  int ret, i;

  ctx = g_option_context_new ("- compare the network output of COLO "
      "primary and secondary VMs");
  g_option_context_set_description (ctx, "EP is tcp:HOST:PORT (connect) or "
      "tcp-listen:HOST:PORT (listen).\nSee gst-colo-compare(1).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    ret = startup_error ("%s", err->message);
    g_error_free (err);
    g_option_context_free (ctx);
    return ret;
  }
  g_option_context_free (ctx);

  if (opt_version) {
    gchar *gst_version = gst_version_string ();

    printf ("gst-colo-compare %s (%s)\n", VERSION, gst_version);
    g_free (gst_version);
    return 0;
  }
  if (argc > 1)
    ret = startup_error ("unexpected argument '%s'", argv[1]);
  else
    ret = parse_endpoints (eps);
  if (ret == 0) {
    /* an outdev or notify peer that goes away must not kill us */
    signal (SIGPIPE, SIG_IGN);
    ret = run (eps);
  }

  for (i = 0; i < 4; i++)
    colo_endpoint_free (eps[i]);
  g_free (opt_primary_in);
  g_free (opt_secondary_in);
  g_free (opt_outdev);
  g_free (opt_notify_dev);
  gst_deinit ();
  return ret;
}
