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
 *   primary-in   -> ColoInput -> colocompare.primary
 *   secondary-in -> ColoInput -> colocompare.secondary
 *   colocompare -> appsink -> ColoRelease -> ColoOutput -> outdev
 *   colocompare's requests -> stdout (JSON), and ColoNotifyChannel
 *     with --notify-dev
 *   ColoNotifyChannel or ColoCommands (stdin) -> ColoControl -> colocompare
 *
 * This file only wires them together (the command line is colo-options.c).
 *
 * Sockets, the notify channel, stdin and the signals are handled on the
 * main loop (main thread); only the outdev writes happen on the streaming
 * thread (blocking: the backpressure).  checkpoint-done and failover are
 * emitted by ColoControl's thread, never by a streaming thread, so that
 * the main loop stays responsive while outdev holds the pipeline. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "colo-commands.h"
#include "colo-control.h"
#include "colo-flow.h"
#include "colo-i18n.h"
#include "colo-input.h"
#include "colo-json.h"
#include "colo-log.h"
#include "colo-metrics.h"
#include "colo-notify-channel.h"
#include "colo-options.h"
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
  GstElement *compare;          /* owned by the pipeline */
  ColoControl *control;         /* emits checkpoint-done / failover */
  ColoInput *primary;
  ColoInput *secondary;
  ColoOutput *output;
  ColoNotifyChannel *notify;    /* with --notify-dev */
  ColoCommands *commands;       /* stdin, without --notify-dev */
  ColoMetrics *metrics;         /* with --metrics */

  gboolean running;             /* the main loop runs: stats can be read */
  guint stats_timeout_id;       /* --stats-interval */
  gboolean shutting_down;
  guint shutdown_timeout_id;
  gboolean output_given_up;
  int exit_code;

  /* used on the streaming thread, read after it stopped */
  ColoRelease *release;
} App;

/* A startup error: one line on standard error, exit status 2 */
static
G_GNUC_PRINTF (1, 2)
     int startup_error (const gchar * format, ...)
{
  va_list args;
  gchar *msg;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  colo_log_error (NULL, "%s", msg);
  g_free (msg);
  return 2;
}

/* ---- translations ---------------------------------------------------- */

/* The messages in the user's language (po/README.md): $GST_COLO_LOCALEDIR
 * replaces the installed catalogs' directory, for the tests of a build
 * tree.  Bound again after the colo plugin's registration, which binds
 * the same domain to LOCALEDIR. */
static void
bind_translations (void)
{
#ifdef ENABLE_NLS
  const gchar *dir = g_getenv ("GST_COLO_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && dir[0] != '\0' ? dir :
      LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
}

/* ---- the colo plugin --------------------------------------------- */

/* The colo plugin's objects are linked into this program and registered
 * here, so the program always runs the elements it was built with, from
 * the build tree as well as installed, without GST_PLUGIN_PATH.  Its
 * features replace those of an installed colo plugin of another
 * version.  Returns colocompare's class (a reference), NULL if the
 * registration failed. */
static GObjectClass *
register_colo_plugin (void)
{
  GstElementFactory *factory;
  GstPlugin *plugin = NULL;
  GObjectClass *klass = NULL;

  GST_PLUGIN_STATIC_REGISTER (colo);
  /* registered: colocompare now comes from a plugin without a file */
  factory = gst_element_factory_find ("colocompare");
  if (factory != NULL)
    plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (factory));
  if (plugin != NULL && gst_plugin_get_filename (plugin) == NULL) {
    klass = g_type_class_ref (gst_element_factory_get_element_type (factory));
  } else if (factory != NULL) {
    /* The plugin's types were registered before ours could be: a registry
     * scanned in this process (GST_REGISTRY_FORK=no) loads the plugin
     * files it finds.  Run that plugin, and say so. */
    GstPluginFeature *loaded =
        gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));

    if (loaded != NULL) {
      colo_log_warning (NULL, _("running the colo plugin %s, loaded before "
              "this program's own"), plugin ?
          gst_plugin_get_filename (plugin) : "(unknown)");
      klass = g_type_class_ref (gst_element_factory_get_element_type
          (GST_ELEMENT_FACTORY (loaded)));
      gst_object_unref (loaded);
    }
  }
  g_clear_object (&plugin);
  g_clear_object (&factory);
  return klass;
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

