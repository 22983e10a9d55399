/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the operator-supplied strings the element parses:
 * the passthrough rules (colo-passthrough.c) and the divergence file name
 * template (colo-evidence.c).
 *
 * Input layout: byte 0 picks the parser (bit 0) ; the rest, up to its
 * first NUL, is the string.  Checks:
 *  - the parser either succeeds or fails with an error message, never
 *    both or neither;
 *  - parsed rules answer matches () for a few keys, and a rule set that
 *    matches nothing for a key keeps doing so after re-parsing (the parse
 *    is deterministic);
 *  - a valid template makes a file name for the largest index without
 *    reading past it (ASan watches g_strdup_printf). */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-passthrough.h"
#include "colo-evidence.h"

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

static void
fuzz_passthrough (const char *text)
{
  GError *error = NULL;
  ColoPassthrough *pt = colo_passthrough_parse (text, &error), *again;
  ColoConnKey key;
  guint proto, port;

  CHECK ((pt == NULL) == (error != NULL));
  if (!pt) {
    CHECK (error->message && *error->message);
    g_error_free (error);
    return;
  }
  again = colo_passthrough_parse (text, NULL);
  CHECK (again != NULL);
  memset (&key, 0, sizeof (key));
  key.ip_version = 4;
  for (proto = 0; proto < 256; proto += 17) {
    for (port = 0; port < 65536; port += 4099) {
      key.ip_proto = proto;
      key.src_port = port;
      key.dst_port = 65535 - port;
      key.fragment = port & 1;
      CHECK (colo_passthrough_matches (pt, &key) ==
          colo_passthrough_matches (again, &key));
    }
  }
  CHECK (colo_passthrough_is_empty (pt) == colo_passthrough_is_empty (again));
  colo_passthrough_free (again);
  colo_passthrough_free (pt);
}

static void
fuzz_template (const char *text)
{
  GError *error = NULL;
  gboolean valid = colo_evidence_template_valid (text, &error);
  gchar *name;

  CHECK (valid == (error == NULL));
  if (!valid) {
    g_error_free (error);
    return;
  }
  name = colo_evidence_file_name (text, G_MAXUINT);
  CHECK (name != NULL);
  g_free (name);
}

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gchar *text;

  if (size < 1)
    return 0;
  text = g_strndup ((const gchar *) data + 1, size - 1);
  if (data[0] & 1)
    fuzz_template (text);
  else
    fuzz_passthrough (text);
  g_free (text);
  return 0;
}
