/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for the QEMU chardev framing core (colo-framing.c). */

#include <string.h>

#include "colo-framing.h"

typedef struct
{
  GBytes *payload;
  guint32 vnet_hdr_len;
  guint64 offset;
} Record;

static void
record_free (gpointer p)
{
  Record *r = p;

  g_bytes_unref (r->payload);
  g_free (r);
}

static void
collect_cb (const guint8 * payload, guint32 len, guint32 vnet_hdr_len,
    guint64 offset, gpointer user_data)
{
  GPtrArray *out = user_data;
  Record *r = g_new0 (Record, 1);

  g_assert_nonnull (payload);
  r->payload = g_bytes_new (payload, len);
  r->vnet_hdr_len = vnet_hdr_len;
  r->offset = offset;
  g_ptr_array_add (out, r);
}

/* Appends a record with @len payload bytes (pattern derived from @seed) */
static void
append_record (GByteArray * stream, GPtrArray * expected, gboolean vnet,
    guint32 len, guint32 vnet_hdr_len, guint8 seed)
{
  guint8 hdr[8];
  guint hlen, i;
  Record *r = g_new0 (Record, 1);
  guint8 *payload = g_malloc (len + 1);

  for (i = 0; i < len; i++)
    payload[i] = (guint8) (seed + i * 7);

  r->offset = stream->len;
  r->vnet_hdr_len = vnet ? vnet_hdr_len : 0;
  r->payload = g_bytes_new (payload, len);

  hlen = colo_framing_write_header (hdr, len, vnet, vnet_hdr_len);
  g_assert_cmpuint (hlen, ==, COLO_FRAMING_HEADER_SIZE (vnet));
  g_byte_array_append (stream, hdr, hlen);
  g_byte_array_append (stream, payload, len);
  g_free (payload);

  if (expected)
    g_ptr_array_add (expected, r);
  else
    record_free (r);
}

static GByteArray *
make_stream (gboolean vnet, GPtrArray * expected)
{
  GByteArray *s = g_byte_array_new ();

  append_record (s, expected, vnet, 60, 0, 1);
  append_record (s, expected, vnet, 1, 0, 2);
  append_record (s, expected, vnet, 0, 0, 3);   /* zero-length */
  append_record (s, expected, vnet, 74, 12, 4);
  append_record (s, expected, vnet, 20, 20, 5); /* header only */
  append_record (s, expected, vnet, 1514, 10, 6);
  append_record (s, expected, vnet, 0, 0, 7);   /* zero-length at the end */
  return s;
}

static void
assert_records_equal (GPtrArray * got, GPtrArray * expected)
{
  guint i;

  g_assert_cmpuint (got->len, ==, expected->len);
  for (i = 0; i < got->len; i++) {
    Record *g = g_ptr_array_index (got, i);
    Record *e = g_ptr_array_index (expected, i);

    g_assert_cmpuint (g->offset, ==, e->offset);
    g_assert_cmpuint (g->vnet_hdr_len, ==, e->vnet_hdr_len);
    g_assert_true (g_bytes_equal (g->payload, e->payload));
  }
}

