/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests for gst-colo-compare's messages (colo-log.c): the fields and
 * priorities of the structured entries, the standard error lines made of
 * them, and the choice of the journal when standard error is connected to
 * it ($JOURNAL_STREAM). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "colo-log.h"

/* ---- a writer that keeps the last entry ----------------------------- */

typedef struct
{
  guint count;
  GLogLevelFlags level;
  GHashTable *fields;           /* key -> value (strings) */
  gchar *line;                  /* colo_log_format_line of it */
} Captured;

static GLogWriterOutput
capture (GLogLevelFlags level, const GLogField * fields, gsize n_fields,
    gpointer user_data)
{
  Captured *c = user_data;
  gsize i;

  c->count++;
  c->level = level;
  g_hash_table_remove_all (c->fields);
  for (i = 0; i < n_fields; i++) {
    g_assert_cmpint (fields[i].length, ==, -1);
    /* every key once */
    g_assert_false (g_hash_table_contains (c->fields, fields[i].key));
    g_hash_table_insert (c->fields, g_strdup (fields[i].key),
        g_strdup (fields[i].value));
  }
  g_free (c->line);
  c->line = colo_log_format_line (level, fields, n_fields);
  return G_LOG_WRITER_HANDLED;
}

static void
captured_setup (Captured * c, gconstpointer data)
{
  c->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  colo_log_set_writer (capture, c);
}

static void
captured_teardown (Captured * c, gconstpointer data)
{
  colo_log_set_writer (NULL, NULL);
  g_hash_table_unref (c->fields);
  g_free (c->line);
}

static const gchar *
field (Captured * c, const gchar * key)
{
  return g_hash_table_lookup (c->fields, key);
}

/* ---- entries ---------------------------------------------------------- */

static void
test_notice (Captured * c, gconstpointer data)
{
  colo_log ("primary-in", "client %s connected", "127.0.0.1:4000");
  g_assert_cmpuint (c->count, ==, 1);
  g_assert_cmpint (c->level, ==, G_LOG_LEVEL_MESSAGE);
  g_assert_cmpstr (field (c, "PRIORITY"), ==, "5");
  g_assert_cmpstr (field (c, "COLO_ENDPOINT"), ==, "primary-in");
  g_assert_cmpstr (field (c, "MESSAGE"), ==,
      "primary-in: client 127.0.0.1:4000 connected");
  g_assert_cmpstr (field (c, "SYSLOG_IDENTIFIER"), ==, "gst-colo-compare");
  g_assert_cmpstr (field (c, "GLIB_DOMAIN"), ==, "gst-colo-compare");
  g_assert_cmpuint (g_hash_table_size (c->fields), ==, 5);
  g_assert_cmpstr (c->line, ==,
      "gst-colo-compare: primary-in: client 127.0.0.1:4000 connected");
}

static void
test_warning (Captured * c, gconstpointer data)
{
  colo_log_warning ("outdev", "cannot connect to %s: %s", "127.0.0.1:9",
      "refused");
  g_assert_cmpint (c->level, ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpstr (field (c, "PRIORITY"), ==, "4");
  g_assert_cmpstr (field (c, "COLO_ENDPOINT"), ==, "outdev");
  g_assert_cmpstr (field (c, "MESSAGE"), ==,
      "outdev: cannot connect to 127.0.0.1:9: refused");
  /* the line as before structured logging: the kind after the endpoint */
  g_assert_cmpstr (c->line, ==,
      "gst-colo-compare: outdev: warning: cannot connect to 127.0.0.1:9: "
      "refused");
}

static void
test_error (Captured * c, gconstpointer data)
{
  colo_log_error ("notify-dev", "bad record at byte offset %d", 12);
  g_assert_cmpint (c->level, ==, G_LOG_LEVEL_CRITICAL);
  g_assert_cmpstr (field (c, "PRIORITY"), ==, "3");
  g_assert_cmpstr (c->line, ==,
      "gst-colo-compare: notify-dev: error: bad record at byte offset 12");

  /* the program as a whole: no endpoint */
  colo_log_error (NULL, "%s is required (see --help)", "--primary-in");
  g_assert_cmpuint (c->count, ==, 2);
  g_assert_null (field (c, "COLO_ENDPOINT"));
  g_assert_cmpstr (field (c, "MESSAGE"), ==,
      "--primary-in is required (see --help)");
  g_assert_cmpstr (c->line, ==,
      "gst-colo-compare: error: --primary-in is required (see --help)");
}

static void
test_extra_fields (Captured * c, gconstpointer data)
{
  const GLogField extra[] = {
    {"COLO_EVENT", "checkpoint-request", -1},
    {"COLO_REASON", "miscompare", -1},
  };

  colo_log_entry (COLO_LOG_INFO, NULL, "checkpoint request (miscompare)",
      extra, G_N_ELEMENTS (extra));
  g_assert_cmpstr (field (c, "PRIORITY"), ==, "6");
  g_assert_cmpstr (field (c, "COLO_EVENT"), ==, "checkpoint-request");
  g_assert_cmpstr (field (c, "COLO_REASON"), ==, "miscompare");
  g_assert_cmpstr (field (c, "MESSAGE"), ==, "checkpoint request (miscompare)");
  g_assert_cmpuint (g_hash_table_size (c->fields), ==, 6);
}

/* A MESSAGE that does not start with the endpoint is printed whole */
static void
test_format_line_foreign (void)
{
  const GLogField fields[] = {
    {"COLO_ENDPOINT", "stdin", -1},
    {"MESSAGE", "no endpoint prefix", -1},
  };
  gchar *line = colo_log_format_line (G_LOG_LEVEL_WARNING, fields, 2);

  g_assert_cmpstr (line, ==, "gst-colo-compare: warning: no endpoint prefix");
  g_free (line);
}

static void
test_priorities (void)
{
  g_assert_cmpstr (colo_log_priority (COLO_LOG_ERROR), ==, "3");
  g_assert_cmpstr (colo_log_priority (COLO_LOG_WARNING), ==, "4");
  g_assert_cmpstr (colo_log_priority (COLO_LOG_NOTICE), ==, "5");
  g_assert_cmpstr (colo_log_priority (COLO_LOG_INFO), ==, "6");
  g_assert_cmpstr (colo_log_priority (G_LOG_LEVEL_DEBUG), ==, "7");
}

/* ---- the journal or standard error ------------------------------------ */

static gchar *
stream_of (int fd)
{
  struct stat st;

  g_assert_cmpint (fstat (fd, &st), ==, 0);
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
      (guint64) st.st_dev, (guint64) st.st_ino);
}

