/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_COLO_PAY_H__
#define __GST_COLO_PAY_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_COLO_PAY (gst_colo_pay_get_type ())
G_DECLARE_FINAL_TYPE (GstColoPay, gst_colo_pay, GST, COLO_PAY, GstElement);

G_END_DECLS

#endif /* __GST_COLO_PAY_H__ */
