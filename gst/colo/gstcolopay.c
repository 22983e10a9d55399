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
 * ## Example launch line
 * |[
 * gst-launch-1.0 udpsrc port=5000 ! application/x-ethernet,vnet-hdr-len=0 ! colopay ! tcpclientsink host=127.0.0.1 port=9004
 * ]| Sends Ethernet frames received as UDP datagrams to a QEMU `socket`
 * chardev listening on port 9004 (for example colo-compare's `primary_in`).
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

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

  /* streaming thread */
  guint vnet_hdr_len;           /* from the sink caps; 0 without caps */
};

#define FRAMED_CAPS "application/x-colo-framed"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_COLO_FRAMES_CAPS));

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

static GstFlowReturn
gst_colo_pay_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstColoPay *self = GST_COLO_PAY (parent);
  GstBuffer *out;
  GstFlowReturn ret = gst_colo_pay_frame (self, buf, &out);

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

    ret = gst_colo_pay_frame (self,
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
      if (!gst_colo_caps_parse (caps, &info)
          || info.format != GST_COLO_FORMAT_FRAMES) {
        GST_WARNING_OBJECT (self, "refusing caps %" GST_PTR_FORMAT, caps);
        gst_event_unref (event);
        return FALSE;
      }
      GST_DEBUG_OBJECT (self, "input vnet-hdr-len %d", info.vnet_hdr_len);
      self->vnet_hdr_len = info.vnet_hdr_len;
      gst_event_unref (event);
      /* our own caps, which do not change */
      return gst_colo_pay_ensure_src_caps (self);
    }
    case GST_EVENT_STREAM_START:{
      gboolean ret;

      /* a new stream may come without caps: vnet-hdr-len 0 then */
      self->vnet_hdr_len = 0;
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
    self->vnet_hdr_len = 0;

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
   * with `vnet_hdr_support=on`.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_VNET_HDR,
      g_param_spec_boolean ("vnet-hdr", "vnet header",
          "Records carry a virtio-net header length word "
          "(QEMU vnet_hdr_support=on)", DEFAULT_VNET_HDR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "COLO framed stream payloader", "Codec/Payloader/Network",
      "Frames Ethernet frames for a QEMU chardev socket (filter-mirror, "
      "filter-redirector, colo-compare)", "gst-colo developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_colo_pay_change_state);
}

static void
gst_colo_pay_init (GstColoPay * self)
{
  self->vnet_hdr = DEFAULT_VNET_HDR;

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
