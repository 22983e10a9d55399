/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The TCP rule (docs/design.md, "TCP").  Both sides' byte streams are
 * compared position by position in sequence space, so the two guests may
 * segment differently.  Each segment covers [seq, end): an optional SYN,
 * the payload, an optional FIN; SYN and FIN take part in the comparison as
 * if they were bytes of their own, so a flag must sit at the same sequence
 * position on both sides.  RST takes no sequence space: a primary RST at
 * position P matches a secondary RST at P, and once matched, repeated RSTs
 * at P go out at once like any retransmission.
 *
 * tcp.pos is where comparison stands: every position before it matched.
 * A primary segment that ends at or before pos is released (in sequence
 * order), unless its ACK runs ahead of the highest ACK the secondary has
 * sent: then it waits for the secondary to catch up (ack gating).  A pure
 * ACK queued behind other segments is released, ungated, when they are.
 *
 * Connection instances (docs/design.md, "Connection lifecycle"): one
 * address/port 4-tuple carries one connection after another (client port
 * reuse).  A SYN can only sit at the start of its stream, so a SYN at any
 * other sequence number than the one that began the side's current
 * instance, or after that instance ended, begins a new instance on that
 * side.  Each packet is tagged with its side's instance; only packets of
 * the instance being compared are compared, and comparison moves on to
 * the next instance once both sides have begun it and nothing of the
 * current one is left.  A new connection is thus never compared in the
 * old one's sequence space, wherever its ISN lies. */

#include <string.h>
#include "colo-rules.h"

#define SEG_HAS(p, f) (((p)->flags & (f)) != 0)

/* ColoTcpState.flags */
#define POS_VALID (1 << 0)
#define SEC_ACK_VALID (1 << 1)
#define RST_DONE (1 << 2)       /* an RST matched at rst_pos */
#define ENDED (1 << 3)          /* a FIN or an RST matched: output is over */
#define ISN_VALID(side) (1 << (4 + (side)))
#define SEEN(side) (1 << (6 + (side)))  /* the side sent in this table entry */
/* What a new instance starts without */
#define INSTANCE_STATE (POS_VALID | SEC_ACK_VALID | RST_DONE | ENDED)

#define INSTANCE_AFTER(a, b) ((gint32) ((a) - (b)) > 0)

/* --- admission ------------------------------------------------------------ */

static void
note_sec_ack (ColoTcpState * t, const ColoPacket * s)
{
  if (SEG_HAS (s, COLO_TCP_ACK) && (!(t->flags & SEC_ACK_VALID)
          || COLO_SEQ_GT (s->ack, t->sec_ack))) {
    t->sec_ack = s->ack;
    t->flags |= SEC_ACK_VALID;
  }
}

/* A SYN from side at seq: the same instance (a repeated SYN or SYN-ACK) or
 * the beginning of a new one. */
static void
note_syn (ColoTcpState * t, ColoSide side, guint32 seq)
{
  gboolean ended = t->side_instance[side] == t->instance && (t->flags & ENDED);

  if ((t->flags & ISN_VALID (side)) && t->isn[side] == seq && !ended)
    return;
  /* The first frame a side sends here may begin the instance; anything
   * after that is another connection on the same 4-tuple. */
  if (t->flags & SEEN (side))
    t->side_instance[side]++;
  t->isn[side] = seq;
  t->flags |= ISN_VALID (side);
}

static gboolean
is_pure_ack (const ColoPacket * p)
{
  return p->payload_len == 0
      && !SEG_HAS (p, COLO_TCP_SYN | COLO_TCP_FIN | COLO_TCP_RST);
}

/* Sequence order within an instance, instances in the order they began;
 * equal sequence numbers keep arrival order. */
static gboolean
queued_after (const ColoPacket * a, const ColoPacket * p)
{
  if (a->instance != p->instance)
    return INSTANCE_AFTER (a->instance, p->instance);
  return COLO_SEQ_GT (a->seq, p->seq);
}

