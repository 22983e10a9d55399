/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-colopcapsink
 * @title: colopcapsink
 * @see_also: colopcapsrc, colocompare
 *
 * Writes every `application/x-ethernet` buffer it receives as one record of
 * a classic pcap file (microsecond timestamps, link type DLT_EN10MB, snap
 * length 262144) that tcpdump, tshark and Wireshark read. The file is
 * created (or truncated) when the element goes from READY to PAUSED and
 * flushed on EOS and when it stops.
 *
 * If the caps carry `vnet-hdr-len` = N > 0, the first N bytes of each
 * buffer (the virtio-net header) are stripped before writing. A buffer
 * shorter than N bytes is not written; it is counted and an element warning
 * is posted the first time. Buffers arriving without caps are taken as
 * `vnet-hdr-len=0`.
 *
 * Record timestamps:
 *
 * * the UNIX time of a #GstReferenceTimestampMeta with caps
 *   `timestamp/x-unix` when the buffer has one (colopcapsrc attaches the
 *   capture time), so a capture copied through colopcapsrc ! colopcapsink
 *   keeps its original timestamps;
 * * otherwise the running time of the buffer's PTS (time since the start of
 *   the stream);
 * * otherwise (no valid PTS) the timestamp of the previous record, or 0 for
 *   the first.
 *
 * Frames longer than the snap length are written truncated to 262144 bytes
 * with their original length in the record header.
 *
 * The element does not synchronise on the clock by default
 * (#GstBaseSink:sync is FALSE, as for filesink).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 colopcapsrc device=eth0 ! colopcapsink location=eth0.pcap
 * ]| Captures live traffic into a pcap file (Ctrl-C with `-e` to finish).
 * |[
 * gst-launch-1.0 tcpserversrc port=9003 ! colodepay vnet-hdr=true ! \
 *     colopcapsink location=mirror.pcap
 * ]| Records what a QEMU filter-mirror sends (virtio-net headers stripped).
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>

#include "gstcolopcapelements.h"
#include "gstcolopcapsink.h"
#include "gstcolocaps.h"

GST_DEBUG_CATEGORY_STATIC (gst_colo_pcap_sink_debug);
#define GST_CAT_DEFAULT gst_colo_pcap_sink_debug

enum
{
  PROP_0,
  PROP_LOCATION,
};

struct _GstColoPcapSink
{
  GstBaseSink parent;

  /* property, under the object lock */
  gchar *location;

  /* streaming state */
  gchar *filename;              /* location in use, for messages */
  pcap_t *dead;
  pcap_dumper_t *dumper;
  guint vnet_hdr_len;
  GstClockTime last_ts;
  guint64 records;
  guint64 dropped;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_COLO_FRAMES_CAPS));

static GstStaticCaps unix_ts_caps = GST_STATIC_CAPS ("timestamp/x-unix");

#define gst_colo_pcap_sink_parent_class parent_class
G_DEFINE_TYPE (GstColoPcapSink, gst_colo_pcap_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colopcapsink, "colopcapsink",
    GST_RANK_NONE, GST_TYPE_COLO_PCAP_SINK, colo_pcap_element_init (plugin));

static void
gst_colo_pcap_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (object);

  switch (prop_id) {
    case PROP_LOCATION:
      GST_OBJECT_LOCK (self);
      g_free (self->location);
      self->location = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_colo_pcap_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (object);

  switch (prop_id) {
    case PROP_LOCATION:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->location);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static gboolean
gst_colo_pcap_sink_flush (GstColoPcapSink * self)
{
  if (self->dumper == NULL)
    return TRUE;

  if (pcap_dump_flush (self->dumper) != 0
      || ferror (pcap_dump_file (self->dumper))) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        (_("Could not write to capture file \"%s\"."), self->filename),
        ("%s", g_strerror (errno)));
    return FALSE;
  }
  return TRUE;
}

static void
gst_colo_pcap_sink_close (GstColoPcapSink * self)
{
  if (self->dumper) {
    pcap_dump_close (self->dumper);
    self->dumper = NULL;
  }
  if (self->dead) {
    pcap_close (self->dead);
    self->dead = NULL;
  }
  g_clear_pointer (&self->filename, g_free);
}

static gboolean
gst_colo_pcap_sink_start (GstBaseSink * bsink)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (bsink);
  FILE *f;

  GST_OBJECT_LOCK (self);
  self->filename = (self->location && self->location[0]) ?
      g_strdup (self->location) : NULL;
  GST_OBJECT_UNLOCK (self);

  self->vnet_hdr_len = 0;
  self->last_ts = 0;
  self->records = 0;
  self->dropped = 0;

  if (self->filename == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        (_("No capture file name specified for writing.")),
        ("set the \"location\" property"));
    return FALSE;
  }

  f = g_fopen (self->filename, "wb");
  if (f == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        (_("Could not create capture file \"%s\"."), self->filename),
        ("%s", g_strerror (errno)));
    goto fail;
  }

  self->dead = pcap_open_dead_with_tstamp_precision (DLT_EN10MB,
      COLO_PCAP_SNAPLEN, PCAP_TSTAMP_PRECISION_MICRO);
  if (self->dead)
    self->dumper = pcap_dump_fopen (self->dead, f);
  if (self->dumper == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        (_("Could not create capture file \"%s\"."), self->filename),
        ("pcap_dump_fopen: %s",
            self->dead ? pcap_geterr (self->dead) : "pcap_open_dead failed"));
    fclose (f);
    goto fail;
  }

  GST_INFO_OBJECT (self, "writing %s", self->filename);
  return TRUE;

fail:
  gst_colo_pcap_sink_close (self);
  return FALSE;
}

