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
#include "colo-log.h"
#include "colo-metrics.h"

/* A request longer than this (headers included) is answered as it is */
#define MAX_REQUEST 4096

struct _ColoMetrics
{
  gchar *name;
  GSocketService *service;
  ColoMetricsStats stats;
  gpointer user_data;
  GList *requests;              /* Request: the connections being served */
};

typedef struct
{
  ColoMetrics *metrics;
  GSocketConnection *conn;
  GCancellable *cancellable;
  guint timeout_id;
  gchar buf[MAX_REQUEST + 1];
  gsize len;
  gchar *answer;
} Request;

/* The gauges: the others are counters */
static const struct
{
  const gchar *field;
  const gchar *name;
  const gchar *help;
} gauges[] = {
  {"queued-primary", "queued_primary", "Primary frames queued now"},
  {"queued-secondary", "queued_secondary", "Secondary frames queued now"},
  {"pinned-bytes", "pinned_bytes", "Bytes of input memory held by queued "
        "frames now"},
  {"peak-rss", "peak_rss_bytes", "The program's memory high-water mark"},
};

static gboolean
append_metric (GQuark field_id, const GValue * value, gpointer user_data)
{
  GString *out = user_data;
  const gchar *field = g_quark_to_string (field_id);
  const gchar *type = "counter", *help = NULL;
  gchar *name = NULL, *number;
  guint i;

  if (G_VALUE_HOLDS_UINT64 (value))
    number = g_strdup_printf ("%" G_GUINT64_FORMAT, g_value_get_uint64 (value));
  else if (G_VALUE_HOLDS_UINT (value))
    number = g_strdup_printf ("%u", g_value_get_uint (value));
  else
    return TRUE;                /* not a number: no metric */
  for (i = 0; i < G_N_ELEMENTS (gauges); i++)
    if (g_str_equal (field, gauges[i].field)) {
      name = g_strdup (gauges[i].name);
      type = "gauge";
      help = gauges[i].help;
    }
  if (name == NULL) {
    name = g_strconcat (field, "_total", NULL);
    help = field;
  }
  g_strdelimit (name, "-", '_');
  g_string_append_printf (out, "# HELP gst_colo_compare_%s %s%s\n"
      "# TYPE gst_colo_compare_%s %s\ngst_colo_compare_%s %s\n", name,
      help == field ? "Stats counter " : "", help, name, type, name, number);
  g_free (number);
  g_free (name);
  return TRUE;
}

gchar *
colo_metrics_format (const GstStructure * stats)
{
  GString *out = g_string_new (NULL);

  gst_structure_foreach (stats, append_metric, out);
  return g_string_free (out, FALSE);
}

static void
request_free (Request * req)
{
  if (req->metrics != NULL)
    req->metrics->requests = g_list_remove (req->metrics->requests, req);
  if (req->timeout_id != 0)
    g_source_remove (req->timeout_id);
  g_object_unref (req->cancellable);
  g_object_unref (req->conn);
  g_free (req->answer);
  g_free (req);
}

