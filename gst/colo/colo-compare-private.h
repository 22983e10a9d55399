/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Shared between the comparator and its per-protocol compare rules. */

#ifndef __COLO_COMPARE_PRIVATE_H__
#define __COLO_COMPARE_PRIVATE_H__

#include "colo-compare.h"

G_BEGIN_DECLS struct _ColoComparator
{
  ColoCompareOps ops;
  gpointer user_data;
  ColoCompareConfig config;
  ColoConnTable *conns;
  ColoPacket *age_head, *age_tail;      /* every queued packet, by arrival */
  gboolean failover;
  ColoStats stats;

  /* checkpoint request episode (SPEC §4.2) */
  gboolean request_pending;     /* posted, no checkpoint-done yet */
  guint64 last_post;
  gboolean have_trigger;        /* first trigger of the current call */
  ColoTrigger trigger;
  guint64 now;
};

/* Takes p out of its queue and hands it on. */
void colo_comparator_release_packet (ColoComparator * c, ColoPacket * p);
void colo_comparator_drop_packet (ColoComparator * c, ColoPacket * p);

/* Marks conn diverged and records a miscompare trigger. */
void colo_comparator_miscompare (ColoComparator * c, ColoConn * conn,
    guint32 offset, gboolean has_tcp_seq, guint32 tcp_seq);

/* Per-protocol rules: compare what both queues of conn hold and release
 * or drop what they can. */
void colo_tcp_compare (ColoComparator * c, ColoConn * conn);
void colo_datagram_compare (ColoComparator * c, ColoConn * conn);

G_END_DECLS
#endif /* __COLO_COMPARE_PRIVATE_H__ */
