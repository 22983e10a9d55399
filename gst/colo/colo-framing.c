/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "colo-bytes.h"
#include "colo-framing.h"

struct _ColoFramingParser
{
  gboolean vnet;
  ColoFramingRecordFunc func;
  gpointer user_data;

  guint64 offset;               /* bytes consumed */
  guint64 record_offset;        /* where the current record starts */

  /* current record: header bytes, then payload bytes */
  guint8 header[8];
  guint header_have;
  gboolean in_payload;
  guint32 len;
  guint32 vnet_hdr_len;
  guint8 *payload;              /* COLO_FRAMING_MAX_LEN bytes, lazily */
  guint32 payload_have;

  ColoFramingResult error;
  guint32 error_value;
};

const gchar *
colo_framing_result_to_string (ColoFramingResult result)
{
  switch (result) {
    case COLO_FRAMING_OK:
      return "ok";
    case COLO_FRAMING_NEED_MORE:
      return "need more data";
    case COLO_FRAMING_ERROR_LEN:
      return "record length exceeds 69632 (NET_BUFSIZE)";
    case COLO_FRAMING_ERROR_VNET_HDR_LEN:
      return "vnet_hdr_len exceeds 20";
    case COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN:
      return "vnet_hdr_len exceeds the record length";
  }
  return "unknown";
}

guint32
colo_framing_record_bad_value (const ColoFramingRecord * rec,
    ColoFramingResult result)
{
  switch (result) {
    case COLO_FRAMING_ERROR_LEN:
      return rec->len;
    case COLO_FRAMING_ERROR_VNET_HDR_LEN:
    case COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN:
      return rec->vnet_hdr_len;
    default:
      return 0;
  }
}

static ColoFramingResult
validate_len (guint32 len)
{
  return len > COLO_FRAMING_MAX_LEN ? COLO_FRAMING_ERROR_LEN : COLO_FRAMING_OK;
}

ColoFramingResult
colo_framing_validate (guint32 len, guint32 vnet_hdr_len)
{
  if (validate_len (len) != COLO_FRAMING_OK)
    return COLO_FRAMING_ERROR_LEN;
  if (vnet_hdr_len > COLO_MAX_VNET_HDR_LEN)
    return COLO_FRAMING_ERROR_VNET_HDR_LEN;
  if (vnet_hdr_len > len)
    return COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN;
  return COLO_FRAMING_OK;
}

ColoFramingResult
colo_framing_peek (const guint8 * data, gsize size, gboolean vnet,
    ColoFramingRecord * rec)
{
  ColoFramingResult res;

  g_return_val_if_fail (rec != NULL, COLO_FRAMING_NEED_MORE);
  g_return_val_if_fail (data != NULL || size == 0, COLO_FRAMING_NEED_MORE);

  memset (rec, 0, sizeof (*rec));
  rec->header_size = COLO_FRAMING_HEADER_SIZE (vnet);
  rec->record_size = rec->header_size;

  if (size < 4)
    return COLO_FRAMING_NEED_MORE;

  /* like QEMU, reject an oversized length as soon as it is read */
  rec->len = colo_read_be32 (data);
  if ((res = validate_len (rec->len)) != COLO_FRAMING_OK)
    return res;

  if (size < rec->header_size)
    return COLO_FRAMING_NEED_MORE;

  if (vnet)
    rec->vnet_hdr_len = colo_read_be32 (data + 4);
  if ((res = colo_framing_validate (rec->len, rec->vnet_hdr_len))
      != COLO_FRAMING_OK)
    return res;

  rec->header_complete = TRUE;
  rec->record_size = (gsize) rec->header_size + rec->len;

  return size >= rec->record_size ? COLO_FRAMING_OK : COLO_FRAMING_NEED_MORE;
}

guint
colo_framing_write_header (guint8 * out, guint32 len, gboolean vnet,
    guint32 vnet_hdr_len)
{
  colo_write_be32 (out, len);
  if (!vnet)
    return 4;
  colo_write_be32 (out + 4, vnet_hdr_len);
  return 8;
}

ColoFramingParser *
colo_framing_parser_new (gboolean vnet, ColoFramingRecordFunc func,
    gpointer user_data)
{
  ColoFramingParser *parser;

  g_return_val_if_fail (func != NULL, NULL);

  parser = g_new0 (ColoFramingParser, 1);
  parser->vnet = vnet;
  parser->func = func;
  parser->user_data = user_data;
  colo_framing_parser_reset (parser);

  return parser;
}

