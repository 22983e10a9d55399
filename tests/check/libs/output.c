/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for gst-colo-compare's outdev writer (colo-output.c): a
 * batch of records written with vectored sends arrives byte-exact and in
 * order, and the connection has TCP_NODELAY and keepalive set. */

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "colo-output.h"

/* more vectors than one sendmsg takes (1024), of odd sizes */
#define N_RECORDS 1500

typedef struct
{
  ColoOutput *out;
  GOutputVector *vectors;
  guint *counts;
  guint n_records;
  guint written;
  gboolean ok;
} Batch;

static GByteArray *
make_batch (Batch * b)
{
  GByteArray *expected = g_byte_array_new ();
  guint i, v = 0;

  b->n_records = N_RECORDS;
  b->counts = g_new (guint, N_RECORDS);
  b->vectors = g_new (GOutputVector, N_RECORDS * 3);
  for (i = 0; i < N_RECORDS; i++) {
    /* a header, a payload, and every third record an empty piece */
    gsize hlen = 4 + i % 5, plen = 1 + (i * 37) % 1600;
    guint8 *h = g_malloc (hlen), *p = g_malloc (plen);
    gsize k;

    for (k = 0; k < hlen; k++)
      h[k] = (guint8) (i + k);
    for (k = 0; k < plen; k++)
      p[k] = (guint8) (i * 7 + k * 13);
    b->vectors[v].buffer = h;
    b->vectors[v++].size = hlen;
    b->vectors[v].buffer = p;
    b->vectors[v++].size = plen;
    b->counts[i] = 2;
    if (i % 3 == 0) {
      b->vectors[v].buffer = p;
      b->vectors[v++].size = 0;
      b->counts[i] = 3;
    }
    g_byte_array_append (expected, h, hlen);
    g_byte_array_append (expected, p, plen);
  }
  return expected;
}

static void
free_batch (Batch * b)
{
  guint i, v = 0;

  for (i = 0; i < b->n_records; i++) {
    g_free ((gpointer) b->vectors[v].buffer);
    g_free ((gpointer) b->vectors[v + 1].buffer);
    v += b->counts[i];
  }
  g_free (b->vectors);
  g_free (b->counts);
}

static gpointer
writer_thread (gpointer data)
{
  Batch *b = data;

  b->ok = colo_output_write_records (b->out, b->vectors, b->counts,
      b->n_records, &b->written);
  return NULL;
}

static void
read_all (GSocket * sock, GByteArray * expected)
{
  guint8 *got = g_malloc (expected->len);
  gsize done = 0;

  while (done < expected->len) {
    GError *err = NULL;
    gssize n = g_socket_receive (sock, (gchar *) got + done,
        expected->len - done, NULL, &err);

    g_assert_no_error (err);
    g_assert_cmpint (n, >, 0);
    done += n;
  }
  g_assert_true (memcmp (got, expected->data, expected->len) == 0);
  g_free (got);
}

static void
assert_nodelay (GSocket * sock)
{
  int value = 0;
  socklen_t len = sizeof value;

  g_assert_nonnull (sock);
  g_assert_cmpint (getsockopt (g_socket_get_fd (sock), IPPROTO_TCP,
          TCP_NODELAY, &value, &len), ==, 0);
  g_assert_cmpint (value, !=, 0);
}

static void
assert_keepalive (GSocket * sock)
{
  int value = 0;
  socklen_t len = sizeof value;

  g_assert_nonnull (sock);
  g_assert_cmpint (getsockopt (g_socket_get_fd (sock), SOL_SOCKET,
          SO_KEEPALIVE, &value, &len), ==, 0);
  g_assert_cmpint (value, !=, 0);
}

