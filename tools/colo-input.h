/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One of gst-colo-compare's inputs (primary-in, secondary-in): reads QEMU
 * records from the endpoint's current connection and pushes one
 * application/x-colo-records buffer per read into colocompare's sink pad,
 * from the main loop (no source element, no thread hand-off): the whole
 * records of the read, re-framed in one block (docs/design.md, "Batches";
 * a record cut by the end of a read waits for the next).  A new
 * connection starts a new record stream; a connection that drops never
 * flushes what colocompare holds.  A framing error closes that connection
 * only, and the next one is accepted (or reconnected). */

#ifndef __COLO_INPUT_H__
#define __COLO_INPUT_H__

#include <gst/gst.h>

#include "colo-endpoint.h"

G_BEGIN_DECLS

typedef struct _ColoInput ColoInput;

/* @consumer is the colocompare sink pad the input feeds (a pad of its own,
 * linked to it, pushes buffers of @caps): once more than
 * @max_in_flight bytes (plus a per-frame overhead) were pushed that it has
 * not yet taken, the input stops reading until half of that was taken, so
 * that a comparator held back by a slow outdev holds back its peers
 * through TCP instead of queueing without bound. */
ColoInput *colo_input_new (const ColoEndpoint * ep, const gchar * name,
    gboolean vnet, GstCaps * caps, GstPad * consumer, gsize max_in_flight,
    GError ** error);
void colo_input_free (ColoInput * input);

/* Ends the input (at shutdown): accepts and reconnects no more, pushes
 * the complete records its connection has already received (what the
 * peer sent before the shutdown is released too), throttled like any
 * read so that memory stays within the in-flight bound, then closes the
 * connection and ends its stream (EOS). */
void colo_input_finish (ColoInput * input);

/* Adds the input's counters (prefixed with its name) to @stats. */
void colo_input_add_stats (ColoInput * input, GstStructure * stats);

G_END_DECLS

#endif /* __COLO_INPUT_H__ */
