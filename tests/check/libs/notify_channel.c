/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for gst-colo-compare's notify channel
 * (colo-notify-channel.c): the handshake and the checkpoint messages, and
 * a peer that stops reading: the channel never blocks, drops that peer
 * when its queue overflows or nothing was written for the write timeout,
 * and connects again.  The channel uses a tcp: endpoint to a listening
 * socket of the test (no port race). */

#include <string.h>
#include <sys/socket.h>

#include "colo-notify.h"
#include "colo-notify-channel.h"

typedef struct
{
  GSocket *listener;
  ColoEndpoint *ep;
  ColoNotifyChannel *ch;
  GSocket *peer;                /* the test's end of the connection */
  guint done;                   /* COLO_CHECKPOINT callbacks */
} Fixture;

static void
on_done (gpointer user_data)
{
  Fixture *f = user_data;

  f->done++;
}

/* Iterates the main context until @cond holds (fails after 20 s) */
#define ITERATE_UNTIL(cond) G_STMT_START {                              \
    gint64 deadline_ = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;   \
    while (!(cond)) {                                                   \
      if (g_get_monotonic_time () > deadline_)                          \
        g_error ("timed out waiting for %s", #cond);                    \
      if (!g_main_context_iteration (NULL, FALSE))                      \
        g_usleep (1000);                                                \
    }                                                                   \
  } G_STMT_END

/* A listening socket whose accepted connections have a small receive
 * buffer (so that a peer that does not read fills up soon) */
static void
setup (Fixture * f, gconstpointer data)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound;
  GError *err = NULL;
  gchar *str;

  f->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &err);
  g_assert_no_error (err);
  g_assert_true (g_socket_set_option (f->listener, SOL_SOCKET, SO_RCVBUF,
          4096, &err));
  g_assert_true (g_socket_bind (f->listener, addr, TRUE, &err));
  g_assert_true (g_socket_listen (f->listener, &err));
  g_assert_no_error (err);
  bound = g_socket_get_local_address (f->listener, &err);
  g_assert_no_error (err);
  str = g_strdup_printf ("tcp:127.0.0.1:%u",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  f->ep = colo_endpoint_parse (str, &err);
  g_assert_no_error (err);
  f->ch = colo_notify_channel_new (f->ep, "notify-dev", on_done, f, &err);
  g_assert_no_error (err);
  g_assert_nonnull (f->ch);
  f->peer = g_socket_accept (f->listener, NULL, &err);
  g_assert_no_error (err);
  g_free (str);
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
}

static void
teardown (Fixture * f, gconstpointer data)
{
  colo_notify_channel_free (f->ch);
  g_clear_object (&f->peer);
  g_object_unref (f->listener);
  colo_endpoint_free (f->ep);
  /* what the channel left on the main context (nothing, normally) */
  while (g_main_context_iteration (NULL, FALSE));
}

static void
peer_send (Fixture * f, const gchar * text)
{
  GBytes *rec = colo_notify_encode (text);
  gsize size;
  const gchar *data = g_bytes_get_data (rec, &size);
  GError *err = NULL;

  g_assert_cmpint (g_socket_send (f->peer, data, size, NULL, &err), ==, size);
  g_assert_no_error (err);
  g_bytes_unref (rec);
}

/* Reads the record of @text, iterating the main context meanwhile */
static void
peer_expect (Fixture * f, const gchar * text)
{
  GBytes *rec = colo_notify_encode (text);
  gsize size, got = 0;
  const guint8 *want = g_bytes_get_data (rec, &size);
  guint8 buf[64];

  g_assert_cmpuint (size, <=, sizeof buf);
  while (got < size) {
    gssize n;

    ITERATE_UNTIL (g_socket_condition_check (f->peer, G_IO_IN) != 0);
    n = g_socket_receive (f->peer, (gchar *) buf + got, size - got, NULL, NULL);
    g_assert_cmpint (n, >, 0);
    got += n;
  }
  g_assert_cmpmem (buf, size, want, size);
  g_bytes_unref (rec);
}

/* The peer's end of the connection was closed by the channel */
static gboolean
peer_closed (Fixture * f)
{
  guint8 buf[65536];
  gssize n;

  /* read what the channel sent, up to the end */
  while ((n = g_socket_receive_with_blocking (f->peer, (gchar *) buf,
              sizeof buf, FALSE, NULL, NULL)) > 0);
  return n == 0 || (n < 0 && g_socket_condition_check (f->peer,
          G_IO_HUP | G_IO_ERR) != 0);
}

