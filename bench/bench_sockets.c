/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Load generator for a COLO comparator behind four TCP sockets (QEMU's
 * colo-compare object or gst-colo-compare): connects to primary-in,
 * secondary-in, outdev and notify on 127.0.0.1, sends pre-built traffic
 * from one thread per input, reads what is released on outdev in another,
 * and checks that every primary frame came out once, unchanged, with no
 * checkpoint request on the notify socket.  Prints frames/s, MB/s and
 * release latency percentiles, and a RESULT line for scripts.
 * See bench/README.md; bench/run-vs-qemu.sh drives it. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "bench-traffic.h"
#include "colo-framing.h"
#include "colo-notify.h"

#define MAX_RECORD COLO_FRAMING_MAX_LEN
#define CHUNK (256 * 1024)

typedef struct
{
  BenchTraffic traffic;
  gchar *host;
  int fd_pri, fd_sec, fd_out, fd_ntf;
  guint window;
  guint rate;                   /* primary frames per second, 0: no limit */

  GMutex lock;
  GCond cond;
  /* under lock */
  guint received;               /* distinct primary frames released */
  gboolean started, done, aborted, handshaken;
  gboolean released_all;        /* every primary frame came out */
  gboolean secondary_sent;      /* the secondary wrote its last record */
  gint64 t_released, t_secondary_sent;
  guint probes;
  guint checkpoints;

  /* written by the primary sender before the frame's write (), read by
   * the outdev reader after the frame came out */
  gint64 *sent_at;              /* per primary frame, monotonic us */

  /* owned by the outdev reader */
  gint64 *latency;              /* per distinct released frame, us */
  gint slowest;                 /* the frame that waited longest */
  gint64 slowest_us;
  guint8 *seen;
  guint *base;                  /* per connection: lowest round not out */
  guint64 bytes;
  guint duplicates, mismatches, unknown;
  gint64 t_start, t_end;
  gchar *reader_error;
} Bench;

static gboolean
write_all (int fd, const guint8 * d, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, d, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    d += n;
    len -= n;
  }
  return TRUE;
}

/* Connects to host:port, retrying until the comparator listens. */
static int
connect_port (const char *host, guint port, guint timeout_s, GError ** error)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  struct sockaddr_in sa = { 0 };
  int one = 1;

  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  if (inet_pton (AF_INET, host, &sa.sin_addr) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "bad IPv4 address '%s'", host);
    return -1;
  }
  for (;;) {
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
          "socket: %s", g_strerror (errno));
      return -1;
    }
    if (connect (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0) {
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
      return fd;
    }
    close (fd);
    if (g_get_monotonic_time () > end) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
          "connect %s:%u: %s", host, port, g_strerror (errno));
      return -1;
    }
    g_usleep (20000);           /* the comparator is still starting */
  }
}

/* Primary-equivalent position of record k: its index on the primary; on
 * the secondary, the index of the last primary frame generated before it
 * (its twin where both sides segment alike). */
static guint
stream_pos (const BenchStream * s, gboolean primary, guint k)
{
  return primary ? k : s->pos[k] - 1;
}

/* Primary-equivalent position below which a stream may send now (lock
 * held): at most `window` primary frames in flight (sent but not
 * released), and the secondary at most that far ahead of what was
 * released, which both bound the comparator's queues; with a rate, not
 * ahead of the schedule. */
static guint
send_limit (Bench * b, gint64 now)
{
  guint limit = b->received + b->window;

  if (b->rate)
    limit = MIN (limit, (now - b->t_start) * b->rate / G_USEC_PER_SEC + 1);
  return limit;
}

/* Waits (lock held) until the run started and record k may be sent;
 * FALSE on abort. */
static gboolean
wait_window (Bench * b, const BenchStream * s, gboolean primary, guint k)
{
  guint pos = stream_pos (s, primary, k);

  while (!b->aborted) {
    gint64 now = g_get_monotonic_time ();

    if (b->started && pos < send_limit (b, now))
      return TRUE;
    if (b->started && pos < b->received + b->window)    /* the schedule */
      g_cond_wait_until (&b->cond, &b->lock,
          b->t_start + (gint64) pos * G_USEC_PER_SEC / b->rate);
    else
      g_cond_wait (&b->cond, &b->lock);
  }
  return FALSE;
}

/* Lock held: the run is over once every primary frame is out and the
 * secondary was all sent. */