static void
check_split_everywhere (gboolean vnet)
{
  GPtrArray *expected = g_ptr_array_new_with_free_func (record_free);
  GByteArray *s = make_stream (vnet, expected);
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (vnet, collect_cb, got);
  guint split, split2;

  /* every single split point */
  for (split = 0; split <= s->len; split++) {
    colo_framing_parser_reset (p);
    g_ptr_array_set_size (got, 0);
    g_assert_cmpint (colo_framing_parser_push (p, s->data, split), ==,
        COLO_FRAMING_OK);
    g_assert_cmpint (colo_framing_parser_push (p, s->data + split,
            s->len - split), ==, COLO_FRAMING_OK);
    assert_records_equal (got, expected);
    g_assert_cmpuint (colo_framing_parser_get_offset (p), ==, s->len);
    g_assert_cmpuint (colo_framing_parser_get_pending (p, NULL), ==, 0);
  }

  /* every pair of split points within the first records */
  for (split = 0; split <= 160 && split <= s->len; split++) {
    for (split2 = split; split2 <= 160 && split2 <= s->len; split2++) {
      colo_framing_parser_reset (p);
      g_ptr_array_set_size (got, 0);
      colo_framing_parser_push (p, s->data, split);
      colo_framing_parser_push (p, s->data + split, split2 - split);
      g_assert_cmpint (colo_framing_parser_push (p, s->data + split2,
              s->len - split2), ==, COLO_FRAMING_OK);
      assert_records_equal (got, expected);
    }
  }

  /* byte by byte */
  colo_framing_parser_reset (p);
  g_ptr_array_set_size (got, 0);
  for (split = 0; split < s->len; split++)
    g_assert_cmpint (colo_framing_parser_push (p, s->data + split, 1), ==,
        COLO_FRAMING_OK);
  assert_records_equal (got, expected);

  /* empty pushes change nothing */
  g_assert_cmpint (colo_framing_parser_push (p, NULL, 0), ==, COLO_FRAMING_OK);
  g_assert_cmpuint (got->len, ==, expected->len);

  colo_framing_parser_free (p);
  g_ptr_array_unref (got);
  g_ptr_array_unref (expected);
  g_byte_array_unref (s);
}

static void
test_split_plain (void)
{
  check_split_everywhere (FALSE);
}

static void
test_split_vnet (void)
{
  check_split_everywhere (TRUE);
}

