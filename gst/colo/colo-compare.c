#include <string.h>
#include "colo-compare.h"
#include "colo-frag.h"
#include "colo-rules.h"
#include "colo-passthrough.h"

#define MS (G_GUINT64_CONSTANT (1000000))

struct _ColoComparator
{
  ColoCompareOps ops;
  gpointer user_data;
  ColoCompareConfig config;
  ColoConnTable *conns;
  ColoFragTable *frag[COLO_N_SIDES];    /* IP fragments being reassembled */
  ColoPacket *age_head, *age_tail;      /* every queued packet, by arrival */
  ColoPacket *pool;             /* free packets, linked through next */
  guint64 forget_at;            /* no idle connection is due before */
  guint pool_size;
  gboolean failover;
  gboolean trace;               /* the decision log is on */
  guint64 mode_since;           /* when the current mode began */
  ColoPassthrough *passthrough; /* NULL: no rule */
  ColoStats stats;

  /* checkpoint request episode (docs/design.md, "Checkpoint requests") */
  gboolean request_pending;     /* posted, no checkpoint-done yet */
  guint64 last_post;
  gboolean have_trigger;        /* first trigger of the current call */
  ColoTrigger trigger;
  guint64 now;

  /* frames handed back lately, per side: a ring of config.history */
  GPtrArray *history[COLO_N_SIDES];     /* HistoryFrame */
  guint history_next[COLO_N_SIDES];

  /* inside colo_comparator_begin_batch () .. end_batch () */
  gboolean in_batch;
  GArray *full_in_batch;        /* FullQueue: reached max_queue_size */
};

/* A frame kept for divergence evidence after it went out */
typedef struct
{
  ColoConnKey key;
  guint64 arrival;
  gsize size;
  guint8 data[];                /* from the Ethernet header on */
} HistoryFrame;

/* A queue that reached max_queue_size during a batch (by key: the
 * connection may be forgotten before the batch ends) */
typedef struct
{
  ColoConnKey key;
  ColoSide side;
} FullQueue;

void
colo_compare_config_init (ColoCompareConfig * config)
{
  memset (config, 0, sizeof (*config));
  config->compare_timeout = COLO_DEFAULT_COMPARE_TIMEOUT_MS * MS;
  config->scan_cycle = COLO_DEFAULT_SCAN_CYCLE_MS * MS;
  config->max_queue_size = COLO_DEFAULT_MAX_QUEUE_SIZE;
  config->auto_release = FALSE;
  config->idle_timeout = COLO_DEFAULT_IDLE_TIMEOUT_MS * MS;
  config->tcp_linger = COLO_DEFAULT_TCP_LINGER_MS * MS;
  config->reassembly_max_bytes = COLO_DEFAULT_REASSEMBLY_MAX_BYTES;
}

ColoComparator *
colo_comparator_new (const ColoCompareOps * ops, gpointer user_data)
{
  ColoComparator *c = g_new0 (ColoComparator, 1);

  c->ops = *ops;
  c->user_data = user_data;
  c->mode_since = 0;
  colo_compare_config_init (&c->config);
  c->conns = colo_conn_table_new ();
  c->frag[COLO_SIDE_PRIMARY] = colo_frag_table_new ();
  c->frag[COLO_SIDE_SECONDARY] = colo_frag_table_new ();
  colo_frag_table_set_limits (c->frag[COLO_SIDE_PRIMARY],
      c->config.compare_timeout, c->config.reassembly_max_bytes);
  colo_frag_table_set_limits (c->frag[COLO_SIDE_SECONDARY],
      c->config.compare_timeout, c->config.reassembly_max_bytes);
  c->full_in_batch = g_array_new (FALSE, FALSE, sizeof (FullQueue));
  c->history[COLO_SIDE_PRIMARY] = g_ptr_array_new_with_free_func (g_free);
  c->history[COLO_SIDE_SECONDARY] = g_ptr_array_new_with_free_func (g_free);
  return c;
}

void
colo_comparator_free (ColoComparator * c)
{
  if (!c)
    return;
  colo_comparator_discard (c);
  colo_conn_table_free (c->conns);
  colo_passthrough_free (c->passthrough);
  colo_frag_table_free (c->frag[COLO_SIDE_PRIMARY]);
  colo_frag_table_free (c->frag[COLO_SIDE_SECONDARY]);
  g_array_unref (c->full_in_batch);
  g_ptr_array_unref (c->history[COLO_SIDE_PRIMARY]);
  g_ptr_array_unref (c->history[COLO_SIDE_SECONDARY]);
  while (c->pool) {
    ColoPacket *p = c->pool;

    c->pool = p->next;
    g_free (p);
  }
  g_free (c);
}

void
colo_comparator_set_config (ColoComparator * c,
    const ColoCompareConfig * config)
{
  guint side;

  if (config->history != c->config.history)
    for (side = 0; side < COLO_N_SIDES; side++) {
      g_ptr_array_set_size (c->history[side], 0);
      c->history_next[side] = 0;
    }
  c->config = *config;
  if (c->config.max_queue_size == 0)
    c->config.max_queue_size = 1;
  c->forget_at = 0;             /* timeouts changed: look again */
  colo_frag_table_set_limits (c->frag[COLO_SIDE_PRIMARY],
      c->config.compare_timeout, c->config.reassembly_max_bytes);
  colo_frag_table_set_limits (c->frag[COLO_SIDE_SECONDARY],
      c->config.compare_timeout, c->config.reassembly_max_bytes);
}

