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

/* vectors per sendmsg (Linux's UIO_MAXIOV) */
#define MAX_IOV 1024

struct _ColoOutput
{
  ColoEndpoint *ep;
  gchar *name;
  GCancellable *cancellable;
  GSocket *listen_sock;         /* LISTEN only */
  GSocketConnection *conn;      /* only touched by the writing thread */
  gboolean warned_connect;
};

/* Released frames are written in batches: nothing waits for more, so a
 * write goes out at once (no Nagle delay behind the peer's delayed ACK). */
static void
set_nodelay (ColoOutput * out)
{
  GError *err = NULL;

  if (!colo_endpoint_set_nodelay (g_socket_connection_get_socket (out->conn),
          &err)) {
    g_printerr ("gst-colo-compare: %s: warning: cannot set TCP_NODELAY: %s\n",
        out->name, err->message);
    g_error_free (err);
  }
}

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
  if (out->conn != NULL)
    set_nodelay (out);
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
      set_nodelay (out);
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

GSocket *
colo_output_get_socket (ColoOutput * out)
{
  return out->conn ? g_socket_connection_get_socket (out->conn) : NULL;
}

gboolean
colo_output_write_records (ColoOutput * out, const GOutputVector * vectors,
    const guint * n_vectors, guint n_records, guint * written)
{
  GOutputVector iov[MAX_IOV];
  guint total = 0, i;
  guint rec = 0;                /* the first record not completely written */
  guint rec_vec = 0;            /* its first vector */
  gboolean ok = TRUE;

  for (i = 0; i < n_records; i++)
    total += n_vectors[i];

  while (rec < n_records) {
    GSocket *sock;
    GError *err = NULL;
    guint vec = rec_vec, rec_end = rec_vec + n_vectors[rec];
    gsize off = 0;              /* bytes of vectors[vec] already written */

    if (!ensure_connection (out)) {
      ok = FALSE;
      break;
    }
    sock = g_socket_connection_get_socket (out->conn);
    if (peer_gone (sock)) {
      drop_connection (out);
      continue;
    }
    /* from the start of record rec: a record is written whole to one
     * connection */
    while (rec < n_records) {
      guint n = 0, v;
      gssize sent;
      gsize adv;

      iov[n].buffer = (const guint8 *) vectors[vec].buffer + off;
      iov[n].size = vectors[vec].size - off;
      n++;
      for (v = vec + 1; v < total && n < MAX_IOV; v++)
        iov[n++] = vectors[v];
      sent = g_socket_send_message (sock, NULL, iov, n, NULL, 0, 0,
          out->cancellable, &err);
      if (sent < 0)
        break;
      /* step over what was written; a record is done with its last
       * vector */
      adv = sent;
      while (vec < total) {
        gsize rest = vectors[vec].size - off;

        if (adv < rest) {
          off += adv;
          break;
        }
        adv -= rest;
        off = 0;
        vec++;
        if (vec == rec_end) {
          rec++;
          rec_vec = vec;
          if (rec < n_records)
            rec_end = vec + n_vectors[rec];
        }
      }
    }
    if (rec == n_records)
      break;
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (err);
      ok = FALSE;
      break;
    }
    g_printerr ("gst-colo-compare: %s: write failed (%s), writing the "
        "record again to the next connection\n", out->name, err->message);
    g_error_free (err);
    drop_connection (out);
  }
  if (written != NULL)
    *written = rec;
  return ok;
}

gboolean
colo_output_write (ColoOutput * out, const guint8 * data, gsize len)
{
  GOutputVector v = { data, len };
  guint n_vectors = 1;

  return colo_output_write_records (out, &v, &n_vectors, 1, NULL);
}