static gboolean
tcp_admit (ColoConn * conn, ColoPacket * p, const ColoPacketInfo * info)
{
  ColoTcpState *t = &conn->tcp;
  ColoQueue *q = &conn->queue[p->side];
  ColoPacket *after;

  p->seq = info->tcp_seq;
  p->ack = info->tcp_ack;
  p->flags = info->tcp_flags;
  p->end = p->seq + info->payload_len + (SEG_HAS (p, COLO_TCP_SYN) ? 1 : 0)
      + (SEG_HAS (p, COLO_TCP_FIN) ? 1 : 0);

  if (SEG_HAS (p, COLO_TCP_SYN))
    note_syn (t, p->side, p->seq);
  t->flags |= SEEN (p->side);
  p->instance = t->side_instance[p->side];

  if (p->side == COLO_SIDE_SECONDARY && p->instance == t->instance)
    note_sec_ack (t, p);

  /* A pure ACK carries nothing to compare: the primary's goes out at once
   * (or, behind queued segments, as soon as they are released, to keep
   * sequence order), the secondary's only moves the ack bookkeeping (one
   * of a later instance waits for its instance to note it). */
  if (is_pure_ack (p)) {
    if (p->side == COLO_SIDE_SECONDARY && p->instance == t->instance)
      return FALSE;
    if (p->side == COLO_SIDE_PRIMARY && q->length == 0)
      return FALSE;
  }

  after = colo_queue_tail (q);
  while (after && queued_after (after, p))
    after = colo_queue_prev (q, after);
  colo_queue_insert_after (q, after, p);
  return TRUE;
}

/* --- comparison ----------------------------------------------------------- */

/* What sits at sequence position q of segment p */
typedef enum
{
  UNIT_SYN,
  UNIT_DATA,
  UNIT_FIN,
} UnitKind;

static UnitKind
unit_at (const ColoPacket * p, guint32 q, guint32 * data_index)
{
  guint32 idx = q - p->seq;

  if (SEG_HAS (p, COLO_TCP_SYN)) {
    if (idx == 0)
      return UNIT_SYN;
    idx--;
  }
  *data_index = idx;
  return idx < p->payload_len ? UNIT_DATA : UNIT_FIN;
}

/* Index, relative to pos, of the first position in [pos, pos + n) where p
 * and s differ, or n when they agree. */
static guint32
compare_span (const ColoPacket * p, const ColoPacket * s, guint32 pos,
    guint32 n)
{
  guint32 done = 0;

  while (done < n) {
    guint32 q = pos + done, pi = 0, si = 0, run;
    UnitKind pk = unit_at (p, q, &pi), sk = unit_at (s, q, &si);
    const guint8 *pd, *sd;

    if (pk != sk)
      return done;
    if (pk != UNIT_DATA) {
      done++;
      continue;
    }
    run = MIN (n - done, MIN (p->payload_len - pi, s->payload_len - si));
    pd = p->data + p->payload_offset + pi;
    sd = s->data + s->payload_offset + si;
    if (memcmp (pd, sd, run) != 0) {
      guint32 i = 0;
      while (pd[i] == sd[i])
        i++;
      return done + i;
    }
    done += run;
  }
  return n;
}

/* Index in p's payload of sequence position q (the `offset` of a
 * miscompare): the SYN counts as 0, the FIN as the payload length. */
static guint32
payload_offset_of (const ColoPacket * p, guint32 q)
{
  guint32 idx = 0;

  switch (unit_at (p, q, &idx)) {
    case UNIT_SYN:
      return 0;
    case UNIT_DATA:
      return idx;
    case UNIT_FIN:
    default:
      return p->payload_len;
  }
}

static gboolean
covers (const ColoPacket * p, guint32 q)
{
  return COLO_SEQ_LEQ (p->seq, q) && COLO_SEQ_LT (q, p->end);
}

/* The first queued packet of the instance being compared, or NULL */
static ColoPacket *
current_head (const ColoConn * conn, ColoSide side)
{
  ColoPacket *p = conn->queue[side].head;

  return p && p->instance == conn->tcp.instance ? p : NULL;
}

/* Whether side has begun a later instance: it sends no more of this one. */
static gboolean
moved_on (const ColoConn * conn, ColoSide side)
{
  return conn->tcp.side_instance[side] != conn->tcp.instance;
}

/* The outputs differ at sequence position q; s: the secondary's segment
 * there, if it has one. */
