/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <stdlib.h>
#include <string.h>
#include "colo-passthrough.h"

#define ANY_PROTO (-1)

typedef struct
{
  guint16 lo, hi;               /* inclusive */
} PortRange;

typedef struct
{
  gint proto;                   /* ANY_PROTO or 0..255 */
  guint n_ports;                /* 0: any flow; 1: either end; 2: src, dst */
  PortRange ports[2];
} Rule;

struct _ColoPassthrough
{
  guint n_rules;
  Rule rules[];
};

static const struct
{
  const char *name;
  guint8 number;
  gboolean has_ports;
} protocols[] = {
  {"icmp", 1, FALSE},
  {"tcp", 6, TRUE},
  {"udp", 17, TRUE},
  {"icmpv6", 58, FALSE},
  {"sctp", 132, TRUE},
  {"udplite", 136, TRUE},
};

GQuark
colo_passthrough_error_quark (void)
{
  return g_quark_from_static_string ("colo-passthrough-error-quark");
}

static gboolean
proto_has_ports (gint proto)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].number == proto)
      return protocols[i].has_ports;
  return FALSE;
}

/* A decimal number in [0, max], the whole of s. */
static gboolean
parse_number (const char *s, guint max, guint * out)
{
  guint64 v;
  char *end;

  if (!g_ascii_isdigit (s[0]))
    return FALSE;
  v = g_ascii_strtoull (s, &end, 10);
  if (*end != '\0' || v > max)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_proto (const char *s, gint * proto)
{
  guint i, n;

  if (strcmp (s, "*") == 0) {
    *proto = ANY_PROTO;
    return TRUE;
  }
  for (i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (g_ascii_strcasecmp (s, protocols[i].name) == 0) {
      *proto = protocols[i].number;
      return TRUE;
    }
  if (!parse_number (s, 255, &n))
    return FALSE;
  *proto = (gint) n;
  return TRUE;
}

static gboolean
parse_ports (const char *s, PortRange * r)
{
  const char *dash = strchr (s, '-');
  guint lo, hi;

  if (strcmp (s, "*") == 0) {
    r->lo = 0;
    r->hi = G_MAXUINT16;
    return TRUE;
  }
  if (!dash) {
    if (!parse_number (s, G_MAXUINT16, &lo))
      return FALSE;
    r->lo = r->hi = lo;
    return TRUE;
  }
  {
    gchar *first = g_strndup (s, dash - s);
    gboolean ok = parse_number (first, G_MAXUINT16, &lo)
        && parse_number (dash + 1, G_MAXUINT16, &hi) && lo <= hi;

    g_free (first);
    if (!ok)
      return FALSE;
  }
  r->lo = lo;
  r->hi = hi;
  return TRUE;
}

static gboolean
parse_rule (const char *text, Rule * rule, GError ** error)
{
  gchar **parts = g_strsplit (text, ":", 0);
  guint n = g_strv_length (parts), i;
  gboolean ok = FALSE;

  memset (rule, 0, sizeof (*rule));
  if (n < 1 || n > 3) {
    g_set_error (error, COLO_PASSTHROUGH_ERROR, 0,
        "passthrough rule '%s': expected PROTO[:PORTS[:PORTS]]", text);
    goto out;
  }
  if (!parse_proto (parts[0], &rule->proto)) {
    g_set_error (error, COLO_PASSTHROUGH_ERROR, 0,
        "passthrough rule '%s': unknown protocol '%s' (tcp, udp, sctp, "
        "udplite, icmp, icmpv6, a number 0-255 or *)", text, parts[0]);
    goto out;
  }
  if (n > 1 && !proto_has_ports (rule->proto)) {
    g_set_error (error, COLO_PASSTHROUGH_ERROR, 0,
        "passthrough rule '%s': protocol '%s' has no ports", text, parts[0]);
    goto out;
  }
  rule->n_ports = n - 1;
  for (i = 1; i < n; i++)
    if (!parse_ports (parts[i], &rule->ports[i - 1])) {
      g_set_error (error, COLO_PASSTHROUGH_ERROR, 0,
          "passthrough rule '%s': bad port '%s' (a number 0-65535, a "
          "range LOW-HIGH or *)", text, parts[i]);
      goto out;
    }
  ok = TRUE;
out:
  g_strfreev (parts);
  return ok;
}

ColoPassthrough *
colo_passthrough_parse (const char *rules, GError ** error)
{
  gchar **items = g_strsplit (rules ? rules : "", ",", 0);
  guint n = g_strv_length (items), i;
  ColoPassthrough *pt = g_malloc0 (sizeof (ColoPassthrough) + n *
      sizeof (Rule));

  for (i = 0; i < n; i++) {
    gchar *item = g_strstrip (items[i]);

    if (item[0] == '\0') {
      if (n == 1)
        break;                  /* "" or blanks: no rule */
      g_set_error (error, COLO_PASSTHROUGH_ERROR, 0,
          "passthrough rules '%s': empty rule", rules);
      goto fail;
    }
    if (!parse_rule (item, &pt->rules[pt->n_rules], error))
      goto fail;
    pt->n_rules++;
  }
  g_strfreev (items);
  return pt;

fail:
  g_strfreev (items);
  g_free (pt);
  return NULL;
}

void
colo_passthrough_free (ColoPassthrough * pt)
{
  g_free (pt);
}

gboolean
colo_passthrough_is_empty (const ColoPassthrough * pt)
{
  return !pt || pt->n_rules == 0;
}

static gboolean
in_range (const PortRange * r, guint16 port)
{
  return r->lo <= port && port <= r->hi;
}

static gboolean
rule_matches (const Rule * r, const ColoConnKey * key)
{
  if (r->proto != ANY_PROTO && r->proto != key->ip_proto)
    return FALSE;
  switch (r->n_ports) {
    case 0:
      return TRUE;
    case 1:
      /* A fragment carries no ports: only a rule without ports takes it. */
      return !key->fragment && (in_range (&r->ports[0], key->src_port)
          || in_range (&r->ports[0], key->dst_port));
    default:
      return !key->fragment && in_range (&r->ports[0], key->src_port)
          && in_range (&r->ports[1], key->dst_port);
  }
}

gboolean
colo_passthrough_matches (const ColoPassthrough * pt, const ColoConnKey * key)
{
  guint i;

  if (!pt)
    return FALSE;
  for (i = 0; i < pt->n_rules; i++)
    if (rule_matches (&pt->rules[i], key))
      return TRUE;
  return FALSE;
}
