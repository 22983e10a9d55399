/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's stdout lines: a GstStructure as one JSON object,
 * {"event": EVENT, "field": value, ...}, numbers and booleans as JSON
 * values, everything else as JSON strings. */

#ifndef __COLO_JSON_H__
#define __COLO_JSON_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Appends @str as a JSON string (quoted, escaped) to @out. */
void colo_json_append_string (GString * out, const gchar * str);

/* One JSON object (no newline). */
gchar *colo_json_from_structure (const gchar * event, const GstStructure * s);

G_END_DECLS

#endif /* __COLO_JSON_H__ */
