/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-colopcapsrc
 * @title: colopcapsrc
 * @see_also: colopcapsink, colocompare
 *
 * Reads Ethernet frames from a pcap or pcapng file (#GstColoPcapSrc:location)
 * or captures them live from a network interface (#GstColoPcapSrc:device),
 * using libpcap, and pushes one `application/x-ethernet, vnet-hdr-len=0`
 * buffer per frame. Exactly one of the two properties must be set.
 *
 * An optional BPF expression (#GstColoPcapSrc:filter, the syntax of
 * tcpdump and pcap-filter(7)) selects the frames, in both modes.
 *
 * Timestamps:
 *
 * * file mode: the element is not live; the PTS of each buffer is its
 *   capture timestamp minus the capture timestamp of the first frame pushed
 *   (the first frame of the file, or with a filter the first matching one),
 *   so the first buffer has PTS 0. A frame stamped earlier than the
 *   first one gets PTS 0. With `sync=true` downstream the capture is
 *   replayed at its original pace.
 * * device mode: the element is live and stamps each buffer with the
 *   pipeline running time at which it was received.
 *
 * In both modes the absolute capture time (UNIX epoch) is attached as a
 * #GstReferenceTimestampMeta with caps `timestamp/x-unix`, which
 * colopcapsink writes back, so that a file copied through
 * `colopcapsrc ! colopcapsink` keeps its timestamps.
 *
 * The GST_BUFFER_OFFSET of each buffer is the index of the frame among
 * those pushed (0 for the first).
 *
 * Only Ethernet captures (link type DLT_EN10MB, as on Linux `lo` and
 * Ethernet interfaces) are accepted; anything else (Linux cooked capture
 * from `-i any`, raw IP, 802.11...) is an error naming the link type.
 *
 * Frames that were captured with a snap length shorter than the frame
 * (caplen < len) are still pushed, holding only the captured bytes; they are
 * counted and a single element warning is posted the first time one is seen
 * (comparing such a truncated frame is rarely meaningful).
 *
 * Errors: a missing file is a RESOURCE/NOT_FOUND error; a file that libpcap
 * cannot parse is a STREAM/WRONG_TYPE error; a file truncated in the middle
 * of a record is a RESOURCE/READ error (not a silent EOS); a link type other
 * than Ethernet is a STREAM/WRONG_TYPE error; a filter that does not compile
 * is a RESOURCE/SETTINGS error; an interface that cannot be opened (missing,
 * down, or no permission to capture) is a RESOURCE/OPEN_READ error.
 *
 * Live capture needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep` on the
 * program). The interface is not put in promiscuous mode; frames are
 * delivered immediately (libpcap immediate mode) with a snap length of
 * 262144 bytes. Setting the pipeline to READY or NULL interrupts the wait for
 * the next frame at once.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 colopcapsrc location=primary.pcap ! colopcapsink location=copy.pcap
 * ]| Copies the Ethernet frames of a capture into a classic pcap file.
 * |[
 * gst-launch-1.0 colocompare name=c auto-release=true ! colopcapsink location=out.pcap \
 *     colopcapsrc location=primary.pcap ! c.primary \
 *     colopcapsrc location=secondary.pcap ! c.secondary
 * ]| Replays two captured VM outputs through the comparator.
 * |[
 * gst-launch-1.0 colopcapsrc device=lo filter="udp port 5000" ! fakesink dump=true
 * ]| Captures UDP traffic on the loopback interface.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>

#include "gstcolopcapelements.h"
#include "gstcolopcapsrc.h"
#include "gstcolocaps.h"

GST_DEBUG_CATEGORY_STATIC (gst_colo_pcap_src_debug);
#define GST_CAT_DEFAULT gst_colo_pcap_src_debug

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_DEVICE,
  PROP_FILTER,
};

struct _GstColoPcapSrc
{
  GstPushSrc parent;

  /* properties, under the object lock */
  gchar *location;
  gchar *device;
  gchar *filter;

  /* streaming state, set up in start (), torn down in stop () */
  pcap_t *pcap;
  gboolean live;
  gboolean nano;                /* timestamps have nanosecond precision */
  GstPoll *poll;                /* device mode: waits for the capture fd */
  GstPollFD pollfd;
  GstClockTime first_ts;
  guint64 frames;
  guint64 snapped;
};

static GstStaticCaps unix_ts_caps = GST_STATIC_CAPS ("timestamp/x-unix");

#define gst_colo_pcap_src_parent_class parent_class
G_DEFINE_TYPE (GstColoPcapSrc, gst_colo_pcap_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colopcapsrc, "colopcapsrc",
    GST_RANK_NONE, GST_TYPE_COLO_PCAP_SRC, colo_pcap_element_init (plugin));

static void
gst_colo_pcap_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (object);
  gboolean live;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      break;
    case PROP_FILTER:
      g_free (self->filter);
      self->filter = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  live = self->device != NULL && self->device[0] != '\0';
  GST_OBJECT_UNLOCK (self);

  /* basesrc reads the live flag before start () on READY->PAUSED, so it has
   * to follow the properties. */
  gst_base_src_set_live (GST_BASE_SRC (self), live);
  gst_base_src_set_do_timestamp (GST_BASE_SRC (self), live);
}

static void
gst_colo_pcap_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_FILTER:
      g_value_set_string (value, self->filter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_colo_pcap_src_check_linktype (GstColoPcapSrc * self, const gchar * what)
{
  int dlt = pcap_datalink (self->pcap);
  const char *name, *desc;

  if (dlt == DLT_EN10MB)
    return TRUE;

  name = pcap_datalink_val_to_name (dlt);
  desc = pcap_datalink_val_to_description (dlt);
  GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
      (_("\"%s\" does not carry Ethernet frames (link type %s)."), what,
          name ? name : "unknown"),
      ("link type %d (%s: %s), only DLT_EN10MB (1) is supported", dlt,
          name ? name : "?", desc ? desc : "?"));
  return FALSE;
}

static gboolean
gst_colo_pcap_src_open_file (GstColoPcapSrc * self, const gchar * location)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  FILE *f;

  f = g_fopen (location, "rb");
  if (f == NULL) {
    int err = errno;

    if (err == ENOENT)
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          (_("Could not find capture file \"%s\"."), location),
          ("%s", g_strerror (err)));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          (_("Could not open capture file \"%s\" for reading."), location),
          ("%s", g_strerror (err)));
    return FALSE;
  }

  /* Ask for nanoseconds so that pcapng and nanosecond pcap files keep their
   * precision; microsecond files are scaled by libpcap. */
  self->pcap = pcap_fopen_offline_with_tstamp_precision (f,
      PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (self->pcap == NULL) {
    fclose (f);
    GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
        (_("\"%s\" is not a readable pcap or pcapng file."), location),
        ("libpcap: %s", errbuf));
    return FALSE;
  }
  self->nano = TRUE;

  return gst_colo_pcap_src_check_linktype (self, location);
}

static gboolean
gst_colo_pcap_src_open_device (GstColoPcapSrc * self, const gchar * device)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  int rc, fd;

  self->pcap = pcap_create (device, errbuf);
  if (self->pcap == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not open network interface \"%s\" for capture."), device),
        ("pcap_create: %s", errbuf));
    return FALSE;
  }

  pcap_set_snaplen (self->pcap, COLO_PCAP_SNAPLEN);
  pcap_set_promisc (self->pcap, 0);
  pcap_set_immediate_mode (self->pcap, 1);
  pcap_set_timeout (self->pcap, 100);
  if (pcap_set_tstamp_precision (self->pcap, PCAP_TSTAMP_PRECISION_NANO) != 0)
    GST_DEBUG_OBJECT (self, "no nanosecond timestamps on %s", device);

  rc = pcap_activate (self->pcap);
  if (rc < 0) {
    const char *detail = (rc == PCAP_ERROR) ? pcap_geterr (self->pcap) :
        pcap_statustostr (rc);

    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not open network interface \"%s\" for capture."), device),
        ("pcap_activate: %s (%s)", detail,
            rc == PCAP_ERROR ? pcap_statustostr (rc) :
            pcap_geterr (self->pcap)));
    return FALSE;
  } else if (rc > 0) {
    GST_WARNING_OBJECT (self, "pcap_activate on %s: %s: %s", device,
        pcap_statustostr (rc), pcap_geterr (self->pcap));
  }
  self->nano =
      pcap_get_tstamp_precision (self->pcap) == PCAP_TSTAMP_PRECISION_NANO;

  if (!gst_colo_pcap_src_check_linktype (self, device))
    return FALSE;

  if (pcap_setnonblock (self->pcap, 1, errbuf) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not open network interface \"%s\" for capture."), device),
        ("pcap_setnonblock: %s", errbuf));
    return FALSE;
  }

  fd = pcap_get_selectable_fd (self->pcap);
  if (fd < 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not open network interface \"%s\" for capture."), device),
        ("interface has no selectable file descriptor"));
    return FALSE;
  }
  gst_poll_fd_init (&self->pollfd);
  self->pollfd.fd = fd;
  gst_poll_add_fd (self->poll, &self->pollfd);
  gst_poll_fd_ctl_read (self->poll, &self->pollfd, TRUE);

  return TRUE;
}

static gboolean
gst_colo_pcap_src_set_filter (GstColoPcapSrc * self, const gchar * filter)
{
  struct bpf_program prog;

  if (pcap_compile (self->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Invalid capture filter \"%s\"."), filter),
        ("pcap_compile: %s", pcap_geterr (self->pcap)));
    return FALSE;
  }
  if (pcap_setfilter (self->pcap, &prog) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Invalid capture filter \"%s\"."), filter),
        ("pcap_setfilter: %s", pcap_geterr (self->pcap)));
    pcap_freecode (&prog);
    return FALSE;
  }
  pcap_freecode (&prog);
  return TRUE;
}

static void
gst_colo_pcap_src_close (GstColoPcapSrc * self)
{
  if (self->pollfd.fd >= 0) {
    gst_poll_remove_fd (self->poll, &self->pollfd);
    gst_poll_fd_init (&self->pollfd);
  }
  if (self->pcap) {
    pcap_close (self->pcap);
    self->pcap = NULL;
  }
}

static gboolean
gst_colo_pcap_src_start (GstBaseSrc * bsrc)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (bsrc);
  gchar *location, *device, *filter;
  gboolean ok = FALSE;

  GST_OBJECT_LOCK (self);
  location = (self->location && self->location[0]) ?
      g_strdup (self->location) : NULL;
  device = (self->device && self->device[0]) ? g_strdup (self->device) : NULL;
  filter = (self->filter && self->filter[0]) ? g_strdup (self->filter) : NULL;
  GST_OBJECT_UNLOCK (self);

  self->first_ts = GST_CLOCK_TIME_NONE;
  self->frames = 0;
  self->snapped = 0;
  self->live = device != NULL;

  if (location == NULL && device == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        (_("No capture file or network interface specified.")),
        ("set either the \"location\" or the \"device\" property"));
    goto done;
  }
  if (location != NULL && device != NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Both a capture file and a network interface were specified.")),
        ("set only one of \"location\" (%s) and \"device\" (%s)", location,
            device));
    goto done;
  }

  if (location) {
    GST_INFO_OBJECT (self, "reading %s", location);
    ok = gst_colo_pcap_src_open_file (self, location);
  } else {
    GST_INFO_OBJECT (self, "capturing on %s", device);
    ok = gst_colo_pcap_src_open_device (self, device);
  }
  if (ok && filter) {
    GST_INFO_OBJECT (self, "filter: %s", filter);
    ok = gst_colo_pcap_src_set_filter (self, filter);
  }
  if (!ok)
    gst_colo_pcap_src_close (self);

done:
  g_free (location);
  g_free (device);
  g_free (filter);
  return ok;
}

static gboolean
gst_colo_pcap_src_stop (GstBaseSrc * bsrc)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (bsrc);

  GST_DEBUG_OBJECT (self, "stopping after %" G_GUINT64_FORMAT " frames (%"
      G_GUINT64_FORMAT " snapped)", self->frames, self->snapped);
  gst_colo_pcap_src_close (self);
  return TRUE;
}

static gboolean
gst_colo_pcap_src_unlock (GstBaseSrc * bsrc)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (bsrc);

  GST_LOG_OBJECT (self, "unlock");
  gst_poll_set_flushing (self->poll, TRUE);
  return TRUE;
}

static gboolean
gst_colo_pcap_src_unlock_stop (GstBaseSrc * bsrc)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (bsrc);

  GST_LOG_OBJECT (self, "unlock stop");
  gst_poll_set_flushing (self->poll, FALSE);
  return TRUE;
}

/* GST_FLOW_OK with a frame in *hdr / *data; GST_FLOW_EOS at the end of the
 * file; GST_FLOW_FLUSHING when unlock () interrupted the wait; GST_FLOW_ERROR
 * (after posting the error) when libpcap fails. */
static GstFlowReturn
gst_colo_pcap_src_next (GstColoPcapSrc * self, struct pcap_pkthdr **hdr,
    const u_char ** data)
{
  int rc;

  for (;;) {
    rc = pcap_next_ex (self->pcap, hdr, data);
    if (rc == 1)
      return GST_FLOW_OK;

    if (rc == 0 && self->live) {
      /* nothing buffered: wait for the fd, or for unlock () */
      gint n = gst_poll_wait (self->poll, GST_CLOCK_TIME_NONE);

      if (n < 0) {
        if (errno == EBUSY) {
          GST_DEBUG_OBJECT (self, "flushing");
          return GST_FLOW_FLUSHING;
        }
        if (errno == EINTR || errno == EAGAIN)
          continue;
        GST_ELEMENT_ERROR (self, RESOURCE, READ,
            (_("Could not read from network interface.")),
            ("poll: %s", g_strerror (errno)));
        return GST_FLOW_ERROR;
      }
      continue;
    }

    if (rc == PCAP_ERROR_BREAK || rc == 0) {
      GST_DEBUG_OBJECT (self, "end of capture after %" G_GUINT64_FORMAT
          " frames", self->frames);
      return GST_FLOW_EOS;
    }

    if (self->live)
      GST_ELEMENT_ERROR (self, RESOURCE, READ,
          (_("Could not read from network interface.")),
          ("pcap_next_ex: %s", pcap_geterr (self->pcap)));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, READ,
          (_("Could not read the capture file; it is probably truncated.")),
          ("frame %" G_GUINT64_FORMAT ": pcap_next_ex: %s", self->frames + 1,
              pcap_geterr (self->pcap)));
    return GST_FLOW_ERROR;
  }
}

static GstFlowReturn
gst_colo_pcap_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (psrc);
  struct pcap_pkthdr *hdr = NULL;
  const u_char *data = NULL;
  GstFlowReturn ret;
  GstClockTime ts;
  GstBuffer *buf;
  GstCaps *caps;

  ret = gst_colo_pcap_src_next (self, &hdr, &data);
  if (ret != GST_FLOW_OK)
    return ret;

  ts = (GstClockTime) hdr->ts.tv_sec * GST_SECOND +
      (GstClockTime) hdr->ts.tv_usec * (self->nano ? 1 : GST_USECOND);

  if (hdr->caplen < hdr->len) {
    if (self->snapped++ == 0)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          (_("The capture holds truncated frames (snap length too short).")),
          ("frame %" G_GUINT64_FORMAT " has %u of %u bytes; such frames are "
              "pushed with only the captured bytes", self->frames + 1,
              hdr->caplen, hdr->len));
    GST_LOG_OBJECT (self, "snapped frame: %u of %u bytes", hdr->caplen,
        hdr->len);
  }

  buf = gst_buffer_new_memdup (data, hdr->caplen);
  GST_BUFFER_OFFSET (buf) = self->frames;
  GST_BUFFER_OFFSET_END (buf) = self->frames + 1;

  if (!self->live) {
    if (!GST_CLOCK_TIME_IS_VALID (self->first_ts))
      self->first_ts = ts;
    if (ts >= self->first_ts) {
      GST_BUFFER_PTS (buf) = ts - self->first_ts;
    } else {
      GST_DEBUG_OBJECT (self, "frame %" G_GUINT64_FORMAT " is stamped before "
          "the first frame", self->frames + 1);
      GST_BUFFER_PTS (buf) = 0;
    }
  }

  caps = gst_static_caps_get (&unix_ts_caps);
  gst_buffer_add_reference_timestamp_meta (buf, caps, ts, GST_CLOCK_TIME_NONE);
  gst_caps_unref (caps);

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %u bytes, capture time %"
      GST_TIME_FORMAT ", pts %" GST_TIME_FORMAT, self->frames, hdr->caplen,
      GST_TIME_ARGS (ts), GST_TIME_ARGS (GST_BUFFER_PTS (buf)));

  self->frames++;
  *outbuf = buf;
  return GST_FLOW_OK;
}

static void
gst_colo_pcap_src_finalize (GObject * object)
{
  GstColoPcapSrc *self = GST_COLO_PCAP_SRC (object);

  gst_colo_pcap_src_close (self);
  gst_poll_free (self->poll);
  g_free (self->location);
  g_free (self->device);
  g_free (self->filter);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_colo_pcap_src_class_init (GstColoPcapSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);
  GstCaps *caps;

  gobject_class->set_property = gst_colo_pcap_src_set_property;
  gobject_class->get_property = gst_colo_pcap_src_get_property;
  gobject_class->finalize = gst_colo_pcap_src_finalize;

  /**
   * GstColoPcapSrc:location:
   *
   * Path of a pcap or pcapng file to read (Ethernet link type only).
   * Mutually exclusive with #GstColoPcapSrc:device.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "pcap or pcapng file to read (exclusive with device)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstColoPcapSrc:device:
   *
   * Network interface to capture from live (for example `lo` or `eth0`).
   * Setting it makes the element a live source. Mutually exclusive with
   * #GstColoPcapSrc:location.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "Network interface to capture from (live; exclusive with location)",
          NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstColoPcapSrc:filter:
   *
   * BPF filter expression in pcap-filter(7) syntax (as for tcpdump), for
   * example `"udp and port 5000"`. Only matching frames are pushed. Applies
   * to files and to live capture.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_FILTER,
      g_param_spec_string ("filter", "Filter",
          "BPF filter expression (pcap-filter syntax) selecting the frames",
          NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /* frames without a virtio-net header: what a capture holds */
  caps = gst_colo_caps_new_frames (0);
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);
  gst_element_class_set_static_metadata (element_class,
      "COLO pcap source", "Source/Network",
      "Reads Ethernet frames from a pcap/pcapng file or captures them live "
      "from a network interface", "gst-colo developers");

  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_colo_pcap_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_colo_pcap_src_stop);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_colo_pcap_src_unlock);
  basesrc_class->unlock_stop =
      GST_DEBUG_FUNCPTR (gst_colo_pcap_src_unlock_stop);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_colo_pcap_src_create);

  GST_DEBUG_CATEGORY_INIT (gst_colo_pcap_src_debug, "colopcapsrc", 0,
      "COLO pcap source");
}

static void
gst_colo_pcap_src_init (GstColoPcapSrc * self)
{
  self->poll = gst_poll_new (TRUE);
  gst_poll_fd_init (&self->pollfd);
  self->first_ts = GST_CLOCK_TIME_NONE;
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}
