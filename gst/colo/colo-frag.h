/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* IP fragment reassembly for comparison (docs/design.md, "IP fragments").
 * One table per side collects the fragments of IPv4 and IPv6 datagrams
 * (pointers to the caller's frames, which stay the caller's) and, once a
 * datagram is complete, builds one frame holding it whole, which
 * colo_packet_parse () reads as an ordinary packet.  The original
 * fragments stay with the datagram, to be handed back unmodified, in
 * arrival order.  A datagram that cannot be reassembled (overlapping
 * fragments, impossible lengths, the memory bound, the timeout) is given
 * up: its fragments are handed to the caller to be compared one by one.
 * GLib only, no GStreamer. */

#ifndef __COLO_FRAG_H__
#define __COLO_FRAG_H__

#include <glib.h>
#include "colo-packet.h"

G_BEGIN_DECLS

/* Fragments of one datagram at most; more give the datagram up */
#define COLO_FRAG_MAX_FRAGMENTS 256

/* A frame handed back; the signature of ColoCompareOps.release / .drop */
typedef void (*ColoFragFunc) (gpointer handle, const guint8 * data,
    gsize size, gpointer user_data);
/* A held frame, which func may move (ColoQueuedFunc's signature) */
typedef void (*ColoFragMoveFunc) (gpointer * handle, const guint8 ** data,
    gsize size, gpointer user_data);

typedef enum
{
  COLO_FRAG_HELD,               /* kept until its datagram is complete */
  COLO_FRAG_COMPLETE,           /* *out: the datagram, reassembled */
  COLO_FRAG_GIVEN_UP,           /* *out: its datagram was given up now; *out
                                 * holds its fragments, this one included */
  COLO_FRAG_ALONE,              /* its datagram was given up before: compare
                                 * this fragment alone (not kept) */
} ColoFragResult;

typedef enum
{
  COLO_FRAG_FAILURE_OVERLAP,    /* IPv6: any overlap (RFC 5722); IPv4:
                                 * overlapping bytes that differ */
  COLO_FRAG_FAILURE_INVALID,    /* impossible lengths, too many fragments, a
                                 * reassembled datagram that does not parse */
  COLO_FRAG_FAILURE_MEMORY,     /* the oldest datagram, over max_bytes */
  COLO_FRAG_FAILURE_TIMEOUT,
} ColoFragFailure;

typedef struct _ColoFragTable ColoFragTable;
typedef struct _ColoFragDatagram ColoFragDatagram;

ColoFragTable *colo_frag_table_new (void);
/* Forgets what is held: the caller drains the table first
 * (colo_frag_table_pop_oldest) to get its frames back. */
void colo_frag_table_free (ColoFragTable * t);

/* timeout: a datagram incomplete this long after its first fragment (ns)
 * is given up; max_bytes: bound on what incomplete datagrams hold (their
 * frames and bookkeeping), above which the oldest are given up. */
void colo_frag_table_set_limits (ColoFragTable * t, guint64 timeout,
    gsize max_bytes);

/* Takes a fragment (info->is_fragment, from colo_packet_parse () on data):
 * data/size stay valid, through the caller's handle, until the fragment is
 * handed back. */
ColoFragResult colo_frag_table_add (ColoFragTable * t,
    const ColoPacketInfo * info, const guint8 * data, gsize size,
    guint vnet_hdr_len, gpointer handle, guint64 now,
    ColoFragDatagram ** out, ColoFragFailure * why);

/* The next datagram to give up: the oldest, while more than max_bytes are
 * held or when it is timeout old; NULL when none is due. */
ColoFragDatagram *colo_frag_table_pop_expired (ColoFragTable * t,
    guint64 now, ColoFragFailure * why);
/* Incomplete datagrams, oldest first (to drain the table); NULL: empty */
ColoFragDatagram *colo_frag_table_pop_oldest (ColoFragTable * t);
/* When the oldest incomplete datagram times out; G_MAXUINT64: none */
guint64 colo_frag_table_next_expiry (ColoFragTable * t);
/* Fragments held in incomplete datagrams, and the bytes counted */
guint colo_frag_table_held (ColoFragTable * t);
gsize colo_frag_table_bytes (ColoFragTable * t);
/* Every held fragment, oldest datagram first */
void colo_frag_table_foreach (ColoFragTable * t, ColoFragMoveFunc func,
    gpointer user_data);

/* A datagram out of the table (complete or given up) */
guint colo_frag_datagram_n_fragments (const ColoFragDatagram * d);
/* The first fragment's arrival */
guint64 colo_frag_datagram_arrival (const ColoFragDatagram * d);
/* COLO_FRAG_COMPLETE: the reassembled frame and its parse */
const guint8 *colo_frag_datagram_frame (const ColoFragDatagram * d,
    gsize * size);
const ColoPacketInfo *colo_frag_datagram_info (const ColoFragDatagram * d);
/* Every fragment, in arrival order */
void colo_frag_datagram_foreach (ColoFragDatagram * d, ColoFragMoveFunc func,
    gpointer user_data);
/* Hands every fragment to func in arrival order, then frees d. */
void colo_frag_datagram_hand_back (ColoFragDatagram * d, ColoFragFunc func,
    gpointer user_data);
/* Takes the fragments one at a time, in arrival order (FALSE: none left;
 * d is then freed). */
gboolean colo_frag_datagram_pop (ColoFragDatagram * d, gpointer * handle,
    const guint8 ** data, gsize * size, guint * vnet_hdr_len,
    guint64 * arrival);

G_END_DECLS

#endif /* __COLO_FRAG_H__ */
