/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The null relay: this machine's ceiling for a COLO comparator behind
 * sockets.  It listens like one (primary-in, secondary-in, outdev and
 * notify, QEMU's chardev framing), forwards every complete primary record
 * to outdev unchanged, reads the secondary, and memcmp's each primary
 * record against as many secondary bytes: the same socket I/O and memory
 * traffic as a comparator, and no decisions (it never waits for the
 * secondary, never queues a frame, never asks for a checkpoint).  No
 * comparator can be faster on the same traffic.
 *
 * One thread, epoll, nonblocking sockets; reads of up to --read-size bytes
 * (1 MiB), every complete record of a read found with the framing core
 * (colo_framing_peek) and written to outdev in one write () from the read
 * buffer itself.  While outdev does not take everything, primary-in is not
 * read (TCP then holds the sender back).  The secondary is read into its
 * own buffer, parsed the same way, and consumed by the comparisons; what
 * no comparison consumed is dropped when that buffer is full.
 *
 * The notify socket answers Xen's handshake (COLO_USERSPACE_PROXY_INIT
 * with COLO_COMPARE_GET_XEN_INIT) and ignores everything else.  Only
 * listening endpoints (tcp-listen:HOST:PORT), one client each at a time,
 * as QEMU's server chardevs; a client that hangs up is replaced by the
 * next one.  SIGINT or SIGTERM: counters on stderr, exit 0.
 * See bench/README.md; bench/run-vs-qemu.sh runs it beside QEMU's
 * colo-compare and gst-colo-compare. */

#define _GNU_SOURCE             /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "colo-endpoint.h"
#include "colo-framing.h"
#include "colo-notify.h"

/* the largest record, header included */
#define MAX_RECORD (COLO_FRAMING_MAX_LEN + COLO_FRAMING_HEADER_SIZE (TRUE))
/* a secondary read is not worth making into less room than this */
#define MIN_READ (64 * 1024)

enum
{
  PRI, SEC, OUT, NTF, N_PORTS
};

static const char *const port_names[N_PORTS] = {
  "primary-in", "secondary-in", "outdev", "notify-dev"
};

/* epoll tags: port index, port index + LISTEN_TAG, SIGNAL_TAG */
#define LISTEN_TAG 16
#define SIGNAL_TAG 32

typedef struct
{
  GSocket *listener;            /* NULL: port not used */
  int fd;                       /* the connected client, or -1 */
  guint32 events;               /* registered for fd (0: not registered) */
} Port;

typedef struct
{
  Port port[N_PORTS];
  gboolean vnet;
  int epfd;

  /* primary: [0, psent) written to outdev, [psent, pparsed) complete
   * records not written yet, [pparsed, phave) a partial record */
  guint8 *pbuf;
  gsize psize, phave, pparsed, psent;

  /* secondary: [scur, sparsed) complete records not compared yet,
   * [sparsed, shave) a partial record */
  guint8 *sbuf;
  gsize ssize, shave, sparsed, scur;

  guint8 nbuf[4096];
  gsize nhave;

  guint64 p_records, p_bytes, p_dropped, s_records, s_bytes;
  guint64 compared, equal, cmp_bytes, s_uncompared, reads, writes;
} Relay;

static void
fail (const char *what)
{
  g_printerr ("null_relay: %s: %s\n", what, g_strerror (errno));
  exit (2);
}

/* Registers, changes or removes (events 0) fd's interest. */
static void
set_events (Relay * r, int fd, guint32 * cur, guint32 events, guint32 tag)
{
  struct epoll_event ev = { 0 };
  int op = !*cur ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;

  if (*cur == events)
    return;
  ev.events = events;
  ev.data.u32 = tag;
  if (epoll_ctl (r->epfd, op, fd, &ev) < 0)
    fail ("epoll_ctl");
  *cur = events;
}

/* What each connected socket waits for now: primary-in only while
 * everything it gave went out, outdev's EPOLLOUT only while something
 * waits, secondary-in only while there is room. */
