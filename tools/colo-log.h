/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's messages (docs/service.md, "Logging").  Each one is
 * a GLib structured log entry (GLogField): PRIORITY (syslog's), MESSAGE,
 * COLO_ENDPOINT (where it happened: the endpoint's option name,
 * primary-in, outdev, notify-dev, ..., or another part of the program,
 * stdin), SYSLOG_IDENTIFIER and GLIB_DOMAIN, and the fields a message
 * adds (COLO_EVENT, COLO_REASON, ...).
 *
 * Where it goes is chosen once, at the first message: the journal, with
 * every field (g_log_writer_journald), when standard error is connected
 * to it (run by systemd); otherwise one line on standard error,
 * "gst-colo-compare: WHERE: [warning: |error: ]TEXT".  This is colo-log's
 * own writer, not GLib's global one (g_log_set_writer_func): GLib's and
 * GStreamer's messages, and the fatal-warnings setting of the unit tests,
 * are left alone.  GLib only. */

#ifndef __COLO_LOG_H__
#define __COLO_LOG_H__

#include <glib.h>

G_BEGIN_DECLS

/* The levels used, and their syslog priorities (the PRIORITY field):
 * an error, "error: " on standard error (3, err); a warning, "warning: "
 * (4, warning); an event such as a connection or a disconnect (5,
 * notice); an event the journal alone records (6, info). */
#define COLO_LOG_ERROR G_LOG_LEVEL_CRITICAL
#define COLO_LOG_WARNING G_LOG_LEVEL_WARNING
#define COLO_LOG_NOTICE G_LOG_LEVEL_MESSAGE
#define COLO_LOG_INFO G_LOG_LEVEL_INFO

/* Whether the @n-th occurrence (counted from 1) of a repeated event is
 * reported: the 1st, 10th, 100th, 1000th, ..., so that a peer sending
 * garbage cannot flood the log (as colocompare's malformed-frame
 * warning).  The messages say how many there were so far; the counters
 * are in the stats. */
gboolean colo_log_is_reported (guint64 n);

/* An event (notice): "gst-colo-compare: @where: MESSAGE" */
void colo_log (const gchar * where, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

/* A warning: "gst-colo-compare: @where: warning: MESSAGE" */
void colo_log_warning (const gchar * where, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

/* An error: "gst-colo-compare: @where: error: MESSAGE", or without
 * "@where: " if @where is NULL (the program as a whole) */
void colo_log_error (const gchar * where, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

/* The entry of @level (COLO_LOG_*) with @message, @where (may be NULL)
 * and @n_extra more fields (may be 0), to the writer. */
void colo_log_entry (GLogLevelFlags level, const gchar * where,
    const gchar * message, const GLogField * extra, gsize n_extra);

/* Whether the default writer sends the entries to the journal (chosen
 * at the first call, with colo_log_fd_is_journal on standard error) */
gboolean colo_log_is_journald (void);

/* Whether @fd (standard error) is connected to the journal: the
 * device and inode in $JOURNAL_STREAM (set by systemd) are @fd's, or
 * g_log_writer_is_journald() says so. */
gboolean colo_log_fd_is_journal (gint fd);

/* The syslog priority of @level, as the PRIORITY field's text */
const gchar *colo_log_priority (GLogLevelFlags level);

/* The standard error line of an entry (without the newline): newly
 * allocated */
gchar *colo_log_format_line (GLogLevelFlags level, const GLogField * fields,
    gsize n_fields);

/* Replaces the writer (NULL: the default one, which writes to the journal
 * or to standard error); for the unit tests. */
void colo_log_set_writer (GLogWriterFunc writer, gpointer user_data);

G_END_DECLS

#endif /* __COLO_LOG_H__ */
