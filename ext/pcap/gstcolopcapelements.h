/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_COLO_PCAP_ELEMENTS_H__
#define __GST_COLO_PCAP_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

void colo_pcap_element_init (GstPlugin * plugin);

GST_ELEMENT_REGISTER_DECLARE (colopcapsrc);
GST_ELEMENT_REGISTER_DECLARE (colopcapsink);

/* Snap length used for live capture and written into the pcap files we
 * create (tcpdump's default). */
#define COLO_PCAP_SNAPLEN 262144

G_END_DECLS

#endif /* __GST_COLO_PCAP_ELEMENTS_H__ */
