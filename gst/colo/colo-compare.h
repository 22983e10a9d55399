/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The comparator: takes frames from the primary and the secondary, queues
 * them per connection, compares them and hands back primary frames to
 * release, in order.  It decides when a checkpoint must be requested
 * (docs/design.md).  GLib only: the element is a thin adapter around it.
 *
 * Not thread-safe: the caller serialises all calls.  Callbacks run inside
 * the call that caused them and must not call back into the comparator. */

#ifndef __COLO_COMPARE_H__
#define __COLO_COMPARE_H__

#include <glib.h>
#include "colo-flow.h"

G_BEGIN_DECLS

typedef enum
{
  COLO_TRIGGER_MISCOMPARE,
  COLO_TRIGGER_STALE,
  COLO_TRIGGER_QUEUE_FULL,
} ColoTriggerReason;

/* Bytes of divergence evidence per side: up to half before the first
 * differing byte, the rest from it on. */
#define COLO_EXCERPT_MAX 32

typedef struct
{
  ColoTriggerReason reason;
  ColoConnKey key;
  ColoSide side;                /* stale / queue-full: the side concerned */
  guint64 time;                 /* caller's time of the trigger, ns */
  gboolean has_offset;          /* miscompare only */
  guint32 offset;               /* index in the primary's transport payload */
  gboolean has_tcp_seq;         /* TCP miscompare only */
  guint32 tcp_seq;
  /* miscompare only: the bytes of each side's transport payload around
   * the first difference, aligned: excerpt[side][i] is the byte at
   * offset - excerpt_before + i (in the secondary's own payload for the
   * secondary; empty where it has no bytes there) */
  guint8 excerpt[COLO_N_SIDES][COLO_EXCERPT_MAX];
  guint8 excerpt_len[COLO_N_SIDES];
  guint8 excerpt_before;        /* bytes before the difference */
} ColoTrigger;

/* What became of a frame (the decision log, colo_comparator_set_trace) */
typedef enum
{
  COLO_DECISION_QUEUED,         /* held for comparison */
  COLO_DECISION_HELD,           /* compared, still held (why says why) */
  COLO_DECISION_RELEASED,       /* primary, compared: goes downstream */
  COLO_DECISION_CONSUMED,       /* secondary, compared: dropped */
  COLO_DECISION_PASSED,         /* not compared: forwarded (primary) or
                                 * dropped (secondary) */
  COLO_DECISION_DIVERGED,       /* the first differing frame */
  COLO_DECISION_FLUSHED,        /* released or dropped by checkpoint-done,
                                 * failover or passthrough */
  COLO_DECISION_DISCARDED,      /* colo_comparator_discard */
} ColoDecision;

typedef struct
{
  ColoSide side;
  ColoDecision decision;
  const char *why;              /* static text */
  const ColoConnKey *key;       /* NULL: not an IP frame */
  gpointer handle;
  gsize size;
  gboolean is_tcp;
  guint32 tcp_seq;              /* TCP: the segment's sequence space */
  guint32 tcp_len;
} ColoTraceEvent;

const char *colo_decision_to_string (ColoDecision decision);

typedef struct
{
  /* A primary frame goes downstream (ownership of handle passes); data and
   * size are the frame's, as pushed (or as relocated). */
  void (*release) (gpointer handle, const guint8 * data, gsize size,
      gpointer user_data);
  /* A frame is no longer needed. */
  void (*drop) (gpointer handle, const guint8 * data, gsize size,
      gpointer user_data);
  /* A frame failed to parse (optional; it is then forwarded uncompared
   * from the primary, dropped from the secondary). */
  void (*malformed) (ColoSide side, const char *error, gpointer user_data);
  /* A checkpoint request must be posted now (once per episode). */
  void (*request_checkpoint) (const ColoTrigger * trigger, gpointer user_data);
  /* The decision log (optional): what became of each frame, while
   * colo_comparator_set_trace () has it on. */
  void (*trace) (const ColoTraceEvent * event, gpointer user_data);
} ColoCompareOps;

