/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the divergence evidence files (colo-evidence.h). */

#include <string.h>
#include <glib/gstdio.h>
#include "colo-evidence.h"

typedef struct
{
  const char *tmpl;
  gboolean valid;
  guint index;
  const char *name;             /* for a valid one */
} TemplateCase;

static const TemplateCase template_cases[] = {
  {"div-%05d.pcap", TRUE, 7, "div-00007.pcap"},
  {"/tmp/x/%u.pcap", TRUE, 12, "/tmp/x/12.pcap"},
  {"%d", TRUE, 0, "0"},
  {"100%%-%-4i.pcap", TRUE, 3, "100%-3   .pcap"},
  {"div.pcap", FALSE},
  {"div-%d-%d.pcap", FALSE},
  {"div-%s.pcap", FALSE},
  {"div-%n.pcap", FALSE},
  {"div-%.pcap", FALSE},
  {"div-%ld.pcap", FALSE},
  {"div-%", FALSE},
  {"div-%020d", TRUE, 5, "div-00000000000000000005"},
  {"d%066666666666666d", FALSE},        /* found by fuzz_rules */
  {"div-%21d", FALSE},
  {"", FALSE},
};

static void
test_template (gconstpointer data)
{
  const TemplateCase *tc = data;
  GError *error = NULL;
  gboolean valid = colo_evidence_template_valid (tc->tmpl, &error);

  if (valid != tc->valid)
    g_error ("template \"%s\": expected %s", tc->tmpl,
        tc->valid ? "valid" : "invalid");
  if (valid) {
    gchar *name = colo_evidence_file_name (tc->tmpl, tc->index);

    g_assert_no_error (error);
    g_assert_cmpstr (name, ==, tc->name);
    g_free (name);
  } else {
    g_assert_error (error, COLO_EVIDENCE_ERROR, 0);
    g_assert_nonnull (strstr (error->message, "conversion")
        || strstr (error->message, "width")
        || strstr (error->message, "empty") ? error->message : NULL);
    g_error_free (error);
  }
}

static void
test_hex (void)
{
  const guint8 bytes[] = { 0x00, 0x0f, 0xa0, 0xff };
  gchar *hex = colo_evidence_hex (bytes, sizeof (bytes));

  g_assert_cmpstr (hex, ==, "000fa0ff");
  g_free (hex);
  hex = colo_evidence_hex (bytes, 0);
  g_assert_cmpstr (hex, ==, "");
  g_free (hex);
}

static guint32
rd32 (const guint8 * p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return v;
}

/* The file is a pcap any reader takes: the global header, then each frame
 * with its time and length, in the order given. */
static void
test_pcap (void)
{
  guint8 f1[60], f2[1514];
  ColoFrameInfo frames[2] = {
    {.side = COLO_SIDE_PRIMARY,.data = f1,.size = sizeof (f1),
        .arrival = 2 * G_GUINT64_CONSTANT (1000000000) + 345678000},
    {.side = COLO_SIDE_SECONDARY,.data = f2,.size = sizeof (f2),
        .arrival = 3000},
  };
  gchar *dir = g_dir_make_tmp ("colo-evidence-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "div-0.pcap", NULL);
  GError *error = NULL;
  gchar *contents;
  gsize len;
  const guint8 *p;
  guint16 major, minor;

  memset (f1, 0x11, sizeof (f1));
  memset (f2, 0x22, sizeof (f2));
  g_assert_true (colo_evidence_write_pcap (path, frames, 2, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 24 + 16 + 60 + 16 + 1514);
  p = (const guint8 *) contents;
  g_assert_cmpuint (rd32 (p), ==, 0xa1b2c3d4);
  memcpy (&major, p + 4, 2);
  memcpy (&minor, p + 6, 2);
  g_assert_cmpuint (major, ==, 2);
  g_assert_cmpuint (minor, ==, 4);
  g_assert_cmpuint (rd32 (p + 20), ==, 1);      /* Ethernet */
  p += 24;
  g_assert_cmpuint (rd32 (p), ==, 2);
  g_assert_cmpuint (rd32 (p + 4), ==, 345678);
  g_assert_cmpuint (rd32 (p + 8), ==, 60);
  g_assert_cmpuint (rd32 (p + 12), ==, 60);
  g_assert_cmpmem (p + 16, 60, f1, 60);
  p += 16 + 60;
  g_assert_cmpuint (rd32 (p), ==, 0);
  g_assert_cmpuint (rd32 (p + 4), ==, 3);
  g_assert_cmpuint (rd32 (p + 8), ==, 1514);
  g_assert_cmpmem (p + 16, 1514, f2, 1514);
  g_free (contents);

  /* a directory that does not exist: an error naming the file */
  g_free (path);
  path = g_build_filename (dir, "missing", "div-1.pcap", NULL);
  g_assert_false (colo_evidence_write_pcap (path, frames, 2, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_error_free (error);
  g_free (path);
  path = g_build_filename (dir, "div-0.pcap", NULL);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (template_cases); i++) {
    gchar *path = g_strdup_printf ("/evidence/template/%u", i);
    g_test_add_data_func (path, &template_cases[i], test_template);
    g_free (path);
  }
  g_test_add_func ("/evidence/hex", test_hex);
  g_test_add_func ("/evidence/pcap", test_pcap);
  return g_test_run ();
}
