/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-log.h"

void
colo_log (const gchar * where, const gchar * format, ...)
{
  va_list args;
  gchar *msg;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("gst-colo-compare: %s: %s\n", where, msg);
  g_free (msg);
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
