/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Generator and reference model of the randomized conservation tests (see
 * conservation.h; the rules modelled are docs/design.md's). */

#include <string.h>
#include "colo-bytes.h"
#include "conservation.h"
#include "frames.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define SEQ_GT(a, b) ((gint32) ((guint32) (a) - (guint32) (b)) > 0)

/* How far one side may run ahead of the other on a connection */
#define MAX_LEAD_DATAGRAMS 6
#define MAX_LEAD_BYTES 12000

typedef enum
{
  KIND_UDP,
  KIND_ICMP,
  KIND_TCP,
} ConnKind;

/* What the model knows of an id */
enum
{
  ID_NONE = 0,
  ID_PRIMARY,                   /* pushed, not out yet */
  ID_OUT,
  ID_DROPPED,
  ID_SECONDARY,
};

/* Why a primary frame must be out (or that the model does not know) */
typedef enum
{
  HOW_QUEUED,                   /* the model cannot tell yet */
  HOW_CMP,                      /* compared: matched, or nothing to compare */
  HOW_BULK,                     /* checkpoint-done, failover, EOS */
  HOW_PASS,                     /* forwarded uncompared */
} How;

static const gchar *const how_names[] = { "queued", "compared",
  "checkpoint-done/failover/EOS", "passed through"
};

/* How a TCP instance (one connection on the 4-tuple) ends */
enum
{
  TERM_FIN,
  TERM_RST,
  TERM_ABANDON,                 /* the next SYN comes without FIN or RST */
};

typedef struct _Conn Conn;

/* A TCP segment in an instance's sequence space: 0 is the SYN, data
 * [1, 1 + L), the FIN at 1 + L; an RST sits at 1 + L and takes no space. */
typedef struct
{
  guint32 inst, seq, end, ack, rank, div_at;
  guint32 L;                    /* the instance's data length, as sent */
  guint8 flags;
  gboolean first, has_div, end_div;
} Seg;

typedef struct
{
  guint64 id;
  Conn *conn;                   /* NULL: not compared (ARP, malformed,
                                 * failover) */
  guint8 side, how, flags;
  gboolean first, malformed;
  gboolean end_div;             /* TCP secondary: its instance ends otherwise */
  guint32 rank, inst, seq, end, ack;    /* TCP */
  guint32 k;                    /* datagram: message number */
  gboolean div;
  guint32 div_at;
  GBytes *out;
  guint tag;
  /* the push that brought it; the push after which it had to be out */
  guint64 push_tick, mark_tick;
  GList qlink, rlink, mlink;
  gboolean in_q, in_r, in_m;
} Rec;

/* What one side sent of one TCP instance, as far as colocompare can have
 * seen it since the last resync */
typedef struct
{
  gboolean valid;
  guint32 inst;
  guint32 ok_end;               /* every position below was sent identical */
  gboolean capped;              /* a difference at ok_end: no further */
  gboolean has_ooo;             /* a segment beyond ok_end (reordered) */
  guint32 ooo_a, ooo_okb;
  gboolean ooo_capped;
  /* the secondary only */
  gboolean rst_sent;
  gboolean ack_valid;
  guint32 ack_max;
} SecInst;

typedef struct
{
  guint32 inst, off;            /* next first transmission */
  gboolean term_sent;
  guint64 cum_base;             /* positions of the instances before */
  Seg held;                     /* a reordered segment still to send */
  gboolean has_held;
  /* the secondary: a byte of this instance that differs from the
   * primary's, in every segment that carries it (retransmissions come from
   * the same send buffer) */
  gboolean has_div;
  guint32 div_pos;
  /* the secondary: this instance ends otherwise than the primary's (a
   * shorter stream, RST for FIN, FIN for RST...) */
  gboolean end_div;
  guint32 end_len;
  guint end_term;
} TcpGen;

struct _Conn
{
  guint32 index;
  ConnKind kind;
  guint64 seed;
  gboolean ipv6;
  guint n_vlan;
  guint16 vlan[2];
  gchar src[48], dst[48];
  guint16 sport, dport;

  /* generator */
  guint32 n_msgs, k[2];
  guint32 n_inst, next_rank;
  TcpGen g[2];

  /* model */
  GQueue q;                     /* outstanding primaries: datagrams in
                                 * arrival order, TCP in (instance, seq)
                                 * order as colocompare queues them */
  GQueue r;                     /* TCP: outstanding first transmissions,
                                 * by rank (stream order) */
  GQueue pm;                    /* datagrams: primaries not matched yet */
  GQueue sq;                    /* datagrams: secondaries not matched yet */
  gboolean diverged;
  guint n_queued;               /* TCP: outstanding, how == HOW_QUEUED */
  gboolean tainted;             /* TCP: colocompare may have lost its state */
  gboolean div_pending;         /* TCP: a divergence sent since the resync */
  SecInst si[4];                /* what the secondary sent */
  SecInst pi[4];                /* what the primary sent (coverage only) */
  gboolean seen;
  guint64 last_seen;
  gboolean retired;
  guint n_live;                 /* Recs pointing here */
  guint live_index;
};

struct _CsModel
{
  CsParams p;
  guint32 seed;
  GRand *rand;
  GPtrArray *slots;             /* Conn, active */
  GPtrArray *live;              /* Conn, not freed */
  guint32 next_conn;
  guint64 next_id;
  GByteArray *ids;
  GHashTable *outstanding;      /* id -> Rec: primaries not out or dropped */
  gboolean failover, discarding;

  guint64 tick;                 /* frames pushed */
  guint64 in[2], n_out, out_released, out_flushed, out_passed, n_dropped_p;
  guint64 exp_dropped, exp_sec_dropped, exp_malformed;
  guint64 must_pending;
  guint64 misc_lo, misc_hi, last_misc;

  /* what was checked */
  guint64 pred_dgram, pred_tcp, pred_pass, pred_bulk, tcp_early;
  guint64 order_checked, uncompared_checked, checks;
  guint64 tcp_segments, retrans, reordered, divergences, instances;
  guint64 end_divergences;
  guint64 conns_created, taints, untaints, others;

  gchar *error;
  gint64 trace;                 /* connection to trace (COLO_TRACE_CONN), or -1 */
};

#define TRACING(m, c) ((c) && (m)->trace == (gint64) (c)->index)

/* --- small helpers -------------------------------------------------------- */

static guint64
mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

static guint64
mix3 (guint64 seed, guint64 a, guint64 b)
{
  return mix (seed ^ mix (a * 4 + b));
}

guint32
cs_rand (CsModel * m, guint32 n)
{
  return n ? g_rand_int_range (m->rand, 0, (gint32) n) : 0;
}

gboolean
cs_chance (CsModel * m, guint permille)
{
  return cs_rand (m, 1000) < permille;
}

static
G_GNUC_PRINTF (2, 3)
     void fail (CsModel * m, const gchar * fmt, ...)
{
  va_list ap;

  if (m->error)
    return;
  va_start (ap, fmt);
  m->error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

static void
put64 (guint8 * p, guint64 v)
{
  gint i;

  for (i = 7; i >= 0; i--, v >>= 8)
    p[i] = v & 0xff;
}

static guint64
get64 (const guint8 * p)
{
  guint64 v = 0;
  gint i;

  for (i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

static guint8
id_state (CsModel * m, guint64 id)
{
  return id < m->ids->len ? m->ids->data[id] : ID_NONE;
}

static void
set_id_state (CsModel * m, guint64 id, guint8 state)
{
  if (id >= m->ids->len) {
    guint old = m->ids->len, n = MAX (1024, old * 2);

    while (n <= id)
      n *= 2;
    g_byte_array_set_size (m->ids, n);
    memset (m->ids->data + old, ID_NONE, n - old);
  }
  m->ids->data[id] = state;
}

/* Writes the id into the frame's first 8 bytes after the vnet header. */
static GBytes *
stamp_id (GBytes * frame, guint vnet_hdr_len, guint64 id)
{
  gsize size;
  guint8 *d = g_bytes_unref_to_data (frame, &size);

  g_assert (size >= vnet_hdr_len + 8);
  put64 (d + vnet_hdr_len, id);
  return g_bytes_new_take (d, size);
}

static const gchar *
kind_name (const Conn * c)
{
  return c->kind == KIND_TCP ? "tcp" : c->kind == KIND_UDP ? "udp" : "icmp";
}

/* --- connections ----------------------------------------------------------- */

/* TCP instance parameters, the same for both sides */
static guint32
inst_isn (const Conn * c, guint32 i)
{
  guint32 v = (guint32) mix3 (c->seed, i, 1);

  if (i > 0 && v == (guint32) mix3 (c->seed, i - 1, 1))
    v += 0x10000;
  return v;
}

static guint32
inst_len (CsModel * m, const Conn * c, guint32 i)
{
  return (guint32) (mix3 (c->seed, i, 2) % (m->p.max_stream + 1));
}

static guint
inst_term (const Conn * c, guint32 i)
{
  guint v = mix3 (c->seed, i, 3) % 10;

  if (i + 1 == c->n_inst)
    return v < 5 ? TERM_FIN : v < 7 ? TERM_RST : TERM_ABANDON;
  return v < 6 ? TERM_FIN : v < 8 ? TERM_RST : TERM_ABANDON;
}

static guint32
inst_ack (const Conn * c, guint32 i, guint32 off)
{
  return (guint32) mix3 (c->seed, i, 0) + 1 + 100 * (off / 4096);
}

static guint8
stream_byte (const Conn * c, guint32 inst, guint32 off)
{
  guint32 base = (guint32) (c->seed >> 16) + inst * 0x01000193u;

  return (guint8) ((base >> ((off & 3) * 8)) + off * 7 + (off >> 8));
}

static Conn *
conn_new (CsModel * m)
{
  Conn *c = g_new0 (Conn, 1);
  guint32 idx = m->next_conn++ & 0xffffff;
  guint v;

  c->index = idx;
  c->seed = mix (((guint64) m->seed << 32) ^ idx);
  v = cs_rand (m, 10);
  c->kind = v < 5 ? KIND_UDP : v < 6 ? KIND_ICMP : KIND_TCP;
  c->ipv6 = cs_chance (m, 250);
  v = cs_rand (m, 10);
  c->n_vlan = v < 7 ? 0 : v < 9 ? 1 : 2;
  c->vlan[0] = 1 + idx % 4000;
  c->vlan[1] = 1 + (idx / 4000) % 4000;
  if (c->ipv6) {
    g_snprintf (c->src, sizeof (c->src), "fd00::%x:%x", idx >> 16,
        idx & 0xffff);
    g_snprintf (c->dst, sizeof (c->dst), "fd00::1");
  } else {
    g_snprintf (c->src, sizeof (c->src), "10.%u.%u.%u", (idx >> 16) & 255,
        (idx >> 8) & 255, idx & 255);
    g_snprintf (c->dst, sizeof (c->dst), "192.168.1.1");
  }
  if (c->kind == KIND_TCP) {
    c->sport = 80;
    c->dport = 1024 + idx % 60000;
    c->n_inst = 1 + cs_rand (m, 3);
  } else {
    c->sport = 1024 + idx % 60000;
    c->dport = 53;
    c->n_msgs = 1 + cs_rand (m, 60);
  }
  c->live_index = m->live->len;
  g_ptr_array_add (m->live, c);
  m->conns_created++;
  return c;
}

static void
conn_free (CsModel * m, Conn * c)
{
  Conn *last = g_ptr_array_index (m->live, m->live->len - 1);

  /* swap-remove from live */
  g_ptr_array_index (m->live, c->live_index) = last;
  last->live_index = c->live_index;
  g_ptr_array_set_size (m->live, m->live->len - 1);
  g_free (c);
}

static void
conn_release (CsModel * m, Conn * c)
{
  g_assert (c->n_live > 0);
  c->n_live--;
}

/* Frees retired connections that nothing refers to any more (never
 * while walking m->live) */
static void
prune (CsModel * m)
{
  guint i;

  for (i = m->live->len; i-- > 0;) {
    Conn *c = g_ptr_array_index (m->live, i);

    if (c->retired && c->n_live == 0)
      conn_free (m, c);
  }
}

/* The current instance as this side sends it */
static guint32
gen_len (CsModel * m, const Conn * c, const TcpGen * g)
{
  return g->end_div ? g->end_len : inst_len (m, c, g->inst);
}

static guint
gen_term (const Conn * c, const TcpGen * g)
{
  return g->end_div ? g->end_term : inst_term (c, g->inst);
}

static gboolean
tcp_finished (CsModel * m, const Conn * c, const TcpGen * g)
{
  return g->off >= 1 + gen_len (m, c, g)
      && (gen_term (c, g) == TERM_ABANDON || g->term_sent);
}

static gboolean
exhausted (CsModel * m, const Conn * c, gint side)
{
  const TcpGen *g = &c->g[side];

  if (c->kind != KIND_TCP)
    return c->k[side] >= c->n_msgs;
  return !g->has_held && g->inst + 1 >= c->n_inst && tcp_finished (m, c, g);
}

static gint64
lead (CsModel * m, const Conn * c, gint side)
{
  if (c->kind != KIND_TCP)
    return (gint64) c->k[side] - (gint64) c->k[!side];
  return (gint64) (c->g[side].cum_base + c->g[side].off)
      - (gint64) (c->g[!side].cum_base + c->g[!side].off);
}

static gboolean
can_send (CsModel * m, const Conn * c, gint side)
{
  if (exhausted (m, c, side))
    return FALSE;
  return lead (m, c, side) < (c->kind == KIND_TCP ? MAX_LEAD_BYTES :
      MAX_LEAD_DATAGRAMS);
}

/* --- frames ---------------------------------------------------------------- */

static void
conn_opts (CsModel * m, const Conn * c, FrameOpts * o, guint vnet_hdr_len)
{
  frame_opts_init (o);
  o->vnet_hdr_len = vnet_hdr_len;
  o->ipv6 = c->ipv6;
  o->src = c->src;
  o->dst = c->dst;
  o->n_vlan = c->n_vlan;
  o->vlan_id[0] = c->vlan[0];
  o->vlan_id[1] = c->vlan[1];
  /* what colocompare ignores differs from frame to frame */
  o->ttl = 32 + cs_rand (m, 64);
  o->ip_id = cs_rand (m, 65536);
  o->eth_padding = cs_chance (m, 100) ? cs_rand (m, 8) : 0;
}

static CsFrame *
frame_new (CsModel * m, gint side, GBytes * frame, guint vnet_hdr_len, Rec * r)
{
  CsFrame *f = g_new0 (CsFrame, 1);

  f->id = ++m->next_id;
  f->side = side;
  f->vnet_hdr_len = vnet_hdr_len;
  f->frame = stamp_id (frame, vnet_hdr_len, f->id);
  r->id = f->id;
  r->side = side;
  f->priv = r;
  return f;
}

/* ARP, or a truncated IPv4 frame */
static CsFrame *
gen_other (CsModel * m, gint side, guint vnet_hdr_len)
{
  Rec *r = g_new0 (Rec, 1);
  FrameOpts o;
  GBytes *b;

  frame_opts_init (&o);
  o.vnet_hdr_len = vnet_hdr_len;
  if (cs_chance (m, 500)) {
    b = frame_arp (&o);
  } else {
    guint8 d[16] = { 0 };
    GBytes *full = frame_udp (&o, 9, 9, d, sizeof (d));

    b = g_bytes_new_from_bytes (full, 0, vnet_hdr_len + 14 + 12);
    g_bytes_unref (full);
    r->malformed = TRUE;
  }
  m->others++;
  return frame_new (m, side, b, vnet_hdr_len, r);
}

static CsFrame *
gen_datagram (CsModel * m, Conn * c, gint side, guint vnet_hdr_len)
{
  Rec *r = g_new0 (Rec, 1);
  guint32 k = c->k[side]++;
  guint64 h = mix3 (c->seed, k, 7);
  gsize len = 8 + h % 200, i;
  guint8 *d = g_malloc (len + 1);
  FrameOpts o;
  GBytes *b;

  colo_write_be32 (d, c->index);
  colo_write_be32 (d + 4, k);
  for (i = 8; i < len; i++)
    d[i] = (guint8) ((h >> (i % 56)) ^ i);
  if (side == CS_SECONDARY && cs_chance (m, m->p.divergence_permille)) {
    r->div = TRUE;
    if (cs_chance (m, 300))
      d[len++] = 0x42;          /* one byte longer */
    else
      d[cs_rand (m, len)] ^= 0x5a;
  }
  conn_opts (m, c, &o, vnet_hdr_len);
  if (c->kind == KIND_UDP)
    b = frame_udp (&o, c->sport, c->dport, d, len);
  else
    b = frame_icmp_echo (&o, c->index & 0xffff, k & 0xffff, d, len);
  g_free (d);
  r->conn = c;
  r->k = k;
  r->first = TRUE;
  r->rank = k;
  return frame_new (m, side, b, vnet_hdr_len, r);
}

static CsFrame *
build_segment (CsModel * m, Conn * c, gint side, const Seg * sg,
    guint vnet_hdr_len)
{
  Rec *r = g_new0 (Rec, 1);
  guint32 L = sg->L;
  guint32 ds = MAX (sg->seq, 1), de = MIN (sg->end, 1 + L), o;
  gsize len = de > ds ? de - ds : 0;
  guint8 *d = g_malloc (len + 1);
  FrameOpts fo;
  GBytes *b;

  for (o = ds; o < de; o++)
    d[o - ds] = stream_byte (c, sg->inst, o);
  if (sg->has_div)
    d[sg->div_at - ds] ^= 0x5a;
  conn_opts (m, c, &fo, vnet_hdr_len);
  b = frame_tcp (&fo, c->sport, c->dport, inst_isn (c, sg->inst) + sg->seq,
      sg->ack, sg->flags, cs_chance (m, 300) ? 12 : 0, d, len);
  g_free (d);
  r->conn = c;
  r->inst = sg->inst;
  r->seq = sg->seq;
  r->end = sg->end;
  r->ack = sg->ack;
  r->flags = sg->flags;
  r->first = sg->first;
  r->rank = sg->rank;
  r->div = sg->has_div;
  r->div_at = sg->div_at;
  r->end_div = sg->end_div;
  m->tcp_segments++;
  return frame_new (m, side, b, vnet_hdr_len, r);
}

/* The next data segment of a first transmission from g->off (no FIN) */
static void
next_data (CsModel * m, Conn * c, TcpGen * g, guint32 L, Seg * sg)
{
  guint32 n = 1 + cs_rand (m, m->p.max_segment);

  n = MIN (n, 1 + L - g->off);
  sg->seq = g->off;
  sg->end = g->off + n;
  sg->flags = TH_ACK | TH_PSH;
  sg->first = TRUE;
  g->off = sg->end;
}

/* A segment as `side` sends it: with the secondary's differing byte when
 * it carries that position */
static CsFrame *
build_tcp (CsModel * m, Conn * c, gint side, const TcpGen * g, Seg * sg,
    guint vnet_hdr_len)
{
  guint32 ds, de;

  if (sg->inst == g->inst)
    sg->L = gen_len (m, c, g);
  else
    sg->L = inst_len (m, c, sg->inst);
  ds = MAX (sg->seq, 1);
  de = MIN (sg->end, 1 + sg->L);
  sg->end_div = g->end_div && sg->inst == g->inst;
  if (g->has_div && sg->inst == g->inst && g->div_pos >= ds && g->div_pos < de) {
    sg->has_div = TRUE;
    sg->div_at = g->div_pos;
  }
  return build_segment (m, c, side, sg, vnet_hdr_len);
}

static CsFrame *
gen_tcp (CsModel * m, Conn * c, gint side, guint vnet_hdr_len)
{
  TcpGen *g = &c->g[side];
  Seg sg = { 0 };
  guint32 L;
  guint term;

  if (g->has_held) {
    g->has_held = FALSE;
    return build_tcp (m, c, side, g, &g->held, vnet_hdr_len);
  }
  if (tcp_finished (m, c, g)) {
    if (gen_term (c, g) == TERM_RST && cs_chance (m, 100)) {
      /* the stack answers a late segment with another RST */
      L = gen_len (m, c, g);
      sg.inst = g->inst;
      sg.seq = sg.end = 1 + L;
      sg.flags = TH_RST | TH_ACK;
      sg.ack = inst_ack (c, g->inst, sg.seq);
      m->retrans++;
      return build_tcp (m, c, side, g, &sg, vnet_hdr_len);
    }
    g_assert (g->inst + 1 < c->n_inst);
    g->cum_base += 2 + inst_len (m, c, g->inst);
    g->inst++;
    g->off = 0;
    g->term_sent = FALSE;
    g->has_div = FALSE;
    g->end_div = FALSE;
    m->instances++;
  }
  if (side == CS_SECONDARY && g->off == 0 && !g->end_div
      && cs_chance (m, m->p.ending_permille)) {
    /* this connection ends otherwise on the secondary */
    guint32 nl = inst_len (m, c, g->inst);
    guint nt = inst_term (c, g->inst);

    g->end_div = TRUE;
    g->end_len = nl;
    g->end_term = nt;
    if (nl > 0 && cs_chance (m, 500))
      g->end_len = cs_rand (m, nl);
    else
      g->end_term = nt == TERM_FIN ? TERM_RST : TERM_FIN;
    m->end_divergences++;
  }
  L = gen_len (m, c, g);
  term = gen_term (c, g);
  sg.inst = g->inst;

  if (MIN (g->off, 1 + L) > 1 && cs_chance (m, 50)) {
    /* retransmission of data sent before */
    guint32 data_end = MIN (g->off, 1 + L), maxb;

    sg.seq = 1 + cs_rand (m, data_end - 1);
    maxb = MIN (data_end, sg.seq + m->p.max_segment);
    sg.end = sg.seq + 1 + cs_rand (m, maxb - sg.seq);
    sg.flags = TH_ACK | TH_PSH;
    sg.ack = inst_ack (c, g->inst, cs_chance (m, 800) ? sg.seq : g->off);
    m->retrans++;
    return build_tcp (m, c, side, g, &sg, vnet_hdr_len);
  }
  if (g->off > 0 && !(term == TERM_RST && g->term_sent) && cs_chance (m, 50)) {
    /* pure ACK */
    sg.seq = sg.end = g->off;
    sg.flags = TH_ACK;
    sg.first = TRUE;
  } else if (g->off == 0) {
    sg.seq = 0;
    sg.end = 1;
    sg.flags = TH_SYN | TH_ACK;
    sg.first = TRUE;
    g->off = 1;
  } else if (g->off < 1 + L) {
    next_data (m, c, g, L, &sg);
    if (g->off == 1 + L && term == TERM_FIN && cs_chance (m, 500)) {
      sg.end++;
      sg.flags |= TH_FIN;
      g->off++;
      g->term_sent = TRUE;
    } else if (g->off < 1 + L && cs_chance (m, 40)) {
      /* reordered: the next segment goes first */
      Seg s2 = { 0 };

      s2.inst = g->inst;
      next_data (m, c, g, L, &s2);
      sg.ack = inst_ack (c, g->inst, sg.seq);
      if (side == CS_PRIMARY)
        sg.rank = c->next_rank++;
      g->held = sg;
      g->has_held = TRUE;
      sg = s2;
      m->reordered++;
    }
  } else if (term == TERM_FIN) {
    sg.seq = 1 + L;
    sg.end = 2 + L;
    sg.flags = TH_FIN | TH_ACK;
    sg.first = TRUE;
    g->off = 2 + L;
    g->term_sent = TRUE;
  } else {
    g_assert (term == TERM_RST);
    sg.seq = sg.end = 1 + L;
    sg.flags = TH_RST | TH_ACK;
    sg.first = TRUE;
    g->term_sent = TRUE;
  }
  sg.ack = inst_ack (c, g->inst, sg.seq);
  if (side == CS_PRIMARY && sg.first)
    sg.rank = c->next_rank++;
  if (side == CS_SECONDARY && !g->has_div && sg.first
      && MIN (sg.end, 1 + L) > MAX (sg.seq, 1)
      && cs_chance (m, m->p.divergence_permille)) {
    guint32 ds = MAX (sg.seq, 1), de = MIN (sg.end, 1 + L);

    g->has_div = TRUE;
    g->div_pos = ds + cs_rand (m, de - ds);
  }
  return build_tcp (m, c, side, g, &sg, vnet_hdr_len);
}

static Conn *
replace_slot (CsModel * m, guint i)
{
  Conn *old = g_ptr_array_index (m->slots, i);
  Conn *c = conn_new (m);

  old->retired = TRUE;
  g_ptr_array_index (m->slots, i) = c;
  if (m->live->len > 2 * m->slots->len + 64)
    prune (m);
  return c;
}

CsFrame *
cs_next (CsModel * m, gint side, guint vnet_hdr_len)
{
  guint n = m->slots->len, i, start, tries;

  if (cs_chance (m, m->p.other_permille))
    return gen_other (m, side, vnet_hdr_len);
  for (tries = 0; tries < 16; tries++) {
    guint s = cs_rand (m, n);
    Conn *c = g_ptr_array_index (m->slots, s);

    if (exhausted (m, c, CS_PRIMARY) && exhausted (m, c, CS_SECONDARY))
      c = replace_slot (m, s);
    if (!can_send (m, c, side))
      continue;
    /* the side that is behind catches up first, mostly */
    if (tries < 8 && lead (m, c, side) > 0 && cs_chance (m, 600))
      continue;
    return c->kind == KIND_TCP ? gen_tcp (m, c, side, vnet_hdr_len) :
        gen_datagram (m, c, side, vnet_hdr_len);
  }
  start = cs_rand (m, n);
  for (i = 0; i < n; i++) {
    guint s = (start + i) % n;
    Conn *c = g_ptr_array_index (m->slots, s);

    if (exhausted (m, c, CS_PRIMARY) && exhausted (m, c, CS_SECONDARY))
      c = replace_slot (m, s);
    if (can_send (m, c, side))
      return c->kind == KIND_TCP ? gen_tcp (m, c, side, vnet_hdr_len) :
          gen_datagram (m, c, side, vnet_hdr_len);
  }
  return gen_other (m, side, vnet_hdr_len);
}

/* --- the model --------------------------------------------------------------- */

static SecInst *
side_inst (SecInst * ring, guint32 inst, gboolean create)
{
  SecInst *I = &ring[inst % 4];

  if (I->valid && I->inst == inst)
    return I;
  if (!create)
    return NULL;
  memset (I, 0, sizeof (*I));
  I->valid = TRUE;
  I->inst = inst;
  return I;
}

#define sec_inst(c, inst, create) side_inst ((c)->si, inst, create)
#define pri_inst(c, inst, create) side_inst ((c)->pi, inst, create)

static void
forget_sec (Conn * c)
{
  memset (c->si, 0, sizeof (c->si));
  memset (c->pi, 0, sizeof (c->pi));
}

static void
taint (CsModel * m, Conn * c)
{
  if (c->kind != KIND_TCP)
    return;
  if (!c->tainted)
    m->taints++;
  c->tainted = TRUE;
  forget_sec (c);
}

/* The secondary sent [a, b) of an instance, identical below okb */
static void
sec_extend (SecInst * I, guint32 a, guint32 b, guint32 okb)
{
  if (I->capped)
    return;
  if (a > I->ok_end) {
    I->has_ooo = TRUE;
    I->ooo_a = a;
    I->ooo_okb = okb;
    I->ooo_capped = okb < b;
    return;
  }
  I->ok_end = MAX (I->ok_end, okb);
  if (okb < b) {
    I->capped = TRUE;
    return;
  }
  if (I->has_ooo && I->ooo_a <= I->ok_end) {
    I->has_ooo = FALSE;
    I->ok_end = MAX (I->ok_end, I->ooo_okb);
    I->capped = I->ooo_capped;
  }
}

static void
trace_rec (CsModel * m, const gchar * what, const Rec * r)
{
  const Conn *c = r->conn;
  const SecInst *I;

  if (!TRACING (m, c))
    return;
  if (c->kind != KIND_TCP) {
    g_printerr ("trace %s %s id %" G_GUINT64_FORMAT " k %u div %d how %s\n",
        what, r->side ? "S" : "P", r->id, r->k, r->div, how_names[r->how]);
    return;
  }
  I = &c->si[r->inst % G_N_ELEMENTS (c->si)];
  g_printerr ("trace %s %s id %" G_GUINT64_FORMAT " inst %u [%u,%u) flags %#x "
      "ack %u first %d rank %u div %d@%u how %s | tainted %d div_pending %d "
      "sec inst %u valid %d ok_end %u capped %d ooo %d rst %d ack %d/%u\n",
      what, r->side ? "S" : "P", r->id, r->inst, r->seq, r->end, r->flags,
      r->ack, r->first, r->rank, r->div, r->div_at, how_names[r->how],
      c->tainted, c->div_pending, I->inst, I->valid && I->inst == r->inst,
      I->ok_end, I->capped, I->has_ooo, I->rst_sent, I->ack_valid, I->ack_max);
}

static void
mark (CsModel * m, Rec * r, How how)
{
  if (r->how == HOW_QUEUED && r->conn && r->conn->kind == KIND_TCP && r->in_q)
    r->conn->n_queued--;
  r->how = how;
  r->mark_tick = m->tick;
  m->must_pending++;
  trace_rec (m, "must", r);
  switch (how) {
    case HOW_CMP:
      if (r->conn && r->conn->kind == KIND_TCP)
        m->pred_tcp++;
      else
        m->pred_dgram++;
      break;
    case HOW_BULK:
      m->pred_bulk++;
      break;
    case HOW_PASS:
      m->pred_pass++;
      break;
    default:
      break;
  }
}

static void
rec_free (Rec * r)
{
  if (r->out)
    g_bytes_unref (r->out);
  g_free (r);
}

static void
rec_unlink (CsModel * m, Rec * r)
{
  Conn *c = r->conn;

  if (!c)
    return;
  if (r->in_q) {
    g_queue_unlink (&c->q, &r->qlink);
    r->in_q = FALSE;
    if (c->kind == KIND_TCP && r->how == HOW_QUEUED)
      c->n_queued--;
  }
  if (r->in_r) {
    g_queue_unlink (&c->r, &r->rlink);
    r->in_r = FALSE;
  }
  if (r->in_m) {
    g_queue_unlink (&c->pm, &r->mlink);
    r->in_m = FALSE;
  }
  conn_release (m, c);
  r->conn = NULL;
}

/* The datagram rule: first in first out, equal IP payloads */
static void
match (CsModel * m, Conn * c)
{
  while (!c->diverged && c->pm.head && c->sq.head) {
    Rec *p = c->pm.head->data, *s = c->sq.head->data;

    if (p->k != s->k || s->div) {
      c->diverged = TRUE;
      m->misc_lo++;
      m->misc_hi++;
      return;
    }
    g_queue_unlink (&c->pm, &p->mlink);
    p->in_m = FALSE;
    g_queue_pop_head (&c->sq);
    conn_release (m, c);
    g_free (s);
    mark (m, p, HOW_CMP);
  }
}

static void
clear_datagrams (CsModel * m, Conn * c)
{
  while (c->pm.head) {
    Rec *p = c->pm.head->data;

    g_queue_unlink (&c->pm, &p->mlink);
    p->in_m = FALSE;
  }
  while (c->sq.head) {
    g_free (g_queue_pop_head (&c->sq));
    conn_release (m, c);
  }
  c->diverged = FALSE;
}

/* Marks the prefix of c's queued primaries that colocompare must have
 * released by now: each segment covered by what the secondary sent
 * identical, with an ACK no higher than the secondary's. */
static void
eval_tcp (CsModel * m, Conn * c)
{
  GList *l;

  if (m->failover || c->tainted || c->div_pending)
    return;
  for (l = c->q.head; l; l = l->next) {
    Rec *f = l->data;
    SecInst *I, *P;

    if (f->how != HOW_QUEUED)
      continue;
    I = sec_inst (c, f->inst, FALSE);
    P = pri_inst (c, f->inst, FALSE);
    /* compared up to where both sides sent contiguously */
    if (!I || I->ok_end < f->end || !P || P->ok_end < f->end)
      return;
    if ((f->flags & TH_RST) && !I->rst_sent)
      return;
    if (f->end != f->seq && (f->flags & TH_ACK) && (!I->ack_valid
            || SEQ_GT (f->ack, I->ack_max)))
      return;
    mark (m, f, HOW_CMP);
  }
}

static gboolean
queued_after (const Rec * a, const Rec * r)
{
  if (a->inst != r->inst)
    return a->inst > r->inst;
  return a->seq > r->seq;
}

static void
push_tcp_primary (CsModel * m, Conn * c, Rec * r)
{
  gboolean pure = r->seq == r->end && r->flags == TH_ACK;
  gboolean empty = c->n_queued == 0;
  GList *l;

  r->qlink.data = r;
  for (l = c->q.tail; l && queued_after (l->data, r); l = l->prev);
  if (l)
    g_queue_insert_after_link (&c->q, l, &r->qlink);
  else
    g_queue_push_head_link (&c->q, &r->qlink);
  r->in_q = TRUE;
  if (r->first) {
    r->rlink.data = r;
    for (l = c->r.tail; l && ((Rec *) l->data)->rank > r->rank; l = l->prev);
    if (l)
      g_queue_insert_after_link (&c->r, l, &r->rlink);
    else
      g_queue_push_head_link (&c->r, &r->rlink);
    r->in_r = TRUE;
  }
  c->n_live++;
  r->how = HOW_QUEUED;
  c->n_queued++;
  if (r->end > r->seq)
    sec_extend (pri_inst (c, r->inst, TRUE), r->seq, r->end, r->end);
  /* a pure ACK with nothing queued before it goes out at once */
  if (pure && empty)
    mark (m, r, HOW_CMP);
}

static void
push_tcp_secondary (CsModel * m, Conn * c, Rec * r)
{
  SecInst *I = sec_inst (c, r->inst, TRUE);
  guint32 L = inst_len (m, c, r->inst), okb = r->div ? r->div_at : r->end;
  guint term = inst_term (c, r->inst);

  if (r->flags & TH_ACK) {
    if (!I->ack_valid || SEQ_GT (r->ack, I->ack_max))
      I->ack_max = r->ack;
    I->ack_valid = TRUE;
  }
  /* a FIN or RST where the primary has none */
  if ((r->flags & TH_FIN) && (term != TERM_FIN || r->end - 1 != 1 + L))
    okb = MIN (okb, r->end - 1);
  if (r->flags & TH_RST) {
    if (term == TERM_RST && r->seq == 1 + L)
      I->rst_sent = TRUE;
    else
      I->capped = TRUE;
  }
  if (r->end > r->seq)
    sec_extend (I, r->seq, r->end, okb);
  if (r->div)
    m->divergences++;
  if (r->div || r->end_div)
    c->div_pending = TRUE;
}

void
cs_pushed (CsModel * m, CsFrame * f, GBytes * out, guint tag, guint64 stamp)
{
  Rec *r = f->priv;
  gint side = f->side;
  Conn *c = r->conn;

  m->in[side]++;
  r->push_tick = ++m->tick;
  if (side == CS_PRIMARY) {
    set_id_state (m, r->id, ID_PRIMARY);
    r->out = out;
    r->tag = tag;
    g_hash_table_insert (m->outstanding, &r->id, r);
  } else {
    set_id_state (m, r->id, ID_SECONDARY);
    if (out)
      g_bytes_unref (out);
  }

  if (!c || m->failover) {
    /* not compared: forwarded from the primary, dropped from the
     * secondary */
    if (!c && r->malformed && !m->failover)
      m->exp_malformed++;
    r->conn = NULL;
    if (side == CS_PRIMARY) {
      mark (m, r, HOW_PASS);
    } else {
      m->exp_sec_dropped++;
      g_free (r);
    }
    goto done;
  }

  if (c->kind == KIND_TCP && c->seen && stamp >= c->last_seen
      && stamp - c->last_seen >= m->p.forget_after)
    taint (m, c);
  c->seen = TRUE;
  /* colocompare's own stamps: they restart from 0 with a new comparator
   * (a frame taken while PAUSED after READY is stamped 0) */
  c->last_seen = stamp;

  if (c->kind != KIND_TCP) {
    if (side == CS_PRIMARY) {
      r->qlink.data = r;
      g_queue_push_tail_link (&c->q, &r->qlink);
      r->in_q = TRUE;
      r->mlink.data = r;
      g_queue_push_tail_link (&c->pm, &r->mlink);
      r->in_m = TRUE;
    } else {
      g_queue_push_tail (&c->sq, r);
      if (r->div)
        m->divergences++;
    }
    c->n_live++;
    trace_rec (m, "push", r);
    match (m, c);
    goto done;
  }

  if (side == CS_PRIMARY) {
    push_tcp_primary (m, c, r);
    trace_rec (m, "push", r);
  } else {
    push_tcp_secondary (m, c, r);
    trace_rec (m, "push", r);
    g_free (r);
  }
  /* a connection that diverged or may have been forgotten may miscompare
   * on this frame; a clean one never does */
  if (c->tainted || c->div_pending)
    m->misc_hi++;
  eval_tcp (m, c);

done:
  g_bytes_unref (f->frame);
  g_free (f);
}

void
cs_released (CsModel * m, const guint8 * unit, gsize size,
    gsize frame_offset, guint tag)
{
  const guint8 *out;
  gsize out_size;
  guint64 id;
  Rec *r;
  Conn *c;

  if (size < frame_offset + 8) {
    fail (m, "released a unit of %" G_GSIZE_FORMAT " bytes", size);
    return;
  }
  id = get64 (unit + frame_offset);
  switch (id_state (m, id)) {
    case ID_PRIMARY:
      break;
    case ID_OUT:
      fail (m, "primary frame %" G_GUINT64_FORMAT " released twice", id);
      return;
    case ID_DROPPED:
      fail (m, "primary frame %" G_GUINT64_FORMAT " released after it was "
          "counted as dropped", id);
      return;
    case ID_SECONDARY:
      fail (m, "secondary frame %" G_GUINT64_FORMAT " released", id);
      return;
    default:
      fail (m, "released a frame never pushed (id %" G_GUINT64_FORMAT ")", id);
      return;
  }
  r = g_hash_table_lookup (m->outstanding, &id);
  g_assert (r != NULL);
  c = r->conn;
  out = g_bytes_get_data (r->out, &out_size);
  if (tag != r->tag)
    fail (m, "primary frame %" G_GUINT64_FORMAT " released in format %#x, "
        "pushed in %#x", id, tag, r->tag);
  else if (size != out_size || memcmp (unit, out, size) != 0)
    fail (m, "primary frame %" G_GUINT64_FORMAT " released with other bytes "
        "(%" G_GSIZE_FORMAT " bytes, pushed %" G_GSIZE_FORMAT ")", id, size,
        out_size);

  if (c && c->kind != KIND_TCP) {
    m->order_checked++;
    if (c->q.head != &r->qlink)
      fail (m, "%s connection %u: datagram %u (frame %" G_GUINT64_FORMAT
          ") released before datagram %u", kind_name (c), c->index, r->k, id,
          ((Rec *) c->q.head->data)->k);
    if (r->how == HOW_QUEUED)
      fail (m, "%s connection %u: datagram %u (frame %" G_GUINT64_FORMAT
          ") released before its twin arrived", kind_name (c), c->index, r->k,
          id);
  } else if (c) {
    if (r->first) {
      /* Every first transmission sent before it, that had arrived by the
       * time it had to be out (by the time it came, when the model could
       * not tell), goes out before it.  A segment that arrives after a
       * later one was released (a checkpoint released the queue) follows
       * it. */
      guint64 t = r->how == HOW_QUEUED ? r->push_tick : r->mark_tick;
      GList *l;

      m->order_checked++;
      for (l = c->r.head; l && l != &r->rlink; l = l->next) {
        Rec *h = l->data;

        if (h->push_tick > t)
          continue;
        fail (m, "tcp connection %u: segment [%u,%u) of instance %u (frame %"
            G_GUINT64_FORMAT ") released before [%u,%u) of instance %u "
            "(frame %" G_GUINT64_FORMAT "), sent before it", c->index, r->seq,
            r->end, r->inst, id, h->seq, h->end, h->inst, h->id);
        break;
      }
    }
    if (r->how == HOW_QUEUED) {
      m->tcp_early++;
      if (!c->tainted && (r->flags & TH_RST)) {
        SecInst *I = sec_inst (c, r->inst, FALSE);

        m->uncompared_checked++;
        if (!I || !I->rst_sent)
          fail (m, "tcp connection %u: RST at %u of instance %u (frame %"
              G_GUINT64_FORMAT ") released, but the secondary sent none there",
              c->index, r->seq, r->inst, id);
      } else if (!c->tainted && r->end != r->seq) {
        SecInst *I = sec_inst (c, r->inst, FALSE);

        m->uncompared_checked++;
        if (!I || I->ok_end < r->end)
          fail (m, "tcp connection %u: segment [%u,%u) of instance %u (frame %"
              G_GUINT64_FORMAT ") released, but the secondary sent it "
              "identical only below %u", c->index, r->seq, r->end, r->inst,
              id, I ? I->ok_end : 0);
      }
    }
  }

  trace_rec (m, "out", r);
  m->n_out++;
  switch (r->how) {
    case HOW_QUEUED:
    case HOW_CMP:
      m->out_released++;
      break;
    case HOW_BULK:
      m->out_flushed++;
      break;
    case HOW_PASS:
      m->out_passed++;
      break;
  }
  if (r->how != HOW_QUEUED)
    m->must_pending--;
  rec_unlink (m, r);
  set_id_state (m, id, ID_OUT);
  g_hash_table_remove (m->outstanding, &id);
  rec_free (r);
}

void
cs_dropped (CsModel * m, const guint8 * frame, gsize size, gsize frame_offset)
{
  guint64 id;

  if (size < frame_offset + 8) {
    fail (m, "dropped a frame of %" G_GSIZE_FORMAT " bytes", size);
    return;
  }
  id = get64 (frame + frame_offset);
  switch (id_state (m, id)) {
    case ID_SECONDARY:
      return;
    case ID_DROPPED:
      if (m->discarding)
        return;
      fail (m, "primary frame %" G_GUINT64_FORMAT " dropped twice", id);
      return;
    case ID_PRIMARY:
      fail (m, "primary frame %" G_GUINT64_FORMAT " dropped", id);
      return;
    default:
      fail (m, "dropped a frame in state %u (id %" G_GUINT64_FORMAT ")",
          id_state (m, id), id);
      return;
  }
}

/* Every queued primary frame goes out now */
static void
bulk_all (CsModel * m)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, m->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    Rec *r = v;

    if (r->how == HOW_QUEUED)
      mark (m, r, HOW_BULK);
  }
}

void
cs_checkpoint (CsModel * m, guint64 queued_secondary)
{
  guint i;

  bulk_all (m);
  m->exp_sec_dropped += queued_secondary;
  for (i = 0; i < m->live->len; i++) {
    Conn *c = g_ptr_array_index (m->live, i);
    TcpGen *gp = &c->g[CS_PRIMARY];
    gboolean have_ack = FALSE;
    guint32 ack_max = 0;
    GList *l;

    if (c->kind != KIND_TCP) {
      clear_datagrams (m, c);
      c->k[CS_SECONDARY] = c->k[CS_PRIMARY];
      continue;
    }
    /* colocompare resynchronises the secondary on the queued primaries
     * (docs/design.md, "Connection lifecycle") */
    for (l = c->q.head; l; l = l->next) {
      Rec *f = l->data;

      if (f->inst != gp->inst)
        continue;
      if (c->tainted && f->end == gp->off) {
        c->tainted = FALSE;
        m->untaints++;
      }
      if ((f->flags & TH_ACK) && (!have_ack || SEQ_GT (f->ack, ack_max))) {
        ack_max = f->ack;
        have_ack = TRUE;
      }
    }
    forget_sec (c);
    if (!c->tainted) {
      SecInst *I = sec_inst (c, gp->inst, TRUE);

      pri_inst (c, gp->inst, TRUE)->ok_end = gp->off;
      I->ok_end = gp->off;
      I->rst_sent = inst_term (c, gp->inst) == TERM_RST && gp->term_sent;
      I->ack_valid = have_ack;
      I->ack_max = ack_max;
    }
    c->div_pending = FALSE;
    /* the secondary is a copy of the primary now */
    c->g[CS_SECONDARY] = *gp;
    c->g[CS_SECONDARY].has_held = FALSE;
  }
  prune (m);
}

void
cs_failover (CsModel * m, guint64 queued_secondary)
{
  guint i;

  bulk_all (m);
  m->exp_sec_dropped += queued_secondary;
  m->failover = TRUE;
  for (i = 0; i < m->live->len; i++) {
    Conn *c = g_ptr_array_index (m->live, i);

    if (c->kind != KIND_TCP)
      clear_datagrams (m, c);
  }
  prune (m);
}

guint64
cs_discard (CsModel * m, guint64 queued_secondary)
{
  GHashTableIter it;
  gpointer v;
  guint64 n = 0;
  guint i;

  if (m->must_pending)
    fail (m, "discard with %" G_GUINT64_FORMAT " releases not observed",
        m->must_pending);
  g_hash_table_iter_init (&it, m->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    Rec *r = v;

    if (r->how != HOW_QUEUED)
      continue;
    rec_unlink (m, r);
    set_id_state (m, r->id, ID_DROPPED);
    g_hash_table_iter_remove (&it);
    rec_free (r);
    n++;
  }
  m->n_dropped_p += n;
  m->exp_dropped += n + queued_secondary;
  for (i = 0; i < m->live->len; i++) {
    Conn *c = g_ptr_array_index (m->live, i);

    if (c->kind == KIND_TCP)
      taint (m, c);
    else
      clear_datagrams (m, c);
  }
  prune (m);
  m->discarding = TRUE;
  return n;
}

void
cs_discard_done (CsModel * m)
{
  m->discarding = FALSE;
}

void
cs_restart (CsModel * m)
{
  guint i;

  m->failover = FALSE;
  for (i = 0; i < m->live->len; i++)
    taint (m, g_ptr_array_index (m->live, i));
}

gboolean
cs_check (CsModel * m, const CsStats * st)
{
  guint64 outstanding = g_hash_table_size (m->outstanding);
  guint64 d = st->miscompares - m->last_misc;

  m->checks++;
  if (m->error)
    return FALSE;
  if (m->must_pending) {
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init (&it, m->outstanding);
    while (g_hash_table_iter_next (&it, NULL, &v)) {
      Rec *r = v;

      if (r->how == HOW_QUEUED)
        continue;
      if (r->conn)
        fail (m, "%s connection %u: frame %" G_GUINT64_FORMAT " (%s) was not "
            "released (%s)", kind_name (r->conn), r->conn->index, r->id,
            r->conn->kind == KIND_TCP ? "segment" : "datagram",
            how_names[r->how]);
      else
        fail (m, "frame %" G_GUINT64_FORMAT " was not released (%s)", r->id,
            how_names[r->how]);
      break;
    }
    return FALSE;
  }
#define EQ(what, got, want) G_STMT_START {                               \
  if ((got) != (want)) {                                                \
    fail (m, "%s: %" G_GUINT64_FORMAT ", the model expects %"           \
        G_GUINT64_FORMAT, what, (guint64) (got), (guint64) (want));     \
    return FALSE;                                                       \
  }                                                                     \
} G_STMT_END
  EQ ("primary-packets", st->primary_packets, m->in[CS_PRIMARY]);
  EQ ("secondary-packets", st->secondary_packets, m->in[CS_SECONDARY]);
  EQ ("released", st->released, m->out_released);
  EQ ("flushed", st->flushed, m->out_flushed);
  EQ ("passed-through", st->passed_through, m->out_passed);
  EQ ("dropped", st->dropped, m->exp_dropped);
  EQ ("secondary-dropped", st->secondary_dropped, m->exp_sec_dropped);
  EQ ("malformed", st->malformed, m->exp_malformed);
  EQ ("queued-primary", st->queued_primary, outstanding);
  EQ ("primaries in - out - dropped", m->in[CS_PRIMARY] - m->n_out
      - m->n_dropped_p, outstanding);
#undef EQ
  if (d < m->misc_lo || d > m->misc_hi) {
    fail (m, "%" G_GUINT64_FORMAT " miscompare(s) since the last check, the "
        "model expects %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, d,
        m->misc_lo, m->misc_hi);
    return FALSE;
  }
  m->last_misc = st->miscompares;
  m->misc_lo = m->misc_hi = 0;
  return TRUE;
}

const gchar *
cs_error (CsModel * m)
{
  return m->error;
}

guint64
cs_out (CsModel * m)
{
  return m->n_out;
}

guint64
cs_in (CsModel * m, gint side)
{
  return m->in[side];
}

guint64
cs_outstanding (CsModel * m)
{
  return g_hash_table_size (m->outstanding);
}

gboolean
cs_failover_on (CsModel * m)
{
  return m->failover;
}

gchar *
cs_summary (CsModel * m)
{
  return g_strdup_printf ("frames in %" G_GUINT64_FORMAT " primary + %"
      G_GUINT64_FORMAT " secondary, released %" G_GUINT64_FORMAT
      " (compared %" G_GUINT64_FORMAT ", flushed %" G_GUINT64_FORMAT
      ", passed through %" G_GUINT64_FORMAT "), primaries dropped %"
      G_GUINT64_FORMAT "; connections %" G_GUINT64_FORMAT ", TCP segments %"
      G_GUINT64_FORMAT " (retransmitted %" G_GUINT64_FORMAT ", reordered %"
      G_GUINT64_FORMAT "), TCP instances %" G_GUINT64_FORMAT
      ", divergences %" G_GUINT64_FORMAT " (connection endings %"
      G_GUINT64_FORMAT "), other frames %" G_GUINT64_FORMAT
      "; predicted releases verified: datagram %" G_GUINT64_FORMAT
      ", TCP %" G_GUINT64_FORMAT ", bulk %" G_GUINT64_FORMAT
      ", passed %" G_GUINT64_FORMAT "; TCP released before the model could "
      "tell %" G_GUINT64_FORMAT " (checked against what the secondary sent: %"
      G_GUINT64_FORMAT "); order checks %" G_GUINT64_FORMAT
      "; TCP state possibly lost %" G_GUINT64_FORMAT " times, regained %"
      G_GUINT64_FORMAT "; model checks %" G_GUINT64_FORMAT,
      m->in[CS_PRIMARY], m->in[CS_SECONDARY], m->n_out, m->out_released,
      m->out_flushed, m->out_passed, m->n_dropped_p, m->conns_created,
      m->tcp_segments, m->retrans, m->reordered, m->instances,
      m->divergences, m->end_divergences, m->others, m->pred_dgram, m->pred_tcp,
      m->pred_bulk, m->pred_pass, m->tcp_early, m->uncompared_checked,
      m->order_checked, m->taints, m->untaints, m->checks);
}

/* --- life ------------------------------------------------------------------ */

void
cs_params_init (CsParams * p)
{
  memset (p, 0, sizeof (*p));
  p->conns = 32;
  p->divergence_permille = 8;
  p->ending_permille = 100;
  p->other_permille = 10;
  p->max_segment = 1400;
  p->max_stream = 12000;
  p->forget_after = 60 * G_GUINT64_CONSTANT (1000000000);
}

CsModel *
cs_model_new (guint32 seed, const CsParams * params)
{
  CsModel *m = g_new0 (CsModel, 1);
  guint i;

  m->p = *params;
  g_assert (m->p.conns > 0 && m->p.max_segment > 0);
  m->seed = seed;
  m->rand = g_rand_new_with_seed (seed);
  m->slots = g_ptr_array_new ();
  m->live = g_ptr_array_new ();
  m->ids = g_byte_array_new ();
  m->outstanding = g_hash_table_new (g_int64_hash, g_int64_equal);
  m->trace = g_getenv ("COLO_TRACE_CONN") ?
      g_ascii_strtoll (g_getenv ("COLO_TRACE_CONN"), NULL, 0) : -1;
  for (i = 0; i < m->p.conns; i++)
    g_ptr_array_add (m->slots, conn_new (m));
  return m;
}

void
cs_model_free (CsModel * m)
{
  GHashTableIter it;
  gpointer v;
  guint i;

  g_hash_table_iter_init (&it, m->outstanding);
  while (g_hash_table_iter_next (&it, NULL, &v))
    rec_free (v);
  g_hash_table_unref (m->outstanding);
  for (i = 0; i < m->live->len; i++) {
    Conn *c = g_ptr_array_index (m->live, i);

    while (c->sq.head)
      g_free (g_queue_pop_head (&c->sq));
    g_free (c);
  }
  g_ptr_array_unref (m->live);
  g_ptr_array_unref (m->slots);
  g_byte_array_unref (m->ids);
  g_rand_free (m->rand);
  g_free (m->error);
  g_free (m);
}
