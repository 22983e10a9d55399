/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_COLO_COMPARE_H__
#define __GST_COLO_COMPARE_H__

#include <gst/gst.h>
#include <gst/base/gstaggregator.h>

G_BEGIN_DECLS

#define GST_TYPE_COLO_COMPARE (gst_colo_compare_get_type ())
G_DECLARE_FINAL_TYPE (GstColoCompare, gst_colo_compare, GST, COLO_COMPARE,
    GstAggregator);

G_END_DECLS

#endif /* __GST_COLO_COMPARE_H__ */