typedef struct
{
  guint64 primary_packets;
  guint64 secondary_packets;
  guint64 released;             /* primary frames released after comparison */
  guint64 passed_through;       /* primary frames forwarded uncompared */
  guint64 passthrough[COLO_N_SIDES];    /* frames of passthrough flows
                                         * (also in passed_through and
                                         * secondary_dropped) */
  guint64 flushed;              /* primary frames released by checkpoint-done,
                                 * failover or the final drain */
  guint64 secondary_dropped;    /* secondary frames discarded unmatched */
  guint64 dropped;              /* frames discarded by colo_comparator_discard */
  guint64 malformed;            /* frames that failed to parse */
  guint64 miscompares;
  guint64 stale;
  guint64 queue_full;
  guint64 checkpoints_requested;
  guint64 requests[3];          /* checkpoints_requested by the reason of
                                 * the trigger posted (ColoTriggerReason) */
  guint64 resumes;              /* colo_comparator_resume () after failover */
  guint64 time_compare;         /* time spent comparing, ns (callers' time) */
  guint64 time_failover;        /* time spent in failover, ns */
  guint64 connections;          /* connections tracked now */
  guint64 evicted;              /* idle connections forgotten */
  guint64 closed;               /* ended TCP connections forgotten */
  guint64 queued_primary;       /* frames held, fragments included */
  guint64 queued_secondary;
  /* IP fragments (docs/design.md, "IP fragments") */
  guint64 fragments;            /* fragment frames taken in, both sides */
  guint64 reassembled;          /* datagrams reassembled for comparison */
  guint64 reassembly_failed;    /* datagrams given up: their fragments are
                                 * compared one by one */
  guint64 fragment_overlaps;    /* of those, for overlapping fragments */
} ColoStats;

/* Defaults, in the units of the element's properties */
#define COLO_DEFAULT_COMPARE_TIMEOUT_MS 3000
#define COLO_DEFAULT_SCAN_CYCLE_MS 1000
#define COLO_DEFAULT_MAX_QUEUE_SIZE 1024
#define COLO_DEFAULT_IDLE_TIMEOUT_MS 300000
#define COLO_DEFAULT_TCP_LINGER_MS 60000
#define COLO_DEFAULT_REASSEMBLY_MAX_BYTES (4 * 1024 * 1024)

typedef struct
{
  guint64 compare_timeout;      /* ns */
  guint64 scan_cycle;           /* ns */
  guint max_queue_size;         /* frames per connection and side */
  gboolean auto_release;
  /* A connection with nothing queued that has seen no frame for this long
   * (ns) is forgotten; 0: never. */
  guint64 idle_timeout;
  /* A TCP connection whose output ended (FIN or RST matched) and that has
   * nothing queued is forgotten after this long (ns; at most idle_timeout
   * when that is set), once retransmissions of its end have had time to
   * come and go (docs/design.md, "Connection lifecycle"). */
  guint64 tcp_linger;
  /* Frames per side kept (copied) after they were released or dropped,
   * so that divergence evidence shows what came before (0: none) */
  guint history;
  /* IP fragments are reassembled for comparison, incomplete datagrams
   * holding at most this many bytes per side (frames and bookkeeping);
   * 0: fragments are compared one by one.  An incomplete datagram is given
   * up after compare_timeout (docs/design.md, "IP fragments"). */
  gsize reassembly_max_bytes;
} ColoCompareConfig;

/* Fills config with the defaults. */
void colo_compare_config_init (ColoCompareConfig * config);

typedef struct _ColoComparator ColoComparator;

ColoComparator *colo_comparator_new (const ColoCompareOps * ops,
    gpointer user_data);
/* Drops whatever is still queued. */
void colo_comparator_free (ColoComparator * c);

void colo_comparator_set_config (ColoComparator * c,
    const ColoCompareConfig * config);

/* Hands a frame over: data/size stay valid until handle is released or
 * dropped.  now: arrival time (ns, any monotonic origin). */
void colo_comparator_push (ColoComparator * c, ColoSide side,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle,
    guint64 now);

/* Calls func for every queued frame, oldest first (IP fragments, held for
 * reassembly or in a reassembled datagram, included); func may move the
 * frame's bytes (copy them elsewhere and update *data) and change its
 * handle, for instance to stop pinning a large input buffer. */
typedef void (*ColoQueuedFunc) (gpointer * handle, const guint8 ** data,
    gsize size, gpointer user_data);
void colo_comparator_foreach_queued (ColoComparator * c, ColoQueuedFunc func,
    gpointer user_data);

/* A queued frame as colo_comparator_foreach_on_conn () shows it: from its
 * Ethernet header on (any virtio-net header skipped). */
typedef struct
{
  ColoSide side;
  gboolean queued;              /* FALSE: from the history (already out) */
  const guint8 *data;
  gsize size;
  guint64 arrival;
} ColoFrameInfo;
typedef void (*ColoFrameFunc) (const ColoFrameInfo * frame,
    gpointer user_data);

/* Calls func for the frames of key's connection: for each side, the
 * primary first, those of the history (see ColoCompareConfig.history)
 * then the queued ones (at most max_per_side), oldest first.  May be
 * called from the request_checkpoint callback (the frames that diverged
 * are still queued then). */
