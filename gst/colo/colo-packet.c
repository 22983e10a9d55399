/* placeholder: the parser is being written (see colo-packet.h) */
#include "colo-packet.h"

ColoParseResult
colo_packet_parse (const guint8 * data, gsize size, guint vnet_hdr_len,
    ColoPacketInfo * info)
{
  memset (info, 0, sizeof (*info));
  info->error = "not implemented";
  return COLO_PARSE_MALFORMED;
}

const char *
colo_packet_addr_to_string (guint8 ip_version, const guint8 * addr, char *buf,
    gsize buf_size)
{
  g_strlcpy (buf, "?", buf_size);
  return buf;
}
