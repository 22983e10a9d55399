/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-colodepay
 * @title: colodepay
 * @see_also: colopay, colocompare
 *
 * Splits a byte stream framed the way QEMU's filter-mirror,
 * filter-redirector and colo-compare frame packets on their chardev
 * sockets into records, and outputs them in one of two formats.
 *
 * Each record is a 32-bit big-endian length, then (only when #GstColoDepay:vnet-hdr
 * is %TRUE, matching QEMU's `vnet_hdr_support=on`) a 32-bit big-endian
 * virtio-net header length, then that many payload bytes: the virtio-net
 * header followed by the Ethernet frame.
 *
 * Output formats (the src pad template lists them in this order):
 *
 * - frames, `application/x-ethernet, vnet-hdr-len=(int)N`: one buffer per
 *   record holding exactly its payload; `vnet-hdr-len` is the record's
 *   virtio-net header length (new caps are sent whenever it changes).
 *   The default.
 * - records, `application/x-colo-records, vnet-hdr=(boolean)B`: each buffer
 *   holds one or more *whole* records, header words included, exactly as
 *   they were on the wire: a buffer never starts or ends inside a record.
 *   `vnet-hdr` is the #GstColoDepay:vnet-hdr property.  A buffer gathers
 *   the complete records available in the input, up to 64 KiB (a larger
 *   record goes alone), and shares the input's memory whenever its records
 *   lie within one input buffer.  Many frames per buffer: the fast path
 *   into colocompare and colopay.
 *
 * The format is chosen when the first record goes out, and again whenever
 * downstream sends a reconfigure event (the switch happens between two
 * buffers, so on a record boundary): colodepay asks downstream for the caps
 * it accepts and takes the first of them that it can produce.  A peer that
 * accepts anything (fakesink, filesink, a queue in front of one) gets
 * frames; a peer that lists records first in its caps (as colocompare's
 * sink pads do when they take records) or accepts only records (a
 * capsfilter `application/x-colo-records`) gets records.
 *
 * The input may be a byte stream cut anywhere (`tcpserversrc`,
 * `tcpclientsrc`, `filesrc`) or datagrams holding one or more whole
 * records (`udpsrc`).  Every record is checked in both formats, so a
 * records buffer never carries an invalid record: a length above 69632
 * (QEMU's NET_BUFSIZE) or a virtio-net header length above 20 or above the
 * record length is a stream error naming the byte offset of the record
 * (the valid records before it are pushed first).  Records of length 0
 * produce nothing in either format: they are counted and skipped (in
 * records mode a buffer ends before one).  A record cut short by EOS is
 * discarded with a warning.
 *
 * Output buffers keep the timestamps of the input buffer in which their
 * (first) record started (see #GstBaseParse); no durations are invented.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 tcpserversrc host=127.0.0.1 port=9003 ! colodepay vnet-hdr=true ! fakesink dump=true
 * ]| Receives the frames that a QEMU `filter-mirror` (with
 * `vnet_hdr_support=on`) sends to a `socket` chardev connecting to port 9003.
 * |[
 * gst-launch-1.0 tcpserversrc host=127.0.0.1 port=9003 ! colodepay ! application/x-colo-records ! fakesink
 * ]| The same without the vnet word, in records: many records per buffer.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstcoloelements.h"
#include "gstcolodepay.h"
#include "gstcolocaps.h"
#include "colo-framing.h"

GST_DEBUG_CATEGORY_STATIC (gst_colo_depay_debug);
#define GST_CAT_DEFAULT gst_colo_depay_debug

#define DEFAULT_VNET_HDR FALSE

/* Records mode: an output buffer gathers whole records up to this many
 * bytes (headers included); a record larger than that goes alone.  It
 * bounds what one buffer pins downstream. */
#define MAX_BATCH_SIZE 65536

enum
{
  PROP_0,
  PROP_VNET_HDR,
  PROP_STATS,
};

struct _GstColoDepay
{
  GstBaseParse parent;

  /* properties, OBJECT_LOCK */
  gboolean vnet_hdr;

  /* streaming thread */
  gboolean stream_vnet_hdr;     /* vnet-hdr latched at start */
  gboolean format_decided;      /* the output format was negotiated */
  GstColoFormat format;         /* output format, once decided */
  gint caps_vnet_hdr_len;       /* frames: -1 while no caps were sent */
  gboolean records_caps_sent;   /* records: caps were sent */
  guint64 offset;               /* stream offset of the next record */

  /* counters, OBJECT_LOCK */
  guint64 buffers;
  guint64 records;
  guint64 payload_bytes;
  guint64 empty_records;
  guint64 truncated_bytes;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

/* frames first: the default when downstream accepts both */
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_COLO_FRAMES_CAPS "; " GST_COLO_RECORDS_CAPS));

G_DEFINE_TYPE (GstColoDepay, gst_colo_depay, GST_TYPE_BASE_PARSE);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colodepay, "colodepay",
    GST_RANK_NONE, GST_TYPE_COLO_DEPAY, colo_element_init (plugin));

