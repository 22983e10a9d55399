/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* IP fragment reassembly (see colo-frag.h and docs/design.md, "IP
 * fragments").  Fragments are kept as pointers into the caller's frames;
 * the only copy is the reassembled frame, built once the datagram is
 * complete. */

#include <string.h>
#include "colo-bytes.h"
#include "colo-frag.h"

#define IPV4_MAX_TOTAL 65535
#define IPV6_MAX_PAYLOAD 65535
/* No IP datagram carries more (the length fields are 16 bits) */
#define MAX_PAYLOAD 65535
#define IPV6_FRAG_HDR_LEN 8

/* A datagram: RFC 791 keys IPv4 reassembly by addresses, protocol and
 * identification; RFC 8200 keys IPv6 reassembly by addresses and
 * identification (the Fragment headers' next header may differ).  VLAN
 * IDs apart, as for connections.  Zero-filled, hashed as bytes. */
typedef struct
{
  guint8 ip_version;
  guint8 proto;                 /* IPv4 only */
  guint8 n_vlan;
  guint8 pad;
  guint16 vlan_id[2];
  guint32 id;
  guint8 src[16];
  guint8 dst[16];
} FragKey;

typedef struct
{
  gpointer handle;
  const guint8 *data;
  guint32 size;
  guint32 l3_offset;
  guint32 data_offset;          /* the fragment's data in the frame */
  guint32 data_len;
  guint32 offset;               /* of the data in the datagram's payload */
  guint32 nh_offset;            /* IPv6 */
  guint64 arrival;
  guint8 vnet_hdr_len;
  guint8 proto;                 /* IPv6: the Fragment header's next header */
} Fragment;

struct _ColoFragDatagram
{
  FragKey key;
  ColoFragDatagram *prev, *next;        /* the table's list, oldest first */
  Fragment *frags;              /* in arrival order, from `first` */
  guint n, first, alloc;
  guint64 arrival;              /* of the first fragment */
  gsize bytes;                  /* counted against max_bytes */
  guint32 total;                /* payload length, once the last came */
  guint32 sum;                  /* of the fragments' data lengths */
  gboolean have_last;
  gboolean given_up;            /* a marker: later fragments go ALONE */
  /* complete */
  guint8 *frame;
  gsize frame_size;
  ColoPacketInfo info;
};

struct _ColoFragTable
{
  GHashTable *datagrams;        /* FragKey -> ColoFragDatagram */
  ColoFragDatagram *head, *tail;        /* by first arrival */
  guint64 timeout;
  gsize max_bytes;
  gsize bytes;
  guint held;                   /* fragments */
};

/* What a fragment and a datagram cost besides the frames: bookkeeping is
 * counted so that tiny fragments cannot grow memory unbounded. */
#define FRAGMENT_COST(size) ((size) + sizeof (Fragment))
#define DATAGRAM_COST (sizeof (ColoFragDatagram) + 64)

static guint
frag_key_hash (gconstpointer k)
{
  const guint8 *b = k;
  guint32 h = 2166136261u;
  gsize i;

  for (i = 0; i < sizeof (FragKey); i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

static gboolean
frag_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (FragKey)) == 0;
}

ColoFragTable *
colo_frag_table_new (void)
{
  ColoFragTable *t = g_new0 (ColoFragTable, 1);

  t->datagrams = g_hash_table_new (frag_key_hash, frag_key_equal);
  t->timeout = G_MAXUINT64;
  t->max_bytes = G_MAXSIZE;
  return t;
}

static void
datagram_free (ColoFragDatagram * d)
{
  g_free (d->frags);
  g_free (d->frame);
  g_free (d);
}

void
colo_frag_table_free (ColoFragTable * t)
{
  if (!t)
    return;
  while (t->head) {
    ColoFragDatagram *d = t->head;

    t->head = d->next;
    datagram_free (d);
  }
  g_hash_table_unref (t->datagrams);
  g_free (t);
}

void
colo_frag_table_set_limits (ColoFragTable * t, guint64 timeout, gsize max_bytes)
{
  t->timeout = timeout;
  t->max_bytes = max_bytes;
}

/* Takes d out of the table (hash, list, counts). */
static void
detach (ColoFragTable * t, ColoFragDatagram * d)
{
  g_hash_table_remove (t->datagrams, &d->key);
  if (d->prev)
    d->prev->next = d->next;
  else
    t->head = d->next;
  if (d->next)
    d->next->prev = d->prev;
  else
    t->tail = d->prev;
  d->prev = d->next = NULL;
  t->bytes -= d->bytes;
  t->held -= d->n - d->first;
}

/* Gives d up: it leaves the table, and a marker takes its place (same key,
 * same age) so that its fragments still to come are compared alone, until
 * it times out (RFC 5722: the datagram and its fragments not yet received
 * are not reassembled). */
static void
give_up (ColoFragTable * t, ColoFragDatagram * d)
{
  ColoFragDatagram *m = g_new0 (ColoFragDatagram, 1);

  m->key = d->key;
  m->arrival = d->arrival;
  m->given_up = TRUE;
  m->bytes = DATAGRAM_COST;
  m->prev = d->prev;
  m->next = d->next;
  detach (t, d);
  /* in d's place in the age list */
  if (m->prev)
    m->prev->next = m;
  else
    t->head = m;
  if (m->next)
    m->next->prev = m;
  else
    t->tail = m;
  t->bytes += m->bytes;
  g_hash_table_insert (t->datagrams, &m->key, m);
}

static void
key_from_info (FragKey * key, const ColoPacketInfo * info)
{
  memset (key, 0, sizeof (*key));
  key->ip_version = info->ip_version;
  key->proto = info->ip_version == 4 ? info->frag_proto : 0;
  key->n_vlan = info->n_vlan;
  key->vlan_id[0] = info->n_vlan > 0 ? info->vlan_id[0] : 0;
  key->vlan_id[1] = info->n_vlan > 1 ? info->vlan_id[1] : 0;
  key->id = info->frag_id;
  memcpy (key->src, info->src, 16);
  memcpy (key->dst, info->dst, 16);
}

static const guint8 *
frag_bytes (const Fragment * f)
{
  return f->data + f->data_offset;
}

/* Whether fragment f may join d: FALSE with *why when d must be given up.
 * IPv6: no overlap at all, exact duplicates included (RFC 5722).  IPv4:
 * overlaps must carry the same bytes, so that what was compared is what
 * any reassembly of the original fragments gives. */
static gboolean
fragment_fits (const ColoFragDatagram * d, const Fragment * f,
    gboolean more, ColoFragFailure * why)
{
  guint32 end = f->offset + f->data_len;
  guint i;

  *why = COLO_FRAG_FAILURE_INVALID;
  /* an empty fragment, or one not ending on an 8-byte boundary when more
   * follow, cannot come from a fragmenting stack */
  if (f->data_len == 0 || (more && f->data_len % 8 != 0))
    return FALSE;
  if (f->offset > MAX_PAYLOAD || end > MAX_PAYLOAD)
    return FALSE;
  if (d->n - d->first >= COLO_FRAG_MAX_FRAGMENTS)
    return FALSE;
  if (d->have_last && (more ? end > d->total : end != d->total))
    return FALSE;

  for (i = d->first; i < d->n; i++) {
    const Fragment *o = &d->frags[i];
    guint32 o_end = o->offset + o->data_len;
    guint32 from = MAX (f->offset, o->offset), to = MIN (end, o_end);

    if (!more && o_end > end)
      return FALSE;             /* data beyond the last fragment */
    if (from >= to)
      continue;
    *why = COLO_FRAG_FAILURE_OVERLAP;
    if (d->key.ip_version == 6)
      return FALSE;
    if (memcmp (frag_bytes (f) + (from - f->offset),
            frag_bytes (o) + (from - o->offset), to - from) != 0)
      return FALSE;
    *why = COLO_FRAG_FAILURE_INVALID;
  }
  return TRUE;
}

static int
compare_offsets (gconstpointer a, gconstpointer b)
{
  const Fragment *fa = *(const Fragment * const *) a;
  const Fragment *fb = *(const Fragment * const *) b;

  return fa->offset < fb->offset ? -1 : fa->offset > fb->offset;
}

/* Whether [0, total) is covered; *sorted: the fragments by offset (the
 * caller frees it) */
static gboolean
covered (const ColoFragDatagram * d, const Fragment *** sorted)
{
  guint n = d->n - d->first, i;
  const Fragment **s;
  guint32 reach = 0;

  if (!d->have_last || d->sum < d->total)
    return FALSE;
  s = g_new (const Fragment *, n);
  for (i = 0; i < n; i++)
    s[i] = &d->frags[d->first + i];
  qsort (s, n, sizeof (*s), compare_offsets);
  for (i = 0; i < n && s[i]->offset <= reach; i++)
    reach = MAX (reach, s[i]->offset + s[i]->data_len);
  if (reach < d->total) {
    g_free (s);
    return FALSE;
  }
  *sorted = s;
  return TRUE;
}

/* Builds the reassembled frame: the offset-0 fragment's headers (virtio-net,
 * Ethernet, VLAN tags, IP), the fragment fields cleared (IPv4) or the
 * Fragment header taken out (IPv6), the lengths set, then the payload.
 * FALSE: too long for the IP length fields, or it does not parse as an
 * unfragmented packet. */
static gboolean
build_frame (ColoFragDatagram * d, const Fragment ** sorted)
{
  const Fragment *f0 = sorted[0];
  guint n = d->n - d->first, i;
  guint32 head;
  guint8 *ip;

  if (d->key.ip_version == 4) {
    guint hdr_len = f0->data_offset - f0->l3_offset;
    guint16 frag;

    if (hdr_len + d->total > IPV4_MAX_TOTAL)
      return FALSE;
    head = f0->data_offset;
    d->frame = g_malloc (head + d->total);
    memcpy (d->frame, f0->data, head);
    ip = d->frame + f0->l3_offset;
    colo_write_be16 (ip + 2, hdr_len + d->total);
    frag = colo_read_be16 (ip + 6);
    colo_write_be16 (ip + 6, frag & 0x4000);    /* DF stays */
    {
      guint32 sum = 0;
      guint j;

      colo_write_be16 (ip + 10, 0);
      for (j = 0; j + 1 < hdr_len; j += 2)
        sum += colo_read_be16 (ip + j);
      while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
      colo_write_be16 (ip + 10, ~sum & 0xffff);
    }
  } else {
    guint32 unfrag;

    head = f0->data_offset - IPV6_FRAG_HDR_LEN;
    unfrag = head - f0->l3_offset - 40;
    if (unfrag + d->total > IPV6_MAX_PAYLOAD)
      return FALSE;
    d->frame = g_malloc (head + d->total);
    memcpy (d->frame, f0->data, head);
    d->frame[f0->nh_offset] = f0->proto;
    colo_write_be16 (d->frame + f0->l3_offset + 4, unfrag + d->total);
  }
  /* overlapping bytes are equal (fragment_fits): order does not matter */
  for (i = 0; i < n; i++)
    memcpy (d->frame + head + sorted[i]->offset, frag_bytes (sorted[i]),
        sorted[i]->data_len);
  d->frame_size = head + d->total;
  return colo_packet_parse (d->frame, d->frame_size, f0->vnet_hdr_len,
      &d->info) == COLO_PARSE_OK && !d->info.is_fragment;
}

ColoFragResult
colo_frag_table_add (ColoFragTable * t, const ColoPacketInfo * info,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle,
    guint64 now, ColoFragDatagram ** out, ColoFragFailure * why)
{
  ColoFragDatagram *d;
  Fragment f;
  FragKey key;
  const Fragment **sorted = NULL;
  gboolean fits;

  g_return_val_if_fail (info->is_fragment, COLO_FRAG_ALONE);

  key_from_info (&key, info);
  d = g_hash_table_lookup (t->datagrams, &key);
  if (d && d->given_up)
    return COLO_FRAG_ALONE;
  if (!d) {
    d = g_new0 (ColoFragDatagram, 1);
    d->key = key;
    d->arrival = now;
    d->bytes = DATAGRAM_COST;
    d->prev = t->tail;
    if (t->tail)
      t->tail->next = d;
    else
      t->head = d;
    t->tail = d;
    t->bytes += d->bytes;
    g_hash_table_insert (t->datagrams, &d->key, d);
  }

  memset (&f, 0, sizeof (f));
  f.handle = handle;
  f.data = data;
  f.size = size;
  f.l3_offset = info->l3_offset;
  f.data_offset = info->frag_data_offset;
  f.data_len = info->frag_data_len;
  f.offset = info->frag_offset;
  f.nh_offset = info->frag_nh_offset;
  f.arrival = now;
  f.vnet_hdr_len = vnet_hdr_len;
  f.proto = info->frag_proto;
  fits = fragment_fits (d, &f, info->frag_more, why);

  if (d->n == d->alloc) {
    d->alloc = d->alloc ? 2 * d->alloc : 4;
    d->frags = g_renew (Fragment, d->frags, d->alloc);
  }
  d->frags[d->n++] = f;
  d->bytes += FRAGMENT_COST (size);
  t->bytes += FRAGMENT_COST (size);
  t->held++;

  if (!fits) {
    give_up (t, d);
    *out = d;
    return COLO_FRAG_GIVEN_UP;
  }
  d->sum += f.data_len;
  if (!info->frag_more) {
    d->have_last = TRUE;
    d->total = f.offset + f.data_len;
  }
  if (!covered (d, &sorted))
    return COLO_FRAG_HELD;

  if (!build_frame (d, sorted)) {
    g_free (sorted);
    g_clear_pointer (&d->frame, g_free);
    *why = COLO_FRAG_FAILURE_INVALID;
    give_up (t, d);
    *out = d;
    return COLO_FRAG_GIVEN_UP;
  }
  g_free (sorted);
  detach (t, d);
  *out = d;
  return COLO_FRAG_COMPLETE;
}

ColoFragDatagram *
colo_frag_table_pop_expired (ColoFragTable * t, guint64 now,
    ColoFragFailure * why)
{
  ColoFragDatagram *d;

  while ((d = t->head)) {
    gboolean timed_out = now >= d->arrival && now - d->arrival >= t->timeout;

    if (!timed_out && t->bytes <= t->max_bytes)
      return NULL;
    detach (t, d);
    if (d->given_up) {          /* a marker: it just goes */
      datagram_free (d);
      continue;
    }
    *why = timed_out ? COLO_FRAG_FAILURE_TIMEOUT : COLO_FRAG_FAILURE_MEMORY;
    return d;
  }
  return NULL;
}

ColoFragDatagram *
colo_frag_table_pop_oldest (ColoFragTable * t)
{
  ColoFragDatagram *d;

  while ((d = t->head)) {
    detach (t, d);
    if (!d->given_up)
      return d;
    datagram_free (d);
  }
  return NULL;
}

guint64
colo_frag_table_next_expiry (ColoFragTable * t)
{
  ColoFragDatagram *d;

  for (d = t->head; d; d = d->next)
    if (!d->given_up)
      return t->timeout > G_MAXUINT64 - d->arrival ? G_MAXUINT64 :
          d->arrival + t->timeout;
  return G_MAXUINT64;
}

guint
colo_frag_table_held (ColoFragTable * t)
{
  return t->held;
}

gsize
colo_frag_table_bytes (ColoFragTable * t)
{
  return t->bytes;
}

void
colo_frag_table_foreach (ColoFragTable * t, ColoFragMoveFunc func,
    gpointer user_data)
{
  ColoFragDatagram *d;

  for (d = t->head; d; d = d->next)
    colo_frag_datagram_foreach (d, func, user_data);
}

guint
colo_frag_datagram_n_fragments (const ColoFragDatagram * d)
{
  return d->n - d->first;
}

guint64
colo_frag_datagram_arrival (const ColoFragDatagram * d)
{
  return d->arrival;
}

const guint8 *
colo_frag_datagram_frame (const ColoFragDatagram * d, gsize * size)
{
  *size = d->frame_size;
  return d->frame;
}

const ColoPacketInfo *
colo_frag_datagram_info (const ColoFragDatagram * d)
{
  return &d->info;
}

void
colo_frag_datagram_foreach (ColoFragDatagram * d, ColoFragMoveFunc func,
    gpointer user_data)
{
  guint i;

  for (i = d->first; i < d->n; i++)
    func (&d->frags[i].handle, &d->frags[i].data, d->frags[i].size, user_data);
}

void
colo_frag_datagram_hand_back (ColoFragDatagram * d, ColoFragFunc func,
    gpointer user_data)
{
  guint i;

  for (i = d->first; i < d->n; i++)
    func (d->frags[i].handle, d->frags[i].data, d->frags[i].size, user_data);
  datagram_free (d);
}

gboolean
colo_frag_datagram_pop (ColoFragDatagram * d, gpointer * handle,
    const guint8 ** data, gsize * size, guint * vnet_hdr_len, guint64 * arrival)
{
  Fragment *f;

  if (d->first == d->n) {
    datagram_free (d);
    return FALSE;
  }
  f = &d->frags[d->first++];
  *handle = f->handle;
  *data = f->data;
  *size = f->size;
  *vnet_hdr_len = f->vnet_hdr_len;
  *arrival = f->arrival;
  return TRUE;
}
