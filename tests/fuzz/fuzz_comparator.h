/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The comparator-driving part of the comparator fuzz targets
 * (fuzz_compare.c, fuzz_frag.c): the input's frames, each in its own
 * allocation (ASan sees overreads), and a comparator whose ops check that
 * every frame is handed back exactly once with the bytes it holds, that a
 * secondary frame is never released and that a primary frame is never
 * dropped before the final discard.  One input at a time (a fuzz target
 * runs its inputs one after the other). */

#ifndef __FUZZ_COMPARATOR_H__
#define __FUZZ_COMPARATOR_H__

#include <stddef.h>
#include <glib.h>

#include "colo-compare.h"

G_BEGIN_DECLS

typedef struct
{
  guint8 *bytes;                /* its own allocation: ASan sees overreads */
  gsize size;
  gboolean primary;
  gboolean is_tcp;
  gboolean queued;              /* pushed, not handed back yet */
} FuzzFrame;

/* Called with each primary frame the comparator releases, before it is
 * handed back */
typedef void (*FuzzReleaseHook) (FuzzFrame * f);

/* A new comparator for an input of @size bytes (at most one frame per
 * operation of @op_size bytes); @hook may be NULL */
ColoComparator *fuzz_comparator_begin (size_t size, size_t op_size,
    FuzzReleaseHook hook);

/* The next frame, holding @bytes (taken) of @size, queued (not pushed
 * yet) */
FuzzFrame *fuzz_comparator_add (gboolean primary, gboolean is_tcp,
    guint8 * bytes, gsize size);

/* Pushes @f on its side with @vnet_hdr_len at @now */
void fuzz_comparator_push (ColoComparator * c, FuzzFrame * f,
    guint vnet_hdr_len, guint64 now);

/* Primary frames released since fuzz_comparator_begin */
guint64 fuzz_comparator_released (void);

/* Everything still queued goes out (checkpoint-done at @now), then the
 * comparator is freed: aborts unless every frame was handed back */
void fuzz_comparator_end (ColoComparator * c, guint64 now);

G_END_DECLS

#endif /* __FUZZ_COMPARATOR_H__ */
