/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "colo-i18n.h"
#include "colo-log.h"

#define PROGRAM "gst-colo-compare"

static GLogWriterFunc log_writer = NULL;
static gpointer log_writer_data = NULL;

gboolean
colo_log_fd_is_journal (gint fd)
{
  const gchar *stream = g_getenv ("JOURNAL_STREAM");
  guint64 dev, ino;
  struct stat st;

  /* systemd's way (systemd.exec(5), $JOURNAL_STREAM): "DEVICE:INODE" of
   * the stream it connected standard output and error to */
  if (stream != NULL && sscanf (stream, "%" G_GUINT64_FORMAT ":%"
          G_GUINT64_FORMAT, &dev, &ino) == 2 && fstat (fd, &st) == 0
      && (guint64) st.st_dev == dev && (guint64) st.st_ino == ino)
    return TRUE;
  return g_log_writer_is_journald (fd);
}

gboolean
colo_log_is_journald (void)
{
  static gsize target = 0;      /* 1: standard error, 2: the journal */

  if (g_once_init_enter (&target))
    g_once_init_leave (&target, colo_log_fd_is_journal (fileno (stderr)) ?
        2 : 1);
  return target == 2;
}

const gchar *
colo_log_priority (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return "3";
  if (level & G_LOG_LEVEL_WARNING)
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

static const gchar *
find_field (const GLogField * fields, gsize n_fields, const gchar * key)
{
  gsize i;

  for (i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key) && fields[i].length < 0)
      return fields[i].value;
  return NULL;
}

gchar *
colo_log_format_line (GLogLevelFlags level, const GLogField * fields,
    gsize n_fields)
{
  const gchar *message = find_field (fields, n_fields, "MESSAGE");
  const gchar *where = find_field (fields, n_fields, "COLO_ENDPOINT");
  const gchar *kind = "";
  gsize where_len = where ? strlen (where) : 0;

  if (message == NULL)
    message = "";
  /* MESSAGE is "WHERE: TEXT" (the journal shows it so); the line has the
   * kind of message between the two */
  if (where != NULL && strncmp (message, where, where_len) == 0
      && g_str_has_prefix (message + where_len, ": "))
    message += where_len + 2;
  else
    where = NULL;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    kind = _("error: ");
  else if (level & G_LOG_LEVEL_WARNING)
    kind = _("warning: ");
  return g_strconcat (PROGRAM ": ", where ? where : "", where ? ": " : "",
      kind, message, NULL);
}

/* The journal when standard error goes there, else (or if the journal
 * refused the entry) the line on standard error */
static GLogWriterOutput
write_default (GLogLevelFlags level, const GLogField * fields,
    gsize n_fields, gpointer user_data)
{
  gchar *line;

  if (colo_log_is_journald ()
      && g_log_writer_journald (level, fields, n_fields, NULL) ==
      G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  line = colo_log_format_line (level, fields, n_fields);
  g_printerr ("%s\n", line);
  g_free (line);
  return G_LOG_WRITER_HANDLED;
}

void
colo_log_set_writer (GLogWriterFunc writer, gpointer user_data)
{
  log_writer = writer;
  log_writer_data = user_data;
}

static void
set_field (GLogField * field, const gchar * key, const gchar * value)
{
  field->key = key;
  field->value = value;
  field->length = -1;
}

/* PRIORITY, SYSLOG_IDENTIFIER, GLIB_DOMAIN, COLO_ENDPOINT, MESSAGE */
#define BASE_FIELDS 5

void
colo_log_entry (GLogLevelFlags level, const gchar * where,
    const gchar * message, const GLogField * extra, gsize n_extra)
{
  GLogField *fields = g_newa (GLogField, BASE_FIELDS + n_extra);
  gchar *text = NULL;
  gsize n = 0;

  set_field (&fields[n++], "PRIORITY", colo_log_priority (level));
  set_field (&fields[n++], "SYSLOG_IDENTIFIER", PROGRAM);
  set_field (&fields[n++], "GLIB_DOMAIN", PROGRAM);
  if (where != NULL) {
    text = g_strconcat (where, ": ", message, NULL);
    set_field (&fields[n++], "COLO_ENDPOINT", where);
  }
  set_field (&fields[n++], "MESSAGE", text ? text : message);
  if (n_extra > 0)
    memcpy (fields + n, extra, n_extra * sizeof (GLogField));
  n += n_extra;
  if (log_writer != NULL)
    log_writer (level, fields, n, log_writer_data);
  else
    write_default (level, fields, n, NULL);
  g_free (text);
}

static void
log_valist (GLogLevelFlags level, const gchar * where, const gchar * format,
    va_list args)
{
  gchar *msg = g_strdup_vprintf (format, args);

  colo_log_entry (level, where, msg, NULL, 0);
  g_free (msg);
}

void
colo_log (const gchar * where, const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  log_valist (COLO_LOG_NOTICE, where, format, args);
  va_end (args);
}

void
colo_log_warning (const gchar * where, const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  log_valist (COLO_LOG_WARNING, where, format, args);
  va_end (args);
}

void
colo_log_error (const gchar * where, const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  log_valist (COLO_LOG_ERROR, where, format, args);
  va_end (args);
}

gboolean
colo_log_is_reported (guint64 n)
{
  if (n == 0)
    return FALSE;
  while (n % 10 == 0)
    n /= 10;
  return n == 1;
}
