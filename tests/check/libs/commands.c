/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for gst-colo-compare's standard input commands
 * (colo-commands.c): the line parser, the reader that splits bytes into
 * lines, and the watch on a file descriptor. */

#include <string.h>
#include <unistd.h>

#include "colo-commands.h"

/* ---- the line parser (table-driven) ------------------------------- */

typedef struct
{
  const gchar *line;
  gsize len;                    /* 0: strlen (line) */
  ColoCommand expected;
} ParseCase;

static const ParseCase parse_cases[] = {
  {.line = "checkpoint-done",.expected = COLO_COMMAND_CHECKPOINT_DONE},
  {.line = "failover",.expected = COLO_COMMAND_FAILOVER},
  {.line = " stats\r",.expected = COLO_COMMAND_STATS},
  {.line = "stats now",.expected = COLO_COMMAND_UNKNOWN},
  /* ASCII whitespace around the command is ignored (CRLF lines too) */
  {.line = "  checkpoint-done\t",.expected = COLO_COMMAND_CHECKPOINT_DONE},
  {.line = "failover\r",.expected = COLO_COMMAND_FAILOVER},
  {.line = "\ffailover \r",.expected = COLO_COMMAND_FAILOVER},
  /* only @len bytes count */
  {.line = "failover-and-more",.len = 8,.expected = COLO_COMMAND_FAILOVER},
  /* blank lines are nothing */
  {.line = "",.expected = COLO_COMMAND_NONE},
  {.line = " \t\r",.expected = COLO_COMMAND_NONE},
  /* anything else is no command: prefixes, extensions, case, inner
   * whitespace */
  {.line = "checkpoint-don",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "checkpoint-done!",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "checkpoint-done failover",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "Failover",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "check point-done",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "checkpoint_done",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "no-such-command",.expected = COLO_COMMAND_UNKNOWN},
  {.line = "\xff\xfe",.expected = COLO_COMMAND_UNKNOWN},
};

static void
test_parse_line (gconstpointer data)
{
  const ParseCase *c = data;
  gsize len = c->len ? c->len : strlen (c->line);

  g_assert_cmpint (colo_commands_parse_line (c->line, len), ==, c->expected);
}

static void
test_command_name (void)
{
  g_assert_cmpstr (colo_command_name (COLO_COMMAND_CHECKPOINT_DONE), ==,
      "checkpoint-done");
  g_assert_cmpstr (colo_command_name (COLO_COMMAND_FAILOVER), ==, "failover");
  g_assert_cmpstr (colo_command_name (COLO_COMMAND_STATS), ==, "stats");
  g_assert_null (colo_command_name (COLO_COMMAND_NONE));
  g_assert_null (colo_command_name (COLO_COMMAND_UNKNOWN));
  /* the name parses back to the command */
  g_assert_cmpint (colo_commands_parse_line ("failover", 8), ==,
      COLO_COMMAND_FAILOVER);
}

/* ---- the reader ------------------------------------------------- */

typedef struct
{
  ColoCommands *commands;
  GString *got;                 /* one letter per command: c, f */
} Fixture;

static void
on_command (ColoCommand command, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_true (command == COLO_COMMAND_CHECKPOINT_DONE
      || command == COLO_COMMAND_FAILOVER);
  g_string_append_c (f->got,
      command == COLO_COMMAND_CHECKPOINT_DONE ? 'c' : 'f');
}

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  f->commands = colo_commands_new ("stdin", on_command, f);
  f->got = g_string_new (NULL);
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  colo_commands_free (f->commands);
  g_string_free (f->got, TRUE);
}

static void
push (Fixture * f, const gchar * text)
{
  colo_commands_push (f->commands, (const guint8 *) text, strlen (text));
}

static void
test_push_lines (Fixture * f, gconstpointer data)
{
  push (f, "checkpoint-done\nfailover\n\n  \ncheckpoint-done\r\n");
  g_assert_cmpstr (f->got->str, ==, "cfc");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 0);
}

