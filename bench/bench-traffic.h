/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Pre-built COLO traffic for bench_sockets: the primary's and the
 * secondary's output as QEMU socket records (be32 len [be32 vnet_hdr_len]
 * payload), with real IPv4/TCP/UDP headers and checksums. */

#ifndef __BENCH_TRAFFIC_H__
#define __BENCH_TRAFFIC_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 *data;                 /* records back to back */
  gsize *off;                   /* n + 1 record offsets into data */
  guint *pos;                   /* secondary only: primary frames generated
                                 * up to this record (for pacing) */
  guint n;
} BenchStream;

typedef struct
{
  const char *name;
  gboolean tcp;
  guint conns;
  guint rounds;                 /* primary frames per connection */
  guint primary_seg;            /* payload bytes per primary data frame */
  guint secondary_seg;          /* the secondary's (TCP: at most) */
  guint vnet_hdr_len;
  BenchStream primary;
  BenchStream secondary;
} BenchTraffic;

/* Workload names, NULL-terminated */
extern const char *const bench_workloads[];

/* Builds about `frames` primary frames over `conns` connections, with
 * `size` payload bytes per primary frame (0: the workload's own; the
 * secondary's segments scale with it).
 * TCP: a SYN|ACK, data, a FIN|ACK per connection, with the same stream
 * cut into other segment sizes on the secondary where the workload says
 * so.  Connection c is client port 10000 + c % 50000 on client address
 * 10.0.(c / 50000).2; every primary frame of connection c in round r
 * carries IP ID r % 65536, so bench_traffic_frame_id() and
 * bench_traffic_round() find it again: primary frame r * conns + c. */
gboolean bench_traffic_build (BenchTraffic * t, const char *workload,
    guint size, guint frames, guint conns, gboolean vnet, GError ** error);
void bench_traffic_clear (BenchTraffic * t);

/* The connection and IP ID of `frame` (a record's payload); FALSE if it
 * is not one of ours. */
gboolean bench_traffic_frame_id (const BenchTraffic * t, const guint8 * frame,
    gsize len, guint * conn, guint16 * ip_id);

/* The round of a frame with `ip_id` of a connection whose rounds below
 * `base` all came out (`base` < rounds): the round r >= base with that IP
 * ID, as long as fewer than 65536 rounds of a connection are in flight;
 * -1 if there is none. */
gint bench_traffic_round (const BenchTraffic * t, guint base, guint16 ip_id);

/* A record carrying an ARP request (forwarded uncompared by both
 * comparators): the readiness probe. */
GBytes *bench_traffic_probe (const BenchTraffic * t);
gboolean bench_traffic_is_probe (const BenchTraffic * t, const guint8 * frame,
    gsize len);

/* Writes PREFIX-primary.pcap and PREFIX-secondary.pcap (host byte order
 * pcap, Ethernet) for a look with tshark or Wireshark. */
gboolean bench_traffic_write_pcaps (const BenchTraffic * t,
    const char *prefix, GError ** error);

G_END_DECLS

#endif /* __BENCH_TRAFFIC_H__ */
