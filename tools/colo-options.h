/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's command line (docs/gst-colo-compare.1, OPTIONS):
 * the four endpoints, by name, and colocompare's settings.  Those options
 * are named after colocompare's properties and take their defaults and
 * limits from the properties' specs, so that the values live in one
 * place (gst/colo/colo-compare.h, COLO_DEFAULT_*). */

#ifndef __COLO_OPTIONS_H__
#define __COLO_OPTIONS_H__

#include <gst/gst.h>

#include "colo-endpoint.h"

G_BEGIN_DECLS

typedef struct
{
  ColoEndpoint *primary_in;
  ColoEndpoint *secondary_in;
  ColoEndpoint *outdev;
  ColoEndpoint *notify_dev;     /* NULL without --notify-dev */
  ColoEndpoint *metrics;        /* NULL without --metrics; LISTEN */
} ColoEndpoints;

typedef struct
{
  ColoEndpoints endpoints;
  /* colocompare's properties of the same names */
  guint compare_timeout;        /* ms */
  guint expired_scan_cycle;     /* ms */
  guint max_queue_size;
  guint idle_timeout;           /* ms, 0: never */
  guint max_divergence_files;
  guint reassembly_max_bytes;
  gboolean auto_release;
  gchar *passthrough;           /* rules, NULL: none */
  gchar *divergence_location;   /* file name template, NULL: none */
  /* seconds between two periodic stats lines, 0: none */
  gint stats_interval;
  /* records carry the vnet_hdr_len word */
  gboolean vnet_hdr;
  /* --version */
  gboolean version;
} ColoOptions;

/* Initialises GStreamer with the options it takes (--gst-*, see
 * gst_init_get_option_group) and leaves the others alone: before
 * colo_options_parse(), which needs colocompare's class. */
gboolean colo_options_init_gstreamer (int argc, char **argv,
    GError ** error);

/* Parses the command line (prints --help and exits), then checks and
 * parses the endpoints unless --version was given; @compare_class is
 * colocompare's class.  FALSE and a message fit for a startup error if
 * something is wrong. */
gboolean colo_options_parse (ColoOptions * opts, GObjectClass * compare_class,
    int *argc, char ***argv, GError ** error);

/* Frees the endpoints. */
void colo_options_clear (ColoOptions * opts);

/* Sets colocompare's properties to the options' values. */
void colo_options_apply (const ColoOptions * opts, GstElement * compare);

G_END_DECLS

#endif /* __COLO_OPTIONS_H__ */
