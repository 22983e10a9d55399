/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-colopay
 * @title: colopay
 * @see_also: colodepay, colocompare
 *
 * Frames `application/x-ethernet` buffers the way QEMU's filter-mirror,
 * filter-redirector and colo-compare frame packets on their chardev
 * sockets: a 32-bit big-endian length (of the whole buffer, virtio-net
 * header included), then, when #GstColoPay:vnet-hdr is %TRUE, a 32-bit
 * big-endian virtio-net header length taken from the `vnet-hdr-len` caps
 * field, then the buffer's bytes.
 *
 * Each input buffer gives one output buffer made of a small header memory
 * followed by the input's own memories (no copy of the frame).  Buffers
 * that arrive without caps are taken as `vnet-hdr-len=0`.  Empty buffers
 * are skipped (QEMU never sends an empty record); a buffer longer than
 * 69632 bytes (QEMU's NET_BUFSIZE) is an error.
 *
 * The sink pad also takes records, `application/x-colo-records,
 * vnet-hdr=(boolean)B` (listed second in its template: an upstream that
 * offers both, such as colodepay, gives frames unless told otherwise):
 * buffers of whole records in QEMU's framing, as colodepay outputs them in
 * records mode and colocompare releases them.  Every record is checked
 * (length at most 69632, virtio-net header length at most 20 and at most
 * the length, no record cut by the end of the buffer; anything else is a
 * stream error naming the byte offset).  When `vnet-hdr` of the caps
 * equals #GstColoPay:vnet-hdr, the buffers go out unchanged: the same
 * buffer, no copy.  When they differ, each record is framed again into
 * a new buffer (a copy): the vnet word is dropped (the payload stays as it
 * is, virtio-net header included, exactly as frames with `vnet-hdr-len`
 * N are framed with #GstColoPay:vnet-hdr %FALSE) or added with the value
 * 0 (the records carry no virtio-net header).  Zero-length records are
 * left out, as empty frames are.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 udpsrc port=5000 ! application/x-ethernet,vnet-hdr-len=0 ! colopay ! tcpclientsink host=127.0.0.1 port=9004
 * ]| Sends Ethernet frames received as UDP datagrams to a QEMU `socket`
 * chardev listening on port 9004 (for example colo-compare's `primary_in`).
 * |[
 * gst-launch-1.0 tcpserversrc host=127.0.0.1 port=9003 ! colodepay ! application/x-colo-records ! colopay ! tcpclientsink host=127.0.0.1 port=9004
 * ]| Relays a QEMU framed stream, checked record by record, many records
 * per buffer and without copying them.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>

#include "gstcoloelements.h"
#include "gstcolopay.h"
#include "gstcolocaps.h"
#include "colo-framing.h"

GST_DEBUG_CATEGORY_STATIC (gst_colo_pay_debug);
#define GST_CAT_DEFAULT gst_colo_pay_debug

#define DEFAULT_VNET_HDR FALSE

enum
{
  PROP_0,
  PROP_VNET_HDR,
};

struct _GstColoPay
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* property, OBJECT_LOCK */
  gboolean vnet_hdr;

  /* streaming thread, from the sink caps (frames, vnet-hdr-len 0 without) */
  GstColoFormat in_format;
  guint vnet_hdr_len;           /* frames: the virtio-net header length */
  gboolean in_vnet_hdr;         /* records: they carry the vnet word */
  guint64 in_offset;            /* records: input bytes so far */
};

#define FRAMED_CAPS "application/x-colo-framed"

/* frames first: what an upstream that can produce both gives by default */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_COLO_FRAMES_CAPS "; " GST_COLO_RECORDS_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (FRAMED_CAPS));

G_DEFINE_TYPE (GstColoPay, gst_colo_pay, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colopay, "colopay",
    GST_RANK_NONE, GST_TYPE_COLO_PAY, colo_element_init (plugin));