static void
check_done (Bench * b)
{
  if (b->done || !b->released_all || !b->secondary_sent)
    return;
  b->done = TRUE;
  b->t_end = MAX (b->t_released, b->t_secondary_sent);
}

/* Sends one stream, in batches as large as send_limit () allows. */
static void
send_stream (Bench * b, int fd, const BenchStream * s, gboolean primary)
{
  guint k = 0;

  g_mutex_lock (&b->lock);
  while (k < s->n) {
    guint end, limit;
    gint64 now;

    /* the batch: every record the window allows, up to CHUNK bytes */
    if (!wait_window (b, s, primary, k))
      break;
    limit = send_limit (b, g_get_monotonic_time ());
    g_mutex_unlock (&b->lock);

    for (end = k + 1; end < s->n && s->off[end + 1] - s->off[k] <= CHUNK
        && stream_pos (s, primary, end) < limit; end++);
    if (primary) {
      guint i;
      now = g_get_monotonic_time ();
      for (i = k; i < end; i++)
        b->sent_at[i] = now;
    }
    if (!write_all (fd, s->data + s->off[k], s->off[end] - s->off[k])) {
      g_mutex_lock (&b->lock);
      if (!b->aborted)
        g_printerr ("%s input: write failed: %s\n",
            primary ? "primary" : "secondary", g_strerror (errno));
      b->aborted = TRUE;
      g_cond_broadcast (&b->cond);
      break;
    }
    k = end;
    g_mutex_lock (&b->lock);
  }
  /* the run ends when the comparator has every primary frame out and
   * the whole secondary in (a comparator that does not wait for the
   * secondary, such as the null relay, must still take all of it) */
  if (!primary && k == s->n) {
    b->secondary_sent = TRUE;
    b->t_secondary_sent = g_get_monotonic_time ();
    check_done (b);
    g_cond_broadcast (&b->cond);
  }
  g_mutex_unlock (&b->lock);
}

static gpointer
primary_thread (gpointer data)
{
  Bench *b = data;
  send_stream (b, b->fd_pri, &b->traffic.primary, TRUE);
  return NULL;
}

static gpointer
secondary_thread (gpointer data)
{
  Bench *b = data;
  send_stream (b, b->fd_sec, &b->traffic.secondary, FALSE);
  return NULL;
}

/* One released record from outdev.  Returns the index of the primary
 * frame it carries if that came out for the first time, else -1. */
static gint
on_released (Bench * b, const guint8 * rec, gsize len)
{
  const BenchStream *p = &b->traffic.primary;
  const guint8 *frame = rec + 4;
  gsize flen = len - 4;
  guint c;
  guint16 ip_id;
  gint i, r;

  if (b->traffic.vnet_hdr_len) {
    frame += 4;
    flen -= 4;
  }
  if (bench_traffic_is_probe (&b->traffic, frame, flen)) {
    g_mutex_lock (&b->lock);
    b->probes++;
    g_cond_broadcast (&b->cond);
    g_mutex_unlock (&b->lock);
    return -1;
  }
  if (!bench_traffic_frame_id (&b->traffic, frame, flen, &c, &ip_id)
      || b->base[c] >= b->traffic.rounds
      || (r = bench_traffic_round (&b->traffic, b->base[c], ip_id)) < 0) {
    b->unknown++;
    return -1;
  }
  i = r * b->traffic.conns + c;
  if (len != p->off[i + 1] - p->off[i]
      || memcmp (rec, p->data + p->off[i], len) != 0) {
    b->mismatches++;
    return -1;
  }
  if (b->seen[i]) {
    b->duplicates++;
    return -1;
  }
  b->seen[i] = 1;
  while (b->base[c] < b->traffic.rounds
      && b->seen[b->base[c] * b->traffic.conns + c])
    b->base[c]++;
  b->bytes += flen - b->traffic.vnet_hdr_len;
  return i;
}

