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
#include "fuzz_comparator.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* op[0] what (% 8), op[1]..op[5] see below, op[6] payload length (% 64) */
#define OP_SIZE 7

static gboolean in_push;        /* inside colo_comparator_push() */
static gboolean failed_over;

/* Primary frames released by a push (a match, an ACK or a retransmission;
 * not checkpoint-done, failover or auto-release), per protocol: read by
 * fuzz_compare_paths.c. */
guint64 fuzz_compare_released_by_push_udp;
guint64 fuzz_compare_released_by_push_tcp;

/* Counts the primary frames a push released */
static void
on_release (FuzzFrame * f)
{
  if (in_push && !failed_over) {
    if (f->is_tcp)
      fuzz_compare_released_by_push_tcp++;
    else
      fuzz_compare_released_by_push_udp++;
  }
}

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
  ColoComparator *c = fuzz_comparator_begin (size, OP_SIZE, on_release);
  guint64 now = 0;
  size_t i = 0;

  failed_over = FALSE;
  if (size > 0)
    cfg.auto_release = data[0] & 1;
  colo_comparator_set_config (c, &cfg);

  while (i + OP_SIZE <= size) {
    const uint8_t *op = data + i;
    FuzzFrame *f;
    gsize fsize;

    i += OP_SIZE;
    switch (op[0] % 8) {
      case 0:
      case 1:
      case 2:
      case 3:{
        gboolean is_tcp = op[0] % 4 < 2;
        guint8 *bytes = make_frame (is_tcp, op, &fsize);

        f = fuzz_comparator_add ((op[0] % 2) == 0, is_tcp, bytes, fsize);
        in_push = !cfg.auto_release;
        fuzz_comparator_push (c, f, 0, now);
        in_push = FALSE;
        break;
      }
      case 4:{                 /* raw bytes as a frame */
        fsize = MIN (op[1], size - i);
        f = fuzz_comparator_add (op[2] & 1, FALSE, g_memdup2 (data + i,
                fsize), fsize);
        i += fsize;
        fuzz_comparator_push (c, f, op[3] % 21, now);
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
  fuzz_comparator_end (c, now);
  return 0;
}
