/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of IP fragment reassembly in the comparator (docs/design.md,
 * "IP fragments"): datagrams fragmented differently on each side match,
 * the primary's fragments go out unmodified and in order, and a datagram
 * that cannot be reassembled is compared fragment by fragment. */

#include <string.h>
#include "colo-compare.h"
#include "colo-packet.h"
#include "frames.h"
#include "core_fixture.h"

#define MS (G_GUINT64_CONSTANT (1000000))
#define P COLO_SIDE_PRIMARY
#define S COLO_SIDE_SECONDARY

/* The shared fixture, with the frames relocated by foreach_queued */
typedef struct
{
  CoreFx core;                  /* first: the frame hook casts it back */
  guint moved;                  /* relocated by foreach_queued */
  GPtrArray *copies;            /* relocated bytes */
} Fx;

/* The frame hook: every frame released or dropped is the one pushed */
static void
check_bytes (CoreFx * core, guint h, const guint8 * data, gsize size)
{
  Fx *fx = (Fx *) core;
  gsize want_size;
  const guint8 *want;

  g_assert_cmpuint (h, >=, 1);
  g_assert_cmpuint (h, <=, fx->core.frames->len);
  want = g_bytes_get_data (g_ptr_array_index (fx->core.frames, h - 1),
      &want_size);
  /* the frame as pushed: same size and bytes (same memory unless moved) */
  g_assert_cmpuint (size, ==, want_size);
  g_assert_true (memcmp (data, want, size) == 0);
  if (!fx->moved)
    g_assert_true (data == want);
}

static void
fx_init (Fx * fx)
{
  memset (fx, 0, sizeof (*fx));
  core_fx_init (&fx->core);
  fx->core.frame_hook = check_bytes;
  fx->copies = g_ptr_array_new_with_free_func (g_free);
}

static void
fx_clear (Fx * fx)
{
  core_fx_clear (&fx->core);
  g_ptr_array_unref (fx->copies);
}

static void
fx_config (Fx * fx, guint64 timeout_ms, gsize max_bytes)
{
  ColoCompareConfig cfg;

  colo_compare_config_init (&cfg);
  cfg.compare_timeout = timeout_ms * MS;
  cfg.scan_cycle = 100 * MS;
  cfg.reassembly_max_bytes = max_bytes;
  colo_comparator_set_config (fx->core.c, &cfg);
}

/* Pushes the fragments (array taken) in the order given by `order`
 * (indices, -1 terminated; NULL: in offset order); returns the first
 * handle (the others follow in push order). */
static guint
push_frags_at (Fx * fx, ColoSide side, GPtrArray * frags, const gint * order,
    guint64 now)
{
  guint first = fx->core.frames->len + 1, i;

  for (i = 0; order ? order[i] >= 0 : i < frags->len; i++)
    core_fx_push_at (&fx->core, side, g_bytes_ref (g_ptr_array_index (frags,
                order ? (guint) order[i] : i)), now);
  g_ptr_array_unref (frags);
  return first;
}

static guint
push_frags (Fx * fx, ColoSide side, GPtrArray * frags)
{
  return push_frags_at (fx, side, frags, NULL, 0);
}

/* A UDP datagram of `len` pattern bytes (byte `flip` changed, if < len) */
static GBytes *
udp_datagram (gboolean ipv6, gsize len, gsize flip, guint16 ip_id)
{
  return frame_udp_pattern (ipv6, 5000, ip_id, 0, len, flip);
}

static GPtrArray *
fragments (gboolean ipv6, gsize len, guint mtu, gsize flip, guint32 id)
{
  GBytes *d = udp_datagram (ipv6, len, flip, id);
  GPtrArray *f = frame_fragments (d, 0, mtu, id);

  g_bytes_unref (d);
  return f;
}

static ColoStats
stats (Fx * fx)
{
  ColoStats st;

  colo_comparator_get_stats (fx->core.c, &st);
  return st;
}

/* Asserts that the released handles are first, first + 1, ... (n of them) */
static void
assert_released_run (Fx * fx, guint first, guint n)
{
  guint i;

  g_assert_cmpuint (fx->core.released->len, ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (fx->core.released, guint, i), ==,
        first + i);
}

