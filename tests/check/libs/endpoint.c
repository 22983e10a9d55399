/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for gst-colo-compare's endpoint strings (colo-endpoint.c). */

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "colo-endpoint.h"

static void
check_ok (const gchar * str, ColoEndpointKind kind, const gchar * host,
    guint16 port, const gchar * canonical)
{
  GError *err = NULL;
  ColoEndpoint *ep = colo_endpoint_parse (str, &err);
  gchar *back;

  g_assert_no_error (err);
  g_assert_nonnull (ep);
  g_assert_cmpint (ep->kind, ==, kind);
  g_assert_cmpstr (ep->host, ==, host);
  g_assert_cmpuint (ep->port, ==, port);
  back = colo_endpoint_to_string (ep);
  g_assert_cmpstr (back, ==, canonical);
  g_free (back);
  colo_endpoint_free (ep);
}

static void
test_parse_valid (void)
{
  check_ok ("tcp:127.0.0.1:9000", COLO_ENDPOINT_CONNECT, "127.0.0.1", 9000,
      "tcp:127.0.0.1:9000");
  check_ok ("tcp-listen:0.0.0.0:1", COLO_ENDPOINT_LISTEN, "0.0.0.0", 1,
      "tcp-listen:0.0.0.0:1");
  check_ok ("tcp:localhost:65535", COLO_ENDPOINT_CONNECT, "localhost", 65535,
      "tcp:localhost:65535");
  check_ok ("tcp-listen:[::1]:9001", COLO_ENDPOINT_LISTEN, "::1", 9001,
      "tcp-listen:[::1]:9001");
  /* QEMU's spellings */
  check_ok ("tcp::9000", COLO_ENDPOINT_CONNECT, "localhost", 9000,
      "tcp:localhost:9000");
  check_ok ("tcp::9000,server", COLO_ENDPOINT_LISTEN, "0.0.0.0", 9000,
      "tcp-listen:0.0.0.0:9000");
  check_ok ("tcp::9000,server=on,wait=off", COLO_ENDPOINT_LISTEN, "0.0.0.0",
      9000, "tcp-listen:0.0.0.0:9000");
  check_ok ("tcp:127.0.0.1:9000,server,nowait", COLO_ENDPOINT_LISTEN,
      "127.0.0.1", 9000, "tcp-listen:127.0.0.1:9000");
  check_ok ("tcp:[::1]:9000,server=off", COLO_ENDPOINT_CONNECT, "::1", 9000,
      "tcp:[::1]:9000");
}

static void
check_unix (const gchar * str, ColoEndpointKind kind, const gchar * path,
    const gchar * canonical)
{
  GError *err = NULL;
  ColoEndpoint *ep = colo_endpoint_parse (str, &err);
  gchar *back;

  g_assert_no_error (err);
  g_assert_cmpint (ep->kind, ==, kind);
  g_assert_cmpstr (ep->path, ==, path);
  g_assert_null (ep->host);
  back = colo_endpoint_to_string (ep);
  g_assert_cmpstr (back, ==, canonical);
  g_free (back);
  colo_endpoint_free (ep);
}

static void
test_parse_unix (void)
{
  check_unix ("unix:/run/a.sock", COLO_ENDPOINT_CONNECT, "/run/a.sock",
      "unix:/run/a.sock");
  check_unix ("unix-listen:/run/a.sock", COLO_ENDPOINT_LISTEN, "/run/a.sock",
      "unix-listen:/run/a.sock");
  check_unix ("unix:rel:a.sock,server", COLO_ENDPOINT_LISTEN, "rel:a.sock",
      "unix-listen:rel:a.sock");
  check_unix ("unix:/run/a.sock,server=off", COLO_ENDPOINT_CONNECT,
      "/run/a.sock", "unix:/run/a.sock");
}