static void
report (ColoConn * conn, const ColoPacket * p, const ColoPacket * s,
    guint32 q, const ColoRuleActions * a, gpointer ctx)
{
  if (s && !covers (s, q))
    s = NULL;
  a->diverged (ctx, conn, p, payload_offset_of (p, q), s,
      s ? payload_offset_of (s, q) : 0, TRUE, q);
}

/* Releases primary segments that are fully compared, in order.  Returns
 * FALSE when the head must wait (ack gating or an unmatched RST). */
static gboolean
release_compared (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  ColoTcpState *t = &conn->tcp;
  ColoPacket *p;

  while ((p = current_head (conn, COLO_SIDE_PRIMARY))
      && COLO_SEQ_LEQ (p->end, t->pos)) {
    if (SEG_HAS (p, COLO_TCP_RST) && !p->rst_matched && p->end == t->pos
        && !((t->flags & RST_DONE) && t->rst_pos == t->pos))
      return TRUE;              /* the caller matches the RST */
    if (SEG_HAS (p, COLO_TCP_ACK) && p->end != p->seq
        && (!(t->flags & SEC_ACK_VALID) || COLO_SEQ_GT (p->ack, t->sec_ack))) {
      a->held (ctx, p, "its ACK is ahead of the secondary's");
      return FALSE;
    }
    if (SEG_HAS (p, COLO_TCP_FIN | COLO_TCP_RST))
      t->flags |= ENDED;
    a->release (ctx, p);
  }
  return TRUE;
}

/* Whether s is a secondary RST that reset the stream at pos (and does not
 * just repeat one already matched there): it waits for the primary's. */
static gboolean
is_new_rst_at_pos (const ColoTcpState * t, const ColoPacket * s)
{
  return SEG_HAS (s, COLO_TCP_RST) && s->end == t->pos
      && !((t->flags & RST_DONE) && t->rst_pos == t->pos);
}

/* Drops secondary segments below pos, but keeps an RST at pos queued until
 * the primary's RST matches it (or it goes stale). */
static void
drop_compared (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  ColoTcpState *t = &conn->tcp;
  ColoPacket *s;

  while ((s = current_head (conn, COLO_SIDE_SECONDARY))
      && COLO_SEQ_LEQ (s->end, t->pos) && !is_new_rst_at_pos (t, s))
    a->drop (ctx, s);
}

/* Compares the current instance as far as both sides allow. */
static void
compare_instance (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  ColoTcpState *t = &conn->tcp;

  if (!(t->flags & POS_VALID)) {
    ColoPacket *p = current_head (conn, COLO_SIDE_PRIMARY);
    ColoPacket *s = current_head (conn, COLO_SIDE_SECONDARY);

    if (!p || !s)
      return;
    /* Both sides start together: compare from the lower start. */
    t->pos = COLO_SEQ_LT (p->seq, s->seq) ? p->seq : s->seq;
    t->flags |= POS_VALID;
  }

  for (;;) {
    ColoPacket *p, *s;
    guint32 end, n, diff;
    gboolean sec_done, sec_rst;

    drop_compared (conn, a, ctx);
    if (!release_compared (conn, a, ctx))
      return;

    p = current_head (conn, COLO_SIDE_PRIMARY);
    if (!p)
      return;
    s = current_head (conn, COLO_SIDE_SECONDARY);
    /* The secondary will send nothing more of this instance. */
    sec_done = !s && moved_on (conn, COLO_SIDE_SECONDARY);

    sec_rst = s && is_new_rst_at_pos (t, s);

    /* A primary RST whose data all matched needs a secondary RST here. */
    if (SEG_HAS (p, COLO_TCP_RST) && !p->rst_matched && p->end == t->pos) {
      if (sec_rst) {
        p->rst_matched = TRUE;
        t->flags |= RST_DONE;
        t->rst_pos = t->pos;
        a->drop (ctx, s);
        continue;
      }
      if ((s && covers (s, t->pos)) || sec_done)
        report (conn, p, s, t->pos, a, ctx);
      return;
    }

    if (!covers (p, t->pos)) {
      a->held (ctx, p, "a gap before it on the primary");
      return;
    }

    /* The secondary reset the stream, or ended it, where the primary goes
     * on. */
    if (sec_rst || sec_done) {
      report (conn, p, s, t->pos, a, ctx);
      return;
    }

    if (!s || !covers (s, t->pos)) {
      a->held (ctx, p, "the secondary has not sent these bytes yet");
      return;
    }

    end = COLO_SEQ_LT (p->end, s->end) ? p->end : s->end;
    n = end - t->pos;
    diff = compare_span (p, s, t->pos, n);
    if (diff < n) {
      report (conn, p, s, t->pos + diff, a, ctx);
      return;
    }
    t->pos = end;
  }
}