/* The case: a primary fragmented at an MTU of 1000 bytes against a
 * secondary at 1500 (1480 bytes of data): one match, and the primary's
 * own fragments go out, unmodified, in order. */
static void
check_mtus (gboolean ipv6, guint p_mtu, guint s_mtu)
{
  Fx fx;
  GPtrArray *pf, *sf;
  guint first, np, ns;
  ColoStats st;

  fx_init (&fx);
  pf = fragments (ipv6, 4000, p_mtu, G_MAXSIZE, 7);
  sf = fragments (ipv6, 4000, s_mtu, G_MAXSIZE, 99);    /* another ID */
  np = pf->len;
  ns = sf->len;
  g_assert_cmpuint (np, >, ns);
  first = push_frags (&fx, P, pf);
  g_assert_cmpuint (fx.core.released->len, ==, 0);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, P), ==, np);
  push_frags (&fx, S, sf);

  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, first, np);
  g_assert_cmpuint (fx.core.dropped->len, ==, ns);
  st = stats (&fx);
  g_assert_cmpuint (st.fragments, ==, np + ns);
  g_assert_cmpuint (st.reassembled, ==, 2);
  g_assert_cmpuint (st.released, ==, np);       /* frames, not datagrams */
  g_assert_cmpuint (st.miscompares, ==, 0);
  g_assert_cmpuint (st.queued_primary, ==, 0);
  g_assert_cmpuint (st.queued_secondary, ==, 0);
  fx_clear (&fx);
}

/* A passthrough rule with ports sees a fragmented datagram's ports once it
 * is reassembled: its original fragments go out in order, uncompared,
 * and the secondary's are dropped, counted as frames. */
static void
test_passthrough_after_reassembly (void)
{
  Fx fx;
  ColoStats st;
  GPtrArray *f = fragments (FALSE, 3000, 1000, G_MAXSIZE, 9);
  guint n = f->len, n_sec, first;

  fx_init (&fx);
  g_assert_true (colo_comparator_set_passthrough (fx.core.c, "udp:*:53", NULL));
  first = push_frags (&fx, P, f);
  assert_released_run (&fx, first, n);
  f = fragments (FALSE, 3000, 1500, 5, 9);      /* differs: not compared */
  n_sec = f->len;
  push_frags (&fx, S, f);
  colo_comparator_get_stats (fx.core.c, &st);
  g_assert_cmpuint (st.passthrough[P], ==, n);
  g_assert_cmpuint (st.passthrough[S], ==, n_sec);
  g_assert_cmpuint (st.passed_through, ==, n);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, S), ==, 0);
  fx_clear (&fx);
}

static void
test_ipv4_mtus (void)
{
  check_mtus (FALSE, 1000, 1500);
}

static void
test_ipv6_mtus (void)
{
  check_mtus (TRUE, 1280, 1500);
}

/* Without reassembly (reassembly_max_bytes 0) the same case is a false
 * miscompare: what this whole feature is for. */
static void
test_disabled_is_per_fragment (void)
{
  Fx fx;

  fx_init (&fx);
  fx_config (&fx, 3000, 0);
  push_frags (&fx, P, fragments (FALSE, 4000, 1000, G_MAXSIZE, 7));
  push_frags (&fx, S, fragments (FALSE, 4000, 1500, G_MAXSIZE, 7));
  g_assert_cmpuint (fx.core.triggers->len, ==, 1);
  g_assert_cmpuint (stats (&fx).fragments, ==, 0);
  fx_clear (&fx);
}

/* A fragmented datagram matches the same datagram unfragmented, either
 * way round, on its own connection (its real ports). */