static gpointer
outdev_thread (gpointer data)
{
  Bench *b = data;
  gboolean vnet = b->traffic.vnet_hdr_len != 0;
  guint8 *buf = g_malloc (CHUNK + MAX_RECORD + 8);
  gsize have = 0;
  guint got = 0, n = b->traffic.primary.n;

  while (got < n) {
    ssize_t r = read (b->fd_out, buf + have, CHUNK);
    gsize used = 0, new = 0;
    gint64 now = g_get_monotonic_time ();

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      g_mutex_lock (&b->lock);
      if (!b->aborted)          /* else main shut the socket down */
        b->reader_error = g_strdup_printf ("outdev: %s", r == 0 ?
            "connection closed" : g_strerror (errno));
      g_mutex_unlock (&b->lock);
      break;
    }
    have += r;
    for (;;) {
      ColoFramingRecord rec;
      ColoFramingResult res = colo_framing_peek (buf + used, have - used,
          vnet, &rec);
      gint i;

      if (COLO_FRAMING_RESULT_IS_ERROR (res)) {
        b->reader_error = g_strdup_printf ("outdev: %s (%u)",
            colo_framing_result_to_string (res),
            colo_framing_record_bad_value (&rec, res));
        goto out;
      }
      if (res == COLO_FRAMING_NEED_MORE)
        break;
      i = on_released (b, buf + used, rec.record_size);
      if (i >= 0) {
        b->latency[got] = now - b->sent_at[i];
        if (b->latency[got] > b->slowest_us) {
          b->slowest_us = b->latency[got];
          b->slowest = i;
        }
        got++;
        new++;
      }
      used += rec.record_size;
    }
    memmove (buf, buf + used, have - used);
    have -= used;
    if (new) {
      g_mutex_lock (&b->lock);
      b->received = got;
      if (got == n) {
        b->t_released = now;
        b->released_all = TRUE;
        check_done (b);
      }
      g_cond_broadcast (&b->cond);
      g_mutex_unlock (&b->lock);
    }
  }
out:
  g_mutex_lock (&b->lock);
  if (b->reader_error)
    b->aborted = TRUE;
  g_cond_broadcast (&b->cond);
  g_mutex_unlock (&b->lock);
  g_free (buf);
  return NULL;
}

static gboolean
send_notify (int fd, const char *msg)
{
  GBytes *rec = colo_notify_encode (msg);
  gsize len;
  const guint8 *data = g_bytes_get_data (rec, &len);
  gboolean ok = write_all (fd, data, len);

  g_bytes_unref (rec);
  return ok;
}

/* A notify record's text is exactly @text (length and bytes). */
static gboolean
is_notify (const char *m, guint32 len, const char *text)
{
  return len == strlen (text) && memcmp (m, text, len) == 0;
}

/* The notify socket, Xen's userspace-proxy protocol.  Checkpoint requests
 * make the run invalid; they are printed, counted and answered (as Xen
 * would) so that the run still ends. */
static gpointer
notify_thread (gpointer data)
{
  Bench *b = data;
  guint8 buf[4096];
  gsize have = 0;

  for (;;) {
    ssize_t r = read (b->fd_ntf, buf + have, sizeof (buf) - have);
    gsize used = 0;

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    have += r;
    for (;;) {
      ColoFramingRecord rec;
      ColoFramingResult res = colo_framing_peek (buf + used, have - used,
          FALSE, &rec);
      const char *m = (const char *) buf + used + rec.header_size;
      guint32 len = rec.len;

      if (COLO_FRAMING_RESULT_IS_ERROR (res) || (rec.header_complete
              && rec.record_size > sizeof (buf))) {
        g_printerr ("notify: record of %u bytes\n", len);
        return NULL;
      }
      if (res == COLO_FRAMING_NEED_MORE)
        break;
      g_mutex_lock (&b->lock);
      if (is_notify (m, len, COLO_NOTIFY_XEN_INIT)) {
        b->handshaken = TRUE;
      } else if (is_notify (m, len, COLO_NOTIFY_DO_CHECKPOINT)) {
        b->checkpoints++;
        if (b->checkpoints <= 5)
          g_printerr ("notify: DO_CHECKPOINT #%u after %.3f s, %u of %u "
              "primary frames released\n", b->checkpoints, b->t_start ?
              (g_get_monotonic_time () - b->t_start) / 1e6 : 0.0,
              b->received, b->traffic.primary.n);
        if (b->checkpoints == 5)
          g_printerr ("notify: (further requests only counted)\n");
        /* QEMU reads the notify socket with the vnet word (its quirk Q9) */
        if (!b->traffic.vnet_hdr_len)
          send_notify (b->fd_ntf, COLO_NOTIFY_CHECKPOINT);
      } else {
        g_printerr ("notify: unexpected record '%.*s'\n", (int) len, m);
      }
      g_cond_broadcast (&b->cond);
      g_mutex_unlock (&b->lock);
      used += rec.record_size;
    }
    memmove (buf, buf + used, have - used);
    have -= used;
  }
  return NULL;
}

