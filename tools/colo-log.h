/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's messages: one line each on standard error,
 * "gst-colo-compare: WHERE: TEXT", WHERE being the endpoint's option name
 * (primary-in, outdev, notify-dev, ...) or another part of the program
 * (stdin).  GLib only. */

#ifndef __COLO_LOG_H__
#define __COLO_LOG_H__

#include <glib.h>

G_BEGIN_DECLS

/* Whether the @n-th occurrence (counted from 1) of a repeated event is
 * reported: the 1st, 10th, 100th, 1000th, ..., so that a peer sending
 * garbage cannot flood the log (as colocompare's malformed-frame
 * warning).  The messages say how many there were so far; the counters
 * are in the stats. */
gboolean colo_log_is_reported (guint64 n);

/* One line on standard error: "gst-colo-compare: @where: MESSAGE" */
void colo_log (const gchar * where, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

G_END_DECLS

#endif /* __COLO_LOG_H__ */
