/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the comparator (colo-compare.h), one per rule of docs/design.md. */

#include <string.h>
#include "colo-compare.h"
#include "colo-conn.h"
#include "colo-packet.h"
#include "frames.h"
#include "core_fixture.h"

#define MS (G_GUINT64_CONSTANT (1000000))
#define P COLO_SIDE_PRIMARY
#define S COLO_SIDE_SECONDARY
#define ACK COLO_TCP_ACK
#define PSH COLO_TCP_PSH

typedef CoreFx Fx;

static void
fx_config (Fx * fx, guint64 timeout_ms, guint64 cycle_ms, guint max_queue,
    gboolean auto_release)
{
  ColoCompareConfig cfg;

  colo_compare_config_init (&cfg);
  cfg.compare_timeout = timeout_ms * MS;
  cfg.scan_cycle = cycle_ms * MS;
  cfg.max_queue_size = max_queue;
  cfg.auto_release = auto_release;
  colo_comparator_set_config (fx->c, &cfg);
}

static GBytes *
tcp (Fx * fx, guint32 seq, guint32 ack, guint8 flags, gsize stream_off,
    gsize len)
{
  guint8 *data = pattern_bytes (stream_off, len);
  GBytes *b = frame_tcp (&fx->opts, 80, 40000, seq, ack, flags, 0, data, len);
  g_free (data);
  return b;
}

static GBytes *
udp (Fx * fx, guint16 sport, const char *text)
{
  return frame_udp (&fx->opts, sport, 53, (const guint8 *) text, strlen (text));
}

/* Asserts the released handles are exactly the given list (0-terminated),
 * and resets it. */
static void
assert_released (Fx * fx, ...)
{
  va_list ap;
  guint i = 0, h;

  va_start (ap, fx);
  while ((h = va_arg (ap, guint)) != 0) {
    g_assert_cmpuint (i, <, fx->released->len);
    g_assert_cmpuint (g_array_index (fx->released, guint, i), ==, h);
    i++;
  }
  va_end (ap);
  g_assert_cmpuint (fx->released->len, ==, i);
  g_array_set_size (fx->released, 0);
}

static ColoStats
stats (Fx * fx)
{
  ColoStats st;
  colo_comparator_get_stats (fx->c, &st);
  return st;
}

/* --- UDP, ICMP, other ----------------------------------------------------- */

static void
test_udp_fifo (void)
{
  Fx fx;
  guint p1, p2, p3;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "one"));
  p2 = core_fx_push (&fx, P, udp (&fx, 1000, "two"));
  p3 = core_fx_push (&fx, P, udp (&fx, 1000, "three"));
  assert_released (&fx, 0);
  core_fx_push (&fx, S, udp (&fx, 1000, "one"));
  assert_released (&fx, p1, 0);
  core_fx_push (&fx, S, udp (&fx, 1000, "two"));
  core_fx_push (&fx, S, udp (&fx, 1000, "three"));
  assert_released (&fx, p2, p3, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  g_assert_cmpuint (stats (&fx).released, ==, 3);
  g_assert_cmpuint (stats (&fx).queued_primary, ==, 0);
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  g_assert_cmpuint (stats (&fx).connections, ==, 1);
  core_fx_clear (&fx);
}

static void
test_udp_ip_header_ignored (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  fx.opts.ttl = 64;
  fx.opts.ip_id = 100;
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "same"));
  fx.opts.ttl = 63;
  fx.opts.ip_id = 7;
  fx.opts.eth_padding = 20;     /* padding is not part of the IP payload */
  core_fx_push (&fx, S, udp (&fx, 1000, "same"));
  assert_released (&fx, p1, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_udp_miscompare (void)
{
  Fx fx;
  ColoTrigger *t;
  guint p1, p2;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "hello world"));
  p2 = core_fx_push (&fx, P, udp (&fx, 1000, "next"));
  core_fx_push (&fx, S, udp (&fx, 1000, "hello_world"));
  assert_released (&fx, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_MISCOMPARE);
  g_assert_true (t->has_offset);
  g_assert_cmpuint (t->offset, ==, 5);
  g_assert_false (t->has_tcp_seq);
  g_assert_cmpuint (t->key.ip_proto, ==, 17);
  g_assert_cmpuint (t->key.src_port, ==, 1000);
  g_assert_cmpuint (t->key.dst_port, ==, 53);
  /* the diverged connection compares nothing more until checkpoint-done */
  core_fx_push (&fx, S, udp (&fx, 1000, "next"));
  assert_released (&fx, 0);
  colo_comparator_checkpoint_done (fx.c, 0);
  assert_released (&fx, p1, p2, 0);
  g_assert_cmpuint (stats (&fx).flushed, ==, 2);
  g_assert_cmpuint (stats (&fx).secondary_dropped, ==, 2);
  g_assert_cmpuint (stats (&fx).miscompares, ==, 1);
  /* compares again afterwards */
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "again"));
  core_fx_push (&fx, S, udp (&fx, 1000, "again"));
  assert_released (&fx, p1, 0);
  core_fx_clear (&fx);
}

