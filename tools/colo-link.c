/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-link.h"
#include "colo-i18n.h"
#include "colo-log.h"

#include <sys/ioctl.h>

#define RECONNECT_INTERVAL_MS 1000
#define READ_SIZE 65536

struct _ColoLink
{
  ColoEndpoint ep;
  gchar *name;
  ColoLinkFuncs funcs;
  gpointer user_data;
  gboolean stopped;
  gboolean paused;              /* colo_link_pause(): not reading */

  GSocket *listen_sock;         /* LISTEN only */
  GSource *accept_source;       /* while no client is connected */

  GSocketConnection *conn;      /* the current connection, or NULL */
  gchar *peer;                  /* its peer's address, for messages */
  GSource *read_source;

  guint reconnect_id;           /* CONNECT only: retry timer */
  GCancellable *connecting;     /* CONNECT only: async connect under way */
  guint64 failed_connects;      /* CONNECT only: in a row */

  /* colo_link_finish(): reading only what the connection had received */
  ColoLinkFinished finished;
  gsize finish_left;            /* bytes still to read */

  guint8 buf[READ_SIZE];
};

static void link_wait_for_peer (ColoLink * link);
static void finish (ColoLink * link);

const gchar *
colo_link_get_name (ColoLink * link)
{
  return link->name;
}

gboolean
colo_link_is_connected (ColoLink * link)
{
  return link->conn != NULL;
}

GSocket *
colo_link_get_socket (ColoLink * link)
{
  return link->conn ? g_socket_connection_get_socket (link->conn) : NULL;
}

/* What happens next, for the messages */
static const gchar *
next_step (ColoLink * link)
{
  if (link->stopped)
    return "";
  return link->ep.kind == COLO_ENDPOINT_LISTEN ?
      _("; waiting for the next client") : _("; reconnecting every second");
}

/* Closes the current connection; @why (may be NULL: the peer closed it)
 * goes into the message. */
static void
close_connection (ColoLink * link, const gchar * why)
{
  if (link->read_source != NULL) {
    g_source_destroy (link->read_source);
    g_clear_pointer (&link->read_source, g_source_unref);
  }
  if (link->conn != NULL) {
    if (why == NULL && link->ep.kind == COLO_ENDPOINT_LISTEN)
      colo_log (link->name, _("client %s disconnected%s"), link->peer,
          next_step (link));
    else if (why == NULL)
      colo_log (link->name, _("%s disconnected%s"), link->peer,
          next_step (link));
    else
      colo_log (link->name, _("closed the connection to %s (%s)%s"),
          link->peer, why, next_step (link));
    g_io_stream_close (G_IO_STREAM (link->conn), NULL, NULL);
    g_clear_object (&link->conn);
    g_clear_pointer (&link->peer, g_free);
  }
}

static gboolean
on_readable (GSocket * sock, GIOCondition cond, gpointer user_data)
{
  ColoLink *link = user_data;
  GError *err = NULL;
  gsize want = sizeof link->buf;
  gssize n;

  if (link->finished != NULL)
    want = MIN (want, link->finish_left);
  n = g_socket_receive (sock, (gchar *) link->buf, want, NULL, &err);
  if (n > 0) {
    GSocketConnection *conn = link->conn;

    link->funcs.data (link, link->buf, n, link->user_data);
    if (link->finished != NULL && link->conn == conn) {
      link->finish_left -= n;
      if (link->finish_left == 0) {
        finish (link);
        return G_SOURCE_REMOVE;
      }
    }
    /* the callback may have dropped the connection or paused the link
     * (and destroyed this source) */
    return link->conn == conn && !link->paused ? G_SOURCE_CONTINUE :
        G_SOURCE_REMOVE;
  }
  if (n < 0 && g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
    g_error_free (err);
    return G_SOURCE_CONTINUE;
  }
  if (n < 0) {
    gchar *why = g_strdup_printf (_("failed: %s"), err->message);

    close_connection (link, why);
    g_free (why);
    g_error_free (err);
  } else {
    close_connection (link, NULL);
  }
  link->funcs.closed (link, link->user_data);
  if (link->finished != NULL)
    finish (link);
  else
    link_wait_for_peer (link);
  return G_SOURCE_REMOVE;
}

