/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The per-protocol comparison rules and the narrow interface through which
 * they act (docs/design.md, "Rules").  The comparator owns the packets, the
 * statistics and the checkpoint requests; a rule only decides, and tells
 * the comparator what to do through ColoRuleActions.  Dependencies run one
 * way: colo-compare.c -> colo-rules.h -> colo-conn.h -> colo-packet.h. */

#ifndef __COLO_RULES_H__
#define __COLO_RULES_H__

#include "colo-conn.h"

G_BEGIN_DECLS

typedef struct
{
  /* p, queued on the primary, has been compared: it goes downstream. */
  void (*release) (gpointer ctx, ColoPacket * p);
  /* p, queued on the secondary, has been consumed. */
  void (*drop) (gpointer ctx, ColoPacket * p);
  /* conn's outputs differ: the first differing byte is byte p_at of p's
   * transport payload (the miscompare's `offset`) and byte s_at of s's;
   * s is NULL where the secondary has no byte there (it ended or reset
   * the stream).  tcp_seq: the sequence number of that byte. */
  void (*diverged) (gpointer ctx, ColoConn * conn, const ColoPacket * p,
      guint32 p_at, const ColoPacket * s, guint32 s_at,
      gboolean has_tcp_seq, guint32 tcp_seq);
  /* p, compared as far as the other side allows, must still wait: why
   * (static text) is for the decision log. */
  void (*held) (gpointer ctx, const ColoPacket * p, const char *why);
} ColoRuleActions;

typedef struct
{
  /* Fills p's protocol fields from info and queues p on conn.  FALSE: p
   * carries nothing to compare and was not queued; a primary frame goes
   * downstream at once, a secondary one is consumed. */
  gboolean (*admit) (ColoConn * conn, ColoPacket * p,
      const ColoPacketInfo * info);
  /* Compares what both queues of conn hold; releases and drops what it
   * can through a. */
  void (*compare) (ColoConn * conn, const ColoRuleActions * a, gpointer ctx);
  /* checkpoint-done: p, queued on the primary, goes out uncompared (called
   * in queue order for each); the secondary is now a copy of the primary. */
  void (*resync) (ColoConn * conn, const ColoPacket * p);
  /* checkpoint-done, after the flush: both sides go on from the primary's
   * state. */
  void (*resynced) (ColoConn * conn);
  /* Whether conn's traffic is over: with nothing queued it is forgotten
   * after a short linger instead of the idle timeout. */
  gboolean (*ended) (const ColoConn * conn);
  /* The position up to which conn's stream matched, if it has one (TCP) */
  gboolean (*position) (const ColoConn * conn, guint32 * pos);
} ColoRule;

/* colo-tcp.c */
extern const ColoRule colo_tcp_rule;
/* colo-datagram.c: UDP, ICMP, fragments and every other IP protocol */
extern const ColoRule colo_datagram_rule;

G_END_DECLS

#endif /* __COLO_RULES_H__ */
