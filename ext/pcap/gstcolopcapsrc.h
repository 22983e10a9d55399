/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_COLO_PCAP_SRC_H__
#define __GST_COLO_PCAP_SRC_H__

#include <gst/gst.h>
#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define GST_TYPE_COLO_PCAP_SRC (gst_colo_pcap_src_get_type ())
G_DECLARE_FINAL_TYPE (GstColoPcapSrc, gst_colo_pcap_src, GST,
    COLO_PCAP_SRC, GstPushSrc);

G_END_DECLS

#endif /* __GST_COLO_PCAP_SRC_H__ */
