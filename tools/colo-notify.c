/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-notify.h"
#include "colo-framing.h"

#include <string.h>

static gboolean
matches (const guint8 * payload, gsize len, const gchar * text)
{
  return len == strlen (text) && memcmp (payload, text, len) == 0;
}

ColoNotifyCommand
colo_notify_parse (const guint8 * payload, gsize len)
{
  if (matches (payload, len, COLO_NOTIFY_PROXY_INIT))
    return COLO_NOTIFY_CMD_PROXY_INIT;
  if (matches (payload, len, COLO_NOTIFY_CHECKPOINT))
    return COLO_NOTIFY_CMD_CHECKPOINT;
  return COLO_NOTIFY_CMD_UNKNOWN;
}

GBytes *
colo_notify_encode (const gchar * text)
{
  gsize len = strlen (text);
  guint8 *rec = g_malloc (COLO_FRAMING_HEADER_SIZE (FALSE) + len);
  guint hsize = colo_framing_write_header (rec, len, FALSE, 0);

  memcpy (rec + hsize, text, len);
  return g_bytes_new_take (rec, hsize + len);
}