static void
test_parse_invalid (void)
{
  const gchar *bad[] = {
    "", "127.0.0.1:9000", "udp:127.0.0.1:9000", "tcp:", "tcp:127.0.0.1",
    "tcp:127.0.0.1:", "tcp-listen::9000", "tcp:127.0.0.1:0",
    "tcp:127.0.0.1:65536", "tcp:127.0.0.1:9x", "tcp:127.0.0.1:-1",
    "tcp:127.0.0.1: 9", "tcp:::1:9000", "tcp:[::1:9000", "tcp:[::1]9000",
    "tcp:[]:9000", "TCP:127.0.0.1:9000", "unix:", "unix-listen:",
    "tcp::9000,server,bogus", "tcp-listen:127.0.0.1:9000,server",
    "unix:/tmp/sock,wait=on", "tcp::9000,",
    "unix:/tmp/0123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;
    ColoEndpoint *ep = colo_endpoint_parse (bad[i], &err);

    if (ep != NULL)
      g_error ("'%s' was accepted", bad[i]);
    g_assert_error (err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    /* the message names what was wrong */
    g_assert_nonnull (strstr (err->message, bad[i]));
    g_error_free (err);
  }
}

static void
test_equal (void)
{
  ColoEndpoint *a = colo_endpoint_parse ("tcp:127.0.0.1:9000", NULL);
  ColoEndpoint *b = colo_endpoint_parse ("tcp:127.0.0.1:9000", NULL);
  ColoEndpoint *c = colo_endpoint_parse ("tcp-listen:127.0.0.1:9000", NULL);
  ColoEndpoint *d = colo_endpoint_parse ("tcp:127.0.0.1:9001", NULL);
  ColoEndpoint *e = colo_endpoint_parse ("tcp:LOCALHOST:9000", NULL);
  ColoEndpoint *f = colo_endpoint_parse ("tcp:localhost:9000", NULL);

  g_assert_true (colo_endpoint_equal (a, b));
  g_assert_false (colo_endpoint_equal (a, c));
  g_assert_false (colo_endpoint_equal (a, d));
  g_assert_false (colo_endpoint_equal (a, e));
  g_assert_true (colo_endpoint_equal (e, f));
  colo_endpoint_free (a);
  colo_endpoint_free (b);
  colo_endpoint_free (c);
  colo_endpoint_free (d);
  colo_endpoint_free (e);
  colo_endpoint_free (f);
}

/* A listen endpoint binds at once; a second bind of the same port fails
 * (gst-colo-compare's "port already in use" startup error). */
static void
test_listen_twice (void)
{
  ColoEndpoint *ep = colo_endpoint_parse ("tcp-listen:127.0.0.1:1", NULL);
  GSocket *first, *second;
  GSocketAddress *addr;
  GError *err = NULL;
  gchar *str;

  /* find a free port: bind port 0 */
  ep->port = 0;
  first = colo_endpoint_listen (ep, &err);
  g_assert_no_error (err);
  addr = g_socket_get_local_address (first, &err);
  g_assert_no_error (err);
  ep->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
  g_object_unref (addr);

  second = colo_endpoint_listen (ep, &err);
  g_assert_null (second);
  g_assert_error (err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&err);

  /* and a connect endpoint to it connects */
  str = g_strdup_printf ("tcp:127.0.0.1:%u", ep->port);
  {
    ColoEndpoint *cep = colo_endpoint_parse (str, NULL);
    GSocketConnection *conn = colo_endpoint_connect (cep, NULL, &err);

    g_assert_no_error (err);
    g_assert_nonnull (conn);
    g_object_unref (conn);
    colo_endpoint_free (cep);
  }
  g_free (str);
  g_object_unref (first);
  colo_endpoint_free (ep);
}

static int
get_nodelay (GSocket * sock)
{
  int value = -1;
  socklen_t len = sizeof value;

  g_assert_cmpint (getsockopt (g_socket_get_fd (sock), IPPROTO_TCP,
          TCP_NODELAY, &value, &len), ==, 0);
  return value;
}

static void
test_nodelay (void)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GError *err = NULL;

  g_assert_nonnull (sock);
  g_assert_cmpint (get_nodelay (sock), ==, 0);
  g_assert_true (colo_endpoint_set_nodelay (sock, &err));
  g_assert_no_error (err);
  g_assert_cmpint (get_nodelay (sock), !=, 0);
  g_object_unref (sock);
}

/* A unix-listen endpoint binds its path, a unix: endpoint connects to
 * it; a stale socket file is replaced, a live one is not; a connect and a
 * listen endpoint on one path are equal. */
