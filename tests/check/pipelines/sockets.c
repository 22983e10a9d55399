/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Real pipelines over real sockets on 127.0.0.1, on the system clock:
 *
 *   tcpserversrc ! colodepay ! colocompare ! colopay ! tcpserversink
 *   tcpserversrc ! colodepay ! colocompare.secondary
 *
 * and udpsrc (one frame per datagram, no caps) on both sides.  Every
 * element binds port 0; the tests read the bound port back, play the
 * primary's and the secondary's QEMU-framed traffic as test clients and
 * read back what is released.  Every wait is for an event (a bus message,
 * bytes, a datagram) with NET_TIMEOUT_S as a failure bound. */

#include <string.h>
#include <gst/check/gstcheck.h>

#include "frames.h"
#include "netclient.h"

#define WAIT (NET_TIMEOUT_S * GST_SECOND)
#define VNET_HDR_LEN 12
#define MAX_WANT 32

typedef enum
{
  PRIMARY,
  SECONDARY
} Side;

/* --- traffic ------------------------------------------------------------- */

typedef struct
{
  GBytes *data;                 /* a record (TCP) or a frame (UDP) as sent */
  guint flow;
  gboolean released;
} Want;

typedef struct
{
  gboolean framed;              /* QEMU records (TCP) or bare frames (UDP) */
  gboolean vnet;                /* records carry the vnet_hdr_len word */
  GByteArray *stream[2];        /* TCP: what each side sends */
  GPtrArray *datagrams[2];      /* UDP: what each side sends */
  Want want[MAX_WANT];          /* the primary's frames, in sending order */
  guint n_want;
} Traffic;

static void
traffic_init (Traffic * t, gboolean framed, gboolean vnet)
{
  guint i;

  memset (t, 0, sizeof (*t));
  t->framed = framed;
  t->vnet = vnet;
  for (i = 0; i < 2; i++) {
    t->stream[i] = g_byte_array_new ();
    t->datagrams[i] = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
  }
}

static void
traffic_clear (Traffic * t)
{
  guint i;

  for (i = 0; i < 2; i++) {
    g_byte_array_unref (t->stream[i]);
    g_ptr_array_unref (t->datagrams[i]);
  }
  for (i = 0; i < t->n_want; i++)
    g_bytes_unref (t->want[i].data);
}

/* QEMU's record: be32 len [be32 vnet_hdr_len] payload */
static GBytes *
record_new (GBytes * frame, gboolean vnet)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);
  GByteArray *a = g_byte_array_new ();
  guint8 word[4];

  GST_WRITE_UINT32_BE (word, len);
  g_byte_array_append (a, word, 4);
  if (vnet) {
    GST_WRITE_UINT32_BE (word, VNET_HDR_LEN);
    g_byte_array_append (a, word, 4);
  }
  g_byte_array_append (a, data, len);
  return g_byte_array_free_to_bytes (a);
}

/* Queues what one side sends (takes frame); a primary frame is expected
 * back, as sent, in the order of its flow. */
static void
traffic_add (Traffic * t, Side side, guint flow, GBytes * frame)
{
  GBytes *unit = t->framed ? record_new (frame, t->vnet) : g_bytes_ref (frame);

  g_bytes_unref (frame);
  if (t->framed) {
    gsize len;
    const guint8 *d = g_bytes_get_data (unit, &len);

    g_byte_array_append (t->stream[side], d, len);
  } else {
    g_ptr_array_add (t->datagrams[side], g_bytes_ref (unit));
  }
  if (side == PRIMARY) {
    fail_unless (t->n_want < MAX_WANT);
    t->want[t->n_want].data = g_bytes_ref (unit);
    t->want[t->n_want].flow = flow;
    t->n_want++;
  }
  g_bytes_unref (unit);
}

static void
frame_opts (FrameOpts * o, Traffic * t, Side side)
{
  frame_opts_init (o);
  o->vnet_hdr_len = t->vnet ? VNET_HDR_LEN : 0;
  if (side == SECONDARY) {
    /* headers the comparison ignores */
    o->ttl = 63;
    o->ip_id = 999;
  }
}

static void
add_udp (Traffic * t, Side side, guint flow, guint16 sport, const gchar * text)
{
  FrameOpts o;

  frame_opts (&o, t, side);
  traffic_add (t, side, flow, frame_udp (&o, sport, 53, (const guint8 *) text,
          strlen (text)));
}

