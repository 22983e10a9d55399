/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "netclient.h"

#define MAX_DATAGRAM 65536

GSocketConnection *
net_tcp_connect (guint16 port, GError ** error)
{
  GSocketClient *client = g_socket_client_new ();
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, port);
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, NET_TIMEOUT_S);
  /* no proxy lookup (libproxy), no name resolution */
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL,
      error);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (client);
  if (conn) {
    GSocket *sock = g_socket_connection_get_socket (conn);

    g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    g_socket_set_timeout (sock, NET_TIMEOUT_S);
  }
  return conn;
}

gboolean
net_tcp_write_split (GSocketConnection * conn, const guint8 * data,
    gsize len, const gsize * pieces, guint n_pieces, GError ** error)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  gsize off = 0;
  guint i = 0;

  while (off < len) {
    gsize n = MIN (pieces[i % n_pieces], len - off);

    i++;
    if (!g_output_stream_write_all (out, data + off, n, NULL, NULL, error))
      return FALSE;
    off += n;
  }
  return TRUE;
}

gboolean
net_tcp_read_exact (GSocketConnection * conn, guint8 * buf, gsize len,
    GError ** error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  gsize got = 0;

  if (!g_input_stream_read_all (in, buf, len, &got, NULL, error))
    return FALSE;
  if (got < len) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
        "connection closed after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
        " bytes", got, len);
    return FALSE;
  }
  return TRUE;
}

gssize
net_tcp_read_some (GSocketConnection * conn, guint8 * buf, gsize len,
    GError ** error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));

  return g_input_stream_read (in, buf, len, NULL, error);
}

GSocket *
net_udp_bind (guint16 * port, GError ** error)
{
  GSocket *sock;
  GInetAddress *lo;
  GSocketAddress *addr, *bound;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, error);
  if (!sock)
    return NULL;
  lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  addr = g_inet_socket_address_new (lo, 0);
  g_object_unref (lo);
  if (!g_socket_bind (sock, addr, FALSE, error)) {
    g_object_unref (addr);
    g_object_unref (sock);
    return NULL;
  }
  g_object_unref (addr);
  bound = g_socket_get_local_address (sock, error);
  if (!bound) {
    g_object_unref (sock);
    return NULL;
  }
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_socket_set_timeout (sock, NET_TIMEOUT_S);
  return sock;
}

gboolean
net_udp_send (GSocket * sock, guint16 port, GBytes * datagram, GError ** error)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *to = g_inet_socket_address_new (lo, port);
  gsize len;
  gconstpointer data = g_bytes_get_data (datagram, &len);
  gssize sent = g_socket_send_to (sock, to, data, len, NULL, error);

  g_object_unref (to);
  g_object_unref (lo);
  return sent == (gssize) len;
}

GBytes *
net_udp_receive (GSocket * sock, GError ** error)
{
  guint8 *buf = g_malloc (MAX_DATAGRAM);
  gssize n = g_socket_receive (sock, (gchar *) buf, MAX_DATAGRAM, NULL, error);

  if (n < 0) {
    g_free (buf);
    return NULL;
  }
  return g_bytes_new_take (g_realloc (buf, MAX (n, 1)), n);
}