static void
test_unix (void)
{
  gchar *dir = g_dir_make_tmp ("colo-endpoint-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "s.sock", NULL);
  gchar *lstr = g_strconcat ("unix-listen:", path, NULL);
  gchar *cstr = g_strconcat ("unix:", path, NULL);
  ColoEndpoint *lep = colo_endpoint_parse (lstr, NULL);
  ColoEndpoint *cep = colo_endpoint_parse (cstr, NULL);
  GSocket *first, *second;
  GSocketConnection *conn;
  GError *err = NULL;
  gchar *addr;

  g_assert_true (colo_endpoint_equal (lep, cep));
  first = colo_endpoint_listen (lep, &err);
  g_assert_no_error (err);
  addr = colo_endpoint_socket_address (first, FALSE);
  g_assert_cmpstr (addr, ==, path);
  g_free (addr);
  /* in use: not replaced */
  second = colo_endpoint_listen (lep, &err);
  g_assert_null (second);
  g_assert_error (err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&err);
  conn = colo_endpoint_connect (cep, NULL, &err);
  g_assert_no_error (err);
  /* no TCP options on a UNIX socket, and no warning */
  colo_endpoint_setup_connection (g_socket_connection_get_socket (conn),
      "test");
  g_object_unref (conn);
  /* closed: the file is a stale socket now, and replaced */
  g_object_unref (first);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  second = colo_endpoint_listen (lep, &err);
  g_assert_no_error (err);
  g_object_unref (second);

  g_unlink (path);
  g_rmdir (dir);
  colo_endpoint_free (lep);
  colo_endpoint_free (cep);
  g_free (lstr);
  g_free (cstr);
  g_free (path);
  g_free (dir);
}

static int
get_option (GSocket * sock, int level, int name)
{
  int value = -1;
  socklen_t len = sizeof value;

  g_assert_cmpint (getsockopt (g_socket_get_fd (sock), level, name, &value,
          &len), ==, 0);
  return value;
}

/* Every connection gst-colo-compare makes or accepts gets keepalive (so
 * that a half-open peer is noticed) and TCP_NODELAY. */
static void
test_keepalive (void)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GError *err = NULL;

  g_assert_nonnull (sock);
  g_assert_cmpint (get_option (sock, SOL_SOCKET, SO_KEEPALIVE), ==, 0);
  g_assert_true (colo_endpoint_set_keepalive (sock, &err));
  g_assert_no_error (err);
  g_assert_cmpint (get_option (sock, SOL_SOCKET, SO_KEEPALIVE), !=, 0);
  g_assert_cmpint (get_option (sock, IPPROTO_TCP, TCP_KEEPIDLE), ==,
      COLO_ENDPOINT_KEEPALIVE_IDLE_S);
  g_assert_cmpint (get_option (sock, IPPROTO_TCP, TCP_KEEPINTVL), ==,
      COLO_ENDPOINT_KEEPALIVE_INTERVAL_S);
  g_assert_cmpint (get_option (sock, IPPROTO_TCP, TCP_KEEPCNT), ==,
      COLO_ENDPOINT_KEEPALIVE_COUNT);
  g_object_unref (sock);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  if (sock == NULL)
    return;                     /* no IPv6 here */
  colo_endpoint_setup_connection (sock, "test");
  g_assert_cmpint (get_option (sock, SOL_SOCKET, SO_KEEPALIVE), !=, 0);
  g_assert_cmpint (get_option (sock, IPPROTO_TCP, TCP_NODELAY), !=, 0);
  g_object_unref (sock);
}

/* The addresses in the connection messages */
static void
test_socket_address (void)
{
  ColoEndpoint *ep = colo_endpoint_parse ("tcp-listen:127.0.0.1:1", NULL);
  GSocket *lsock, *client;
  GSocketAddress *addr;
  GError *err = NULL;
  gchar *str, *want;
  guint16 port;

  ep->port = 0;
  lsock = colo_endpoint_listen (ep, &err);
  g_assert_no_error (err);
  addr = g_socket_get_local_address (lsock, &err);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
  want = g_strdup_printf ("127.0.0.1:%u", port);
  str = colo_endpoint_socket_address (lsock, FALSE);
  g_assert_cmpstr (str, ==, want);
  g_free (str);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_connect (client, addr, NULL, &err));
  str = colo_endpoint_socket_address (client, TRUE);
  g_assert_cmpstr (str, ==, want);
  g_free (str);
  /* not connected */
  str = colo_endpoint_socket_address (lsock, TRUE);
  g_assert_cmpstr (str, ==, "(unknown address)");
  g_free (str);
  g_free (want);
  g_object_unref (client);
  g_object_unref (addr);
  g_object_unref (lsock);
  colo_endpoint_free (ep);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/endpoint/parse-valid", test_parse_valid);
  g_test_add_func ("/endpoint/parse-invalid", test_parse_invalid);
  g_test_add_func ("/endpoint/parse-unix", test_parse_unix);
  g_test_add_func ("/endpoint/equal", test_equal);
  g_test_add_func ("/endpoint/unix", test_unix);
  g_test_add_func ("/endpoint/listen-twice", test_listen_twice);
  g_test_add_func ("/endpoint/nodelay", test_nodelay);
  g_test_add_func ("/endpoint/keepalive", test_keepalive);
  g_test_add_func ("/endpoint/socket-address", test_socket_address);
  return g_test_run ();
}
