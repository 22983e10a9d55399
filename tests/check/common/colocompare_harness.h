/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Test helper shared by the colocompare element tests
 * (tests/check/elements/colocompare*.c; docs/design.md, "Testing"):
 * colocompare between two GstHarness, one for each sink pad, on one
 * GstTestClock.  Time only moves when a test moves it; every wait is on a
 * condition with a real-time bound (COMPARE_HARNESS_WAIT_US), never a
 * sleep.  Needs gst-check: a failed wait or a missing message fails the
 * test. */

#ifndef __TEST_COLOCOMPARE_HARNESS_H__
#define __TEST_COLOCOMPARE_HARNESS_H__

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>

#include "colo-flow.h"

G_BEGIN_DECLS

/* Real-time bound of every wait on the element's thread */
#define COMPARE_HARNESS_WAIT_US (120 * G_USEC_PER_SEC)

typedef struct
{
  GstHarness *h[2];             /* by ColoSide; h[COLO_SIDE_PRIMARY] also
                                 * receives what src releases */
  GstElement *e;                /* colocompare */
  GstBus *bus;                  /* the element's own bus */
  GstTestClock *clock;          /* both harnesses' */
  guint64 pushed[2];            /* frames pushed per side */
  guint64 pulled;               /* buffers pulled from src */
  GList *kept;                  /* refs on the frames pushed as buffers */
  gboolean src_eos;             /* EOS came out of src */
  gchar *prefix;                /* "case: " before every failure message */
} CompareHarness;

/* colocompare (@element, a new colocompare whose reference this takes, or
 * NULL for a new one) with a harness on primary (and src) and one on
 * secondary, on one test clock.  Each caps string, unless NULL, is set
 * on its side's harness at once. */
CompareHarness *compare_harness_new (GstElement * element,
    const gchar * primary_caps, const gchar * secondary_caps);

/* A new colocompare with these properties (name, value pairs ending with
 * NULL; @first_property NULL for none), @caps on both sides */
CompareHarness *compare_harness_new_with_properties (const gchar * caps,
    const gchar * first_property, ...);

void compare_harness_free (CompareHarness * ch);

/* Names the case a table-driven test runs: every failure message of this
 * harness starts with it */
void compare_harness_set_case (CompareHarness * ch, const gchar * name);

/* "name: " as set by compare_harness_set_case, or "" */
const gchar *compare_harness_case (CompareHarness * ch);

/* Frees every harness not freed yet.  A failed assertion leaves the test
 * function at once (with CK_FORK=no, as under valgrind, by longjmp): call
 * this from a checked teardown (tcase_add_checked_fixture), or a streaming
 * thread left waiting on the clock would hang the process at exit. */
void compare_harness_free_leftovers (void);

/* --- the clock ------------------------------------------------------------ */

/* Lets the element's src thread go on once: the test clock blocks even
 * waits that are due now, so this processes those (never moving the
 * time).  @round counts the calls of one wait: the first rounds only
 * yield, later ones wait a little for a clock wait. */
void compare_harness_pump (CompareHarness * ch, guint round);

/* Pumps until @cond holds; fails after COMPARE_HARNESS_WAIT_US */
#define COMPARE_HARNESS_PUMP_UNTIL(ch, cond) G_STMT_START {             \
  gint64 _end = g_get_monotonic_time () + COMPARE_HARNESS_WAIT_US;      \
  guint _round = 0;                                                     \
  while (!(cond)) {                                                     \
    fail_if (g_get_monotonic_time () > _end, "%stimed out: %s",         \
        compare_harness_case (ch), #cond);                              \
    compare_harness_pump (ch, _round++);                                \
  }                                                                     \
} G_STMT_END

/* Moves the test clock to @t (never back) and lets every wait due by then
 * run; returns once the element waits for a later time, or for nothing */
void compare_harness_advance_to (CompareHarness * ch, GstClockTime t);

/* The element's running time (clock time minus base time) */
GstClockTime compare_harness_running_time (CompareHarness * ch);

/* Whether the element's src thread waits on the clock for later than now
 * (its next stale scan) */
gboolean compare_harness_waits_for_later (CompareHarness * ch);

/* --- stats ---------------------------------------------------------------- */

/* The field @name of colocompare @e's stats (fails if there is none) */
guint64 compare_stat (GstElement * e, const gchar * name);

/* Frames released in all: released + flushed + passed-through */
guint64 compare_released_total (GstElement * e);

/* Pumps until the stats field @name reaches @value */
void compare_harness_wait_stat (CompareHarness * ch, const gchar * name,
    guint64 value);

/* --- pushing and pulling -------------------------------------------------- */

/* Pushes @buf (taken) holding @n_frames frames on @side and waits until
 * the element has taken them in (its primary-packets or
 * secondary-packets) */
void compare_harness_push (CompareHarness * ch, ColoSide side, GstBuffer * buf,
    guint n_frames);

/* Pushes one frame (taken) as a buffer, as compare_harness_push; returns
 * the buffer, of which the harness keeps a ref until it is freed, so that
 * a test can compare it with what comes out (zero-copy) */
GstBuffer *compare_harness_push_frame (CompareHarness * ch, ColoSide side,
    GBytes * frame);

/* The same at running time @t: advances the clock to @t first */
GstBuffer *compare_harness_push_frame_at (CompareHarness * ch, ColoSide side,
    GstClockTime t, GBytes * frame);

/* The next buffer released on src (waits for it; fails if none comes) */
GstBuffer *compare_harness_pull (CompareHarness * ch);

/* Pulls released buffers into one byte array until it holds @bytes, then
 * whatever else is there already; the buffers' number in @n_buffers */
GByteArray *compare_harness_pull_bytes (CompareHarness * ch, gsize bytes,
    guint * n_buffers);

/* The next buffer released on src must be @expected itself (zero-copy) */
void compare_harness_expect_out (CompareHarness * ch, GstBuffer * expected);

/* Nothing released beyond what was pulled (deterministic: colocompare
 * counts a frame before it pushes it) */
void compare_harness_expect_none (CompareHarness * ch);

/* Whether EOS came out of src (drains src's events) */
gboolean compare_harness_src_eos (CompareHarness * ch);

/* --- colo-checkpoint messages --------------------------------------------- */

/* The stats field checkpoints-requested */
guint compare_harness_requests (CompareHarness * ch);

/* Pops the next colo-checkpoint message from the element's bus (fails if
 * none comes within 10 s) */
GstMessage *compare_harness_pop_checkpoint (CompareHarness * ch);

/* Fails if an element message is waiting on the bus */
void compare_harness_no_checkpoint (CompareHarness * ch);

/* Fields of a colo-checkpoint message (each fails if it is missing) */
const gchar *compare_msg_str (GstMessage * m, const gchar * field);
guint compare_msg_uint (GstMessage * m, const gchar * field);
guint64 compare_msg_time (GstMessage * m);

G_END_DECLS

#endif /* __TEST_COLOCOMPARE_HARNESS_H__ */
