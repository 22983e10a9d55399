/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_COLO_DEPAY_H__
#define __GST_COLO_DEPAY_H__

#include <gst/gst.h>
#include <gst/base/gstbaseparse.h>

G_BEGIN_DECLS

#define GST_TYPE_COLO_DEPAY (gst_colo_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstColoDepay, gst_colo_depay, GST, COLO_DEPAY,
    GstBaseParse);

G_END_DECLS

#endif /* __GST_COLO_DEPAY_H__ */
