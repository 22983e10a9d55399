/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the comparator's callers need to name a flow: the two sides and a
 * connection key.  Plain types, shared by the comparator's public
 * interface (colo-compare.h) and its connection table (colo-conn.h). */

#ifndef __COLO_FLOW_H__
#define __COLO_FLOW_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  COLO_SIDE_PRIMARY = 0,
  COLO_SIDE_SECONDARY = 1,
} ColoSide;

#define COLO_N_SIDES 2

/* "primary" / "secondary" */
const char *colo_side_name (ColoSide side);

/* One direction of a flow as the guests send it (no direction
 * normalisation: both sides send the same direction).  Zero-filled before
 * use so that it can be hashed and compared as bytes. */
typedef struct
{
  guint8 ip_version;
  guint8 ip_proto;
  guint8 n_vlan;
  guint8 fragment;              /* IP fragments: ports are 0 */
  guint16 vlan_id[2];
  guint16 src_port;
  guint16 dst_port;
  guint8 src[16];               /* IPv4 uses the first 4 bytes */
  guint8 dst[16];
} ColoConnKey;

G_END_DECLS

#endif /* __COLO_FLOW_H__ */
