/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <stdlib.h>

#include "fuzz_comparator.h"

/* The input's frames, one allocation per input (at most one per
 * operation) rather than one per frame: the allocator is a good part of
 * an execution's cost under ASan */
static FuzzFrame *frames;
static guint n_frames;

static gboolean discarding;
static guint outstanding;
static guint64 primaries_out;
static FuzzReleaseHook release_hook;

/* Every frame is handed back exactly once, with the bytes it holds */
static void
done (FuzzFrame * f, const guint8 * data, gsize size)
{
  if (!f->queued)
    abort ();                   /* handed back twice */
  if (data != f->bytes || size != f->size)
    abort ();                   /* not the bytes it holds */
  f->queued = FALSE;
  g_free (f->bytes);
  f->bytes = NULL;
  outstanding--;
}

static void
on_release (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  FuzzFrame *f = handle;

  if (!f->primary)
    abort ();                   /* a secondary frame must never go out */
  primaries_out++;
  if (release_hook)
    release_hook (f);
  done (f, data, size);
}

static void
on_drop (gpointer handle, const guint8 * data, gsize size, gpointer user_data)
{
  FuzzFrame *f = handle;

  if (f->primary && !discarding)
    abort ();                   /* a primary frame was lost */
  done (f, data, size);
}

static void
on_request (const ColoTrigger * t, gpointer user_data)
{
}

static const ColoCompareOps ops = {
  .release = on_release,
  .drop = on_drop,
  .request_checkpoint = on_request,
};

ColoComparator *
fuzz_comparator_begin (size_t size, size_t op_size, FuzzReleaseHook hook)
{
  outstanding = 0;
  discarding = FALSE;
  primaries_out = 0;
  release_hook = hook;
  n_frames = 0;
  frames = g_new0 (FuzzFrame, size / op_size + 1);
  return colo_comparator_new (&ops, NULL);
}

FuzzFrame *
fuzz_comparator_add (gboolean primary, gboolean is_tcp, guint8 * bytes,
    gsize size)
{
  FuzzFrame *f = &frames[n_frames++];

  f->primary = primary;
  f->is_tcp = is_tcp;
  f->bytes = bytes;
  f->size = size;
  f->queued = TRUE;
  outstanding++;
  return f;
}

void
fuzz_comparator_push (ColoComparator * c, FuzzFrame * f, guint vnet_hdr_len,
    guint64 now)
{
  colo_comparator_push (c, f->primary ? COLO_SIDE_PRIMARY :
      COLO_SIDE_SECONDARY, f->bytes, f->size, vnet_hdr_len, f, now);
}

guint64
fuzz_comparator_released (void)
{
  return primaries_out;
}

void
fuzz_comparator_end (ColoComparator * c, guint64 now)
{
  colo_comparator_checkpoint_done (c, now);
  if (colo_comparator_queued (c, COLO_SIDE_PRIMARY) != 0 ||
      colo_comparator_queued (c, COLO_SIDE_SECONDARY) != 0)
    abort ();
  discarding = TRUE;
  colo_comparator_free (c);
  if (outstanding != 0)
    abort ();
  g_free (frames);
  frames = NULL;
}