void colo_comparator_foreach_on_conn (ColoComparator * c,
    const ColoConnKey * key, guint max_per_side, ColoFrameFunc func,
    gpointer user_data);

/* Batches: frames pushed between begin_batch and end_batch arrived
 * together (the element's input since its last pass, taken one pad after
 * the other).  A queue is judged full on the state at the end of the
 * batch, once the other side's frames of the same batch are in: end_batch
 * notes queue-full for each queue that reached max_queue_size during the
 * batch and is still at or above it, and posts the checkpoint request the
 * batch triggered, if any (auto_release then releases, once).  Outside a
 * batch each push is judged at once. */
void colo_comparator_begin_batch (ColoComparator * c);
void colo_comparator_end_batch (ColoComparator * c);

/* The periodic stale check. */
void colo_comparator_check_stale (ColoComparator * c, guint64 now);

/* Earliest time at which a queued frame becomes stale (an incomplete IP
 * datagram: when it is given up, its fragments stale at once), or
 * G_MAXUINT64 when nothing is queued. */
guint64 colo_comparator_next_stale_time (ColoComparator * c);

/* When the next stale check is due: the first point of the
 * expired-scan-cycle grid (multiples of scan_cycle) at or after
 * next_stale_time, and after now; G_MAXUINT64 when nothing is queued. */
guint64 colo_comparator_next_scan_time (ColoComparator * c, guint64 now);

/* checkpoint-done: release every queued primary frame (per connection in
 * order, then IP fragments held for reassembly, per datagram in order),
 * drop every queued secondary frame, end the request episode. */
void colo_comparator_checkpoint_done (ColoComparator * c, guint64 now);

/* failover: release everything queued, then forward primary frames
 * uncompared and drop secondary frames.  now: the caller's time (mode
 * accounting). */
void colo_comparator_failover (ColoComparator * c, guint64 now);
gboolean colo_comparator_is_failover (ColoComparator * c);

/* Leaves failover (nothing if not in it): a new secondary is in step with
 * the primary, as after a checkpoint.  Every connection is forgotten, so
 * each starts afresh from its next frames (TCP aligned from the next
 * segments of both sides).  now: the caller's time (mode accounting). */
void colo_comparator_resume (ColoComparator * c, guint64 now);

/* The decision log on or off (ops.trace must be set for on). */
void colo_comparator_set_trace (ColoComparator * c, gboolean on);

/* A tracked connection as colo_comparator_foreach_conn () shows it */
typedef struct
{
  const ColoConnKey *key;
  guint queued[COLO_N_SIDES];
  guint64 oldest[COLO_N_SIDES]; /* arrival of the oldest queued frame, or
                                 * G_MAXUINT64 when none */
  guint64 last_seen;            /* last frame (or when it became idle) */
  gboolean diverged;            /* waiting for checkpoint-done */
  gboolean is_tcp;
  gboolean tcp_position_valid;
  guint32 tcp_position;         /* everything before it matched */
  gboolean ended;               /* TCP: FIN/RST matched, lingering */
} ColoConnStatus;
typedef void (*ColoConnStatusFunc) (const ColoConnStatus * status,
    gpointer user_data);

/* Calls func for every tracked connection (in no particular order). */
void colo_comparator_foreach_conn (ColoComparator * c,
    ColoConnStatusFunc func, gpointer user_data);

/* Per-flow passthrough rules (grammar in colo-passthrough.h): the flows
 * they match are forwarded from the primary uncompared and dropped from
 * the secondary.  Replaces the current rules; what newly matching
 * connections hold goes out at once (primary) or is dropped (secondary),
 * and they are forgotten.  FALSE, with error set and the rules unchanged,
 * when rules do not parse.  "" or NULL: no rule. */
gboolean colo_comparator_set_passthrough (ColoComparator * c,
    const char *rules, GError ** error);

/* Flush / stop: drop everything queued (counted in `dropped`) and forget
 * every connection. Returns how many primary frames were discarded. */
guint64 colo_comparator_discard (ColoComparator * c);

guint64 colo_comparator_queued (ColoComparator * c, ColoSide side);
void colo_comparator_get_stats (ColoComparator * c, ColoStats * stats);
/* Bytes taken by the connection table and its connections (frames queued
 * on them excluded). */
gsize colo_comparator_table_bytes (ColoComparator * c);
/* The connection table (colo-conn.h), for the unit tests */
struct _ColoConnTable *colo_comparator_get_conn_table (ColoComparator * c);

const char *colo_trigger_reason_to_string (ColoTriggerReason reason);

G_END_DECLS

#endif /* __COLO_COMPARE_H__ */