const char *
colo_trigger_reason_to_string (ColoTriggerReason reason)
{
  switch (reason) {
    case COLO_TRIGGER_MISCOMPARE:
      return "miscompare";
    case COLO_TRIGGER_STALE:
      return "stale";
    case COLO_TRIGGER_QUEUE_FULL:
      return "queue-full";
  }
  return "unknown";
}

const char *
colo_decision_to_string (ColoDecision decision)
{
  static const char *const names[] = {
    [COLO_DECISION_QUEUED] = "queued",
    [COLO_DECISION_HELD] = "held",
    [COLO_DECISION_RELEASED] = "released",
    [COLO_DECISION_CONSUMED] = "consumed",
    [COLO_DECISION_PASSED] = "passed",
    [COLO_DECISION_DIVERGED] = "diverged",
    [COLO_DECISION_FLUSHED] = "flushed",
    [COLO_DECISION_DISCARDED] = "discarded",
  };

  return (guint) decision < G_N_ELEMENTS (names) ? names[decision] : "unknown";
}

void
colo_comparator_set_trace (ColoComparator * c, gboolean on)
{
  c->trace = on && c->ops.trace;
}

/* The decision log (docs/design.md, "Divergence evidence"): one event per
 * decision on a frame, only while it is on. */
static void
trace_frame (ColoComparator * c, ColoSide side, const ColoConnKey * key,
    gpointer handle, gsize size, ColoDecision decision, const char *why)
{
  ColoTraceEvent ev = {
    .side = side,
    .decision = decision,
    .why = why,
    .key = key,
    .handle = handle,
    .size = size,
  };

  c->ops.trace (&ev, c->user_data);
}

#define TRACE_FRAME(c, side, key, handle, size, decision, why) G_STMT_START { \
  if (G_UNLIKELY ((c)->trace))                                              \
    trace_frame (c, side, key, handle, size, decision, why);                \
} G_STMT_END

static void
trace_packet (ColoComparator * c, const ColoPacket * p, ColoDecision decision,
    const char *why)
{
  ColoTraceEvent ev = {
    .side = p->side,
    .decision = decision,
    .why = why,
    .key = &p->conn->key,
    .handle = p->handle,
    .size = p->size,
    .is_tcp = colo_conn_key_is_tcp (&p->conn->key),
    .tcp_seq = p->seq,
    .tcp_len = p->end - p->seq,
  };

  c->ops.trace (&ev, c->user_data);
}

#define TRACE_PACKET(c, p, decision, why) G_STMT_START {                    \
  if (G_UNLIKELY ((c)->trace))                                              \
    trace_packet (c, p, decision, why);                                     \
} G_STMT_END

static const ColoRule *
rule_of (const ColoConn * conn)
{
  return colo_conn_key_is_tcp (&conn->key) ? &colo_tcp_rule :
      &colo_datagram_rule;
}

/* --- packets ------------------------------------------------------------ */

static void
age_list_remove (ColoComparator * c, ColoPacket * p)
{
  if (p->age_prev)
    p->age_prev->age_next = p->age_next;
  else
    c->age_head = p->age_next;
  if (p->age_next)
    p->age_next->age_prev = p->age_prev;
  else
    c->age_tail = p->age_prev;
}

static void
age_list_append (ColoComparator * c, ColoPacket * p)
{
  p->age_next = NULL;
  p->age_prev = c->age_tail;
  if (c->age_tail)
    c->age_tail->age_next = p;
  else
    c->age_head = p;
  c->age_tail = p;
}

/* A frame held for reassembly arrived before frames already queued: it
 * goes in its place by arrival, so that the head stays the oldest. */
static void
age_list_insert (ColoComparator * c, ColoPacket * p)
{
  ColoPacket *after = c->age_tail;

  while (after && after->arrival > p->arrival)
    after = after->age_prev;
  p->age_prev = after;
  p->age_next = after ? after->age_next : c->age_head;
  if (p->age_next)
    p->age_next->age_prev = p;
  else
    c->age_tail = p;
  if (after)
    after->age_next = p;
  else
    c->age_head = p;
}

/* Queued packets come from a free list, so that a frame in steady state
 * costs no heap allocation; the list keeps at most POOL_MAX packets. */
#define POOL_MAX 65536

static ColoPacket *
packet_new (ColoComparator * c)
{
  ColoPacket *p = c->pool;

  if (!p)
    return g_new (ColoPacket, 1);
  c->pool = p->next;
  c->pool_size--;
  return p;
}

static void
packet_free (ColoComparator * c, ColoPacket * p)
{
  if (c->pool_size >= POOL_MAX) {
    g_free (p);
    return;
  }
  p->next = c->pool;
  c->pool = p;
  c->pool_size++;
}