/* One TCP segment of the client-bound stream, bytes [off, off + len) */
static void
add_tcp (Traffic * t, Side side, guint flow, guint32 off, gsize len)
{
  FrameOpts o;
  guint8 *d = pattern_bytes (off, len);

  frame_opts (&o, t, side);
  traffic_add (t, side, flow, frame_tcp (&o, 80, 40000, 1000 + off, 5000,
          0x18, 0, d, len));
  g_free (d);
}

/* UDP, ICMP, ARP and a TCP stream segmented differently on each side */
static void
traffic_standard (Traffic * t)
{
  FrameOpts o;
  guint i;

  for (i = 0; i < 3; i++) {
    gchar *text = g_strdup_printf ("udp datagram %u", i);

    add_udp (t, PRIMARY, 0, 1000, text);
    add_udp (t, SECONDARY, 0, 1000, text);
    g_free (text);
  }
  /* 3000 bytes as 3 x 1000 against 1 x 3000, then 2000 against 2 x 1000 */
  for (i = 0; i < 3; i++)
    add_tcp (t, PRIMARY, 1, i * 1000, 1000);
  add_tcp (t, SECONDARY, 1, 0, 3000);
  add_tcp (t, PRIMARY, 1, 3000, 2000);
  add_tcp (t, SECONDARY, 1, 3000, 1000);
  add_tcp (t, SECONDARY, 1, 4000, 1000);

  frame_opts (&o, t, PRIMARY);
  traffic_add (t, PRIMARY, 2, frame_icmp_echo (&o, 7, 1, (const guint8 *)
          "ping", 4));
  frame_opts (&o, t, SECONDARY);
  traffic_add (t, SECONDARY, 2, frame_icmp_echo (&o, 7, 1, (const guint8 *)
          "ping", 4));
  /* not IP: the primary's goes out at once, the secondary's is dropped */
  frame_opts (&o, t, PRIMARY);
  traffic_add (t, PRIMARY, 3, frame_arp (&o));
  frame_opts (&o, t, SECONDARY);
  traffic_add (t, SECONDARY, 3, frame_arp (&o));
}

/* A released unit must be, byte for byte, the first not yet released
 * primary unit of its flow (the order across flows is not fixed). */
static guint
expect_released (Traffic * t, const guint8 * data, gsize len)
{
  guint i, j;

  for (i = 0; i < t->n_want; i++) {
    Want *w = &t->want[i];

    if (w->released || g_bytes_get_size (w->data) != len
        || memcmp (g_bytes_get_data (w->data, NULL), data, len) != 0)
      continue;
    for (j = 0; j < i; j++)
      fail_if (!t->want[j].released && t->want[j].flow == w->flow,
          "frame %u of flow %u released before frame %u", i, w->flow, j);
    w->released = TRUE;
    return i;
  }
  fail ("a released %" G_GSIZE_FORMAT "-byte unit is no primary frame "
      "still expected", len);
  return 0;
}

static guint
n_released (Traffic * t)
{
  guint i, n = 0;

  for (i = 0; i < t->n_want; i++)
    n += t->want[i].released;
  return n;
}

/* --- pipelines ------------------------------------------------------------ */

typedef struct
{
  GstElement *pipe, *comp;
  GstBus *bus;
  GMutex lock;
  GCond cond;
  guint clients;                /* accepted by tcpserversink */
  GSocketConnection *conn[2];   /* TCP: to the primary's, secondary's src */
  GSocketConnection *out;       /* TCP: from tcpserversink */
} Pipe;

static GstElement *
pipe_get (Pipe * x, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (x->pipe), name);

  fail_unless (e != NULL, "no element %s", name);
  return e;
}

static gint
pipe_get_int (Pipe * x, const gchar * name, const gchar * prop)
{
  GstElement *e = pipe_get (x, name);
  gint v = 0;

  g_object_get (e, prop, &v, NULL);
  gst_object_unref (e);
  return v;
}

/* Pipelines not freed yet: a failed assertion leaves its test early, and
 * under CK_FORK=no (the valgrind setup) a pipeline left PLAYING keeps its
 * socket threads blocked, so gst_deinit () at exit would wait for ever.
 * The checked teardown frees what a failed test left. */
static GList *live_pipes;