/* A line on stdout: @s's fields and "wall-time", the time of the line
 * (UTC, ISO 8601 with microseconds) */
static void
print_event (const gchar * event, const GstStructure * s)
{
  GstStructure *copy = gst_structure_copy (s);
  GDateTime *now = g_date_time_new_now_utc ();
  gchar *wall_time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");

  gst_structure_set (copy, "wall-time", G_TYPE_STRING, wall_time, NULL);
  print_line (colo_json_from_structure (event, copy));
  g_free (wall_time);
  g_date_time_unref (now);
  gst_structure_free (copy);
}

/* Under systemd (standard error is the journal) a request is also a
 * journal entry (info), each of its fields a field of the entry named
 * COLO_ and the field's name in capitals, '-' as '_' (COLO_REASON,
 * COLO_SRC_PORT, ...), and COLO_EVENT=checkpoint-request: journalctl
 * COLO_REASON=miscompare finds them (docs/service.md, "Logging").  The
 * JSON line is in the journal too, as standard output, without fields. */
static void
journal_request (const GstStructure * s)
{
  guint i, n = gst_structure_n_fields (s);
  GLogField *fields = g_new0 (GLogField, n + 1);
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);
  const gchar *reason = gst_structure_get_string (s, "reason");
  gchar *message;

  fields[0].key = "COLO_EVENT";
  fields[0].value = "checkpoint-request";
  fields[0].length = -1;
  for (i = 0; i < n; i++) {
    const gchar *name = gst_structure_nth_field_name (s, i);
    const GValue *v = gst_structure_get_value (s, name);
    gchar *upper = g_ascii_strup (name, -1);
    gchar *key = g_strconcat ("COLO_", g_strcanon (upper,
            G_CSET_A_2_Z G_CSET_DIGITS, '_'), NULL);
    gchar *value = G_VALUE_HOLDS_STRING (v) ? g_value_dup_string (v) :
        gst_value_serialize (v);

    g_free (upper);
    g_ptr_array_add (strings, key);
    g_ptr_array_add (strings, value);
    fields[i + 1].key = key;
    fields[i + 1].value = value ? value : "";
    fields[i + 1].length = -1;
  }
  message = g_strdup_printf (_("checkpoint request (%s)"),
      reason ? reason : "?");
  colo_log_entry (COLO_LOG_INFO, NULL, message, fields, n + 1);
  g_free (message);
  g_ptr_array_unref (strings);
  g_free (fields);
}

/* Every request is a line on stdout, with --notify-dev too (there only
 * for the record: DO_CHECKPOINT is what asks for the checkpoint) */