/* Keeps a copy of p in its side's history ring (divergence evidence). */
static void
remember (ColoComparator * c, const ColoPacket * p)
{
  GPtrArray *ring = c->history[p->side];
  gsize size = p->size - p->vnet_len;
  HistoryFrame *h = g_malloc (sizeof (HistoryFrame) + size);

  h->key = p->conn->key;
  h->arrival = p->arrival;
  h->size = size;
  memcpy (h->data, p->data + p->vnet_len, size);
  if (ring->len < c->config.history) {
    g_ptr_array_add (ring, h);
    return;
  }
  g_free (g_ptr_array_index (ring, c->history_next[p->side]));
  g_ptr_array_index (ring, c->history_next[p->side]) = h;
  c->history_next[p->side] = (c->history_next[p->side] + 1) % ring->len;
}

/* The frames a queued packet stands for: a reassembled datagram's
 * fragments, or 1 */
static guint
frames_of (const ColoPacket * p)
{
  return p->group ? colo_frag_datagram_n_fragments (p->handle) : 1;
}

/* Hands a frame back through the release or drop callback; a reassembled
 * datagram (group) hands back its original fragments, in arrival order. */
static void
give_back (ColoComparator * c, gpointer handle, const guint8 * data,
    gsize size, gboolean group, gboolean release)
{
  ColoFragFunc func = release ? c->ops.release : c->ops.drop;

  if (group)
    colo_frag_datagram_hand_back (handle, func, c->user_data);
  else
    func (handle, data, size, c->user_data);
}

/* Unlinks a queued packet, returns it to the pool and hands its frame back
 * through the release (primary) or drop callback. */
static void
hand_back (ColoComparator * c, ColoPacket * p, gboolean release)
{
  gpointer handle = p->handle;
  const guint8 *data = p->data;
  gsize size = p->size;
  gboolean group = p->group;

  if (G_UNLIKELY (c->config.history))
    remember (c, p);

  colo_queue_remove (&p->conn->queue[p->side], p);
  age_list_remove (c, p);
  if (p->side == COLO_SIDE_PRIMARY)
    c->stats.queued_primary -= frames_of (p);
  else
    c->stats.queued_secondary -= frames_of (p);
  packet_free (c, p);
  give_back (c, handle, data, size, group, release);
}

/* --- checkpoint requests ------------------------------------------------ */

static void
note_trigger (ColoComparator * c, ColoTriggerReason reason, ColoConn * conn,
    ColoSide side)
{
  switch (reason) {
    case COLO_TRIGGER_MISCOMPARE:
      c->stats.miscompares++;
      break;
    case COLO_TRIGGER_STALE:
      c->stats.stale++;
      break;
    case COLO_TRIGGER_QUEUE_FULL:
      c->stats.queue_full++;
      break;
  }
  if (c->have_trigger)
    return;                     /* one request per call: the first cause */
  memset (&c->trigger, 0, sizeof (c->trigger));
  c->trigger.reason = reason;
  c->trigger.key = conn->key;
  c->trigger.side = side;
  c->trigger.time = c->now;
  c->have_trigger = TRUE;
}

/* --- what the rules do (ColoRuleActions) -------------------------------- */

static void
act_release (gpointer ctx, ColoPacket * p)
{
  ColoComparator *c = ctx;

  g_assert (p->side == COLO_SIDE_PRIMARY);
  c->stats.released += frames_of (p);
  TRACE_PACKET (c, p, COLO_DECISION_RELEASED, "matched");
  hand_back (c, p, TRUE);
}

static void
act_drop (gpointer ctx, ColoPacket * p)
{
  ColoComparator *c = ctx;

  TRACE_PACKET (c, p, COLO_DECISION_CONSUMED, "matched");
  hand_back (c, p, FALSE);
}

static void
act_held (gpointer ctx, const ColoPacket * p, const char *why)
{
  ColoComparator *c = ctx;

  TRACE_PACKET (c, p, COLO_DECISION_HELD, why);
}

/* Copies the evidence around the first difference into the trigger: the
 * same number of bytes before it on both sides, so that the excerpts line
 * up byte for byte. */
static void
note_excerpts (ColoTrigger * t, const ColoPacket * p, guint32 p_at,
    const ColoPacket * s, guint32 s_at)
{
  guint32 before = MIN (MIN (p_at, COLO_EXCERPT_MAX / 2), p->payload_len);

  if (s)
    before = MIN (before, MIN (s_at, s->payload_len));
  t->excerpt_before = before;
  t->excerpt_len[COLO_SIDE_PRIMARY] =
      MIN (COLO_EXCERPT_MAX, p->payload_len - (p_at - before));
  memcpy (t->excerpt[COLO_SIDE_PRIMARY],
      p->data + p->payload_offset + p_at - before,
      t->excerpt_len[COLO_SIDE_PRIMARY]);
  t->excerpt_len[COLO_SIDE_SECONDARY] = 0;
  if (s) {
    t->excerpt_len[COLO_SIDE_SECONDARY] =
        MIN (COLO_EXCERPT_MAX, s->payload_len - (s_at - before));
    memcpy (t->excerpt[COLO_SIDE_SECONDARY],
        s->data + s->payload_offset + s_at - before,
        t->excerpt_len[COLO_SIDE_SECONDARY]);
  }
}

