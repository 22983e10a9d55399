#include <string.h>
#include "colo-compare.h"
#include "colo-rules.h"

#define MS (G_GUINT64_CONSTANT (1000000))

struct _ColoComparator
{
  ColoCompareOps ops;
  gpointer user_data;
  ColoCompareConfig config;
  ColoConnTable *conns;
  ColoPacket *age_head, *age_tail;      /* every queued packet, by arrival */
  ColoPacket *pool;             /* free packets, linked through next */
  guint64 forget_at;            /* no idle connection is due before */
  guint pool_size;
  gboolean failover;
  ColoStats stats;

  /* checkpoint request episode (docs/design.md, "Checkpoint requests") */
  gboolean request_pending;     /* posted, no checkpoint-done yet */
  guint64 last_post;
  gboolean have_trigger;        /* first trigger of the current call */
  ColoTrigger trigger;
  guint64 now;

  /* inside colo_comparator_begin_batch () .. end_batch () */
  gboolean in_batch;
  GArray *full_in_batch;        /* FullQueue: reached max_queue_size */
};

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
}

ColoComparator *
colo_comparator_new (const ColoCompareOps * ops, gpointer user_data)
{
  ColoComparator *c = g_new0 (ColoComparator, 1);

  c->ops = *ops;
  c->user_data = user_data;
  colo_compare_config_init (&c->config);
  c->conns = colo_conn_table_new ();
  c->full_in_batch = g_array_new (FALSE, FALSE, sizeof (FullQueue));
  return c;
}

void
colo_comparator_free (ColoComparator * c)
{
  if (!c)
    return;
  colo_comparator_discard (c);
  colo_conn_table_free (c->conns);
  g_array_unref (c->full_in_batch);
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
  c->config = *config;
  if (c->config.max_queue_size == 0)
    c->config.max_queue_size = 1;
  c->forget_at = 0;             /* timeouts changed: look again */
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

/* Unlinks a queued packet, returns it to the pool and hands its frame back
 * through the release (primary) or drop callback. */
static void
hand_back (ColoComparator * c, ColoPacket * p, gboolean release)
{
  gpointer handle = p->handle;
  const guint8 *data = p->data;
  gsize size = p->size;

  colo_queue_remove (&p->conn->queue[p->side], p);
  age_list_remove (c, p);
  if (p->side == COLO_SIDE_PRIMARY)
    c->stats.queued_primary--;
  else
    c->stats.queued_secondary--;
  packet_free (c, p);
  if (release)
    c->ops.release (handle, data, size, c->user_data);
  else
    c->ops.drop (handle, data, size, c->user_data);
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
  c->stats.released++;
  hand_back (c, p, TRUE);
}

static void
act_drop (gpointer ctx, ColoPacket * p)
{
  ColoComparator *c = ctx;

  hand_back (c, p, FALSE);
}

static void
act_diverged (gpointer ctx, ColoConn * conn, guint32 offset,
    gboolean has_tcp_seq, guint32 tcp_seq)
{
  ColoComparator *c = ctx;

  conn->diverged = TRUE;
  note_trigger (c, COLO_TRIGGER_MISCOMPARE, conn, COLO_SIDE_PRIMARY);
  if (c->trigger.reason == COLO_TRIGGER_MISCOMPARE && !c->trigger.has_offset) {
    c->trigger.has_offset = TRUE;
    c->trigger.offset = offset;
    c->trigger.has_tcp_seq = has_tcp_seq;
    c->trigger.tcp_seq = tcp_seq;
  }
}

static void release_all (ColoComparator * c);

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
  c->ops.request_checkpoint (&trigger, c->user_data);

  if (c->config.auto_release)
    release_all (c);
}

