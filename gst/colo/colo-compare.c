/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include "colo-compare-private.h"

#define DEFAULT_COMPARE_TIMEOUT (3000 * G_GUINT64_CONSTANT (1000000))
#define DEFAULT_SCAN_CYCLE (1000 * G_GUINT64_CONSTANT (1000000))
#define DEFAULT_MAX_QUEUE_SIZE 1024
#define DEFAULT_IDLE_TIMEOUT (300 * G_GUINT64_CONSTANT (1000000000))

ColoComparator *
colo_comparator_new (const ColoCompareOps * ops, gpointer user_data)
{
  ColoComparator *c = g_new0 (ColoComparator, 1);

  c->ops = *ops;
  c->user_data = user_data;
  c->config.compare_timeout = DEFAULT_COMPARE_TIMEOUT;
  c->config.scan_cycle = DEFAULT_SCAN_CYCLE;
  c->config.max_queue_size = DEFAULT_MAX_QUEUE_SIZE;
  c->config.idle_timeout = DEFAULT_IDLE_TIMEOUT;
  c->conns = colo_conn_table_new ();
  return c;
}

void
colo_comparator_free (ColoComparator * c)
{
  if (!c)
    return;
  colo_comparator_discard (c);
  colo_conn_table_free (c->conns);
  g_free (c);
}

void
colo_comparator_set_config (ColoComparator * c,
    const ColoCompareConfig * config)
{
  c->config = *config;
  if (c->config.max_queue_size == 0)
    c->config.max_queue_size = 1;
}

const char *
colo_trigger_reason_to_string (ColoTriggerReason reason)
{
  switch (reason) {
    case COLO_TRIGGER_MISCOMPARE:
      return "miscompare";
    case COLO_TRIGGER_STALE:
      return "stale";
    case COLO_TRIGGER_QUEUE_FULL:
      return "queue-full";
  }
  return "unknown";
}

/* --- packets ------------------------------------------------------------ */

static void
age_list_remove (ColoComparator * c, ColoPacket * p)
{
  if (p->age_prev)
    p->age_prev->age_next = p->age_next;
  else
    c->age_head = p->age_next;
  if (p->age_next)
    p->age_next->age_prev = p->age_prev;
  else
    c->age_tail = p->age_prev;
}

static void
age_list_append (ColoComparator * c, ColoPacket * p)
{
  p->age_next = NULL;
  p->age_prev = c->age_tail;
  if (c->age_tail)
    c->age_tail->age_next = p;
  else
    c->age_head = p;
  c->age_tail = p;
}

/* Unlinks a queued packet and frees it; returns its handle. */
static gpointer
unqueue (ColoComparator * c, ColoPacket * p)
{
  gpointer handle = p->handle;

  colo_queue_remove (&p->conn->queue[p->side], p);
  age_list_remove (c, p);
  if (p->side == COLO_SIDE_PRIMARY)
    c->stats.queued_primary--;
  else
    c->stats.queued_secondary--;
  g_free (p);
  return handle;
}

void
colo_comparator_release_packet (ColoComparator * c, ColoPacket * p)
{
  g_assert (p->side == COLO_SIDE_PRIMARY);
  c->stats.released++;
  c->ops.release (unqueue (c, p), c->user_data);
}

void
colo_comparator_drop_packet (ColoComparator * c, ColoPacket * p)
{
  c->ops.drop (unqueue (c, p), c->user_data);
}

/* --- checkpoint requests ------------------------------------------------ */

static void
note_trigger (ColoComparator * c, ColoTriggerReason reason, ColoConn * conn,
    ColoSide side)
{
  switch (reason) {
    case COLO_TRIGGER_MISCOMPARE:
      c->stats.miscompares++;
      break;
    case COLO_TRIGGER_STALE:
      c->stats.stale++;
      break;
    case COLO_TRIGGER_QUEUE_FULL:
      c->stats.queue_full++;
      break;
  }
  if (c->have_trigger)
    return;                     /* one request per call: the first cause */
  memset (&c->trigger, 0, sizeof (c->trigger));
  c->trigger.reason = reason;
  c->trigger.key = conn->key;
  c->trigger.side = side;
  c->trigger.time = c->now;
  c->have_trigger = TRUE;
}

void
colo_comparator_miscompare (ColoComparator * c, ColoConn * conn,
    guint32 offset, gboolean has_tcp_seq, guint32 tcp_seq)
{
  conn->diverged = TRUE;
  note_trigger (c, COLO_TRIGGER_MISCOMPARE, conn, COLO_SIDE_PRIMARY);
  if (c->trigger.reason == COLO_TRIGGER_MISCOMPARE && !c->trigger.has_offset) {
    c->trigger.has_offset = TRUE;
    c->trigger.offset = offset;
    c->trigger.has_tcp_seq = has_tcp_seq;
    c->trigger.tcp_seq = tcp_seq;
  }
}

