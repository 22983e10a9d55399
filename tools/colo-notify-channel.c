/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "colo-notify-channel.h"

#include <string.h>
#include <sys/socket.h>

#include "colo-framing.h"
#include "colo-i18n.h"
#include "colo-link.h"
#include "colo-log.h"
#include "colo-notify.h"

/* the longest message text (they are all short ASCII constants) */
#define MAX_TEXT 64

struct _ColoNotifyChannel
{
  gchar *name;
  ColoLink *link;
  ColoFramingParser *parser;
  ColoNotifyCheckpointDone checkpoint_done;
  gpointer user_data;
  gboolean stopped;

  /* Messages (static texts) the socket has not taken yet; the first one
   * may be partly written (head_written bytes of its record). */
  GQueue queue;
  gsize head_written;
  GSource *out_source;          /* while the queue is not empty */
  guint timeout_id;             /* write timeout, while not empty */
  guint max_queued;
  guint write_timeout_ms;

  /* bumped for every new or lost connection: records parsed from a read
   * after its connection was dropped are ignored */
  guint generation;
  guint data_generation;        /* of the read being parsed */

  ColoNotifyStats stats;
};

static void flush (ColoNotifyChannel * ch);

/* be32 strlen (text), then text, into @buf (at least 4 + MAX_TEXT) */
static gsize
encode (const gchar * text, guint8 * buf)
{
  gsize len = strlen (text);
  guint hsize;

  g_assert (len <= MAX_TEXT);
  hsize = colo_framing_write_header (buf, len, FALSE, 0);
  memcpy (buf + hsize, text, len);
  return hsize + len;
}

static gboolean
is_checkpoint (const gchar * text)
{
  return g_str_equal (text, COLO_NOTIFY_DO_CHECKPOINT);
}

/* Forgets what waits for the current peer (it is gone, or dropped) */
static void
clear_queue (ColoNotifyChannel * ch)
{
  const gchar *text;

  while ((text = g_queue_pop_head (&ch->queue)) != NULL)
    if (is_checkpoint (text))
      ch->stats.checkpoints_unsent++;
  ch->head_written = 0;
  if (ch->out_source != NULL) {
    g_source_destroy (ch->out_source);
    g_clear_pointer (&ch->out_source, g_source_unref);
  }
  if (ch->timeout_id != 0) {
    g_source_remove (ch->timeout_id);
    ch->timeout_id = 0;
  }
}

static void
drop_peer (ColoNotifyChannel * ch, const gchar * why)
{
  clear_queue (ch);
  ch->generation++;
  colo_link_drop (ch->link, why);
}

static gboolean
on_write_timeout (gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;

  ch->timeout_id = 0;
  ch->stats.stalled++;
  colo_log_warning (ch->name, _("the peer has read nothing for %u ms (%u "
          "message(s) waiting); dropping the connection, comparison goes on"),
      ch->write_timeout_ms, g_queue_get_length (&ch->queue));
  drop_peer (ch, _("write timeout"));
  return G_SOURCE_REMOVE;
}