static const ColoRuleActions actions = {
  .release = act_release,
  .drop = act_drop,
  .diverged = act_diverged,
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

static void
forward_uncompared (ColoComparator * c, ColoSide side, gpointer handle,
    const guint8 * data, gsize size)
{
  if (side == COLO_SIDE_PRIMARY) {
    c->stats.passed_through++;
    c->ops.release (handle, data, size, c->user_data);
  } else {
    c->stats.secondary_dropped++;
    c->ops.drop (handle, data, size, c->user_data);
  }
}

void
colo_comparator_push (ColoComparator * c, ColoSide side,
    const guint8 * data, gsize size, guint vnet_hdr_len, gpointer handle,
    guint64 now)
{
  ColoPacketInfo info;
  ColoConnKey key;
  ColoConn *conn;
  ColoPacket *p;
  const ColoRule *rule;
  gboolean created;

  c->now = now;
  if (side == COLO_SIDE_PRIMARY)
    c->stats.primary_packets++;
  else
    c->stats.secondary_packets++;

  if (c->failover) {
    forward_uncompared (c, side, handle, data, size);
    return;
  }

  switch (colo_packet_parse (data, size, vnet_hdr_len, &info)) {
    case COLO_PARSE_OK:
      break;
    case COLO_PARSE_MALFORMED:
      c->stats.malformed++;
      if (c->ops.malformed)
        c->ops.malformed (side, info.error, c->user_data);
      /* fall through */
    case COLO_PARSE_NOT_IP:
    default:
      forward_uncompared (c, side, handle, data, size);
      return;
  }

  colo_conn_key_from_info (&key, &info);
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
  p->arrival = now;
  p->l4_offset = info.l4_offset;
  p->l4_len = info.l4_len;
  p->payload_offset = info.payload_offset;
  p->payload_len = info.payload_len;
  p->side = side;
  p->rst_matched = FALSE;

  if (rule->admit (conn, p, &info)) {
    age_list_append (c, p);
    if (side == COLO_SIDE_PRIMARY)
      c->stats.queued_primary++;
    else
      c->stats.queued_secondary++;
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
    packet_free (c, p);
    if (side == COLO_SIDE_PRIMARY) {
      c->stats.released++;
      c->ops.release (handle, data, size, c->user_data);
    } else {
      c->ops.drop (handle, data, size, c->user_data);
    }
  }

  rule->compare (conn, &actions, c);
  update_idle (c, conn);
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
    gboolean created;
    ColoConn *conn = colo_conn_table_lookup (c->conns, &f->key, &created);

    if (created)                /* forgotten since: nothing was queued */
      colo_conn_table_remove (c->conns, conn);
    else if (conn->queue[f->side].length >= c->config.max_queue_size)
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

  /* The parse offsets are relative to the frame's start: they stay. */
  for (p = c->age_head; p; p = p->age_next)
    func (&p->handle, &p->data, p->size, user_data);
}

/* --- time --------------------------------------------------------------- */

guint64
colo_comparator_next_stale_time (ColoComparator * c)
{
  if (!c->age_head)
    return G_MAXUINT64;
  return c->age_head->arrival + c->config.compare_timeout;
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
  ColoPacket *oldest = c->age_head;

  c->now = now;
  forget_expired (c, now);
  if (oldest && now >= oldest->arrival
      && now - oldest->arrival >= c->config.compare_timeout)
    note_trigger (c, COLO_TRIGGER_STALE, oldest->conn, oldest->side);
  finish_call (c);
}

/* --- checkpoint, failover, flush ---------------------------------------- */

/* Releases conn's primary frames in order and drops its secondary ones;
 * the secondary now continues from the primary's state. */
static void
flush_conn (ColoComparator * c, ColoConn * conn)
{
  const ColoRule *rule = rule_of (conn);
  ColoQueue *pq = &conn->queue[COLO_SIDE_PRIMARY];
  ColoQueue *sq = &conn->queue[COLO_SIDE_SECONDARY];

  while (pq->head) {
    rule->resync (conn, pq->head);
    c->stats.flushed++;
    hand_back (c, pq->head, TRUE);
  }
  while (sq->head) {
    c->stats.secondary_dropped++;
    act_drop (c, sq->head);
  }
  conn->diverged = FALSE;
  rule->resynced (conn);
  update_idle (c, conn);
}

/* Every connection that holds frames has one on the age list (a diverged
 * connection always holds the primary frame that diverged). */
static void
release_all (ColoComparator * c)
{
  while (c->age_head)
    flush_conn (c, c->age_head->conn);
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
}

void
colo_comparator_checkpoint_done (ColoComparator * c, guint64 now)
{
  c->now = now;
  release_all (c);
}

void
colo_comparator_failover (ColoComparator * c)
{
  release_all (c);
  c->failover = TRUE;
}

gboolean
colo_comparator_is_failover (ColoComparator * c)
{
  return c->failover;
}

guint64
colo_comparator_discard (ColoComparator * c)
{
  guint64 primaries = c->stats.queued_primary;

  while (c->age_head) {
    c->stats.dropped++;
    act_drop (c, c->age_head);
  }
  colo_conn_table_clear (c->conns);
  c->request_pending = FALSE;
  c->have_trigger = FALSE;
  return primaries;
}

guint64
colo_comparator_queued (ColoComparator * c, ColoSide side)
{
  return side == COLO_SIDE_PRIMARY ? c->stats.queued_primary :
      c->stats.queued_secondary;
}

void
colo_comparator_get_stats (ColoComparator * c, ColoStats * stats)
{
  *stats = c->stats;
  stats->connections = colo_conn_table_size (c->conns);
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