static GstStructure *
gst_colo_depay_get_stats (GstColoDepay * self)
{
  GstStructure *s;

  GST_OBJECT_LOCK (self);
  s = gst_structure_new ("colodepay-stats",
      "buffers", G_TYPE_UINT64, self->buffers,
      "records", G_TYPE_UINT64, self->records,
      "payload-bytes", G_TYPE_UINT64, self->payload_bytes,
      "empty-records", G_TYPE_UINT64, self->empty_records,
      "truncated-bytes", G_TYPE_UINT64, self->truncated_bytes, NULL);
  GST_OBJECT_UNLOCK (self);

  return s;
}

static void
gst_colo_depay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstColoDepay *self = GST_COLO_DEPAY (object);

  switch (prop_id) {
    case PROP_VNET_HDR:
      GST_OBJECT_LOCK (self);
      self->vnet_hdr = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_colo_depay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstColoDepay *self = GST_COLO_DEPAY (object);

  switch (prop_id) {
    case PROP_VNET_HDR:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->vnet_hdr);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, gst_colo_depay_get_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static gboolean
gst_colo_depay_start (GstBaseParse * parse)
{
  GstColoDepay *self = GST_COLO_DEPAY (parse);

  GST_OBJECT_LOCK (self);
  self->stream_vnet_hdr = self->vnet_hdr;
  self->buffers = 0;
  self->records = 0;
  self->payload_bytes = 0;
  self->empty_records = 0;
  self->truncated_bytes = 0;
  GST_OBJECT_UNLOCK (self);

  self->format_decided = FALSE;
  self->format = GST_COLO_FORMAT_FRAMES;
  self->caps_vnet_hdr_len = -1;
  self->records_caps_sent = FALSE;
  self->offset = 0;

  gst_base_parse_set_min_frame_size (parse,
      COLO_FRAMING_HEADER_SIZE (self->stream_vnet_hdr));

  return TRUE;
}

/* Chooses the output format from what downstream accepts.  Downstream's
 * caps are asked for without a filter and intersected in downstream's
 * order: a pad answering a filtered caps query the default way
 * (gst_pad_query_caps_default) returns the filter's order, which would
 * hide a peer's preference for records.  A peer that accepts anything
 * (fakesink, filesink, a queue in front of one) leaves our own order:
 * frames.  A peer listing records first, or accepting only records, gets
 * records.  Records are offered with the vnet-hdr of the property only. */
static gboolean
gst_colo_depay_decide_format (GstColoDepay * self)
{
  GstPad *srcpad = GST_BASE_PARSE_SRC_PAD (self);
  GstCaps *ours, *peer, *caps;
  GstColoFormat format;

  ours = gst_caps_from_string (GST_COLO_FRAMES_CAPS);
  gst_caps_append (ours, gst_colo_caps_new_records (self->stream_vnet_hdr));
  peer = gst_pad_peer_query_caps (srcpad, NULL);
  caps = gst_caps_intersect_full (peer, ours, GST_CAPS_INTERSECT_FIRST);
  GST_DEBUG_OBJECT (self, "downstream accepts %" GST_PTR_FORMAT ", we offer %"
      GST_PTR_FORMAT ": %" GST_PTR_FORMAT, peer, ours, caps);
  gst_caps_unref (peer);

  if (gst_caps_is_empty (caps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("downstream accepts none of %" GST_PTR_FORMAT, ours));
    gst_caps_unref (ours);
    gst_caps_unref (caps);
    return FALSE;
  }
  gst_caps_unref (ours);

  format = gst_structure_has_name (gst_caps_get_structure (caps, 0),
      GST_COLO_RECORDS_MEDIA_TYPE) ? GST_COLO_FORMAT_RECORDS :
      GST_COLO_FORMAT_FRAMES;
  gst_caps_unref (caps);

  if (!self->format_decided || format != self->format) {
    GST_INFO_OBJECT (self, "output format: %s",
        format == GST_COLO_FORMAT_RECORDS ? "records" : "frames");
    /* the caps of the new format go out with its first buffer */
    self->caps_vnet_hdr_len = -1;
    self->records_caps_sent = FALSE;
  }
  self->format = format;
  self->format_decided = TRUE;
  return TRUE;
}

/* Sets the caps for the next buffer if they change: frames carry the
 * record's vnet_hdr_len, records the vnet-hdr property. */
static gboolean
gst_colo_depay_set_src_caps (GstColoDepay * self, guint32 vnet_hdr_len)
{
  GstCaps *caps;
  gboolean ret;

  if (self->format == GST_COLO_FORMAT_RECORDS) {
    if (self->records_caps_sent)
      return TRUE;
    caps = gst_colo_caps_new_records (self->stream_vnet_hdr);
  } else {
    if (self->caps_vnet_hdr_len == (gint) vnet_hdr_len)
      return TRUE;
    caps = gst_colo_caps_new_frames (vnet_hdr_len);
  }

  GST_DEBUG_OBJECT (self, "setting caps %" GST_PTR_FORMAT, caps);
  ret = gst_pad_set_caps (GST_BASE_PARSE_SRC_PAD (self), caps);
  if (!ret) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("downstream refused %" GST_PTR_FORMAT, caps));
  } else if (self->format == GST_COLO_FORMAT_RECORDS) {
    self->records_caps_sent = TRUE;
  } else {
    self->caps_vnet_hdr_len = vnet_hdr_len;
  }
  gst_caps_unref (caps);
  return ret;
}