void
colo_framing_parser_free (ColoFramingParser * parser)
{
  if (parser == NULL)
    return;
  g_free (parser->payload);
  g_free (parser);
}

void
colo_framing_parser_reset (ColoFramingParser * parser)
{
  g_return_if_fail (parser != NULL);

  parser->offset = 0;
  parser->record_offset = 0;
  parser->header_have = 0;
  parser->in_payload = FALSE;
  parser->len = 0;
  parser->vnet_hdr_len = 0;
  parser->payload_have = 0;
  parser->error = COLO_FRAMING_OK;
  parser->error_value = 0;
}

static void
parser_emit (ColoFramingParser * parser, const guint8 * payload)
{
  static const guint8 empty[1] = { 0 };

  parser->func (payload ? payload : empty, parser->len, parser->vnet_hdr_len,
      parser->record_offset, parser->user_data);

  /* next record */
  parser->record_offset = parser->offset;
  parser->header_have = 0;
  parser->in_payload = FALSE;
  parser->payload_have = 0;
}

ColoFramingResult
colo_framing_parser_push (ColoFramingParser * parser, const guint8 * data,
    gsize size)
{
  g_return_val_if_fail (parser != NULL, COLO_FRAMING_NEED_MORE);
  g_return_val_if_fail (data != NULL || size == 0, COLO_FRAMING_NEED_MORE);

  if (parser->error != COLO_FRAMING_OK)
    return parser->error;

  while (size > 0) {
    if (!parser->in_payload) {
      guint hsize = COLO_FRAMING_HEADER_SIZE (parser->vnet);
      guint n = MIN (hsize - parser->header_have, size);
      ColoFramingRecord rec;
      ColoFramingResult res;

      memcpy (parser->header + parser->header_have, data, n);
      parser->header_have += n;
      parser->offset += n;
      data += n;
      size -= n;

      res = colo_framing_peek (parser->header, parser->header_have,
          parser->vnet, &rec);
      if (COLO_FRAMING_RESULT_IS_ERROR (res)) {
        parser->error = res;
        parser->error_value = colo_framing_record_bad_value (&rec, res);
        return res;
      }
      if (!rec.header_complete)
        continue;               /* size is 0 now */

      parser->len = rec.len;
      parser->vnet_hdr_len = rec.vnet_hdr_len;
      parser->in_payload = TRUE;
      parser->payload_have = 0;
      if (rec.len == 0) {
        parser_emit (parser, NULL);
        continue;
      }
    }

    /* in payload */
    if (parser->payload_have == 0 && size >= parser->len) {
      /* the whole payload is contiguous in the input: no copy */
      const guint8 *payload = data;

      parser->offset += parser->len;
      data += parser->len;
      size -= parser->len;
      parser_emit (parser, payload);
    } else {
      guint32 n = MIN (parser->len - parser->payload_have, size);

      if (parser->payload == NULL)
        parser->payload = g_malloc (COLO_FRAMING_MAX_LEN);
      memcpy (parser->payload + parser->payload_have, data, n);
      parser->payload_have += n;
      parser->offset += n;
      data += n;
      size -= n;
      if (parser->payload_have == parser->len)
        parser_emit (parser, parser->payload);
    }
  }

  return COLO_FRAMING_OK;
}

gsize
colo_framing_parser_get_needed (ColoFramingParser * parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  if (parser->in_payload)
    return parser->len - parser->payload_have;
  if (parser->header_have == 0)
    return 0;
  return COLO_FRAMING_HEADER_SIZE (parser->vnet) - parser->header_have;
}

void
colo_framing_parser_skip (ColoFramingParser * parser, gsize size)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (colo_framing_parser_get_needed (parser) == 0);

  parser->offset += size;
  parser->record_offset = parser->offset;
}

guint64
colo_framing_parser_get_offset (ColoFramingParser * parser)
{
  g_return_val_if_fail (parser != NULL, 0);
  return parser->offset;
}

gsize
colo_framing_parser_get_pending (ColoFramingParser * parser,
    guint64 * record_offset)
{
  g_return_val_if_fail (parser != NULL, 0);

  if (record_offset)
    *record_offset = parser->record_offset;
  return parser->offset - parser->record_offset;
}

ColoFramingResult
colo_framing_parser_get_error (ColoFramingParser * parser,
    guint64 * record_offset, guint32 * value)
{
  g_return_val_if_fail (parser != NULL, COLO_FRAMING_OK);

  if (record_offset)
    *record_offset = parser->record_offset;
  if (value)
    *value = parser->error_value;
  return parser->error;
}
