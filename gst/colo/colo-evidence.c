/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "colo-evidence.h"

#define PCAP_MAGIC 0xa1b2c3d4u  /* microsecond timestamps */
#define PCAP_SNAPLEN 262144u
#define LINKTYPE_ETHERNET 1u
#define MAX_WIDTH 20            /* of the number in a file name template */

GQuark
colo_evidence_error_quark (void)
{
  return g_quark_from_static_string ("colo-evidence-error-quark");
}

gboolean
colo_evidence_template_valid (const char *tmpl, GError ** error)
{
  guint conversions = 0;
  const char *s;

  if (!tmpl || !*tmpl) {
    g_set_error (error, COLO_EVIDENCE_ERROR, 0, "empty file name template");
    return FALSE;
  }
  for (s = tmpl; *s; s++) {
    if (*s != '%')
      continue;
    s++;
    if (*s == '%')
      continue;
    while (*s && strchr ("0-+ ", *s))
      s++;
    {
      /* a width of millions would make a file name of that size */
      guint width = 0;

      while (g_ascii_isdigit (*s)) {
        width = MIN (width * 10 + (guint) (*s - '0'), 1000);
        s++;
      }
      if (width > MAX_WIDTH) {
        g_set_error (error, COLO_EVIDENCE_ERROR, 0,
            "file name template '%s': a field width of at most %u",
            tmpl, MAX_WIDTH);
        return FALSE;
      }
    }
    if (!*s || !strchr ("dui", *s)) {
      g_set_error (error, COLO_EVIDENCE_ERROR, 0,
          "file name template '%s': only one integer conversion such as "
          "%%05d (and %%%%) is allowed", tmpl);
      return FALSE;
    }
    conversions++;
  }
  if (conversions != 1) {
    g_set_error (error, COLO_EVIDENCE_ERROR, 0,
        "file name template '%s' needs exactly one integer conversion "
        "such as %%05d (it has %u)", tmpl, conversions);
    return FALSE;
  }
  return TRUE;
}

char *
colo_evidence_file_name (const char *tmpl, guint index)
{
  g_return_val_if_fail (colo_evidence_template_valid (tmpl, NULL), NULL);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  /* checked above: one integer conversion */
  return g_strdup_printf (tmpl, index);
#pragma GCC diagnostic pop
}

char *
colo_evidence_hex (const guint8 * data, gsize len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);
  gsize i;

  for (i = 0; i < len; i++) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  out[2 * len] = '\0';
  return out;
}

static gboolean
put (FILE * f, const void *data, gsize size)
{
  return fwrite (data, 1, size, f) == size;
}

gboolean
colo_evidence_write_pcap (const char *path, const ColoFrameInfo * frames,
    guint n_frames, GError ** error)
{
  /* In the host's byte order, as libpcap writes it: the magic tells
   * readers which.  Version 2.4, zone 0, sigfigs 0. */
  const guint32 magic = PCAP_MAGIC;
  const guint16 version[2] = { 2, 4 };
  const guint32 rest[4] = { 0, 0, PCAP_SNAPLEN, LINKTYPE_ETHERNET };
  gboolean ok;
  FILE *f;
  guint i;

  f = g_fopen (path, "wb");
  if (!f) {
    int e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot create '%s': %s", path, g_strerror (e));
    return FALSE;
  }
  ok = put (f, &magic, 4) && put (f, version, 4) && put (f, rest, 16);
  for (i = 0; ok && i < n_frames; i++) {
    guint32 len = (guint32) MIN (frames[i].size, PCAP_SNAPLEN);
    guint32 rec[4] = {
      (guint32) (frames[i].arrival / G_GUINT64_CONSTANT (1000000000)),
      (guint32) (frames[i].arrival / 1000 % 1000000),
      len,
      (guint32) MIN (frames[i].size, G_MAXUINT32),
    };

    ok = put (f, rec, sizeof (rec)) && put (f, frames[i].data, len);
  }
  if (fclose (f) != 0)
    ok = FALSE;
  if (!ok) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO,
        "cannot write '%s'", path);
    g_unlink (path);
  }
  return ok;
}
