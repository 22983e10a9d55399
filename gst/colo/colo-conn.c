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

#define MIN_BUCKETS 64

/* A chained hash whose links live in the connections themselves, so that a
 * tracked connection costs its own struct and one bucket pointer. */
struct _ColoConnTable
{
  ColoConn **buckets;
  guint32 mask;                 /* number of buckets - 1 (a power of 2) */
  guint n;
  ColoConn *idle_first[COLO_N_IDLE_LISTS];      /* longest idle first */
  ColoConn *idle_last[COLO_N_IDLE_LISTS];
  guint idle_count[COLO_N_IDLE_LISTS];  /* [COLO_IDLE_NONE] unused */
  guint64 idle_visits;          /* calls of colo_conn_table_oldest_idle () */
};

const char *
colo_side_name (ColoSide side)
{
  static const char *const names[COLO_N_SIDES] = {
    [COLO_SIDE_PRIMARY] = "primary",
    [COLO_SIDE_SECONDARY] = "secondary",
  };

  return (guint) side < COLO_N_SIDES ? names[side] : "unknown";
}

/* Little-endian loads and stores: the key is built as whole 64-bit words
 * (see colo_conn_key_from_info) with the byte layout of ColoConnKey on
 * any host. */
static inline guint64
le_load64 (const guint8 * p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline guint32
le_load32 (const guint8 * p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline void
le_store64 (guint8 * p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static inline void
le_store32 (guint8 * p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

G_STATIC_ASSERT (G_STRUCT_OFFSET (ColoConnKey, vlan_id) == 4);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ColoConnKey, src_port) == 8);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ColoConnKey, src) == 12);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ColoConnKey, dst) == 28);

/* Written as five 64-bit words and a 32-bit one, the units key_hash ()
 * and key_equal () read right after: field by field, the small stores
 * would each have to be merged into those wide loads, which the CPU does
 * not forward from its store buffer (a stall per word, a quarter of the
 * core's time per frame; docs/performance.md). */
void
colo_conn_key_from_info (ColoConnKey * key, const ColoPacketInfo * info)
{
  guint8 *k = (guint8 *) key;
  guint64 vlan0 = info->n_vlan > 0 ? GUINT16_TO_LE (info->vlan_id[0]) : 0;
  guint64 vlan1 = info->n_vlan > 1 ? GUINT16_TO_LE (info->vlan_id[1]) : 0;
  guint64 sport = GUINT16_TO_LE (info->src_port);
  guint64 dport = GUINT16_TO_LE (info->dst_port);
  guint64 s_lo = le_load32 (info->src), d_lo = le_load32 (info->dst);
  guint64 s_mid = 0, d_mid = 0;
  guint32 s_hi = 0, d_hi = 0;

  if (info->ip_version != 4) {
    s_mid = le_load64 (info->src + 4);
    s_hi = le_load32 (info->src + 12);
    d_mid = le_load64 (info->dst + 4);
    d_hi = le_load32 (info->dst + 12);
  }
  le_store64 (k, (guint64) info->ip_version | (guint64) info->ip_proto << 8
      | (guint64) info->n_vlan << 16
      | (guint64) (info->is_fragment ? 1 : 0) << 24 | vlan0 << 32
      | vlan1 << 48);
  le_store64 (k + 8, sport | dport << 16 | s_lo << 32);
  le_store64 (k + 16, s_mid);
  le_store64 (k + 24, s_hi | d_lo << 32);
  le_store64 (k + 32, d_mid);
  le_store32 (k + 40, d_hi);
}

/* The key as five 64-bit words and a 32-bit one (it is zero-filled).
 * Written out rather than looped: the compiler keeps a loop over them,
 * and lookups run for every frame (docs/performance.md). */
#define KEY_WORDS 5
G_STATIC_ASSERT (sizeof (ColoConnKey) == KEY_WORDS * 8 + 4);

static inline guint64
key_word (const ColoConnKey * key, guint i)
{
  guint64 w;

  memcpy (&w, (const guint8 *) key + i * 8, 8);
  return w;
}

static inline guint32
key_tail (const ColoConnKey * key)
{
  guint32 w;

  memcpy (&w, (const guint8 *) key + KEY_WORDS * 8, 4);
  return w;
}

