/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* colocompare between two GstHarness on one GstTestClock
 * (colocompare_harness.h; docs/design.md, "Testing"). */

#include "colocompare_harness.h"

/* Harnesses not freed yet (compare_harness_free_leftovers) */
static GList *live;

CompareHarness *
compare_harness_new (GstElement * element, const gchar * primary_caps,
    const gchar * secondary_caps)
{
  CompareHarness *ch = g_new0 (CompareHarness, 1);

  if (!element)
    element = gst_element_factory_make ("colocompare", NULL);
  fail_unless (element != NULL, "no colocompare");
  ch->h[COLO_SIDE_PRIMARY] = gst_harness_new_with_element (element, "primary",
      "src");
  ch->h[COLO_SIDE_SECONDARY] = gst_harness_new_with_element (element,
      "secondary", NULL);
  gst_object_unref (element);
  ch->e = ch->h[COLO_SIDE_PRIMARY]->element;
  ch->bus = gst_bus_new ();
  gst_element_set_bus (ch->e, ch->bus);
  ch->clock = gst_harness_get_testclock (ch->h[COLO_SIDE_PRIMARY]);
  fail_unless (ch->clock != NULL);
  if (primary_caps)
    gst_harness_set_src_caps_str (ch->h[COLO_SIDE_PRIMARY], primary_caps);
  if (secondary_caps)
    gst_harness_set_src_caps_str (ch->h[COLO_SIDE_SECONDARY], secondary_caps);
  live = g_list_prepend (live, ch);
  return ch;
}

CompareHarness *
compare_harness_new_with_properties (const gchar * caps,
    const gchar * first_property, ...)
{
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  va_list ap;

  fail_unless (e != NULL, "no colocompare");
  if (first_property) {
    va_start (ap, first_property);
    g_object_set_valist (G_OBJECT (e), first_property, ap);
    va_end (ap);
  }
  return compare_harness_new (e, caps, caps);
}

void
compare_harness_free (CompareHarness * ch)
{
  live = g_list_remove (live, ch);
  gst_element_set_bus (ch->e, NULL);
  gst_bus_set_flushing (ch->bus, TRUE);
  gst_object_unref (ch->bus);
  gst_object_unref (ch->clock);
  gst_harness_teardown (ch->h[COLO_SIDE_SECONDARY]);
  gst_harness_teardown (ch->h[COLO_SIDE_PRIMARY]);
  g_list_free_full (ch->kept, (GDestroyNotify) gst_buffer_unref);
  g_free (ch->prefix);
  g_free (ch);
}

void
compare_harness_set_case (CompareHarness * ch, const gchar * name)
{
  g_free (ch->prefix);
  ch->prefix = g_strdup_printf ("%s: ", name);
}

const gchar *
compare_harness_case (CompareHarness * ch)
{
  return ch->prefix ? ch->prefix : "";
}

void
compare_harness_free_leftovers (void)
{
  while (live)
    compare_harness_free (live->data);
}

/* --- the clock ------------------------------------------------------------ */

void
compare_harness_pump (CompareHarness * ch, guint round)
{
  GstClockID id = gst_test_clock_process_next_clock_id (ch->clock);

  if (id) {
    gst_clock_id_unref (id);
    return;
  }
  /* the thread often works without waiting on the clock (taking a frame,
   * a pad EOS, PAUSED): a yield lets it on; a longer wait waits for a
   * clock wait a little */
  if (round >= 200)
    gst_test_clock_timed_wait_for_multiple_pending_ids (ch->clock, 1, 1, NULL);
  g_thread_yield ();
}

void
compare_harness_advance_to (CompareHarness * ch, GstClockTime t)
{
  gint64 end = g_get_monotonic_time () + COMPARE_HARNESS_WAIT_US;

  if (t > gst_clock_get_time (GST_CLOCK (ch->clock)))
    gst_test_clock_set_time (ch->clock, t);
  for (;;) {
    GstClockID id = NULL;

    fail_if (g_get_monotonic_time () > end, "%stimed out advancing clock",
        compare_harness_case (ch));
    if (!gst_test_clock_timed_wait_for_multiple_pending_ids (ch->clock, 1,
            200, NULL))
      return;                   /* nothing scheduled */
    if (!gst_test_clock_peek_next_pending_id (ch->clock, &id))
      continue;
    if (gst_clock_id_get_time (id) > t) {
      gst_clock_id_unref (id);
      return;
    }
    gst_clock_id_unref (id);
    id = gst_test_clock_process_next_clock_id (ch->clock);
    if (id)
      gst_clock_id_unref (id);
  }
}

GstClockTime
compare_harness_running_time (CompareHarness * ch)
{
  GstClockTime now = gst_clock_get_time (GST_CLOCK (ch->clock));
  GstClockTime base = gst_element_get_base_time (ch->e);

  return now > base ? now - base : 0;
}

gboolean
compare_harness_waits_for_later (CompareHarness * ch)
{
  GstClockID id = NULL;
  gboolean later;

  if (!gst_test_clock_peek_next_pending_id (ch->clock, &id))
    return FALSE;
  later = gst_clock_id_get_time (id) > gst_clock_get_time (GST_CLOCK
      (ch->clock));
  gst_clock_id_unref (id);
  return later;
}

/* --- stats ---------------------------------------------------------------- */

guint64
compare_stat (GstElement * e, const gchar * name)
{
  GstStructure *s = NULL;
  guint64 v = 0;

  g_object_get (e, "stats", &s, NULL);
  fail_unless (s != NULL, "no stats");
  fail_unless (gst_structure_get_uint64 (s, name, &v), "no stat %s", name);
  gst_structure_free (s);
  return v;
}