static void
act_diverged (gpointer ctx, ColoConn * conn, const ColoPacket * p,
    guint32 p_at, const ColoPacket * s, guint32 s_at, gboolean has_tcp_seq,
    guint32 tcp_seq)
{
  ColoComparator *c = ctx;

  conn->diverged = TRUE;
  note_trigger (c, COLO_TRIGGER_MISCOMPARE, conn, COLO_SIDE_PRIMARY);
  if (c->trigger.reason == COLO_TRIGGER_MISCOMPARE && !c->trigger.has_offset) {
    c->trigger.has_offset = TRUE;
    c->trigger.offset = p_at;
    c->trigger.has_tcp_seq = has_tcp_seq;
    c->trigger.tcp_seq = tcp_seq;
    note_excerpts (&c->trigger, p, p_at, s, s_at);
  }
  TRACE_PACKET (c, p, COLO_DECISION_DIVERGED, "differs from the secondary");
}

static void release_all (ColoComparator * c, const char *why);

/* End of every public call (of the batch, inside one): post what was
 * triggered, once per episode, again at most once per scan cycle while
 * unanswered. */
static void
finish_call (ColoComparator * c)
{
  ColoTrigger trigger;

  if (!c->have_trigger || c->in_batch)
    return;
  c->have_trigger = FALSE;
  if (c->request_pending && c->now - c->last_post < c->config.scan_cycle)
    return;

  trigger = c->trigger;
  c->request_pending = TRUE;
  c->last_post = c->now;
  c->stats.checkpoints_requested++;
  c->stats.requests[trigger.reason]++;
  c->ops.request_checkpoint (&trigger, c->user_data);

  if (c->config.auto_release)
    release_all (c, "auto-release");
}

static const ColoRuleActions actions = {
  .release = act_release,
  .drop = act_drop,
  .diverged = act_diverged,
  .held = act_held,
};

/* --- connection lifetime ------------------------------------------------ */

static guint64
effective_linger (ColoComparator * c)
{
  if (c->config.idle_timeout)
    return MIN (c->config.tcp_linger, c->config.idle_timeout);
  return c->config.tcp_linger;
}

/* A connection with nothing queued goes on an idle list, from which it is
 * forgotten after idle_timeout (or, once its TCP output ended, after the
 * linger); one holding frames is on none, so it is never walked. */
static void
update_idle (ColoComparator * c, ColoConn * conn)
{
  ColoIdleList list = COLO_IDLE_NONE;

  guint64 timeout = 0;

  if (!conn->queue[COLO_SIDE_PRIMARY].length
      && !conn->queue[COLO_SIDE_SECONDARY].length) {
    if (rule_of (conn)->ended (conn)) {
      list = COLO_IDLE_ENDED;
      timeout = effective_linger (c);
    } else if (c->config.idle_timeout) {
      list = COLO_IDLE_OPEN;
      timeout = c->config.idle_timeout;
    } else {
      list = COLO_IDLE_OPEN;
      timeout = G_MAXUINT64 - c->now;   /* never */
    }
  }
  colo_conn_table_set_idle (c->conns, conn, list, c->now);
  if (list != COLO_IDLE_NONE && c->now + timeout < c->forget_at)
    c->forget_at = c->now + timeout;
}

/* Forgets the connections idle on `list` for timeout or longer; returns
 * when the next one will be due (G_MAXUINT64: none). */
static guint64
forget_idle (ColoComparator * c, ColoIdleList list, guint64 timeout,
    guint64 now, guint64 * counter)
{
  ColoConn *conn;

  while ((conn = colo_conn_table_oldest_idle (c->conns, list))) {
    if (now < conn->last_seen || now - conn->last_seen < timeout)
      return timeout > G_MAXUINT64 - conn->last_seen ? G_MAXUINT64 :
          conn->last_seen + timeout;
    colo_conn_table_remove (c->conns, conn);
    (*counter)++;
  }
  return G_MAXUINT64;
}

/* Forgets idle connections, so that the table does not grow with every
 * flow ever seen.  Safe to forget: a datagram connection has no state
 * beyond its queues, and a TCP stream that resumes is aligned again from
 * its next segments (pure ACKs such as keepalives go out uncompared
 * anyway).  The default idle timeout (300 s) is above TCP's largest
 * retransmission timeout (120 s), so a stream that is still retransmitting
 * is never forgotten; the linger of an ended one (60 s) is TIME-WAIT's.
 * forget_at (the earliest time a connection may be due, never later than
 * the true one) keeps this to one comparison per frame. */
static void
forget_expired (ColoComparator * c, guint64 now)
{
  guint64 next = G_MAXUINT64;

  if (now < c->forget_at)
    return;
  if (c->config.idle_timeout)
    next = forget_idle (c, COLO_IDLE_OPEN, c->config.idle_timeout, now,
        &c->stats.evicted);
  next = MIN (next, forget_idle (c, COLO_IDLE_ENDED, effective_linger (c),
          now, &c->stats.closed));
  c->forget_at = next;
}