static gboolean
on_timeout (gpointer user_data)
{
  Request *req = user_data;

  req->timeout_id = 0;
  g_cancellable_cancel (req->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_written (GObject * stream, GAsyncResult * res, gpointer user_data)
{
  /* written or not (the client went away, or the timeout): done */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (stream), res, NULL, NULL);
  request_free (user_data);
}

static void
answer (Request * req)
{
  const gchar *status = "200 OK";
  gchar *body = NULL, *path;
  gchar **words;
  GOutputStream *out;

  req->buf[req->len] = '\0';
  words = g_strsplit_set (req->buf, " \r\n", 3);
  path = g_strv_length (words) >= 2 ? g_strdup (words[1]) : g_strdup ("");
  g_strdelimit (path, "?", '\0');
  if (words[0] == NULL || !g_str_equal (words[0], "GET")) {
    status = "405 Method Not Allowed";
  } else if (!g_str_equal (path, "/metrics") && !g_str_equal (path, "/")) {
    status = "404 Not Found";
  } else {
    GstStructure *stats = req->metrics->stats (req->metrics->user_data);

    body = colo_metrics_format (stats);
    gst_structure_free (stats);
  }
  if (body == NULL)
    body = g_strdup_printf ("%s\n", status);
  req->answer = g_strdup_printf ("HTTP/1.0 %s\r\n"
      "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
      "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n%s",
      status, strlen (body), body);
  g_free (body);
  g_free (path);
  g_strfreev (words);
  out = g_io_stream_get_output_stream (G_IO_STREAM (req->conn));
  g_output_stream_write_all_async (out, req->answer, strlen (req->answer),
      G_PRIORITY_DEFAULT, req->cancellable, on_written, req);
}

static void read_more (Request * req);

static void
on_read (GObject * stream, GAsyncResult * res, gpointer user_data)
{
  Request *req = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (stream), res, NULL);

  if (n < 0) {
    /* an error, the timeout, or we are going away */
    request_free (req);
    return;
  }
  req->len += n;
  req->buf[req->len] = '\0';
  /* the request's end (its headers are not needed), or all there is */
  if (n == 0 || req->len == MAX_REQUEST || strstr (req->buf, "\r\n\r\n")
      || strstr (req->buf, "\n\n"))
    answer (req);
  else
    read_more (req);
}

static void
read_more (Request * req)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (req->conn));

  g_input_stream_read_async (in, req->buf + req->len, MAX_REQUEST - req->len,
      G_PRIORITY_DEFAULT, req->cancellable, on_read, req);
}

static gboolean
on_incoming (GSocketService * service, GSocketConnection * conn,
    GObject * source, gpointer user_data)
{
  ColoMetrics *metrics = user_data;
  Request *req = g_new0 (Request, 1);

  req->metrics = metrics;
  req->conn = g_object_ref (conn);
  req->cancellable = g_cancellable_new ();
  req->timeout_id = g_timeout_add_seconds (COLO_METRICS_TIMEOUT_S,
      on_timeout, req);
  metrics->requests = g_list_prepend (metrics->requests, req);
  read_more (req);
  return TRUE;
}

ColoMetrics *
colo_metrics_new (const ColoEndpoint * ep, const gchar * name,
    ColoMetricsStats stats, gpointer user_data, GError ** error)
{
  ColoMetrics *metrics;
  GSocket *sock = colo_endpoint_listen (ep, error);
  gchar *local;

  if (sock == NULL)
    return NULL;
  metrics = g_new0 (ColoMetrics, 1);
  metrics->name = g_strdup (name);
  metrics->stats = stats;
  metrics->user_data = user_data;
  metrics->service = g_socket_service_new ();
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (metrics->service),
          sock, NULL, error)) {
    g_object_unref (sock);
    colo_metrics_free (metrics);
    return NULL;
  }
  g_signal_connect (metrics->service, "incoming", G_CALLBACK (on_incoming),
      metrics);
  g_socket_service_start (metrics->service);
  local = colo_endpoint_socket_address (sock, FALSE);
  colo_log (name, _("serving the stats (Prometheus text format) on %s"), local);
  g_free (local);
  g_object_unref (sock);
  return metrics;
}

void
colo_metrics_free (ColoMetrics * metrics)
{
  if (metrics == NULL)
    return;
  g_socket_service_stop (metrics->service);
  g_socket_listener_close (G_SOCKET_LISTENER (metrics->service));
  g_object_unref (metrics->service);
  /* the connections being served end now: their pending operations are
   * cancelled and complete on this context */
  while (metrics->requests != NULL) {
    GList *l;

    for (l = metrics->requests; l != NULL; l = l->next)
      g_cancellable_cancel (((Request *) l->data)->cancellable);
    g_main_context_iteration (NULL, TRUE);
  }
  g_free (metrics->name);
  g_free (metrics);
}