/* Multiply-xorshift over the key's words: a handful of instructions per
 * lookup. */
static inline guint32
key_hash (const ColoConnKey * key)
{
  const guint64 m = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  guint64 h = 0;

  h = (h ^ key_word (key, 0)) * m;
  h = (h ^ key_word (key, 1)) * m;
  h = (h ^ key_word (key, 2)) * m;
  h = (h ^ key_word (key, 3)) * m;
  h = (h ^ key_word (key, 4)) * m;
  h = (h ^ key_tail (key)) * m;
  return (guint32) (h ^ (h >> 29) ^ (h >> 47));
}

/* Without a branch per word, inlined (a libc memcmp call costs more than
 * the key). */
static inline gboolean
key_equal (const ColoConnKey * a, const ColoConnKey * b)
{
  guint64 diff = (key_word (a, 0) ^ key_word (b, 0))
      | (key_word (a, 1) ^ key_word (b, 1))
      | (key_word (a, 2) ^ key_word (b, 2))
      | (key_word (a, 3) ^ key_word (b, 3))
      | (key_word (a, 4) ^ key_word (b, 4))
      | (key_tail (a) ^ key_tail (b));

  return diff == 0;
}

ColoConnTable *
colo_conn_table_new (void)
{
  ColoConnTable *t = g_new0 (ColoConnTable, 1);

  t->mask = MIN_BUCKETS - 1;
  t->buckets = g_new0 (ColoConn *, MIN_BUCKETS);
  return t;
}

void
colo_conn_table_clear (ColoConnTable * t)
{
  guint32 i;

  for (i = 0; i <= t->mask; i++) {
    ColoConn *c, *next;

    for (c = t->buckets[i]; c; c = next) {
      next = c->hash_next;
      g_warn_if_fail (c->queue[0].length == 0 && c->queue[1].length == 0);
      g_free (c);
    }
    t->buckets[i] = NULL;
  }
  t->n = 0;
  memset (t->idle_first, 0, sizeof (t->idle_first));
  memset (t->idle_last, 0, sizeof (t->idle_last));
  memset (t->idle_count, 0, sizeof (t->idle_count));
}

void
colo_conn_table_free (ColoConnTable * t)
{
  if (!t)
    return;
  colo_conn_table_clear (t);
  g_free (t->buckets);
  g_free (t);
}

/* Rehashes into n_buckets buckets (a power of 2), from the cached hashes. */
static void
resize (ColoConnTable * t, guint32 n_buckets)
{
  ColoConn **buckets = g_new0 (ColoConn *, n_buckets);
  guint32 i;

  for (i = 0; i <= t->mask; i++) {
    ColoConn *c, *next;

    for (c = t->buckets[i]; c; c = next) {
      ColoConn **b = &buckets[c->hash & (n_buckets - 1)];

      next = c->hash_next;
      c->hash_next = *b;
      *b = c;
    }
  }
  g_free (t->buckets);
  t->buckets = buckets;
  t->mask = n_buckets - 1;
}

ColoConn *
colo_conn_table_find (ColoConnTable * t, const ColoConnKey * key)
{
  guint32 h = key_hash (key);
  ColoConn *c;

  for (c = t->buckets[h & t->mask]; c; c = c->hash_next)
    if (c->hash == h && key_equal (&c->key, key))
      return c;
  return NULL;
}

ColoConn *
colo_conn_table_lookup (ColoConnTable * t, const ColoConnKey * key,
    gboolean * created)
{
  guint32 h = key_hash (key);
  ColoConn *c;

  *created = FALSE;
  for (c = t->buckets[h & t->mask]; c; c = c->hash_next)
    if (c->hash == h && key_equal (&c->key, key))
      return c;

  /* Load factor at most 1: a bucket pointer per connection on average. */
  if (t->n > t->mask)
    resize (t, (t->mask + 1) * 2);

  c = g_new0 (ColoConn, 1);
  c->key = *key;
  c->hash = h;
  c->hash_next = t->buckets[h & t->mask];
  t->buckets[h & t->mask] = c;
  t->n++;
  *created = TRUE;
  return c;
}

