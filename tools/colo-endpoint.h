/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's socket endpoints (docs/gst-colo-compare.1,
 * ENDPOINTS): `tcp:HOST:PORT` (connect) and `tcp-listen:HOST:PORT`
 * (listen), HOST an IPv4 address, a bracketed IPv6 address ([::1]) or a
 * host name; `unix:PATH` (connect) and `unix-listen:PATH` (listen), UNIX
 * domain stream sockets.  QEMU's spellings are accepted too: a `tcp:` or
 * `unix:` endpoint may end with `,server` (or `,server=on`: listen;
 * `,server=off`: connect) and `,nowait` or `,wait=off` (ignored: the
 * program never waits for a client at startup), and `tcp::PORT` (no host)
 * is localhost:PORT when connecting and 0.0.0.0:PORT (every IPv4 address)
 * when listening.  GLib/GIO only, no GStreamer. */

#ifndef __COLO_ENDPOINT_H__
#define __COLO_ENDPOINT_H__

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  COLO_ENDPOINT_CONNECT,
  COLO_ENDPOINT_LISTEN,
} ColoEndpointKind;

typedef struct
{
  ColoEndpointKind kind;
  gchar *host;                  /* without brackets; NULL for UNIX */
  guint16 port;                 /* 1..65535; 0 for UNIX */
  gchar *path;                  /* a UNIX socket's path; NULL for TCP */
} ColoEndpoint;

/* Parses @str; NULL and a G_OPTION_ERROR_BAD_VALUE error naming @str if
 * it is malformed. */
ColoEndpoint *colo_endpoint_parse (const gchar * str, GError ** error);
void colo_endpoint_free (ColoEndpoint * ep);
ColoEndpoint *colo_endpoint_copy (const ColoEndpoint * ep);

/* The same socket: same kind, host and port. */
gboolean colo_endpoint_equal (const ColoEndpoint * a, const ColoEndpoint * b);

/* "tcp:127.0.0.1:9000" / "tcp-listen:[::1]:9000" / "unix:/run/x.sock" /
 * "unix-listen:/run/x.sock" (the canonical spelling) */
gchar *colo_endpoint_to_string (const ColoEndpoint * ep);

/* The address alone, for messages: "127.0.0.1:9000", "[::1]:9000",
 * "/run/x.sock" */
gchar *colo_endpoint_address (const ColoEndpoint * ep);

/* What a CONNECT endpoint connects to (GSocketClient). */
GSocketConnectable *colo_endpoint_connectable (const ColoEndpoint * ep);

/* A bound, listening socket (SO_REUSEADDR, backlog 1) for a LISTEN
 * endpoint.  A UNIX endpoint's path is replaced if it is a stale socket
 * (nobody accepts on it: ECONNREFUSED), never otherwise; it is left
 * behind at exit. */
GSocket *colo_endpoint_listen (const ColoEndpoint * ep, GError ** error);

/* A blocking connect for a CONNECT endpoint. */
GSocketConnection *colo_endpoint_connect (const ColoEndpoint * ep,
    GCancellable * cancellable, GError ** error);

/* Sets TCP_NODELAY on a connected TCP socket: every write goes out at
 * once instead of waiting for the peer's (delayed) ACK of the previous
 * one (Nagle).  gst-colo-compare writes whole batches of records, so it
 * never sends many tiny segments. */
gboolean colo_endpoint_set_nodelay (GSocket * sock, GError ** error);

/* TCP keepalive on every connection: the first probe after this many
 * seconds without traffic, then one every INTERVAL, and the connection
 * fails (ETIMEDOUT) after COUNT unanswered: a peer whose host died or
 * whose network went away (a half-open connection) is noticed within a
 * minute instead of never (an input or notify connection that only
 * reads) or after Linux's default of two hours. */
#define COLO_ENDPOINT_KEEPALIVE_IDLE_S 30
#define COLO_ENDPOINT_KEEPALIVE_INTERVAL_S 5
#define COLO_ENDPOINT_KEEPALIVE_COUNT 4

/* Sets SO_KEEPALIVE with the values above on a connected TCP socket. */
gboolean colo_endpoint_set_keepalive (GSocket * sock, GError ** error);

/* What gst-colo-compare does with every connection it makes or accepts:
 * TCP_NODELAY and keepalive (a failure is a warning on standard error
 * naming @name, the endpoint's option); nothing for a UNIX socket. */
void colo_endpoint_setup_connection (GSocket * sock, const gchar * name);

/* "127.0.0.1:40000" / "[::1]:40000": the peer of a connected socket
 * (remote) or its own address (local); a UNIX socket's path, or
 * "(unnamed)" (a connecting UNIX client usually has no name). */
gchar *colo_endpoint_socket_address (GSocket * sock, gboolean remote);

G_END_DECLS

#endif /* __COLO_ENDPOINT_H__ */