static void
gst_colo_depay_post_error (GstColoDepay * self, ColoFramingResult res,
    const ColoFramingRecord * rec)
{
  guint32 bad = colo_framing_record_bad_value (rec, res);

  if (res == COLO_FRAMING_ERROR_LEN) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        (_("Invalid record in the QEMU framed stream: length %u exceeds the "
                "maximum of %u bytes."), bad, COLO_FRAMING_MAX_LEN),
        ("record at byte offset %" G_GUINT64_FORMAT ": len %u (0x%08x) > "
            "%u (NET_BUFSIZE); wrong vnet-hdr setting or not a QEMU "
            "framed stream?", self->offset, bad, bad, COLO_FRAMING_MAX_LEN));
  } else {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        (_("Invalid record in the QEMU framed stream: virtio-net header "
                "length %u is impossible."), bad),
        ("record at byte offset %" G_GUINT64_FORMAT ": vnet_hdr_len %u "
            "(0x%08x) invalid for len %u: %s", self->offset, bad, bad,
            rec->len, colo_framing_result_to_string (res)));
  }
}

/* Records mode: the size of the batch that starts with @first (complete,
 * valid, not empty) at the start of @data: @first and the complete, valid,
 * non-empty records after it, up to MAX_BATCH_SIZE bytes.  It stops before
 * an incomplete record (it waits for more input), before an invalid one
 * (its error comes once the records before it are out, as in frames mode)
 * and before a zero-length one (skipped on its own, as in frames mode). */