static void
test_protocol (Fixture * f, gconstpointer data)
{
  ColoNotifyStats st;

  peer_send (f, COLO_NOTIFY_PROXY_INIT);
  peer_expect (f, COLO_NOTIFY_XEN_INIT);
  colo_notify_channel_request_checkpoint (f->ch);
  peer_expect (f, COLO_NOTIFY_DO_CHECKPOINT);
  peer_send (f, COLO_NOTIFY_CHECKPOINT);
  ITERATE_UNTIL (f->done == 1);
  peer_send (f, "HELLO");
  colo_notify_channel_get_stats (f->ch, &st);
  ITERATE_UNTIL ((colo_notify_channel_get_stats (f->ch, &st),
          st.unsupported == 1));
  g_assert_cmpuint (st.checkpoints_sent, ==, 1);
  g_assert_cmpuint (st.checkpoints_unsent, ==, 0);
  g_assert_cmpuint (st.stalled, ==, 0);
}

/* The peer that does not read is dropped; the channel connects again
 * (a tcp: endpoint reconnects every second) and serves the next peer. */
static void
reconnect_and_check (Fixture * f)
{
  GError *err = NULL;

  g_clear_object (&f->peer);
  ITERATE_UNTIL (g_socket_condition_check (f->listener, G_IO_IN) != 0);
  f->peer = g_socket_accept (f->listener, NULL, &err);
  g_assert_no_error (err);
  ITERATE_UNTIL (colo_notify_channel_is_connected (f->ch));
  peer_send (f, COLO_NOTIFY_PROXY_INIT);
  peer_expect (f, COLO_NOTIFY_XEN_INIT);
  colo_notify_channel_request_checkpoint (f->ch);
  peer_expect (f, COLO_NOTIFY_DO_CHECKPOINT);
}

static void
test_overflow (Fixture * f, gconstpointer data)
{
  ColoNotifyStats st;
  guint requests = 0;

  colo_notify_channel_set_limits (f->ch, 4, 600000);
  /* never blocks: the socket buffers fill, then the queue, then the peer
   * is dropped */
  while (colo_notify_channel_is_connected (f->ch)) {
    g_assert_cmpuint (requests, <, 1000000);
    colo_notify_channel_request_checkpoint (f->ch);
    requests++;
  }
  colo_notify_channel_get_stats (f->ch, &st);
  g_assert_cmpuint (st.stalled, ==, 1);
  g_assert_cmpuint (st.checkpoints_unsent, >=, 5);
  g_assert_cmpuint (st.checkpoints_sent + st.checkpoints_unsent, ==, requests);
  g_assert_true (peer_closed (f));
  /* without a peer: not sent, counted */
  colo_notify_channel_request_checkpoint (f->ch);
  colo_notify_channel_get_stats (f->ch, &st);
  g_assert_cmpuint (st.checkpoints_sent + st.checkpoints_unsent, ==,
      requests + 1);

  reconnect_and_check (f);
  colo_notify_channel_get_stats (f->ch, &st);
  g_assert_cmpuint (st.stalled, ==, 1);
}

static void
test_write_timeout (Fixture * f, gconstpointer data)
{
  ColoNotifyStats st;
  guint i;

  colo_notify_channel_set_limits (f->ch, G_MAXUINT, 100);
  /* more than the socket buffers hold: the rest waits in the queue, and
   * nothing is written for 100 ms */
  for (i = 0; i < 20000; i++)
    colo_notify_channel_request_checkpoint (f->ch);
  g_assert_true (colo_notify_channel_is_connected (f->ch));
  ITERATE_UNTIL (!colo_notify_channel_is_connected (f->ch));
  colo_notify_channel_get_stats (f->ch, &st);
  g_assert_cmpuint (st.stalled, ==, 1);
  g_assert_cmpuint (st.checkpoints_unsent, >, 0);
  g_assert_cmpuint (st.checkpoints_sent + st.checkpoints_unsent, ==, 20000);
  g_assert_true (peer_closed (f));

  reconnect_and_check (f);
}

/* A peer that reads slowly but reads is not dropped: every message gets
 * there. */
static void
test_slow_reader (Fixture * f, gconstpointer data)
{
  ColoNotifyStats st;
  guint i;

  colo_notify_channel_set_limits (f->ch, G_MAXUINT, 2000);
  for (i = 0; i < 5000; i++)
    colo_notify_channel_request_checkpoint (f->ch);
  for (i = 0; i < 5000; i++)
    peer_expect (f, COLO_NOTIFY_DO_CHECKPOINT);
  colo_notify_channel_get_stats (f->ch, &st);
  g_assert_cmpuint (st.checkpoints_sent, ==, 5000);
  g_assert_cmpuint (st.stalled, ==, 0);
  g_assert_true (colo_notify_channel_is_connected (f->ch));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/notify-channel/protocol", Fixture, NULL, setup,
      test_protocol, teardown);
  g_test_add ("/notify-channel/overflow", Fixture, NULL, setup,
      test_overflow, teardown);
  g_test_add ("/notify-channel/write-timeout", Fixture, NULL, setup,
      test_write_timeout, teardown);
  g_test_add ("/notify-channel/slow-reader", Fixture, NULL, setup,
      test_slow_reader, teardown);
  return g_test_run ();
}