/* Moves comparison to the next instance once both sides have begun it and
 * nothing of the current one is queued.  The secondary's packets of the new
 * instance that arrived early now count for its ack bookkeeping. */
static gboolean
next_instance (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  ColoTcpState *t = &conn->tcp;
  ColoPacket *s, *next;

  if (!moved_on (conn, COLO_SIDE_PRIMARY)
      || !moved_on (conn, COLO_SIDE_SECONDARY)
      || current_head (conn, COLO_SIDE_PRIMARY)
      || current_head (conn, COLO_SIDE_SECONDARY))
    return FALSE;

  t->instance++;
  t->flags &= ~INSTANCE_STATE;
  for (s = current_head (conn, COLO_SIDE_SECONDARY); s
      && s->instance == t->instance; s = next) {
    next = s->next;
    note_sec_ack (t, s);
    if (is_pure_ack (s))
      a->drop (ctx, s);
  }
  return TRUE;
}

static void
tcp_compare (ColoConn * conn, const ColoRuleActions * a, gpointer ctx)
{
  do {
    if (conn->diverged)
      return;
    compare_instance (conn, a, ctx);
  } while (!conn->diverged && next_instance (conn, a, ctx));
}

/* --- checkpoint ----------------------------------------------------------- */

/* After a checkpoint the secondary continues from the primary's state: it
 * will not send what the primary already sent. */
static void
tcp_resync (ColoConn * conn, const ColoPacket * p)
{
  ColoTcpState *t = &conn->tcp;

  if (p->instance != t->instance) {
    t->instance = p->instance;
    t->flags &= ~INSTANCE_STATE;
  }
  if (!(t->flags & POS_VALID) || COLO_SEQ_GT (p->end, t->pos)) {
    t->pos = p->end;
    t->flags |= POS_VALID;
  }
  if (SEG_HAS (p, COLO_TCP_ACK) && (!(t->flags & SEC_ACK_VALID)
          || COLO_SEQ_GT (p->ack, t->sec_ack))) {
    t->sec_ack = p->ack;
    t->flags |= SEC_ACK_VALID;
  }
  if (SEG_HAS (p, COLO_TCP_RST)) {
    t->flags |= RST_DONE;
    t->rst_pos = p->end;
  }
  if (SEG_HAS (p, COLO_TCP_FIN | COLO_TCP_RST))
    t->flags |= ENDED;
}

static void
tcp_resynced (ColoConn * conn)
{
  ColoTcpState *t = &conn->tcp;
  guint16 p_bits = ISN_VALID (COLO_SIDE_PRIMARY) | SEEN (COLO_SIDE_PRIMARY);

  if (moved_on (conn, COLO_SIDE_PRIMARY))
    t->flags &= ~INSTANCE_STATE;
  t->flags &= ~(ISN_VALID (COLO_SIDE_SECONDARY) | SEEN (COLO_SIDE_SECONDARY));
  /* Shift the primary's bits onto the secondary's */
  t->flags |= (t->flags & p_bits) << 1;
  t->isn[COLO_SIDE_SECONDARY] = t->isn[COLO_SIDE_PRIMARY];
  /* Nothing is queued: number instances from 0 again. */
  t->instance = 0;
  t->side_instance[COLO_SIDE_PRIMARY] = 0;
  t->side_instance[COLO_SIDE_SECONDARY] = 0;
}

static gboolean
tcp_ended (const ColoConn * conn)
{
  return (conn->tcp.flags & ENDED) != 0;
}

static gboolean
tcp_position (const ColoConn * conn, guint32 * pos)
{
  *pos = conn->tcp.pos;
  return (conn->tcp.flags & POS_VALID) != 0;
}

const ColoRule colo_tcp_rule = {
  .admit = tcp_admit,
  .compare = tcp_compare,
  .resync = tcp_resync,
  .resynced = tcp_resynced,
  .ended = tcp_ended,
  .position = tcp_position,
};
