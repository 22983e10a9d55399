/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Connections and their packet queues.  A connection is one direction of a
 * flow as the guests send it (no direction normalisation: both sides send
 * the same direction), keyed by IP version, protocol, addresses, ports and
 * VLAN IDs.  GLib only, no GStreamer. */

#ifndef __COLO_CONN_H__
#define __COLO_CONN_H__

#include <glib.h>
#include "colo-packet.h"

G_BEGIN_DECLS typedef enum
{
  COLO_SIDE_PRIMARY = 0,
  COLO_SIDE_SECONDARY = 1,
} ColoSide;

/* Zero-filled before use so that it can be hashed and compared as bytes. */
typedef struct
{
  guint8 ip_version;
  guint8 ip_proto;
  guint8 n_vlan;
  guint8 fragment;              /* IP fragments: ports are 0 */
  guint16 vlan_id[2];
  guint16 src_port;
  guint16 dst_port;
  guint8 src[16];
  guint8 dst[16];
} ColoConnKey;

typedef struct _ColoConn ColoConn;
typedef struct _ColoPacket ColoPacket;

/* One queued frame.  The bytes belong to the caller (through `handle`) and
 * stay valid until the packet is released or dropped. */
struct _ColoPacket
{
  ColoPacket *prev, *next;      /* connection queue */
  ColoPacket *age_prev, *age_next;      /* all queued packets, by arrival */
  ColoConn *conn;
  gpointer handle;
  const guint8 *data;
  guint64 arrival;              /* caller's time of arrival, ns */
  guint32 l4_offset;
  guint32 l4_len;
  guint32 payload_offset;
  guint32 payload_len;
  /* TCP: the segment covers sequence space [seq, end): SYN, payload, FIN */
  guint32 seq;
  guint32 end;
  guint32 ack;
  guint8 flags;
  guint8 side;
  gboolean rst_matched;
};

typedef struct
{
  ColoPacket *head, *tail;
  guint length;
} ColoQueue;

struct _ColoConn
{
  ColoConnKey key;
  ColoConn *next;               /* all connections, in creation order */
  ColoConn *prev;
  ColoConn *lru_next;           /* all connections, least recently used first */
  ColoConn *lru_prev;
  guint64 last_seen;            /* caller's time of the last frame, ns */
  ColoQueue queue[2];           /* indexed by ColoSide */
  gboolean diverged;            /* miscompare seen: wait for checkpoint-done */

  /* TCP stream alignment (wrap-safe sequence arithmetic) */
  gboolean pos_valid;
  guint32 pos;                  /* everything before pos has matched */
  gboolean sec_ack_valid;
  guint32 sec_ack;              /* highest ack the secondary has sent */
  gboolean sec_rst_valid;
  guint32 sec_rst_pos;          /* the secondary reset the stream here */
};

/* Wrap-safe TCP sequence comparisons (RFC 793 arithmetic) */
#define COLO_SEQ_LT(a, b) ((gint32) ((guint32) (a) - (guint32) (b)) < 0)
#define COLO_SEQ_LEQ(a, b) ((gint32) ((guint32) (a) - (guint32) (b)) <= 0)
#define COLO_SEQ_GT(a, b) COLO_SEQ_LT (b, a)
#define COLO_SEQ_GEQ(a, b) COLO_SEQ_LEQ (b, a)

#define colo_conn_is_tcp(conn) \
  ((conn)->key.ip_proto == COLO_IPPROTO_TCP && !(conn)->key.fragment)

void colo_conn_key_from_info (ColoConnKey * key, const ColoPacketInfo * info);

/* Queue operations: O(1) except the sorted TCP insert, which walks back
 * from the tail (O(1) for in-order arrival). */
void colo_queue_push_tail (ColoQueue * q, ColoPacket * p);
void colo_queue_insert_by_seq (ColoQueue * q, ColoPacket * p);
void colo_queue_remove (ColoQueue * q, ColoPacket * p);

typedef struct _ColoConnTable ColoConnTable;

ColoConnTable *colo_conn_table_new (void);
void colo_conn_table_free (ColoConnTable * t);
/* Returns the connection for key, creating it if needed (*created set). */
ColoConn *colo_conn_table_lookup (ColoConnTable * t, const ColoConnKey * key,
    gboolean * created);
void colo_conn_table_remove (ColoConnTable * t, ColoConn * c);
guint colo_conn_table_size (ColoConnTable * t);
/* First connection in creation order (iterate with ->next) */
ColoConn *colo_conn_table_first (ColoConnTable * t);
/* Marks c as used at time now: it becomes the most recently used. */
void colo_conn_table_touch (ColoConnTable * t, ColoConn * c, guint64 now);
/* The least recently used connection (iterate with ->lru_next), or NULL */
ColoConn *colo_conn_table_least_recent (ColoConnTable * t);

G_END_DECLS
#endif /* __COLO_CONN_H__ */