static void
gst_colo_pay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstColoPay *self = GST_COLO_PAY (object);

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
gst_colo_pay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstColoPay *self = GST_COLO_PAY (object);

  switch (prop_id) {
    case PROP_VNET_HDR:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->vnet_hdr);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_colo_pay_reset (GstColoPay * self)
{
  self->in_format = GST_COLO_FORMAT_FRAMES;
  self->vnet_hdr_len = 0;
  self->in_vnet_hdr = FALSE;
  self->in_offset = 0;
}

/* The output caps never depend on the input caps. */
static gboolean
gst_colo_pay_ensure_src_caps (GstColoPay * self)
{
  GstCaps *caps;
  gboolean ret;

  if (gst_pad_has_current_caps (self->srcpad))
    return TRUE;

  caps = gst_static_pad_template_get_caps (&src_template);
  ret = gst_pad_set_caps (self->srcpad, caps);
  gst_caps_unref (caps);
  return ret;
}

/* Frames one buffer (taking it): *out is the framed buffer, or NULL when
 * the buffer was skipped. */
static GstFlowReturn
gst_colo_pay_frame (GstColoPay * self, GstBuffer * buf, GstBuffer ** out_buf)
{
  gsize size = gst_buffer_get_size (buf);
  guint32 vnet_hdr_len = 0;
  ColoFramingResult res;
  gboolean vnet;
  GstMemory *hmem;
  GstMapInfo map;
  GstBuffer *out;
  guint hsize;

  GST_OBJECT_LOCK (self);
  vnet = self->vnet_hdr;
  GST_OBJECT_UNLOCK (self);
  if (vnet)
    vnet_hdr_len = self->vnet_hdr_len;

  *out_buf = NULL;
  if (size == 0) {
    GST_WARNING_OBJECT (self, "skipping empty buffer: QEMU never sends an "
        "empty record");
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  res = colo_framing_validate (size > G_MAXUINT32 ? G_MAXUINT32 : size,
      vnet_hdr_len);
  if (res != COLO_FRAMING_OK) {
    if (res == COLO_FRAMING_ERROR_LEN) {
      GST_ELEMENT_ERROR (self, STREAM, ENCODE,
          (_("Frame too large for QEMU framing (the maximum is %u bytes)."),
              COLO_FRAMING_MAX_LEN),
          ("buffer of %" G_GSIZE_FORMAT " bytes > %u (NET_BUFSIZE)", size,
              COLO_FRAMING_MAX_LEN));
    } else {
      GST_ELEMENT_ERROR (self, STREAM, ENCODE,
          (_("Frame shorter than its virtio-net header.")),
          ("buffer of %" G_GSIZE_FORMAT " bytes, vnet-hdr-len %u: %s", size,
              vnet_hdr_len, colo_framing_result_to_string (res)));
    }
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }

  if (!gst_colo_pay_ensure_src_caps (self)) {
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  hmem = gst_allocator_alloc (NULL, COLO_FRAMING_HEADER_SIZE (vnet), NULL);
  gst_memory_map (hmem, &map, GST_MAP_WRITE);
  hsize = colo_framing_write_header (map.data, size, vnet, vnet_hdr_len);
  gst_memory_unmap (hmem, &map);
  g_assert (hsize == COLO_FRAMING_HEADER_SIZE (vnet));

  out = gst_buffer_new ();
  gst_buffer_append_memory (out, hmem);
  /* flags, timestamps, metas, and the payload memories by reference */
  gst_buffer_copy_into (out, buf, GST_BUFFER_COPY_METADATA |
      GST_BUFFER_COPY_MEMORY, 0, -1);
  GST_BUFFER_OFFSET (out) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (out) = GST_BUFFER_OFFSET_NONE;
  gst_buffer_unref (buf);

  GST_LOG_OBJECT (self, "framed %" G_GSIZE_FORMAT " bytes (vnet_hdr_len %u)",
      size, vnet_hdr_len);
  *out_buf = out;
  return GST_FLOW_OK;
}

/* Reads @n bytes at @pos of a records buffer: from its mapping when it
 * has one memory, else by extracting them (mapping a buffer of several
 * memories would copy it all). */
typedef struct
{
  GstBuffer *buf;
  GstMapInfo map;
  gboolean mapped;
  gsize size;
} ColoRecordsReader;

static gboolean
records_reader_init (ColoRecordsReader * r, GstBuffer * buf)
{
  r->buf = buf;
  r->size = gst_buffer_get_size (buf);
  r->mapped = FALSE;
  if (gst_buffer_n_memory (buf) == 1) {
    if (!gst_buffer_map (buf, &r->map, GST_MAP_READ))
      return FALSE;
    r->mapped = TRUE;
  }
  return TRUE;
}

static void
records_reader_read (ColoRecordsReader * r, gsize pos, guint8 * out, gsize n)
{
  g_assert (pos + n <= r->size);
  if (r->mapped)
    memcpy (out, r->map.data + pos, n);
  else
    gst_buffer_extract (r->buf, pos, out, n);
}

static void
records_reader_clear (ColoRecordsReader * r)
{
  if (r->mapped)
    gst_buffer_unmap (r->buf, &r->map);
  r->mapped = FALSE;
}

/* Checks the records buffer @r holds: whole records, each valid by the
 * rules colodepay applies.  Counts the records and the zero-length ones,
 * and the size they take with @out_vnet headers (zero-length ones left
 * out).  FALSE after posting an error. */
static gboolean
gst_colo_pay_check_records (GstColoPay * self, ColoRecordsReader * r,
    gboolean out_vnet, guint * n_records, guint * n_empty, gsize * out_size)
{
  guint hsize = COLO_FRAMING_HEADER_SIZE (self->in_vnet_hdr);
  gsize pos = 0;

  *n_records = *n_empty = 0;
  *out_size = 0;
  while (pos < r->size) {
    guint64 offset = self->in_offset + pos;
    guint8 hdr[8];
    ColoFramingRecord rec;
    ColoFramingResult res;

    if (r->size - pos < hsize) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          (_("Records buffer ends inside a record.")),
          ("%" G_GSIZE_FORMAT " bytes left at byte offset %" G_GUINT64_FORMAT
              ", less than a %u-byte record header: not aligned to records",
              r->size - pos, offset, hsize));
      return FALSE;
    }
    records_reader_read (r, pos, hdr, hsize);
    res = colo_framing_peek (hdr, hsize, self->in_vnet_hdr, &rec);
    if (COLO_FRAMING_RESULT_IS_ERROR (res)) {
      guint32 bad = colo_framing_record_bad_value (&rec, res);

      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          (_("Invalid record in the records input.")),
          ("record at byte offset %" G_GUINT64_FORMAT ": %s %u (0x%08x), len "
              "%u: %s", offset, res == COLO_FRAMING_ERROR_LEN ? "len" :
              "vnet_hdr_len", bad, bad, rec.len,
              colo_framing_result_to_string (res)));
      return FALSE;
    }
    if (rec.record_size > r->size - pos) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          (_("Records buffer ends inside a record.")),
          ("record at byte offset %" G_GUINT64_FORMAT " needs %" G_GSIZE_FORMAT
              " bytes, the buffer has %" G_GSIZE_FORMAT " left: not aligned "
              "to records", offset, rec.record_size, r->size - pos));
      return FALSE;
    }
    (*n_records)++;
    if (rec.len == 0)
      (*n_empty)++;
    else
      *out_size += COLO_FRAMING_HEADER_SIZE (out_vnet) + rec.len;
    pos += rec.record_size;
  }
  return TRUE;
}

