/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's --notify-dev: Xen's userspace COLO proxy protocol
 * (colo-notify.h) on one endpoint, driven by the thread-default main
 * context.  It answers the handshake, sends DO_CHECKPOINT on request and
 * reports COLO_CHECKPOINT.
 *
 * Writes never block: what the socket does not take at once waits in a
 * small queue, written as the peer reads.  A peer that stops reading
 * (the queue overflows, or nothing of it is written for the write
 * timeout) is dropped, with a message and a counter; the comparison goes
 * on, and the next client is accepted (or the endpoint reconnected).
 * GIO only, no GStreamer. */

#ifndef __COLO_NOTIFY_CHANNEL_H__
#define __COLO_NOTIFY_CHANNEL_H__

#include "colo-endpoint.h"

G_BEGIN_DECLS

/* The notify sockets' send buffer (SO_SNDBUF; Linux doubles it): the
 * messages are tiny, so a small one is plenty, and a peer that stops
 * reading fills it (and the queue after it) soon instead of after
 * megabytes of autotuned buffer */
#define COLO_NOTIFY_CHANNEL_SNDBUF 8192
/* Messages waiting for a peer that does not read, at most */
#define COLO_NOTIFY_CHANNEL_MAX_QUEUED 64
/* How long queued messages may wait without a byte written, in ms */
#define COLO_NOTIFY_CHANNEL_WRITE_TIMEOUT_MS 5000

typedef struct _ColoNotifyChannel ColoNotifyChannel;

/* Called for COLO_CHECKPOINT: the checkpoint is done. */
typedef void (*ColoNotifyCheckpointDone) (gpointer user_data);

typedef struct
{
  guint64 checkpoints_sent;     /* DO_CHECKPOINT written to a peer */
  guint64 checkpoints_unsent;   /* no peer, or dropped before written */
  guint64 unsupported;          /* records that are no known message */
  guint64 errors;               /* framing errors (connection closed) */
  guint64 stalled;              /* peers dropped for not reading */
} ColoNotifyStats;

/* Binds (listen) or connects (connect) at once: an error here is a
 * startup error.  @name is the option name used in messages. */
ColoNotifyChannel *colo_notify_channel_new (const ColoEndpoint * ep,
    const gchar * name, ColoNotifyCheckpointDone checkpoint_done,
    gpointer user_data, GError ** error);
void colo_notify_channel_free (ColoNotifyChannel * ch);

/* Sends DO_CHECKPOINT (queued if the socket does not take it at once).
 * Without a peer it is not sent: counted and reported (rate-limited). */
void colo_notify_channel_request_checkpoint (ColoNotifyChannel * ch);

/* Stops reading, writing, accepting and reconnecting for good. */
void colo_notify_channel_stop (ColoNotifyChannel * ch);

void colo_notify_channel_get_stats (ColoNotifyChannel * ch,
    ColoNotifyStats * stats);

/* Tests: other limits than COLO_NOTIFY_CHANNEL_MAX_QUEUED and
 * COLO_NOTIFY_CHANNEL_WRITE_TIMEOUT_MS. */
void colo_notify_channel_set_limits (ColoNotifyChannel * ch, guint max_queued,
    guint write_timeout_ms);

/* Tests: whether a peer is connected. */
gboolean colo_notify_channel_is_connected (ColoNotifyChannel * ch);

G_END_DECLS

#endif /* __COLO_NOTIFY_CHANNEL_H__ */
