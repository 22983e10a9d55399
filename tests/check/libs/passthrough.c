/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the passthrough rules (colo-passthrough.h) and of the
 * comparator applying them (docs/design.md, "Passthrough rules"). */

#include <string.h>
#include "colo-compare.h"
#include "colo-passthrough.h"
#include "colo-packet.h"
#include "frames.h"
#include "core_fixture.h"

#define P COLO_SIDE_PRIMARY
#define S COLO_SIDE_SECONDARY

/* --- the grammar -------------------------------------------------------- */

typedef struct
{
  const char *rules;
  const char *error_part;       /* NULL: valid; else part of the message */
} ParseCase;

static const ParseCase parse_cases[] = {
  {"", NULL},
  {"   ", NULL},
  {"tcp", NULL},
  {"tcp:3389", NULL},
  {"udp:*:5353", NULL},
  {"tcp:3389,udp:*:5353,icmp", NULL},
  {" tcp:80 , udp ", NULL},
  {"TCP:1000-2000:*", NULL},
  {"47", NULL},
  {"*", NULL},
  {"icmpv6", NULL},
  {"sctp:0-65535", NULL},
  {"tcp:", "bad port ''"},
  {"tcp:80:81:82", "expected PROTO[:PORTS[:PORTS]]"},
  {"gre", "unknown protocol 'gre'"},
  {"256", "unknown protocol '256'"},
  {"tcp:65536", "bad port '65536'"},
  {"tcp:2000-1000", "bad port '2000-1000'"},
  {"tcp:-5", "bad port '-5'"},
  {"tcp:80x", "bad port '80x'"},
  {"icmp:8", "protocol 'icmp' has no ports"},
  {"*:80", "protocol '*' has no ports"},
  {"tcp,,udp", "empty rule"},
  {"tcp,", "empty rule"},
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *pc = data;
  GError *error = NULL;
  ColoPassthrough *pt = colo_passthrough_parse (pc->rules, &error);

  if (!pc->error_part) {
    g_assert_no_error (error);
    g_assert_nonnull (pt);
  } else {
    g_assert_null (pt);
    g_assert_error (error, COLO_PASSTHROUGH_ERROR, 0);
    if (!strstr (error->message, pc->error_part))
      g_error ("rules \"%s\": message \"%s\" does not say \"%s\"", pc->rules,
          error->message, pc->error_part);
    g_error_free (error);
  }
  colo_passthrough_free (pt);
}

/* --- matching ----------------------------------------------------------- */

static ColoConnKey
key (guint8 proto, guint16 sport, guint16 dport)
{
  ColoConnKey k;

  memset (&k, 0, sizeof (k));
  k.ip_version = 4;
  k.ip_proto = proto;
  k.src_port = sport;
  k.dst_port = dport;
  return k;
}

typedef struct
{
  const char *rules;
  guint8 proto;
  guint16 sport, dport;
  gboolean fragment;
  gboolean matches;
} MatchCase;

static const MatchCase match_cases[] = {
  {"", 6, 3389, 50000, FALSE, FALSE},
  {"tcp", 6, 1, 2, FALSE, TRUE},
  {"tcp", 17, 1, 2, FALSE, FALSE},
  {"tcp:3389", 6, 3389, 50000, FALSE, TRUE},    /* server's output */
  {"tcp:3389", 6, 50000, 3389, FALSE, TRUE},    /* client's output */
  {"tcp:3389", 6, 3390, 50000, FALSE, FALSE},
  {"tcp:3389", 17, 3389, 50000, FALSE, FALSE},
  {"udp:*:5353", 17, 5353, 5353, FALSE, TRUE},
  {"udp:*:5353", 17, 5353, 53, FALSE, FALSE},   /* direction counts */
  {"udp:5000-5010", 17, 40000, 5010, FALSE, TRUE},
  {"udp:5000-5010", 17, 40000, 5011, FALSE, FALSE},
  {"udp:5000-5010", 17, 4999, 40000, FALSE, FALSE},
  {"tcp:80,udp:53", 17, 40000, 53, FALSE, TRUE},
  {"tcp:80,udp:53", 6, 40000, 53, FALSE, FALSE},
  {"icmp", 1, 0, 0, FALSE, TRUE},
  {"58", 58, 0, 0, FALSE, TRUE},
  {"*", 47, 0, 0, FALSE, TRUE},
  {"udp", 17, 0, 0, TRUE, TRUE},        /* a fragment: no port needed */
  {"udp:*", 17, 0, 0, TRUE, FALSE},     /* a port rule: no fragment */
};

