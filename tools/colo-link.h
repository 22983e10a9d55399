/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One endpoint's current connection, driven by the thread-default main
 * context: a listen endpoint accepts one client at a time and accepts the
 * next one once the current one is gone; a connect endpoint connects at
 * once and reconnects every second after the connection drops.  Every
 * listen, connection, disconnection and failed reconnection is reported
 * on standard error, with the endpoint's name (its option).  Used for
 * the inputs and the notify channel (the output, written from a streaming
 * thread, is ColoOutput).  GIO only. */

#ifndef __COLO_LINK_H__
#define __COLO_LINK_H__

#include "colo-endpoint.h"

G_BEGIN_DECLS

typedef struct _ColoLink ColoLink;

typedef struct
{
  /* a new connection (accepted or (re)connected) */
  void (*connected) (ColoLink * link, gpointer user_data);
  /* bytes read from the current connection */
  void (*data) (ColoLink * link, const guint8 * data, gsize len,
      gpointer user_data);
  /* the peer closed the connection or it failed (not called for
   * colo_link_drop()) */
  void (*closed) (ColoLink * link, gpointer user_data);
} ColoLinkFuncs;

/* Binds (listen) or connects (connect) at once: an error here is a
 * startup error. */
ColoLink *colo_link_new (const ColoEndpoint * ep, const gchar * name,
    const ColoLinkFuncs * funcs, gpointer user_data, GError ** error);
void colo_link_free (ColoLink * link);

const gchar *colo_link_get_name (ColoLink * link);
gboolean colo_link_is_connected (ColoLink * link);

/* The current connection's socket (non-blocking), NULL without one. */
GSocket *colo_link_get_socket (ColoLink * link);

/* Closes the current connection (callable from the data callback), then
 * waits for the next client or reconnects; @why goes into the message. */
void colo_link_drop (ColoLink * link, const gchar * why);

typedef void (*ColoLinkFinished) (ColoLink * link, gpointer user_data);

/* Ends the link (at shutdown): accepts and reconnects no more, reads on
 * from the current connection only what it has already received (what
 * the peer sent before: the socket's receive queue now), through the
 * data callback and colo_link_pause() as before, then closes it and calls
 * @finished (at once if there is nothing to read). */
void colo_link_finish (ColoLink * link, ColoLinkFinished finished);

/* Stops (TRUE) or resumes (FALSE) reading from the current and later
 * connections, keeping them open: the peer's writes then wait in the
 * socket buffers (TCP flow control).  Callable from the data callback. */
void colo_link_pause (ColoLink * link, gboolean paused);

/* Stops reading, accepting and reconnecting for good. */
void colo_link_stop (ColoLink * link);

G_END_DECLS

#endif /* __COLO_LINK_H__ */