static Pipe *
pipe_new (const gchar * desc)
{
  Pipe *x = g_new0 (Pipe, 1);
  GError *err = NULL;

  GST_INFO ("pipeline: %s", desc);
  x->pipe = gst_parse_launch (desc, &err);
  fail_unless (x->pipe != NULL, "%s", err ? err->message : "?");
  x->comp = pipe_get (x, "c");
  x->bus = gst_element_get_bus (x->pipe);
  g_mutex_init (&x->lock);
  g_cond_init (&x->cond);
  live_pipes = g_list_prepend (live_pipes, x);
  return x;
}

static void
pipe_release (Pipe * x)
{
  guint i;

  live_pipes = g_list_remove (live_pipes, x);
  for (i = 0; i < 2; i++)
    g_clear_object (&x->conn[i]);
  g_clear_object (&x->out);
  gst_object_unref (x->bus);
  gst_object_unref (x->comp);
  gst_object_unref (x->pipe);
  g_mutex_clear (&x->lock);
  g_cond_clear (&x->cond);
  g_free (x);
}

static void
pipe_free (Pipe * x)
{
  fail_unless_equals_int (gst_element_set_state (x->pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  pipe_release (x);
}

static void
leftovers_teardown (void)
{
  while (live_pipes) {
    Pipe *x = live_pipes->data;

    gst_element_set_state (x->pipe, GST_STATE_NULL);
    pipe_release (x);
  }
}

static void
client_added_cb (GstElement * sink, GObject * socket, Pipe * x)
{
  g_mutex_lock (&x->lock);
  x->clients++;
  g_cond_broadcast (&x->cond);
  g_mutex_unlock (&x->lock);
}

static void
pipe_play (Pipe * x)
{
  fail_if (gst_element_set_state (x->pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
}

static GSocketConnection *
connect_port (guint16 port)
{
  GError *err = NULL;
  GSocketConnection *c;

  fail_unless (port != 0, "no bound port");
  c = net_tcp_connect (port, &err);
  fail_unless (c != NULL, "connect to %u: %s", port, err ? err->message : "");
  return c;
}

/* Plays the TCP pipeline and connects the three test clients: the reader
 * first (tcpserversink only sends what comes after a client was added). */
static Pipe *
tcp_pipe_start (const gchar * comp_props, gboolean vnet)
{
  const gchar *v = vnet ? " vnet-hdr=true" : "";
  gchar *desc = g_strdup_printf ("colocompare name=c %s ! colopay%s ! "
      "tcpserversink name=out host=127.0.0.1 port=0 sync=false "
      "tcpserversrc name=p host=127.0.0.1 port=0 ! colodepay%s ! c.primary "
      "tcpserversrc name=s host=127.0.0.1 port=0 ! colodepay%s ! c.secondary",
      comp_props, v, v, v);
  Pipe *x = pipe_new (desc);
  GstElement *sink = pipe_get (x, "out");
  gint64 end;

  g_free (desc);
  g_signal_connect (sink, "client-added", G_CALLBACK (client_added_cb), x);
  gst_object_unref (sink);
  /* the servers listen from READY->PAUSED on, which set_state () did */
  pipe_play (x);

  x->out = connect_port (pipe_get_int (x, "out", "current-port"));
  end = g_get_monotonic_time () + NET_TIMEOUT_S * G_USEC_PER_SEC;
  g_mutex_lock (&x->lock);
  while (x->clients == 0)
    fail_unless (g_cond_wait_until (&x->cond, &x->lock, end),
        "tcpserversink did not add the client");
  g_mutex_unlock (&x->lock);
  /* no input yet (QEMU may connect late): PLAYING all the same */
  fail_unless_equals_int (gst_element_get_state (x->pipe, NULL, NULL, WAIT),
      GST_STATE_CHANGE_SUCCESS);

  x->conn[PRIMARY] = connect_port (pipe_get_int (x, "p", "current-port"));
  x->conn[SECONDARY] = connect_port (pipe_get_int (x, "s", "current-port"));
  return x;
}

/* Pieces of arbitrary sizes: records are cut across writes */
static const gsize primary_pieces[] = { 4, 1, 1200, 9, 64, 3, 2500 };
static const gsize secondary_pieces[] = { 1, 5, 3, 700, 2, 1500, 6 };

static void
tcp_send (Pipe * x, Traffic * t, Side side)
{
  GError *err = NULL;
  const gsize *pieces = side == PRIMARY ? primary_pieces : secondary_pieces;

  fail_unless (net_tcp_write_split (x->conn[side], t->stream[side]->data,
          t->stream[side]->len, pieces, G_N_ELEMENTS (primary_pieces), &err),
      "write: %s", err ? err->message : "");
  g_byte_array_set_size (t->stream[side], 0);
}

/* Reads one record from tcpserversink and checks it; returns its index */
static guint
tcp_read_released (Pipe * x, Traffic * t)
{
  guint hsize = t->vnet ? 8 : 4;
  guint8 *rec = g_malloc (hsize + 70000);
  GError *err = NULL;
  guint32 len;
  guint i;

  fail_unless (net_tcp_read_exact (x->out, rec, hsize, &err),
      "no released record: %s", err ? err->message : "");
  len = GST_READ_UINT32_BE (rec);
  fail_unless (len > 0 && len <= 69632, "bad released length %u", len);
  fail_unless (net_tcp_read_exact (x->out, rec + hsize, len, &err),
      "truncated released record: %s", err ? err->message : "");
  i = expect_released (t, rec, hsize + len);
  g_free (rec);
  return i;
}

static void
tcp_close (Pipe * x, Side side)
{
  fail_unless (g_io_stream_close (G_IO_STREAM (x->conn[side]), NULL, NULL));
  g_clear_object (&x->conn[side]);
}

static void
tcp_close_inputs (Pipe * x)
{
  guint i;

  for (i = 0; i < 2; i++)
    if (x->conn[i])
      tcp_close (x, i);
}

/* Nothing more than what was checked came out: after NULL, tcpserversink
 * has closed the connection and the reader sees EOF. */
static void
tcp_expect_no_more (Pipe * x)
{
  guint8 byte;
  GError *err = NULL;

  fail_unless_equals_int (gst_element_set_state (x->pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (net_tcp_read_some (x->out, &byte, 1, &err), 0);
}

static GstMessage *
pop_message (Pipe * x, GstMessageType type)
{
  GstMessage *m;

  for (;;) {
    m = gst_bus_timed_pop_filtered (x->bus, WAIT, type | GST_MESSAGE_ERROR);
    fail_unless (m != NULL, "no %s message", gst_message_type_get_name (type));
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (m, &err, &dbg);
      fail ("pipeline error: %s (%s)", err->message, dbg);
    }
    if (type != GST_MESSAGE_ELEMENT || gst_message_has_name (m,
            "colo-checkpoint"))
      return m;
    gst_message_unref (m);
  }
}

/* Both clients leave: EOS from both tcpserversrc reaches the bus. */
static void
tcp_end_inputs (Pipe * x)
{
  tcp_close_inputs (x);
  gst_message_unref (pop_message (x, GST_MESSAGE_EOS));
}

/* Nothing more came out; frees the pipeline and the traffic. */
static void
tcp_finish (Pipe * x, Traffic * t)
{
  tcp_expect_no_more (x);
  pipe_free (x);
  traffic_clear (t);
}

static guint64
stat (Pipe * x, const gchar * name)
{
  GstStructure *s;
  guint64 v = G_MAXUINT64;

  g_object_get (x->comp, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, name, &v), "no stat %s", name);
  gst_structure_free (s);
  return v;
}

static void
check_tcp_matched (gboolean vnet)
{
  Traffic t;
  Pipe *x;
  guint i;

  traffic_init (&t, TRUE, vnet);
  traffic_standard (&t);
  x = tcp_pipe_start ("", vnet);
  tcp_send (x, &t, SECONDARY);
  tcp_send (x, &t, PRIMARY);
  for (i = 0; i < t.n_want; i++)
    tcp_read_released (x, &t);

  tcp_end_inputs (x);
  fail_unless_equals_uint64 (stat (x, "released") + stat (x,
          "passed-through"), t.n_want);
  fail_unless_equals_uint64 (stat (x, "flushed"), 0);
  fail_unless_equals_uint64 (stat (x, "miscompares"), 0);
  fail_unless_equals_uint64 (stat (x, "checkpoints-requested"), 0);
  fail_unless_equals_uint64 (stat (x, "malformed"), 0);
  tcp_finish (x, &t);
}

/* Matched traffic, TCP resegmented and records cut across writes: every
 * primary frame comes out of tcpserversink as its record, in order. */
GST_START_TEST (test_tcp_matched)
{
  check_tcp_matched (FALSE);
}

GST_END_TEST;

/* The same with vnet_hdr_support=on framing and 12-byte virtio headers */
GST_START_TEST (test_tcp_vnet_hdr)
{
  check_tcp_matched (TRUE);
}

GST_END_TEST;

/* A divergence is held until checkpoint-done, other flows go on */
GST_START_TEST (test_tcp_divergence)
{
  Traffic t;
  Pipe *x;
  GstMessage *m;
  const GstStructure *s;
  guint v = 0;

  traffic_init (&t, TRUE, FALSE);
  /* long timeout: no stale request however slow the run (valgrind) */
  x = tcp_pipe_start ("compare-timeout=600000", FALSE);

  add_udp (&t, PRIMARY, 0, 1000, "same");
  add_udp (&t, SECONDARY, 0, 1000, "same");
  tcp_send (x, &t, SECONDARY);
  tcp_send (x, &t, PRIMARY);
  fail_unless_equals_int (tcp_read_released (x, &t), 0);

  add_udp (&t, PRIMARY, 1, 1001, "0123456789");
  add_udp (&t, SECONDARY, 1, 1001, "01234x6789");
  tcp_send (x, &t, SECONDARY);
  tcp_send (x, &t, PRIMARY);
  m = pop_message (x, GST_MESSAGE_ELEMENT);
  s = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"),
      "miscompare");
  fail_unless_equals_string (gst_structure_get_string (s, "src"), "10.0.0.1");
  fail_unless_equals_string (gst_structure_get_string (s, "dst"), "10.0.0.2");
  fail_unless (gst_structure_get_uint (s, "ip-protocol", &v));
  fail_unless_equals_int (v, 17);
  fail_unless (gst_structure_get_uint (s, "src-port", &v));
  fail_unless_equals_int (v, 1001);
  fail_unless (gst_structure_get_uint (s, "dst-port", &v));
  fail_unless_equals_int (v, 53);
  fail_unless (gst_structure_get_uint (s, "offset", &v));
  fail_unless_equals_int (v, 5);
  gst_message_unref (m);

  /* another flow still matches and comes out; the diverged one does not */
  add_tcp (&t, PRIMARY, 2, 0, 100);
  add_tcp (&t, SECONDARY, 2, 0, 100);
  tcp_send (x, &t, SECONDARY);
  tcp_send (x, &t, PRIMARY);
  fail_unless_equals_int (tcp_read_released (x, &t), 2);
  fail_if (t.want[1].released);
  fail_unless_equals_uint64 (stat (x, "queued-primary"), 1);

  g_signal_emit_by_name (x->comp, "checkpoint-done");
  fail_unless_equals_int (tcp_read_released (x, &t), 1);
  fail_unless_equals_int (n_released (&t), t.n_want);
  fail_unless_equals_uint64 (stat (x, "flushed"), 1);
  fail_unless_equals_uint64 (stat (x, "secondary-dropped"), 1);

  tcp_end_inputs (x);
  tcp_finish (x, &t);
}

GST_END_TEST;

/* The primary's peer leaves first: what it sent is still compared with
 * what the secondary sends afterwards, not drained uncompared */
GST_START_TEST (test_tcp_primary_ends_first)
{
  Traffic t;
  Pipe *x;

  traffic_init (&t, TRUE, FALSE);
  x = tcp_pipe_start ("compare-timeout=600000", FALSE);
  add_udp (&t, PRIMARY, 0, 1000, "first");
  add_udp (&t, PRIMARY, 0, 1000, "second");
  tcp_send (x, &t, PRIMARY);
  tcp_close (x, PRIMARY);

  add_udp (&t, SECONDARY, 0, 1000, "first");
  add_udp (&t, SECONDARY, 0, 1000, "second");
  tcp_send (x, &t, SECONDARY);
  fail_unless_equals_int (tcp_read_released (x, &t), 0);
  fail_unless_equals_int (tcp_read_released (x, &t), 1);
  fail_unless_equals_uint64 (stat (x, "released"), 2);
  fail_unless_equals_uint64 (stat (x, "flushed"), 0);

  tcp_end_inputs (x);
  tcp_finish (x, &t);
}

GST_END_TEST;

/* A record longer than QEMU's NET_BUFSIZE: an error on the bus naming the
 * value, and the pipeline shuts down */
GST_START_TEST (test_tcp_bad_record)
{
  static const guint8 bad[] = { 0x00, 0x10, 0x00, 0x00, 1, 2, 3, 4 };
  Pipe *x = tcp_pipe_start ("", FALSE);
  GError *err = NULL;
  gchar *dbg = NULL;
  GstMessage *m;
  GstObject *src;
  gsize one = sizeof (bad);

  fail_unless (net_tcp_write_split (x->conn[PRIMARY], bad, sizeof (bad),
          &one, 1, NULL));
  m = gst_bus_timed_pop_filtered (x->bus, WAIT, GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "no error for an oversized record");
  src = GST_MESSAGE_SRC (m);
  fail_unless (g_str_has_prefix (GST_OBJECT_NAME (src), "colodepay"),
      "error from %s", GST_OBJECT_NAME (src));
  gst_message_parse_error (m, &err, &dbg);
  fail_unless (strstr (dbg, "1048576") != NULL, "%s", dbg);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (m);
  pipe_free (x);
}

GST_END_TEST;

/* udpsrc on both sides, no caps, one frame per datagram; udpsink out */
GST_START_TEST (test_udp_both_sides)
{
  GError *err = NULL;
  guint16 out_port = 0, port[2];
  GSocket *rx, *tx;
  GstPad *pad;
  gchar *desc;
  Traffic t;
  Pipe *x;
  guint i, s;

  rx = net_udp_bind (&out_port, &err);
  fail_unless (rx != NULL, "%s", err ? err->message : "");
  tx = net_udp_bind (&port[0], &err);
  fail_unless (tx != NULL, "%s", err ? err->message : "");
  desc = g_strdup_printf ("udpsrc name=p address=127.0.0.1 port=0 ! "
      "colocompare name=c ! udpsink host=127.0.0.1 port=%u sync=false "
      "udpsrc name=s address=127.0.0.1 port=0 ! c.secondary", out_port);
  x = pipe_new (desc);
  g_free (desc);
  pipe_play (x);
  /* udpsrc binds in NULL->READY and then updates `port` */
  port[PRIMARY] = pipe_get_int (x, "p", "port");
  port[SECONDARY] = pipe_get_int (x, "s", "port");
  fail_unless (port[PRIMARY] != 0 && port[SECONDARY] != 0);

  traffic_init (&t, FALSE, FALSE);
  traffic_standard (&t);
  for (s = 0; s < 2; s++) {
    Side side = s == 0 ? SECONDARY : PRIMARY;

    for (i = 0; i < t.datagrams[side]->len; i++)
      fail_unless (net_udp_send (tx, port[side],
              g_ptr_array_index (t.datagrams[side], i), &err), "send: %s",
          err ? err->message : "");
  }
  for (i = 0; i < t.n_want; i++) {
    GBytes *d = net_udp_receive (rx, &err);
    gsize len;
    const guint8 *data;

    fail_unless (d != NULL, "no released datagram: %s",
        err ? err->message : "");
    data = g_bytes_get_data (d, &len);
    expect_released (&t, data, len);
    g_bytes_unref (d);
  }
  fail_unless_equals_uint64 (stat (x, "released") + stat (x,
          "passed-through"), t.n_want);
  fail_unless_equals_uint64 (stat (x, "malformed"), 0);
  fail_unless_equals_uint64 (stat (x, "miscompares"), 0);
  /* nothing told the element the caps: it took vnet-hdr-len=0 */
  pad = gst_element_get_static_pad (x->comp, "primary");
  fail_if (gst_pad_has_current_caps (pad));
  gst_object_unref (pad);

  pipe_free (x);
  traffic_clear (&t);
  g_object_unref (rx);
  g_object_unref (tx);
}

GST_END_TEST;

static Suite *
sockets_suite (void)
{
  Suite *s = suite_create ("sockets");
  TCase *tc = tcase_create ("sockets");

  tcase_add_checked_fixture (tc, NULL, leftovers_teardown);

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_tcp_matched);
  tcase_add_test (tc, test_tcp_vnet_hdr);
  tcase_add_test (tc, test_tcp_divergence);
  tcase_add_test (tc, test_tcp_primary_ends_first);
  tcase_add_test (tc, test_tcp_bad_record);
  tcase_add_test (tc, test_udp_both_sides);
  return s;
}

GST_CHECK_MAIN (sockets);