/* --- input -------------------------------------------------------------- */

/* Forwards a frame (or a reassembled datagram: group) uncompared from the
 * primary, drops it from the secondary. */
static void
forward_group (ColoComparator * c, ColoSide side, const ColoConnKey * key,
    gpointer handle, const guint8 * data, gsize size, gboolean group,
    const char *why)
{
  guint n = group ? colo_frag_datagram_n_fragments (handle) : 1;

  TRACE_FRAME (c, side, key, handle, size, COLO_DECISION_PASSED, why);
  if (side == COLO_SIDE_PRIMARY)
    c->stats.passed_through += n;
  else
    c->stats.secondary_dropped += n;
  give_back (c, handle, data, size, group, side == COLO_SIDE_PRIMARY);
}

static void
forward_uncompared (ColoComparator * c, ColoSide side,
    const ColoConnKey * key, gpointer handle, const guint8 * data, gsize size,
    const char *why)
{
  forward_group (c, side, key, handle, data, size, FALSE, why);
}

/* Queues a parsed frame on its connection and compares.  arrival: when
 * the frame came (before c->now for fragments held for reassembly); group:
 * handle is a reassembled datagram (docs/design.md, "IP fragments"). */
static void
queue_frame (ColoComparator * c, ColoSide side, const ColoPacketInfo * info,
    const guint8 * data, gsize size, gpointer handle, guint64 arrival,
    gboolean group)
{
  guint64 now = c->now;
  ColoConnKey key;
  ColoConn *conn;
  ColoPacket *p;
  const ColoRule *rule;
  gboolean created;

  colo_conn_key_from_info (&key, info);
  /* after reassembly: a datagram's rule sees its ports */
  if (G_UNLIKELY (c->passthrough)
      && colo_passthrough_matches (c->passthrough, &key)) {
    c->stats.passthrough[side] += group ?
        colo_frag_datagram_n_fragments (handle) : 1;
    forward_group (c, side, &key, handle, data, size, group,
        "passthrough rule");
    return;
  }
  conn = colo_conn_table_lookup (c->conns, &key, &created);
  /* Off the idle lists while we work on it: it cannot be forgotten. */
  colo_conn_table_set_idle (c->conns, conn, COLO_IDLE_NONE, now);
  conn->last_seen = now;
  forget_expired (c, now);
  rule = rule_of (conn);

  p = packet_new (c);
  p->conn = conn;
  p->handle = handle;
  p->data = data;
  p->size = size;
  p->arrival = arrival;
  p->l4_offset = info->l4_offset;
  p->l4_len = info->l4_len;
  p->payload_offset = info->payload_offset;
  p->payload_len = info->payload_len;
  p->side = side;
  p->rst_matched = FALSE;
  p->group = group;
  /* virtio-net header: what comes before Ethernet and its tags */
  p->vnet_len = info->l3_offset - 14 - 4 * info->n_vlan;

  if (rule->admit (conn, p, info)) {
    TRACE_PACKET (c, p, COLO_DECISION_QUEUED, "to compare");
    if (arrival < now)
      age_list_insert (c, p);
    else
      age_list_append (c, p);
    if (side == COLO_SIDE_PRIMARY)
      c->stats.queued_primary += frames_of (p);
    else
      c->stats.queued_secondary += frames_of (p);
    if (conn->queue[side].length == c->config.max_queue_size) {
      if (c->in_batch) {
        FullQueue f = { conn->key, side };

        g_array_append_val (c->full_in_batch, f);
      } else {
        note_trigger (c, COLO_TRIGGER_QUEUE_FULL, conn, side);
      }
    }
  } else {
    /* Nothing to compare in it (a pure TCP ACK) */
    guint n = frames_of (p);

    TRACE_PACKET (c, p, side == COLO_SIDE_PRIMARY ? COLO_DECISION_RELEASED :
        COLO_DECISION_CONSUMED, "nothing to compare (pure ACK)");
    packet_free (c, p);
    if (side == COLO_SIDE_PRIMARY)
      c->stats.released += n;
    give_back (c, handle, data, size, group, side == COLO_SIDE_PRIMARY);
  }

  rule->compare (conn, &actions, c);
  update_idle (c, conn);
}

/* --- IP fragments (docs/design.md, "IP fragments") ---------------------- */

/* A datagram given up: its fragments are compared one by one, each queued
 * with its own arrival time. */
static void
queue_fragments_alone (ColoComparator * c, ColoSide side,
    ColoFragDatagram * d, ColoFragFailure why)
{
  gpointer handle;
  const guint8 *data;
  gsize size;
  guint vnet_hdr_len;
  guint64 arrival;

  c->stats.reassembly_failed++;
  if (why == COLO_FRAG_FAILURE_OVERLAP)
    c->stats.fragment_overlaps++;
  while (colo_frag_datagram_pop (d, &handle, &data, &size, &vnet_hdr_len,
          &arrival)) {
    ColoPacketInfo info;

    /* it parsed as a fragment when it came */
    colo_packet_parse (data, size, vnet_hdr_len, &info);
    queue_frame (c, side, &info, data, size, handle, arrival, FALSE);
  }
}

