/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-release.h"

#include "colo-framing.h"
#include "gstcolocaps.h"

struct _ColoRelease
{
  ColoOutput *output;
  gboolean vnet;
  GArray *vectors;              /* GOutputVector, reused */
  GArray *maps;                 /* GstMapInfo of the memories mapped */
  GArray *counts;               /* guint: vectors per record */
  GByteArray *headers;          /* frames: the batch's record headers */
  guint64 written;
  guint64 lost;
};

ColoRelease *
colo_release_new (ColoOutput * output, gboolean vnet)
{
  ColoRelease *r = g_new0 (ColoRelease, 1);

  r->output = output;
  r->vnet = vnet;
  r->vectors = g_array_new (FALSE, FALSE, sizeof (GOutputVector));
  r->maps = g_array_new (FALSE, FALSE, sizeof (GstMapInfo));
  r->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  r->headers = g_byte_array_new ();
  return r;
}

void
colo_release_free (ColoRelease * r)
{
  if (r == NULL)
    return;
  g_array_unref (r->vectors);
  g_array_unref (r->maps);
  g_array_unref (r->counts);
  g_byte_array_unref (r->headers);
  g_free (r);
}

static void
add_vector (ColoRelease * r, const guint8 * data, gsize size)
{
  GOutputVector v = { data, size };

  g_array_append_val (r->vectors, v);
}

/* A frame: its record header (into hdr) and every memory of buf. */
static void
add_frame (ColoRelease * r, GstBuffer * buf, guint8 * hdr, guint32 vnet_hdr_len)
{
  guint i, n = gst_buffer_n_memory (buf), count = 1;

  add_vector (r, hdr, colo_framing_write_header (hdr,
          gst_buffer_get_size (buf), r->vnet, vnet_hdr_len));
  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_get_memory (buf, i);
    GstMapInfo map;

    if (!gst_memory_map (mem, &map, GST_MAP_READ)) {
      gst_memory_unref (mem);
      continue;
    }
    add_vector (r, map.data, map.size);
    g_array_append_val (r->maps, map);
    count++;
  }
  g_array_append_val (r->counts, count);
}

/* A run of whole records: one vector per record, pointing into buf's
 * memory.  Returns the number of records. */
static guint
add_records (ColoRelease * r, GstBuffer * buf)
{
  GstMapInfo map;
  gsize off = 0;
  guint n = 0, one = 1;

  /* one memory (a region of an input buffer): no copy; several would be
   * merged into one */
  GstMemory *mem = gst_buffer_get_all_memory (buf);

  if (mem == NULL)
    return 0;
  if (!gst_memory_map (mem, &map, GST_MAP_READ)) {
    gst_memory_unref (mem);
    return 0;
  }
  g_array_append_val (r->maps, map);
  while (off < map.size) {
    ColoFramingRecord rec;

    /* colocompare releases whole, valid records only */
    if (colo_framing_peek (map.data + off, map.size - off, r->vnet, &rec) !=
        COLO_FRAMING_OK)
      break;
    add_vector (r, map.data + off, rec.record_size);
    g_array_append_val (r->counts, one);
    off += rec.record_size;
    n++;
  }
  return n;
}

void
colo_release_write (ColoRelease * r, GstSample * sample)
{
  GstBufferList *list = gst_sample_get_buffer_list (sample);
  GstBuffer *single = gst_sample_get_buffer (sample);
  GstColoCapsInfo caps;
  guint i, n_bufs = list ? gst_buffer_list_length (list) : single ? 1 : 0;
  guint n_records = 0, written = 0;
  guint8 *hdrs;

  if (!gst_colo_caps_parse (gst_sample_get_caps (sample), &caps))
    gst_colo_caps_parse (NULL, &caps);
  g_byte_array_set_size (r->headers, n_bufs * COLO_FRAMING_HEADER_SIZE (TRUE));
  hdrs = r->headers->data;
  for (i = 0; i < n_bufs; i++) {
    GstBuffer *buf = list ? gst_buffer_list_get (list, i) : single;

    if (caps.format == GST_COLO_FORMAT_RECORDS) {
      n_records += add_records (r, buf);
    } else {
      add_frame (r, buf, hdrs + i * COLO_FRAMING_HEADER_SIZE (TRUE),
          r->vnet ? caps.vnet_hdr_len : 0);
      n_records++;
    }
  }
  if (n_records > 0)
    colo_output_write_records (r->output,
        (const GOutputVector *) r->vectors->data,
        (const guint *) r->counts->data, n_records, &written);
  /* atomic: the stats are read from the main loop while this runs */
  __atomic_add_fetch (&r->written, written, __ATOMIC_RELAXED);
  __atomic_add_fetch (&r->lost, n_records - written, __ATOMIC_RELAXED);
  for (i = 0; i < r->maps->len; i++) {
    GstMapInfo *map = &g_array_index (r->maps, GstMapInfo, i);
    GstMemory *mem = map->memory;

    gst_memory_unmap (mem, map);
    gst_memory_unref (mem);
  }
  g_array_set_size (r->vectors, 0);
  g_array_set_size (r->maps, 0);
  g_array_set_size (r->counts, 0);
}

guint64
colo_release_get_written (ColoRelease * r)
{
  return __atomic_load_n (&r->written, __ATOMIC_RELAXED);
}

guint64
colo_release_get_lost (ColoRelease * r)
{
  return __atomic_load_n (&r->lost, __ATOMIC_RELAXED);
}