static gboolean
on_writable (GSocket * sock, GIOCondition cond, gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;
  GSource *self = ch->out_source;

  flush (ch);
  return ch->out_source == self ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Writes what the socket takes without blocking; waits for it to become
 * writable again for the rest. */
static void
flush (ColoNotifyChannel * ch)
{
  GSocket *sock = colo_link_get_socket (ch->link);
  gboolean progress = FALSE;
  guint8 buf[4 + MAX_TEXT];

  if (sock == NULL) {
    clear_queue (ch);
    return;
  }
  while (!g_queue_is_empty (&ch->queue)) {
    const gchar *text = g_queue_peek_head (&ch->queue);
    gsize len = encode (text, buf);
    GError *err = NULL;
    gssize n = g_socket_send_with_blocking (sock,
        (const gchar *) buf + ch->head_written, len - ch->head_written, FALSE,
        NULL, &err);

    if (n < 0 && g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      g_error_free (err);
      break;
    }
    if (n < 0) {
      colo_log_warning (ch->name, _("cannot send %s: %s; dropping the "
              "connection"), text, err->message);
      g_error_free (err);
      drop_peer (ch, _("write failed"));
      return;
    }
    progress = progress || n > 0;
    ch->head_written += n;
    if (ch->head_written == len) {
      g_queue_pop_head (&ch->queue);
      ch->head_written = 0;
      if (is_checkpoint (text))
        ch->stats.checkpoints_sent++;
    }
  }
  if (g_queue_is_empty (&ch->queue)) {
    clear_queue (ch);
    return;
  }
  if (ch->out_source == NULL) {
    ch->out_source = g_socket_create_source (sock, G_IO_OUT, NULL);
    g_source_set_callback (ch->out_source, G_SOURCE_FUNC (on_writable), ch,
        NULL);
    g_source_attach (ch->out_source, NULL);
  }
  /* the timeout runs from the last byte written */
  if (progress && ch->timeout_id != 0) {
    g_source_remove (ch->timeout_id);
    ch->timeout_id = 0;
  }
  if (ch->timeout_id == 0)
    ch->timeout_id = g_timeout_add (ch->write_timeout_ms, on_write_timeout, ch);
}

static void
send_message (ColoNotifyChannel * ch, const gchar * text)
{
  if (ch->stopped)
    return;
  if (!colo_link_is_connected (ch->link)) {
    if (is_checkpoint (text)) {
      guint64 n = ++ch->stats.checkpoints_unsent;

      if (colo_log_is_reported (n))
        colo_log_warning (ch->name, _("no client connected, %s not sent (%"
                PRIu64 " so far; reported the 1st, 10th, 100th, ... time)"),
            text, n);
    }
    return;
  }
  if (g_queue_get_length (&ch->queue) >= ch->max_queued) {
    ch->stats.stalled++;
    if (is_checkpoint (text))
      ch->stats.checkpoints_unsent++;
    colo_log_warning (ch->name, _("the peer is not reading (%u message(s) "
            "waiting, at most %u); dropping the connection, comparison goes "
            "on"), g_queue_get_length (&ch->queue), ch->max_queued);
    drop_peer (ch, _("queue full"));
    return;
  }
  g_queue_push_tail (&ch->queue, (gpointer) text);
  if (ch->out_source == NULL)
    flush (ch);
}

void
colo_notify_channel_request_checkpoint (ColoNotifyChannel * ch)
{
  send_message (ch, COLO_NOTIFY_DO_CHECKPOINT);
}

static void
on_record (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;

  if (ch->generation != ch->data_generation)
    return;                     /* the rest of a read from a dropped peer */
  switch (colo_notify_parse (payload, len)) {
    case COLO_NOTIFY_CMD_PROXY_INIT:
      send_message (ch, COLO_NOTIFY_XEN_INIT);
      break;
    case COLO_NOTIFY_CMD_CHECKPOINT:
      ch->checkpoint_done (ch->user_data);
      break;
    default:
      if (colo_log_is_reported (++ch->stats.unsupported))
        colo_log_warning (ch->name, _("unsupported instruction (%u bytes "
                "at byte offset %" PRIu64 "), ignored (%" PRIu64 " so far; "
                "reported the 1st, 10th, 100th, ... time)"), len, offset,
            ch->stats.unsupported);
      break;
  }
}

static void
on_connected (ColoLink * link, gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;
  GError *err = NULL;

  clear_queue (ch);
  ch->generation++;
  colo_framing_parser_reset (ch->parser);
  if (!g_socket_set_option (colo_link_get_socket (link), SOL_SOCKET,
          SO_SNDBUF, COLO_NOTIFY_CHANNEL_SNDBUF, &err)) {
    colo_log_warning (ch->name, _("cannot set SO_SNDBUF: %s"), err->message);
    g_error_free (err);
  }
}

static void
on_data (ColoLink * link, const guint8 * data, gsize len, gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;
  ColoFramingResult res;
  guint64 offset;
  guint32 value;

  ch->data_generation = ch->generation;
  res = colo_framing_parser_push (ch->parser, data, len);
  if (!COLO_FRAMING_RESULT_IS_ERROR (res) || ch->generation !=
      ch->data_generation)
    return;
  colo_framing_parser_get_error (ch->parser, &offset, &value);
  ch->stats.errors++;
  colo_log_error (ch->name, _("bad record at byte offset %" PRIu64
          ": %s (value %u); closing this connection"), offset,
      colo_framing_result_to_string (res), value);
  drop_peer (ch, _("bad record"));
}

static void
on_closed (ColoLink * link, gpointer user_data)
{
  ColoNotifyChannel *ch = user_data;

  clear_queue (ch);
  ch->generation++;
}

static const ColoLinkFuncs channel_funcs = {
  .connected = on_connected,
  .data = on_data,
  .closed = on_closed,
};

ColoNotifyChannel *
colo_notify_channel_new (const ColoEndpoint * ep, const gchar * name,
    ColoNotifyCheckpointDone checkpoint_done, gpointer user_data,
    GError ** error)
{
  ColoNotifyChannel *ch = g_new0 (ColoNotifyChannel, 1);

  ch->name = g_strdup (name);
  ch->checkpoint_done = checkpoint_done;
  ch->user_data = user_data;
  ch->max_queued = COLO_NOTIFY_CHANNEL_MAX_QUEUED;
  ch->write_timeout_ms = COLO_NOTIFY_CHANNEL_WRITE_TIMEOUT_MS;
  g_queue_init (&ch->queue);
  /* never a vnet word on the notify channel (QEMU quirk Q9, fixed) */
  ch->parser = colo_framing_parser_new (FALSE, on_record, ch);
  ch->link = colo_link_new (ep, name, &channel_funcs, ch, error);
  if (ch->link == NULL) {
    colo_notify_channel_free (ch);
    return NULL;
  }
  return ch;
}

void
colo_notify_channel_stop (ColoNotifyChannel * ch)
{
  ch->stopped = TRUE;
  clear_queue (ch);
  ch->generation++;
  if (ch->link != NULL)
    colo_link_stop (ch->link);
}

void
colo_notify_channel_free (ColoNotifyChannel * ch)
{
  if (ch == NULL)
    return;
  colo_notify_channel_stop (ch);
  colo_link_free (ch->link);
  colo_framing_parser_free (ch->parser);
  g_free (ch->name);
  g_free (ch);
}

void
colo_notify_channel_get_stats (ColoNotifyChannel * ch, ColoNotifyStats * stats)
{
  *stats = ch->stats;
}

void
colo_notify_channel_set_limits (ColoNotifyChannel * ch, guint max_queued,
    guint write_timeout_ms)
{
  ch->max_queued = max_queued;
  ch->write_timeout_ms = write_timeout_ms;
}

gboolean
colo_notify_channel_is_connected (ColoNotifyChannel * ch)
{
  return colo_link_is_connected (ch->link);
}
