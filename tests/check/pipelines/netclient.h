/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Test helper: the peers of the socket pipelines, over 127.0.0.1 only.
 * Every blocking call gives up after NET_TIMEOUT_S seconds (a failure
 * bound, never a way to wait for something to happen). */

#ifndef __NET_CLIENT_H__
#define __NET_CLIENT_H__

#include <gio/gio.h>

G_BEGIN_DECLS

#define NET_TIMEOUT_S 30
/* TCP connection to 127.0.0.1:port (TCP_NODELAY, so that each write
 * tends to leave as its own segment); NULL and error on failure. */
    GSocketConnection * net_tcp_connect (guint16 port, GError ** error);

/* Writes data in pieces of the given sizes (cycling), to cut records at
 * arbitrary points. */
gboolean net_tcp_write_split (GSocketConnection * conn, const guint8 * data,
    gsize len, const gsize * pieces, guint n_pieces, GError ** error);

/* Reads exactly len bytes; FALSE with error on EOF or timeout. */
gboolean net_tcp_read_exact (GSocketConnection * conn, guint8 * buf,
    gsize len, GError ** error);

/* Reads up to len bytes: the number read, 0 at EOF, -1 on error. */
gssize net_tcp_read_some (GSocketConnection * conn, guint8 * buf, gsize len,
    GError ** error);

/* UDP socket bound to 127.0.0.1 on a free port, returned in *port. */
GSocket *net_udp_bind (guint16 * port, GError ** error);

gboolean net_udp_send (GSocket * sock, guint16 port, GBytes * datagram,
    GError ** error);

/* The next datagram, or NULL with error on timeout. */
GBytes *net_udp_receive (GSocket * sock, GError ** error);

G_END_DECLS

#endif /* __NET_CLIENT_H__ */
