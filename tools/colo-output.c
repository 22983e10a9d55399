/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-output.h"

#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "colo-i18n.h"
#include "colo-log.h"

#define RECONNECT_INTERVAL_MS 1000

/* vectors per sendmsg (Linux's UIO_MAXIOV) */
#define MAX_IOV 1024

struct _ColoOutput
{
  ColoEndpoint *ep;
  gchar *name;
  GCancellable *cancellable;
  GSocket *listen_sock;         /* LISTEN only */

  /* only touched by the writing thread (and after it stopped) */
  GSocketConnection *conn;
  gchar *peer;                  /* its peer's address, for messages */
  guint64 failed_connects;      /* in a row */
  /* also read by other threads (atomically) */
  guint64 connections;
  guint64 unacknowledged;       /* records lost with a connection */

  /* The records written whole to the current connection that its peer
   * may not have acknowledged yet: their end offsets in the connection's
   * byte stream, from unacked_head on.  When the peer goes away, those
   * beyond what it acknowledged are lost, and said so. */
  guint64 conn_bytes;           /* written to the current connection */
  guint64 conn_records;
  GArray *unacked_ends;         /* guint64 */
  guint unacked_head;
};

static void
new_connection (ColoOutput * out)
{
  GSocket *sock = g_socket_connection_get_socket (out->conn);

  out->peer = colo_endpoint_socket_address (sock, TRUE);
  __atomic_add_fetch (&out->connections, 1, __ATOMIC_RELAXED);
  out->conn_bytes = 0;
  out->conn_records = 0;
  g_array_set_size (out->unacked_ends, 0);
  out->unacked_head = 0;
  if (out->listen_sock != NULL)
    colo_log (out->name, _("client %s connected"), out->peer);
  else if (out->failed_connects > 0)
    colo_log (out->name, _("connected to %s after %" PRIu64 " failed "
            "attempt(s)"), out->peer, out->failed_connects);
  else
    colo_log (out->name, _("connected to %s"), out->peer);
  out->failed_connects = 0;
  /* Released frames are written in batches: nothing waits for more, so a
   * write goes out at once (no Nagle delay behind the peer's delayed
   * ACK); keepalive notices a peer that is gone without a word. */
  colo_endpoint_setup_connection (sock, out->name);
}

/* Bytes written to the current connection that its peer has not
 * acknowledged (still in the socket's send queue) */
static guint64
unacked_bytes (ColoOutput * out)
{
  int outq = 0;

  if (ioctl (g_socket_get_fd (g_socket_connection_get_socket (out->conn)),
          SIOCOUTQ, &outq) < 0 || outq < 0)
    return 0;
  return MIN ((guint64) outq, out->conn_bytes);
}

/* Forgets the records the peer has acknowledged */
static void
prune_acked (ColoOutput * out)
{
  guint64 acked = out->conn_bytes - unacked_bytes (out);
  GArray *a = out->unacked_ends;

  while (out->unacked_head < a->len &&
      g_array_index (a, guint64, out->unacked_head) <= acked)
    out->unacked_head++;
  if (out->unacked_head == a->len) {
    g_array_set_size (a, 0);
    out->unacked_head = 0;
  } else if (out->unacked_head > 4096 && out->unacked_head > a->len / 2) {
    g_array_remove_range (a, 0, out->unacked_head);
    out->unacked_head = 0;
  }
}

ColoOutput *
colo_output_new (const ColoEndpoint * ep, const gchar * name, GError ** error)
{
  ColoOutput *out = g_new0 (ColoOutput, 1);

  out->ep = colo_endpoint_copy (ep);
  out->name = g_strdup (name);
  out->cancellable = g_cancellable_new ();
  out->unacked_ends = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (ep->kind == COLO_ENDPOINT_LISTEN)
    out->listen_sock = colo_endpoint_listen (ep, error);
  else
    out->conn = colo_endpoint_connect (ep, NULL, error);
  if (out->listen_sock == NULL && out->conn == NULL) {
    colo_output_free (out);
    return NULL;
  }
  if (out->conn != NULL) {
    new_connection (out);
  } else {
    gchar *local = colo_endpoint_socket_address (out->listen_sock, FALSE);

    colo_log (out->name, _("listening on %s (a client is accepted when "
            "there is something to write)"), local);
    g_free (local);
  }
  return out;
}