static gint
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
percentile (const gint64 * sorted, guint n, double q)
{
  return n ? sorted[MIN (n - 1, (guint) (q * n))] : 0;
}

/* Waits (lock held) until `pred` or no progress for `timeout_s`. */
static gboolean
wait_progress (Bench * b, gboolean (*pred) (Bench *), guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint last = b->received;

  while (!b->aborted && !pred (b)) {
    if (!g_cond_wait_until (&b->cond, &b->lock, end)) {
      if (b->received == last)
        return FALSE;
      last = b->received;
      end = g_get_monotonic_time () + (gint64) timeout_s *G_USEC_PER_SEC;
    }
  }
  return !b->aborted;
}

static gboolean
is_done (Bench * b)
{
  return b->done;
}

static gboolean
is_handshaken (Bench * b)
{
  return b->handshaken;
}

/* Sends ARP probes on primary-in until one comes out of outdev: then the
 * comparator reads primary-in and has accepted outdev (QEMU drops what it
 * writes to an unconnected socket chardev). */
static gboolean
probe (Bench * b, guint timeout_s)
{
  GBytes *rec = bench_traffic_probe (&b->traffic);
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gsize len;
  const guint8 *d = g_bytes_get_data (rec, &len);
  gboolean ok = FALSE;

  g_mutex_lock (&b->lock);
  while (!b->aborted && g_get_monotonic_time () < end) {
    g_mutex_unlock (&b->lock);
    if (!write_all (b->fd_pri, d, len)) {
      g_mutex_lock (&b->lock);
      break;
    }
    g_mutex_lock (&b->lock);
    if (b->probes > 0 || g_cond_wait_until (&b->cond, &b->lock,
            MIN (end, g_get_monotonic_time () + 200000))) {
      if (b->probes > 0) {
        ok = TRUE;
        break;
      }
    }
  }
  g_mutex_unlock (&b->lock);
  g_bytes_unref (rec);
  return ok;
}

/* Prints the results; TRUE if the run is valid. */
static gboolean
report (Bench * b, const char *label)
{
  const BenchTraffic *t = &b->traffic;
  guint n = t->primary.n, missing = n - b->received;
  double secs = b->done ? (b->t_end - b->t_start) / 1e6 : 0;
  double fps = secs > 0 ? n / secs : 0, mbps = secs > 0 ? b->bytes / secs / 1e6
      : 0;
  gboolean ok = b->done && !b->aborted && b->checkpoints == 0
      && b->fd_ntf >= 0
      && b->mismatches == 0 && b->duplicates == 0 && b->unknown == 0;
  gint64 *lat = b->latency;
  guint nl = b->received;

  qsort (lat, nl, sizeof (gint64), (int (*)(const void *, const void *))
      cmp_gint64);
  g_print ("%s %s: %u primary frames (%.1f MB) + %u secondary over %u "
      "connections, %u-byte payloads, window %u\n", label, t->name, n,
      b->bytes / 1e6, t->secondary.n, t->conns, t->primary_seg, b->window);
  g_print ("  released %u of %u, missing %u, duplicates %u, changed %u, "
      "unknown %u, checkpoint requests %u\n", b->received, n, missing,
      b->duplicates, b->mismatches, b->unknown, b->checkpoints);
  if (b->done)
    g_print ("  %.3f s: %.0f frames/s, %.1f MB/s; release latency us: "
        "p50 %" G_GINT64_FORMAT " p90 %" G_GINT64_FORMAT " p99 %"
        G_GINT64_FORMAT " max %" G_GINT64_FORMAT "\n", secs, fps, mbps,
        percentile (lat, nl, 0.5), percentile (lat, nl, 0.9),
        percentile (lat, nl, 0.99), nl ? lat[nl - 1] : 0);
  if (nl && lat[nl - 1] > G_USEC_PER_SEC)
    g_print ("  slowest: primary frame %d (connection %d, round %d), "
        "released after %.3f s\n", b->slowest, b->slowest % t->conns,
        b->slowest / t->conns, lat[nl - 1] / 1e6);
  g_print ("RESULT label=%s workload=%s frames=%u seconds=%.4f fps=%.0f "
      "mbps=%.2f p50_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT
      " missing=%u checkpoints=%u ok=%d size=%u conns=%u window=%u\n", label,
      t->name, n, secs, fps, mbps, percentile (lat, nl, 0.5),
      percentile (lat, nl, 0.99), missing, b->checkpoints, ok, t->primary_seg,
      t->conns, b->window);
  return ok;
}

