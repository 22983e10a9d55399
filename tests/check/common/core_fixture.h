/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The comparator fixture of the core unit tests (tests/check/libs/): a
 * ColoComparator whose ops record the released and dropped handles and
 * the checkpoint requests, and the frames pushed into it (handle = index
 * + 1). */

#ifndef __CORE_FIXTURE_H__
#define __CORE_FIXTURE_H__

#include <glib.h>
#include "colo-compare.h"
#include "frames.h"

G_BEGIN_DECLS

typedef struct _CoreFx CoreFx;

/* Called with each released or dropped frame before it is recorded. */
typedef void (*CoreFxFrameHook) (CoreFx * fx, guint handle,
    const guint8 * data, gsize size);

struct _CoreFx
{
  ColoComparator *c;
  GPtrArray *frames;            /* GBytes; handle = index + 1 */
  GArray *released;             /* guint handles, in release order */
  GArray *dropped;              /* guint handles, in drop order */
  GArray *triggers;             /* ColoTrigger, as requested */
  FrameOpts opts;               /* frame_opts_init; vnet_hdr_len is pushed */
  CoreFxFrameHook frame_hook;   /* NULL: none */
};

void core_fx_init (CoreFx * fx);
void core_fx_clear (CoreFx * fx);

/* Pushes a frame (taking it) at time now; returns its handle. */
guint core_fx_push_at (CoreFx * fx, ColoSide side, GBytes * frame,
    guint64 now);
/* The same at time 0. */
guint core_fx_push (CoreFx * fx, ColoSide side, GBytes * frame);

G_END_DECLS

#endif /* __CORE_FIXTURE_H__ */