static gboolean
gst_colo_pcap_sink_stop (GstBaseSink * bsink)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (bsink);
  gboolean ok;

  GST_DEBUG_OBJECT (self, "stopping after %" G_GUINT64_FORMAT " records (%"
      G_GUINT64_FORMAT " dropped)", self->records, self->dropped);
  ok = gst_colo_pcap_sink_flush (self);
  gst_colo_pcap_sink_close (self);
  return ok;
}

static gboolean
gst_colo_pcap_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (bsink);
  GstColoCapsInfo info;

  if (!gst_colo_caps_parse (caps, &info)
      || info.format != GST_COLO_FORMAT_FRAMES) {
    GST_ERROR_OBJECT (self, "unusable caps %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "vnet-hdr-len %d", info.vnet_hdr_len);
  self->vnet_hdr_len = info.vnet_hdr_len;
  return TRUE;
}

static gboolean
gst_colo_pcap_sink_event (GstBaseSink * bsink, GstEvent * event)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (bsink);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    if (!gst_colo_pcap_sink_flush (self)) {
      gst_event_unref (event);
      return FALSE;
    }
  }

  return GST_BASE_SINK_CLASS (parent_class)->event (bsink, event);
}

/* The record time: reference UNIX time if present, else running time, else
 * the previous record's. */
static GstClockTime
gst_colo_pcap_sink_buffer_time (GstColoPcapSink * self, GstBuffer * buf)
{
  GstReferenceTimestampMeta *meta;
  GstClockTime ts = GST_CLOCK_TIME_NONE;
  GstCaps *caps;

  caps = gst_static_caps_get (&unix_ts_caps);
  meta = gst_buffer_get_reference_timestamp_meta (buf, caps);
  gst_caps_unref (caps);

  if (meta && GST_CLOCK_TIME_IS_VALID (meta->timestamp)) {
    ts = meta->timestamp;
  } else if (GST_BUFFER_PTS_IS_VALID (buf)) {
    GstSegment *segment = &GST_BASE_SINK (self)->segment;

    if (segment->format == GST_FORMAT_TIME)
      ts = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
          GST_BUFFER_PTS (buf));
    else
      ts = GST_BUFFER_PTS (buf);
  }

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    ts = self->last_ts;
  self->last_ts = ts;
  return ts;
}

static GstFlowReturn
gst_colo_pcap_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (bsink);
  struct pcap_pkthdr hdr;
  GstClockTime ts;
  GstMapInfo map;
  gsize size;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL), ("could not map buffer"));
    return GST_FLOW_ERROR;
  }

  if (map.size < self->vnet_hdr_len) {
    if (self->dropped++ == 0)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          (_("Dropping frames shorter than their virtio-net header.")),
          ("buffer of %" G_GSIZE_FORMAT " bytes, vnet-hdr-len %u", map.size,
              self->vnet_hdr_len));
    GST_LOG_OBJECT (self, "dropped buffer of %" G_GSIZE_FORMAT " bytes",
        map.size);
    gst_buffer_unmap (buf, &map);
    return GST_FLOW_OK;
  }

  ts = gst_colo_pcap_sink_buffer_time (self, buf);
  size = map.size - self->vnet_hdr_len;

  memset (&hdr, 0, sizeof (hdr));
  hdr.ts.tv_sec = ts / GST_SECOND;
  hdr.ts.tv_usec = (ts % GST_SECOND) / GST_USECOND;
  hdr.len = size;
  hdr.caplen = MIN (size, COLO_PCAP_SNAPLEN);

  GST_LOG_OBJECT (self, "record %" G_GUINT64_FORMAT ": %" G_GSIZE_FORMAT
      " bytes at %" GST_TIME_FORMAT, self->records, size, GST_TIME_ARGS (ts));
  pcap_dump ((u_char *) self->dumper, &hdr, map.data + self->vnet_hdr_len);
  gst_buffer_unmap (buf, &map);
  self->records++;

  if (ferror (pcap_dump_file (self->dumper))) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        (_("Could not write to capture file \"%s\"."), self->filename),
        ("write error after %" G_GUINT64_FORMAT " records", self->records));
    return GST_FLOW_ERROR;
  }

  return GST_FLOW_OK;
}

static void
gst_colo_pcap_sink_finalize (GObject * object)
{
  GstColoPcapSink *self = GST_COLO_PCAP_SINK (object);

  gst_colo_pcap_sink_close (self);
  g_free (self->location);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_colo_pcap_sink_class_init (GstColoPcapSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->set_property = gst_colo_pcap_sink_set_property;
  gobject_class->get_property = gst_colo_pcap_sink_get_property;
  gobject_class->finalize = gst_colo_pcap_sink_finalize;

  /**
   * GstColoPcapSink:location:
   *
   * Path of the pcap file to write. It is created, or truncated if it
   * exists.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "pcap file to write (created or truncated)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "COLO pcap sink", "Sink/Network",
      "Writes Ethernet frames into a pcap file", "gst-colo developers");

  basesink_class->start = GST_DEBUG_FUNCPTR (gst_colo_pcap_sink_start);
  basesink_class->stop = GST_DEBUG_FUNCPTR (gst_colo_pcap_sink_stop);
  basesink_class->set_caps = GST_DEBUG_FUNCPTR (gst_colo_pcap_sink_set_caps);
  basesink_class->event = GST_DEBUG_FUNCPTR (gst_colo_pcap_sink_event);
  basesink_class->render = GST_DEBUG_FUNCPTR (gst_colo_pcap_sink_render);

  GST_DEBUG_CATEGORY_INIT (gst_colo_pcap_sink_debug, "colopcapsink", 0,
      "COLO pcap sink");
}

static void
gst_colo_pcap_sink_init (GstColoPcapSink * self)
{
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}
