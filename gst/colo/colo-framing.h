/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* QEMU's chardev socket framing, as used by filter-mirror,
 * filter-redirector and colo-compare:
 *
 *   be32 len  [be32 vnet_hdr_len, only with vnet_hdr_support=on]  payload
 *
 * where payload is len bytes: a virtio-net header of vnet_hdr_len bytes
 * followed by the Ethernet frame.
 *
 * Plain C + GLib types only, no GStreamer: unit-tested and fuzzed on its
 * own.  Two interfaces share one header decoder:
 *  - colo_framing_peek(): stateless, looks at the bytes at the start of a
 *    record and says how many bytes the record needs (used by colodepay,
 *    whose base class keeps the bytes);
 *  - ColoFramingParser: a push state machine that takes bytes in chunks of
 *    any size and calls back once per complete record. */

#ifndef __COLO_FRAMING_H__
#define __COLO_FRAMING_H__

#include <glib.h>
#include "colo-packet.h"          /* COLO_MAX_VNET_HDR_LEN */

G_BEGIN_DECLS

/* QEMU's NET_BUFSIZE: the largest len a record may have */
#define COLO_FRAMING_MAX_LEN 69632
/* Size of the record header: 4 bytes, or 8 with the vnet word */
#define COLO_FRAMING_HEADER_SIZE(vnet) ((vnet) ? 8 : 4)
typedef enum
{
  COLO_FRAMING_OK,              /* a complete record */
  COLO_FRAMING_NEED_MORE,       /* not enough bytes yet */
  COLO_FRAMING_ERROR_LEN,       /* len > COLO_FRAMING_MAX_LEN */
  COLO_FRAMING_ERROR_VNET_HDR_LEN,      /* vnet_hdr_len > MAX_VNET_HDR_LEN */
  COLO_FRAMING_ERROR_VNET_HDR_EXCEEDS_LEN,      /* vnet_hdr_len > len */
} ColoFramingResult;

#define COLO_FRAMING_RESULT_IS_ERROR(r) ((r) >= COLO_FRAMING_ERROR_LEN)

typedef struct
{
  guint32 len;                  /* payload length (vnet header included) */
  guint32 vnet_hdr_len;         /* 0 when the stream has no vnet word */
  guint header_size;            /* 4 or 8 */
  gboolean header_complete;     /* len (and vnet_hdr_len) are valid */
  gsize record_size;            /* bytes needed: header, or header + len */
} ColoFramingRecord;

const gchar *colo_framing_result_to_string (ColoFramingResult result);

/* The value an error result complains about (len or vnet_hdr_len). */
guint32 colo_framing_record_bad_value (const ColoFramingRecord * rec,
    ColoFramingResult result);

/* Checks a record's lengths; COLO_FRAMING_OK or an error. */
ColoFramingResult colo_framing_validate (guint32 len, guint32 vnet_hdr_len);

/* Decodes the record starting at @data (@size bytes available).
 * Returns OK when the whole record (header + payload) is available,
 * NEED_MORE when rec->record_size bytes are needed (header_complete tells
 * whether the header was already decoded), or an error as soon as the
 * bytes read so far prove the record invalid (len is checked before the
 * vnet word arrives).  @rec is always filled. */
ColoFramingResult colo_framing_peek (const guint8 * data, gsize size,
    gboolean vnet, ColoFramingRecord * rec);

/* Writes a record header for a payload of @len bytes into @out (room for 8
 * bytes) and returns its size (4 or 8).  The caller validates first. */
guint colo_framing_write_header (guint8 * out, guint32 len, gboolean vnet,
    guint32 vnet_hdr_len);

typedef struct _ColoFramingParser ColoFramingParser;

/* Called once per complete record.  @payload is valid only during the
 * call (it may point into the pushed data or into the parser's buffer);
 * @offset is the stream byte offset of the record's header.  A zero-length
 * record is reported too (len 0, payload non-NULL); what it means is the
 * caller's business. */
typedef void (*ColoFramingRecordFunc) (const guint8 * payload,
    guint32 len, guint32 vnet_hdr_len, guint64 offset, gpointer user_data);

ColoFramingParser *colo_framing_parser_new (gboolean vnet,
    ColoFramingRecordFunc func, gpointer user_data);
void colo_framing_parser_free (ColoFramingParser * parser);

/* Back to the start of a stream (offset 0, nothing buffered, no error). */
void colo_framing_parser_reset (ColoFramingParser * parser);

/* Feeds @size bytes.  Returns COLO_FRAMING_OK when every byte was consumed
 * (a partial record stays buffered) or an error; an error is sticky: the
 * parser refuses further input until reset, and
 * colo_framing_parser_get_error() says where and why. */
ColoFramingResult colo_framing_parser_push (ColoFramingParser * parser,
    const guint8 * data, gsize size);

/* Bytes still needed to complete the record being assembled (its header
 * first, then its payload; a call after the header completed says how much
 * payload is missing), or 0 at a record boundary. */
gsize colo_framing_parser_get_needed (ColoFramingParser * parser);

/* At a record boundary: @size bytes of whole, valid records were consumed
 * without the parser (a caller that copies runs of records at once); the
 * stream offset moves on by @size. */
void colo_framing_parser_skip (ColoFramingParser * parser, gsize size);

/* Stream bytes consumed so far (complete records + buffered partial one). */
guint64 colo_framing_parser_get_offset (ColoFramingParser * parser);

/* Bytes of an incomplete record held at the end of the stream so far, and
 * the stream offset where that record starts. */
gsize colo_framing_parser_get_pending (ColoFramingParser * parser,
    guint64 * record_offset);

/* The sticky error (COLO_FRAMING_OK if none), the offset of the bad
 * record and the bad value. */
ColoFramingResult colo_framing_parser_get_error (ColoFramingParser * parser,
    guint64 * record_offset, guint32 * value);

G_END_DECLS

#endif /* __COLO_FRAMING_H__ */
