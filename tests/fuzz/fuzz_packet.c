/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the frame parser.  Input: one byte choosing the
 * virtio-net header length (0..21, 21 being invalid), then the frame. */

#include <stdint.h>
#include <stdlib.h>

#include "colo-packet.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
check_range (guint64 offset, guint64 len, size_t size)
{
  if (offset > size || len > size - offset)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ColoPacketInfo info;
  ColoParseResult res;
  guint vnet_hdr_len;
  char buf[46];

  if (size < 1)
    return 0;
  vnet_hdr_len = data[0] % (COLO_MAX_VNET_HDR_LEN + 2);
  data++;
  size--;

  res = colo_packet_parse (data, size, vnet_hdr_len, &info);
  switch (res) {
    case COLO_PARSE_OK:
      if (info.error != NULL || (info.ip_version != 4 && info.ip_version != 6))
        abort ();
      /* transport payload inside the IP payload */
      if (info.payload_offset < info.l4_offset ||
          (guint64) info.payload_offset + info.payload_len >
          (guint64) info.l4_offset + info.l4_len)
        abort ();
      if (info.l4_offset < info.l3_offset)
        abort ();
      colo_packet_addr_to_string (info.ip_version, info.src, buf, sizeof buf);
      colo_packet_addr_to_string (info.ip_version, info.dst, buf, sizeof buf);
      break;
    case COLO_PARSE_NOT_IP:
      if (info.error != NULL)
        abort ();
      break;
    case COLO_PARSE_MALFORMED:
      if (info.error == NULL)
        abort ();
      break;
    default:
      abort ();
  }
  if (info.n_vlan > 2)
    abort ();
  check_range (info.l3_offset, 0, size);
  check_range (info.l4_offset, info.l4_len, size);
  check_range (info.payload_offset, info.payload_len, size);
  return 0;
}