static gsize
gst_colo_depay_batch_size (GstColoDepay * self, const guint8 * data,
    gsize avail, const ColoFramingRecord * first, guint * n_records,
    guint64 * payload_bytes)
{
  gsize size = first->record_size;

  *n_records = 1;
  *payload_bytes = first->len;
  while (size < avail) {
    ColoFramingRecord rec;

    if (colo_framing_peek (data + size, avail - size, self->stream_vnet_hdr,
            &rec) != COLO_FRAMING_OK || rec.len == 0
        || size + rec.record_size > MAX_BATCH_SIZE)
      break;
    size += rec.record_size;
    (*n_records)++;
    *payload_bytes += rec.len;
  }
  return size;
}

static GstFlowReturn
gst_colo_depay_handle_frame (GstBaseParse * parse, GstBaseParseFrame * frame,
    gint * skipsize)
{
  GstColoDepay *self = GST_COLO_DEPAY (parse);
  GstPad *srcpad = GST_BASE_PARSE_SRC_PAD (parse);
  gboolean vnet = self->stream_vnet_hdr;
  guint hsize = COLO_FRAMING_HEADER_SIZE (vnet);
  ColoFramingRecord rec;
  ColoFramingResult res;
  GstMapInfo map;
  gsize avail, size;
  guint n_records = 1;
  guint64 payload_bytes;
  gboolean reconfigure;

  if (!gst_buffer_map (frame->buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("could not map input buffer"));
    return GST_FLOW_ERROR;
  }
  avail = map.size;
  res = colo_framing_peek (map.data, avail, vnet, &rec);

  if (COLO_FRAMING_RESULT_IS_ERROR (res)) {
    gst_buffer_unmap (frame->buffer, &map);
    gst_colo_depay_post_error (self, res, &rec);
    return GST_FLOW_ERROR;
  }

  if (res == COLO_FRAMING_NEED_MORE) {
    gst_buffer_unmap (frame->buffer, &map);
    if (GST_BASE_PARSE_DRAINING (parse)) {
      GST_ELEMENT_WARNING (self, STREAM, DECODE,
          (_("The QEMU framed stream ended in the middle of a record.")),
          ("discarded %" G_GSIZE_FORMAT " bytes of a truncated record "
              "(%" G_GSIZE_FORMAT " bytes expected) at byte offset %"
              G_GUINT64_FORMAT, avail, rec.record_size, self->offset));
      GST_OBJECT_LOCK (self);
      self->truncated_bytes += avail;
      GST_OBJECT_UNLOCK (self);
      self->offset += avail;
      *skipsize = avail;
      gst_base_parse_set_min_frame_size (parse, hsize);
      return GST_FLOW_OK;
    }
    /* baseparse calls us again once that many bytes are there */
    GST_LOG_OBJECT (self, "need %" G_GSIZE_FORMAT " bytes, have %"
        G_GSIZE_FORMAT, rec.record_size, avail);
    gst_base_parse_set_min_frame_size (parse, rec.record_size);
    return GST_FLOW_OK;
  }

  /* a complete record */
  gst_base_parse_set_min_frame_size (parse, hsize);
  GST_LOG_OBJECT (self, "record at offset %" G_GUINT64_FORMAT ": len %u, "
      "vnet_hdr_len %u", self->offset, rec.len, rec.vnet_hdr_len);

  if (rec.len == 0) {
    gst_buffer_unmap (frame->buffer, &map);
    GST_WARNING_OBJECT (self, "skipping zero-length record at byte offset %"
        G_GUINT64_FORMAT " (QEMU treats it as an unsupported packet)",
        self->offset);
    self->offset += rec.record_size;
    GST_OBJECT_LOCK (self);
    self->empty_records++;
    GST_OBJECT_UNLOCK (self);
    frame->flags |= GST_BASE_PARSE_FRAME_FLAG_DROP;
    return gst_base_parse_finish_frame (parse, frame, rec.record_size);
  }

  /* before the first buffer, and whenever downstream asks */
  reconfigure = gst_pad_check_reconfigure (srcpad);
  if ((!self->format_decided || reconfigure)
      && !gst_colo_depay_decide_format (self)) {
    gst_buffer_unmap (frame->buffer, &map);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  if (self->format == GST_COLO_FORMAT_RECORDS) {
    size = gst_colo_depay_batch_size (self, map.data, avail, &rec,
        &n_records, &payload_bytes);
    GST_LOG_OBJECT (self, "batch of %u records, %" G_GSIZE_FORMAT " bytes",
        n_records, size);
  } else {
    size = rec.record_size;
    payload_bytes = rec.len;
  }
  gst_buffer_unmap (frame->buffer, &map);

  if (!gst_colo_depay_set_src_caps (self, rec.vnet_hdr_len))
    return GST_FLOW_NOT_NEGOTIATED;

  self->offset += size;
  GST_OBJECT_LOCK (self);
  self->buffers++;
  self->records += n_records;
  self->payload_bytes += payload_bytes;
  GST_OBJECT_UNLOCK (self);

  return gst_base_parse_finish_frame (parse, frame, size);
}

/* Frames: strips the record header; the payload shares the input's
 * memory.  Records: the buffer goes out as it is. */
static GstFlowReturn
gst_colo_depay_pre_push_frame (GstBaseParse * parse, GstBaseParseFrame * frame)
{
  GstColoDepay *self = GST_COLO_DEPAY (parse);
  guint hsize = COLO_FRAMING_HEADER_SIZE (self->stream_vnet_hdr);
  GstBuffer *in = frame->buffer;
  GstBuffer *out;
  gsize size;

  if (frame->flags & GST_BASE_PARSE_FRAME_FLAG_DROP)
    return GST_FLOW_OK;
  if (self->format == GST_COLO_FORMAT_RECORDS)
    return GST_FLOW_OK;

  size = gst_buffer_get_size (in);
  g_assert (size > hsize);

  out = gst_buffer_copy_region (in, GST_BUFFER_COPY_ALL, hsize, size - hsize);
  /* a region not starting at 0 does not inherit the timestamps */
  GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in);
  GST_BUFFER_DTS (out) = GST_BUFFER_DTS (in);
  GST_BUFFER_DURATION (out) = GST_BUFFER_DURATION (in);
  gst_buffer_replace (&frame->out_buffer, out);
  gst_buffer_unref (out);

  /* no GST_BASE_PARSE_FRAME_FLAG_CLIP: frames are never dropped for
   * falling outside the segment */
  return GST_FLOW_OK;
}

