/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for the Xen userspace-proxy notify protocol (colo-notify.c):
 * the exact bytes QEMU's colo-compare sends and accepts. */

#include <string.h>

#include "colo-framing.h"
#include "colo-notify.h"

static void
check_encoded (const gchar * text, const guint8 * expected, gsize len)
{
  GBytes *rec = colo_notify_encode (text);
  gsize size;
  const guint8 *data = g_bytes_get_data (rec, &size);

  g_assert_cmpmem (data, size, expected, len);
  g_bytes_unref (rec);
}

static void
test_encode (void)
{
  check_encoded (COLO_NOTIFY_XEN_INIT, (const guint8 *)
      "\x00\x00\x00\x19" "COLO_COMPARE_GET_XEN_INIT", 4 + 25);
  check_encoded (COLO_NOTIFY_DO_CHECKPOINT, (const guint8 *)
      "\x00\x00\x00\x0d" "DO_CHECKPOINT", 4 + 13);
}

static void
test_parse (void)
{
  const gchar *init = "COLO_USERSPACE_PROXY_INIT";
  const gchar *ckpt = "COLO_CHECKPOINT";

  g_assert_cmpint (colo_notify_parse ((const guint8 *) init, strlen (init)),
      ==, COLO_NOTIFY_CMD_PROXY_INIT);
  g_assert_cmpint (colo_notify_parse ((const guint8 *) ckpt, strlen (ckpt)),
      ==, COLO_NOTIFY_CMD_CHECKPOINT);
  /* the length must match exactly: no prefix, no trailing NUL */
  g_assert_cmpint (colo_notify_parse ((const guint8 *) init,
          strlen (init) - 1), ==, COLO_NOTIFY_CMD_UNKNOWN);
  g_assert_cmpint (colo_notify_parse ((const guint8 *) ckpt,
          strlen (ckpt) + 1), ==, COLO_NOTIFY_CMD_UNKNOWN);
  g_assert_cmpint (colo_notify_parse ((const guint8 *) "COLO_CHECKPOINS",
          15), ==, COLO_NOTIFY_CMD_UNKNOWN);
  g_assert_cmpint (colo_notify_parse ((const guint8 *) "DO_CHECKPOINT",
          13), ==, COLO_NOTIFY_CMD_UNKNOWN);
  g_assert_cmpint (colo_notify_parse ((const guint8 *) "", 0), ==,
      COLO_NOTIFY_CMD_UNKNOWN);
}

/* What Xen sends, through the framing parser without a vnet word (also
 * when the data path uses one: quirk Q9 fixed). */
static void
on_record (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  GArray *cmds = user_data;
  ColoNotifyCommand cmd = colo_notify_parse (payload, len);

  g_assert_cmpuint (vnet_hdr_len, ==, 0);
  g_array_append_val (cmds, cmd);
}

static void
test_stream (void)
{
  const guint8 stream[] =
      "\x00\x00\x00\x19" "COLO_USERSPACE_PROXY_INIT"
      "\x00\x00\x00\x05" "HELLO" "\x00\x00\x00\x0f" "COLO_CHECKPOINT";
  GArray *cmds = g_array_new (FALSE, FALSE, sizeof (ColoNotifyCommand));
  ColoFramingParser *parser = colo_framing_parser_new (FALSE, on_record,
      cmds);
  gsize i;

  /* one byte at a time: records cut anywhere */
  for (i = 0; i < sizeof stream - 1; i++)
    g_assert_cmpint (colo_framing_parser_push (parser, stream + i, 1), ==,
        COLO_FRAMING_OK);
  g_assert_cmpuint (cmds->len, ==, 3);
  g_assert_cmpint (g_array_index (cmds, ColoNotifyCommand, 0), ==,
      COLO_NOTIFY_CMD_PROXY_INIT);
  g_assert_cmpint (g_array_index (cmds, ColoNotifyCommand, 1), ==,
      COLO_NOTIFY_CMD_UNKNOWN);
  g_assert_cmpint (g_array_index (cmds, ColoNotifyCommand, 2), ==,
      COLO_NOTIFY_CMD_CHECKPOINT);
  colo_framing_parser_free (parser);
  g_array_free (cmds, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/notify/encode", test_encode);
  g_test_add_func ("/notify/parse", test_parse);
  g_test_add_func ("/notify/stream", test_stream);
  return g_test_run ();
}
