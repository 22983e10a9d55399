/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-json.h"

void
colo_json_append_string (GString * out, const gchar * str)
{
  const guchar *p;

  g_string_append_c (out, '"');
  for (p = (const guchar *) str; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (out, "\\u%04x", *p);
    else
      g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

static gboolean append_field (GQuark field, const GValue * value,
    gpointer user_data);

static void
append_value (GString * out, const GValue * value)
{
  /* arrays and lists as JSON arrays, structures as objects (the
   * connections command) */
  if (GST_VALUE_HOLDS_ARRAY (value) || GST_VALUE_HOLDS_LIST (value)) {
    guint i, n = GST_VALUE_HOLDS_ARRAY (value) ?
        gst_value_array_get_size (value) : gst_value_list_get_size (value);

    g_string_append_c (out, '[');
    for (i = 0; i < n; i++) {
      if (i > 0)
        g_string_append (out, ", ");
      append_value (out, GST_VALUE_HOLDS_ARRAY (value) ?
          gst_value_array_get_value (value, i) :
          gst_value_list_get_value (value, i));
    }
    g_string_append_c (out, ']');
    return;
  }
  if (GST_VALUE_HOLDS_STRUCTURE (value)) {
    GString *fields = g_string_new (NULL);

    gst_structure_foreach (gst_value_get_structure (value), append_field,
        fields);
    /* each field starts with ", " */
    g_string_append_printf (out, "{%s}", fields->len > 2 ? fields->str + 2 :
        "");
    g_string_free (fields, TRUE);
    return;
  }
  switch (G_VALUE_TYPE (value)) {
    case G_TYPE_INT:
      g_string_append_printf (out, "%d", g_value_get_int (value));
      break;
    case G_TYPE_UINT:
      g_string_append_printf (out, "%u", g_value_get_uint (value));
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT,
          g_value_get_int64 (value));
      break;
    case G_TYPE_UINT64:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT,
          g_value_get_uint64 (value));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, g_value_get_boolean (value) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      colo_json_append_string (out, g_value_get_string (value) ?
          g_value_get_string (value) : "");
      break;
    default:{
      gchar *str = gst_value_serialize (value);

      colo_json_append_string (out, str ? str : "");
      g_free (str);
      break;
    }
  }
}

static gboolean
append_field (GQuark field, const GValue * value, gpointer user_data)
{
  GString *out = user_data;

  g_string_append (out, ", ");
  colo_json_append_string (out, g_quark_to_string (field));
  g_string_append (out, ": ");
  append_value (out, value);
  return TRUE;
}

gchar *
colo_json_from_structure (const gchar * event, const GstStructure * s)
{
  GString *out = g_string_new ("{\"event\": ");

  colo_json_append_string (out, event);
  gst_structure_foreach (s, append_field, out);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
