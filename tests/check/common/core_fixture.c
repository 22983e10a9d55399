/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include "core_fixture.h"

static void
on_release (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  CoreFx *fx = user_data;
  guint h = GPOINTER_TO_UINT (handle);

  if (fx->frame_hook)
    fx->frame_hook (fx, h, data, size);
  g_array_append_val (fx->released, h);
}

static void
on_drop (gpointer handle, const guint8 * data, gsize size, gpointer user_data)
{
  CoreFx *fx = user_data;
  guint h = GPOINTER_TO_UINT (handle);

  if (fx->frame_hook)
    fx->frame_hook (fx, h, data, size);
  g_array_append_val (fx->dropped, h);
}

static void
on_request (const ColoTrigger * t, gpointer user_data)
{
  CoreFx *fx = user_data;

  g_array_append_val (fx->triggers, *t);
}

static const ColoCompareOps ops = {
  .release = on_release,
  .drop = on_drop,
  .request_checkpoint = on_request,
};

void
core_fx_init (CoreFx * fx)
{
  memset (fx, 0, sizeof (*fx));
  fx->c = colo_comparator_new (&ops, fx);
  fx->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fx->released = g_array_new (FALSE, FALSE, sizeof (guint));
  fx->dropped = g_array_new (FALSE, FALSE, sizeof (guint));
  fx->triggers = g_array_new (FALSE, FALSE, sizeof (ColoTrigger));
  frame_opts_init (&fx->opts);
}

void
core_fx_clear (CoreFx * fx)
{
  colo_comparator_free (fx->c);
  g_ptr_array_unref (fx->frames);
  g_array_unref (fx->released);
  g_array_unref (fx->dropped);
  g_array_unref (fx->triggers);
}

guint
core_fx_push_at (CoreFx * fx, ColoSide side, GBytes * frame, guint64 now)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);
  guint h;

  g_ptr_array_add (fx->frames, frame);
  h = fx->frames->len;
  colo_comparator_push (fx->c, side, data, size, fx->opts.vnet_hdr_len,
      GUINT_TO_POINTER (h), now);
  return h;
}

guint
core_fx_push (CoreFx * fx, ColoSide side, GBytes * frame)
{
  return core_fx_push_at (fx, side, frame, 0);
}
