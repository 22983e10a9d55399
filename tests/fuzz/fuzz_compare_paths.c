/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Checks that fuzz_compare's seeds reach the paths they were written for:
 * a primary datagram released by the push of its matching secondary
 * datagram (a match needs the same length on both sides, which the
 * target's input layout must allow), and the same for TCP.
 * Usage: fuzz_compare_paths udp:SEED... tcp:SEED... */

#include <stdint.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

extern guint64 fuzz_compare_released_by_push_udp;
extern guint64 fuzz_compare_released_by_push_tcp;

int
main (int argc, char **argv)
{
  int i, failed = 0;

  if (argc < 2) {
    g_printerr ("usage: %s udp:SEED|tcp:SEED...\n", argv[0]);
    return 2;
  }
  for (i = 1; i < argc; i++) {
    gboolean udp = g_str_has_prefix (argv[i], "udp:");
    const gchar *path = strchr (argv[i], ':') + 1;
    gchar *contents;
    gsize len;
    guint8 *copy;
    GError *err = NULL;
    guint64 got;

    if (!udp && !g_str_has_prefix (argv[i], "tcp:")) {
      g_printerr ("%s: expected udp:SEED or tcp:SEED\n", argv[i]);
      return 2;
    }
    if (!g_file_get_contents (path, &contents, &len, &err)) {
      g_printerr ("%s\n", err->message);
      g_error_free (err);
      return 1;
    }
    copy = g_memdup2 (contents, len);
    fuzz_compare_released_by_push_udp = 0;
    fuzz_compare_released_by_push_tcp = 0;
    LLVMFuzzerTestOneInput (copy, len);
    got = udp ? fuzz_compare_released_by_push_udp :
        fuzz_compare_released_by_push_tcp;
    g_print ("%s %s: %" G_GUINT64_FORMAT " primary frame(s) released by a "
        "matching push\n", got > 0 ? "ok" : "FAIL", argv[i], got);
    if (got == 0)
      failed = 1;
    g_free (copy);
    g_free (contents);
  }
  return failed;
}