static GSocket *
listen_any (guint16 * port)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);

  g_assert_nonnull (sock);
  g_assert_true (g_socket_bind (sock, addr, TRUE, NULL));
  g_assert_true (g_socket_listen (sock, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  return sock;
}

static ColoEndpoint *
endpoint (const gchar * kind, guint16 port)
{
  gchar *str = g_strdup_printf ("%s:127.0.0.1:%u", kind, port);
  ColoEndpoint *ep = colo_endpoint_parse (str, NULL);

  g_assert_nonnull (ep);
  g_free (str);
  return ep;
}

/* outdev connects: TCP_NODELAY from the start; a batch arrives whole */
static void
test_connect_batch (void)
{
  guint16 port;
  GSocket *lsock = listen_any (&port), *peer;
  ColoEndpoint *ep = endpoint ("tcp", port);
  Batch b = { 0, };
  GByteArray *expected = make_batch (&b);
  GThread *t;

  b.out = colo_output_new (ep, "outdev", NULL);
  g_assert_nonnull (b.out);
  assert_nodelay (colo_output_get_socket (b.out));
  assert_keepalive (colo_output_get_socket (b.out));
  peer = g_socket_accept (lsock, NULL, NULL);
  g_assert_nonnull (peer);

  t = g_thread_new ("writer", writer_thread, &b);
  read_all (peer, expected);
  g_thread_join (t);
  g_assert_true (b.ok);
  g_assert_cmpuint (b.written, ==, N_RECORDS);

  colo_output_free (b.out);
  free_batch (&b);
  g_byte_array_unref (expected);
  colo_endpoint_free (ep);
  g_object_unref (peer);
  g_object_unref (lsock);
}

/* outdev listens: the accepted client gets TCP_NODELAY too */
static void
test_listen_batch (void)
{
  guint16 port;
  GSocket *probe = listen_any (&port), *client;
  ColoEndpoint *ep;
  Batch b = { 0, };
  GByteArray *expected = make_batch (&b);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, port);
  GThread *t;

  /* a port that was free a moment ago */
  g_object_unref (probe);
  ep = endpoint ("tcp-listen", port);
  b.out = colo_output_new (ep, "outdev", NULL);
  g_assert_nonnull (b.out);
  g_assert_null (colo_output_get_socket (b.out));

  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_connect (client, addr, NULL, NULL));
  t = g_thread_new ("writer", writer_thread, &b);
  read_all (client, expected);
  g_thread_join (t);
  g_assert_true (b.ok);
  g_assert_cmpuint (b.written, ==, N_RECORDS);
  assert_nodelay (colo_output_get_socket (b.out));
  assert_keepalive (colo_output_get_socket (b.out));
  g_assert_cmpuint (colo_output_get_connections (b.out), ==, 1);
  g_assert_cmpuint (colo_output_get_unacknowledged (b.out), ==, 0);

  colo_output_free (b.out);
  free_batch (&b);
  g_byte_array_unref (expected);
  colo_endpoint_free (ep);
  g_object_unref (client);
  g_object_unref (addr);
  g_object_unref (lo);
}

/* a single record through the one-buffer call */
static void
test_write_one (void)
{
  guint16 port;
  GSocket *lsock = listen_any (&port), *peer;
  ColoEndpoint *ep = endpoint ("tcp", port);
  ColoOutput *out = colo_output_new (ep, "outdev", NULL);
  GByteArray *expected = g_byte_array_new ();

  g_assert_nonnull (out);
  peer = g_socket_accept (lsock, NULL, NULL);
  g_byte_array_append (expected, (const guint8 *) "\0\0\0\3abc", 7);
  g_assert_true (colo_output_write (out, expected->data, expected->len));
  read_all (peer, expected);

  colo_output_free (out);
  g_byte_array_unref (expected);
  colo_endpoint_free (ep);
  g_object_unref (peer);
  g_object_unref (lsock);
}

/* cancelled before anybody connected: gives up, nothing counted written */
static void
test_cancel (void)
{
  guint16 port;
  GSocket *probe = listen_any (&port);
  ColoEndpoint *ep;
  Batch b = { 0, };
  GByteArray *expected = make_batch (&b);

  g_object_unref (probe);
  ep = endpoint ("tcp-listen", port);
  b.out = colo_output_new (ep, "outdev", NULL);
  g_assert_nonnull (b.out);
  colo_output_cancel (b.out);
  b.written = 12345;
  g_assert_false (colo_output_write_records (b.out, b.vectors, b.counts,
          b.n_records, &b.written));
  g_assert_cmpuint (b.written, ==, 0);

  colo_output_free (b.out);
  free_batch (&b);
  g_byte_array_unref (expected);
  colo_endpoint_free (ep);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/output/connect-batch", test_connect_batch);
  g_test_add_func ("/output/listen-batch", test_listen_batch);
  g_test_add_func ("/output/write-one", test_write_one);
  g_test_add_func ("/output/cancel", test_cancel);
  return g_test_run ();
}