static GstCaps *
gst_colo_depay_get_sink_caps (GstBaseParse * parse, GstCaps * filter)
{
  /* any byte stream: do not proxy downstream's packet caps upstream */
  GstCaps *caps = gst_pad_get_pad_template_caps (GST_BASE_PARSE_SINK_PAD
      (parse));

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, caps,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (caps);
    caps = tmp;
  }
  return caps;
}

static gboolean
gst_colo_depay_src_query (GstBaseParse * parse, GstQuery * query)
{
  if (GST_QUERY_TYPE (query) == GST_QUERY_SEEKING) {
    GstFormat fmt;

    gst_query_parse_seeking (query, &fmt, NULL, NULL, NULL);
    gst_query_set_seeking (query, fmt, FALSE, 0, -1);
    return TRUE;
  }
  return GST_BASE_PARSE_CLASS (gst_colo_depay_parent_class)->src_query (parse,
      query);
}

static gboolean
gst_colo_depay_src_event (GstBaseParse * parse, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_SEEK) {
    /* records cannot be found from an arbitrary position */
    GST_DEBUG_OBJECT (parse, "refusing seek: stream is not seekable");
    gst_event_unref (event);
    return FALSE;
  }
  return GST_BASE_PARSE_CLASS (gst_colo_depay_parent_class)->src_event (parse,
      event);
}

