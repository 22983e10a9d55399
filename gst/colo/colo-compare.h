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
} ColoTrigger;

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
} ColoCompareOps;

typedef struct
{
  guint64 primary_packets;
  guint64 secondary_packets;
  guint64 released;             /* primary frames released after comparison */
  guint64 passed_through;       /* primary frames forwarded uncompared */
  guint64 flushed;              /* primary frames released by checkpoint-done,
                                 * failover or the final drain */
  guint64 secondary_dropped;    /* secondary frames discarded unmatched */
  guint64 dropped;              /* frames discarded by colo_comparator_discard */
  guint64 malformed;            /* frames that failed to parse */
  guint64 miscompares;
  guint64 stale;
  guint64 queue_full;
  guint64 checkpoints_requested;
  guint64 connections;          /* connections tracked now */
  guint64 evicted;              /* idle connections forgotten */
  guint64 closed;               /* ended TCP connections forgotten */
  guint64 queued_primary;
  guint64 queued_secondary;
} ColoStats;

/* Defaults, in the units of the element's properties */
#define COLO_DEFAULT_COMPARE_TIMEOUT_MS 3000
#define COLO_DEFAULT_SCAN_CYCLE_MS 1000
#define COLO_DEFAULT_MAX_QUEUE_SIZE 1024
#define COLO_DEFAULT_IDLE_TIMEOUT_MS 300000
#define COLO_DEFAULT_TCP_LINGER_MS 60000

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

/* Calls func for every queued frame, oldest first; func may move the
 * frame's bytes (copy them elsewhere and update *data) and change its
 * handle, for instance to stop pinning a large input buffer. */
typedef void (*ColoQueuedFunc) (gpointer * handle, const guint8 ** data,
    gsize size, gpointer user_data);
void colo_comparator_foreach_queued (ColoComparator * c, ColoQueuedFunc func,
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

/* Earliest time at which a queued frame becomes stale, or G_MAXUINT64 when
 * nothing is queued. */
guint64 colo_comparator_next_stale_time (ColoComparator * c);

/* When the next stale check is due: the first point of the
 * expired-scan-cycle grid (multiples of scan_cycle) at or after
 * next_stale_time, and after now; G_MAXUINT64 when nothing is queued. */
guint64 colo_comparator_next_scan_time (ColoComparator * c, guint64 now);

/* checkpoint-done: release every queued primary frame (per connection in
 * order), drop every queued secondary frame, end the request episode. */
void colo_comparator_checkpoint_done (ColoComparator * c, guint64 now);

/* failover: release everything queued, then forward primary frames
 * uncompared and drop secondary frames. */
void colo_comparator_failover (ColoComparator * c);
gboolean colo_comparator_is_failover (ColoComparator * c);

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
