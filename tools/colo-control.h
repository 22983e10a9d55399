/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Emits colocompare's action signals (checkpoint-done, failover) on a
 * thread of their own, in the order they were asked for.
 *
 * Why not on the main loop: an emission sends a serialized event into
 * colocompare's sink pad, which waits for the pad's stream lock; while the
 * outdev write blocks (no client yet, or a slow one) an upstream streaming
 * thread holds that lock, and the main loop would stall with it (no more
 * socket reads, no SIGTERM handling).  Never a streaming thread either
 * (docs/design.md, "Aggregator mechanics"). */

#ifndef __COLO_CONTROL_H__
#define __COLO_CONTROL_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _ColoControl ColoControl;

ColoControl *colo_control_new (GstElement * compare);

/* Queues an emission of @signal_name (a static string) and returns. */
void colo_control_emit (ColoControl * control, const gchar * signal_name);

/* Waits for the queued emissions, then ends the thread. */
void colo_control_free (ColoControl * control);

G_END_DECLS

#endif /* __COLO_CONTROL_H__ */