/* Always push mode: the stream is parsed from its start, in order, and
 * never scanned or seeked (baseparse's pull mode would do both). */
static gboolean
gst_colo_depay_sink_activate (GstPad * pad, GstObject * parent)
{
  return gst_pad_activate_mode (pad, GST_PAD_MODE_PUSH, TRUE);
}

static void
gst_colo_depay_class_init (GstColoDepayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseParseClass *parse_class = GST_BASE_PARSE_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_colo_depay_debug, "colodepay", 0,
      "QEMU chardev framing depayloader");

  gobject_class->set_property = gst_colo_depay_set_property;
  gobject_class->get_property = gst_colo_depay_get_property;

  /**
   * GstColoDepay:vnet-hdr:
   *
   * Whether each record carries a 32-bit virtio-net header length after
   * its length, as QEMU sends with `vnet_hdr_support=on`.  It must match
   * the sender; a mismatch shows as a stream error or garbage frames.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_VNET_HDR,
      g_param_spec_boolean ("vnet-hdr", "vnet header",
          "Records carry a virtio-net header length word "
          "(QEMU vnet_hdr_support=on); also the vnet-hdr field of the "
          "records caps", DEFAULT_VNET_HDR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstColoDepay:stats:
   *
   * Counters since the element last started (all #guint64): `buffers`
   * (buffers output), `records` (records output: as many as `buffers` in
   * frames mode, at least as many in records mode), `payload-bytes` (their lengths),
   * `empty-records` (zero-length records skipped), `truncated-bytes`
   * (discarded at EOS).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics", "Record counters",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "COLO framed stream depayloader", "Codec/Depayloader/Network",
      "Splits a QEMU chardev framed stream (filter-mirror, "
      "filter-redirector, colo-compare) into Ethernet frames "
      "(application/x-ethernet, the default) or, when downstream prefers "
      "them, into buffers of many whole records "
      "(application/x-colo-records)", "gst-colo developers");

  parse_class->start = GST_DEBUG_FUNCPTR (gst_colo_depay_start);
  parse_class->handle_frame = GST_DEBUG_FUNCPTR (gst_colo_depay_handle_frame);
  parse_class->pre_push_frame =
      GST_DEBUG_FUNCPTR (gst_colo_depay_pre_push_frame);
  parse_class->get_sink_caps = GST_DEBUG_FUNCPTR (gst_colo_depay_get_sink_caps);
  parse_class->src_query = GST_DEBUG_FUNCPTR (gst_colo_depay_src_query);
  parse_class->src_event = GST_DEBUG_FUNCPTR (gst_colo_depay_src_event);
}

static void
gst_colo_depay_init (GstColoDepay * self)
{
  GstBaseParse *parse = GST_BASE_PARSE (self);

  self->vnet_hdr = DEFAULT_VNET_HDR;
  self->caps_vnet_hdr_len = -1;

  gst_pad_set_activate_function (GST_BASE_PARSE_SINK_PAD (self),
      GST_DEBUG_FUNCPTR (gst_colo_depay_sink_activate));

  /* records cannot be found by scanning: no resync, no byte-rate seeking,
   * no duration estimate */
  gst_base_parse_set_syncable (parse, FALSE);
  gst_base_parse_set_has_timing_info (parse, FALSE);
  /* keep upstream timestamps as they are: no interpolation, no PTS<->DTS
   * inference */
  gst_base_parse_set_pts_interpolation (parse, FALSE);
  gst_base_parse_set_infer_ts (parse, FALSE);
  gst_base_parse_set_min_frame_size (parse, COLO_FRAMING_HEADER_SIZE (FALSE));
}
