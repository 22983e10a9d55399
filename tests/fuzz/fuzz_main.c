/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Runs a fuzz target over a corpus without libFuzzer, so that the seeds
 * (and every crash found and fixed) are replayed by "meson test".
 * Usage: fuzz_xxx_corpus FILE-OR-DIRECTORY... */

#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static guint
run_file (const char *path)
{
  gchar *contents;
  gsize len;
  GError *err = NULL;
  guint8 *copy;

  if (!g_file_get_contents (path, &contents, &len, &err)) {
    g_printerr ("%s\n", err->message);
    g_error_free (err);
    exit (1);
  }
  /* exact-size copy, so that valgrind catches reads past the end */
  copy = g_memdup2 (contents, len);
  LLVMFuzzerTestOneInput (copy, len);
  g_free (copy);
  g_free (contents);
  return 1;
}

static guint
run_path (const char *path)
{
  GDir *dir;
  const char *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (path);

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL) {
    g_printerr ("cannot open %s\n", path);
    exit (1);
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    gchar *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
      n += run_file (child);
    g_free (child);
  }
  g_dir_close (dir);
  return n;
}

int
main (int argc, char **argv)
{
  guint n = 0;
  int i;

  if (argc < 2) {
    g_printerr ("usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
    return 2;
  }
  for (i = 1; i < argc; i++)
    n += run_path (argv[i]);
  if (n == 0) {
    g_printerr ("no input files\n");
    return 1;
  }
  g_print ("%u inputs ran\n", n);
  return 0;
}