static void
start_reading (ColoLink * link)
{
  GSocket *sock = g_socket_connection_get_socket (link->conn);

  link->read_source = g_socket_create_source (sock,
      G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (link->read_source, G_SOURCE_FUNC (on_readable),
      link, NULL);
  g_source_attach (link->read_source, NULL);
}

static void
set_connection (ColoLink * link, GSocketConnection * conn)
{
  GSocket *sock = g_socket_connection_get_socket (conn);

  link->conn = conn;
  link->peer = colo_endpoint_socket_address (sock, TRUE);
  if (link->ep.kind == COLO_ENDPOINT_LISTEN) {
    colo_log (link->name, _("client %s connected"), link->peer);
  } else {
    gchar *local = colo_endpoint_socket_address (sock, FALSE);

    if (link->failed_connects > 0)
      colo_log (link->name, _("connected to %s (from %s) after %" PRIu64
              " failed attempt(s)"), link->peer, local, link->failed_connects);
    else
      colo_log (link->name, _("connected to %s (from %s)"), link->peer, local);
    g_free (local);
    link->failed_connects = 0;
  }
  g_socket_set_blocking (sock, FALSE);
  /* notify's DO_CHECKPOINT must not wait behind Nagle either; keepalive
   * notices a peer that is gone without a word */
  colo_endpoint_setup_connection (sock, link->name);
  if (!link->paused)
    start_reading (link);
  link->funcs.connected (link, link->user_data);
}

void
colo_link_pause (ColoLink * link, gboolean paused)
{
  if (link->paused == paused)
    return;
  link->paused = paused;
  if (paused && link->read_source != NULL) {
    g_source_destroy (link->read_source);
    g_clear_pointer (&link->read_source, g_source_unref);
  } else if (!paused && link->conn != NULL && link->read_source == NULL) {
    start_reading (link);
  }
}

static gboolean
on_acceptable (GSocket * listen_sock, GIOCondition cond, gpointer user_data)
{
  ColoLink *link = user_data;
  GError *err = NULL;
  GSocket *sock;

  sock = g_socket_accept (listen_sock, NULL, &err);
  if (sock == NULL) {
    if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      colo_log_warning (link->name, _("accept failed: %s"), err->message);
    g_error_free (err);
    return G_SOURCE_CONTINUE;
  }
  g_clear_pointer (&link->accept_source, g_source_unref);
  set_connection (link, g_socket_connection_factory_create_connection (sock));
  g_object_unref (sock);
  return G_SOURCE_REMOVE;
}

static void
on_connect_done (GObject * client, GAsyncResult * res, gpointer user_data)
{
  GError *err = NULL;
  GSocketConnection *conn;
  ColoLink *link;

  conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (client), res, &err);
  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    /* the link is being freed: do not touch it */
    g_error_free (err);
    return;
  }
  link = user_data;
  g_clear_object (&link->connecting);
  if (conn == NULL) {
    if (colo_log_is_reported (++link->failed_connects)) {
      gchar *addr = colo_endpoint_address (&link->ep);

      colo_log_warning (link->name, _("cannot reconnect to %s: %s (%" PRIu64
              " failed attempt(s) so far, reported the 1st, 10th, 100th, ... "
              "time); retrying every second"), addr, err->message,
          link->failed_connects);
      g_free (addr);
    }
    g_error_free (err);
    link_wait_for_peer (link);
    return;
  }
  set_connection (link, conn);
}

static gboolean
on_reconnect (gpointer user_data)
{
  ColoLink *link = user_data;
  GSocketClient *client = g_socket_client_new ();
  GSocketConnectable *addr = colo_endpoint_connectable (&link->ep);

  /* a direct TCP connection to the hypervisor's sockets, never a proxy */
  g_socket_client_set_enable_proxy (client, FALSE);

  link->reconnect_id = 0;
  link->connecting = g_cancellable_new ();
  g_socket_client_connect_async (client, addr, link->connecting,
      on_connect_done, link);
  g_object_unref (addr);
  g_object_unref (client);
  return G_SOURCE_REMOVE;
}