static void
test_udp_prefix_offset (void)
{
  Fx fx;

  core_fx_init (&fx);
  core_fx_push (&fx, P, udp (&fx, 1000, "abcdef"));
  core_fx_push (&fx, S, udp (&fx, 1000, "abc"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  g_assert_cmpuint (g_array_index (fx.triggers, ColoTrigger, 0).offset, ==, 3);
  core_fx_clear (&fx);
}

static void
test_icmp_offset (void)
{
  Fx fx;
  GBytes *a, *b;
  ColoTrigger *t;

  core_fx_init (&fx);
  a = frame_icmp_echo (&fx.opts, 1, 1, (const guint8 *) "pingdata", 8);
  b = frame_icmp_echo (&fx.opts, 1, 1, (const guint8 *) "pingDATA", 8);
  core_fx_push (&fx, P, a);
  core_fx_push (&fx, S, b);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  g_assert_cmpuint (t->key.ip_proto, ==, 1);
  /* the whole IP payload counts, ICMP header included: the checksum
   * (bytes 2-3) is the first byte that differs */
  g_assert_cmpuint (t->offset, ==, 2);
  core_fx_clear (&fx);
}

static void
test_udp_connections_independent (void)
{
  Fx fx;
  guint a1, b1, a2;

  core_fx_init (&fx);
  a1 = core_fx_push (&fx, P, udp (&fx, 1000, "a1"));
  b1 = core_fx_push (&fx, P, udp (&fx, 2000, "b1"));
  a2 = core_fx_push (&fx, P, udp (&fx, 1000, "a2"));
  core_fx_push (&fx, S, udp (&fx, 2000, "b1"));
  assert_released (&fx, b1, 0);
  core_fx_push (&fx, S, udp (&fx, 1000, "a1"));
  core_fx_push (&fx, S, udp (&fx, 1000, "a2"));
  assert_released (&fx, a1, a2, 0);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  core_fx_clear (&fx);
}

static void
test_ipv6_and_vlan (void)
{
  Fx fx;
  guint p1, p2;

  core_fx_init (&fx);
  fx.opts.ipv6 = TRUE;
  fx.opts.src = "fd00::1";
  fx.opts.dst = "fd00::2";
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "v6"));
  core_fx_push (&fx, S, udp (&fx, 1000, "v6"));
  assert_released (&fx, p1, 0);
  core_fx_push (&fx, P, udp (&fx, 1000, "v6a"));
  core_fx_push (&fx, S, udp (&fx, 1000, "v6b"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  g_assert_cmpuint (g_array_index (fx.triggers, ColoTrigger, 0).key.ip_version,
      ==, 6);
  colo_comparator_checkpoint_done (fx.c, 0);
  g_array_set_size (fx.released, 0);

  /* VLAN 10 and VLAN 20 are different connections */
  fx.opts.ipv6 = FALSE;
  fx.opts.src = "10.0.0.1";
  fx.opts.dst = "10.0.0.2";
  fx.opts.n_vlan = 1;
  fx.opts.vlan_id[0] = 10;
  p1 = core_fx_push (&fx, P, udp (&fx, 1000, "tagged"));
  fx.opts.vlan_id[0] = 20;
  core_fx_push (&fx, S, udp (&fx, 1000, "tagged"));
  assert_released (&fx, 0);
  fx.opts.vlan_id[0] = 10;
  core_fx_push (&fx, S, udp (&fx, 1000, "tagged"));
  assert_released (&fx, p1, 0);
  /* QinQ */
  fx.opts.n_vlan = 2;
  fx.opts.vlan_id[1] = 5;
  p2 = core_fx_push (&fx, P, udp (&fx, 1000, "qinq"));
  core_fx_push (&fx, S, udp (&fx, 1000, "qinq"));
  assert_released (&fx, p2, 0);
  core_fx_clear (&fx);
}

static void
test_arp_and_malformed (void)
{
  Fx fx;
  guint p1, s1, p2, s2;
  GBytes *good, *cut;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, frame_arp (&fx.opts));
  assert_released (&fx, p1, 0);
  s1 = core_fx_push (&fx, S, frame_arp (&fx.opts));
  g_assert_cmpuint (fx.dropped->len, ==, 1);
  g_assert_cmpuint (g_array_index (fx.dropped, guint, 0), ==, s1);

  good = udp (&fx, 1000, "payload");
  cut = g_bytes_new_from_bytes (good, 0, 14 + 10);      /* truncated IPv4 */
  g_bytes_unref (good);
  p2 = core_fx_push (&fx, P, cut);
  assert_released (&fx, p2, 0);
  good = udp (&fx, 1000, "payload");
  cut = g_bytes_new_from_bytes (good, 0, 14 + 10);
  g_bytes_unref (good);
  s2 = core_fx_push (&fx, S, cut);
  g_assert_cmpuint (g_array_index (fx.dropped, guint, 1), ==, s2);
  g_assert_cmpuint (stats (&fx).passed_through, ==, 2);
  g_assert_cmpuint (stats (&fx).secondary_dropped, ==, 2);
  g_assert_cmpuint (stats (&fx).malformed, ==, 2);
  core_fx_clear (&fx);
}

/* --- TCP ------------------------------------------------------------------ */

static void
test_tcp_in_order (void)
{
  Fx fx;
  guint p1, p2;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  p2 = core_fx_push (&fx, P, tcp (&fx, 1100, 1, ACK, 100, 100));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 100));
  assert_released (&fx, p1, 0);
  core_fx_push (&fx, S, tcp (&fx, 1100, 1, ACK, 100, 100));
  assert_released (&fx, p2, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_primary_one_secondary_three (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, tcp (&fx, 5000, 1, ACK | PSH, 0, 3000));
  core_fx_push (&fx, S, tcp (&fx, 5000, 1, ACK, 0, 1000));
  core_fx_push (&fx, S, tcp (&fx, 6000, 1, ACK, 1000, 1000));
  assert_released (&fx, 0);
  core_fx_push (&fx, S, tcp (&fx, 7000, 1, ACK | PSH, 2000, 1000));
  assert_released (&fx, p1, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_primary_three_secondary_one (void)
{
  Fx fx;
  guint p1, p2, p3;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, tcp (&fx, 5000, 1, ACK, 0, 1000));
  p2 = core_fx_push (&fx, P, tcp (&fx, 6000, 1, ACK, 1000, 1000));
  p3 = core_fx_push (&fx, P, tcp (&fx, 7000, 1, ACK, 2000, 1000));
  core_fx_push (&fx, S, tcp (&fx, 5000, 1, ACK, 0, 3000));
  assert_released (&fx, p1, p2, p3, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_out_of_order_primary (void)
{
  Fx fx;
  guint p1, p2;

  core_fx_init (&fx);
  p2 = core_fx_push (&fx, P, tcp (&fx, 1100, 1, ACK, 100, 100));
  p1 = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 200));
  assert_released (&fx, p1, p2, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_miscompare_offset_and_seq (void)
{
  Fx fx;
  ColoTrigger *t;
  GBytes *bad;
  guint8 *data;

  core_fx_init (&fx);
  core_fx_push (&fx, P, tcp (&fx, 5000, 1, ACK, 0, 3000));
  core_fx_push (&fx, S, tcp (&fx, 5000, 1, ACK, 0, 1000));
  data = pattern_bytes (1000, 1000);
  data[500] ^= 0xff;            /* stream byte 1500 differs */
  bad = frame_tcp (&fx.opts, 80, 40000, 6000, 1, ACK, 0, data, 1000);
  g_free (data);
  core_fx_push (&fx, S, bad);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_MISCOMPARE);
  g_assert_cmpuint (t->offset, ==, 1500);
  g_assert_true (t->has_tcp_seq);
  g_assert_cmpuint (t->tcp_seq, ==, 6500);
  g_assert_cmpuint (t->key.ip_proto, ==, 6);
  /* the excerpts line up on stream byte 1500, though it is byte 1500 of
   * the primary's segment and byte 500 of the secondary's */
  {
    guint8 *want = pattern_bytes (1500 - 16, 32);

    g_assert_cmpuint (t->excerpt_before, ==, 16);
    g_assert_cmpmem (t->excerpt[P], t->excerpt_len[P], want, 32);
    want[16] ^= 0xff;
    g_assert_cmpmem (t->excerpt[S], t->excerpt_len[S], want, 32);
    g_free (want);
  }
  assert_released (&fx, 0);
  core_fx_clear (&fx);
}

/* Near the start of a payload the excerpts hold fewer bytes before the
 * difference (the same number on both sides); near the end, fewer after. */
static void
test_excerpt_bounds (void)
{
  Fx fx;
  ColoTrigger *t;

  core_fx_init (&fx);
  core_fx_push (&fx, P, udp (&fx, 1000, "abcdefghij"));
  core_fx_push (&fx, S, udp (&fx, 1000, "abcXefghijklm"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (t->offset, ==, 3);
  g_assert_cmpuint (t->excerpt_before, ==, 3);
  g_assert_cmpmem (t->excerpt[P], t->excerpt_len[P], "abcdefghij", 10);
  g_assert_cmpmem (t->excerpt[S], t->excerpt_len[S], "abcXefghijklm", 13);
  core_fx_clear (&fx);
}

/* A secondary RST where the primary sends data: the secondary has no byte
 * there, its excerpt is empty. */
static void
test_excerpt_secondary_reset (void)
{
  Fx fx;
  ColoTrigger *t;
  guint8 *want;

  core_fx_init (&fx);
  core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 40));
  core_fx_push (&fx, S, tcp (&fx, 1040, 1, ACK | COLO_TCP_RST, 40, 0));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (t->offset, ==, 40);
  g_assert_cmpuint (t->excerpt_before, ==, 16);
  want = pattern_bytes (24, 32);
  g_assert_cmpmem (t->excerpt[P], t->excerpt_len[P], want, 32);
  g_free (want);
  g_assert_cmpuint (t->excerpt_len[S], ==, 0);
  core_fx_clear (&fx);
}

typedef struct
{
  guint n[2][2];                /* [side][queued] */
  guint64 last_arrival[2];
} FrameCount;

static void
count_frame (const ColoFrameInfo * f, gpointer user_data)
{
  FrameCount *fc = user_data;

  fc->n[f->side][f->queued]++;
  g_assert_cmpuint (f->arrival, >=, fc->last_arrival[f->side]);
  fc->last_arrival[f->side] = f->arrival;
  /* from the Ethernet header on: IPv4 ethertype at 12 */
  g_assert_cmpuint (f->data[12], ==, 0x08);
}

/* With a history, the frames of a diverged connection that went out
 * before are shown with the ones still queued; other connections' are
 * not. */
static void
test_history_on_conn (void)
{
  Fx fx;
  ColoCompareConfig cfg;
  FrameCount fc = { 0 };
  ColoTrigger *t;
  guint i;

  core_fx_init (&fx);
  fx.opts.vnet_hdr_len = 12;
  colo_compare_config_init (&cfg);
  cfg.history = 4;
  colo_comparator_set_config (fx.c, &cfg);
  for (i = 0; i < 6; i++) {
    core_fx_push_at (&fx, P, udp (&fx, 1000, "same"), i);
    core_fx_push_at (&fx, S, udp (&fx, 1000, "same"), i);
  }
  core_fx_push_at (&fx, P, udp (&fx, 2000, "other"), 6);
  core_fx_push_at (&fx, S, udp (&fx, 2000, "other"), 6);
  core_fx_push_at (&fx, P, udp (&fx, 1000, "left"), 7);
  core_fx_push_at (&fx, S, udp (&fx, 1000, "right"), 7);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  colo_comparator_foreach_on_conn (fx.c, &t->key, 16, count_frame, &fc);
  /* history 4 per side: 3 of port 1000 (the 4th is port 2000's) */
  g_assert_cmpuint (fc.n[P][FALSE], ==, 3);
  g_assert_cmpuint (fc.n[S][FALSE], ==, 3);
  g_assert_cmpuint (fc.n[P][TRUE], ==, 1);
  g_assert_cmpuint (fc.n[S][TRUE], ==, 1);

  /* max_per_side bounds the queued ones */
  memset (&fc, 0, sizeof (fc));
  cfg.history = 0;
  colo_comparator_set_config (fx.c, &cfg);
  colo_comparator_foreach_on_conn (fx.c, &t->key, 0, count_frame, &fc);
  g_assert_cmpuint (fc.n[P][FALSE] + fc.n[P][TRUE] + fc.n[S][FALSE] +
      fc.n[S][TRUE], ==, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_options_and_headers_ignored (void)
{
  Fx fx;
  guint8 *data = pattern_bytes (0, 50);
  guint p1;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, frame_tcp (&fx.opts, 80, 40000, 1, 1, ACK, 12,
          data, 50));
  fx.opts.ttl = 1;
  fx.opts.ip_id = 999;
  fx.opts.ip_options_len = 8;
  core_fx_push (&fx, S, frame_tcp (&fx.opts, 80, 40000, 1, 1, ACK, 0, data,
          50));
  assert_released (&fx, p1, 0);
  g_free (data);
  core_fx_clear (&fx);
}

static void
test_tcp_retransmission (void)
{
  Fx fx;
  guint p1, r1;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 100));
  assert_released (&fx, p1, 0);
  /* the primary retransmits: released without any secondary */
  r1 = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  assert_released (&fx, r1, 0);
  /* a secondary retransmission is dropped */
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 100));
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  /* partially new data: only the new part is compared */
  r1 = core_fx_push (&fx, P, tcp (&fx, 1050, 1, ACK, 50, 100));
  assert_released (&fx, 0);
  core_fx_push (&fx, S, tcp (&fx, 1100, 1, ACK, 100, 50));
  assert_released (&fx, r1, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_pure_ack (void)
{
  Fx fx;
  guint a, d;

  core_fx_init (&fx);
  a = core_fx_push (&fx, P, tcp (&fx, 1000, 500, ACK, 0, 0));
  assert_released (&fx, a, 0);
  core_fx_push (&fx, S, tcp (&fx, 1000, 500, ACK, 0, 0));
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  g_assert_cmpuint (stats (&fx).queued_primary, ==, 0);
  core_fx_clear (&fx);

  /* behind queued data it keeps sequence order, and is not ack-gated */
  core_fx_init (&fx);
  d = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  a = core_fx_push (&fx, P, tcp (&fx, 1100, 900, ACK, 0, 0));
  assert_released (&fx, 0);
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 100));
  assert_released (&fx, d, a, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_ack_gating (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  /* the primary acknowledges client data up to 900, the secondary only
   * up to 500 so far */
  p1 = core_fx_push (&fx, P, tcp (&fx, 1000, 900, ACK, 0, 100));
  core_fx_push (&fx, S, tcp (&fx, 1000, 500, ACK, 0, 100));
  assert_released (&fx, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);   /* waiting, not diverged */
  core_fx_push (&fx, S, tcp (&fx, 1100, 900, ACK, 100, 0));     /* pure ACK */
  assert_released (&fx, p1, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_wraparound (void)
{
  Fx fx;
  guint p1, p2, p3;
  guint32 base = 0xFFFFFF00u;

  core_fx_init (&fx);
  /* seq crosses 2^32 inside the segments; acks wrap too */
  p1 = core_fx_push (&fx, P, tcp (&fx, base, 0xFFFFFFF0u, ACK, 0, 200));
  p2 = core_fx_push (&fx, P, tcp (&fx, base + 200, 0x10, ACK, 200, 200));
  core_fx_push (&fx, S, tcp (&fx, base, 0xFFFFFFF0u, ACK, 0, 300));
  assert_released (&fx, p1, 0); /* p2 waits: ack 0x10 is ahead */
  core_fx_push (&fx, S, tcp (&fx, base + 300, 0x10, ACK, 300, 100));
  assert_released (&fx, p2, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  /* a retransmission from before the wrap is recognised as old */
  p3 = core_fx_push (&fx, P, tcp (&fx, base + 100, 0x10, ACK, 100, 50));
  assert_released (&fx, p3, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_syn_fin_compared (void)
{
  Fx fx;
  guint syn, fin;
  ColoTrigger *t;

  core_fx_init (&fx);
  syn = core_fx_push (&fx, P, tcp (&fx, 999, 1, COLO_TCP_SYN | ACK, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 999, 1, COLO_TCP_SYN | ACK, 0, 0));
  assert_released (&fx, syn, 0);
  fin = core_fx_push (&fx, P, tcp (&fx, 1000, 1, COLO_TCP_FIN | ACK, 0, 10));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, COLO_TCP_FIN | ACK, 0, 10));
  assert_released (&fx, fin, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);

  /* FIN on the primary where the secondary sends more data */
  core_fx_clear (&fx);
  core_fx_init (&fx);
  core_fx_push (&fx, P, tcp (&fx, 1000, 1, COLO_TCP_FIN | ACK, 0, 10));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 20));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (t->offset, ==, 10);
  g_assert_cmpuint (t->tcp_seq, ==, 1010);
  assert_released (&fx, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_rst_compared (void)
{
  Fx fx;
  guint d, r;
  ColoTrigger *t;

  core_fx_init (&fx);
  d = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  r = core_fx_push (&fx, P, tcp (&fx, 1010, 1, COLO_TCP_RST | ACK, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  assert_released (&fx, d, 0);  /* the RST waits for the secondary's */
  core_fx_push (&fx, S, tcp (&fx, 1010, 1, COLO_TCP_RST | ACK, 0, 0));
  assert_released (&fx, r, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);

  /* primary RST where the secondary goes on sending */
  core_fx_init (&fx);
  core_fx_push (&fx, P, tcp (&fx, 1000, 1, COLO_TCP_RST | ACK, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (t->tcp_seq, ==, 1000);
  core_fx_clear (&fx);

  /* secondary RST where the primary goes on sending */
  core_fx_init (&fx);
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, COLO_TCP_RST | ACK, 0, 0));
  core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  assert_released (&fx, 0);
  core_fx_clear (&fx);
}

static void
test_tcp_checkpoint_resyncs (void)
{
  Fx fx;
  guint p1, p2;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100));
  colo_comparator_checkpoint_done (fx.c, 0);
  assert_released (&fx, p1, 0);
  /* after the checkpoint the secondary continues where the primary was */
  p2 = core_fx_push (&fx, P, tcp (&fx, 1100, 1, ACK, 100, 100));
  core_fx_push (&fx, S, tcp (&fx, 1100, 1, ACK, 100, 100));
  assert_released (&fx, p2, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* --- TCP connection lifecycle --------------------------------------------- */

#define SYN COLO_TCP_SYN
#define FIN COLO_TCP_FIN
#define RST COLO_TCP_RST

static GBytes *
tcp_text (Fx * fx, guint32 seq, guint32 ack, guint8 flags, const char *text)
{
  return frame_tcp (&fx->opts, 80, 40000, seq, ack, flags, 0,
      (const guint8 *) text, strlen (text));
}

/* One whole connection on the 4-tuple, the same on both sides: SYN-ACK at
 * isn, 10 bytes, FIN.  Returns the primary's handles in *h (3 of them). */
static void
whole_connection (Fx * fx, guint32 isn, guint64 now, guint h[3])
{
  h[0] = core_fx_push_at (fx, P, tcp (fx, isn, 1, SYN | ACK, 0, 0), now);
  core_fx_push_at (fx, S, tcp (fx, isn, 1, SYN | ACK, 0, 0), now);
  h[1] = core_fx_push_at (fx, P, tcp (fx, isn + 1, 1, ACK, 0, 10), now);
  core_fx_push_at (fx, S, tcp (fx, isn + 1, 1, ACK, 0, 10), now);
  h[2] = core_fx_push_at (fx, P, tcp (fx, isn + 11, 1, FIN | ACK, 0, 0), now);
  core_fx_push_at (fx, S, tcp (fx, isn + 11, 1, FIN | ACK, 0, 0), now);
}

/* TIME-WAIT reuse: Linux gives the new connection an ISN above the old
 * one's end; it is compared on its own, not as a gap in the old stream. */
static void
test_tcp_reuse_isn_ahead (void)
{
  Fx fx;
  guint old[3], syn, data;
  guint32 isn = 1011 + 65537;

  core_fx_init (&fx);
  whole_connection (&fx, 999, 0, old);
  assert_released (&fx, old[0], old[1], old[2], 0);
  syn = core_fx_push (&fx, P, tcp (&fx, isn, 1, SYN | ACK, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, isn, 1, SYN | ACK, 0, 0));
  data = core_fx_push (&fx, P, tcp (&fx, isn + 1, 1, ACK, 0, 20));
  core_fx_push (&fx, S, tcp (&fx, isn + 1, 1, ACK, 0, 20));
  assert_released (&fx, syn, data, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  g_assert_cmpuint (stats (&fx).queued_primary, ==, 0);
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  core_fx_clear (&fx);
}

/* A quick reconnect after an abortive close can take an ISN below the old
 * end: its segments are not retransmissions of the old stream, they are
 * compared, and a divergence in them is found. */
static void
test_tcp_reuse_isn_below_diverges (void)
{
  Fx fx;
  guint d, r, syn;
  ColoTrigger *t;

  core_fx_init (&fx);
  d = core_fx_push (&fx, P, tcp (&fx, 5000, 1, ACK, 0, 100));
  core_fx_push (&fx, S, tcp (&fx, 5000, 1, ACK, 0, 100));
  r = core_fx_push (&fx, P, tcp (&fx, 5100, 1, RST, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 5100, 1, RST | ACK, 0, 0));
  assert_released (&fx, d, r, 0);

  syn = core_fx_push (&fx, P, tcp (&fx, 700, 0, SYN, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 700, 0, SYN, 0, 0));
  assert_released (&fx, syn, 0);
  core_fx_push (&fx, P, tcp_text (&fx, 701, 9, ACK, "GET /index.html"));
  core_fx_push (&fx, S, tcp_text (&fx, 701, 9, ACK, "GET /indeX.html"));
  assert_released (&fx, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_MISCOMPARE);
  g_assert_cmpuint (t->offset, ==, 9);
  g_assert_cmpuint (t->tcp_seq, ==, 710);
  core_fx_clear (&fx);
}

/* The primary ends the old connection and begins the new one before the
 * secondary has sent anything: each is compared with its own twin. */
static void
test_tcp_reuse_old_still_queued (void)
{
  Fx fx;
  guint h[5];

  core_fx_init (&fx);
  h[0] = core_fx_push (&fx, P, tcp (&fx, 999, 1, SYN | ACK, 0, 0));
  h[1] = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  h[2] = core_fx_push (&fx, P, tcp (&fx, 1010, 1, FIN | ACK, 0, 0));
  h[3] = core_fx_push (&fx, P, tcp (&fx, 500, 0, SYN, 0, 0));
  h[4] = core_fx_push (&fx, P, tcp (&fx, 501, 7, ACK, 0, 20));
  core_fx_push (&fx, S, tcp (&fx, 999, 1, SYN | ACK, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  assert_released (&fx, h[0], h[1], 0);
  core_fx_push (&fx, S, tcp (&fx, 1010, 1, FIN | ACK, 0, 0));
  assert_released (&fx, h[2], 0);
  core_fx_push (&fx, S, tcp (&fx, 500, 0, SYN, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 501, 7, ACK, 0, 20));
  assert_released (&fx, h[3], h[4], 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* A retransmitted SYN (same ISN) stays in its instance. */
static void
test_tcp_repeated_syn_same_instance (void)
{
  Fx fx;
  guint s1, s2, d;

  core_fx_init (&fx);
  s1 = core_fx_push (&fx, P, tcp (&fx, 999, 0, SYN, 0, 0));
  s2 = core_fx_push (&fx, P, tcp (&fx, 999, 0, SYN, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 999, 0, SYN, 0, 0));
  d = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  assert_released (&fx, s1, s2, d, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* The secondary ends the old instance short and moves on: the primary's
 * bytes it never sent are a divergence, found when it moves on. */
static void
test_tcp_instance_missing_tail (void)
{
  Fx fx;
  ColoTrigger *t;

  core_fx_init (&fx);
  core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 20));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  core_fx_push (&fx, S, tcp (&fx, 300, 0, SYN, 0, 0));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpuint (t->tcp_seq, ==, 1010);
  g_assert_cmpuint (t->offset, ==, 10);
  assert_released (&fx, 0);
  core_fx_clear (&fx);
}

/* After an abortive close the primary answers late segments with more
 * RSTs at the matched position: they go out at once. */
static void
test_tcp_repeated_rst (void)
{
  Fx fx;
  guint d, r1, r2, r3;

  core_fx_init (&fx);
  d = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  r1 = core_fx_push (&fx, P, tcp (&fx, 1010, 1, RST | ACK, 0, 0));
  r2 = core_fx_push (&fx, P, tcp (&fx, 1010, 0, RST, 0, 0));
  core_fx_push (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10));
  assert_released (&fx, d, 0);
  core_fx_push (&fx, S, tcp (&fx, 1010, 1, RST | ACK, 0, 0));
  assert_released (&fx, r1, r2, 0);
  r3 = core_fx_push (&fx, P, tcp (&fx, 1010, 0, RST, 0, 0));
  assert_released (&fx, r3, 0);
  /* the secondary repeats its RST too: nothing waits for it */
  core_fx_push (&fx, S, tcp (&fx, 1010, 0, RST, 0, 0));
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* A secondary RST with no primary RST is held, and goes stale. */
static void
test_tcp_lone_secondary_rst_goes_stale (void)
{
  Fx fx;
  guint d;

  core_fx_init (&fx);
  fx_config (&fx, 300, 50, 1024, FALSE);
  d = core_fx_push_at (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10), 0);
  core_fx_push_at (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 10), 0);
  core_fx_push_at (&fx, S, tcp (&fx, 1010, 1, RST | ACK, 0, 0), 0);
  assert_released (&fx, d, 0);
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 1);
  colo_comparator_check_stale (fx.c, 300 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  g_assert_cmpint (g_array_index (fx.triggers, ColoTrigger, 0).reason, ==,
      COLO_TRIGGER_STALE);
  core_fx_clear (&fx);
}

static void
fx_linger (Fx * fx, guint64 linger_ms, guint64 idle_ms)
{
  ColoCompareConfig cfg;

  colo_compare_config_init (&cfg);
  cfg.tcp_linger = linger_ms * MS;
  cfg.idle_timeout = idle_ms * MS;
  colo_comparator_set_config (fx->c, &cfg);
}

/* An ended connection is forgotten after the linger, an open one only
 * after the idle timeout. */
static void
test_tcp_ended_forgotten_after_linger (void)
{
  Fx fx;
  guint h[3];

  core_fx_init (&fx);
  fx_linger (&fx, 1000, 10000);
  whole_connection (&fx, 999, 0, h);
  /* an open TCP connection on other ports */
  core_fx_push_at (&fx, P, frame_tcp (&fx.opts, 81, 40000, 1, 1, ACK, 0,
          (const guint8 *) "x", 1), 0);
  core_fx_push_at (&fx, S, frame_tcp (&fx.opts, 81, 40000, 1, 1, ACK, 0,
          (const guint8 *) "x", 1), 0);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  /* a retransmitted FIN during the linger is released at once */
  g_array_set_size (fx.released, 0);
  h[0] =
      core_fx_push_at (&fx, P, tcp (&fx, 1010, 1, FIN | ACK, 0, 0), 500 * MS);
  assert_released (&fx, h[0], 0);
  colo_comparator_check_stale (fx.c, 1499 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  colo_comparator_check_stale (fx.c, 1500 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 1);
  g_assert_cmpuint (stats (&fx).closed, ==, 1);
  g_assert_cmpuint (stats (&fx).evicted, ==, 0);
  colo_comparator_check_stale (fx.c, 10000 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 0);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* A checkpoint flushes both instances in order; the secondary then goes on
 * in the primary's new instance. */
static void
test_tcp_checkpoint_across_instances (void)
{
  Fx fx;
  guint h[4], d;

  core_fx_init (&fx);
  h[0] = core_fx_push (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 10));
  h[1] = core_fx_push (&fx, P, tcp (&fx, 1010, 1, FIN | ACK, 0, 0));
  h[2] = core_fx_push (&fx, P, tcp (&fx, 500, 0, SYN, 0, 0));
  h[3] = core_fx_push (&fx, P, tcp (&fx, 501, 7, ACK, 0, 10));
  colo_comparator_checkpoint_done (fx.c, 0);
  assert_released (&fx, h[0], h[1], h[2], h[3], 0);
  d = core_fx_push (&fx, P, tcp (&fx, 511, 7, ACK, 10, 10));
  core_fx_push (&fx, S, tcp (&fx, 511, 7, ACK, 10, 10));
  assert_released (&fx, d, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

/* The connection table's own accounting: at most 200 bytes per tracked
 * connection (the benchmark measures the process's memory). */
static void
test_memory_per_connection (void)
{
  const guint n = 100000;
  Fx fx;
  guint i;
  gsize bytes;

  core_fx_init (&fx);
  for (i = 0; i < n; i++) {
    core_fx_push (&fx, P, frame_udp (&fx.opts, 1024 + i / 60000, 1 + i % 60000,
            (const guint8 *) "x", 1));
    core_fx_push (&fx, S, frame_udp (&fx.opts, 1024 + i / 60000, 1 + i % 60000,
            (const guint8 *) "x", 1));
  }
  g_assert_cmpuint (stats (&fx).connections, ==, n);
  g_assert_cmpuint (stats (&fx).released, ==, n);
  bytes = colo_comparator_table_bytes (fx.c);
  g_test_message ("%" G_GSIZE_FORMAT " bytes per connection", bytes / n);
  g_assert_cmpuint (bytes / n, <=, 200);
  /* frames are freed as they go: only the table is left */
  g_ptr_array_set_size (fx.frames, 0);
  core_fx_clear (&fx);
}

/* --- time, requests, queue, failover -------------------------------------- */

static void
test_stale_each_side (void)
{
  Fx fx;
  ColoTrigger *t;

  core_fx_init (&fx);
  fx_config (&fx, 300, 50, 1024, FALSE);
  core_fx_push_at (&fx, P, udp (&fx, 1000, "lonely"), 100 * MS);
  g_assert_cmpuint (colo_comparator_next_stale_time (fx.c), ==, 400 * MS);
  /* checked on the 50 ms grid: at 400 ms, then each cycle after now */
  g_assert_cmpuint (colo_comparator_next_scan_time (fx.c, 100 * MS), ==,
      400 * MS);
  g_assert_cmpuint (colo_comparator_next_scan_time (fx.c, 420 * MS), ==,
      450 * MS);
  colo_comparator_check_stale (fx.c, 399 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  colo_comparator_check_stale (fx.c, 400 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_STALE);
  g_assert_cmpint (t->side, ==, P);
  g_assert_cmpuint (t->time, ==, 400 * MS);
  colo_comparator_checkpoint_done (fx.c, 400 * MS);
  g_assert_cmpuint (colo_comparator_next_stale_time (fx.c), ==, G_MAXUINT64);
  g_assert_cmpuint (colo_comparator_next_scan_time (fx.c, 400 * MS), ==,
      G_MAXUINT64);

  core_fx_push_at (&fx, S, udp (&fx, 1000, "lonely too"), 1000 * MS);
  colo_comparator_check_stale (fx.c, 1299 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  colo_comparator_check_stale (fx.c, 1300 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 2);
  t = &g_array_index (fx.triggers, ColoTrigger, 1);
  g_assert_cmpint (t->side, ==, S);
  g_assert_cmpuint (stats (&fx).stale, ==, 2);
  core_fx_clear (&fx);
}

static void
test_once_per_episode (void)
{
  Fx fx;

  core_fx_init (&fx);
  fx_config (&fx, 3000, 100, 1024, FALSE);
  core_fx_push_at (&fx, P, udp (&fx, 1, "a"), 0);
  core_fx_push_at (&fx, S, udp (&fx, 1, "b"), 0);
  core_fx_push_at (&fx, P, udp (&fx, 2, "a"), 10 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 2, "b"), 10 * MS);
  g_assert_cmpuint (stats (&fx).miscompares, ==, 2);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  /* unanswered: posted again, at most once per scan cycle */
  core_fx_push_at (&fx, P, udp (&fx, 3, "a"), 100 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 3, "b"), 100 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 2);
  core_fx_push_at (&fx, P, udp (&fx, 4, "a"), 150 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 4, "b"), 150 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 2);
  g_assert_cmpuint (stats (&fx).checkpoints_requested, ==, 2);
  colo_comparator_checkpoint_done (fx.c, 160 * MS);
  core_fx_push_at (&fx, P, udp (&fx, 5, "a"), 170 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 5, "b"), 170 * MS);
  g_assert_cmpuint (fx.triggers->len, ==, 3);
  core_fx_clear (&fx);
}

static void
test_queue_full (void)
{
  Fx fx;
  guint p[5], i;

  core_fx_init (&fx);
  fx_config (&fx, 3000, 1000, 3, FALSE);
  for (i = 0; i < 5; i++)
    p[i] = core_fx_push (&fx, P, udp (&fx, 1, "x"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  g_assert_cmpint (g_array_index (fx.triggers, ColoTrigger, 0).reason, ==,
      COLO_TRIGGER_QUEUE_FULL);
  g_assert_cmpuint (stats (&fx).queued_primary, ==, 5); /* none dropped */
  colo_comparator_checkpoint_done (fx.c, 0);
  assert_released (&fx, p[0], p[1], p[2], p[3], p[4], 0);
  core_fx_clear (&fx);
}

/* A batch (the element's input since its last pass, one pad after the
 * other): a queue is judged full at the end of the batch, once the other
 * side's frames of the batch are in. */
static void
test_queue_full_batch (void)
{
  static const char *text[] = { "a", "b", "c", "d" };
  Fx fx;
  ColoTrigger *t;
  guint p[4], i;

  core_fx_init (&fx);
  fx_config (&fx, 3000, 1000, 4, FALSE);

  /* max_queue_size primaries, then their secondaries: no request */
  colo_comparator_begin_batch (fx.c);
  for (i = 0; i < 4; i++)
    p[i] = core_fx_push (&fx, P, udp (&fx, 1, text[i]));
  for (i = 0; i < 4; i++)
    core_fx_push (&fx, S, udp (&fx, 1, text[i]));
  colo_comparator_end_batch (fx.c);
  assert_released (&fx, p[0], p[1], p[2], p[3], 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  g_assert_cmpuint (stats (&fx).queue_full, ==, 0);

  /* still full at the end: one request, when the batch ends */
  colo_comparator_begin_batch (fx.c);
  for (i = 0; i < 4; i++)
    p[i] = core_fx_push (&fx, P, udp (&fx, 2, text[i]));
  core_fx_push (&fx, S, udp (&fx, 2, text[0]));
  core_fx_push (&fx, S, udp (&fx, 3, "other connection"));
  for (i = 0; i < 4; i++)
    core_fx_push (&fx, S, udp (&fx, 4, text[i]));
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  colo_comparator_end_batch (fx.c);
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  t = &g_array_index (fx.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_QUEUE_FULL);
  g_assert_cmpint (t->side, ==, S);
  g_assert_cmpuint (t->key.src_port, ==, 4);
  g_assert_cmpuint (stats (&fx).queue_full, ==, 1);
  assert_released (&fx, p[0], 0);       /* connection 2 is below max */
  colo_comparator_checkpoint_done (fx.c, 0);

  /* outside a batch, each push is judged at once */
  for (i = 0; i < 4; i++)
    core_fx_push (&fx, P, udp (&fx, 5, text[i]));
  g_assert_cmpuint (fx.triggers->len, ==, 2);
  core_fx_clear (&fx);
}

static void
test_auto_release (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  fx_config (&fx, 3000, 1000, 1024, TRUE);
  p1 = core_fx_push (&fx, P, udp (&fx, 1, "a"));
  core_fx_push (&fx, S, udp (&fx, 1, "b"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  assert_released (&fx, p1, 0);
  g_assert_cmpuint (stats (&fx).queued_secondary, ==, 0);
  core_fx_clear (&fx);
}

static void
test_failover (void)
{
  Fx fx;
  guint p1, p2;

  core_fx_init (&fx);
  p1 = core_fx_push (&fx, P, udp (&fx, 1, "a"));
  colo_comparator_failover (fx.c, 0);
  assert_released (&fx, p1, 0);
  p2 = core_fx_push (&fx, P, udp (&fx, 1, "b"));
  assert_released (&fx, p2, 0);
  core_fx_push (&fx, S, udp (&fx, 1, "c"));
  g_assert_cmpuint (fx.dropped->len, ==, 1);
  g_assert_cmpuint (stats (&fx).passed_through, ==, 1);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_discard (void)
{
  Fx fx;

  core_fx_init (&fx);
  core_fx_push (&fx, P, udp (&fx, 1, "a"));
  core_fx_push (&fx, P, tcp (&fx, 1, 1, ACK, 0, 10));
  core_fx_push (&fx, S, udp (&fx, 2, "b"));
  g_assert_cmpuint (colo_comparator_discard (fx.c), ==, 2);
  g_assert_cmpuint (fx.dropped->len, ==, 3);
  g_assert_cmpuint (stats (&fx).dropped, ==, 3);
  g_assert_cmpuint (stats (&fx).connections, ==, 0);
  assert_released (&fx, 0);
  core_fx_clear (&fx);
}

static void
test_two_comparators_independent (void)
{
  Fx a, b;

  core_fx_init (&a);
  core_fx_init (&b);
  core_fx_push (&a, P, udp (&a, 1, "x"));
  core_fx_push (&b, P, udp (&b, 1, "x"));
  core_fx_push (&a, S, udp (&a, 1, "y"));
  g_assert_cmpuint (a.triggers->len, ==, 1);
  g_assert_cmpuint (b.triggers->len, ==, 0);
  core_fx_push (&b, S, udp (&b, 1, "x"));
  g_assert_cmpuint (b.released->len, ==, 1);
  core_fx_clear (&a);
  core_fx_clear (&b);
}

static void
test_vnet_header (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  fx.opts.vnet_hdr_len = 12;
  p1 = core_fx_push (&fx, P, tcp (&fx, 1, 1, ACK, 0, 10));
  core_fx_push (&fx, S, tcp (&fx, 1, 1, ACK, 0, 10));
  assert_released (&fx, p1, 0);
  g_assert_cmpuint (stats (&fx).malformed, ==, 0);
  core_fx_clear (&fx);
}

static void
fx_idle_timeout (Fx * fx, guint64 idle_ms)
{
  ColoCompareConfig cfg;

  colo_compare_config_init (&cfg);
  cfg.idle_timeout = idle_ms * MS;
  colo_comparator_set_config (fx->c, &cfg);
}

static void
test_idle_eviction (void)
{
  Fx fx;

  core_fx_init (&fx);
  fx_idle_timeout (&fx, 1000);
  core_fx_push_at (&fx, P, udp (&fx, 1, "a"), 0);
  core_fx_push_at (&fx, S, udp (&fx, 1, "a"), 0);
  core_fx_push_at (&fx, P, udp (&fx, 2, "b"), 500 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 2, "b"), 500 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  /* 999 ms after its last frame, connection 1 is still known */
  core_fx_push_at (&fx, P, udp (&fx, 2, "c"), 999 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  /* at 1000 ms it is forgotten; connection 2, in use, is not */
  core_fx_push_at (&fx, S, udp (&fx, 2, "c"), 1000 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 1);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1);
  g_assert_cmpuint (fx.released->len, ==, 3);
  /* a forgotten connection that comes back is a new one, compared as usual */
  core_fx_push_at (&fx, P, udp (&fx, 1, "d"), 1100 * MS);
  core_fx_push_at (&fx, S, udp (&fx, 1, "d"), 1100 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  g_assert_cmpuint (fx.released->len, ==, 4);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_idle_eviction_keeps_held_frames (void)
{
  Fx fx;
  guint p1;

  core_fx_init (&fx);
  fx_idle_timeout (&fx, 1000);
  p1 = core_fx_push_at (&fx, P, udp (&fx, 1, "held"), 0);
  core_fx_push_at (&fx, P, udp (&fx, 2, "x"), 5000 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  g_assert_cmpuint (stats (&fx).evicted, ==, 0);
  colo_comparator_checkpoint_done (fx.c, 5000 * MS);
  g_assert_cmpuint (g_array_index (fx.released, guint, 0), ==, p1);
  /* emptied by the checkpoint, connection 1 can go now */
  core_fx_push_at (&fx, P, udp (&fx, 2, "y"), 7000 * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 1);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1);
  core_fx_clear (&fx);
}

/* The connection of frame (bytes), looked up in the comparator's table */
static ColoConn *
conn_of (Fx * fx, GBytes * frame)
{
  ColoConnTable *t = colo_comparator_get_conn_table (fx->c);
  ColoPacketInfo info;
  ColoConnKey key;
  gboolean created;
  ColoConn *conn;
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);

  g_assert_cmpint (colo_packet_parse (data, size, 0, &info), ==, COLO_PARSE_OK);
  colo_conn_key_from_info (&key, &info);
  conn = colo_conn_table_lookup (t, &key, &created);
  g_assert_false (created);
  return conn;
}

/* A connection that holds frames is on no idle list, so forgetting idle
 * connections never walks it: with 50 000 connections holding frames long
 * past idle-timeout, a push examines at most a few idle entries (the
 * table counts them), not all 50 000 on every push. */
static void
test_idle_held_not_walked (void)
{
  const guint n_held = 50000, n_pushes = 100;
  ColoConnTable *t;
  GBytes *first;
  guint64 visits;
  guint i;
  Fx fx;

  core_fx_init (&fx);
  fx_idle_timeout (&fx, 1000);
  t = colo_comparator_get_conn_table (fx.c);
  first = udp (&fx, 1, "held");
  core_fx_push_at (&fx, P, first, 0);
  for (i = 1; i < n_held; i++)
    core_fx_push_at (&fx, P, udp (&fx, 1 + i, "held"), 0);
  g_assert_cmpuint (colo_conn_table_size (t), ==, n_held);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_NONE), ==, n_held);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_OPEN), ==, 0);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_ENDED), ==, 0);
  g_assert_cmpuint (conn_of (&fx, first)->idle_list, ==, COLO_IDLE_NONE);

  /* 5 s later: every held connection is idle for longer than the
   * timeout, and a matched pair on another connection goes through */
  visits = colo_conn_table_idle_visits (t);
  for (i = 0; i < n_pushes; i++) {
    guint64 now = (5000 + i) * MS;

    core_fx_push_at (&fx, P, udp (&fx, 60000, "pair"), now);
    core_fx_push_at (&fx, S, udp (&fx, 60000, "pair"), now);
  }
  g_assert_cmpuint (fx.released->len, ==, n_pushes);
  /* the idle pair's connection is the one entry there is to examine */
  g_assert_cmpuint (colo_conn_table_idle_visits (t) - visits, <=,
      4 * 2 * n_pushes);
  g_assert_cmpuint (stats (&fx).evicted, ==, 0);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_NONE), ==, n_held);
  g_assert_cmpuint (conn_of (&fx, first)->idle_list, ==, COLO_IDLE_NONE);

  /* emptied by the checkpoint, they become idle then, and are forgotten
   * an idle-timeout later, not at once */
  colo_comparator_checkpoint_done (fx.c, 6000 * MS);
  g_assert_cmpuint (fx.released->len, ==, n_pushes + n_held);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_NONE), ==, 0);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_OPEN), ==,
      n_held + 1);
  /* (the pair's connection, idle since 5099 ms, goes) */
  core_fx_push_at (&fx, P, udp (&fx, 60001, "x"), 6999 * MS);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1);
  g_assert_cmpuint (colo_conn_table_idle_count (t, COLO_IDLE_OPEN), ==, n_held);
  core_fx_push_at (&fx, P, udp (&fx, 60001, "y"), 7000 * MS);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1 + n_held);
  g_assert_cmpuint (colo_conn_table_size (t), ==, 1);
  colo_comparator_checkpoint_done (fx.c, 7000 * MS);
  core_fx_clear (&fx);
}

static void
test_idle_eviction_tcp_resumes (void)
{
  Fx fx;
  guint p1, p2, ka;

  core_fx_init (&fx);
  fx_idle_timeout (&fx, 1000);
  p1 = core_fx_push_at (&fx, P, tcp (&fx, 1000, 1, ACK, 0, 100), 0);
  core_fx_push_at (&fx, S, tcp (&fx, 1000, 1, ACK, 0, 100), 0);
  assert_released (&fx, p1, 0);
  /* another flow's frame makes the idle stream go */
  core_fx_push_at (&fx, P, udp (&fx, 9, "z"), 2000 * MS);
  g_assert_cmpuint (stats (&fx).evicted, ==, 1);
  g_array_set_size (fx.released, 0);
  /* a keepalive (pure ACK, seq - 1) goes out uncompared */
  ka = core_fx_push_at (&fx, P, tcp (&fx, 1099, 1, ACK, 0, 0), 3000 * MS);
  assert_released (&fx, ka, 0);
  /* the stream resumes on both sides: aligned again and compared */
  p2 = core_fx_push_at (&fx, P, tcp (&fx, 1100, 1, ACK, 100, 100), 3000 * MS);
  assert_released (&fx, 0);
  core_fx_push_at (&fx, S, tcp (&fx, 1100, 1, ACK, 100, 100), 3000 * MS);
  assert_released (&fx, p2, 0);
  g_assert_cmpuint (fx.triggers->len, ==, 0);
  core_fx_clear (&fx);
}

static void
test_idle_eviction_disabled (void)
{
  Fx fx;

  core_fx_init (&fx);
  fx_idle_timeout (&fx, 0);
  core_fx_push_at (&fx, P, udp (&fx, 1, "a"), 0);
  core_fx_push_at (&fx, S, udp (&fx, 1, "a"), 0);
  core_fx_push_at (&fx, P, udp (&fx, 2, "b"),
      G_GUINT64_CONSTANT (3600000) * MS);
  g_assert_cmpuint (stats (&fx).connections, ==, 2);
  g_assert_cmpuint (stats (&fx).evicted, ==, 0);
  core_fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare/udp/fifo", test_udp_fifo);
  g_test_add_func ("/compare/udp/ip-header-ignored",
      test_udp_ip_header_ignored);
  g_test_add_func ("/compare/udp/miscompare", test_udp_miscompare);
  g_test_add_func ("/compare/udp/prefix-offset", test_udp_prefix_offset);
  g_test_add_func ("/compare/icmp/offset", test_icmp_offset);
  g_test_add_func ("/compare/udp/connections",
      test_udp_connections_independent);
  g_test_add_func ("/compare/ipv6-vlan", test_ipv6_and_vlan);
  g_test_add_func ("/compare/arp-malformed", test_arp_and_malformed);
  g_test_add_func ("/compare/tcp/in-order", test_tcp_in_order);
  g_test_add_func ("/compare/tcp/one-vs-three",
      test_tcp_primary_one_secondary_three);
  g_test_add_func ("/compare/tcp/three-vs-one",
      test_tcp_primary_three_secondary_one);
  g_test_add_func ("/compare/tcp/out-of-order", test_tcp_out_of_order_primary);
  g_test_add_func ("/compare/tcp/miscompare",
      test_tcp_miscompare_offset_and_seq);
  g_test_add_func ("/compare/excerpt/bounds", test_excerpt_bounds);
  g_test_add_func ("/compare/excerpt/secondary-reset",
      test_excerpt_secondary_reset);
  g_test_add_func ("/compare/history-on-conn", test_history_on_conn);
  g_test_add_func ("/compare/tcp/headers-ignored",
      test_tcp_options_and_headers_ignored);
  g_test_add_func ("/compare/tcp/retransmission", test_tcp_retransmission);
  g_test_add_func ("/compare/tcp/pure-ack", test_tcp_pure_ack);
  g_test_add_func ("/compare/tcp/ack-gating", test_tcp_ack_gating);
  g_test_add_func ("/compare/tcp/wraparound", test_tcp_wraparound);
  g_test_add_func ("/compare/tcp/syn-fin", test_tcp_syn_fin_compared);
  g_test_add_func ("/compare/tcp/rst", test_tcp_rst_compared);
  g_test_add_func ("/compare/tcp/checkpoint-resync",
      test_tcp_checkpoint_resyncs);
  g_test_add_func ("/compare/tcp/reuse/isn-ahead", test_tcp_reuse_isn_ahead);
  g_test_add_func ("/compare/tcp/reuse/isn-below-diverges",
      test_tcp_reuse_isn_below_diverges);
  g_test_add_func ("/compare/tcp/reuse/old-still-queued",
      test_tcp_reuse_old_still_queued);
  g_test_add_func ("/compare/tcp/reuse/repeated-syn",
      test_tcp_repeated_syn_same_instance);
  g_test_add_func ("/compare/tcp/reuse/missing-tail",
      test_tcp_instance_missing_tail);
  g_test_add_func ("/compare/tcp/rst/repeated", test_tcp_repeated_rst);
  g_test_add_func ("/compare/tcp/rst/lone-secondary-stale",
      test_tcp_lone_secondary_rst_goes_stale);
  g_test_add_func ("/compare/tcp/ended-linger",
      test_tcp_ended_forgotten_after_linger);
  g_test_add_func ("/compare/tcp/checkpoint-across-instances",
      test_tcp_checkpoint_across_instances);
  g_test_add_func ("/compare/memory-per-connection",
      test_memory_per_connection);
  g_test_add_func ("/compare/stale", test_stale_each_side);
  g_test_add_func ("/compare/once-per-episode", test_once_per_episode);
  g_test_add_func ("/compare/queue-full", test_queue_full);
  g_test_add_func ("/compare/queue-full-batch", test_queue_full_batch);
  g_test_add_func ("/compare/auto-release", test_auto_release);
  g_test_add_func ("/compare/failover", test_failover);
  g_test_add_func ("/compare/discard", test_discard);
  g_test_add_func ("/compare/independent", test_two_comparators_independent);
  g_test_add_func ("/compare/vnet-header", test_vnet_header);
  g_test_add_func ("/compare/idle/eviction", test_idle_eviction);
  g_test_add_func ("/compare/idle/keeps-held-frames",
      test_idle_eviction_keeps_held_frames);
  g_test_add_func ("/compare/idle/tcp-resumes", test_idle_eviction_tcp_resumes);
  g_test_add_func ("/compare/idle/held-not-walked", test_idle_held_not_walked);
  g_test_add_func ("/compare/idle/disabled", test_idle_eviction_disabled);
  return g_test_run ();
}
