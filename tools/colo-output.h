/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's outdev: blocking writes from the streaming thread.
 * A write waits for a peer (accepts the next client of a listen endpoint,
 * or reconnects a connect endpoint every second) instead of dropping, so
 * released frames are held back, never lost, while nobody is connected;
 * a record whose write fails is written again, whole, to the next
 * connection.  Every listen, connection, disconnection and failed
 * connection attempt is reported on standard error; a peer that goes away
 * is noticed at the next write, which says how many records written to
 * it were never acknowledged (lost).  The counters may be read from any
 * thread at any time (they are atomic). */

#ifndef __COLO_OUTPUT_H__
#define __COLO_OUTPUT_H__

#include "colo-endpoint.h"

G_BEGIN_DECLS

typedef struct _ColoOutput ColoOutput;

/* Binds (listen) or connects (connect) at once: an error here is a
 * startup error. */
ColoOutput *colo_output_new (const ColoEndpoint * ep, const gchar * name,
    GError ** error);
void colo_output_free (ColoOutput * out);

/* Writes @len bytes as one unit; blocks until they are written.  FALSE
 * only once colo_output_cancel() was called. */
gboolean colo_output_write (ColoOutput * out, const guint8 * data, gsize len);

/* Writes @n_records records as one stream of bytes (sendmsg with up to
 * 1024 vectors at a time): record i is the next @n_vectors[i] (at least
 * one) of @vectors.  Blocks until all are written; a record whose write
 * fails is written again, whole, to the next connection.  FALSE only once
 * colo_output_cancel() was called; @written (may be NULL) is then the
 * number of records handed over completely. */
gboolean colo_output_write_records (ColoOutput * out,
    const GOutputVector * vectors, const guint * n_vectors, guint n_records,
    guint * written);

/* The current connection's socket, NULL while there is none (tests). */
GSocket *colo_output_get_socket (ColoOutput * out);

/* Connections made or accepted so far. */
guint64 colo_output_get_connections (ColoOutput * out);

/* Records written whole to a connection whose peer went away without
 * acknowledging them (lost; each loss is reported on standard error). */
guint64 colo_output_get_unacknowledged (ColoOutput * out);

/* Makes every pending and later write give up (at shutdown). */
void colo_output_cancel (ColoOutput * out);

G_END_DECLS

#endif /* __COLO_OUTPUT_H__ */