static void release_all (ColoComparator * c);

/* End of every public call: post what was triggered, once per episode,
 * again at most once per scan cycle while unanswered (SPEC §4.2). */
static void
finish_call (ColoComparator * c)
{
  ColoTrigger trigger;

  if (!c->have_trigger)
    return;
  c->have_trigger = FALSE;
  if (c->request_pending && c->now - c->last_post < c->config.scan_cycle)
    return;

  trigger = c->trigger;
  c->request_pending = TRUE;
  c->last_post = c->now;
  c->stats.checkpoints_requested++;
  c->ops.request_checkpoint (&trigger, c->user_data);

  if (c->config.auto_release)
    release_all (c);
}

/* --- input -------------------------------------------------------------- */

/* Forgets connections that have been idle, with nothing queued, for
 * idle_timeout, so that the table does not grow with every flow ever seen.
 * Safe to forget: a datagram connection has no state beyond its queues,
 * and a TCP stream that resumes is aligned again from its next segments
 * (pure ACKs such as keepalives go out uncompared anyway).  The default
 * (300 s) is above TCP's largest retransmission timeout (120 s), so a
 * stream that is still retransmitting is never forgotten. */
static void
evict_idle (ColoComparator * c, ColoConn * current, guint64 now)
{
  ColoConn *conn;

  if (c->config.idle_timeout == 0)
    return;
  while ((conn = colo_conn_table_least_recent (c->conns)) && conn != current
      && now >= conn->last_seen
      && now - conn->last_seen >= c->config.idle_timeout) {
    if (conn->queue[COLO_SIDE_PRIMARY].length
        || conn->queue[COLO_SIDE_SECONDARY].length || conn->diverged) {
      /* Held frames: keep it, it leaves at the next checkpoint-done. */
      colo_conn_table_touch (c->conns, conn, conn->last_seen);
      continue;
    }
    colo_conn_table_remove (c->conns, conn);
    c->stats.connections--;
    c->stats.evicted++;
  }
}

static void
forward_uncompared (ColoComparator * c, ColoSide side, gpointer handle)
{
  if (side == COLO_SIDE_PRIMARY) {
    c->stats.passed_through++;
    c->ops.release (handle, c->user_data);
  } else {
    c->stats.secondary_dropped++;
    c->ops.drop (handle, c->user_data);
  }
}

static void
compare_conn (ColoComparator * c, ColoConn * conn)
{
  if (colo_conn_is_tcp (conn))
    colo_tcp_compare (c, conn);
  else
    colo_datagram_compare (c, conn);
}

static gboolean
is_tcp (const ColoPacketInfo * info)
{
  return info->ip_proto == COLO_IPPROTO_TCP && !info->is_fragment;
}

void
colo_comparator_push (ColoComparator * c, ColoSide side,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle,
    guint64 now)
{
  ColoPacketInfo info;
  ColoConnKey key;
  ColoConn *conn;
  ColoPacket *p;
  ColoQueue *q;
  gboolean created;

  c->now = now;
  if (side == COLO_SIDE_PRIMARY)
    c->stats.primary_packets++;
  else
    c->stats.secondary_packets++;

  if (c->failover) {
    forward_uncompared (c, side, handle);
    return;
  }

  switch (colo_packet_parse (data, size, vnet_hdr_len, &info)) {
    case COLO_PARSE_OK:
      break;
    case COLO_PARSE_MALFORMED:
      c->stats.malformed++;
      if (c->ops.malformed)
        c->ops.malformed (side, info.error, c->user_data);
      /* fall through */
    case COLO_PARSE_NOT_IP:
    default:
      forward_uncompared (c, side, handle);
      return;
  }

  colo_conn_key_from_info (&key, &info);
  conn = colo_conn_table_lookup (c->conns, &key, &created);
  if (created)
    c->stats.connections++;
  colo_conn_table_touch (c->conns, conn, now);
  evict_idle (c, conn, now);

  p = g_new (ColoPacket, 1);
  p->conn = conn;
  p->handle = handle;
  p->data = data;
  p->arrival = now;
  p->l4_offset = info.l4_offset;
  p->l4_len = info.l4_len;
  p->payload_offset = info.payload_offset;
  p->payload_len = info.payload_len;
  p->side = side;
  p->rst_matched = FALSE;
  q = &conn->queue[side];

  if (is_tcp (&info)) {
    p->seq = info.tcp_seq;
    p->ack = info.tcp_ack;
    p->flags = info.tcp_flags;
    p->end = p->seq + info.payload_len + ((p->flags & COLO_TCP_SYN) ? 1 : 0)
        + ((p->flags & COLO_TCP_FIN) ? 1 : 0);

    if (side == COLO_SIDE_SECONDARY && (p->flags & COLO_TCP_ACK)
        && (!conn->sec_ack_valid || COLO_SEQ_GT (p->ack, conn->sec_ack))) {
      conn->sec_ack = p->ack;
      conn->sec_ack_valid = TRUE;
    }

    /* A pure ACK carries nothing to compare: the primary's goes out at
     * once (or, behind queued segments, as soon as they are released, to
     * keep sequence order), the secondary's only moves the ack
     * bookkeeping. */
    if (info.payload_len == 0
        && !(p->flags & (COLO_TCP_SYN | COLO_TCP_FIN | COLO_TCP_RST))
        && (side == COLO_SIDE_SECONDARY || q->length == 0)) {
      g_free (p);
      if (side == COLO_SIDE_PRIMARY) {
        c->stats.released++;
        c->ops.release (handle, c->user_data);
      } else {
        c->ops.drop (handle, c->user_data);
        colo_tcp_compare (c, conn);
      }
      finish_call (c);
      return;
    }
    colo_queue_insert_by_seq (q, p);
  } else {
    p->seq = p->end = p->ack = 0;
    p->flags = 0;
    colo_queue_push_tail (q, p);
  }
  age_list_append (c, p);
  if (side == COLO_SIDE_PRIMARY)
    c->stats.queued_primary++;
  else
    c->stats.queued_secondary++;

  if (q->length == c->config.max_queue_size)
    note_trigger (c, COLO_TRIGGER_QUEUE_FULL, conn, side);

  compare_conn (c, conn);
  finish_call (c);
}

