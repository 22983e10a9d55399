/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's released frames -> outdev: turns what colocompare
 * released (a sample of frames or of records) into QEMU records and writes
 * them with as few sendmsg calls as possible, without copying: frames get
 * a record header each, records (docs/design.md, "Batches") go out as
 * they are, cut at record boundaries so that a failed write is resent
 * whole records only. */

#ifndef __COLO_RELEASE_H__
#define __COLO_RELEASE_H__

#include <gst/gst.h>
#include "colo-output.h"

G_BEGIN_DECLS

typedef struct _ColoRelease ColoRelease;

/* vnet: records on outdev carry the vnet word (--vnet-hdr) */
ColoRelease *colo_release_new (ColoOutput * output, gboolean vnet);
void colo_release_free (ColoRelease * release);

/* Writes the sample's frames or records to outdev (blocking). */
void colo_release_write (ColoRelease * release, GstSample * sample);

/* Records handed to outdev completely, and records given up (only at
 * shutdown, once the output was cancelled); readable from any thread
 * while colo_release_write() runs (atomic). */
guint64 colo_release_get_written (ColoRelease * release);
guint64 colo_release_get_lost (ColoRelease * release);

G_END_DECLS

#endif /* __COLO_RELEASE_H__ */