static void
check_fragmented_vs_whole (gboolean ipv6, gboolean primary_fragmented)
{
  Fx fx;
  GPtrArray *f = fragments (ipv6, 3000, 1280, G_MAXSIZE, 3);
  guint n = f->len, first;
  GBytes *whole = udp_datagram (ipv6, 3000, G_MAXSIZE, 4);

  fx_init (&fx);
  if (primary_fragmented) {
    first = push_frags (&fx, P, f);
    core_fx_push_at (&fx.core, S, whole, 0);
    assert_released_run (&fx, first, n);
  } else {
    push_frags (&fx, S, f);
    first = core_fx_push_at (&fx.core, P, whole, 0);
    assert_released_run (&fx, first, 1);
  }
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  /* the datagram's connection, not the fragments': a later unfragmented
   * datagram of the same flow on both sides matches as well */
  g_assert_cmpuint (stats (&fx).connections, ==, 1);
  fx_clear (&fx);
}

static void
test_fragmented_vs_whole (void)
{
  check_fragmented_vs_whole (FALSE, TRUE);
  check_fragmented_vs_whole (FALSE, FALSE);
  check_fragmented_vs_whole (TRUE, TRUE);
  check_fragmented_vs_whole (TRUE, FALSE);
}

/* Fragments in any order: reassembled all the same, released in the order
 * they came. */
static void
test_out_of_order (void)
{
  Fx fx;
  const gint order[] = { 3, 1, 0, 2, -1 };
  GPtrArray *pf = fragments (FALSE, 4000, 1200, G_MAXSIZE, 5);
  guint first, i;

  g_assert_cmpuint (pf->len, ==, 4);
  fx_init (&fx);
  first = push_frags_at (&fx, P, pf, order, 0);
  push_frags_at (&fx, S, fragments (FALSE, 4000, 1500, G_MAXSIZE, 6),
      (const gint[]) {
        2, 0, 1, -1
      }, 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  g_assert_cmpuint (fx.core.released->len, ==, 4);
  for (i = 0; i < 4; i++)
    g_assert_cmpuint (g_array_index (fx.core.released, guint, i), ==,
        first + i);
  fx_clear (&fx);
}

/* A difference in the last fragment: a miscompare, at the offset of the
 * differing byte in the UDP payload, and nothing released. */
static void
check_difference_in_last (gboolean ipv6)
{
  Fx fx;
  ColoTrigger *t;
  GPtrArray *pf = fragments (ipv6, 4000, 1000, G_MAXSIZE, 1);
  guint np = pf->len;

  fx_init (&fx);
  push_frags (&fx, P, pf);
  push_frags (&fx, S, fragments (ipv6, 4000, 1500, 3990, 1));
  g_assert_cmpuint (fx.core.triggers->len, ==, 1);
  t = &g_array_index (fx.core.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_MISCOMPARE);
  g_assert_true (t->has_offset);
  g_assert_cmpuint (t->offset, ==, 3990);
  g_assert_cmpuint (t->key.src_port, ==, 5000);
  g_assert_cmpuint (t->key.dst_port, ==, 53);
  g_assert_cmpuint (fx.core.released->len, ==, 0);
  /* checkpoint-done: the primary's fragments go out, in order */
  colo_comparator_checkpoint_done (fx.core.c, 0);
  assert_released_run (&fx, 1, np);
  g_assert_cmpuint (stats (&fx).flushed, ==, np);
  fx_clear (&fx);
}

static void
test_difference_in_last (void)
{
  check_difference_in_last (FALSE);
  check_difference_in_last (TRUE);
}

/* IPv6 (RFC 5722): overlapping fragments give the datagram up (counted),
 * and its fragments, those still to come included, are compared one by
 * one: the same fragments on both sides match, in order. */
static void
test_ipv6_overlap (void)
{
  Fx fx;
  GBytes *d = udp_datagram (TRUE, 3000, G_MAXSIZE, 0);
  ColoSide side;
  ColoStats st;

  fx_init (&fx);
  for (side = P; side <= S; side++) {
    core_fx_push_at (&fx.core, side, frame_fragment (d, 0, 0, 1600, TRUE, 9),
        0);
    core_fx_push_at (&fx.core, side, frame_fragment (d, 0, 800, 1600, TRUE, 9),
        0);
    core_fx_push_at (&fx.core, side, frame_fragment (d, 0, 2400, 3008 - 2400,
            FALSE, 9), 0);
  }
  st = stats (&fx);
  g_assert_cmpuint (st.reassembly_failed, ==, 2);
  g_assert_cmpuint (st.fragment_overlaps, ==, 2);
  g_assert_cmpuint (st.reassembled, ==, 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, 1, 3);
  g_assert_cmpuint (st.queued_primary + st.queued_secondary, ==, 0);

  /* an exact duplicate is an overlap too; a differing copy is a miscompare
   * once compared alone */
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1600, TRUE, 10), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1600, TRUE, 10), 0);
  core_fx_push_at (&fx.core, S, frame_fragment (d, 0, 0, 1600, TRUE, 10), 0);
  core_fx_push_at (&fx.core, S, frame_fragment (d, 0, 0, 1608, TRUE, 10), 0);
  st = stats (&fx);
  g_assert_cmpuint (st.fragment_overlaps, ==, 4);
  g_assert_cmpuint (fx.core.triggers->len, ==, 1);
  g_bytes_unref (d);
  fx_clear (&fx);
}

