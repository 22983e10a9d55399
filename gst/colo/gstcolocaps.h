/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The two packet formats of gst-colo's pads, defined once for both
 * plugins and the tool (docs/design.md, "Caps").
 *
 * Frames: one Ethernet frame per buffer, preceded by a virtio-net header of
 * vnet-hdr-len bytes (the contract's format; buffers without caps are taken
 * as vnet-hdr-len=0).
 *
 * Records: the batch format.  Each buffer holds one or more *whole* records
 * of QEMU's chardev socket framing (be32 len, be32 vnet_hdr_len when
 * vnet-hdr=true, then len bytes: virtio-net header and Ethernet frame),
 * never a partial one: the bytes as they travel on QEMU's sockets, aligned
 * to record boundaries, as mpegtsparse aligns TS packets.  Many frames
 * travel in one buffer, and released frames leave as regions of the
 * buffers they came in. */

#ifndef __GST_COLO_CAPS_H__
#define __GST_COLO_CAPS_H__

#include <gst/gst.h>
#include "colo-packet.h"          /* COLO_MAX_VNET_HDR_LEN */

G_BEGIN_DECLS

#define GST_COLO_FRAMES_MEDIA_TYPE "application/x-ethernet"
#define GST_COLO_RECORDS_MEDIA_TYPE "application/x-colo-records"

#define GST_COLO_FRAMES_CAPS \
    GST_COLO_FRAMES_MEDIA_TYPE ", vnet-hdr-len = (int) [ 0, " \
    G_STRINGIFY (COLO_MAX_VNET_HDR_LEN) " ]"
#define GST_COLO_RECORDS_CAPS \
    GST_COLO_RECORDS_MEDIA_TYPE ", vnet-hdr = (boolean) { false, true }"

typedef enum
{
  GST_COLO_FORMAT_FRAMES,
  GST_COLO_FORMAT_RECORDS,
} GstColoFormat;

/* What a caps event says: the format, and the virtio-net header (frames:
 * its length; records: whether each record carries the vnet word). */
typedef struct
{
  GstColoFormat format;
  gint vnet_hdr_len;            /* frames only */
  gboolean vnet_hdr;            /* records only */
} GstColoCapsInfo;

static inline GstCaps *
gst_colo_caps_new_frames (gint vnet_hdr_len)
{
  return gst_caps_new_simple (GST_COLO_FRAMES_MEDIA_TYPE,
      "vnet-hdr-len", G_TYPE_INT, vnet_hdr_len, NULL);
}

static inline GstCaps *
gst_colo_caps_new_records (gboolean vnet_hdr)
{
  return gst_caps_new_simple (GST_COLO_RECORDS_MEDIA_TYPE,
      "vnet-hdr", G_TYPE_BOOLEAN, vnet_hdr, NULL);
}

/* Reads fixed caps; FALSE when they are neither format or out of range.
 * No caps (NULL) mean frames with vnet-hdr-len=0. */
static inline gboolean
gst_colo_caps_parse (const GstCaps * caps, GstColoCapsInfo * info)
{
  const GstStructure *s;

  info->format = GST_COLO_FORMAT_FRAMES;
  info->vnet_hdr_len = 0;
  info->vnet_hdr = FALSE;
  if (!caps)
    return TRUE;
  if (gst_caps_get_size (caps) < 1)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (s, GST_COLO_RECORDS_MEDIA_TYPE)) {
    info->format = GST_COLO_FORMAT_RECORDS;
    return gst_structure_get_boolean (s, "vnet-hdr", &info->vnet_hdr);
  }
  if (!gst_structure_has_name (s, GST_COLO_FRAMES_MEDIA_TYPE))
    return FALSE;
  if (!gst_structure_has_field (s, "vnet-hdr-len"))
    return TRUE;
  return gst_structure_get_int (s, "vnet-hdr-len", &info->vnet_hdr_len)
      && info->vnet_hdr_len >= 0
      && info->vnet_hdr_len <= COLO_MAX_VNET_HDR_LEN;
}

G_END_DECLS

#endif /* __GST_COLO_CAPS_H__ */
