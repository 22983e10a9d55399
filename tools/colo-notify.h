/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Xen's userspace COLO proxy protocol on colo-compare's notify_dev, as
 * QEMU speaks it: records `be32 len` + ASCII text without a NUL (the
 * framing of colo-framing.h, never with a vnet word).  A command matches
 * only if its length and bytes are exactly the text.  GLib only. */

#ifndef __COLO_NOTIFY_H__
#define __COLO_NOTIFY_H__

#include <glib.h>

G_BEGIN_DECLS

/* Xen -> comparator: handshake, answered with COLO_NOTIFY_XEN_INIT */
#define COLO_NOTIFY_PROXY_INIT "COLO_USERSPACE_PROXY_INIT"
/* comparator -> Xen: handshake answer */
#define COLO_NOTIFY_XEN_INIT "COLO_COMPARE_GET_XEN_INIT"
/* comparator -> Xen: please checkpoint */
#define COLO_NOTIFY_DO_CHECKPOINT "DO_CHECKPOINT"
/* Xen -> comparator: the checkpoint is done (flush) */
#define COLO_NOTIFY_CHECKPOINT "COLO_CHECKPOINT"

typedef enum
{
  COLO_NOTIFY_CMD_UNKNOWN,
  COLO_NOTIFY_CMD_PROXY_INIT,
  COLO_NOTIFY_CMD_CHECKPOINT,
} ColoNotifyCommand;

/* What a received record's payload asks for. */
ColoNotifyCommand colo_notify_parse (const guint8 * payload, gsize len);

/* The record carrying @text: be32 strlen (text), then text. */
GBytes *colo_notify_encode (const gchar * text);

G_END_DECLS

#endif /* __COLO_NOTIFY_H__ */