/* IPv4: an identical duplicate or identical overlap is harmless (it goes
 * out with its datagram, in order); overlapping bytes that differ give the
 * datagram up. */
static void
test_ipv4_overlap (void)
{
  Fx fx;
  GBytes *d = udp_datagram (FALSE, 3000, G_MAXSIZE, 0);
  GBytes *other = udp_datagram (FALSE, 3000, 1000, 0);
  ColoStats st;

  fx_init (&fx);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1600, TRUE, 0), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1600, TRUE, 0), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 800, 1600, TRUE, 0), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 2400, 3008 - 2400, FALSE,
          0), 0);
  push_frags (&fx, S, frame_fragments (d, 0, 1500, 0));
  st = stats (&fx);
  g_assert_cmpuint (st.reassembled, ==, 2);
  g_assert_cmpuint (st.fragment_overlaps, ==, 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, 1, 4);

  /* the second fragment's overlap carries other bytes (byte 1000 of the
   * UDP payload, 1008 of the IP payload) */
  g_array_set_size (fx.core.released, 0);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1600, TRUE, 1), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (other, 0, 800, 1600, TRUE, 1),
      0);
  st = stats (&fx);
  g_assert_cmpuint (st.reassembly_failed, ==, 1);
  g_assert_cmpuint (st.fragment_overlaps, ==, 1);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, P), ==, 2);
  g_bytes_unref (d);
  g_bytes_unref (other);
  fx_clear (&fx);
}

/* An incomplete datagram is given up at compare-timeout and its fragments,
 * queued with their arrival time, are stale at once; until then the
 * comparator's next stale time sees it. */
static void
test_timeout_stale (void)
{
  Fx fx;
  GPtrArray *f = fragments (FALSE, 4000, 1500, G_MAXSIZE, 2);
  ColoTrigger *t;

  fx_init (&fx);
  fx_config (&fx, 3000, COLO_DEFAULT_REASSEMBLY_MAX_BYTES);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 0)),
      10 * MS);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 1)),
      20 * MS);
  g_assert_cmpuint (colo_comparator_next_stale_time (fx.core.c), ==, 3010 * MS);
  g_assert_cmpuint (colo_comparator_next_scan_time (fx.core.c, 20 * MS), ==,
      3100 * MS);
  colo_comparator_check_stale (fx.core.c, 3009 * MS);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  colo_comparator_check_stale (fx.core.c, 3010 * MS);
  g_assert_cmpuint (fx.core.triggers->len, ==, 1);
  t = &g_array_index (fx.core.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_STALE);
  g_assert_cmpint (t->side, ==, P);
  g_assert_cmpuint (t->key.fragment, ==, 1);
  g_assert_cmpuint (stats (&fx).reassembly_failed, ==, 1);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, P), ==, 2);
  colo_comparator_checkpoint_done (fx.core.c, 3010 * MS);
  assert_released_run (&fx, 1, 2);
  g_ptr_array_unref (f);
  fx_clear (&fx);
}

/* A reassembled datagram is as old as its first fragment: it goes stale
 * compare-timeout after that, before frames that came in between. */