static void
test_fd_is_journal (void)
{
  int fds[2], other[2];
  gchar *stream, *other_stream;

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (pipe (other), ==, 0);
  stream = stream_of (fds[1]);
  other_stream = stream_of (other[1]);

  g_unsetenv ("JOURNAL_STREAM");
  g_assert_false (colo_log_fd_is_journal (fds[1]));
  /* systemd's: the device and inode of the stream */
  g_setenv ("JOURNAL_STREAM", stream, TRUE);
  g_assert_true (colo_log_fd_is_journal (fds[1]));
  /* another file: the stream was redirected (by a shell script, say) */
  g_assert_false (colo_log_fd_is_journal (other[1]));
  g_setenv ("JOURNAL_STREAM", other_stream, TRUE);
  g_assert_false (colo_log_fd_is_journal (fds[1]));
  g_setenv ("JOURNAL_STREAM", "garbage", TRUE);
  g_assert_false (colo_log_fd_is_journal (fds[1]));
  g_setenv ("JOURNAL_STREAM", "", TRUE);
  g_assert_false (colo_log_fd_is_journal (fds[1]));
  g_assert_false (colo_log_fd_is_journal (-1));
  g_unsetenv ("JOURNAL_STREAM");

  g_free (stream);
  g_free (other_stream);
  close (fds[0]);
  close (fds[1]);
  close (other[0]);
  close (other[1]);
}

/* The default writer's choice, made on the process's real standard error:
 * in subprocesses (it is made once per process) */
static void
test_default_writer_stderr (void)
{
  if (g_test_subprocess ()) {
    g_unsetenv ("JOURNAL_STREAM");
    colo_log_warning ("outdev", "cannot connect to %s", "127.0.0.1:9");
    g_assert_false (colo_log_is_journald ());
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr
      ("gst-colo-compare: outdev: warning: cannot connect to 127.0.0.1:9\n");
}

static void
test_default_writer_journal (void)
{
  if (g_test_subprocess ()) {
    gchar *stream = stream_of (fileno (stderr));

    /* what systemd sets when standard error is the journal's stream */
    g_setenv ("JOURNAL_STREAM", stream, TRUE);
    g_free (stream);
    g_assert_true (colo_log_is_journald ());
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- the rate limit of repeated events -------------------------------- */

static void
test_is_reported (void)
{
  g_assert_false (colo_log_is_reported (0));
  g_assert_true (colo_log_is_reported (1));
  g_assert_false (colo_log_is_reported (2));
  g_assert_true (colo_log_is_reported (10));
  g_assert_false (colo_log_is_reported (11));
  g_assert_false (colo_log_is_reported (20));
  g_assert_true (colo_log_is_reported (100));
  g_assert_true (colo_log_is_reported (G_GUINT64_CONSTANT (10000000000)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Captured, NULL, captured_setup, fn, \
    captured_teardown)
  ADD ("/log/entry/notice", test_notice);
  ADD ("/log/entry/warning", test_warning);
  ADD ("/log/entry/error", test_error);
  ADD ("/log/entry/extra-fields", test_extra_fields);
#undef ADD
  g_test_add_func ("/log/format-line/foreign", test_format_line_foreign);
  g_test_add_func ("/log/priorities", test_priorities);
  g_test_add_func ("/log/journal/fd", test_fd_is_journal);
  g_test_add_func ("/log/journal/default-stderr", test_default_writer_stderr);
  g_test_add_func ("/log/journal/default-journal", test_default_writer_journal);
  g_test_add_func ("/log/is-reported", test_is_reported);
  return g_test_run ();
}
