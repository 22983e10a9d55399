/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Randomized conservation tests (docs/design.md, "Testing"): a traffic
 * generator and a reference model of what colocompare must release, shared
 * by the element test (tests/check/elements/colocompare_conservation.c)
 * and the core test (tests/check/libs/conservation.c).  GLib only.
 *
 * The generator sends many connections at once from both guests: UDP and
 * ICMP datagrams, TCP streams segmented differently on each side, with
 * retransmissions, reordered segments, pure ACKs, SYN/FIN/RST and new
 * connections on the same 4-tuple, random divergences on the secondary,
 * and now and then an ARP or a truncated frame.  Every frame carries a
 * 64-bit id in its first 8 bytes (the Ethernet destination and part of the
 * source address, which colocompare never compares).
 *
 * The model follows every primary frame from the moment the driver hands
 * it over until it is seen on the output (cs_released) or discarded
 * (cs_discard), and records the first violation:
 *
 * - released exactly once, byte for byte as it entered, in the format it
 *   entered (a driver-defined tag); a secondary frame is never released;
 * - order: datagrams of a connection in arrival order, TCP first
 *   transmissions of a connection in sequence order (a retransmission may
 *   go out whenever it is compared);
 * - when it must be out (checked by cs_check after the driver has
 *   observed everything the comparator counted): at once for frames that
 *   are not compared (ARP, malformed, after failover) and for a primary
 *   pure ACK with nothing queued before it; a datagram as soon as its twin
 *   arrived (the datagram rule is modelled exactly, so a datagram is also
 *   never released before that); a TCP segment once the secondary sent
 *   the same bytes and an ACK as high as the segment's, for connections
 *   whose state colocompare cannot have lost; everything queued after
 *   checkpoint-done, failover and the drain at EOS;
 * - never released uncompared: a TCP segment released by comparison on a
 *   connection whose state colocompare still has must lie within the bytes
 *   the secondary sent identical;
 * - counters (cs_check): primaries in = released + discarded + queued;
 *   released / flushed / passed-through / dropped / secondary-dropped /
 *   malformed as observed; miscompares exactly as the datagram rule
 *   predicts and never on a TCP connection where both sides sent the same
 *   stream.
 *
 * COLO_TRACE_CONN=n prints, on stderr, what the model sees of connection n
 * (each frame pushed, each release it expects, each release seen). */

#ifndef __TEST_CONSERVATION_H__
#define __TEST_CONSERVATION_H__

#include <glib.h>

G_BEGIN_DECLS

#define CS_PRIMARY 0
#define CS_SECONDARY 1

typedef struct _CsModel CsModel;

typedef struct
{
  guint conns;                  /* connections active at a time */
  guint divergence_permille;    /* secondary first transmissions that differ */
  guint ending_permille;        /* secondary TCP connections that end
                                 * otherwise (RST for FIN, shorter...) */
  guint other_permille;         /* frames that are ARP or truncated */
  guint max_segment;            /* largest TCP payload */
  guint max_stream;             /* largest TCP connection, bytes */
  /* A connection that saw no frame for this long (ns, in the driver's
   * time) may have been forgotten by colocompare (idle-timeout, the TCP
   * linger): its TCP state is then unknown to the model. */
  guint64 forget_after;
} CsParams;

void cs_params_init (CsParams * p);

typedef struct
{
  guint64 id;
  gint side;
  GBytes *frame;                /* vnet_hdr_len bytes of header + Ethernet */
  guint vnet_hdr_len;
  gpointer priv;
} CsFrame;

/* The counters of colocompare's `stats`, summed over every comparator the
 * driver used (a READY cycle starts a new one). */
typedef struct
{
  guint64 primary_packets, secondary_packets;
  guint64 released, passed_through, flushed;
  guint64 secondary_dropped, dropped, malformed, miscompares;
  guint64 queued_primary, queued_secondary;
} CsStats;

CsModel *cs_model_new (guint32 seed, const CsParams * params);
void cs_model_free (CsModel * m);

/* The driver's own random choices, from the same seed */
guint32 cs_rand (CsModel * m, guint32 n);
gboolean cs_chance (CsModel * m, guint permille);

/* The next frame `side` sends, with vnet_hdr_len bytes of virtio-net
 * header (zero-filled). */
CsFrame *cs_next (CsModel * m, gint side, guint vnet_hdr_len);

/* The driver hands f to colocompare now, at `stamp` (ns, the arrival time
 * colocompare gives it).  Call it before the push: a release can be seen
 * at once.  For a primary, `out` (taken) are the bytes expected on the
 * output for it and `tag` their format.  Frees f. */
void cs_pushed (CsModel * m, CsFrame * f, GBytes * out, guint tag,
    guint64 stamp);

/* Output: one released unit (a frame or a record), the frame's first byte
 * at frame_offset. */
void cs_released (CsModel * m, const guint8 * unit, gsize size,
    gsize frame_offset, guint tag);
/* A frame the comparator handed back as dropped (core driver only): a
 * primary only while cs_discard's frames go. */
void cs_dropped (CsModel * m, const guint8 * frame, gsize size,
    gsize frame_offset);

/* Actions, called before the driver performs them (their releases can be
 * seen at once).  queued_secondary: the `queued-secondary` counter just
 * before. */
void cs_checkpoint (CsModel * m, guint64 queued_secondary);     /* also EOS */
void cs_failover (CsModel * m, guint64 queued_secondary);
/* Flush, stop: every queued frame dropped, every connection forgotten.
 * Returns the primary frames dropped. */
guint64 cs_discard (CsModel * m, guint64 queued_secondary);
void cs_discard_done (CsModel * m);
/* A new comparator (READY -> PAUSED): no failover any more. */
void cs_restart (CsModel * m);

/* Once everything the comparator counted was observed: TRUE when the
 * model agrees with what was seen and with st. */
gboolean cs_check (CsModel * m, const CsStats * st);
/* The first violation, or NULL */
const gchar *cs_error (CsModel * m);

guint64 cs_out (CsModel * m);   /* units observed */
guint64 cs_in (CsModel * m, gint side);
guint64 cs_outstanding (CsModel * m);
gboolean cs_failover_on (CsModel * m);
/* One line: frames, connections, what was checked */
gchar *cs_summary (CsModel * m);

G_END_DECLS

#endif /* __TEST_CONSERVATION_H__ */
