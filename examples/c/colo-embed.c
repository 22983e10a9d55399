/* gst-colo example: colocompare embedded in an application that has the
 * frames in memory (a hypervisor, a userspace proxy).
 *
 *   appsrc (primary)   -\
 *                        colocompare -> appsink (released primary frames)
 *   appsrc (secondary) -/
 *
 * The application pushes what each VM sent, pulls what may leave the host,
 * and answers checkpoint requests (posted on the bus) with checkpoint-done.
 * Here the VMs send two UDP datagrams each and the secondary's second one
 * differs: the first is released, the second is held until the checkpoint.
 * After the checkpoint both VMs run from the same state again and their
 * third datagram matches.
 *
 * This example is in the public domain (CC0): copy what you need. */

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <string.h>

#define N_DATAGRAMS 3
#define WAIT (5 * GST_SECOND)

/* An Ethernet + IPv4 + UDP frame 10.0.0.1:5000 -> 10.0.0.2:6000 (checksums
 * left 0: colocompare ignores the IP header and does not verify them). */
static GstBuffer *
udp_frame (const gchar * text)
{
  gsize len = strlen (text), ip_len = 20 + 8 + len;
  guint8 *f = g_malloc0 (14 + ip_len);

  memcpy (f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
  f[14] = 0x45;                 /* IPv4, 20-byte header */
  f[16] = ip_len >> 8;
  f[17] = ip_len & 0xff;
  f[22] = 64;                   /* TTL */
  f[23] = 17;                   /* UDP */
  memcpy (f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
  f[34] = 5000 >> 8;
  f[35] = 5000 & 0xff;
  f[36] = 6000 >> 8;
  f[37] = 6000 & 0xff;
  f[38] = (8 + len) >> 8;
  f[39] = (8 + len) & 0xff;
  memcpy (f + 42, text, len);
  return gst_buffer_new_wrapped (f, 14 + ip_len);
}

/* Waits up to WAIT for the next released frame and checks that it is the
 * primary datagram @want. */
static gboolean
pull_released (GstAppSink * sink, const gchar * want)
{
  GstSample *sample = gst_app_sink_try_pull_sample (sink, WAIT);
  GstMapInfo map;
  gboolean ok;

  if (!sample) {
    g_printerr ("\"%s\" was not released\n", want);
    return FALSE;
  }
  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  g_print ("released: %.*s\n", (int) map.size - 42, map.data + 42);
  ok = map.size == 42 + strlen (want) && !memcmp (map.data + 42, want,
      strlen (want));
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  gst_sample_unref (sample);
  return ok;
}

int
main (int argc, char **argv)
{
  const gchar *primary[N_DATAGRAMS] = { "one", "two", "three" };
  const gchar *secondary[N_DATAGRAMS] = { "one", "TWO", "three" };
  GstElement *pipeline, *compare;
  GstAppSrc *psrc, *ssrc;
  GstAppSink *sink;
  GstBus *bus;
  GstMessage *msg;
  GstStructure *stats;
  gchar *s;
  guint i, released = 0;
  GstSample *early;
  GError *error = NULL;

  gst_init (&argc, &argv);
  pipeline = gst_parse_launch ("colocompare name=compare ! "
      "appsink name=out sync=false "
      "appsrc name=primary format=time ! compare.primary "
      "appsrc name=secondary format=time ! compare.secondary", &error);
  if (!pipeline) {
    g_printerr ("pipeline: %s (is the colo plugin on GST_PLUGIN_PATH?)\n",
        error->message);
    g_clear_error (&error);
    return 1;
  }
  compare = gst_bin_get_by_name (GST_BIN (pipeline), "compare");
  psrc = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (pipeline), "primary"));
  ssrc = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (pipeline), "secondary"));
  sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (pipeline), "out"));
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  /* What each VM sent.  A frame leaves only once both sent the same. */
  for (i = 0; i < 2; i++) {
    gst_app_src_push_buffer (psrc, udp_frame (primary[i]));
    gst_app_src_push_buffer (ssrc, udp_frame (secondary[i]));
  }
  released += pull_released (sink, primary[0]);

  /* The divergence: colocompare asks for a checkpoint. */
  msg = gst_bus_timed_pop_filtered (bus, WAIT, GST_MESSAGE_ELEMENT);
  if (!msg || !gst_message_has_name (msg, "colo-checkpoint")) {
    g_printerr ("no checkpoint request\n");
    return 1;
  }
  s = gst_structure_to_string (gst_message_get_structure (msg));
  g_print ("checkpoint request: %s\n", s);
  g_free (s);
  gst_message_unref (msg);

  /* Nothing leaves while the checkpoint is pending. */
  if ((early = gst_app_sink_try_pull_sample (sink, 0))) {
    g_printerr ("a frame was released before checkpoint-done\n");
    gst_sample_unref (early);
    return 1;
  }

  /* ... checkpoint the VMs here, then release what was held (from this
   * application thread, never from the element's streaming thread). */
  g_signal_emit_by_name (compare, "checkpoint-done");
  released += pull_released (sink, primary[1]);

  /* Both VMs continue from the checkpointed state. */
  gst_app_src_push_buffer (psrc, udp_frame (primary[2]));
  gst_app_src_push_buffer (ssrc, udp_frame (secondary[2]));
  released += pull_released (sink, primary[2]);

  g_object_get (compare, "stats", &stats, NULL);
  s = gst_structure_to_string (stats);
  g_print ("stats: %s\n", s);
  g_free (s);
  gst_structure_free (stats);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (ssrc);
  gst_object_unref (psrc);
  gst_object_unref (compare);
  gst_object_unref (pipeline);
  gst_deinit ();

  g_print ("%u of %u primary frames released in order\n", released,
      N_DATAGRAMS);
  return released == N_DATAGRAMS ? 0 : 1;
}
