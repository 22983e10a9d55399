/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "colo-i18n.h"
#include "colo-options.h"
#include "colo-passthrough.h"
#include "colo-evidence.h"

/* An option that sets the colocompare property of the same name */
typedef struct
{
  const gchar *name;
  gsize offset;                 /* of its guint in ColoOptions */
  const gchar *arg_description;
  const gchar *description;     /* --help adds the default */
  const gchar *note;            /* before the default (NULL: none) */
} UintOption;

static const UintOption uint_options[] = {
  {.name = "compare-timeout",
        .offset = G_STRUCT_OFFSET (ColoOptions, compare_timeout),
        .arg_description = "MS",
      .description = N_("Age in ms after which a queued frame requests a "
            "checkpoint")},
  {.name = "expired-scan-cycle",
        .offset = G_STRUCT_OFFSET (ColoOptions, expired_scan_cycle),
        .arg_description = "MS",
      .description = N_("Period in ms of the stale check")},
  {.name = "max-queue-size",
        .offset = G_STRUCT_OFFSET (ColoOptions, max_queue_size),
        .arg_description = "N",
      .description = N_("Frames per connection and side before a queue-full "
            "request")},
  {.name = "idle-timeout",
        .offset = G_STRUCT_OFFSET (ColoOptions, idle_timeout),
        .arg_description = "MS",
      .description = N_("Forget a connection with nothing queued after this "
            "many ms without a frame"),.note = N_("0: never")},
  {.name = "max-divergence-files",
        .offset = G_STRUCT_OFFSET (ColoOptions, max_divergence_files),
        .arg_description = "N",
      .description = N_("Bound on the files written through "
            "--divergence-location")},
  {.name = "reassembly-max-bytes",
        .offset = G_STRUCT_OFFSET (ColoOptions, reassembly_max_bytes),
        .arg_description = "BYTES",
        .description = N_("Bytes per side held for IP fragment reassembly"),
      .note = N_("0: fragments compared one by one")},
};

#define UINT_OPTION(opts, o) G_STRUCT_MEMBER (guint, opts, (o)->offset)

/* The state of one parse */
typedef struct
{
  ColoOptions *opts;
  GParamSpecUInt *specs[G_N_ELEMENTS (uint_options)];
  gchar *primary_in, *secondary_in, *outdev, *notify_dev, *metrics;
} Parser;

/* Checks the string options with the parsers colocompare uses, so that a
 * bad value stops the program at startup with the parser's message. */
static gboolean
check_strings (const ColoOptions * opts, GError ** error)
{
  GError *err = NULL;
  ColoPassthrough *pt;

  if (opts->passthrough) {
    pt = colo_passthrough_parse (opts->passthrough, &err);
    if (!pt) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          _("--passthrough: %s"), err->message);
      g_error_free (err);
      return FALSE;
    }
    colo_passthrough_free (pt);
  }
  if (opts->divergence_location
      && !colo_evidence_template_valid (opts->divergence_location, &err)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        _("--divergence-location: %s"), err->message);
    g_error_free (err);
    return FALSE;
  }
  return TRUE;
}

gboolean
colo_options_init_gstreamer (int argc, char **argv, GError ** error)
{
  GOptionContext *ctx = g_option_context_new (NULL);
  gchar **args = g_strdupv (argv);
  gboolean ok;

  /* the program's own options (and --help) are parsed later, by
   * colo_options_parse, with GStreamer's group again so that --help
   * shows it; its second pass only sets what this one set */
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_ignore_unknown_options (ctx, TRUE);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  ok = g_option_context_parse_strv (ctx, &args, error);
  g_option_context_free (ctx);
  g_strfreev (args);
  return ok;
}

static gboolean
on_uint_option (const gchar * option_name, const gchar * value,
    gpointer data, GError ** error)
{
  Parser *p = data;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (uint_options); i++) {
    const GParamSpecUInt *spec = p->specs[i];
    guint64 v;

    /* option_name is --NAME */
    if (!g_str_equal (option_name + 2, uint_options[i].name))
      continue;
    if (!g_ascii_string_to_unsigned (value, 10, spec->minimum, spec->maximum,
            &v, NULL)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          spec->minimum ? _("%s requires a positive integer (%u to %u), not "
              "'%s'") : _("%s requires an integer (%u to %u), not '%s'"),
          option_name, spec->minimum, spec->maximum, value);
      return FALSE;
    }
    UINT_OPTION (p->opts, &uint_options[i]) = v;
    return TRUE;
  }
  g_assert_not_reached ();
  return FALSE;
}

