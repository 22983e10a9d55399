/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-output.h"

#define RECONNECT_INTERVAL_MS 1000

struct _ColoOutput
{
  ColoEndpoint *ep;
  gchar *name;
  GCancellable *cancellable;
  GSocket *listen_sock;         /* LISTEN only */
  GSocketConnection *conn;      /* only touched by the writing thread */
  gboolean warned_connect;
};

ColoOutput *
colo_output_new (const ColoEndpoint * ep, const gchar * name, GError ** error)
{
  ColoOutput *out = g_new0 (ColoOutput, 1);

  out->ep = g_memdup2 (ep, sizeof *ep);
  out->ep->host = g_strdup (ep->host);
  out->name = g_strdup (name);
  out->cancellable = g_cancellable_new ();
  if (ep->kind == COLO_ENDPOINT_LISTEN)
    out->listen_sock = colo_endpoint_listen (ep, error);
  else
    out->conn = colo_endpoint_connect (ep, NULL, error);
  if (out->listen_sock == NULL && out->conn == NULL) {
    colo_output_free (out);
    return NULL;
  }
  return out;
}

void
colo_output_free (ColoOutput * out)
{
  if (out == NULL)
    return;
  if (out->conn != NULL)
    g_io_stream_close (G_IO_STREAM (out->conn), NULL, NULL);
  g_clear_object (&out->conn);
  g_clear_object (&out->listen_sock);
  g_clear_object (&out->cancellable);
  colo_endpoint_free (out->ep);
  g_free (out->name);
  g_free (out);
}

void
colo_output_cancel (ColoOutput * out)
{
  g_cancellable_cancel (out->cancellable);
}

/* Waits up to @ms for cancellation; TRUE if cancelled. */
static gboolean
wait_cancelled (ColoOutput * out, gint ms)
{
  GPollFD pfd;
  gboolean cancelled;

  if (!g_cancellable_make_pollfd (out->cancellable, &pfd))
    return g_cancellable_is_cancelled (out->cancellable);
  g_poll (&pfd, 1, ms);
  cancelled = g_cancellable_is_cancelled (out->cancellable);
  g_cancellable_release_fd (out->cancellable);
  return cancelled;
}

/* Blocks until there is a connection; FALSE when cancelled. */
static gboolean
ensure_connection (ColoOutput * out)
{
  while (out->conn == NULL) {
    GError *err = NULL;

    if (out->listen_sock != NULL) {
      GSocket *sock = g_socket_accept (out->listen_sock, out->cancellable,
          &err);

      if (sock != NULL) {
        out->conn = g_socket_connection_factory_create_connection (sock);
        g_object_unref (sock);
      }
    } else {
      out->conn = colo_endpoint_connect (out->ep, out->cancellable, &err);
    }
    if (out->conn != NULL) {
      out->warned_connect = FALSE;
      break;
    }
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (err);
      return FALSE;
    }
    if (!out->warned_connect)
      g_printerr ("gst-colo-compare: %s: cannot connect (%s), holding "
          "output and retrying every second\n", out->name, err->message);
    out->warned_connect = TRUE;
    g_error_free (err);
    if (wait_cancelled (out, RECONNECT_INTERVAL_MS))
      return FALSE;
  }
  return !g_cancellable_is_cancelled (out->cancellable);
}

/* An outdev peer never sends; readable means it hung up (or sent bytes
 * nobody reads, which are discarded).  Checked before each write so that
 * a record is not written into a connection that is already gone. */
static gboolean
peer_gone (GSocket * sock)
{
  guint8 junk[4096];
  gssize n;

  if (g_socket_condition_check (sock, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0)
    return FALSE;
  n = g_socket_receive_with_blocking (sock, (gchar *) junk, sizeof junk,
      FALSE, NULL, NULL);
  return n == 0 || (n < 0 && g_socket_condition_check (sock,
          G_IO_HUP | G_IO_ERR) != 0);
}

static void
drop_connection (ColoOutput * out)
{
  g_io_stream_close (G_IO_STREAM (out->conn), NULL, NULL);
  g_clear_object (&out->conn);
}

gboolean
colo_output_write (ColoOutput * out, const guint8 * data, gsize len)
{
  for (;;) {
    GSocket *sock;
    GError *err = NULL;
    gsize done = 0;

    if (!ensure_connection (out))
      return FALSE;
    sock = g_socket_connection_get_socket (out->conn);
    if (peer_gone (sock)) {
      drop_connection (out);
      continue;
    }
    while (done < len) {
      gssize n = g_socket_send_with_blocking (sock,
          (const gchar *) data + done, len - done, TRUE, out->cancellable,
          &err);

      if (n < 0)
        break;
      done += n;
    }
    if (done == len)
      return TRUE;
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (err);
      return FALSE;
    }
    g_printerr ("gst-colo-compare: %s: write failed (%s), writing the "
        "record again to the next connection\n", out->name, err->message);
    g_error_free (err);
    drop_connection (out);
  }
}