static void
on_checkpoint_request (App * app, const GstStructure * s)
{
  if (app->notify != NULL)
    colo_notify_channel_request_checkpoint (app->notify);
  print_event ("checkpoint-request", s);
  if (colo_log_is_journald ())
    journal_request (s);
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

static void print_stats (App * app);
static GstStructure *collect_stats (gpointer user_data);

static void
print_connections (App * app)
{
  GstStructure *conns = NULL;

  g_signal_emit_by_name (app->compare, "get-connections", &conns);
  print_event ("connections", conns);
  gst_structure_free (conns);
}

/* checkpoint-done, failover, resume: the commands are colocompare's
 * signals */
static void
on_command (ColoCommand command, gpointer user_data)
{
  App *app = user_data;

  if (command == COLO_COMMAND_STATS)
    print_stats (app);
  else if (command == COLO_COMMAND_CONNECTIONS)
    print_connections (app);
  else
    colo_control_emit (app->control, colo_command_name (command));
}

/* ---- stats on request ---------------------------------------------- */

/* SIGUSR1: the stats line now (before the main loop runs, or after it
 * ended, there is no stats line to print: the final one follows) */
static gboolean
on_sigusr1 (gpointer user_data)
{
  App *app = user_data;

  if (app->running)
    print_stats (app);
  return G_SOURCE_CONTINUE;
}

/* --stats-interval */
static gboolean
on_stats_interval (gpointer user_data)
{
  App *app = user_data;

  print_stats (app);
  return G_SOURCE_CONTINUE;
}

/* ---- shutdown ------------------------------------------------------ */

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  App *app = user_data;

  if (!app->output_given_up) {
    /* give up on outdev: the rest of the stream now drains quickly, each
     * record counted in outdev-lost; wait once more for its EOS */
    colo_log_warning (NULL, _("released frames could not all be written to "
            "outdev within %d s, giving up"), SHUTDOWN_TIMEOUT_S);
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
  /* each input ends its stream once it has pushed what it had
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
      colo_log_warning (NULL, "%s", err->message);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &debug);
      colo_log_error (NULL, "%s (%s)", err->message,
          debug ? debug : _("no details"));
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
    colo_log_error (NULL, _("cannot create element '%s' (is the GStreamer "
            "plugin providing it installed?)"), factory);
  return e;
}

static gboolean
build_pipeline (App * app, const ColoOptions * opts)
{
  GstAppSinkCallbacks callbacks = {.new_sample = on_new_sample };
  GstElement *sink;
  app->pipeline = gst_pipeline_new ("gst-colo-compare");
  app->compare = make ("colocompare", "compare");
  sink = make ("appsink", "out");
  if (!app->compare || !sink) {
    g_clear_object (&app->compare);
    g_clear_object (&sink);
    return FALSE;
  }
  g_object_set (app->compare, "latency", (gint64) COMPARE_LATENCY, NULL);
  colo_options_apply (opts, app->compare);
  /* no last-sample: basesink would keep the previous batch alive while the
   * next one is written */
  g_object_set (sink, "sync", FALSE, "async", FALSE, "max-buffers", 1,
      "buffer-list", TRUE, "enable-last-sample", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, app, NULL);
  gst_bin_add_many (GST_BIN (app->pipeline), app->compare, sink, NULL);
  if (!gst_element_link (app->compare, sink)) {
    colo_log_error (NULL, _("cannot link the pipeline"));
    return FALSE;
  }
  return TRUE;
}

/* The input of @side feeds colocompare's pad SIDE; messages name it
 * SIDE-in.  A read becomes one buffer of whole records (docs/design.md,
 * "Batches"). */
static ColoInput *
open_input (App * app, ColoSide side, const ColoEndpoint * ep,
    gboolean vnet, GError ** error)
{
  const gchar *pad_name = colo_side_name (side);
  gchar *name = g_strconcat (pad_name, "-in", NULL);
  GstPad *pad = gst_element_get_static_pad (app->compare, pad_name);
  GstCaps *caps = gst_colo_caps_new_records (vnet);
  ColoInput *input;

  input = colo_input_new (ep, name, vnet, caps, pad, INPUT_MAX_IN_FLIGHT,
      error);
  gst_caps_unref (caps);
  gst_object_unref (pad);
  g_free (name);
  return input;
}

/* A bind or connect error names the option and its endpoint:
 * "--outdev tcp:127.0.0.1:9005: Could not connect to ..." */
static void
prefix_endpoint_error (GError ** err, const gchar * option,
    const ColoEndpoint * ep)
{
  gchar *str = colo_endpoint_to_string (ep);

  g_prefix_error (err, "--%s %s: ", option, str);
  g_free (str);
}

/* Opens every endpoint: 0, or the exit code of a startup error. */
static int
open_endpoints (App * app, const ColoOptions * opts)
{
  const ColoEndpoints *eps = &opts->endpoints;
  GError *err = NULL;
  int ret;

  /* the output first: it must be there before anything is released */
  app->output = colo_output_new (eps->outdev, "outdev", &err);
  if (app->output == NULL) {
    prefix_endpoint_error (&err, "outdev", eps->outdev);
    goto failed;
  }
  app->release = colo_release_new (app->output, opts->vnet_hdr);
  app->primary = open_input (app, COLO_SIDE_PRIMARY, eps->primary_in,
      opts->vnet_hdr, &err);
  if (app->primary == NULL) {
    prefix_endpoint_error (&err, "primary-in", eps->primary_in);
    goto failed;
  }
  app->secondary = open_input (app, COLO_SIDE_SECONDARY, eps->secondary_in,
      opts->vnet_hdr, &err);
  if (app->secondary == NULL) {
    prefix_endpoint_error (&err, "secondary-in", eps->secondary_in);
    goto failed;
  }
  if (eps->notify_dev != NULL) {
    app->notify = colo_notify_channel_new (eps->notify_dev, "notify-dev",
        on_notify_checkpoint_done, app, &err);
    if (app->notify == NULL) {
      prefix_endpoint_error (&err, "notify-dev", eps->notify_dev);
      goto failed;
    }
  }
  if (eps->metrics != NULL) {
    app->metrics = colo_metrics_new (eps->metrics, "metrics", collect_stats,
        app, &err);
    if (app->metrics == NULL) {
      prefix_endpoint_error (&err, "metrics", eps->metrics);
      goto failed;
    }
  }
  return 0;

failed:
  ret = startup_error ("%s", err->message);
  g_error_free (err);
  return ret;
}

/* The stats line: the final one, and the ones printed on request
 * (SIGUSR1, the stdin command, --stats-interval) while the program runs.
 * The counters of the streaming thread (outdev) are read atomically, the
 * others belong to the main loop (colocompare's under its lock). */
static GstStructure *
collect_stats (gpointer user_data)
{
  App *app = user_data;
  GstStructure *stats = NULL;
  struct rusage usage;

  g_object_get (app->compare, "stats", &stats, NULL);
  if (stats == NULL)
    stats = gst_structure_new_empty ("colocompare-stats");
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
  return stats;
}

static void
print_stats (App * app)
{
  GstStructure *stats = collect_stats (app);

  print_event ("stats", stats);
  gst_structure_free (stats);
}

static int
run (const ColoOptions * opts)
{
  App app = { 0, };
  GstBus *bus;
  guint sigint_id, sigterm_id, sigusr1_id;
  int ret;

  if (!build_pipeline (&app, opts)) {
    g_clear_object (&app.pipeline);
    return 2;
  }
  /* handle the signals before any peer can see us: a SIGTERM sent once
   * the sockets are up must not kill the process */
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &app);
  sigusr1_id = g_unix_signal_add (SIGUSR1, on_sigusr1, &app);
  ret = open_endpoints (&app, opts);
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
    colo_log_error (NULL, _("cannot start the pipeline"));
    app.exit_code = 1;
  } else {
    app.running = TRUE;
    if (opts->stats_interval > 0)
      app.stats_timeout_id = g_timeout_add_seconds (opts->stats_interval,
          on_stats_interval, &app);
    g_main_loop_run (app.loop);
    app.running = FALSE;
    /* no more metrics requests (the pipeline still runs while the ones
     * being served are dropped) */
    g_clear_pointer (&app.metrics, colo_metrics_free);
    if (app.stats_timeout_id != 0)
      g_source_remove (app.stats_timeout_id);
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
  colo_metrics_free (app.metrics);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigusr1_id);
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
  ColoOptions opts = { 0, };
  GObjectClass *compare_class = NULL;
  GError *err = NULL;
  int ret = 0;

  /* the user's locale: translated messages, and --help's "[OPTION…]"
   * rather than "[OPTION?]" in a UTF-8 locale */
  setlocale (LC_ALL, "");
  bind_translations ();
  textdomain (GETTEXT_PACKAGE);

  /* GStreamer (with its --gst-* options) and the colo plugin come first:
   * colocompare's property specs give the other options' defaults */
  if (!colo_options_init_gstreamer (argc, argv, &err))
    goto error;
  compare_class = register_colo_plugin ();
  bind_translations ();
  if (compare_class == NULL) {
    ret = startup_error (_("cannot register the colo plugin"));
    goto done;
  }
  if (!colo_options_parse (&opts, compare_class, &argc, &argv, &err))
    goto error;

  if (opts.version) {
    gchar *gst_version = gst_version_string ();

    printf ("gst-colo-compare %s (%s)\n", VERSION, gst_version);
    g_free (gst_version);
  } else {
    /* an outdev or notify peer that goes away must not kill us */
    signal (SIGPIPE, SIG_IGN);
    ret = run (&opts);
  }
  goto done;

error:
  ret = startup_error ("%s", err->message);
  g_error_free (err);
done:
  colo_options_clear (&opts);
  if (compare_class != NULL)
    g_type_class_unref (compare_class);
  gst_deinit ();
  return ret;
}
