/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-endpoint.h"
#include "colo-i18n.h"
#include "colo-log.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <gio/gunixsocketaddress.h>

static gboolean
bad_endpoint (const gchar * str, const gchar * why, GError ** error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      _("invalid endpoint '%s': %s (expected tcp:HOST:PORT, "
          "tcp-listen:HOST:PORT, unix:PATH or unix-listen:PATH)"), str, why);
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
      return bad_endpoint (str, _("unterminated [IPv6 address]"), error);
    *host = g_strndup (rest + 1, end - rest - 1);
    port_str = end + 2;
  } else {
    const gchar *colon = strrchr (rest, ':');

    if (colon == NULL)
      return bad_endpoint (str, _("no port"), error);
    *host = g_strndup (rest, colon - rest);
    if (strchr (*host, ':') != NULL) {
      g_clear_pointer (host, g_free);
      return bad_endpoint (str, _("write IPv6 addresses in brackets"), error);
    }
    port_str = colon + 1;
  }
  if ((*host)[0] == '\0') {
    g_clear_pointer (host, g_free);
    return bad_endpoint (str, _("empty host"), error);
  }
  if (!g_ascii_string_to_unsigned (port_str, 10, 1, 65535, &value, NULL)) {
    g_clear_pointer (host, g_free);
    return bad_endpoint (str,
        _("the port must be a number from 1 to 65535"), error);
  }
  *port = (guint16) value;
  return TRUE;
}

/* QEMU's options after the address of a `tcp:` or `unix:` endpoint
 * (@opts: what follows its first comma): server[=on|off] sets *@listen,
 * nowait and wait=off are accepted (we never wait) */
static gboolean
parse_qemu_options (const gchar * str, const gchar * opts, gboolean * listen,
    GError ** error)
{
  gchar **words = g_strsplit (opts, ",", -1);
  gboolean ok = TRUE;
  guint i;

  if (words[0] == NULL)
    ok = bad_endpoint (str, _("an empty option after the comma"), error);
  for (i = 0; ok && words[i] != NULL; i++) {
    const gchar *w = words[i];

    if (g_str_equal (w, "server") || g_str_equal (w, "server=on"))
      *listen = TRUE;
    else if (g_str_equal (w, "server=off"))
      *listen = FALSE;
    else if (!g_str_equal (w, "nowait") && !g_str_equal (w, "wait=off"))
      ok = bad_endpoint (str, _("unsupported option (QEMU's server, "
              "server=on, server=off, nowait and wait=off are accepted)"),
          error);
  }
  g_strfreev (words);
  return ok;
}

ColoEndpoint *
colo_endpoint_parse (const gchar * str, GError ** error)
{
  ColoEndpoint ep = { 0, };
  const gchar *rest;
  gchar *addr = NULL;
  gboolean qemu = FALSE, listen = FALSE, is_unix = FALSE;

  if (str == NULL) {
    bad_endpoint ("", _("missing"), error);
    return NULL;
  }
  if (g_str_has_prefix (str, "tcp-listen:")) {
    listen = TRUE;
    rest = str + strlen ("tcp-listen:");
  } else if (g_str_has_prefix (str, "tcp:")) {
    qemu = TRUE;
    rest = str + strlen ("tcp:");
  } else if (g_str_has_prefix (str, "unix-listen:")) {
    listen = is_unix = TRUE;
    rest = str + strlen ("unix-listen:");
  } else if (g_str_has_prefix (str, "unix:")) {
    qemu = is_unix = TRUE;
    rest = str + strlen ("unix:");
  } else {
    bad_endpoint (str, _("unknown type"), error);
    return NULL;
  }
  /* QEMU's ",server" and the like, after tcp: and unix: only */
  if (qemu && strchr (rest, ',') != NULL) {
    const gchar *comma = strchr (rest, ',');

    if (!parse_qemu_options (str, comma + 1, &listen, error))
      return NULL;
    addr = g_strndup (rest, comma - rest);
  } else {
    addr = g_strdup (rest);
  }
  ep.kind = listen ? COLO_ENDPOINT_LISTEN : COLO_ENDPOINT_CONNECT;

  if (is_unix) {
    if (addr[0] == '\0' || strlen (addr) >= sizeof ((struct sockaddr_un *)
            NULL)->sun_path) {
      bad_endpoint (str, addr[0] == '\0' ? _("empty path") :
          _("the path is too long for a UNIX socket"), error);
      g_free (addr);
      return NULL;
    }
    ep.path = addr;
    return g_memdup2 (&ep, sizeof ep);
  }
  if (qemu && addr[0] == ':') {
    /* QEMU's tcp::PORT: no host */
    gchar *with_host = g_strconcat (listen ? "0.0.0.0" : "localhost", addr,
        NULL);

    g_free (addr);
    addr = with_host;
  }
  if (!parse_host_port (str, addr, &ep.host, &ep.port, error)) {
    g_free (addr);
    return NULL;
  }
  g_free (addr);
  return g_memdup2 (&ep, sizeof ep);
}

