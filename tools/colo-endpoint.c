/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-endpoint.h"
#include "colo-log.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static gboolean
bad_endpoint (const gchar * str, const gchar * why, GError ** error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "invalid endpoint '%s': %s (expected tcp:HOST:PORT or "
      "tcp-listen:HOST:PORT)", str, why);
  return FALSE;
}

static gboolean
parse_host_port (const gchar * str, const gchar * rest, gchar ** host,
    guint16 * port, GError ** error)
{
  const gchar *port_str;
  guint64 value;

  if (rest[0] == '[') {
    const gchar *end = strchr (rest, ']');

    if (end == NULL || end[1] != ':')
      return bad_endpoint (str, "unterminated [IPv6 address]", error);
    *host = g_strndup (rest + 1, end - rest - 1);
    port_str = end + 2;
  } else {
    const gchar *colon = strrchr (rest, ':');

    if (colon == NULL)
      return bad_endpoint (str, "no port", error);
    *host = g_strndup (rest, colon - rest);
    if (strchr (*host, ':') != NULL) {
      g_clear_pointer (host, g_free);
      return bad_endpoint (str, "write IPv6 addresses in brackets", error);
    }
    port_str = colon + 1;
  }
  if ((*host)[0] == '\0') {
    g_clear_pointer (host, g_free);
    return bad_endpoint (str, "empty host", error);
  }
  if (!g_ascii_string_to_unsigned (port_str, 10, 1, 65535, &value, NULL)) {
    g_clear_pointer (host, g_free);
    return bad_endpoint (str, "the port must be a number from 1 to 65535",
        error);
  }
  *port = (guint16) value;
  return TRUE;
}

ColoEndpoint *
colo_endpoint_parse (const gchar * str, GError ** error)
{
  ColoEndpoint ep = { 0, };
  const gchar *rest;

  if (str == NULL) {
    bad_endpoint ("", "missing", error);
    return NULL;
  }
  if (g_str_has_prefix (str, "tcp-listen:")) {
    ep.kind = COLO_ENDPOINT_LISTEN;
    rest = str + strlen ("tcp-listen:");
  } else if (g_str_has_prefix (str, "tcp:")) {
    ep.kind = COLO_ENDPOINT_CONNECT;
    rest = str + strlen ("tcp:");
  } else {
    bad_endpoint (str, "unknown type", error);
    return NULL;
  }
  if (!parse_host_port (str, rest, &ep.host, &ep.port, error))
    return NULL;
  return g_memdup2 (&ep, sizeof ep);
}

void
colo_endpoint_free (ColoEndpoint * ep)
{
  if (ep == NULL)
    return;
  g_free (ep->host);
  g_free (ep);
}

gboolean
colo_endpoint_equal (const ColoEndpoint * a, const ColoEndpoint * b)
{
  return a->kind == b->kind && a->port == b->port &&
      g_ascii_strcasecmp (a->host, b->host) == 0;
}

gchar *
colo_endpoint_to_string (const ColoEndpoint * ep)
{
  gboolean v6 = strchr (ep->host, ':') != NULL;

  return g_strdup_printf ("%s:%s%s%s:%u",
      ep->kind == COLO_ENDPOINT_LISTEN ? "tcp-listen" : "tcp",
      v6 ? "[" : "", ep->host, v6 ? "]" : "", ep->port);
}

/* The first address @host resolves to (a literal needs no resolver). */
static GInetAddress *
resolve_host (const gchar * host, GError ** error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);
  GResolver *resolver;
  GList *list;

  if (addr != NULL)
    return addr;
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name (resolver, host, NULL, error);
  g_object_unref (resolver);
  if (list == NULL)
    return NULL;
  addr = g_object_ref (list->data);
  g_resolver_free_addresses (list);
  return addr;
}

GSocket *
colo_endpoint_listen (const ColoEndpoint * ep, GError ** error)
{
  GInetAddress *inet;
  GSocketAddress *addr;
  GSocket *sock;

  g_return_val_if_fail (ep->kind == COLO_ENDPOINT_LISTEN, NULL);

  inet = resolve_host (ep->host, error);
  if (inet == NULL)
    return NULL;
  addr = g_inet_socket_address_new (inet, ep->port);
  g_object_unref (inet);

  sock = g_socket_new (g_socket_address_get_family (addr),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (sock != NULL) {
    g_socket_set_listen_backlog (sock, 1);
    if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock,
            error))
      g_clear_object (&sock);
  }
  g_object_unref (addr);
  return sock;
}

GSocketConnection *
colo_endpoint_connect (const ColoEndpoint * ep, GCancellable * cancellable,
    GError ** error)
{
  GSocketClient *client;
  GSocketConnectable *addr;
  GSocketConnection *conn;

  g_return_val_if_fail (ep->kind == COLO_ENDPOINT_CONNECT, NULL);

  client = g_socket_client_new ();
  /* a direct TCP connection to the hypervisor's sockets, never a proxy */
  g_socket_client_set_enable_proxy (client, FALSE);
  addr = g_network_address_new (ep->host, ep->port);
  conn = g_socket_client_connect (client, addr, cancellable, error);
  g_object_unref (addr);
  g_object_unref (client);
  return conn;
}

gboolean
colo_endpoint_set_nodelay (GSocket * sock, GError ** error)
{
  return g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, error);
}

gboolean
colo_endpoint_set_keepalive (GSocket * sock, GError ** error)
{
  return g_socket_set_option (sock, SOL_SOCKET, SO_KEEPALIVE, 1, error) &&
      g_socket_set_option (sock, IPPROTO_TCP, TCP_KEEPIDLE,
      COLO_ENDPOINT_KEEPALIVE_IDLE_S, error) &&
      g_socket_set_option (sock, IPPROTO_TCP, TCP_KEEPINTVL,
      COLO_ENDPOINT_KEEPALIVE_INTERVAL_S, error) &&
      g_socket_set_option (sock, IPPROTO_TCP, TCP_KEEPCNT,
      COLO_ENDPOINT_KEEPALIVE_COUNT, error);
}

void
colo_endpoint_setup_connection (GSocket * sock, const gchar * name)
{
  GError *err = NULL;

  if (!colo_endpoint_set_nodelay (sock, &err)) {
    colo_log (name, "warning: cannot set TCP_NODELAY: %s", err->message);
    g_clear_error (&err);
  }
  if (!colo_endpoint_set_keepalive (sock, &err)) {
    colo_log (name, "warning: cannot enable TCP keepalive: %s", err->message);
    g_clear_error (&err);
  }
}

gchar *
colo_endpoint_socket_address (GSocket * sock, gboolean remote)
{
  GSocketAddress *addr = remote ? g_socket_get_remote_address (sock, NULL) :
      g_socket_get_local_address (sock, NULL);
  GInetAddress *inet;
  gchar *host, *str;

  if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS (addr)) {
    g_clear_object (&addr);
    return g_strdup ("(unknown address)");
  }
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
  host = g_inet_address_to_string (inet);
  str = g_strdup_printf (g_inet_address_get_family (inet) ==
      G_SOCKET_FAMILY_IPV6 ? "[%s]:%u" : "%s:%u", host,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr)));
  g_free (host);
  g_object_unref (addr);
  return str;
}