static void
test_stale_from_first_fragment (void)
{
  Fx fx;
  GPtrArray *f = fragments (FALSE, 4000, 1500, G_MAXSIZE, 2);
  FrameOpts o;
  ColoTrigger *t;

  frame_opts_init (&o);
  fx_init (&fx);
  fx_config (&fx, 3000, COLO_DEFAULT_REASSEMBLY_MAX_BYTES);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 0)),
      10 * MS);
  core_fx_push_at (&fx.core, P, frame_udp (&o, 7000, 53, (const guint8 *) "x",
          1), 100 * MS);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 1)),
      200 * MS);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 2)),
      200 * MS);
  g_assert_cmpuint (stats (&fx).reassembled, ==, 1);
  g_assert_cmpuint (colo_comparator_next_stale_time (fx.core.c), ==, 3010 * MS);
  colo_comparator_check_stale (fx.core.c, 3010 * MS);
  g_assert_cmpuint (fx.core.triggers->len, ==, 1);
  t = &g_array_index (fx.core.triggers, ColoTrigger, 0);
  g_assert_cmpint (t->reason, ==, COLO_TRIGGER_STALE);
  g_assert_cmpuint (t->key.src_port, ==, 5000);
  g_ptr_array_unref (f);
  fx_clear (&fx);
}

/* Both sides incomplete alike: at the timeout both are given up and their
 * fragments, compared one by one, match: no request. */
static void
test_timeout_both_sides_match (void)
{
  Fx fx;
  GPtrArray *f = fragments (FALSE, 4000, 1500, G_MAXSIZE, 2);

  fx_init (&fx);
  fx_config (&fx, 3000, COLO_DEFAULT_REASSEMBLY_MAX_BYTES);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 0)), 0);
  core_fx_push_at (&fx.core, S, g_bytes_ref (g_ptr_array_index (f, 0)), 0);
  colo_comparator_check_stale (fx.core.c, 3000 * MS);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, 1, 1);
  g_ptr_array_unref (f);
  fx_clear (&fx);
}

/* Memory bound: past reassembly_max_bytes the oldest incomplete datagram
 * is given up (its fragments compared alone); what is held stays within
 * the bound. */
static void
test_memory_bound (void)
{
  Fx fx;
  GPtrArray *a = fragments (FALSE, 4000, 1500, G_MAXSIZE, 1);
  GPtrArray *b = fragments (FALSE, 4000, 1500, G_MAXSIZE, 2);
  ColoStats st;

  fx_init (&fx);
  fx_config (&fx, 3000, 4000);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (a, 0)), 0);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (a, 1)), 0);
  st = stats (&fx);
  g_assert_cmpuint (st.reassembly_failed, ==, 0);
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (b, 0)), 0);
  st = stats (&fx);
  g_assert_cmpuint (st.reassembly_failed, ==, 1);
  g_assert_cmpuint (st.fragment_overlaps, ==, 0);
  g_assert_cmpuint (st.queued_primary, ==, 3);
  /* a's two fragments are compared alone: the same from the secondary,
   * given up alike, matches them */
  core_fx_push_at (&fx.core, S, g_bytes_ref (g_ptr_array_index (a, 0)), 0);
  core_fx_push_at (&fx.core, S, g_bytes_ref (g_ptr_array_index (a, 1)), 0);
  g_assert_cmpuint (fx.core.released->len, ==, 0);
  core_fx_push_at (&fx.core, S, g_bytes_ref (g_ptr_array_index (b, 0)), 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  g_assert_cmpuint (fx.core.released->len, ==, 2);
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  fx_clear (&fx);
}

/* checkpoint-done releases held primary fragments in order and drops held
 * secondary ones; failover too; discard drops them, counted. */