static void
test_match (gconstpointer data)
{
  const MatchCase *mc = data;
  ColoPassthrough *pt = colo_passthrough_parse (mc->rules, NULL);
  ColoConnKey k = key (mc->proto, mc->sport, mc->dport);

  k.fragment = mc->fragment;
  g_assert_nonnull (pt);
  if (colo_passthrough_matches (pt, &k) != mc->matches)
    g_error ("rules \"%s\", proto %u %u -> %u%s: expected %s", mc->rules,
        mc->proto, mc->sport, mc->dport, mc->fragment ? " (fragment)" : "",
        mc->matches ? "a match" : "no match");
  colo_passthrough_free (pt);
}

/* --- the comparator ----------------------------------------------------- */

typedef CoreFx Fx;

static GBytes *
udp (Fx * fx, guint16 sport, guint16 dport, const char *text)
{
  return frame_udp (&fx->opts, sport, dport, (const guint8 *) text,
      strlen (text));
}

static GBytes *
tcp (Fx * fx, guint16 sport, guint32 seq, const char *text)
{
  return frame_tcp (&fx->opts, sport, 40000, seq, 1, COLO_TCP_ACK, 0,
      (const guint8 *) text, strlen (text));
}

static guint
nth (GArray * a, guint i)
{
  g_assert_cmpuint (i, <, a->len);
  return g_array_index (a, guint, i);
}

/* A matched flow goes out from the primary at once, uncompared, and the
 * secondary's frames are dropped; other flows are still compared. */
static void
test_comparator_passes_matching_flows (void)
{
  Fx fx;
  ColoStats st;
  guint p1, s1, p2;

  core_fx_init (&fx);
  g_assert_true (colo_comparator_set_passthrough (fx.c, "udp:5353", NULL));
  p1 = core_fx_push (&fx, P, udp (&fx, 5353, 5353, "primary's view"));
  g_assert_cmpuint (fx.released->len, ==, 1);
  g_assert_cmpuint (nth (fx.released, 0), ==, p1);
  s1 = core_fx_push (&fx, S, udp (&fx, 5353, 5353, "something else"));
  g_assert_cmpuint (fx.dropped->len, ==, 1);
  g_assert_cmpuint (nth (fx.dropped, 0), ==, s1);
  g_assert_cmpuint (fx.triggers->len, ==, 0);

  /* not matched: compared and held */
  p2 = core_fx_push (&fx, P, udp (&fx, 4000, 53, "query"));
  g_assert_cmpuint (fx.released->len, ==, 1);
  core_fx_push (&fx, S, udp (&fx, 4000, 53, "query"));
  g_assert_cmpuint (fx.released->len, ==, 2);
  g_assert_cmpuint (nth (fx.released, 1), ==, p2);

  colo_comparator_get_stats (fx.c, &st);
  g_assert_cmpuint (st.passthrough[P], ==, 1);
  g_assert_cmpuint (st.passthrough[S], ==, 1);
  g_assert_cmpuint (st.passed_through, ==, 1);
  g_assert_cmpuint (st.released, ==, 1);
  g_assert_cmpuint (st.connections, ==, 1);     /* the passed one is not kept */
  core_fx_clear (&fx);
}

/* Rules added while frames are held: the newly matched flow's primary
 * frames go out in order, its secondary frames are dropped, and it is
 * forgotten; an unmatched flow keeps what it holds. */