static void
update_events (Relay * r)
{
  guint i;

  for (i = 0; i < N_PORTS; i++) {
    Port *p = &r->port[i];
    guint32 ev = EPOLLIN;

    if (p->fd < 0)
      continue;
    if (i == PRI && (r->psent < r->pparsed || r->phave == r->psize))
      ev = 0;
    if (i == OUT && r->psent < r->pparsed)
      ev |= EPOLLOUT;
    /* a port with no interest is not watched: a hang-up shows when it is
     * read again */
    set_events (r, p->fd, &p->events, ev, i);
  }
}

static void
disconnect (Relay * r, guint i, const char *why)
{
  Port *p = &r->port[i];
  guint32 none = 0;

  g_printerr ("null_relay: %s: %s\n", port_names[i], why);
  set_events (r, p->fd, &p->events, 0, i);
  close (p->fd);
  p->fd = -1;
  if (i == PRI)
    r->phave = r->pparsed = r->psent = 0;
  else if (i == SEC)
    r->shave = r->sparsed = r->scur = 0;
  else if (i == NTF)
    r->nhave = 0;
  /* accept the next client */
  set_events (r, g_socket_get_fd (p->listener), &none, EPOLLIN, i + LISTEN_TAG);
}

static void
on_accept (Relay * r, guint i)
{
  Port *p = &r->port[i];
  int lfd = g_socket_get_fd (p->listener), one = 1;
  guint32 cur = EPOLLIN;
  int fd = accept4 (lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (fd < 0) {
    if (errno != EAGAIN && errno != EINTR)
      g_printerr ("null_relay: %s: accept: %s\n", port_names[i],
          g_strerror (errno));
    return;
  }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  p->fd = fd;
  p->events = 0;
  /* one client at a time, as QEMU's server chardevs */
  set_events (r, lfd, &cur, 0, i + LISTEN_TAG);
}

/* Writes what waits for outdev, as far as it takes it; drops it without
 * an outdev client, as QEMU does. */
static void
flush_out (Relay * r)
{
  int fd = r->port[OUT].fd;

  while (r->psent < r->pparsed) {
    ssize_t n;

    if (fd < 0) {
      r->p_dropped += r->pparsed - r->psent;
      r->psent = r->pparsed;
      break;
    }
    n = write (fd, r->pbuf + r->psent, r->pparsed - r->psent);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      break;
    if (n <= 0) {
      disconnect (r, OUT, g_strerror (errno));
      fd = -1;
      continue;
    }
    r->writes++;
    r->psent += n;
  }
  if (r->psent == r->pparsed && r->psent > 0) {
    /* all out: the partial record moves to the front */
    memmove (r->pbuf, r->pbuf + r->pparsed, r->phave - r->pparsed);
    r->phave -= r->pparsed;
    r->pparsed = r->psent = 0;
  }
}

/* The comparison without the decisions: the record against as many
 * secondary bytes, whichever they are. */
static void
compare_record (Relay * r, const guint8 * rec, gsize len)
{
  gsize n = MIN (len, r->sparsed - r->scur);

  if (n == 0)
    return;
  r->compared++;
  r->cmp_bytes += n;
  if (memcmp (rec, r->sbuf + r->scur, n) == 0 && n == len)
    r->equal++;
  r->scur += n;
}

/* Finds the complete records in buf[*parsed, have); FALSE on a framing
 * error (the stream cannot be followed further). */
static gboolean
parse (Relay * r, guint i, const guint8 * buf, gsize * parsed, gsize have)
{
  for (;;) {
    ColoFramingRecord rec;
    ColoFramingResult res = colo_framing_peek (buf + *parsed,
        have - *parsed, r->vnet, &rec);

    if (res == COLO_FRAMING_NEED_MORE)
      return TRUE;
    if (COLO_FRAMING_RESULT_IS_ERROR (res)) {
      gchar *why = g_strdup_printf ("%s (%u)",
          colo_framing_result_to_string (res),
          colo_framing_record_bad_value (&rec, res));
      disconnect (r, i, why);
      g_free (why);
      return FALSE;
    }
    if (i == PRI) {
      compare_record (r, buf + *parsed, rec.record_size);
      r->p_records++;
      r->p_bytes += rec.record_size;
    } else {
      r->s_records++;
      r->s_bytes += rec.record_size;
    }
    *parsed += rec.record_size;
  }
}

/* Reads into buf[*have, size); FALSE if the client went away or nothing
 * was there. */
static gboolean
read_port (Relay * r, guint i, guint8 * buf, gsize * have, gsize size)
{
  ssize_t n = read (r->port[i].fd, buf + *have, size - *have);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return FALSE;
  if (n <= 0) {
    disconnect (r, i, n == 0 ? "connection closed" : g_strerror (errno));
    return FALSE;
  }
  r->reads++;
  *have += n;
  return TRUE;
}

static void
on_primary (Relay * r)
{
  if (r->psent < r->pparsed || !read_port (r, PRI, r->pbuf, &r->phave,
          r->psize))
    return;
  if (parse (r, PRI, r->pbuf, &r->pparsed, r->phave))
    flush_out (r);
}

/* Reads the secondary.  Its bytes are consumed by the primary's
 * comparisons; when the buffer is full of complete records that nothing
 * compared (the primary stopped, or sends less), they are dropped:
 * the null relay never holds a stream back for the other. */
static void
on_secondary (Relay * r)
{
  if (r->ssize - r->shave < MIN_READ) {
    if (r->ssize - r->shave + r->scur < MIN_READ) {
      r->s_uncompared += r->sparsed - r->scur;
      r->scur = r->sparsed;
    }
    memmove (r->sbuf, r->sbuf + r->scur, r->shave - r->scur);
    r->shave -= r->scur;
    r->sparsed -= r->scur;
    r->scur = 0;
  }
  if (read_port (r, SEC, r->sbuf, &r->shave, r->ssize))
    parse (r, SEC, r->sbuf, &r->sparsed, r->shave);
}

/* Outdev's client sends nothing: anything readable is its hang-up. */
static void
on_outdev_readable (Relay * r)
{
  guint8 junk[4096];
  ssize_t n = read (r->port[OUT].fd, junk, sizeof (junk));

  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    disconnect (r, OUT, n == 0 ? "connection closed" : g_strerror (errno));
}

static void
on_notify (Relay * r)
{
  gsize used = 0;

  if (r->nhave == sizeof (r->nbuf))
    r->nhave = 0;               /* no notify record is this long */
  if (!read_port (r, NTF, r->nbuf, &r->nhave, sizeof (r->nbuf)))
    return;
  for (;;) {
    ColoFramingRecord rec;
    ColoFramingResult res = colo_framing_peek (r->nbuf + used,
        r->nhave - used, FALSE, &rec);

    if (res != COLO_FRAMING_OK)
      break;
    if (colo_notify_parse (r->nbuf + used + rec.header_size, rec.len)
        == COLO_NOTIFY_CMD_PROXY_INIT) {
      GBytes *reply = colo_notify_encode (COLO_NOTIFY_XEN_INIT);
      gsize len;
      const guint8 *d = g_bytes_get_data (reply, &len);

      /* a few bytes into an empty socket buffer */
      if (write (r->port[NTF].fd, d, len) != (ssize_t) len)
        g_printerr ("null_relay: notify-dev: short write\n");
      g_bytes_unref (reply);
    }
    used += rec.record_size;
  }
  memmove (r->nbuf, r->nbuf + used, r->nhave - used);
  r->nhave -= used;
}

static void
print_counters (Relay * r)
{
  g_printerr ("null_relay: primary %" G_GUINT64_FORMAT " records (%"
      G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " dropped without "
      "outdev), secondary %" G_GUINT64_FORMAT " records (%" G_GUINT64_FORMAT
      " bytes, %" G_GUINT64_FORMAT " never compared); compared %"
      G_GUINT64_FORMAT " primary records against %" G_GUINT64_FORMAT
      " secondary bytes, %" G_GUINT64_FORMAT " equal; %" G_GUINT64_FORMAT
      " reads, %" G_GUINT64_FORMAT " writes\n", r->p_records, r->p_bytes,
      r->p_dropped, r->s_records, r->s_bytes, r->s_uncompared, r->compared,
      r->cmp_bytes, r->equal, r->reads, r->writes);
}

int
main (int argc, char **argv)
{
  static Relay relay;
  Relay *r = &relay;
  gchar *spec[N_PORTS] = { NULL };
  gint read_size = 1024 * 1024;
  GOptionEntry entries[] = {
    {"primary-in", 0, 0, G_OPTION_ARG_STRING, &spec[PRI],
        "the primary's records (required)", "tcp-listen:HOST:PORT"},
    {"secondary-in", 0, 0, G_OPTION_ARG_STRING, &spec[SEC],
        "the secondary's records (required)", "tcp-listen:HOST:PORT"},
    {"outdev", 0, 0, G_OPTION_ARG_STRING, &spec[OUT],
        "where the primary's records go (required)", "tcp-listen:HOST:PORT"},
    {"notify-dev", 0, 0, G_OPTION_ARG_STRING, &spec[NTF],
          "Xen's notify socket (answers the handshake only)",
        "tcp-listen:HOST:PORT"},
    {"vnet-hdr", 0, 0, G_OPTION_ARG_NONE, &r->vnet,
        "records carry the vnet_hdr_len word", NULL},
    {"read-size", 0, 0, G_OPTION_ARG_INT, &read_size,
        "bytes per read, at most (1048576)", "BYTES"},
    {NULL}
  };
  GOptionContext *ctx =
      g_option_context_new ("- forward primary records, compare nothing");
  GError *err = NULL;
  sigset_t mask;
  int sfd;
  guint i;
  struct epoll_event sev = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    goto error;
  if (!spec[PRI] || !spec[SEC] || !spec[OUT] || read_size < MIN_READ) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "need --primary-in, --secondary-in, --outdev and a --read-size of "
        "at least %d", MIN_READ);
    goto error;
  }

  r->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (r->epfd < 0)
    fail ("epoll_create1");
  for (i = 0; i < N_PORTS; i++) {
    ColoEndpoint *ep;
    guint32 cur = 0;

    r->port[i].fd = -1;
    if (!spec[i])
      continue;
    ep = colo_endpoint_parse (spec[i], &err);
    if (!ep)
      goto error;
    if (ep->kind != COLO_ENDPOINT_LISTEN) {
      g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: only tcp-listen:HOST:PORT", port_names[i]);
      colo_endpoint_free (ep);
      goto error;
    }
    r->port[i].listener = colo_endpoint_listen (ep, &err);
    colo_endpoint_free (ep);
    if (!r->port[i].listener)
      goto error;
    g_socket_set_blocking (r->port[i].listener, FALSE);
    set_events (r, g_socket_get_fd (r->port[i].listener), &cur, EPOLLIN,
        i + LISTEN_TAG);
  }

  /* a record never straddles more than one read-size of room */
  r->psize = read_size + MAX_RECORD;
  r->pbuf = g_malloc (r->psize);
  r->ssize = 4 * (gsize) read_size + MAX_RECORD;
  r->sbuf = g_malloc (r->ssize);

  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&mask);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sfd < 0)
    fail ("signalfd");
  sev.events = EPOLLIN;
  sev.data.u32 = SIGNAL_TAG;
  if (epoll_ctl (r->epfd, EPOLL_CTL_ADD, sfd, &sev) < 0)
    fail ("epoll_ctl");

  for (;;) {
    struct epoll_event ev[8];
    int n = epoll_wait (r->epfd, ev, G_N_ELEMENTS (ev), -1);
    int k;

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail ("epoll_wait");
    for (k = 0; k < n; k++) {
      guint32 tag = ev[k].data.u32;

      if (tag == SIGNAL_TAG) {
        print_counters (r);
        return 0;
      }
      if (tag >= LISTEN_TAG) {
        if (r->port[tag - LISTEN_TAG].fd < 0)
          on_accept (r, tag - LISTEN_TAG);
        continue;
      }
      if (r->port[tag].fd < 0)
        continue;               /* closed by an earlier event of this batch */
      switch (tag) {
        case PRI:
          on_primary (r);
          break;
        case SEC:
          on_secondary (r);
          break;
        case OUT:
          if (ev[k].events & EPOLLOUT)
            flush_out (r);
          if (r->port[OUT].fd >= 0
              && (ev[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            on_outdev_readable (r);
          break;
        case NTF:
          on_notify (r);
          break;
      }
    }
    /* primary-in again once outdev took everything, and new clients */
    update_events (r);
  }

error:
  g_printerr ("null_relay: %s\n", err->message);
  g_error_free (err);
  g_option_context_free (ctx);
  return 2;
}
