/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Connections and their packet queues (docs/design.md, "Data structures").
 * A connection is one direction of a flow as the guests send it, keyed by
 * ColoConnKey.  It sits in the table's hash and, while nothing is queued on
 * it, on one of the table's idle lists.  GLib only, no GStreamer. */

#ifndef __COLO_CONN_H__
#define __COLO_CONN_H__

#include <glib.h>
#include "colo-flow.h"
#include "colo-packet.h"

G_BEGIN_DECLS

typedef struct _ColoConn ColoConn;
typedef struct _ColoPacket ColoPacket;

/* One queued frame.  The bytes belong to the caller (through `handle`) and
 * stay valid until the packet is released or dropped.  A packet is on two
 * lists: its connection's queue and the comparator's age list. */
struct _ColoPacket
{
  ColoPacket *prev, *next;      /* connection queue (see ColoQueue) */
  ColoPacket *age_prev, *age_next;      /* all queued packets, by arrival */
  ColoConn *conn;
  gpointer handle;
  const guint8 *data;
  guint32 size;                 /* of the frame (virtio-net header included) */
  guint64 arrival;              /* caller's time of arrival, ns */
  guint32 l4_offset;
  guint32 l4_len;
  guint32 payload_offset;
  guint32 payload_len;
  /* TCP: the segment covers sequence space [seq, end): SYN, payload, FIN */
  guint32 seq;
  guint32 end;
  guint32 ack;
  guint32 instance;             /* TCP connection instance (colo-tcp.c) */
  guint8 flags;                 /* TCP flags */
  guint8 side;                  /* ColoSide */
  guint8 rst_matched;
  guint8 vnet_len;              /* virtio-net header before the Ethernet one */
  guint8 group;                 /* a reassembled IP datagram: handle is its
                                 * ColoFragDatagram, data its reassembled
                                 * frame (docs/design.md, "IP fragments") */
};

/* A connection's queue of one side.  `next` ends in NULL; the head's `prev`
 * is the tail, so that a queue costs two words in every connection. */
typedef struct
{
  ColoPacket *head;
  guint32 length;
} ColoQueue;

/* Per-connection TCP state, only touched by colo-tcp.c (grouped as the
 * kernel's conntrack groups ct->proto.tcp).  Sequence numbers are compared
 * wrap-safe (COLO_SEQ_*). */
typedef struct
{
  guint32 pos;                  /* everything before pos has matched */
  guint32 sec_ack;              /* highest ack the secondary has sent */
  guint32 rst_pos;              /* an RST matched here: repeats go at once */
  guint32 isn[COLO_N_SIDES];    /* SYN that began each side's instance */
  guint32 instance;             /* the instance being compared */
  guint32 side_instance[COLO_N_SIDES];  /* newest instance each side began */
  guint16 flags;                /* which of the above are valid, and more */
} ColoTcpState;

/* Which idle list a connection is on (nothing queued on it) */
typedef enum
{
  COLO_IDLE_NONE = 0,           /* frames are queued: never forgotten */
  COLO_IDLE_OPEN,               /* forgotten after idle-timeout */
  COLO_IDLE_ENDED,              /* TCP instance ended: forgotten after linger */
  COLO_N_IDLE_LISTS
} ColoIdleList;

struct _ColoConn
{
  ColoConnKey key;
  guint32 hash;                 /* of key, kept for rehashing */
  guint8 diverged;              /* miscompare seen: wait for checkpoint-done */
  guint8 idle_list;             /* ColoIdleList */
  ColoConn *hash_next;
  ColoConn *idle_prev, *idle_next;
  guint64 last_seen;            /* last frame, or when it became idle, ns */
  ColoQueue queue[COLO_N_SIDES];
  ColoTcpState tcp;
};

/* Wrap-safe TCP sequence comparisons (RFC 793 arithmetic) */
#define COLO_SEQ_LT(a, b) ((gint32) ((guint32) (a) - (guint32) (b)) < 0)
#define COLO_SEQ_LEQ(a, b) ((gint32) ((guint32) (a) - (guint32) (b)) <= 0)
#define COLO_SEQ_GT(a, b) COLO_SEQ_LT (b, a)
#define COLO_SEQ_GEQ(a, b) COLO_SEQ_LEQ (b, a)

void colo_conn_key_from_info (ColoConnKey * key, const ColoPacketInfo * info);

/* Whether a connection's frames follow the TCP rule (colo-tcp.c); every
 * other connection follows the datagram rule (colo-datagram.c). */
#define colo_conn_key_is_tcp(key) \
  ((key)->ip_proto == COLO_IPPROTO_TCP && !(key)->fragment)

/* Queue operations, all O(1). */
void colo_queue_push_tail (ColoQueue * q, ColoPacket * p);
/* Inserts p after `after` (NULL: at the head). */
void colo_queue_insert_after (ColoQueue * q, ColoPacket * after,
    ColoPacket * p);
void colo_queue_remove (ColoQueue * q, ColoPacket * p);
#define colo_queue_tail(q) ((q)->head ? (q)->head->prev : NULL)
#define colo_queue_prev(q, p) ((p) == (q)->head ? NULL : (p)->prev)

typedef struct _ColoConnTable ColoConnTable;

ColoConnTable *colo_conn_table_new (void);
/* Frees every connection (their queues must be empty). */
void colo_conn_table_free (ColoConnTable * t);
void colo_conn_table_clear (ColoConnTable * t);
/* Returns the connection for key, creating it if needed (*created set); a
 * new connection is on no idle list. */
ColoConn *colo_conn_table_lookup (ColoConnTable * t, const ColoConnKey * key,
    gboolean * created);
/* The connection for key, or NULL */
ColoConn *colo_conn_table_find (ColoConnTable * t, const ColoConnKey * key);
void colo_conn_table_remove (ColoConnTable * t, ColoConn * c);
guint colo_conn_table_size (ColoConnTable * t);
/* Bytes the table and its connections take (excluding queued packets). */
gsize colo_conn_table_bytes (ColoConnTable * t);

/* Moves c to the tail of idle list `list` (COLO_IDLE_NONE: off every list)
 * and, when it goes on a list, sets last_seen to now. */
void colo_conn_table_set_idle (ColoConnTable * t, ColoConn * c,
    ColoIdleList list, guint64 now);
/* The connection idle longest on `list`, or NULL */
ColoConn *colo_conn_table_oldest_idle (ColoConnTable * t, ColoIdleList list);
/* Connections on idle list `list` (COLO_IDLE_NONE: those on none, which
 * hold frames or are being worked on) */
guint colo_conn_table_idle_count (ColoConnTable * t, ColoIdleList list);
/* How many idle entries were examined: calls of
 * colo_conn_table_oldest_idle () so far.  For the tests: forgetting idle
 * connections must not walk the ones that hold frames (docs/design.md,
 * "Connection lifecycle"). */
guint64 colo_conn_table_idle_visits (ColoConnTable * t);

/* Calls func for every connection, in no particular order; func may not
 * add connections, and may not remove any but the one it is given: it
 * returns TRUE to have that one removed (its queues must be empty). */
typedef gboolean (*ColoConnFunc) (ColoConn * conn, gpointer user_data);
void colo_conn_table_foreach (ColoConnTable * t, ColoConnFunc func,
    gpointer user_data);

G_END_DECLS

#endif /* __COLO_CONN_H__ */