static void
test_comparator_rules_change_releases_held (void)
{
  Fx fx;
  ColoStats st;
  guint a1, a2, b1, s1;

  core_fx_init (&fx);
  a1 = core_fx_push (&fx, P, tcp (&fx, 3389, 1000, "frame one"));
  a2 = core_fx_push (&fx, P, tcp (&fx, 3389, 1009, "frame two"));
  s1 = core_fx_push (&fx, S, tcp (&fx, 3389, 1000, "FRAME ONE"));       /* diverges */
  g_assert_cmpuint (fx.triggers->len, ==, 1);
  b1 = core_fx_push (&fx, P, udp (&fx, 4000, 53, "held"));
  g_assert_cmpuint (fx.released->len, ==, 0);

  g_assert_true (colo_comparator_set_passthrough (fx.c, "tcp:3389", NULL));
  g_assert_cmpuint (fx.released->len, ==, 2);
  g_assert_cmpuint (nth (fx.released, 0), ==, a1);
  g_assert_cmpuint (nth (fx.released, 1), ==, a2);
  g_assert_cmpuint (fx.dropped->len, ==, 1);
  g_assert_cmpuint (nth (fx.dropped, 0), ==, s1);
  g_assert_cmpuint (colo_comparator_queued (fx.c, P), ==, 1);   /* b1 */

  colo_comparator_get_stats (fx.c, &st);
  g_assert_cmpuint (st.passthrough[P], ==, 2);
  g_assert_cmpuint (st.passthrough[S], ==, 1);
  g_assert_cmpuint (st.connections, ==, 1);

  colo_comparator_checkpoint_done (fx.c, 0);
  g_assert_cmpuint (nth (fx.released, 2), ==, b1);
  core_fx_clear (&fx);
}

/* A flow whose rule goes away is compared again, from its next frames. */
static void
test_comparator_rule_removed_compares_again (void)
{
  Fx fx;
  guint p;

  core_fx_init (&fx);
  g_assert_true (colo_comparator_set_passthrough (fx.c, "tcp", NULL));
  core_fx_push (&fx, P, tcp (&fx, 3389, 1000, "passed"));
  g_assert_cmpuint (fx.released->len, ==, 1);
  g_assert_true (colo_comparator_set_passthrough (fx.c, "", NULL));
  p = core_fx_push (&fx, P, tcp (&fx, 3389, 1006, "compared"));
  g_assert_cmpuint (fx.released->len, ==, 1);   /* held */
  core_fx_push (&fx, S, tcp (&fx, 3389, 1006, "compareD"));
  g_assert_cmpuint (fx.triggers->len, ==, 1);   /* diverged */
  g_assert_cmpuint (fx.released->len, ==, 1);
  colo_comparator_checkpoint_done (fx.c, 0);
  g_assert_cmpuint (nth (fx.released, 1), ==, p);
  core_fx_clear (&fx);
}

/* Bad rules leave the current ones in place. */
static void
test_comparator_bad_rules_keep_old (void)
{
  Fx fx;
  GError *error = NULL;

  core_fx_init (&fx);
  g_assert_true (colo_comparator_set_passthrough (fx.c, "udp", NULL));
  g_assert_false (colo_comparator_set_passthrough (fx.c, "udp:x", &error));
  g_assert_error (error, COLO_PASSTHROUGH_ERROR, 0);
  g_error_free (error);
  core_fx_push (&fx, P, udp (&fx, 1, 2, "still passed"));
  g_assert_cmpuint (fx.released->len, ==, 1);
  core_fx_clear (&fx);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (parse_cases); i++) {
    gchar *path = g_strdup_printf ("/passthrough/parse/%u", i);
    g_test_add_data_func (path, &parse_cases[i], test_parse);
    g_free (path);
  }
  for (i = 0; i < G_N_ELEMENTS (match_cases); i++) {
    gchar *path = g_strdup_printf ("/passthrough/match/%u", i);
    g_test_add_data_func (path, &match_cases[i], test_match);
    g_free (path);
  }
  g_test_add_func ("/passthrough/comparator/passes-matching-flows",
      test_comparator_passes_matching_flows);
  g_test_add_func ("/passthrough/comparator/change-releases-held",
      test_comparator_rules_change_releases_held);
  g_test_add_func ("/passthrough/comparator/removed-compares-again",
      test_comparator_rule_removed_compares_again);
  g_test_add_func ("/passthrough/comparator/bad-rules-keep-old",
      test_comparator_bad_rules_keep_old);
  return g_test_run ();
}
