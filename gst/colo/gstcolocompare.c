/* gst-colo: colocompare (being written) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcoloelements.h"
#include "gstcolocompare.h"

struct _GstColoCompare
{
  GstAggregator parent;
};

#define COLO_CAPS "application/x-ethernet, vnet-hdr-len = (int) [ 0, 20 ]"

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (COLO_CAPS));
static GstStaticPadTemplate primary_template =
GST_STATIC_PAD_TEMPLATE ("primary", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (COLO_CAPS));
static GstStaticPadTemplate secondary_template =
GST_STATIC_PAD_TEMPLATE ("secondary", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (COLO_CAPS));

G_DEFINE_TYPE (GstColoCompare, gst_colo_compare, GST_TYPE_AGGREGATOR);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (colocompare, "colocompare",
    GST_RANK_NONE, GST_TYPE_COLO_COMPARE, colo_element_init (plugin));

static GstFlowReturn
gst_colo_compare_aggregate (GstAggregator * agg, gboolean timeout)
{
  return GST_FLOW_OK;
}

static void
gst_colo_compare_class_init (GstColoCompareClass * klass)
{
  GstElementClass *eclass = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *aclass = GST_AGGREGATOR_CLASS (klass);

  gst_element_class_add_static_pad_template_with_gtype (eclass,
      &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (eclass,
      &primary_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (eclass,
      &secondary_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata (eclass, "COLO compare",
      "Filter/Network", "Compares primary and secondary VM network output",
      "gst-colo developers");
  aclass->aggregate = gst_colo_compare_aggregate;
}

static void
gst_colo_compare_init (GstColoCompare * self)
{
}
