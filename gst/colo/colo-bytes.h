/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Network byte order at any alignment: the one definition used by the
 * packet parser, the framing core, the tests' frame builders and the
 * benchmarks. */

#ifndef __COLO_BYTES_H__
#define __COLO_BYTES_H__

#include <glib.h>

G_BEGIN_DECLS

static inline guint16
colo_read_be16 (const guint8 * p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
colo_read_be32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
      ((guint32) p[2] << 8) | (guint32) p[3];
}

static inline void
colo_write_be16 (guint8 * p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static inline void
colo_write_be32 (guint8 * p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

G_END_DECLS

#endif /* __COLO_BYTES_H__ */
