/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* colocompare's buffers in and out of the comparator (docs/design.md,
 * "Batches"): an input buffer becomes one frame (frames caps) or many
 * (records caps, parsed in place); released primary frames become output
 * buffers: the original buffer for a frame, and for records one region of
 * the input buffer per run of contiguous released records, zero-copy. */

#ifndef __GST_COLO_FRAMES_H__
#define __GST_COLO_FRAMES_H__

#include <gst/gst.h>
#include "colo-compare.h"
#include "gstcolocaps.h"

G_BEGIN_DECLS

/* Released frames that go out under the same caps, in order */
typedef struct
{
  GstColoCapsInfo caps;
  GstBufferList *buffers;
} GstColoOutBatch;

typedef struct
{
  GPtrArray *out;               /* GstColoOutBatch, in release order */
  gpointer run;                 /* the records run being extended */
  gsize pinned;                 /* bytes of live records buffers */
  gsize held;                   /* bytes of frames queued from them */
  guint64 empty_records;
  guint64 compactions;
} GstColoFrames;

void gst_colo_frames_init (GstColoFrames * f);
/* Frees the pending output (the comparator must be empty). */
void gst_colo_frames_clear (GstColoFrames * f);

/* Hands every frame of buf (taken) to comp.  FALSE: a records buffer that
 * does not hold whole valid records (*error_offset: where); the frames
 * before that point were pushed. */
gboolean gst_colo_frames_push (GstColoFrames * f, ColoComparator * comp,
    ColoSide side, GstBuffer * buf, const GstColoCapsInfo * caps,
    guint64 now, gsize * error_offset);

/* The comparator's release and drop callbacks for handles made here */
void gst_colo_frames_release (GstColoFrames * f, gpointer handle,
    const guint8 * data, gsize size);
void gst_colo_frames_drop (GstColoFrames * f, gpointer handle,
    const guint8 * data, gsize size);

/* Held frames pin the records buffers they came in.  When those pin more
 * than twice the held bytes plus COMPACT_SLACK, the held frames are copied
 * into one buffer of their own, so memory stays within that bound. */
#define GST_COLO_FRAMES_COMPACT_SLACK (4 * 1024 * 1024)
void gst_colo_frames_compact (GstColoFrames * f, ColoComparator * comp);

/* Takes the output released so far (GstColoOutBatch array, or NULL). */
GPtrArray *gst_colo_frames_take_output (GstColoFrames * f);

G_END_DECLS

#endif /* __GST_COLO_FRAMES_H__ */