int
main (int argc, char **argv)
{
  Bench b = { 0 };
  gchar *ports = NULL, *workload = NULL, *label = NULL, *pcap = NULL;
  gint frames = 100000, conns = 64, window = 0, timeout = 10, rate = 0;
  gint size = 0, min_window;
  gboolean vnet = FALSE, no_handshake = FALSE, corrupt = FALSE;
  GOptionEntry entries[] = {
    {"ports", 'p', 0, G_OPTION_ARG_STRING, &ports,
          "primary-in,secondary-in,outdev,notify TCP ports (required)",
        "P,P,P,P"},
    {"host", 0, 0, G_OPTION_ARG_STRING, &b.host, "address (127.0.0.1)", "IP"},
    {"workload", 'w', 0, G_OPTION_ARG_STRING, &workload,
        "tcp-reseg, tcp, udp or tcp-small (tcp-reseg)", "NAME"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames,
        "primary frames, about (100000)", "N"},
    {"size", 's', 0, G_OPTION_ARG_INT, &size,
          "payload bytes per primary frame (0: the workload's: 1448, 512 "
          "or 64); tcp-reseg's secondary segments are twice as long",
        "BYTES"},
    {"conns", 'c', 0, G_OPTION_ARG_INT, &conns, "connections (64)", "N"},
    {"window", 0, 0, G_OPTION_ARG_INT, &window,
        "primary frames in flight at most (0: 4096, fewer with fewer than "
          "5 connections (1000 per connection, below the comparators' 1024 "
          "frames per connection), more for tcp-reseg with more than 2000 "
          "(2 per connection + 64))", "N"},
    {"rate", 'r', 0, G_OPTION_ARG_INT, &rate,
        "send at most this many primary frames per second (and their "
          "secondary twins alongside); 0: as fast as possible (0)", "FPS"},
    {"vnet-hdr", 0, 0, G_OPTION_ARG_NONE, &vnet,
        "records carry a vnet_hdr_len word and a 12-byte vnet header", NULL},
    {"no-handshake", 0, 0, G_OPTION_ARG_NONE, &no_handshake,
        "do not send COLO_USERSPACE_PROXY_INIT on notify", NULL},
    {"corrupt", 0, 0, G_OPTION_ARG_NONE, &corrupt,
        "change the last byte of the middle secondary frame (a comparator "
          "that compares must then request a checkpoint)", NULL},
    {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
        "give up after this many seconds without progress (10)", "S"},
    {"write-pcap", 0, 0, G_OPTION_ARG_STRING, &pcap,
          "write the traffic to PREFIX-{primary,secondary}.pcap and exit",
        "PREFIX"},
    {"label", 'l', 0, G_OPTION_ARG_STRING, &label,
        "name of the comparator, for the report", "NAME"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- COLO comparator load test");
  int *fds[4] = { &b.fd_pri, &b.fd_sec, &b.fd_out, &b.fd_ntf };
  GError *err = NULL;
  gchar **pv = NULL;
  GThread *th[4] = { NULL };
  guint i, p[4], n_ports;
  gboolean ok;
  int ret = 1;

  for (i = 0; i < 4; i++)
    *fds[i] = -1;
  /* a peer that hangs up makes write () fail with EPIPE, not kill us */
  signal (SIGPIPE, SIG_IGN);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    goto error;
  if (pcap) {
    if (bench_traffic_build (&b.traffic, workload ? workload : "tcp-reseg",
            MAX (size, 0), MAX (frames, 1), MAX (conns, 1), vnet, &err)
        && bench_traffic_write_pcaps (&b.traffic, pcap, &err))
      ret = 0;
    goto error;
  }
  pv = ports ? g_strsplit (ports, ",", -1) : NULL;
  n_ports = pv ? g_strv_length (pv) : 0;
  if (n_ports != 3 && n_ports != 4) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--ports needs primary-in,secondary-in,outdev[,notify]");
    goto error;
  }
  for (i = 0; i < n_ports; i++) {
    guint64 v;
    if (!g_ascii_string_to_unsigned (pv[i], 10, 1, 65535, &v, &err))
      goto error;
    p[i] = v;
  }
  if (frames < 1 || timeout < 1 || conns < 1 || rate < 0 || size < 0
      || window < 0) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "need frames, timeout, conns >= 1 and rate, size, window >= 0");
    goto error;
  }
  if (!bench_traffic_build (&b.traffic, workload ? workload : "tcp-reseg",
          size, frames, conns, vnet, &err))
    goto error;
  /* A secondary segment that covers two primary ones goes out after the
   * second, a round of connections later: the window must let the
   * primary get that far ahead of what was released. */
  min_window = b.traffic.secondary_seg > b.traffic.primary_seg ?
      2 * conns + 64 : 64;
  if (window == 0)
    window = MAX (MIN (4096, 1000 * conns), min_window);
  if (window < min_window) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s over %d connections needs a window of at least %d",
        b.traffic.name, conns, min_window);
    goto error;
  }
  if (corrupt) {
    BenchStream *s = &b.traffic.secondary;
    s->data[s->off[s->n / 2 + 1] - 1] ^= 0x01;
  }
  if (!b.host)
    b.host = g_strdup ("127.0.0.1");
  b.window = window;
  b.rate = rate;
  b.slowest = -1;
  b.sent_at = g_new0 (gint64, b.traffic.primary.n);
  b.latency = g_new0 (gint64, b.traffic.primary.n);
  b.seen = g_new0 (guint8, b.traffic.primary.n);
  b.base = g_new0 (guint, b.traffic.conns);
  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);

  if ((n_ports == 4 && (b.fd_ntf = connect_port (b.host, p[3], timeout,
                  &err)) < 0)
      || (b.fd_out = connect_port (b.host, p[2], timeout, &err)) < 0
      || (b.fd_pri = connect_port (b.host, p[0], timeout, &err)) < 0
      || (b.fd_sec = connect_port (b.host, p[1], timeout, &err)) < 0)
    goto error;

  th[2] = g_thread_new ("outdev", outdev_thread, &b);
  if (b.fd_ntf >= 0)
    th[3] = g_thread_new ("notify", notify_thread, &b);
  else
    g_print ("no notify port: checkpoint requests are not watched\n");
  th[0] = g_thread_new ("primary", primary_thread, &b);
  th[1] = g_thread_new ("secondary", secondary_thread, &b);

  /* QEMU misparses the notify socket with vnet (quirk Q9): no handshake */
  if (!no_handshake && !vnet && b.fd_ntf >= 0) {
    send_notify (b.fd_ntf, COLO_NOTIFY_PROXY_INIT);
    g_mutex_lock (&b.lock);
    ok = wait_progress (&b, is_handshaken, timeout);
    g_mutex_unlock (&b.lock);
    if (!ok) {
      g_set_error (&err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "no COLO_COMPARE_GET_XEN_INIT on notify within %d s", timeout);
      goto stop;
    }
  }
  if (!probe (&b, timeout)) {
    g_set_error (&err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "no probe frame came out of outdev within %d s", timeout);
    goto stop;
  }

  g_mutex_lock (&b.lock);
  b.t_start = g_get_monotonic_time ();
  b.started = TRUE;
  g_cond_broadcast (&b.cond);
  ok = wait_progress (&b, is_done, timeout);
  g_mutex_unlock (&b.lock);
  if (!ok)
    g_printerr ("stalled: no primary frame released for %d s\n", timeout);
  ret = 0;

