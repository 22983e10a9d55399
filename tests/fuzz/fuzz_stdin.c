/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Fuzz target: gst-colo-compare's stdin command reader
 * (tools/colo-commands.c), fed the input in chunks whose sizes come from
 * the input itself, as reads would cut it.  Checked against a linear model:
 * the commands run are exactly those of the complete lines of at most
 * COLO_COMMANDS_MAX_LINE bytes that are a command, in order, whatever the
 * chunking; every other complete line, and every line too long, counts
 * as unknown. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-commands.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static GArray *run;             /* ColoCommand, as the reader ran them */

static void
on_command (ColoCommand command, gpointer user_data)
{
  g_array_append_val (run, command);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ColoCommands *c;
  GArray *want = g_array_new (FALSE, FALSE, sizeof (ColoCommand));
  guint64 unknown = 0;
  size_t i, start = 0, off;
  guint step;

  if (size < 1)
    return 0;
  step = data[0] % 17 + 1;
  data++;
  size--;

  /* the model: complete lines, a line is every byte up to its newline */
  for (i = 0; i < size; i++) {
    if (data[i] != '\n')
      continue;
    if (i - start <= COLO_COMMANDS_MAX_LINE) {
      ColoCommand cmd = colo_commands_parse_line ((const gchar *) data +
          start, i - start);

      if (cmd == COLO_COMMAND_UNKNOWN)
        unknown++;
      else if (cmd != COLO_COMMAND_NONE)
        g_array_append_val (want, cmd);
    } else {
      unknown++;                /* too long: discarded whole, no command */
    }
    start = i + 1;
  }
  /* a line still open that is already too long was counted when it grew */
  if (size - start > COLO_COMMANDS_MAX_LINE)
    unknown++;

  run = g_array_new (FALSE, FALSE, sizeof (ColoCommand));
  c = colo_commands_new ("fuzz", on_command, NULL);
  for (off = 0; off < size; off += step)
    colo_commands_push (c, data + off, MIN (step, size - off));

  if (run->len != want->len || (want->len > 0 && memcmp (run->data,
              want->data, want->len * sizeof (ColoCommand)) != 0))
    abort ();                   /* a command run that was not sent, or lost */
  if (colo_commands_get_unknown (c) != unknown)
    abort ();
  colo_commands_free (c);
  g_array_unref (run);
  g_array_unref (want);
  return 0;
}
