/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-colo-compare's commands on standard input (without --notify-dev,
 * docs/gst-colo-compare.1, "STANDARD INPUT AND OUTPUT"): one per line,
 * `checkpoint-done`, `failover`, `resume`, `stats` or `connections`, ASCII
 * whitespace around it ignored,
 * blank lines skipped.  Another line is counted (stdin-unknown) and
 * warned about, rate-limited (colo-log.h); so is a line longer than
 * COLO_COMMANDS_MAX_LINE bytes, which is discarded whole (whatever it
 * ends with).  Every byte up to the newline is part of the line, a NUL
 * too.
 *
 * GLib only: the line parser is a pure function and the reader takes
 * bytes (colo_commands_push), so both are unit-tested and fuzzed without
 * GStreamer or a file descriptor. */

#ifndef __COLO_COMMANDS_H__
#define __COLO_COMMANDS_H__

#include <glib.h>

G_BEGIN_DECLS

/* A longer line is no command: it is discarded */
#define COLO_COMMANDS_MAX_LINE 1024

typedef enum
{
  COLO_COMMAND_NONE,            /* a blank line: nothing to do */
  COLO_COMMAND_CHECKPOINT_DONE,
  COLO_COMMAND_FAILOVER,
  COLO_COMMAND_STATS,           /* print the stats line now */
  COLO_COMMAND_RESUME,          /* leave failover: compare again */
  COLO_COMMAND_CONNECTIONS,     /* print the connection table now */
  COLO_COMMAND_UNKNOWN,
} ColoCommand;

/* What the line @line (@len bytes, without its newline) asks for. */
ColoCommand colo_commands_parse_line (const gchar * line, gsize len);

/* The command's text ("checkpoint-done", "failover", "stats", "resume",
 * "connections"); for checkpoint-done, failover and resume also the name
 * of the colocompare action signal they stand for.  NULL for
 * COLO_COMMAND_NONE and COLO_COMMAND_UNKNOWN. */
const gchar *colo_command_name (ColoCommand command);

typedef struct _ColoCommands ColoCommands;

/* Called for every command line, in order. */
typedef void (*ColoCommandFunc) (ColoCommand command, gpointer user_data);

/* @name is where messages come from ("stdin"). */
ColoCommands *colo_commands_new (const gchar * name, ColoCommandFunc func,
    gpointer user_data);
void colo_commands_free (ColoCommands * commands);

/* Takes @len bytes as they were read: every line they complete is
 * parsed, and its command handed to the callback (or counted and warned
 * about); a partial line waits for the rest.  What happens depends on the
 * bytes only, not on how they are cut into pushes. */
void colo_commands_push (ColoCommands * commands, const guint8 * data,
    gsize len);

/* Reads @fd on the thread-default main context (one read() at a time,
 * never blocking on a partial line) and pushes what it reads, until end
 * of file or a read error: then it stops reading, and that is no error. */
void colo_commands_watch (ColoCommands * commands, gint fd);

/* At shutdown: lines are still read, and ignored (neither run nor
 * counted). */
void colo_commands_stop (ColoCommands * commands);

/* Lines that were no command, overlong ones included (stdin-unknown). */
guint64 colo_commands_get_unknown (ColoCommands * commands);

/* Of them, lines discarded for being longer than COLO_COMMANDS_MAX_LINE. */
guint64 colo_commands_get_overlong (ColoCommands * commands);

G_END_DECLS

#endif /* __COLO_COMMANDS_H__ */