stop:
  g_mutex_lock (&b.lock);
  b.aborted = b.aborted || !b.done;
  g_cond_broadcast (&b.cond);
  g_mutex_unlock (&b.lock);
  /* unblock the threads' reads and writes */
  for (i = 0; i < 4; i++)
    if (*fds[i] >= 0)
      shutdown (*fds[i], SHUT_RDWR);
  for (i = 0; i < 4; i++)
    if (th[i])
      g_thread_join (th[i]);
  if (b.reader_error)
    g_printerr ("%s\n", b.reader_error);
  if (ret == 0) {
    ret = report (&b, label ? label : "comparator") ? 0 : 1;
  }

error:
  if (err) {
    g_printerr ("bench_sockets: %s\n", err->message);
    g_error_free (err);
    ret = 2;
  }
  for (i = 0; i < 4; i++)
    if (*fds[i] >= 0)
      close (*fds[i]);
  if (b.sent_at) {
    g_mutex_clear (&b.lock);
    g_cond_clear (&b.cond);
  }
  bench_traffic_clear (&b.traffic);
  g_free (b.sent_at);
  g_free (b.latency);
  g_free (b.seen);
  g_free (b.base);
  g_free (b.reader_error);
  g_free (b.host);
  g_free (ports);
  g_free (workload);
  g_free (label);
  g_free (pcap);
  g_strfreev (pv);
  g_option_context_free (ctx);
  return ret;
}
