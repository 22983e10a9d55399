/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the comparator: the input is a little program of
 * operations (push a TCP/UDP/raw frame on either side, advance time and
 * scan, checkpoint-done, failover), OP_SIZE bytes each.  Checked: no crash
 * or leak, every frame is handed back exactly once with the bytes it was
 * pushed with, a secondary frame is never released, and a primary frame
 * is only ever released, never dropped, unless the whole comparator is
 * discarded.
 *
 * Speed: the frames' bookkeeping is one allocation per input, and the
 * inputs are kept short (tests/fuzz/run.sh: -max_len=1024, about 140
 * operations); ASan's allocator is most of an execution's cost.
 *
 * A pushed frame's side and protocol come from op[0], its payload length
 * from a byte of its own (op[6]): a primary and a secondary frame can have
 * the same length, so matching datagrams are fuzzed too (see
 * fuzz_compare_paths.c, which checks that the seeds reach that path). */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-bytes.h"
#include "colo-compare.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* op[0] what (% 8), op[1]..op[5] see below, op[6] payload length (% 64) */
#define OP_SIZE 7

typedef struct
{
  guint8 *bytes;                /* its own allocation: ASan sees overreads */
  gsize size;
  gboolean primary;
  gboolean is_tcp;
  gboolean queued;              /* pushed, not handed back yet */
} Frame;

/* The input's frames, one allocation per input (at most one per
 * operation) rather than one per frame: the allocator is a good part of
 * an execution's cost under ASan */
static Frame *frames;
static guint n_frames;

static gboolean discarding;
static guint outstanding;
static gboolean in_push;        /* inside colo_comparator_push() */
static gboolean failed_over;

/* Primary frames released by a push (a match, an ACK or a retransmission;
 * not checkpoint-done, failover or auto-release), per protocol: read by
 * fuzz_compare_paths.c. */
guint64 fuzz_compare_released_by_push_udp;
guint64 fuzz_compare_released_by_push_tcp;

/* Every frame is handed back exactly once, with its own bytes */
static void
done (Frame * f, const guint8 * data, gsize size)
{
  if (!f->queued)
    abort ();                   /* handed back twice */
  if (data != f->bytes || size != f->size)
    abort ();                   /* not the bytes it was pushed with */
  f->queued = FALSE;
  g_free (f->bytes);
  f->bytes = NULL;
  outstanding--;
}

static void
on_release (gpointer handle, const guint8 * data, gsize size,
    gpointer user_data)
{
  Frame *f = handle;

  if (!f->primary)
    abort ();                   /* a secondary frame must never go out */
  if (in_push && !failed_over) {
    if (f->is_tcp)
      fuzz_compare_released_by_push_tcp++;
    else
      fuzz_compare_released_by_push_udp++;
  }
  done (f, data, size);
}

static void
on_drop (gpointer handle, const guint8 * data, gsize size, gpointer user_data)
{
  Frame *f = handle;

  if (f->primary && !discarding)
    abort ();                   /* a primary frame was lost */
  done (f, data, size);
}

static void
on_request (const ColoTrigger * t, gpointer user_data)
{
}

static const ColoCompareOps ops = {
  .release = on_release,
  .drop = on_drop,
  .request_checkpoint = on_request,
};

/* Builds an IPv4 TCP or UDP frame from an operation's bytes. */
static guint8 *
make_frame (gboolean is_tcp, const uint8_t * in, gsize * out_size)
{
  guint payload = in[6] % 64, hl = is_tcp ? 20 : 8;
  gsize size = 14 + 20 + hl + payload;
  guint8 *f = g_malloc0 (size);
  guint8 *ip = f + 14, *l4 = ip + 20;
  guint i;

  f[12] = 0x08;
  ip[0] = 0x45;
  colo_write_be16 (ip + 2, 20 + hl + payload);
  ip[9] = is_tcp ? 6 : 17;
  ip[12] = 10;
  ip[15] = 1 + (in[1] & 1);     /* two hosts: two connections */
  ip[16] = 10;
  ip[19] = 9;
  colo_write_be16 (l4, 80);
  colo_write_be16 (l4 + 2, 1000);
  if (is_tcp) {
    /* sequence numbers near 2^32 so that wrap-around is exercised */
    colo_write_be32 (l4 + 4, 0xffffff00u + in[2] * 8u);
    colo_write_be32 (l4 + 8, 0xfffffff0u + in[3]);
    l4[12] = 5 << 4;
    l4[13] = in[4] & 0x17;      /* FIN SYN RST ACK */
  } else {
    colo_write_be16 (l4 + 4, 8 + payload);
  }
  for (i = 0; i < payload; i++)
    l4[hl + i] = (in[5] & 0x80) ? in[5] : (guint8) i;
  *out_size = size;
  return f;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ColoCompareConfig cfg = {.compare_timeout = 300,.scan_cycle = 100,
    .max_queue_size = 4,.auto_release = FALSE,.idle_timeout = 500,
    .tcp_linger = 200,
  };
  ColoComparator *c = colo_comparator_new (&ops, NULL);
  guint64 now = 0;
  size_t i = 0;

  outstanding = 0;
  discarding = FALSE;
  failed_over = FALSE;
  n_frames = 0;
  frames = g_new0 (Frame, size / OP_SIZE + 1);
  if (size > 0)
    cfg.auto_release = data[0] & 1;
  colo_comparator_set_config (c, &cfg);

  while (i + OP_SIZE <= size) {
    const uint8_t *op = data + i;
    Frame *f;

    i += OP_SIZE;
    switch (op[0] % 8) {
      case 0:
      case 1:
      case 2:
      case 3:{
        f = &frames[n_frames++];
        f->primary = (op[0] % 2) == 0;
        f->is_tcp = op[0] % 4 < 2;
        f->bytes = make_frame (f->is_tcp, op, &f->size);
        f->queued = TRUE;
        outstanding++;
        in_push = !cfg.auto_release;
        colo_comparator_push (c, f->primary ? COLO_SIDE_PRIMARY :
            COLO_SIDE_SECONDARY, f->bytes, f->size, 0, f, now);
        in_push = FALSE;
        break;
      }
      case 4:{                 /* raw bytes as a frame */
        f = &frames[n_frames++];
        f->size = MIN (op[1], size - i);
        f->primary = op[2] & 1;
        f->is_tcp = FALSE;
        f->bytes = g_memdup2 (data + i, f->size);
        f->queued = TRUE;
        i += f->size;
        outstanding++;
        colo_comparator_push (c, f->primary ? COLO_SIDE_PRIMARY :
            COLO_SIDE_SECONDARY, f->bytes, f->size, op[3] % 21, f, now);
        break;
      }
      case 5:
        now += op[1];
        colo_comparator_check_stale (c, now);
        break;
      case 6:
        colo_comparator_checkpoint_done (c, now);
        break;
      case 7:
        if (op[1] == 0xff) {
          colo_comparator_failover (c, now);
          failed_over = TRUE;
        }
        break;
    }
  }

  /* everything still queued goes out or away */
  colo_comparator_checkpoint_done (c, now);
  if (colo_comparator_queued (c, COLO_SIDE_PRIMARY) != 0 ||
      colo_comparator_queued (c, COLO_SIDE_SECONDARY) != 0)
    abort ();
  discarding = TRUE;
  colo_comparator_free (c);
  if (outstanding != 0)
    abort ();
  g_free (frames);
  frames = NULL;
  return 0;
}