static void
test_zero_length (void)
{
  static const guint8 data[] = { 0, 0, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb };
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (FALSE, collect_cb, got);
  ColoFramingRecord rec;
  Record *r;

  /* a zero-length record is complete as soon as its header is */
  g_assert_cmpint (colo_framing_parser_push (p, data, 4), ==, COLO_FRAMING_OK);
  g_assert_cmpuint (got->len, ==, 1);
  r = g_ptr_array_index (got, 0);
  g_assert_cmpuint (g_bytes_get_size (r->payload), ==, 0);
  g_assert_cmpuint (r->offset, ==, 0);

  g_assert_cmpint (colo_framing_parser_push (p, data + 4, sizeof (data) - 4),
      ==, COLO_FRAMING_OK);
  g_assert_cmpuint (got->len, ==, 2);
  r = g_ptr_array_index (got, 1);
  g_assert_cmpuint (g_bytes_get_size (r->payload), ==, 2);
  g_assert_cmpuint (r->offset, ==, 4);

  g_assert_cmpint (colo_framing_peek (data, 4, FALSE, &rec), ==,
      COLO_FRAMING_OK);
  g_assert_true (rec.header_complete);
  g_assert_cmpuint (rec.record_size, ==, 4);
  g_assert_cmpuint (rec.len, ==, 0);

  /* with vnet: len 0 and vnet_hdr_len 0 is fine, vnet_hdr_len 1 is not */
  {
    static const guint8 v0[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    static const guint8 v1[] = { 0, 0, 0, 0, 0, 0, 0, 1 };

    g_assert_cmpint (colo_framing_peek (v0, 8, TRUE, &rec), ==,
        COLO_FRAMING_OK);
    g_assert_cmpint (colo_framing_peek (v1, 8, TRUE, &rec), ==,
        COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN);
    g_assert_cmpuint (colo_framing_record_bad_value (&rec,
            COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN), ==, 1);
  }

  colo_framing_parser_free (p);
  g_ptr_array_unref (got);
}

static void
test_peek (void)
{
  GByteArray *s = g_byte_array_new ();
  ColoFramingRecord rec;
  guint i;

  append_record (s, NULL, TRUE, 100, 12, 9);

  for (i = 0; i < 8; i++) {
    g_assert_cmpint (colo_framing_peek (s->data, i, TRUE, &rec), ==,
        COLO_FRAMING_NEED_MORE);
    g_assert_false (rec.header_complete);
    g_assert_cmpuint (rec.record_size, ==, 8);
  }
  for (i = 8; i < 108; i++) {
    g_assert_cmpint (colo_framing_peek (s->data, i, TRUE, &rec), ==,
        COLO_FRAMING_NEED_MORE);
    g_assert_true (rec.header_complete);
    g_assert_cmpuint (rec.record_size, ==, 108);
    g_assert_cmpuint (rec.len, ==, 100);
    g_assert_cmpuint (rec.vnet_hdr_len, ==, 12);
  }
  g_assert_cmpint (colo_framing_peek (s->data, 108, TRUE, &rec), ==,
      COLO_FRAMING_OK);
  g_assert_cmpint (colo_framing_peek (s->data, 200, TRUE, &rec), ==,
      COLO_FRAMING_OK);
  g_assert_cmpuint (rec.record_size, ==, 108);

  /* the same bytes without vnet: len 100, then payload starts with the
   * vnet word */
  g_assert_cmpint (colo_framing_peek (s->data, 104, FALSE, &rec), ==,
      COLO_FRAMING_OK);
  g_assert_cmpuint (rec.record_size, ==, 104);
  g_assert_cmpuint (rec.vnet_hdr_len, ==, 0);

  g_byte_array_unref (s);
}

/* Feeds @prefix records then a bad header; checks the error and offset,
 * whichever way the stream is split */
static void
check_error (gboolean vnet, guint32 len, guint32 vnet_hdr_len,
    ColoFramingResult expect, guint32 bad_value)
{
  GPtrArray *expected = g_ptr_array_new_with_free_func (record_free);
  GByteArray *s = g_byte_array_new ();
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (vnet, collect_cb, got);
  guint8 hdr[8];
  guint hlen, bad_offset, split;

  append_record (s, expected, vnet, 60, 0, 1);
  append_record (s, expected, vnet, 42, vnet ? 10 : 0, 2);
  bad_offset = s->len;
  hlen = colo_framing_write_header (hdr, len, vnet, vnet_hdr_len);
  g_byte_array_append (s, hdr, hlen);
  /* some bytes after the bad header, which must never be parsed */
  g_byte_array_append (s, (const guint8 *) "\0\0\0\x10garbage", 11);

  for (split = 0; split <= s->len; split++) {
    ColoFramingResult r1, r2, err;
    guint64 off = 0;
    guint32 value = 0;

    colo_framing_parser_reset (p);
    g_ptr_array_set_size (got, 0);
    r1 = colo_framing_parser_push (p, s->data, split);
    r2 = colo_framing_parser_push (p, s->data + split, s->len - split);
    g_assert_true (r1 == expect || r2 == expect);
    if (r1 != COLO_FRAMING_OK)
      g_assert_cmpint (r2, ==, r1);     /* sticky */
    err = colo_framing_parser_get_error (p, &off, &value);
    g_assert_cmpint (err, ==, expect);
    g_assert_cmpuint (off, ==, bad_offset);
    g_assert_cmpuint (value, ==, bad_value);
    assert_records_equal (got, expected);
  }

  /* the stateless decoder agrees */
  {
    ColoFramingRecord rec;

    g_assert_cmpint (colo_framing_peek (s->data + bad_offset,
            s->len - bad_offset, vnet, &rec), ==, expect);
    g_assert_cmpuint (colo_framing_record_bad_value (&rec, expect), ==,
        bad_value);
  }

  colo_framing_parser_free (p);
  g_ptr_array_unref (got);
  g_ptr_array_unref (expected);
  g_byte_array_unref (s);
}

static void
test_error_oversize (void)
{
  check_error (FALSE, COLO_FRAMING_MAX_LEN + 1, 0, COLO_FRAMING_ERROR_LEN,
      COLO_FRAMING_MAX_LEN + 1);
  check_error (FALSE, 0xffffffff, 0, COLO_FRAMING_ERROR_LEN, 0xffffffff);
  check_error (TRUE, COLO_FRAMING_MAX_LEN + 1, 0, COLO_FRAMING_ERROR_LEN,
      COLO_FRAMING_MAX_LEN + 1);
}

static void
test_error_oversize_early (void)
{
  /* with vnet, an oversized len is reported before the vnet word */
  static const guint8 data[] = { 0x00, 0x01, 0x10, 0x01 };
  ColoFramingRecord rec;

  g_assert_cmpint (colo_framing_peek (data, 4, TRUE, &rec), ==,
      COLO_FRAMING_ERROR_LEN);
  g_assert_cmpuint (rec.len, ==, 69633);
}

static void
test_error_vnet (void)
{
  check_error (TRUE, 100, 21, COLO_FRAMING_ERROR_VNET_HDR_LEN, 21);
  check_error (TRUE, 100, 0xffffffff, COLO_FRAMING_ERROR_VNET_HDR_LEN,
      0xffffffff);
  check_error (TRUE, 10, 12, COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN, 12);
}

static void
test_max_len (void)
{
  GPtrArray *expected = g_ptr_array_new_with_free_func (record_free);
  GByteArray *s = g_byte_array_new ();
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (TRUE, collect_cb, got);
  guint i;

  append_record (s, expected, TRUE, COLO_FRAMING_MAX_LEN, 20, 3);
  append_record (s, expected, TRUE, 64, 0, 4);
  for (i = 0; i < s->len; i += 1000)
    g_assert_cmpint (colo_framing_parser_push (p, s->data + i,
            MIN (1000, s->len - i)), ==, COLO_FRAMING_OK);
  assert_records_equal (got, expected);

  colo_framing_parser_free (p);
  g_ptr_array_unref (got);
  g_ptr_array_unref (expected);
  g_byte_array_unref (s);
}

static void
test_truncated (void)
{
  GByteArray *s = g_byte_array_new ();
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (FALSE, collect_cb, got);
  guint64 off;

  append_record (s, NULL, FALSE, 60, 0, 1);
  append_record (s, NULL, FALSE, 60, 0, 2);
  /* all of the first, 30 bytes of the second */
  g_assert_cmpint (colo_framing_parser_push (p, s->data, 64 + 30), ==,
      COLO_FRAMING_OK);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (colo_framing_parser_get_pending (p, &off), ==, 30);
  g_assert_cmpuint (off, ==, 64);
  g_assert_cmpuint (colo_framing_parser_get_offset (p), ==, 94);

  colo_framing_parser_free (p);
  g_ptr_array_unref (got);
  g_byte_array_unref (s);
}

/* encoder → parser gives back exactly the payloads and vnet lengths */
static void
test_roundtrip (void)
{
  gboolean vnet;

  for (vnet = FALSE; vnet <= TRUE; vnet++) {
    GPtrArray *expected = g_ptr_array_new_with_free_func (record_free);
    GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
    ColoFramingParser *p = colo_framing_parser_new (vnet, collect_cb, got);
    GByteArray *s = g_byte_array_new ();
    GRand *rand = g_rand_new_with_seed (42 + vnet);
    guint i, pos;

    for (i = 0; i < 200; i++) {
      guint32 len = g_rand_int_range (rand, 0, 2000);
      guint32 vlen = vnet ? g_rand_int_range (rand, 0, MIN (len, 20) + 1) : 0;

      g_assert_cmpint (colo_framing_validate (len, vlen), ==, COLO_FRAMING_OK);
      append_record (s, expected, vnet, len, vlen, i);
    }
    /* random chunking */
    for (pos = 0; pos < s->len;) {
      guint n = g_rand_int_range (rand, 1, 3000);

      n = MIN (n, s->len - pos);

      g_assert_cmpint (colo_framing_parser_push (p, s->data + pos, n), ==,
          COLO_FRAMING_OK);
      pos += n;
    }
    assert_records_equal (got, expected);

    g_rand_free (rand);
    g_byte_array_unref (s);
    colo_framing_parser_free (p);
    g_ptr_array_unref (got);
    g_ptr_array_unref (expected);
  }
}

static void
test_validate (void)
{
  guint8 hdr[8];

  g_assert_cmpint (colo_framing_validate (0, 0), ==, COLO_FRAMING_OK);
  g_assert_cmpint (colo_framing_validate (69632, 20), ==, COLO_FRAMING_OK);
  g_assert_cmpint (colo_framing_validate (69633, 0), ==,
      COLO_FRAMING_ERROR_LEN);
  g_assert_cmpint (colo_framing_validate (100, 21), ==,
      COLO_FRAMING_ERROR_VNET_HDR_LEN);
  g_assert_cmpint (colo_framing_validate (5, 6), ==,
      COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN);

  g_assert_cmpuint (colo_framing_write_header (hdr, 0x01020304, TRUE, 12), ==,
      8);
  g_assert_cmpmem (hdr, 8, "\x01\x02\x03\x04\x00\x00\x00\x0c", 8);
  g_assert_cmpuint (colo_framing_write_header (hdr, 60, FALSE, 12), ==, 4);
  g_assert_cmpmem (hdr, 4, "\x00\x00\x00\x3c", 4);

  g_assert_nonnull (colo_framing_result_to_string (COLO_FRAMING_ERROR_LEN));
}

/* get_needed says what completes the record being assembled; skip moves
 * the offset over records consumed without the parser, so that later
 * records (and errors) report their true stream offsets. */
static void
test_needed_and_skip (void)
{
  GPtrArray *got = g_ptr_array_new_with_free_func (record_free);
  ColoFramingParser *p = colo_framing_parser_new (TRUE, collect_cb, got);
  GByteArray *s = g_byte_array_new ();
  guint64 off;
  guint32 value;

  append_record (s, NULL, TRUE, 100, 12, 1);    /* 108 bytes */
  append_record (s, NULL, TRUE, 50, 0, 2);      /* 58 bytes, at 108 */
  g_assert_cmpuint (colo_framing_parser_get_needed (p), ==, 0);
  /* the first record is consumed outside the parser */
  colo_framing_parser_skip (p, 108);
  g_assert_cmpuint (colo_framing_parser_get_offset (p), ==, 108);
  /* 3 bytes of the next header: 5 more for the header */
  g_assert_cmpint (colo_framing_parser_push (p, s->data + 108, 3), ==,
      COLO_FRAMING_OK);
  g_assert_cmpuint (colo_framing_parser_get_needed (p), ==, 5);
  g_assert_cmpint (colo_framing_parser_push (p, s->data + 111, 5), ==,
      COLO_FRAMING_OK);
  /* the header is in: the whole payload is missing */
  g_assert_cmpuint (colo_framing_parser_get_needed (p), ==, 50);
  g_assert_cmpint (colo_framing_parser_push (p, s->data + 116, 50), ==,
      COLO_FRAMING_OK);
  g_assert_cmpuint (colo_framing_parser_get_needed (p), ==, 0);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (((Record *) got->pdata[0])->offset, ==, 108);
  /* an error after a skip names its true offset */
  colo_framing_parser_skip (p, 1000);
  {
    guint8 bad[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };

    g_assert_true (COLO_FRAMING_RESULT_IS_ERROR (colo_framing_parser_push (p,
                bad, 8)));
  }
  colo_framing_parser_get_error (p, &off, &value);
  g_assert_cmpuint (off, ==, 1166);
  colo_framing_parser_free (p);
  g_byte_array_unref (s);
  g_ptr_array_unref (got);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/framing/split/plain", test_split_plain);
  g_test_add_func ("/framing/split/vnet", test_split_vnet);
  g_test_add_func ("/framing/zero-length", test_zero_length);
  g_test_add_func ("/framing/peek", test_peek);
  g_test_add_func ("/framing/error/oversize", test_error_oversize);
  g_test_add_func ("/framing/error/oversize-early", test_error_oversize_early);
  g_test_add_func ("/framing/error/vnet", test_error_vnet);
  g_test_add_func ("/framing/max-len", test_max_len);
  g_test_add_func ("/framing/truncated", test_truncated);
  g_test_add_func ("/framing/roundtrip", test_roundtrip);
  g_test_add_func ("/framing/validate", test_validate);
  g_test_add_func ("/framing/needed-and-skip", test_needed_and_skip);
  return g_test_run ();
}
