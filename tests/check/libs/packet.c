#include "colo-packet.h"

static void
test_placeholder (void)
{
  ColoPacketInfo info;
  g_assert_cmpint (colo_packet_parse ((const guint8 *) "", 0, 0, &info), ==,
      COLO_PARSE_MALFORMED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/packet/placeholder", test_placeholder);
  return g_test_run ();
}