static void
test_checkpoint_failover_discard (void)
{
  Fx fx;
  GPtrArray *f = fragments (TRUE, 4000, 1280, G_MAXSIZE, 2);
  ColoStats st;
  guint mode;

  for (mode = 0; mode < 3; mode++) {
    fx_init (&fx);
    core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 2)), 0);
    core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 0)), 0);
    core_fx_push_at (&fx.core, S, g_bytes_ref (g_ptr_array_index (f, 1)), 0);
    st = stats (&fx);
    g_assert_cmpuint (st.queued_primary, ==, 2);
    g_assert_cmpuint (st.queued_secondary, ==, 1);
    if (mode == 0) {
      colo_comparator_checkpoint_done (fx.core.c, 0);
      assert_released_run (&fx, 1, 2);
      g_assert_cmpuint (stats (&fx).flushed, ==, 2);
      g_assert_cmpuint (stats (&fx).secondary_dropped, ==, 1);
    } else if (mode == 1) {
      colo_comparator_failover (fx.core.c, 0);
      assert_released_run (&fx, 1, 2);
      /* after failover, fragments go out at once */
      core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (f, 1)), 0);
      g_assert_cmpuint (fx.core.released->len, ==, 3);
      g_assert_cmpuint (g_array_index (fx.core.released, guint, 2), ==, 4);
    } else {
      g_assert_cmpuint (colo_comparator_discard (fx.core.c), ==, 2);
      g_assert_cmpuint (fx.core.released->len, ==, 0);
      g_assert_cmpuint (stats (&fx).dropped, ==, 3);
    }
    g_assert_cmpuint (fx.core.dropped->len, ==, mode == 2 ? 3 : 1);
    st = stats (&fx);
    g_assert_cmpuint (st.queued_primary + st.queued_secondary, ==, 0);
    g_assert_cmpuint (colo_comparator_next_stale_time (fx.core.c), ==,
        G_MAXUINT64);
    fx_clear (&fx);
  }
  g_ptr_array_unref (f);
}

static void
move_frame (gpointer * handle, const guint8 ** data, gsize size,
    gpointer user_data)
{
  Fx *fx = user_data;
  guint8 *copy = g_memdup2 (*data, size);

  g_ptr_array_add (fx->copies, copy);
  *data = copy;
  fx->moved++;
}

/* foreach_queued reaches the fragments of reassembled datagrams and those
 * held for reassembly; moved bytes are what comes out. */
static void
test_foreach_queued (void)
{
  Fx fx;
  GPtrArray *a = fragments (FALSE, 4000, 1000, G_MAXSIZE, 1);
  GPtrArray *b = fragments (FALSE, 4000, 1000, G_MAXSIZE, 2);
  guint na = a->len;

  fx_init (&fx);
  push_frags (&fx, P, a);       /* complete: queued */
  core_fx_push_at (&fx.core, P, g_bytes_ref (g_ptr_array_index (b, 0)), 0);     /* held */
  colo_comparator_foreach_queued (fx.core.c, move_frame, &fx);
  g_assert_cmpuint (fx.moved, ==, na + 1);
  /* the held datagram completes from moved bytes */
  push_frags (&fx, P, g_ptr_array_ref (b));
  push_frags (&fx, S, fragments (FALSE, 4000, 1500, G_MAXSIZE, 3));
  push_frags (&fx, S, fragments (FALSE, 4000, 1500, G_MAXSIZE, 4));
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  g_assert_cmpuint (fx.core.released->len, ==, na + b->len + 1);
  g_ptr_array_unref (b);
  fx_clear (&fx);
}

/* A fragmented TCP segment (IPv4 without DF) is compared in the stream. */
static void
test_tcp_fragmented (void)
{
  Fx fx;
  FrameOpts o;
  guint8 *payload = pattern_bytes (0, 3000);
  GBytes *seg;
  guint first, n;
  GPtrArray *f;

  frame_opts_init (&o);
  fx_init (&fx);
  seg = frame_tcp (&o, 80, 40000, 1000, 1, COLO_TCP_ACK, 0, payload, 3000);
  f = frame_fragments (seg, 0, 1500, 1);
  n = f->len;
  first = push_frags (&fx, P, f);
  core_fx_push_at (&fx.core, S, frame_tcp (&o, 80, 40000, 1000, 1, COLO_TCP_ACK,
          0, payload, 1500), 0);
  core_fx_push_at (&fx.core, S, frame_tcp (&o, 80, 40000, 2500, 1, COLO_TCP_ACK,
          0, payload + 1500, 1500), 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, first, n);
  g_bytes_unref (seg);
  g_free (payload);
  fx_clear (&fx);
}

