/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* UDP, ICMP, ICMPv6, fragments and every other IP protocol: the IP payload
 * (transport header and data, bounded by the IP length) must be equal,
 * matched first-in first-out per connection. */

#include <string.h>
#include "colo-rules.h"

static gsize
first_difference (const guint8 * a, const guint8 * b, gsize len)
{
  gsize i;

  for (i = 0; i < len; i++)
    if (a[i] != b[i])
      return i;
  return len;
}

/* Returns TRUE when equal; otherwise *offset is the index of the first
 * differing byte of the primary's transport payload. */
static gboolean
datagrams_equal (const ColoPacket * p, const ColoPacket * s, guint32 * offset)
{
  const guint8 *pp, *sp;
  gsize n, i;

  if (p->l4_len == s->l4_len
      && memcmp (p->data + p->l4_offset, s->data + s->l4_offset,
          p->l4_len) == 0)
    return TRUE;

  pp = p->data + p->payload_offset;
  sp = s->data + s->payload_offset;
  n = MIN (p->payload_len, s->payload_len);
  i = first_difference (pp, sp, n);
  /* A difference in the transport header only (UDP checksum or length
   * with identical data) reports offset 0. */
  if (i == n && p->payload_len == s->payload_len)
    i = 0;
  *offset = i;
  return FALSE;
}

static gboolean
datagram_admit (ColoConn * conn, ColoPacket * p, const ColoPacketInfo * info)
{
  p->seq = p->end = p->ack = p->instance = 0;
  p->flags = 0;
  colo_queue_push_tail (&conn->queue[p->side], p);
  return TRUE;
}

static void
datagram_compare (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

  while (!conn->diverged && pq->head && sq->head) {
    ColoPacket *p = pq->head, *s = sq->head;
    guint32 offset;

    if (!datagrams_equal (p, s, &offset)) {
      a->diverged (ctx, conn, p, offset, s, offset, FALSE, 0);
      return;
    }
    a->drop (ctx, s);
    a->release (ctx, p);
  }
}

/* A datagram flow has no state beyond its queues. */
static void
datagram_resync (ColoConn * conn, const ColoPacket * p)
{
}

static void
datagram_resynced (ColoConn * conn)
{
}

static gboolean
datagram_ended (const ColoConn * conn)
{
  return FALSE;
}

static gboolean
datagram_position (const ColoConn * conn, guint32 * pos)
{
  return FALSE;
}

const ColoRule colo_datagram_rule = {
  .admit = datagram_admit,
  .compare = datagram_compare,
  .resync = datagram_resync,
  .resynced = datagram_resynced,
  .ended = datagram_ended,
  .position = datagram_position,
};