static void
test_push_partial (Fixture * f, gconstpointer data)
{
  /* a line cut across reads runs once it is complete, not before */
  push (f, "check");
  push (f, "point-");
  g_assert_cmpstr (f->got->str, ==, "");
  push (f, "done\nfail");
  g_assert_cmpstr (f->got->str, ==, "c");
  push (f, "over");
  g_assert_cmpstr (f->got->str, ==, "c");
  push (f, "\n");
  g_assert_cmpstr (f->got->str, ==, "cf");
}

static void
test_push_unknown (Fixture * f, gconstpointer data)
{
  guint i;

  push (f, "no-such-command\nfailover\n");
  g_assert_cmpstr (f->got->str, ==, "f");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 1);
  /* counted every time (the warning is rate-limited) */
  for (i = 0; i < 1000; i++)
    push (f, "bogus\n");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 1001);
  g_assert_cmpuint (colo_commands_get_overlong (f->commands), ==, 0);
  /* blank lines are not counted */
  push (f, "\n \n\t\n");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 1001);
  g_assert_cmpstr (f->got->str, ==, "f");
}

static void
test_push_overlong (Fixture * f, gconstpointer data)
{
  gchar *junk = g_strnfill (COLO_COMMANDS_MAX_LINE + 1, 'x');
  gchar *padded = g_strnfill (COLO_COMMANDS_MAX_LINE, ' ');

  /* a line of up to the limit is a line */
  memcpy (padded, "failover", 8);
  push (f, padded);
  g_assert_cmpuint (colo_commands_get_overlong (f->commands), ==, 0);
  push (f, "\n");
  g_assert_cmpstr (f->got->str, ==, "f");
  /* beyond the limit, with or without a newline yet, it is discarded,
   * counted once as an unknown line */
  push (f, junk);
  g_assert_cmpuint (colo_commands_get_overlong (f->commands), ==, 1);
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 1);
  /* up to its newline: what follows in that line is no command */
  push (f, junk);
  push (f, "failover");
  g_assert_cmpuint (colo_commands_get_overlong (f->commands), ==, 1);
  push (f, "\ncheckpoint-done\n");
  g_assert_cmpstr (f->got->str, ==, "fc");
  /* a long line that ends with a command, in one read */
  memset (padded, ' ', COLO_COMMANDS_MAX_LINE);
  push (f, padded);
  push (f, "failover\ncheckpoint-done\n");
  g_assert_cmpstr (f->got->str, ==, "fcc");
  g_assert_cmpuint (colo_commands_get_overlong (f->commands), ==, 2);
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 2);
  g_free (padded);
  g_free (junk);
}

static void
test_push_nul (Fixture * f, gconstpointer data)
{
  /* a NUL is a byte of the line like any other, not its end */
  colo_commands_push (f->commands, (const guint8 *) "failover\0junk\n", 14);
  colo_commands_push (f->commands, (const guint8 *) "\0\n", 2);
  g_assert_cmpstr (f->got->str, ==, "");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 2);
}

/* The same bytes cut into pushes of @chunk bytes: the commands run and
 * the counters */
static gchar *
run_in_chunks (const guint8 * bytes, gsize len, gsize chunk)
{
  Fixture f;
  gchar *result;
  gsize i;

  fixture_setup (&f, NULL);
  for (i = 0; i < len; i += chunk)
    colo_commands_push (f.commands, bytes + i, MIN (chunk, len - i));
  result = g_strdup_printf ("%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
      f.got->str, colo_commands_get_unknown (f.commands),
      colo_commands_get_overlong (f.commands));
  fixture_teardown (&f, NULL);
  return result;
}