static void
idle_unlink (ColoConnTable * t, ColoConn * c)
{
  guint list = c->idle_list;

  if (list == COLO_IDLE_NONE)
    return;
  if (c->idle_prev)
    c->idle_prev->idle_next = c->idle_next;
  else
    t->idle_first[list] = c->idle_next;
  if (c->idle_next)
    c->idle_next->idle_prev = c->idle_prev;
  else
    t->idle_last[list] = c->idle_prev;
  c->idle_prev = c->idle_next = NULL;
  c->idle_list = COLO_IDLE_NONE;
  t->idle_count[list]--;
}

void
colo_conn_table_set_idle (ColoConnTable * t, ColoConn * c, ColoIdleList list,
    guint64 now)
{
  idle_unlink (t, c);
  if (list == COLO_IDLE_NONE)
    return;
  c->last_seen = now;
  c->idle_list = list;
  c->idle_prev = t->idle_last[list];
  if (t->idle_last[list])
    t->idle_last[list]->idle_next = c;
  else
    t->idle_first[list] = c;
  t->idle_last[list] = c;
  t->idle_count[list]++;
}

ColoConn *
colo_conn_table_oldest_idle (ColoConnTable * t, ColoIdleList list)
{
  t->idle_visits++;
  return t->idle_first[list];
}

guint
colo_conn_table_idle_count (ColoConnTable * t, ColoIdleList list)
{
  guint i, on_lists = 0;

  if (list != COLO_IDLE_NONE)
    return t->idle_count[list];
  for (i = COLO_IDLE_NONE + 1; i < COLO_N_IDLE_LISTS; i++)
    on_lists += t->idle_count[i];
  return t->n - on_lists;
}

guint64
colo_conn_table_idle_visits (ColoConnTable * t)
{
  return t->idle_visits;
}

void
colo_conn_table_remove (ColoConnTable * t, ColoConn * c)
{
  ColoConn **link = &t->buckets[c->hash & t->mask];

  while (*link != c)
    link = &(*link)->hash_next;
  *link = c->hash_next;
  idle_unlink (t, c);
  t->n--;
  g_free (c);

  /* Give memory back after a mass eviction, with hysteresis. */
  if (t->mask + 1 > MIN_BUCKETS && t->n < (t->mask + 1) / 8)
    resize (t, (t->mask + 1) / 2);
}

void
colo_conn_table_foreach (ColoConnTable * t, ColoConnFunc func,
    gpointer user_data)
{
  guint32 i;

  for (i = 0; i <= t->mask; i++) {
    ColoConn **link = &t->buckets[i];

    while (*link) {
      ColoConn *c = *link;

      if (!func (c, user_data)) {
        link = &c->hash_next;
        continue;
      }
      /* Unlinked here: remove () could shrink the buckets under us. */
      *link = c->hash_next;
      idle_unlink (t, c);
      t->n--;
      g_free (c);
    }
  }
}

guint
colo_conn_table_size (ColoConnTable * t)
{
  return t->n;
}

gsize
colo_conn_table_bytes (ColoConnTable * t)
{
  return sizeof (*t) + (gsize) (t->mask + 1) * sizeof (ColoConn *)
      + (gsize) t->n * sizeof (ColoConn);
}

void
colo_queue_push_tail (ColoQueue * q, ColoPacket * p)
{
  colo_queue_insert_after (q, colo_queue_tail (q), p);
}

void
colo_queue_insert_after (ColoQueue * q, ColoPacket * after, ColoPacket * p)
{
  if (!q->head) {
    p->prev = p;
    p->next = NULL;
    q->head = p;
  } else if (!after) {
    p->prev = q->head->prev;
    p->next = q->head;
    q->head->prev = p;
    q->head = p;
  } else {
    p->prev = after;
    p->next = after->next;
    if (after->next)
      after->next->prev = p;
    else
      q->head->prev = p;        /* new tail */
    after->next = p;
  }
  q->length++;
}

void
colo_queue_remove (ColoQueue * q, ColoPacket * p)
{
  if (p == q->head) {
    q->head = p->next;
    if (q->head)
      q->head->prev = p->prev;
  } else {
    p->prev->next = p->next;
    if (p->next)
      p->next->prev = p->prev;
    else
      q->head->prev = p->prev;  /* removed the tail */
  }
  p->prev = p->next = NULL;
  q->length--;
}