/* Records in: they go out unchanged (the same buffer) when their vnet
 * word matches vnet-hdr.  Otherwise each record is framed again into a new
 * buffer, the vnet word dropped (the payload is kept as it is, virtio-net
 * header included, as for frames with vnet-hdr=false) or added (0: their
 * payload has no virtio-net header); zero-length records are left out, as
 * empty frames are.  Takes @buf. */
static GstFlowReturn
gst_colo_pay_records (GstColoPay * self, GstBuffer * buf, GstBuffer ** out_buf)
{
  gboolean in_vnet = self->in_vnet_hdr;
  guint in_hsize = COLO_FRAMING_HEADER_SIZE (in_vnet);
  ColoRecordsReader r;
  guint n_records, n_empty;
  gsize out_size, pos, size = gst_buffer_get_size (buf);
  gboolean vnet;
  GstBuffer *out;
  GstMapInfo omap;
  guint8 *p;

  GST_OBJECT_LOCK (self);
  vnet = self->vnet_hdr;
  GST_OBJECT_UNLOCK (self);

  *out_buf = NULL;
  if (size == 0) {
    GST_WARNING_OBJECT (self, "skipping empty buffer");
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  if (!records_reader_init (&r, buf)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("could not map input buffer"));
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  if (!gst_colo_pay_check_records (self, &r, vnet, &n_records, &n_empty,
          &out_size)) {
    records_reader_clear (&r);
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  self->in_offset += size;

  if (!gst_colo_pay_ensure_src_caps (self)) {
    records_reader_clear (&r);
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  if (in_vnet == vnet && n_empty == 0) {
    GST_LOG_OBJECT (self, "passing %u records through (%" G_GSIZE_FORMAT
        " bytes)", n_records, size);
    records_reader_clear (&r);
    *out_buf = buf;
    return GST_FLOW_OK;
  }

  if (n_empty > 0)
    GST_WARNING_OBJECT (self, "skipping %u zero-length records: QEMU never "
        "sends an empty record", n_empty);
  if (out_size == 0) {
    records_reader_clear (&r);
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  GST_LOG_OBJECT (self, "framing %u records again (vnet word %s)",
      n_records - n_empty, vnet ? "added" : "dropped");
  out = gst_buffer_new_allocate (NULL, out_size, NULL);
  gst_buffer_map (out, &omap, GST_MAP_WRITE);
  p = omap.data;
  for (pos = 0; pos < size;) {
    guint8 hdr[8];
    ColoFramingRecord rec;

    records_reader_read (&r, pos, hdr, in_hsize);
    colo_framing_peek (hdr, in_hsize, in_vnet, &rec);
    if (rec.len > 0) {
      p += colo_framing_write_header (p, rec.len, vnet, rec.vnet_hdr_len);
      records_reader_read (&r, pos + in_hsize, p, rec.len);
      p += rec.len;
    }
    pos += rec.record_size;
  }
  g_assert ((gsize) (p - omap.data) == out_size);
  gst_buffer_unmap (out, &omap);
  records_reader_clear (&r);

  gst_buffer_copy_into (out, buf, GST_BUFFER_COPY_METADATA, 0, -1);
  GST_BUFFER_OFFSET (out) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (out) = GST_BUFFER_OFFSET_NONE;
  gst_buffer_unref (buf);
  *out_buf = out;
  return GST_FLOW_OK;
}

/* One input buffer (taken): *out is what goes out, or NULL */
static GstFlowReturn
gst_colo_pay_process (GstColoPay * self, GstBuffer * buf, GstBuffer ** out)
{
  if (self->in_format == GST_COLO_FORMAT_RECORDS)
    return gst_colo_pay_records (self, buf, out);
  return gst_colo_pay_frame (self, buf, out);
}

static GstFlowReturn
gst_colo_pay_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstColoPay *self = GST_COLO_PAY (parent);
  GstBuffer *out;
  GstFlowReturn ret = gst_colo_pay_process (self, buf, &out);

  if (out == NULL)
    return ret;
  return gst_pad_push (self->srcpad, out);
}

/* A list stays a list (colocompare releases in lists), so that a sink can
 * write a whole batch at once.  If one buffer cannot be framed, the ones
 * before it are still pushed. */
static GstFlowReturn
gst_colo_pay_chain_list (GstPad * pad, GstObject * parent, GstBufferList * list)
{
  GstColoPay *self = GST_COLO_PAY (parent);
  guint i, n = gst_buffer_list_length (list);
  GstBufferList *out_list = gst_buffer_list_new_sized (n);
  GstFlowReturn ret = GST_FLOW_OK, push_ret = GST_FLOW_OK;

  for (i = 0; i < n && ret == GST_FLOW_OK; i++) {
    GstBuffer *out;

    ret = gst_colo_pay_process (self,
        gst_buffer_ref (gst_buffer_list_get (list, i)), &out);
    if (out != NULL)
      gst_buffer_list_add (out_list, out);
  }
  gst_buffer_list_unref (list);

  if (gst_buffer_list_length (out_list) > 0)
    push_ret = gst_pad_push_list (self->srcpad, out_list);
  else
    gst_buffer_list_unref (out_list);
  return ret != GST_FLOW_OK ? ret : push_ret;
}

static gboolean
gst_colo_pay_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstColoPay *self = GST_COLO_PAY (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      GstColoCapsInfo info;

      gst_event_parse_caps (event, &caps);
      if (!gst_colo_caps_parse (caps, &info)) {
        GST_WARNING_OBJECT (self, "refusing caps %" GST_PTR_FORMAT, caps);
        gst_event_unref (event);
        return FALSE;
      }
      if (info.format == GST_COLO_FORMAT_RECORDS)
        GST_DEBUG_OBJECT (self, "input: records, vnet-hdr %d", info.vnet_hdr);
      else
        GST_DEBUG_OBJECT (self, "input: frames, vnet-hdr-len %d",
            info.vnet_hdr_len);
      self->in_format = info.format;
      self->vnet_hdr_len = info.vnet_hdr_len;
      self->in_vnet_hdr = info.vnet_hdr;
      gst_event_unref (event);
      /* our own caps, which do not change */
      return gst_colo_pay_ensure_src_caps (self);
    }
    case GST_EVENT_STREAM_START:{
      gboolean ret;

      /* a new stream may come without caps: frames, vnet-hdr-len 0 then */
      gst_colo_pay_reset (self);
      ret = gst_pad_push_event (self->srcpad, event);
      /* send caps right after stream-start, before any segment */
      gst_colo_pay_ensure_src_caps (self);
      return ret;
    }
    default:
      return gst_pad_event_default (pad, parent, event);
  }
}

static GstStateChangeReturn
gst_colo_pay_change_state (GstElement * element, GstStateChange transition)
{
  GstColoPay *self = GST_COLO_PAY (element);
  GstStateChangeReturn ret;

  ret = GST_ELEMENT_CLASS (gst_colo_pay_parent_class)->change_state (element,
      transition);

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    gst_colo_pay_reset (self);

  return ret;
}

static void
gst_colo_pay_class_init (GstColoPayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_colo_pay_debug, "colopay", 0,
      "QEMU chardev framing payloader");

  gobject_class->set_property = gst_colo_pay_set_property;
  gobject_class->get_property = gst_colo_pay_get_property;

  /**
   * GstColoPay:vnet-hdr:
   *
   * Whether each record carries a 32-bit virtio-net header length (the
   * `vnet-hdr-len` of the input caps) after its length, as QEMU expects
   * with `vnet_hdr_support=on`.  Records input whose `vnet-hdr` differs
   * is framed again to match.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_VNET_HDR,
      g_param_spec_boolean ("vnet-hdr", "vnet header",
          "Records carry a virtio-net header length word "
          "(QEMU vnet_hdr_support=on); records input with another vnet-hdr "
          "is framed again", DEFAULT_VNET_HDR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "COLO framed stream payloader", "Codec/Payloader/Network",
      "Frames Ethernet frames (application/x-ethernet) for a QEMU chardev "
      "socket (filter-mirror, filter-redirector, colo-compare); buffers of "
      "whole records (application/x-colo-records) pass through, or are "
      "framed again when their vnet-hdr differs", "gst-colo developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_colo_pay_change_state);
}

static void
gst_colo_pay_init (GstColoPay * self)
{
  self->vnet_hdr = DEFAULT_VNET_HDR;
  gst_colo_pay_reset (self);

  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_colo_pay_chain));
  gst_pad_set_chain_list_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_colo_pay_chain_list));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_colo_pay_sink_event));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
