/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the notify-protocol parser: what Xen sends on
 * gst-colo-compare's --notify-dev, parsed as colo-notify-channel.c parses
 * it (the record framing of colo-framing.c without a vnet word, each
 * record's payload given to colo_notify_parse() of tools/colo-notify.c).
 *
 * Input: byte 0 seeds the chunking, the rest is the byte stream from the
 * peer.  The stream is fed in chunks of 1-64 bytes, as reads would
 * deliver it.  Checked:
 *  - never a vnet word: every record has vnet_hdr_len 0;
 *  - a record is COLO_USERSPACE_PROXY_INIT or COLO_CHECKPOINT exactly when
 *    its payload is that text, byte for byte and no longer (an independent
 *    comparison with the literal strings), anything else is unknown;
 *  - the commands and the framing result (error and its offset, or the
 *    pending tail) do not depend on the chunking: one push of the whole
 *    stream into a fresh parser gives the same;
 *  - after a framing error (the channel then drops the peer) further
 *    input is refused with the same error;
 *  - the messages the channel sends (colo_notify_encode) frame and parse
 *    back to exactly their text. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-framing.h"
#include "colo-notify.h"

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

typedef struct
{
  GByteArray *cmds;             /* one byte per record: ColoNotifyCommand */
  guint64 next_offset;
} State;

static ColoNotifyCommand
reference (const guint8 * payload, gsize len)
{
  static const struct
  {
    const char *text;
    ColoNotifyCommand cmd;
  } known[] = {
    {"COLO_USERSPACE_PROXY_INIT", COLO_NOTIFY_CMD_PROXY_INIT},
    {"COLO_CHECKPOINT", COLO_NOTIFY_CMD_CHECKPOINT},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if (len == strlen (known[i].text) &&
        memcmp (payload, known[i].text, len) == 0)
      return known[i].cmd;
  return COLO_NOTIFY_CMD_UNKNOWN;
}

static void
on_record (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  State *st = user_data;
  ColoNotifyCommand cmd = colo_notify_parse (payload, len);
  guint8 byte = cmd;

  CHECK (vnet_hdr_len == 0);
  CHECK (offset == st->next_offset);
  CHECK (cmd == reference (payload, len));
  st->next_offset = offset + COLO_FRAMING_HEADER_SIZE (FALSE) + len;
  g_byte_array_append (st->cmds, &byte, 1);
}

/* What the channel sends must come back as its own text */
static void
check_encode (const gchar * text)
{
  GBytes *rec = colo_notify_encode (text);
  gsize size;
  const guint8 *bytes = g_bytes_get_data (rec, &size);
  ColoFramingRecord r;

  CHECK (colo_framing_peek (bytes, size, FALSE, &r) == COLO_FRAMING_OK);
  CHECK (r.record_size == size && r.len == strlen (text));
  CHECK (memcmp (bytes + r.header_size, text, r.len) == 0);
  CHECK (colo_notify_parse (bytes + r.header_size, r.len) ==
      reference (bytes + r.header_size, r.len));
  g_bytes_unref (rec);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean encoded_checked;
  State a = { 0, }, b = { 0, };
  ColoFramingParser *pa, *pb;
  ColoFramingResult ra = COLO_FRAMING_OK, rb;
  guint64 off_a = 0, off_b = 0;
  guint32 val_a = 0, val_b = 0;
  const guint8 *stream;
  gsize len, pos;
  guint8 seed;

  if (!encoded_checked) {
    check_encode (COLO_NOTIFY_XEN_INIT);
    check_encode (COLO_NOTIFY_DO_CHECKPOINT);
    check_encode (COLO_NOTIFY_PROXY_INIT);
    check_encode (COLO_NOTIFY_CHECKPOINT);
    encoded_checked = TRUE;
  }
  if (size < 1)
    return 0;
  seed = data[0];
  stream = data + 1;
  len = size - 1;

  /* as the channel reads: chunks, stopping at the first error (the peer
   * is dropped then) */
  a.cmds = g_byte_array_new ();
  pa = colo_framing_parser_new (FALSE, on_record, &a);
  for (pos = 0; pos < len && !COLO_FRAMING_RESULT_IS_ERROR (ra);) {
    gsize chunk = MIN ((gsize) 1 + seed % 64, len - pos);

    ra = colo_framing_parser_push (pa, stream + pos, chunk);
    pos += chunk;
    seed = seed * 151 + 11;
  }
  CHECK (colo_framing_parser_get_error (pa, &off_a, &val_a) == ra);
  if (COLO_FRAMING_RESULT_IS_ERROR (ra)) {
    guint n = a.cmds->len;

    CHECK (colo_framing_parser_push (pa, stream, len) == ra);
    CHECK (a.cmds->len == n);
  }

  /* the whole stream at once */
  b.cmds = g_byte_array_new ();
  pb = colo_framing_parser_new (FALSE, on_record, &b);
  rb = colo_framing_parser_push (pb, stream, len);
  CHECK (rb == ra);
  CHECK (colo_framing_parser_get_error (pb, &off_b, &val_b) == rb);
  CHECK (off_a == off_b && val_a == val_b);
  CHECK (a.cmds->len == b.cmds->len);
  CHECK (a.cmds->len == 0 || memcmp (a.cmds->data, b.cmds->data,
          a.cmds->len) == 0);
  if (!COLO_FRAMING_RESULT_IS_ERROR (ra)) {
    guint64 pend_a, pend_b;

    CHECK (colo_framing_parser_get_pending (pa, &pend_a) ==
        colo_framing_parser_get_pending (pb, &pend_b));
    CHECK (pend_a == pend_b);
  }

  /* a reconnect resets the parser: the same stream gives the same again */
  colo_framing_parser_reset (pa);
  a.next_offset = 0;
  g_byte_array_set_size (a.cmds, 0);
  CHECK (colo_framing_parser_push (pa, stream, len) == rb);
  CHECK (a.cmds->len == b.cmds->len);

  colo_framing_parser_free (pa);
  colo_framing_parser_free (pb);
  g_byte_array_unref (a.cmds);
  g_byte_array_unref (b.cmds);
  return 0;
}