/* Gives up the datagrams that timed out or exceed the memory bound. */
static void
expire_fragments (ColoComparator * c, guint64 now)
{
  guint side;

  for (side = 0; side < COLO_N_SIDES; side++) {
    ColoFragDatagram *d;
    ColoFragFailure why;

    while ((d = colo_frag_table_pop_expired (c->frag[side], now, &why)))
      queue_fragments_alone (c, side, d, why);
  }
}

static void
push_fragment (ColoComparator * c, ColoSide side, const ColoPacketInfo * info,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle)
{
  ColoFragDatagram *d = NULL;
  ColoFragFailure why = COLO_FRAG_FAILURE_INVALID;
  const guint8 *frame;
  gsize frame_size;

  c->stats.fragments++;
  switch (colo_frag_table_add (c->frag[side], info, data, size, vnet_hdr_len,
          handle, c->now, &d, &why)) {
    case COLO_FRAG_HELD:
      break;
    case COLO_FRAG_COMPLETE:
      c->stats.reassembled++;
      frame = colo_frag_datagram_frame (d, &frame_size);
      queue_frame (c, side, colo_frag_datagram_info (d), frame, frame_size,
          d, colo_frag_datagram_arrival (d), TRUE);
      break;
    case COLO_FRAG_GIVEN_UP:
      queue_fragments_alone (c, side, d, why);
      break;
    case COLO_FRAG_ALONE:
      queue_frame (c, side, info, data, size, handle, c->now, FALSE);
      break;
  }
  expire_fragments (c, c->now);
}

/* Hands back every fragment held for reassembly, oldest datagram first:
 * the primary's released (release) or dropped, the secondary's dropped. */
static void
drain_fragments (ColoComparator * c, gboolean release)
{
  ColoFragDatagram *d;

  while ((d = colo_frag_table_pop_oldest (c->frag[COLO_SIDE_PRIMARY]))) {
    if (release)
      c->stats.flushed += colo_frag_datagram_n_fragments (d);
    else
      c->stats.dropped += colo_frag_datagram_n_fragments (d);
    give_back (c, d, NULL, 0, TRUE, release);
  }
  while ((d = colo_frag_table_pop_oldest (c->frag[COLO_SIDE_SECONDARY]))) {
    if (release)
      c->stats.secondary_dropped += colo_frag_datagram_n_fragments (d);
    else
      c->stats.dropped += colo_frag_datagram_n_fragments (d);
    give_back (c, d, NULL, 0, TRUE, FALSE);
  }
}

/* --- input, continued --------------------------------------------------- */

void
colo_comparator_push (ColoComparator * c, ColoSide side,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle,
    guint64 now)
{
  ColoPacketInfo info;

  c->now = now;
  if (side == COLO_SIDE_PRIMARY)
    c->stats.primary_packets++;
  else
    c->stats.secondary_packets++;

  if (c->failover) {
    forward_uncompared (c, side, NULL, handle, data, size, "failover");
    return;
  }

  switch (colo_packet_parse (data, size, vnet_hdr_len, &info)) {
    case COLO_PARSE_OK:
      break;
    case COLO_PARSE_MALFORMED:
      c->stats.malformed++;
      if (c->ops.malformed)
        c->ops.malformed (side, info.error, c->user_data);
      forward_uncompared (c, side, NULL, handle, data, size, "malformed");
      return;
    case COLO_PARSE_NOT_IP:
    default:
      forward_uncompared (c, side, NULL, handle, data, size, "not IP");
      return;
  }

  if (info.is_fragment && c->config.reassembly_max_bytes > 0)
    push_fragment (c, side, &info, data, size, vnet_hdr_len, handle);
  else
    queue_frame (c, side, &info, data, size, handle, now, FALSE);
  finish_call (c);
}

void
colo_comparator_begin_batch (ColoComparator * c)
{
  c->in_batch = TRUE;
}

void
colo_comparator_end_batch (ColoComparator * c)
{
  guint i;

  c->in_batch = FALSE;
  for (i = 0; i < c->full_in_batch->len; i++) {
    FullQueue *f = &g_array_index (c->full_in_batch, FullQueue, i);
    ColoConn *conn = colo_conn_table_find (c->conns, &f->key);

    /* (forgotten since: nothing is queued) */
    if (conn && conn->queue[f->side].length >= c->config.max_queue_size)
      note_trigger (c, COLO_TRIGGER_QUEUE_FULL, conn, f->side);
  }
  g_array_set_size (c->full_in_batch, 0);
  finish_call (c);
}

void
colo_comparator_foreach_queued (ColoComparator * c, ColoQueuedFunc func,
    gpointer user_data)
{
  ColoPacket *p;

  /* The parse offsets are relative to the frame's start: they stay.  A
   * reassembled datagram's frame is its own copy: its fragments move. */
  for (p = c->age_head; p; p = p->age_next)
    if (p->group)
      colo_frag_datagram_foreach (p->handle, func, user_data);
    else
      func (&p->handle, &p->data, p->size, user_data);
  colo_frag_table_foreach (c->frag[COLO_SIDE_PRIMARY], func, user_data);
  colo_frag_table_foreach (c->frag[COLO_SIDE_SECONDARY], func, user_data);
}