static void
test_push_chunking (void)
{
  GByteArray *bytes = g_byte_array_new ();
  gchar *whole, *other;
  gsize chunk;
  guint i;

  for (i = 0; i < 3; i++) {
    /* "checkpoint-done" padded to 1023, 1024 and 1025 bytes */
    gchar *pad = g_strnfill (COLO_COMMANDS_MAX_LINE - 16 + i, ' ');

    g_byte_array_append (bytes, (const guint8 *) "failover\nbogus\n", 15);
    g_byte_array_append (bytes, (const guint8 *) pad, strlen (pad));
    g_byte_array_append (bytes, (const guint8 *) "checkpoint-done\n \n", 18);
    g_byte_array_append (bytes, (const guint8 *) "\0\xff\n", 3);
    g_free (pad);
  }
  whole = run_in_chunks (bytes->data, bytes->len, bytes->len);
  g_assert_cmpstr (whole, ==, "fcfcf 7 1");
  for (chunk = 1; chunk < 2 * COLO_COMMANDS_MAX_LINE; chunk = chunk * 3 + 1) {
    other = run_in_chunks (bytes->data, bytes->len, chunk);
    g_assert_cmpstr (other, ==, whole);
    g_free (other);
  }
  g_free (whole);
  g_byte_array_unref (bytes);
}

static void
test_push_stopped (Fixture * f, gconstpointer data)
{
  push (f, "failover\n");
  colo_commands_stop (f->commands);
  /* at shutdown lines are read and ignored: neither run nor counted */
  push (f, "checkpoint-done\nbogus\nfailover\n");
  g_assert_cmpstr (f->got->str, ==, "f");
  g_assert_cmpuint (colo_commands_get_unknown (f->commands), ==, 0);
}

/* ---- the watch --------------------------------------------------- */

static void
iterate_until (Fixture * f, const gchar * expected)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (strcmp (f->got->str, expected) != 0) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, TRUE);
  }
}

static void
test_watch (Fixture * f, gconstpointer data)
{
  static const gchar text[] = "failover\ncheckpoint-done\ncheckpoint-";
  int fds[2];

  g_assert_no_errno (pipe (fds));
  colo_commands_watch (f->commands, fds[0]);
  g_assert_cmpint (write (fds[1], text, strlen (text)), ==, strlen (text));
  iterate_until (f, "fc");
  g_assert_cmpint (write (fds[1], "done\n", 5), ==, 5);
  iterate_until (f, "fcc");
  /* end of file: the watch goes away (else the pipe's end of file would
   * keep it ready) */
  close (fds[1]);
  g_main_context_iteration (NULL, TRUE);
  g_assert_false (g_main_context_pending (NULL));
  close (fds[0]);
  g_assert_cmpstr (f->got->str, ==, "fcc");
}

static void
test_watch_free (Fixture * f, gconstpointer data)
{
  int fds[2];

  /* freed while watching (the program's exit with stdin open) */
  g_assert_no_errno (pipe (fds));
  colo_commands_watch (f->commands, fds[0]);
  g_assert_cmpint (write (fds[1], "failover\n", 9), ==, 9);
  colo_commands_free (f->commands);
  f->commands = NULL;
  g_assert_false (g_main_context_pending (NULL));
  close (fds[1]);
  close (fds[0]);
  g_assert_cmpstr (f->got->str, ==, "");
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (parse_cases); i++) {
    gchar *name = g_strdup_printf ("/commands/parse-line/%u", i);

    g_test_add_data_func (name, &parse_cases[i], test_parse_line);
    g_free (name);
  }
  g_test_add_func ("/commands/name", test_command_name);
  g_test_add_func ("/commands/push/chunking", test_push_chunking);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, \
      fixture_teardown)
  ADD ("/commands/push/lines", test_push_lines);
  ADD ("/commands/push/partial", test_push_partial);
  ADD ("/commands/push/unknown", test_push_unknown);
  ADD ("/commands/push/overlong", test_push_overlong);
  ADD ("/commands/push/nul", test_push_nul);
  ADD ("/commands/push/stopped", test_push_stopped);
  ADD ("/commands/watch", test_watch);
  ADD ("/commands/watch-free", test_watch_free);
#undef ADD
  return g_test_run ();
}