/* Takes the defaults and limits of colocompare's properties. */
static gboolean
find_specs (Parser * p, GObjectClass * compare_class, GError ** error)
{
  GParamSpec *spec;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (uint_options); i++) {
    spec = g_object_class_find_property (compare_class, uint_options[i].name);
    if (spec == NULL || !G_IS_PARAM_SPEC_UINT (spec))
      goto missing;
    p->specs[i] = G_PARAM_SPEC_UINT (spec);
    UINT_OPTION (p->opts, &uint_options[i]) = p->specs[i]->default_value;
  }
  spec = g_object_class_find_property (compare_class, "auto-release");
  if (spec == NULL || !G_IS_PARAM_SPEC_BOOLEAN (spec))
    goto missing;
  p->opts->auto_release = G_PARAM_SPEC_BOOLEAN (spec)->default_value;
  return TRUE;

missing:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
      _("colocompare has no property '%s' of the expected type"),
      i < G_N_ELEMENTS (uint_options) ? uint_options[i].name : "auto-release");
  return FALSE;
}

/* Parses and checks the endpoints, in this order: a missing, malformed
 * or repeated one is the first error. */
static gboolean
parse_endpoints (Parser * p, GError ** error)
{
  ColoEndpoints *eps = &p->opts->endpoints;
  const struct
  {
    const gchar *option;
    const gchar *value;
    ColoEndpoint **ep;
    gboolean required;
  } table[] = {
    {"--primary-in", p->primary_in, &eps->primary_in, TRUE},
    {"--secondary-in", p->secondary_in, &eps->secondary_in, TRUE},
    {"--outdev", p->outdev, &eps->outdev, TRUE},
    {"--notify-dev", p->notify_dev, &eps->notify_dev, FALSE},
    {"--metrics", p->metrics, &eps->metrics, FALSE},
  };
  GError *err = NULL;
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].value == NULL) {
      if (!table[i].required)
        continue;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          _("%s is required (see --help)"), table[i].option);
      return FALSE;
    }
    *table[i].ep = colo_endpoint_parse (table[i].value, &err);
    if (*table[i].ep == NULL) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: %s", table[i].option, err->message);
      g_error_free (err);
      return FALSE;
    }
    if (table[i].ep == &eps->metrics
        && eps->metrics->kind != COLO_ENDPOINT_LISTEN) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          _("--metrics must be a listen endpoint (tcp-listen:HOST:PORT or "
              "unix-listen:PATH), not '%s'"), table[i].value);
      return FALSE;
    }
    for (j = 0; j < i; j++)
      if (*table[j].ep != NULL
          && colo_endpoint_equal (*table[i].ep, *table[j].ep)) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            _("%s and %s must be different endpoints"), table[j].option,
            table[i].option);
        return FALSE;
      }
  }
  return TRUE;
}