/* --- passthrough rules -------------------------------------------------- */

/* A connection the new rules pass through: what it holds goes out as the
 * rules now ask (the primary's frames forwarded, the secondary's dropped)
 * and it is forgotten, so that it starts afresh if the rule goes away. */
static gboolean
pass_conn (ColoConn * conn, gpointer user_data)
{
  ColoComparator *c = user_data;
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

  if (!colo_passthrough_matches (c->passthrough, &conn->key))
    return FALSE;
  while (pq->head) {
    c->stats.passed_through += frames_of (pq->head);
    c->stats.passthrough[COLO_SIDE_PRIMARY] += frames_of (pq->head);
    TRACE_PACKET (c, pq->head, COLO_DECISION_FLUSHED, "passthrough rule");
    hand_back (c, pq->head, TRUE);
  }
  while (sq->head) {
    c->stats.secondary_dropped += frames_of (sq->head);
    c->stats.passthrough[COLO_SIDE_SECONDARY] += frames_of (sq->head);
    TRACE_PACKET (c, sq->head, COLO_DECISION_FLUSHED, "passthrough rule");
    hand_back (c, sq->head, FALSE);
  }
  return TRUE;
}

gboolean
colo_comparator_set_passthrough (ColoComparator * c, const char *rules,
    GError ** error)
{
  ColoPassthrough *pt = colo_passthrough_parse (rules, error);

  if (!pt)
    return FALSE;
  colo_passthrough_free (c->passthrough);
  c->passthrough = NULL;
  if (colo_passthrough_is_empty (pt)) {
    colo_passthrough_free (pt);
    return TRUE;
  }
  c->passthrough = pt;
  colo_conn_table_foreach (c->conns, pass_conn, c);
  return TRUE;
}

void
colo_comparator_foreach_on_conn (ColoComparator * c, const ColoConnKey * key,
    guint max_per_side, ColoFrameFunc func, gpointer user_data)
{
  ColoConn *conn = colo_conn_table_find (c->conns, key);
  guint side;

  for (side = 0; side < COLO_N_SIDES; side++) {
    GPtrArray *ring = c->history[side];
    const ColoPacket *p;
    guint n = 0, i;

    for (i = 0; i < ring->len; i++) {
      const HistoryFrame *h = g_ptr_array_index (ring,
          (c->history_next[side] + i) % ring->len);
      ColoFrameInfo f = {
        .side = side,
        .queued = FALSE,
        .data = h->data,
        .size = h->size,
        .arrival = h->arrival,
      };

      if (memcmp (&h->key, key, sizeof (*key)) == 0)
        func (&f, user_data);
    }
    for (p = conn ? conn->queue[side].head : NULL; p && n < max_per_side;
        p = p->next, n++) {
      ColoFrameInfo f = {
        .side = side,
        .queued = TRUE,
        .data = p->data + p->vnet_len,
        .size = p->size - p->vnet_len,
        .arrival = p->arrival,
      };

      func (&f, user_data);
    }
  }
}

/* --- time --------------------------------------------------------------- */

guint64
colo_comparator_next_stale_time (ColoComparator * c)
{
  /* fragments held for reassembly: given up and queued with their arrival
   * (so stale at once) at their datagram's timeout */
  guint64 t = MIN (colo_frag_table_next_expiry (c->frag[COLO_SIDE_PRIMARY]),
      colo_frag_table_next_expiry (c->frag[COLO_SIDE_SECONDARY]));

  if (!c->age_head)
    return t;
  return MIN (t, c->age_head->arrival + c->config.compare_timeout);
}

guint64
colo_comparator_next_scan_time (ColoComparator * c, guint64 now)
{
  guint64 stale = colo_comparator_next_stale_time (c);
  guint64 cycle = MAX (c->config.scan_cycle, 1);
  guint64 t;

  if (stale == G_MAXUINT64)
    return G_MAXUINT64;
  t = (stale + cycle - 1) / cycle * cycle;
  if (t <= now)
    t = (now / cycle + 1) * cycle;
  return t;
}

void
colo_comparator_check_stale (ColoComparator * c, guint64 now)
{
  ColoPacket *oldest;

  c->now = now;
  forget_expired (c, now);
  expire_fragments (c, now);
  oldest = c->age_head;
  if (oldest && now >= oldest->arrival
      && now - oldest->arrival >= c->config.compare_timeout)
    note_trigger (c, COLO_TRIGGER_STALE, oldest->conn, oldest->side);
  finish_call (c);
}

/* --- checkpoint, failover, flush ---------------------------------------- */

/* Releases conn's primary frames in order and drops its secondary ones;
 * the secondary now continues from the primary's state. */
