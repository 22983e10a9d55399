/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for gst-colo-compare's standard-input command reader
 * (without --notify-dev: one command per line, checkpoint-done or
 * failover).
 *
 * The reader is not a unit of its own: it is on_stdin() and on_command(),
 * static functions of tools/gst-colo-compare.c working on the program's
 * App.  So this file includes that source whole (its main() renamed) and
 * calls on_stdin() as the main loop would, on a pipe, with an App that
 * has what the reader uses: the partial-line buffer, the counters, and a
 * ColoControl, replaced by a stand-in that records the commands.
 *
 * Input: byte 0 holds flags (bit 0: the program is shutting down) and
 * seeds the write sizes (1 to 256 bytes, and now and then over 4000 so
 * that reads fill the reader's whole 4096-byte buffer); the rest is what
 * arrives on stdin, then end of file.  Checked, against a model that splits the whole input
 * into lines:
 *  - every line of at most MAX_COMMAND_LEN bytes without a NUL byte gives
 *    exactly its command (surrounding white space stripped), in order, or
 *    counts once in stdin-unknown; an empty line gives nothing; an
 *    unterminated last line gives nothing; nothing while shutting down;
 *  - end of file removes the watch;
 *  - no crash, leak or undefined behaviour (ASan, UBSan) for any input.
 * For longer lines and lines with a NUL byte the reader does not do what
 * the man page and its comments say (see tests/fuzz/README.md,
 * "Findings"); the model then follows the reader's algorithm (per read)
 * and says so.  Build with -DFUZZ_STDIN_STRICT=1 to hold the reader to the
 * documented behaviour for those lines too (it fails on the inputs in
 * corpus/stdin/ named known-*). */

#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef FUZZ_STDIN_STRICT
#define FUZZ_STDIN_STRICT 0
#endif

/* the program, its main() renamed */
int gst_colo_compare_main (int argc, char **argv);
#define main gst_colo_compare_main
#include "gst-colo-compare.c"
#undef main

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* ---- a stand-in for ColoControl (tools/colo-control.c) --------------
 * The program queues checkpoint-done and failover for a thread that emits
 * them on colocompare; here they are recorded at once, in order, so that
 * an input costs no thread switch and no GStreamer.  ColoControl's own
 * behaviour is not what this target is about. */

struct _ColoControl
{
  GString *emitted;             /* 'c' checkpoint-done, 'f' failover */
};

ColoControl *
colo_control_new (GstElement * compare)
{
  ColoControl *control = g_new0 (ColoControl, 1);

  control->emitted = g_string_new (NULL);
  return control;
}

void
colo_control_emit (ColoControl * control, const gchar * signal_name)
{
  if (g_str_equal (signal_name, "checkpoint-done"))
    g_string_append_c (control->emitted, 'c');
  else if (g_str_equal (signal_name, "failover"))
    g_string_append_c (control->emitted, 'f');
  else
    abort ();                   /* colocompare has no other action signal */
}

void
colo_control_free (ColoControl * control)
{
  g_string_free (control->emitted, TRUE);
  g_free (control);
}

/* ---- the model ------------------------------------------------------- */

typedef struct
{
  GString *cmds;                /* 'c' and 'f', in order */
  guint64 unknown;
  gboolean exact;               /* no line the reader treats otherwise */
} Model;

static void
model_line (Model * m, const gchar * line, gsize len, gboolean shutting_down)
{
  gchar *text = g_strndup (line, len);

  g_strstrip (text);
  if (shutting_down || text[0] == '\0') {
    /* nothing */
  } else if (g_str_equal (text, "checkpoint-done")) {
    g_string_append_c (m->cmds, 'c');
  } else if (g_str_equal (text, "failover")) {
    g_string_append_c (m->cmds, 'f');
  } else {
    m->unknown++;
  }
  g_free (text);
}

/* What the documentation says: lines of the whole input. */
static void
model_documented (Model * m, const guint8 * in, gsize len,
    gboolean shutting_down)
{
  gsize start = 0, i;

  m->exact = TRUE;
  for (i = 0; i < len; i++) {
    if (in[i] != '\n')
      continue;
    if (i - start > MAX_COMMAND_LEN || memchr (in + start, 0, i - start)) {
      /* no command, one unknown line (what the reader does differs) */
      m->exact = FALSE;
      if (!shutting_down)
        m->unknown++;
    } else {
      model_line (m, (const gchar *) in + start, i - start, shutting_down);
    }
    start = i + 1;
  }
  /* an unterminated last line is no command; one too long to be a
   * command is discarded and counted by the reader, nothing else */
  if (len - start > MAX_COMMAND_LEN)
    m->exact = FALSE;
}

/* What the reader does (tools/gst-colo-compare.c, on_stdin): each read is
 * appended to the partial line; every complete line is cut at its first
 * NUL byte (g_strndup) and run; a partial line longer than
 * MAX_COMMAND_LEN left after a read is discarded and counted, and what
 * follows of it is a line of its own. */
static void
model_reader (Model * m, const guint8 * in, const gsize * reads, guint n,
    gboolean shutting_down)
{
  gsize start = 0, end = 0;     /* the partial line: in[start..end) */
  guint r;

  for (r = 0; r < n; r++) {
    const guint8 *nl;

    end += reads[r];
    while ((nl = memchr (in + start, '\n', end - start))) {
      gsize len = nl - (in + start);

      model_line (m, (const gchar *) in + start,
          strnlen ((const gchar *) in + start, len), shutting_down);
      start += len + 1;
    }
    if (end - start > MAX_COMMAND_LEN) {
      m->unknown++;
      start = end;
    }
  }
}

/* ---- the target ------------------------------------------------------ */

static App app;

static void
discard_printerr (const gchar * string)
{
}

static void
setup (void)
{
  /* a GLib critical or warning is a failure */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* the reader's warnings on stderr (rate-limited by the reader) */
  g_set_printerr_handler (discard_printerr);
  app.control = colo_control_new (NULL);
}

/* Feeds @in in reads of the given sizes, then end of file; returns the
 * sizes of the reads on_stdin() made (each at most its 4096-byte
 * buffer). */
static GArray *
feed (const guint8 * in, gsize len, guint8 seed)
{
  GArray *reads = g_array_new (FALSE, FALSE, sizeof (gsize));
  GIOChannel *ch;
  int fds[2];
  gsize pos = 0;

  CHECK (pipe (fds) == 0);
  ch = g_io_channel_unix_new (fds[0]);
  g_io_channel_set_encoding (ch, NULL, NULL);
  g_io_channel_set_buffered (ch, FALSE);
  while (pos < len) {
    /* mostly small writes, now and then more than the reader's buffer */
    gsize w =
        (seed & 0xe0) == 0xe0 ? (gsize) 4000 + seed % 1000 : (gsize) 1 + seed;
    int avail;

    w = MIN (w, (gsize) (len - pos));
    CHECK (write (fds[1], in + pos, w) == (ssize_t) w);
    pos += w;
    seed = seed * 151 + 11;
    /* the main loop calls on_stdin while there is something to read */
    while (ioctl (fds[0], FIONREAD, &avail) == 0 && avail > 0) {
      gsize n = MIN ((gsize) avail, (gsize) 4096);

      CHECK (on_stdin (ch, G_IO_IN, &app) == G_SOURCE_CONTINUE);
      g_array_append_val (reads, n);
    }
  }
  close (fds[1]);
  /* end of file: the watch goes */
  app.stdin_id = 1;
  CHECK (on_stdin (ch, G_IO_IN | G_IO_HUP, &app) == G_SOURCE_REMOVE);
  CHECK (app.stdin_id == 0);
  g_io_channel_unref (ch);
  close (fds[0]);
  return reads;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean ready;
  Model doc = { 0, }, rd = { 0, };
  gboolean shutting_down;
  GArray *reads;

  if (!ready) {
    setup ();
    ready = TRUE;
  }
  if (size < 1)
    return 0;
  shutting_down = data[0] & 1;

  app.shutting_down = shutting_down;
  app.stdin_buf = g_string_new (NULL);
  app.stdin_unknown = 0;
  app.stdin_overlong = 0;
  g_string_truncate (app.control->emitted, 0);

  reads = feed (data + 1, size - 1, data[0]);

  doc.cmds = g_string_new (NULL);
  rd.cmds = g_string_new (NULL);
  model_documented (&doc, data + 1, size - 1, shutting_down);
  model_reader (&rd, data + 1, (const gsize *) reads->data, reads->len,
      shutting_down);
  CHECK (g_str_equal (app.control->emitted->str, rd.cmds->str));
  CHECK (app.stdin_unknown == rd.unknown);
  CHECK (app.stdin_overlong <= app.stdin_unknown);
  if (doc.exact || FUZZ_STDIN_STRICT) {
    CHECK (g_str_equal (app.control->emitted->str, doc.cmds->str));
    if (doc.exact)
      CHECK (app.stdin_unknown == doc.unknown && app.stdin_overlong == 0);
  }

  g_string_free (doc.cmds, TRUE);
  g_string_free (rd.cmds, TRUE);
  g_array_unref (reads);
  g_string_free (app.stdin_buf, TRUE);
  app.stdin_buf = NULL;
  return 0;
}
