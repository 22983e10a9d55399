/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>
#include "colo-conn.h"

struct _ColoConnTable
{
  GHashTable *map;              /* ColoConnKey* (inside the conn) -> ColoConn* */
  ColoConn *first, *last;       /* creation order */
  ColoConn *lru_first, *lru_last;       /* least recently used first */
};

void
colo_conn_key_from_info (ColoConnKey * key, const ColoPacketInfo * info)
{
  memset (key, 0, sizeof (*key));
  key->ip_version = info->ip_version;
  key->ip_proto = info->ip_proto;
  key->n_vlan = info->n_vlan;
  key->fragment = info->is_fragment ? 1 : 0;
  key->vlan_id[0] = info->n_vlan > 0 ? info->vlan_id[0] : 0;
  key->vlan_id[1] = info->n_vlan > 1 ? info->vlan_id[1] : 0;
  key->src_port = info->src_port;
  key->dst_port = info->dst_port;
  memcpy (key->src, info->src, info->ip_version == 4 ? 4 : 16);
  memcpy (key->dst, info->dst, info->ip_version == 4 ? 4 : 16);
}

/* FNV-1a over the key's bytes, 32-bit words at a time (the key is a
 * multiple of 4 bytes and zero-filled). */
static guint
conn_key_hash (gconstpointer k)
{
  const guint8 *b = k;
  guint32 h = 2166136261u;
  gsize i;

  for (i = 0; i < sizeof (ColoConnKey); i += 4) {
    guint32 w;
    memcpy (&w, b + i, 4);
    h = (h ^ w) * 16777619u;
  }
  return h ^ (h >> 15);
}

static gboolean
conn_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (ColoConnKey)) == 0;
}

ColoConnTable *
colo_conn_table_new (void)
{
  ColoConnTable *t = g_new0 (ColoConnTable, 1);

  t->map = g_hash_table_new (conn_key_hash, conn_key_equal);
  return t;
}

void
colo_conn_table_free (ColoConnTable * t)
{
  ColoConn *c, *next;

  if (!t)
    return;
  for (c = t->first; c; c = next) {
    next = c->next;
    g_warn_if_fail (c->queue[0].length == 0 && c->queue[1].length == 0);
    g_free (c);
  }
  g_hash_table_destroy (t->map);
  g_free (t);
}

ColoConn *
colo_conn_table_lookup (ColoConnTable * t, const ColoConnKey * key,
    gboolean * created)
{
  ColoConn *c = g_hash_table_lookup (t->map, key);

  *created = FALSE;
  if (c)
    return c;

  c = g_new0 (ColoConn, 1);
  c->key = *key;
  c->prev = t->last;
  if (t->last)
    t->last->next = c;
  else
    t->first = c;
  t->last = c;
  c->lru_prev = t->lru_last;
  if (t->lru_last)
    t->lru_last->lru_next = c;
  else
    t->lru_first = c;
  t->lru_last = c;
  g_hash_table_insert (t->map, &c->key, c);
  *created = TRUE;
  return c;
}

static void
lru_unlink (ColoConnTable * t, ColoConn * c)
{
  if (c->lru_prev)
    c->lru_prev->lru_next = c->lru_next;
  else
    t->lru_first = c->lru_next;
  if (c->lru_next)
    c->lru_next->lru_prev = c->lru_prev;
  else
    t->lru_last = c->lru_prev;
  c->lru_prev = c->lru_next = NULL;
}

void
colo_conn_table_touch (ColoConnTable * t, ColoConn * c, guint64 now)
{
  c->last_seen = now;
  if (t->lru_last == c)
    return;
  lru_unlink (t, c);
  c->lru_prev = t->lru_last;
  t->lru_last->lru_next = c;
  t->lru_last = c;
}

ColoConn *
colo_conn_table_least_recent (ColoConnTable * t)
{
  return t->lru_first;
}

void
colo_conn_table_remove (ColoConnTable * t, ColoConn * c)
{
  g_hash_table_remove (t->map, &c->key);
  if (c->prev)
    c->prev->next = c->next;
  else
    t->first = c->next;
  if (c->next)
    c->next->prev = c->prev;
  else
    t->last = c->prev;
  lru_unlink (t, c);
  g_free (c);
}

guint
colo_conn_table_size (ColoConnTable * t)
{
  return g_hash_table_size (t->map);
}

ColoConn *
colo_conn_table_first (ColoConnTable * t)
{
  return t->first;
}

void
colo_queue_push_tail (ColoQueue * q, ColoPacket * p)
{
  p->next = NULL;
  p->prev = q->tail;
  if (q->tail)
    q->tail->next = p;
  else
    q->head = p;
  q->tail = p;
  q->length++;
}

void
colo_queue_insert_by_seq (ColoQueue * q, ColoPacket * p)
{
  ColoPacket *after = q->tail;

  /* Equal sequence numbers keep arrival order. */
  while (after && COLO_SEQ_GT (after->seq, p->seq))
    after = after->prev;

  p->prev = after;
  p->next = after ? after->next : q->head;
  if (p->next)
    p->next->prev = p;
  else
    q->tail = p;
  if (after)
    after->next = p;
  else
    q->head = p;
  q->length++;
}

void
colo_queue_remove (ColoQueue * q, ColoPacket * p)
{
  if (p->prev)
    p->prev->next = p->next;
  else
    q->head = p->next;
  if (p->next)
    p->next->prev = p->prev;
  else
    q->tail = p->prev;
  p->prev = p->next = NULL;
  q->length--;
}