void
colo_output_free (ColoOutput * out)
{
  if (out == NULL)
    return;
  if (out->conn != NULL) {
    colo_log (out->name, _("closed the connection to %s (shutting down)"),
        out->peer);
    g_io_stream_close (G_IO_STREAM (out->conn), NULL, NULL);
  }
  g_clear_object (&out->conn);
  g_free (out->peer);
  if (out->unacked_ends != NULL)
    g_array_unref (out->unacked_ends);
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
      new_connection (out);
      break;
    }
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (err);
      return FALSE;
    }
    if (colo_log_is_reported (++out->failed_connects)) {
      gchar *addr = colo_endpoint_address (out->ep);

      colo_log_warning (out->name, _("cannot connect to %s: %s (%" PRIu64
              " failed attempt(s) so far, reported the 1st, 10th, 100th, ... "
              "time); holding released frames, retrying every second"), addr,
          err->message, out->failed_connects);
      g_free (addr);
    }
    g_error_free (err);
    if (wait_cancelled (out, RECONNECT_INTERVAL_MS))
      return FALSE;
  }
  return !g_cancellable_is_cancelled (out->cancellable);
}

/* An outdev peer never sends; readable means it hung up (or sent bytes
 * nobody reads, which are discarded).  Checked before each write so that
 * a record is not written into a connection that is already gone; @why
 * is set to what happened. */
static gboolean
peer_gone (GSocket * sock, gchar ** why)
{
  guint8 junk[4096];
  GError *err = NULL;
  gssize n;

  if (g_socket_condition_check (sock, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0)
    return FALSE;
  n = g_socket_receive_with_blocking (sock, (gchar *) junk, sizeof junk,
      FALSE, NULL, &err);
  if (n == 0) {
    *why = g_strdup (_("closed by the peer"));
    return TRUE;
  }
  if (n < 0 && g_socket_condition_check (sock, G_IO_HUP | G_IO_ERR) != 0) {
    *why = g_strdup (err->message);
    g_error_free (err);
    return TRUE;
  }
  g_clear_error (&err);
  return FALSE;
}

/* The peer is gone (or the write failed): says so, with the records
 * written to it that it never acknowledged.  They are lost: QEMU's
 * chardev framing has no acknowledgement of its own, so what the peer
 * received is not known and nothing is written again.  (A peer that
 * closes with data unread resets the connection: what it received but
 * did not read is lost too, which no sender can count; a record it
 * received whose ACK was still delayed counts as unacknowledged.) */
static void
drop_connection (ColoOutput * out, const gchar * why)
{
  guint64 lost;
  gchar *text;

  prune_acked (out);
  lost = out->unacked_ends->len - out->unacked_head;
  __atomic_add_fetch (&out->unacknowledged, lost, __ATOMIC_RELAXED);
  /* a warning if records were lost */
  text = g_strdup_printf (_("%s disconnected (%s) after %" PRIu64
          " record(s) written to it; %" PRIu64 " of them were not "
          "acknowledged by the peer and are lost, with any it received but "
          "did not read; %s"), out->peer, why, out->conn_records, lost,
      out->listen_sock != NULL ? _("the next client gets the rest") :
      _("reconnecting for the rest"));
  colo_log_entry (lost > 0 ? COLO_LOG_WARNING : COLO_LOG_NOTICE, out->name,
      text, NULL, 0);
  g_free (text);
  g_io_stream_close (G_IO_STREAM (out->conn), NULL, NULL);
  g_clear_object (&out->conn);
  g_clear_pointer (&out->peer, g_free);
}

guint64
colo_output_get_connections (ColoOutput * out)
{
  return __atomic_load_n (&out->connections, __ATOMIC_RELAXED);
}

guint64
colo_output_get_unacknowledged (ColoOutput * out)
{
  return __atomic_load_n (&out->unacknowledged, __ATOMIC_RELAXED);
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
    {
      gchar *why = NULL;

      if (peer_gone (sock, &why)) {
        drop_connection (out, why);
        g_free (why);
        continue;
      }
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
      for (v = vec + 1; v < total; v++) {
        const guint8 *last_end = (const guint8 *) iov[n - 1].buffer +
            iov[n - 1].size;

        /* records that follow each other in memory (a run released from
         * one input buffer) go as one piece */
        if (vectors[v].buffer == (gconstpointer) last_end)
          iov[n - 1].size += vectors[v].size;
        else if (n < MAX_IOV)
          iov[n++] = vectors[v];
        else
          break;
      }
      sent = g_socket_send_message (sock, NULL, iov, n, NULL, 0, 0,
          out->cancellable, &err);
      if (sent < 0)
        break;
      out->conn_bytes += sent;
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
          /* where it ends in the connection's stream */
          guint64 end = out->conn_bytes - adv;

          g_array_append_val (out->unacked_ends, end);
          out->conn_records++;
          rec++;
          rec_vec = vec;
          if (rec < n_records)
            rec_end = vec + n_vectors[rec];
        }
      }
      prune_acked (out);
    }
    if (rec == n_records)
      break;
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (err);
      ok = FALSE;
      break;
    }
    {
      gchar *why = g_strdup_printf (_("write failed: %s; the record being "
              "written goes, whole, to the next connection"), err->message);

      drop_connection (out, why);
      g_free (why);
    }
    g_error_free (err);
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