static void
flush_conn (ColoComparator * c, ColoConn * conn, const char *why)
{
  const ColoRule *rule = rule_of (conn);
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

  while (pq->head) {
    rule->resync (conn, pq->head);
    c->stats.flushed += frames_of (pq->head);
    TRACE_PACKET (c, pq->head, COLO_DECISION_FLUSHED, why);
    hand_back (c, pq->head, TRUE);
  }
  while (sq->head) {
    c->stats.secondary_dropped += frames_of (sq->head);
    TRACE_PACKET (c, sq->head, COLO_DECISION_FLUSHED, why);
    hand_back (c, sq->head, FALSE);
  }
  conn->diverged = FALSE;
  rule->resynced (conn);
  update_idle (c, conn);
}

/* Every connection that holds frames has one on the age list (a diverged
 * connection always holds the primary frame that diverged). */
static void
release_all (ColoComparator * c, const char *why)
{
  while (c->age_head)
    flush_conn (c, c->age_head->conn, why);
  drain_fragments (c, TRUE);
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
}

void
colo_comparator_checkpoint_done (ColoComparator * c, guint64 now)
{
  c->now = now;
  release_all (c, "checkpoint-done");
}

/* Adds the time since the current mode began to its counter. */
static void
account_mode (ColoComparator * c)
{
  guint64 spent = c->now > c->mode_since ? c->now - c->mode_since : 0;

  if (c->failover)
    c->stats.time_failover += spent;
  else
    c->stats.time_compare += spent;
  c->mode_since = MAX (c->now, c->mode_since);
}

void
colo_comparator_failover (ColoComparator * c, guint64 now)
{
  c->now = MAX (c->now, now);
  release_all (c, "failover");
  if (c->failover)
    return;
  account_mode (c);
  c->failover = TRUE;
}

void
colo_comparator_resume (ColoComparator * c, guint64 now)
{
  if (!c->failover)
    return;
  c->now = MAX (c->now, now);
  account_mode (c);
  c->failover = FALSE;
  c->stats.resumes++;
  /* Nothing is queued in failover: forget every connection, so each is
   * aligned afresh on the new secondary's output. */
  colo_conn_table_clear (c->conns);
  c->forget_at = 0;
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
}

gboolean
colo_comparator_is_failover (ColoComparator * c)
{
  return c->failover;
}

guint64
colo_comparator_discard (ColoComparator * c)
{
  guint64 primaries = colo_comparator_queued (c, COLO_SIDE_PRIMARY);

  while (c->age_head) {
    c->stats.dropped += frames_of (c->age_head);
    TRACE_PACKET (c, c->age_head, COLO_DECISION_DISCARDED, "flush or stop");
    hand_back (c, c->age_head, FALSE);
  }
  drain_fragments (c, FALSE);
  colo_conn_table_clear (c->conns);
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
  return primaries;
}

guint64
colo_comparator_queued (ColoComparator * c, ColoSide side)
{
  return (side == COLO_SIDE_PRIMARY ? c->stats.queued_primary :
      c->stats.queued_secondary) + colo_frag_table_held (c->frag[side]);
}

void
colo_comparator_get_stats (ColoComparator * c, ColoStats * stats)
{
  guint64 spent = c->now > c->mode_since ? c->now - c->mode_since : 0;

  *stats = c->stats;
  stats->connections = colo_conn_table_size (c->conns);
  stats->queued_primary = colo_comparator_queued (c, COLO_SIDE_PRIMARY);
  stats->queued_secondary = colo_comparator_queued (c, COLO_SIDE_SECONDARY);
  /* the current mode's time so far */
  if (c->failover)
    stats->time_failover += spent;
  else
    stats->time_compare += spent;
}

typedef struct
{
  ColoConnStatusFunc func;
  gpointer user_data;
} StatusWalk;

static gboolean
report_conn (ColoConn * conn, gpointer user_data)
{
  StatusWalk *w = user_data;
  const ColoRule *rule = rule_of (conn);
  ColoConnStatus st = {
    .key = &conn->key,
    .last_seen = conn->last_seen,
    .diverged = conn->diverged,
    .is_tcp = colo_conn_key_is_tcp (&conn->key),
    .ended = rule->ended (conn),
  };
  guint side;

  for (side = 0; side < COLO_N_SIDES; side++) {
    const ColoQueue *q = &conn->queue[side];
    const ColoPacket *p;

    st.queued[side] = q->length;
    st.oldest[side] = G_MAXUINT64;
    /* the queue is in stream order for TCP, not arrival order */
    for (p = q->head; p; p = p->next)
      st.oldest[side] = MIN (st.oldest[side], p->arrival);
  }
  st.tcp_position_valid = rule->position (conn, &st.tcp_position);
  w->func (&st, w->user_data);
  return FALSE;
}

void
colo_comparator_foreach_conn (ColoComparator * c, ColoConnStatusFunc func,
    gpointer user_data)
{
  StatusWalk w = { func, user_data };

  colo_conn_table_foreach (c->conns, report_conn, &w);
}

gsize
colo_comparator_table_bytes (ColoComparator * c)
{
  return colo_conn_table_bytes (c->conns);
}

ColoConnTable *
colo_comparator_get_conn_table (ColoComparator * c)
{
  return c->conns;
}
