/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's --metrics: the stats counters in Prometheus' text
 * exposition format (version 0.0.4) over HTTP/1.0, on a listen endpoint,
 * served by the thread-default main context.  One request per
 * connection: `GET /metrics` (or `GET /`) gets 200 and the counters, any
 * other path 404, any other method 405; then the connection is closed.
 * A client is never waited for: requests are read and answered
 * asynchronously, several at a time, and a client that has not sent its
 * request (or read the answer) within COLO_METRICS_TIMEOUT_S is
 * dropped. */

#ifndef __COLO_METRICS_H__
#define __COLO_METRICS_H__

#include <gst/gst.h>

#include "colo-endpoint.h"

G_BEGIN_DECLS

#define COLO_METRICS_TIMEOUT_S 5

typedef struct _ColoMetrics ColoMetrics;

/* The stats now (a new structure, freed by the caller) */
typedef GstStructure *(*ColoMetricsStats) (gpointer user_data);

/* Binds @ep (a LISTEN endpoint) at once: an error here is a startup
 * error.  @name is the option name used in messages. */
ColoMetrics *colo_metrics_new (const ColoEndpoint * ep, const gchar * name,
    ColoMetricsStats stats, gpointer user_data, GError ** error);

/* Stops listening, drops the connections being served. */
void colo_metrics_free (ColoMetrics * metrics);

/* The stats structure in Prometheus' text format: every integer field
 * FIELD as gst_colo_compare_FIELD (dashes become underscores), a counter
 * with the suffix _total, except the gauges queued-primary,
 * queued-secondary, pinned-bytes and peak-rss (peak_rss_bytes). */
gchar *colo_metrics_format (const GstStructure * stats);

G_END_DECLS

#endif /* __COLO_METRICS_H__ */
