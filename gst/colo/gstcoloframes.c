/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "colo-framing.h"
#include "gstcoloframes.h"

/* What the comparator holds for a frame: the buffer it came in.  A frames
 * buffer is one frame; a records buffer is shared by all its records and
 * lives while any of them is queued. */
typedef enum
{
  HANDLE_FRAME,
  HANDLE_RECORDS,
} HandleKind;

typedef struct
{
  HandleKind kind;
  GstBuffer *buffer;
  GstMapInfo map;
  gint vnet_hdr_len;            /* frame: its caps' vnet-hdr-len */
  gboolean vnet_hdr;            /* records: each carries the vnet word */
  guint refs;                   /* records: frames not handed back yet */
} Handle;

/* A run of contiguous released records of one buffer, not yet emitted */
typedef struct
{
  GstBuffer *buffer;            /* a reference of its own */
  gboolean vnet_hdr;
  gsize offset, size;
} Run;

void
gst_colo_frames_init (GstColoFrames * f)
{
  memset (f, 0, sizeof (*f));
}

static void
out_batch_free (GstColoOutBatch * b)
{
  if (b->buffers)
    gst_buffer_list_unref (b->buffers);
  g_free (b);
}

static void
out_append (GstColoFrames * f, const GstColoCapsInfo * caps, GstBuffer * buf)
{
  GstColoOutBatch *b;

  if (!f->out)
    f->out = g_ptr_array_new_with_free_func ((GDestroyNotify) out_batch_free);
  b = f->out->len ? g_ptr_array_index (f->out, f->out->len - 1) : NULL;
  if (!b || memcmp (&b->caps, caps, sizeof (*caps)) != 0) {
    b = g_new0 (GstColoOutBatch, 1);
    b->caps = *caps;
    b->buffers = gst_buffer_list_new ();
    g_ptr_array_add (f->out, b);
  }
  gst_buffer_list_insert (b->buffers, -1, buf);
}

static void
run_flush (GstColoFrames * f)
{
  Run *run = f->run;
  GstColoCapsInfo caps = { GST_COLO_FORMAT_RECORDS, 0, FALSE };
  GstBuffer *region;

  if (!run)
    return;
  f->run = NULL;
  caps.vnet_hdr = run->vnet_hdr;
  if (run->offset == 0 && run->size == gst_buffer_get_size (run->buffer))
    region = gst_buffer_ref (run->buffer);
  else
    region = gst_buffer_copy_region (run->buffer, GST_BUFFER_COPY_MEMORY
        | GST_BUFFER_COPY_TIMESTAMPS, run->offset, run->size);
  out_append (f, &caps, region);
  gst_buffer_unref (run->buffer);
  g_free (run);
}

void
gst_colo_frames_clear (GstColoFrames * f)
{
  run_flush (f);
  g_clear_pointer (&f->out, g_ptr_array_unref);
}

GPtrArray *
gst_colo_frames_take_output (GstColoFrames * f)
{
  run_flush (f);
  return g_steal_pointer (&f->out);
}

static void
handle_unref (GstColoFrames * f, Handle * h)
{
  if (h->kind == HANDLE_RECORDS) {
    if (--h->refs > 0)
      return;
    f->pinned -= h->map.size;
  }
  gst_buffer_unmap (h->buffer, &h->map);
  gst_buffer_unref (h->buffer);
  g_free (h);
}

