/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for IP fragment reassembly in the comparator
 * (colo-frag.c and its hooks in colo-compare.c; docs/design.md, "IP
 * fragments").  The input is a program of OP_SIZE-byte operations: push
 * an IPv4 or IPv6 fragment (or a whole datagram) of one of four datagrams
 * on either side, with any offset, length, more-fragments flag and
 * protocol, the bytes of the datagram's one pattern or of another; advance
 * time and scan; checkpoint-done; failover; move every held frame's bytes
 * (foreach_queued).  Checked: no crash or leak, every frame is handed back
 * exactly once with the bytes it holds (wherever they were moved), a
 * secondary frame is never released, a primary frame is never dropped
 * before the final discard, and the counters add up. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colo-bytes.h"
#include "colo-compare.h"
#include "fuzz_comparator.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* op[0] what (% 8) and side/version bits, op[1] datagram (% 4) or time,
 * op[2] offset in 8-byte units (% 64), op[3] length (% 96), op[4] flags
 * (bit 0 more, bit 1 other bytes, bit 2 whole datagram), op[5] protocol,
 * op[6] UDP length / TCP data offset byte */
#define OP_SIZE 7

/* Moves a held frame's bytes (as the element's compaction does) */
static void
move_frame (gpointer * handle, const guint8 ** data, gsize size,
    gpointer user_data)
{
  FuzzFrame *f = *handle;

  if (!f->queued || *data != f->bytes || size != f->size)
    abort ();
  f->bytes = g_memdup2 (f->bytes, f->size);
  g_free ((gpointer) * data);
  *data = f->bytes;
}

/* Byte i of datagram d's payload (another pattern with `other`) */
static guint8
pattern (guint d, gsize i, gboolean other)
{
  return (guint8) (i * 7 + d * 31 + (i >> 8)) ^ (other ? 0x5a : 0);
}

static guint8 *
make_frame (const uint8_t * op, gsize * out_size)
{
  gboolean ipv6 = (op[0] >> 3) & 1;
  guint d = op[1] % 4;
  guint32 offset = (op[2] % 64) * 8;
  guint len = op[3] % 96;
  gboolean more = op[4] & 1, other = (op[4] >> 1) & 1;
  gboolean whole = (op[4] >> 2) & 1;
  static const guint8 protos[] = { 17, 6, 1, 99 };
  guint8 proto = protos[op[5] % 4];
  guint hl = ipv6 ? 40 + (whole ? 0 : 8) : 20;
  gsize size = 14 + hl + len, i;
  guint8 *f = g_malloc0 (size);
  guint8 *ip = f + 14, *payload = ip + hl;

  if (whole)
    offset = 0;
  for (i = 0; i < len; i++)
    payload[i] = pattern (d, offset + i, other);
  /* a plausible transport header at the datagram's start */
  if (offset == 0 && proto == 17 && len >= 8)
    colo_write_be16 (payload + 4, 8 + op[6]);
  if (offset == 0 && proto == 6 && len >= 20)
    payload[12] = (5 + op[6] % 4) << 4;

  if (ipv6) {
    f[12] = 0x86;
    f[13] = 0xdd;
    ip[0] = 0x60;
    colo_write_be16 (ip + 4, hl - 40 + len);
    ip[6] = whole ? proto : 44;
    ip[23] = 1;
    ip[39] = 2;
    if (!whole) {
      ip[40] = proto;
      colo_write_be16 (ip + 42, offset | (more ? 1 : 0));
      colo_write_be32 (ip + 44, 1000 + d);
    }
  } else {
    f[12] = 0x08;
    ip[0] = 0x45;
    colo_write_be16 (ip + 2, 20 + len);
    colo_write_be16 (ip + 4, 1000 + d);
    if (!whole)
      colo_write_be16 (ip + 6, (more ? 0x2000 : 0) | (offset / 8));
    ip[9] = proto;
    ip[12] = 10;
    ip[15] = 1;
    ip[16] = 10;
    ip[19] = 2;
  }
  *out_size = size;
  return f;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ColoCompareConfig cfg;
  ColoComparator *c = fuzz_comparator_begin (size, OP_SIZE, NULL);
  ColoStats st;
  guint64 now = 0, primaries_in = 0;
  size_t i = 0;

  colo_compare_config_init (&cfg);
  cfg.compare_timeout = 300;
  cfg.scan_cycle = 100;
  cfg.max_queue_size = 8;
  cfg.idle_timeout = 500;
  cfg.tcp_linger = 200;
  /* 0 (reassembly off) up to about four full datagrams */
  cfg.reassembly_max_bytes = size > 0 ? (data[0] >> 1) * 16 : 4096;
  cfg.auto_release = size > 0 && (data[0] & 1);
  colo_comparator_set_config (c, &cfg);

  for (i = 1; i + OP_SIZE <= size; i += OP_SIZE) {
    const uint8_t *op = data + i;
    FuzzFrame *f;
    guint8 *bytes;
    gsize fsize;

    switch (op[0] % 8) {
      case 0:
      case 1:
      case 2:
      case 3:
        bytes = make_frame (op, &fsize);
        f = fuzz_comparator_add ((op[0] >> 4) & 1, FALSE, bytes, fsize);
        primaries_in += f->primary;
        fuzz_comparator_push (c, f, 0, now);
        break;
      case 4:
        now += op[1];
        colo_comparator_check_stale (c, now);
        break;
      case 5:
        colo_comparator_checkpoint_done (c, now);
        break;
      case 6:
        if (op[1] == 0xff)
          colo_comparator_failover (c, now);
        break;
      case 7:
        colo_comparator_foreach_queued (c, move_frame, NULL);
        break;
    }
    /* every primary frame is out or held, counted once */
    colo_comparator_get_stats (c, &st);
    if (st.primary_packets != primaries_in
        || st.released + st.flushed + st.passed_through !=
        fuzz_comparator_released ()
        || st.queued_primary != primaries_in - fuzz_comparator_released ()
        || colo_comparator_queued (c, COLO_SIDE_PRIMARY) != st.queued_primary)
      abort ();
    if (colo_comparator_next_stale_time (c) == G_MAXUINT64
        && st.queued_primary + st.queued_secondary != 0)
      abort ();                 /* something held that never goes stale */
  }

  fuzz_comparator_end (c, now);
  return 0;
}