/* --- time --------------------------------------------------------------- */

guint64
colo_comparator_next_stale_time (ColoComparator * c)
{
  if (!c->age_head)
    return G_MAXUINT64;
  return c->age_head->arrival + c->config.compare_timeout;
}

guint64
colo_comparator_next_scan_time (ColoComparator * c, guint64 now)
{
  guint64 stale = colo_comparator_next_stale_time (c);
  guint64 cycle = MAX (c->config.scan_cycle, 1);
  guint64 t;

  if (stale == G_MAXUINT64)
    return G_MAXUINT64;
  t = (stale + cycle - 1) / cycle * cycle;
  if (t <= now)
    t = (now / cycle + 1) * cycle;
  return t;
}

void
colo_comparator_check_stale (ColoComparator * c, guint64 now)
{
  ColoPacket *oldest = c->age_head;

  c->now = now;
  if (oldest && now >= oldest->arrival
      && now - oldest->arrival >= c->config.compare_timeout)
    note_trigger (c, COLO_TRIGGER_STALE, oldest->conn, oldest->side);
  finish_call (c);
}

/* --- checkpoint, failover, flush ---------------------------------------- */

static void
release_all (ColoComparator * c)
{
  ColoConn *conn;

  for (conn = colo_conn_table_first (c->conns); conn; conn = conn->next) {
    ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
    ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

    while (pq->head) {
      ColoPacket *p = pq->head;

      /* After a checkpoint the secondary continues from the primary's
       * state: it will not send what the primary already sent. */
      if (colo_conn_is_tcp (conn)) {
        if (!conn->pos_valid || COLO_SEQ_GT (p->end, conn->pos)) {
          conn->pos = p->end;
          conn->pos_valid = TRUE;
        }
        if ((p->flags & COLO_TCP_ACK) && (!conn->sec_ack_valid
                || COLO_SEQ_GT (p->ack, conn->sec_ack))) {
          conn->sec_ack = p->ack;
          conn->sec_ack_valid = TRUE;
        }
      }
      c->stats.flushed++;
      c->ops.release (unqueue (c, p), c->user_data);
    }
    while (sq->head) {
      c->stats.secondary_dropped++;
      colo_comparator_drop_packet (c, sq->head);
    }
    conn->diverged = FALSE;
    conn->sec_rst_valid = FALSE;
  }
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
}

void
colo_comparator_checkpoint_done (ColoComparator * c, guint64 now)
{
  c->now = now;
  release_all (c);
}

void
colo_comparator_failover (ColoComparator * c)
{
  release_all (c);
  c->failover = TRUE;
}

gboolean
colo_comparator_is_failover (ColoComparator * c)
{
  return c->failover;
}

guint64
colo_comparator_discard (ColoComparator * c)
{
  guint64 primaries = c->stats.queued_primary;
  ColoConn *conn;

  while (c->age_head) {
    c->stats.dropped++;
    colo_comparator_drop_packet (c, c->age_head);
  }
  while ((conn = colo_conn_table_first (c->conns)))
    colo_conn_table_remove (c->conns, conn);
  c->stats.connections = 0;
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
  return primaries;
}

guint64
colo_comparator_queued (ColoComparator * c, ColoSide side)
{
  return side == COLO_SIDE_PRIMARY ? c->stats.queued_primary :
      c->stats.queued_secondary;
}

void
colo_comparator_get_stats (ColoComparator * c, ColoStats * stats)
{
  *stats = c->stats;
}
