/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Divergence evidence: file names from a template and pcap files of the
 * frames of a miscompare (docs/design.md, "Divergence evidence").  GLib
 * only. */

#ifndef __COLO_EVIDENCE_H__
#define __COLO_EVIDENCE_H__

#include <glib.h>
#include "colo-compare.h"

G_BEGIN_DECLS

#define COLO_EVIDENCE_ERROR (colo_evidence_error_quark ())
GQuark colo_evidence_error_quark (void);

/* Whether tmpl makes a file name per index: exactly one integer
 * conversion (%d, %u or %i with optional flags 0, -, + or a space and a
 * width of at most 20, as in "div-%05d.pcap"), otherwise only "%%".
 * FALSE with error
 * set otherwise. */
gboolean colo_evidence_template_valid (const char *tmpl, GError ** error);

/* tmpl (valid) with index filled in */
char *colo_evidence_file_name (const char *tmpl, guint index);

/* Hex of len bytes ("0a1b..."), newly allocated */
char *colo_evidence_hex (const guint8 * data, gsize len);

/* Writes frames (Ethernet frames) to a new classic pcap file at path
 * (LINKTYPE_ETHERNET, microsecond timestamps from each frame's arrival);
 * FALSE with error set when the file cannot be written. */
gboolean colo_evidence_write_pcap (const char *path,
    const ColoFrameInfo * frames, guint n_frames, GError ** error);

G_END_DECLS

#endif /* __COLO_EVIDENCE_H__ */