void
colo_endpoint_free (ColoEndpoint * ep)
{
  if (ep == NULL)
    return;
  g_free (ep->host);
  g_free (ep->path);
  g_free (ep);
}

ColoEndpoint *
colo_endpoint_copy (const ColoEndpoint * ep)
{
  ColoEndpoint *copy = g_memdup2 (ep, sizeof *ep);

  copy->host = g_strdup (ep->host);
  copy->path = g_strdup (ep->path);
  return copy;
}

gboolean
colo_endpoint_equal (const ColoEndpoint * a, const ColoEndpoint * b)
{
  if (a->path != NULL || b->path != NULL)
    /* one file: a connect and a listen endpoint on it are the same too */
    return a->path != NULL && b->path != NULL && g_str_equal (a->path, b->path);
  return a->kind == b->kind && a->port == b->port &&
      g_ascii_strcasecmp (a->host, b->host) == 0;
}

gchar *
colo_endpoint_address (const ColoEndpoint * ep)
{
  gboolean v6;

  if (ep->path != NULL)
    return g_strdup (ep->path);
  v6 = strchr (ep->host, ':') != NULL;
  return g_strdup_printf ("%s%s%s:%u", v6 ? "[" : "", ep->host,
      v6 ? "]" : "", ep->port);
}

gchar *
colo_endpoint_to_string (const ColoEndpoint * ep)
{
  gchar *addr = colo_endpoint_address (ep);
  gchar *str;

  if (ep->path != NULL)
    str = g_strconcat (ep->kind == COLO_ENDPOINT_LISTEN ? "unix-listen:" :
        "unix:", addr, NULL);
  else
    str = g_strconcat (ep->kind == COLO_ENDPOINT_LISTEN ? "tcp-listen:" :
        "tcp:", addr, NULL);
  g_free (addr);
  return str;
}

GSocketConnectable *
colo_endpoint_connectable (const ColoEndpoint * ep)
{
  if (ep->path != NULL)
    return G_SOCKET_CONNECTABLE (g_unix_socket_address_new (ep->path));
  return g_network_address_new (ep->host, ep->port);
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

/* Whether @path is a UNIX socket nobody accepts on (left behind by a
 * process that ended) */
static gboolean
is_stale_socket (const gchar * path)
{
  struct stat st;
  struct sockaddr_un sun = {.sun_family = AF_UNIX };
  gboolean stale;
  int fd;

  if (lstat (path, &st) != 0 || !S_ISSOCK (st.st_mode))
    return FALSE;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  stale = connect (fd, (struct sockaddr *) &sun, sizeof sun) != 0
      && errno == ECONNREFUSED;
  close (fd);
  return stale;
}

static GSocket *
listen_unix (const gchar * path, GError ** error)
{
  GSocketAddress *addr;
  GSocket *sock;

  if (is_stale_socket (path))
    unlink (path);
  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, error);
  if (sock == NULL)
    return NULL;
  addr = g_unix_socket_address_new (path);
  g_socket_set_listen_backlog (sock, 1);
  if (!g_socket_bind (sock, addr, FALSE, error) || !g_socket_listen (sock,
          error))
    g_clear_object (&sock);
  g_object_unref (addr);
  return sock;
}

GSocket *
colo_endpoint_listen (const ColoEndpoint * ep, GError ** error)
{
  GInetAddress *inet;
  GSocketAddress *addr;
  GSocket *sock;

  g_return_val_if_fail (ep->kind == COLO_ENDPOINT_LISTEN, NULL);

  if (ep->path != NULL)
    return listen_unix (ep->path, error);
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
  addr = colo_endpoint_connectable (ep);
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

  if (g_socket_get_family (sock) == G_SOCKET_FAMILY_UNIX)
    return;
  if (!colo_endpoint_set_nodelay (sock, &err)) {
    colo_log_warning (name, _("cannot set TCP_NODELAY: %s"), err->message);
    g_clear_error (&err);
  }
  if (!colo_endpoint_set_keepalive (sock, &err)) {
    colo_log_warning (name, _("cannot enable TCP keepalive: %s"), err->message);
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

  if (addr != NULL && G_IS_UNIX_SOCKET_ADDRESS (addr)) {
    const gchar *path =
        g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (addr));

    str = g_strdup (path != NULL && path[0] != '\0' ? path : "(unnamed)");
    g_object_unref (addr);
    return str;
  }
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
