/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "colo-commands.h"
#include "colo-i18n.h"
#include "colo-log.h"

/* The commands, indexed by ColoCommand */
static const gchar *const command_names[] = {
  [COLO_COMMAND_CHECKPOINT_DONE] = "checkpoint-done",
  [COLO_COMMAND_FAILOVER] = "failover",
  [COLO_COMMAND_STATS] = "stats",
  [COLO_COMMAND_RESUME] = "resume",
  [COLO_COMMAND_CONNECTIONS] = "connections",
};

struct _ColoCommands
{
  gchar *name;
  ColoCommandFunc func;
  gpointer user_data;
  GString *buf;                 /* a partial line */
  gboolean discarding;          /* the rest of an overlong line */
  gboolean stopped;
  guint64 unknown;              /* lines that are no command */
  guint64 overlong;             /* of them, too long (discarded unread) */
  GSource *watch;
};

/* @line without the ASCII whitespace around it */
static const gchar *
strip (const gchar * line, gsize * len)
{
  while (*len > 0 && g_ascii_isspace (line[0])) {
    line++;
    (*len)--;
  }
  while (*len > 0 && g_ascii_isspace (line[*len - 1]))
    (*len)--;
  return line;
}

ColoCommand
colo_commands_parse_line (const gchar * line, gsize len)
{
  ColoCommand c;

  line = strip (line, &len);
  if (len == 0)
    return COLO_COMMAND_NONE;
  for (c = COLO_COMMAND_CHECKPOINT_DONE; c < COLO_COMMAND_UNKNOWN; c++)
    if (len == strlen (command_names[c])
        && memcmp (line, command_names[c], len) == 0)
      return c;
  return COLO_COMMAND_UNKNOWN;
}

const gchar *
colo_command_name (ColoCommand command)
{
  if (command < G_N_ELEMENTS (command_names))
    return command_names[command];
  return NULL;
}

ColoCommands *
colo_commands_new (const gchar * name, ColoCommandFunc func, gpointer user_data)
{
  ColoCommands *commands = g_new0 (ColoCommands, 1);

  commands->name = g_strdup (name);
  commands->func = func;
  commands->user_data = user_data;
  commands->buf = g_string_new (NULL);
  return commands;
}

void
colo_commands_free (ColoCommands * commands)
{
  if (commands == NULL)
    return;
  if (commands->watch != NULL) {
    g_source_destroy (commands->watch);
    g_source_unref (commands->watch);
  }
  g_string_free (commands->buf, TRUE);
  g_free (commands->name);
  g_free (commands);
}

/* @len bytes as C escapes (a NUL too), for a message */
static gchar *
escape (const gchar * bytes, gsize len)
{
  GString *out = g_string_sized_new (len);
  gsize i = 0;

  while (i < len) {
    gsize n = strnlen (bytes + i, len - i);
    gchar *text = g_strndup (bytes + i, n);
    gchar *escaped = g_strescape (text, NULL);

    g_string_append (out, escaped);
    g_free (escaped);
    g_free (text);
    i += n;
    if (i < len) {
      g_string_append (out, "\\000");
      i++;
    }
  }
  return g_string_free (out, FALSE);
}

static void
warn_unknown (ColoCommands * commands, const gchar * line, gsize len)
{
  gchar *escaped;

  line = strip (line, &len);
  escaped = escape (line, len);
  colo_log_warning (commands->name, _("unknown command '%s' (expected "
          "checkpoint-done, failover, resume, stats or connections; %" PRIu64
          " so far, reported the 1st, 10th, 100th, ... time)"), escaped,
      commands->unknown);
  g_free (escaped);
}

/* A complete line (every byte of it: a NUL is no end) */
static void
run_line (ColoCommands * commands, const gchar * line, gsize len)
{
  ColoCommand command;

  if (commands->stopped)
    return;
  command = colo_commands_parse_line (line, len);
  if (command == COLO_COMMAND_UNKNOWN) {
    if (colo_log_is_reported (++commands->unknown))
      warn_unknown (commands, line, len);
  } else if (command != COLO_COMMAND_NONE) {
    commands->func (command, commands->user_data);
  }
}

/* A line that grew past COLO_COMMANDS_MAX_LINE: no command, whatever
 * follows; the rest of it, up to its newline, is discarded unread. */
static void
discard_line (ColoCommands * commands)
{
  g_string_truncate (commands->buf, 0);
  commands->discarding = TRUE;
  if (commands->stopped)
    return;
  commands->unknown++;
  if (colo_log_is_reported (++commands->overlong))
    colo_log_warning (commands->name, _("discarded a line of more than %d "
            "bytes without a newline (%" PRIu64 " so far, reported the 1st, "
            "10th, 100th, ... time)"), COLO_COMMANDS_MAX_LINE,
        commands->overlong);
}

/* The result depends on the bytes only, not on how they are cut into
 * pushes. */
void
colo_commands_push (ColoCommands * commands, const guint8 * data, gsize len)
{
  GString *buf = commands->buf;

  while (len > 0) {
    const guint8 *nl = memchr (data, '\n', len);
    /* the bytes of the current line in @data */
    gsize n = nl != NULL ? (gsize) (nl - data) : len;

    if (commands->discarding) {
      /* the rest of an overlong line */
    } else if (buf->len + n > COLO_COMMANDS_MAX_LINE) {
      discard_line (commands);
    } else {
      g_string_append_len (buf, (const gchar *) data, n);
      if (nl != NULL) {
        run_line (commands, buf->str, buf->len);
        g_string_truncate (buf, 0);
      }
    }
    if (nl != NULL) {
      commands->discarding = FALSE;
      n++;
    }
    data += n;
    len -= n;
  }
}

static gboolean
on_readable (gint fd, GIOCondition cond, gpointer user_data)
{
  ColoCommands *commands = user_data;
  guint8 buf[4096];
  gssize n = read (fd, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    /* end of file (or an error): no more commands, keep running */
    g_clear_pointer (&commands->watch, g_source_unref);
    return G_SOURCE_REMOVE;
  }
  colo_commands_push (commands, buf, n);
  return G_SOURCE_CONTINUE;
}

void
colo_commands_watch (ColoCommands * commands, gint fd)
{
  g_return_if_fail (commands->watch == NULL);
  commands->watch = g_unix_fd_source_new (fd,
      G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_NVAL);
  g_source_set_callback (commands->watch, G_SOURCE_FUNC (on_readable),
      commands, NULL);
  g_source_attach (commands->watch, g_main_context_get_thread_default ());
}

void
colo_commands_stop (ColoCommands * commands)
{
  commands->stopped = TRUE;
}

guint64
colo_commands_get_unknown (ColoCommands * commands)
{
  return commands->unknown;
}

guint64
colo_commands_get_overlong (ColoCommands * commands)
{
  return commands->overlong;
}
