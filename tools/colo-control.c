/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-control.h"

/* queued to end the thread */
static const gchar quit_marker[] = "quit";

struct _ColoControl
{
  GstElement *compare;
  GAsyncQueue *queue;           /* signal names (static strings) */
  GThread *thread;
};

static gpointer
control_thread (gpointer data)
{
  ColoControl *control = data;

  for (;;) {
    const gchar *name = g_async_queue_pop (control->queue);

    if (name == quit_marker)
      break;
    g_signal_emit_by_name (control->compare, name);
  }
  return NULL;
}

ColoControl *
colo_control_new (GstElement * compare)
{
  ColoControl *control = g_new0 (ColoControl, 1);

  control->compare = gst_object_ref (compare);
  control->queue = g_async_queue_new ();
  control->thread = g_thread_new ("colo-control", control_thread, control);
  return control;
}

void
colo_control_emit (ColoControl * control, const gchar * signal_name)
{
  g_async_queue_push (control->queue, (gpointer) signal_name);
}

void
colo_control_free (ColoControl * control)
{
  if (control == NULL)
    return;
  g_async_queue_push (control->queue, (gpointer) quit_marker);
  g_thread_join (control->thread);
  g_async_queue_unref (control->queue);
  gst_object_unref (control->compare);
  g_free (control);
}