/* No connection: accept the next client, or reconnect in a second. */
static void
link_wait_for_peer (ColoLink * link)
{
  if (link->stopped)
    return;
  if (link->ep.kind == COLO_ENDPOINT_LISTEN) {
    link->accept_source = g_socket_create_source (link->listen_sock,
        G_IO_IN, NULL);
    g_source_set_callback (link->accept_source, G_SOURCE_FUNC (on_acceptable),
        link, NULL);
    g_source_attach (link->accept_source, NULL);
  } else {
    link->reconnect_id = g_timeout_add (RECONNECT_INTERVAL_MS, on_reconnect,
        link);
  }
}

ColoLink *
colo_link_new (const ColoEndpoint * ep, const gchar * name,
    const ColoLinkFuncs * funcs, gpointer user_data, GError ** error)
{
  ColoLink *link = g_new0 (ColoLink, 1);

  link->ep = *ep;
  link->ep.host = g_strdup (ep->host);
  link->ep.path = g_strdup (ep->path);
  link->name = g_strdup (name);
  link->funcs = *funcs;
  link->user_data = user_data;

  if (ep->kind == COLO_ENDPOINT_LISTEN) {
    gchar *local;

    link->listen_sock = colo_endpoint_listen (ep, error);
    if (link->listen_sock == NULL)
      goto failed;
    g_socket_set_blocking (link->listen_sock, FALSE);
    local = colo_endpoint_socket_address (link->listen_sock, FALSE);
    colo_log (link->name, _("listening on %s"), local);
    g_free (local);
    link_wait_for_peer (link);
  } else {
    GSocketConnection *conn = colo_endpoint_connect (ep, NULL, error);

    if (conn == NULL)
      goto failed;
    set_connection (link, conn);
  }
  return link;

failed:
  colo_link_free (link);
  return NULL;
}

void
colo_link_drop (ColoLink * link, const gchar * why)
{
  if (link->conn == NULL)
    return;
  close_connection (link, why);
  if (link->finished != NULL)
    finish (link);
  else
    link_wait_for_peer (link);
}

/* colo_link_finish() is done: the connection is closed, for good */
static void
finish (ColoLink * link)
{
  ColoLinkFinished finished = link->finished;

  close_connection (link, "shutting down");
  link->finished = NULL;
  link->finish_left = 0;
  finished (link, link->user_data);
}

void
colo_link_finish (ColoLink * link, ColoLinkFinished finished)
{
  int avail = 0;

  g_return_if_fail (link->finished == NULL && finished != NULL);

  /* no other connection from now on */
  link->stopped = TRUE;
  if (link->accept_source != NULL) {
    g_source_destroy (link->accept_source);
    g_clear_pointer (&link->accept_source, g_source_unref);
  }
  if (link->reconnect_id != 0) {
    g_source_remove (link->reconnect_id);
    link->reconnect_id = 0;
  }
  if (link->connecting != NULL) {
    g_cancellable_cancel (link->connecting);
    g_clear_object (&link->connecting);
  }
  link->finished = finished;
  /* what the peer sent before: in the socket's receive queue now */
  if (link->conn != NULL && ioctl (g_socket_get_fd (colo_link_get_socket
              (link)), FIONREAD, &avail) == 0 && avail > 0) {
    link->finish_left = avail;
    return;                     /* read on, paused or not, see on_readable */
  }
  finish (link);
}

void
colo_link_stop (ColoLink * link)
{
  link->stopped = TRUE;
  close_connection (link, "shutting down");
  if (link->accept_source != NULL) {
    g_source_destroy (link->accept_source);
    g_clear_pointer (&link->accept_source, g_source_unref);
  }
  if (link->reconnect_id != 0) {
    g_source_remove (link->reconnect_id);
    link->reconnect_id = 0;
  }
  if (link->connecting != NULL) {
    g_cancellable_cancel (link->connecting);
    g_clear_object (&link->connecting);
  }
}

void
colo_link_free (ColoLink * link)
{
  if (link == NULL)
    return;
  colo_link_stop (link);
  g_clear_object (&link->listen_sock);
  g_free (link->ep.host);
  g_free (link->ep.path);
  g_free (link->name);
  g_free (link);
}