/* An IPv6 atomic fragment (offset 0, M clear; RFC 6946) is a whole
 * datagram. */
static void
test_ipv6_atomic_fragment (void)
{
  Fx fx;
  GBytes *d = udp_datagram (TRUE, 100, G_MAXSIZE, 0);

  fx_init (&fx);
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 108, FALSE, 1), 0);
  core_fx_push_at (&fx.core, S, g_bytes_ref (d), 0);
  g_assert_cmpuint (fx.core.triggers->len, ==, 0);
  assert_released_run (&fx, 1, 1);
  g_assert_cmpuint (stats (&fx).reassembled, ==, 1);
  g_bytes_unref (d);
  fx_clear (&fx);
}

/* Impossible fragments give the datagram up: compared one by one. */
static void
test_invalid_given_up (void)
{
  Fx fx;
  GBytes *d = udp_datagram (FALSE, 3000, G_MAXSIZE, 0);
  GBytes *e = udp_datagram (FALSE, 3000, G_MAXSIZE, 1);

  fx_init (&fx);
  /* not a multiple of 8 with more to come */
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 0, 1001, TRUE, 0), 0);
  g_assert_cmpuint (stats (&fx).reassembly_failed, ==, 1);
  /* data beyond the last fragment's end (another datagram: d's fragments
   * still to come are compared alone) */
  core_fx_push_at (&fx.core, P, frame_fragment (e, 0, 1600, 800, FALSE, 0), 0);
  core_fx_push_at (&fx.core, P, frame_fragment (e, 0, 2400, 600, TRUE, 0), 0);
  g_assert_cmpuint (stats (&fx).reassembly_failed, ==, 2);
  g_assert_cmpuint (stats (&fx).fragment_overlaps, ==, 0);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, P), ==, 3);
  g_assert_cmpuint (fx.core.released->len, ==, 0);
  /* and a later fragment of d is compared alone at once */
  core_fx_push_at (&fx.core, P, frame_fragment (d, 0, 1008, 800, TRUE, 0), 0);
  g_assert_cmpuint (colo_comparator_queued (fx.core.c, P), ==, 4);
  g_assert_cmpuint (stats (&fx).reassembly_failed, ==, 2);
  g_bytes_unref (d);
  g_bytes_unref (e);
  fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fragments/ipv4/mtu-1000-vs-1500", test_ipv4_mtus);
  g_test_add_func ("/fragments/passthrough-after-reassembly",
      test_passthrough_after_reassembly);
  g_test_add_func ("/fragments/ipv6/mtu-1280-vs-1500", test_ipv6_mtus);
  g_test_add_func ("/fragments/disabled", test_disabled_is_per_fragment);
  g_test_add_func ("/fragments/fragmented-vs-whole", test_fragmented_vs_whole);
  g_test_add_func ("/fragments/out-of-order", test_out_of_order);
  g_test_add_func ("/fragments/difference-in-last", test_difference_in_last);
  g_test_add_func ("/fragments/ipv6/overlap", test_ipv6_overlap);
  g_test_add_func ("/fragments/ipv4/overlap", test_ipv4_overlap);
  g_test_add_func ("/fragments/timeout-stale", test_timeout_stale);
  g_test_add_func ("/fragments/stale-from-first-fragment",
      test_stale_from_first_fragment);
  g_test_add_func ("/fragments/timeout-both-match",
      test_timeout_both_sides_match);
  g_test_add_func ("/fragments/memory-bound", test_memory_bound);
  g_test_add_func ("/fragments/checkpoint-failover-discard",
      test_checkpoint_failover_discard);
  g_test_add_func ("/fragments/foreach-queued", test_foreach_queued);
  g_test_add_func ("/fragments/tcp", test_tcp_fragmented);
  g_test_add_func ("/fragments/ipv6/atomic", test_ipv6_atomic_fragment);
  g_test_add_func ("/fragments/invalid", test_invalid_given_up);
  return g_test_run ();
}