guint64
compare_released_total (GstElement * e)
{
  return compare_stat (e, "released") + compare_stat (e, "flushed") +
      compare_stat (e, "passed-through");
}

void
compare_harness_wait_stat (CompareHarness * ch, const gchar * name,
    guint64 value)
{
  COMPARE_HARNESS_PUMP_UNTIL (ch, compare_stat (ch->e, name) >= value);
}

/* --- pushing and pulling -------------------------------------------------- */

void
compare_harness_push (CompareHarness * ch, ColoSide side, GstBuffer * buf,
    guint n_frames)
{
  GstFlowReturn ret = gst_harness_push (ch->h[side], buf);

  fail_unless (ret == GST_FLOW_OK, "%spush on %s: %s",
      compare_harness_case (ch), colo_side_name (side),
      gst_flow_get_name (ret));
  ch->pushed[side] += n_frames;
  compare_harness_wait_stat (ch, side == COLO_SIDE_PRIMARY ?
      "primary-packets" : "secondary-packets", ch->pushed[side]);
}

GstBuffer *
compare_harness_push_frame (CompareHarness * ch, ColoSide side, GBytes * frame)
{
  GstBuffer *buf = gst_buffer_new_wrapped_bytes (frame);

  g_bytes_unref (frame);
  ch->kept = g_list_prepend (ch->kept, gst_buffer_ref (buf));
  compare_harness_push (ch, side, buf, 1);
  return buf;
}

GstBuffer *
compare_harness_push_frame_at (CompareHarness * ch, ColoSide side,
    GstClockTime t, GBytes * frame)
{
  compare_harness_advance_to (ch, t);
  return compare_harness_push_frame (ch, side, frame);
}

GstBuffer *
compare_harness_pull (CompareHarness * ch)
{
  GstBuffer *out = gst_harness_pull (ch->h[COLO_SIDE_PRIMARY]);

  fail_unless (out != NULL, "%snothing released", compare_harness_case (ch));
  ch->pulled++;
  return out;
}

GByteArray *
compare_harness_pull_bytes (CompareHarness * ch, gsize bytes, guint * n_buffers)
{
  GstHarness *h = ch->h[COLO_SIDE_PRIMARY];
  GByteArray *a = g_byte_array_new ();
  GstBuffer *out;

  /* the counters move before the src thread pushes what they count: wait
   * for the buffers themselves */
  *n_buffers = 0;
  while ((out = a->len < bytes ? gst_harness_pull (h) :
          gst_harness_try_pull (h))) {
    GstMapInfo map;

    gst_buffer_map (out, &map, GST_MAP_READ);
    g_byte_array_append (a, map.data, map.size);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    (*n_buffers)++;
    ch->pulled++;
  }
  return a;
}

void
compare_harness_expect_out (CompareHarness * ch, GstBuffer * expected)
{
  GstBuffer *out = compare_harness_pull (ch);

  fail_unless (out == expected, "%sreleased %p, expected %p",
      compare_harness_case (ch), out, expected);
  gst_buffer_unref (out);
}

void
compare_harness_expect_none (CompareHarness * ch)
{
  guint64 released = compare_released_total (ch->e);
  GstBuffer *out;

  fail_unless (released == ch->pulled, "%s%" G_GUINT64_FORMAT
      " frames released, %" G_GUINT64_FORMAT " pulled",
      compare_harness_case (ch), released, ch->pulled);
  out = gst_harness_try_pull (ch->h[COLO_SIDE_PRIMARY]);
  fail_unless (out == NULL, "%sunexpected frame released",
      compare_harness_case (ch));
}

gboolean
compare_harness_src_eos (CompareHarness * ch)
{
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (ch->h[COLO_SIDE_PRIMARY]))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
      ch->src_eos = TRUE;
    gst_event_unref (ev);
  }
  return ch->src_eos;
}

/* --- colo-checkpoint messages --------------------------------------------- */

guint
compare_harness_requests (CompareHarness * ch)
{
  return (guint) compare_stat (ch->e, "checkpoints-requested");
}

GstMessage *
compare_harness_pop_checkpoint (CompareHarness * ch)
{
  GstMessage *m;

  for (;;) {
    m = gst_bus_timed_pop_filtered (ch->bus, 10 * GST_SECOND,
        GST_MESSAGE_ELEMENT);
    fail_unless (m != NULL, "%sno colo-checkpoint message",
        compare_harness_case (ch));
    if (gst_message_has_name (m, "colo-checkpoint"))
      return m;
    gst_message_unref (m);
  }
}

void
compare_harness_no_checkpoint (CompareHarness * ch)
{
  GstMessage *m = gst_bus_pop_filtered (ch->bus, GST_MESSAGE_ELEMENT);

  fail_unless (m == NULL, "%sunexpected message %" GST_PTR_FORMAT,
      compare_harness_case (ch), m);
}

const gchar *
compare_msg_str (GstMessage * m, const gchar * field)
{
  const gchar *v = gst_structure_get_string (gst_message_get_structure (m),
      field);

  fail_unless (v != NULL, "no field %s", field);
  return v;
}

guint
compare_msg_uint (GstMessage * m, const gchar * field)
{
  guint v = 0;

  fail_unless (gst_structure_get_uint (gst_message_get_structure (m), field,
          &v), "no uint field %s", field);
  return v;
}

guint64
compare_msg_time (GstMessage * m)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (gst_message_get_structure (m),
          "running-time", &v), "no field running-time");
  return v;
}
