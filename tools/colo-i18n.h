/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's translations (po/README.md): _() and N_() in the
 * domain GETTEXT_PACKAGE, shared with the plugins.  In a translatable
 * string a guint64 is "%" PRIu64 and a gsize "%zu", not G_GUINT64_FORMAT
 * or G_GSIZE_FORMAT: xgettext and gettext know PRIu64 (the .po files
 * have "%<PRIu64>"), not GLib's macros. */

#ifndef __COLO_I18N_H__
#define __COLO_I18N_H__

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#endif /* __COLO_I18N_H__ */
