/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the QEMU chardev framing parser (colo-framing.c).
 *
 * Input layout: byte 0 selects vnet on/off (bit 0) and a chunking seed
 * (the other bits); the rest is the stream.  The stream is fed to the push
 * parser in chunks whose sizes (1..64) are drawn from the stream bytes
 * themselves, and the result is checked against a one-shot walk with the
 * stateless decoder:
 *  - the same records (payload, vnet_hdr_len, offset) in the same order;
 *  - every record obeys the limits (len <= 69632, vnet_hdr_len <= 20 and
 *    <= len) and starts where the previous one ended;
 *  - re-encoding the records reproduces the stream byte for byte, up to
 *    the error or the incomplete tail;
 *  - the same error at the same offset, or the same pending tail.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -I gst/colo \
 *   tests/fuzz/fuzz_framing.c gst/colo/colo-framing.c \
 *   $(pkg-config --cflags --libs glib-2.0) */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-framing.h"

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

typedef struct
{
  GByteArray *reencoded;
  guint64 next_offset;
  gboolean vnet;
  guint n_records;
} State;

static void
record_cb (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  State *st = user_data;
  guint8 hdr[8];
  guint hlen;

  CHECK (payload != NULL);
  CHECK (len <= COLO_FRAMING_MAX_LEN);
  CHECK (vnet_hdr_len <= COLO_MAX_VNET_HDR_LEN);
  CHECK (vnet_hdr_len <= len);
  CHECK (st->vnet || vnet_hdr_len == 0);
  CHECK (offset == st->next_offset);

  hlen = colo_framing_write_header (hdr, len, st->vnet, vnet_hdr_len);
  g_byte_array_append (st->reencoded, hdr, hlen);
  g_byte_array_append (st->reencoded, payload, len);
  st->next_offset = offset + hlen + len;
  st->n_records++;
}

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  State st = { 0, };
  ColoFramingParser *parser;
  ColoFramingResult res = COLO_FRAMING_OK, err;
  const guint8 *stream;
  gsize len, pos, walk;
  guint64 err_offset = 0, pending_offset = 0;
  guint32 err_value = 0;
  guint n_walk = 0;
  guint8 seed;

  if (size < 1)
    return 0;
  st.vnet = data[0] & 1;
  seed = data[0] >> 1;
  stream = data + 1;
  len = size - 1;
  st.reencoded = g_byte_array_new ();

  parser = colo_framing_parser_new (st.vnet, record_cb, &st);

  /* chunked feeding */
  for (pos = 0; pos < len && res == COLO_FRAMING_OK;) {
    gsize chunk = 1 + ((stream[pos] ^ seed) % 64);

    chunk = MIN (chunk, len - pos);
    res = colo_framing_parser_push (parser, stream + pos, chunk);
    pos += chunk;
    seed = seed * 31 + 7;
  }
  err = colo_framing_parser_get_error (parser, &err_offset, &err_value);
  CHECK (err == res);
  if (res == COLO_FRAMING_OK) {
    CHECK (colo_framing_parser_get_offset (parser) == len);
    /* once in error, further input is refused with the same error */
  } else {
    CHECK (COLO_FRAMING_RESULT_IS_ERROR (res));
    CHECK (colo_framing_parser_push (parser, stream, len) == res);
  }

  /* reference: one-shot walk with the stateless decoder */
  for (walk = 0;;) {
    ColoFramingRecord rec;
    ColoFramingResult r = colo_framing_peek (stream + walk, len - walk,
        st.vnet, &rec);

    if (r == COLO_FRAMING_OK) {
      CHECK (rec.header_complete);
      CHECK (rec.record_size == rec.header_size + rec.len);
      walk += rec.record_size;
      n_walk++;
      continue;
    }
    if (r == COLO_FRAMING_NEED_MORE) {
      CHECK (res == COLO_FRAMING_OK);
      CHECK (colo_framing_parser_get_pending (parser,
              &pending_offset) == len - walk);
      CHECK (pending_offset == walk);
      CHECK (rec.record_size > len - walk);
    } else {
      CHECK (r == res);
      CHECK (err_offset == walk);
      CHECK (err_value == colo_framing_record_bad_value (&rec, r));
    }
    break;
  }
  CHECK (n_walk == st.n_records);
  CHECK (st.reencoded->len == walk);
  CHECK (walk == 0 || memcmp (st.reencoded->data, stream, walk) == 0);

  /* reset gives a fresh parser: one big push yields the same records */
  colo_framing_parser_reset (parser);
  st.next_offset = 0;
  st.n_records = 0;
  g_byte_array_set_size (st.reencoded, 0);
  CHECK (colo_framing_parser_push (parser, stream, len) == res);
  CHECK (st.n_records == n_walk);

  colo_framing_parser_free (parser);
  g_byte_array_unref (st.reencoded);
  return 0;
}