gboolean
colo_options_parse (ColoOptions * opts, GObjectClass * compare_class,
    int *argc, char ***argv, GError ** error)
{
  Parser p = {.opts = opts };
  const GOptionEntry endpoint_entries[] = {
    {.long_name = "primary-in",.arg = G_OPTION_ARG_STRING,
          .arg_data = &p.primary_in,
          .description = N_("Frames sent by the primary VM"),
        .arg_description = "EP"},
    {.long_name = "secondary-in",.arg = G_OPTION_ARG_STRING,
          .arg_data = &p.secondary_in,
          .description = N_("Frames sent by the secondary VM"),
        .arg_description = "EP"},
    {.long_name = "outdev",.arg = G_OPTION_ARG_STRING,
          .arg_data = &p.outdev,
          .description = N_("Where released primary frames are written"),
        .arg_description = "EP"},
    {.long_name = "notify-dev",.arg = G_OPTION_ARG_STRING,
          .arg_data = &p.notify_dev,
        .description = N_("Xen userspace COLO proxy channel (else "
              "stdin/stdout JSON)"),.arg_description = "EP"},
    {.long_name = "metrics",.arg = G_OPTION_ARG_STRING,
          .arg_data = &p.metrics,
          .description = N_("Serve the stats in Prometheus text format over "
              "HTTP (a listen endpoint)"),
        .arg_description = "EP"},
  };
  const GOptionEntry flag_entries[] = {
    {.long_name = "vnet-hdr",.arg = G_OPTION_ARG_NONE,
          .arg_data = &opts->vnet_hdr,
        .description = N_("Records carry a vnet_hdr_len word (QEMU "
              "vnet_hdr_support=on)")},
    {.long_name = "auto-release",.arg = G_OPTION_ARG_NONE,
          .arg_data = &opts->auto_release,
        .description = N_("Answer every checkpoint request with "
              "checkpoint-done at once")},
    {.long_name = "passthrough",.arg = G_OPTION_ARG_STRING,
          .arg_data = &opts->passthrough,
          .description = N_("Flows forwarded from the primary uncompared "
              "and dropped from the secondary, e.g. tcp:3389,udp:*:5353,icmp "
              "(colocompare's passthrough property)"),
        .arg_description = "RULES"},
    {.long_name = "divergence-location",.arg = G_OPTION_ARG_FILENAME,
          .arg_data = &opts->divergence_location,
          .description = N_("Write the frames of each miscompare to a pcap "
              "named by this template, e.g. /var/lib/colo/div-%05d.pcap"),
        .arg_description = "TEMPLATE"},
    {.long_name = "stats-interval",.arg = G_OPTION_ARG_INT,
          .arg_data = &opts->stats_interval,
          .description = N_("Print the stats line every SECONDS too (0: "
              "only at exit, on SIGUSR1 and on request; default 0)"),
        .arg_description = "SECONDS"},
    {.long_name = "version",.arg = G_OPTION_ARG_NONE,
          .arg_data = &opts->version,
        .description = N_("Print the version and exit")},
  };
  /* in --help's order, and a terminator */
  GOptionEntry entries[G_N_ELEMENTS (endpoint_entries) +
      G_N_ELEMENTS (uint_options) + G_N_ELEMENTS (flag_entries) + 1];
  gchar *descriptions[G_N_ELEMENTS (uint_options)] = { NULL, };
  GOptionContext *ctx = NULL;
  GOptionGroup *group;
  gboolean ok = FALSE;
  guint i, n = 0;

  if (!find_specs (&p, compare_class, error))
    goto done;
  memset (entries, 0, sizeof entries);
  for (i = 0; i < G_N_ELEMENTS (endpoint_entries); i++)
    entries[n++] = endpoint_entries[i];
  for (i = 0; i < G_N_ELEMENTS (uint_options); i++) {
    const UintOption *o = &uint_options[i];

    /* translated here: GOption would translate the whole text */
    if (o->note != NULL)
      descriptions[i] = g_strdup_printf (_("%s (%s; default %u)"),
          _(o->description), _(o->note), p.specs[i]->default_value);
    else
      descriptions[i] = g_strdup_printf (_("%s (default %u)"),
          _(o->description), p.specs[i]->default_value);
    entries[n].long_name = o->name;
    entries[n].arg = G_OPTION_ARG_CALLBACK;
    entries[n].arg_data = on_uint_option;
    entries[n].description = descriptions[i];
    entries[n].arg_description = o->arg_description;
    n++;
  }
  for (i = 0; i < G_N_ELEMENTS (flag_entries); i++)
    entries[n++] = flag_entries[i];

  /* the option descriptions (N_) are translated by GOption, in
   * GETTEXT_PACKAGE; its own texts ("Usage:", "[OPTION…]") by GLib */
  ctx = g_option_context_new (_("- compare the network output of COLO "
          "primary and secondary VMs"));
  g_option_context_set_description (ctx, _("EP is tcp:HOST:PORT or "
          "unix:PATH (connect), tcp-listen:HOST:PORT or unix-listen:PATH "
          "(listen); QEMU's tcp::PORT and ,server too.\nSee "
          "gst-colo-compare(1)."));
  group = g_option_group_new (NULL, NULL, NULL, &p, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (ctx, group);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, argc, argv, error))
    goto done;
  if (opts->version) {
    ok = TRUE;
    goto done;
  }
  if (opts->stats_interval < 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        _("--stats-interval requires a number of seconds (0 or more), not "
            "%d"), opts->stats_interval);
    goto done;
  }
  if (*argc > 1) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        _("unexpected argument '%s'"), (*argv)[1]);
    goto done;
  }
  ok = check_strings (opts, error) && parse_endpoints (&p, error);

done:
  if (ctx != NULL)
    g_option_context_free (ctx);
  for (i = 0; i < G_N_ELEMENTS (uint_options); i++)
    g_free (descriptions[i]);
  g_free (p.primary_in);
  g_free (p.secondary_in);
  g_free (p.outdev);
  g_free (p.notify_dev);
  g_free (p.metrics);
  return ok;
}

void
colo_options_clear (ColoOptions * opts)
{
  g_clear_pointer (&opts->endpoints.primary_in, colo_endpoint_free);
  g_clear_pointer (&opts->endpoints.secondary_in, colo_endpoint_free);
  g_clear_pointer (&opts->endpoints.outdev, colo_endpoint_free);
  g_clear_pointer (&opts->endpoints.notify_dev, colo_endpoint_free);
  g_clear_pointer (&opts->endpoints.metrics, colo_endpoint_free);
  g_clear_pointer (&opts->passthrough, g_free);
  g_clear_pointer (&opts->divergence_location, g_free);
}

void
colo_options_apply (const ColoOptions * opts, GstElement * compare)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (uint_options); i++)
    g_object_set (compare, uint_options[i].name,
        UINT_OPTION (opts, &uint_options[i]), NULL);
  g_object_set (compare, "auto-release", opts->auto_release, NULL);
  if (opts->passthrough)
    g_object_set (compare, "passthrough", opts->passthrough, NULL);
  if (opts->divergence_location)
    g_object_set (compare, "divergence-location", opts->divergence_location,
        NULL);
}
