/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* TCP: both sides' byte streams are compared position by position in
 * sequence space, so the two guests may segment differently.  Each segment
 * covers [seq, end): an optional SYN, the payload, an optional FIN; SYN and
 * FIN take part in the comparison as if they were bytes of their own, so a
 * flag must sit at the same sequence position on both sides.  RST takes no
 * sequence space: a primary RST at position P matches a secondary RST at P.
 *
 * conn->pos is where comparison stands: every position before it matched.
 * A primary segment that ends at or before pos is released (in sequence
 * order), unless its ACK runs ahead of the highest ACK the secondary has
 * sent: then it waits for the secondary to catch up (SPEC §4: ack gating).
 * A pure ACK queued behind other segments is released, ungated, when they
 * are. */

#include <string.h>
#include "colo-compare-private.h"

#define SEG_HAS(p, f) (((p)->flags & (f)) != 0)

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

/* Index in p's payload of sequence position q (SPEC §4.2 `offset`):
 * the SYN counts as 0, the FIN as the payload length. */
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

static void
report (ColoComparator * c, ColoConn * conn, const ColoPacket * p, guint32 q)
{
  colo_comparator_miscompare (c, conn, payload_offset_of (p, q), TRUE, q);
}

/* Releases primary segments that are fully compared, in order.  Returns
 * FALSE when the head must wait (ack gating or an unmatched RST). */
static gboolean
release_compared (ColoComparator * c, ColoConn * conn)
{
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoPacket *p;

  while ((p = pq->head) && COLO_SEQ_LEQ (p->end, conn->pos)) {
    if (SEG_HAS (p, COLO_TCP_RST) && !p->rst_matched && p->end == conn->pos)
      return TRUE;              /* the caller matches the RST */
    if (SEG_HAS (p, COLO_TCP_ACK) && p->end != p->seq
        && (!conn->sec_ack_valid || COLO_SEQ_GT (p->ack, conn->sec_ack)))
      return FALSE;
    colo_comparator_release_packet (c, p);
  }
  return TRUE;
}

/* Drops secondary segments below pos; a secondary RST is remembered at the
 * position where it reset the stream. */
static void
drop_compared (ColoComparator * c, ColoConn * conn)
{
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];
  ColoPacket *s;

  while ((s = sq->head) && COLO_SEQ_LEQ (s->end, conn->pos)) {
    if (SEG_HAS (s, COLO_TCP_RST) && s->end == conn->pos) {
      conn->sec_rst_valid = TRUE;
      conn->sec_rst_pos = s->end;
    }
    colo_comparator_drop_packet (c, s);
  }
}

void
colo_tcp_compare (ColoComparator * c, ColoConn * conn)
{
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

  if (conn->diverged)
    return;

  if (!conn->pos_valid) {
    if (!pq->head || !sq->head)
      return;
    /* Both sides start together: compare from the lower start. */
    conn->pos = COLO_SEQ_LT (pq->head->seq, sq->head->seq) ?
        pq->head->seq : sq->head->seq;
    conn->pos_valid = TRUE;
  }

  for (;;) {
    ColoPacket *p, *s;
    guint32 end, n, diff;

    drop_compared (c, conn);
    if (!release_compared (c, conn))
      return;

    p = pq->head;
    if (!p)
      return;
    s = sq->head;

    /* A primary RST whose data all matched needs a secondary RST here. */
    if (SEG_HAS (p, COLO_TCP_RST) && !p->rst_matched && p->end == conn->pos) {
      if (conn->sec_rst_valid && conn->sec_rst_pos == conn->pos) {
        p->rst_matched = TRUE;
        conn->sec_rst_valid = FALSE;
        continue;
      }
      if (s && covers (s, conn->pos))
        report (c, conn, p, conn->pos);
      return;
    }

    if (!covers (p, conn->pos))
      return;                   /* the primary has a gap: wait */

    /* The secondary reset the stream where the primary goes on. */
    if (conn->sec_rst_valid && conn->sec_rst_pos == conn->pos) {
      report (c, conn, p, conn->pos);
      return;
    }

    if (!s || !covers (s, conn->pos))
      return;                   /* the secondary has not got here yet */

    end = COLO_SEQ_LT (p->end, s->end) ? p->end : s->end;
    n = end - conn->pos;
    diff = compare_span (p, s, conn->pos, n);
    if (diff < n) {
      report (c, conn, p, conn->pos + diff);
      return;
    }
    conn->pos = end;
  }
}