static gboolean
push_records (GstColoFrames * f, ColoComparator * comp, ColoSide side,
    GstBuffer * buf, gboolean vnet_hdr, guint64 now, gsize * error_offset)
{
  Handle *h = g_new0 (Handle, 1);
  gsize off = 0;
  gboolean ok = TRUE;

  h->kind = HANDLE_RECORDS;
  h->buffer = buf;
  h->vnet_hdr = vnet_hdr;
  h->refs = 1;                  /* ours, while we push */
  if (!gst_buffer_map (buf, &h->map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    g_free (h);
    *error_offset = 0;
    return FALSE;
  }
  f->pinned += h->map.size;

  while (off < h->map.size) {
    ColoFramingRecord rec;

    if (colo_framing_peek (h->map.data + off, h->map.size - off, vnet_hdr,
            &rec) != COLO_FRAMING_OK) {
      *error_offset = off;
      ok = FALSE;
      break;
    }
    if (rec.len == 0) {
      /* nothing to compare or to send (QEMU aborts on an empty record) */
      f->empty_records++;
    } else {
      h->refs++;
      f->held += rec.record_size;
      colo_comparator_push (comp, side, h->map.data + off + rec.header_size,
          rec.len, rec.vnet_hdr_len, h, now);
    }
    off += rec.record_size;
  }
  handle_unref (f, h);
  return ok;
}

gboolean
gst_colo_frames_push (GstColoFrames * f, ColoComparator * comp,
    ColoSide side, GstBuffer * buf, const GstColoCapsInfo * caps,
    guint64 now, gsize * error_offset)
{
  Handle *h;

  if (caps->format == GST_COLO_FORMAT_RECORDS)
    return push_records (f, comp, side, buf, caps->vnet_hdr, now, error_offset);

  h = g_new0 (Handle, 1);
  h->kind = HANDLE_FRAME;
  h->buffer = buf;
  h->vnet_hdr_len = caps->vnet_hdr_len;
  if (!gst_buffer_map (buf, &h->map, GST_MAP_READ)) {
    /* cannot happen with system memory; never lose a primary frame */
    g_free (h);
    if (side == COLO_SIDE_PRIMARY)
      out_append (f, caps, buf);
    else
      gst_buffer_unref (buf);
    return TRUE;
  }
  colo_comparator_push (comp, side, h->map.data, h->map.size,
      caps->vnet_hdr_len, h, now);
  return TRUE;
}

void
gst_colo_frames_release (GstColoFrames * f, gpointer handle,
    const guint8 * data, gsize size)
{
  Handle *h = handle;
  guint hdr;
  gsize offset;
  Run *run;

  if (h->kind == HANDLE_FRAME) {
    GstColoCapsInfo caps = { GST_COLO_FORMAT_FRAMES, h->vnet_hdr_len, FALSE };

    run_flush (f);
    out_append (f, &caps, gst_buffer_ref (h->buffer));
    handle_unref (f, h);
    return;
  }

  /* A record goes out with its header, which precedes the frame. */
  hdr = COLO_FRAMING_HEADER_SIZE (h->vnet_hdr);
  offset = data - hdr - h->map.data;
  f->held -= size + hdr;
  run = f->run;
  if (!run || run->buffer != h->buffer || run->offset + run->size != offset) {
    run_flush (f);
    run = g_new (Run, 1);
    run->buffer = gst_buffer_ref (h->buffer);
    run->vnet_hdr = h->vnet_hdr;
    run->offset = offset;
    run->size = 0;
    f->run = run;
  }
  run->size += size + hdr;
  handle_unref (f, h);
}

void
gst_colo_frames_drop (GstColoFrames * f, gpointer handle,
    const guint8 * data, gsize size)
{
  Handle *h = handle;

  if (h->kind == HANDLE_RECORDS)
    f->held -= size + COLO_FRAMING_HEADER_SIZE (h->vnet_hdr);
  handle_unref (f, h);
}

/* --- compaction --------------------------------------------------------- */

typedef struct
{
  GstColoFrames *f;
  gsize need[2];                /* bytes to copy, per vnet_hdr */
  Handle *to[2];                /* the new buffers, per vnet_hdr */
  gsize used[2];
} Compaction;

static void
count_held (gpointer * handle, const guint8 ** data, gsize size,
    gpointer user_data)
{
  Compaction *k = user_data;
  Handle *h = *handle;

  if (h->kind == HANDLE_RECORDS)
    k->need[h->vnet_hdr ? 1 : 0] += size + COLO_FRAMING_HEADER_SIZE
        (h->vnet_hdr);
}

static void
move_held (gpointer * handle, const guint8 ** data, gsize size,
    gpointer user_data)
{
  Compaction *k = user_data;
  Handle *h = *handle, *to;
  guint hdr, v;
  guint8 *dest;

  if (h->kind != HANDLE_RECORDS)
    return;
  v = h->vnet_hdr ? 1 : 0;
  hdr = COLO_FRAMING_HEADER_SIZE (h->vnet_hdr);
  to = k->to[v];
  dest = to->map.data + k->used[v];
  memcpy (dest, *data - hdr, size + hdr);
  k->used[v] += size + hdr;
  to->refs++;
  *data = dest + hdr;
  *handle = to;
  handle_unref (k->f, h);
}

void
gst_colo_frames_compact (GstColoFrames * f, ColoComparator * comp)
{
  Compaction k = { f, {0, 0}, {NULL, NULL}, {0, 0} };
  guint v;

  if (f->pinned <= 2 * f->held + GST_COLO_FRAMES_COMPACT_SLACK)
    return;
  colo_comparator_foreach_queued (comp, count_held, &k);
  for (v = 0; v < 2; v++) {
    Handle *h;

    if (!k.need[v])
      continue;
    h = g_new0 (Handle, 1);
    h->kind = HANDLE_RECORDS;
    h->vnet_hdr = v;
    h->refs = 1;
    h->buffer = gst_buffer_new_allocate (NULL, k.need[v], NULL);
    gst_buffer_map (h->buffer, &h->map, GST_MAP_READWRITE);
    f->pinned += h->map.size;
    k.to[v] = h;
  }
  colo_comparator_foreach_queued (comp, move_held, &k);
  for (v = 0; v < 2; v++)
    if (k.to[v])
      handle_unref (f, k.to[v]);
  f->compactions++;
}
