#include <gst/check/gstcheck.h>

GST_START_TEST (test_create)
{
  GstElement *e = gst_element_factory_make ("colocompare", NULL);
  fail_unless (e != NULL);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
colocompare_suite (void)
{
  Suite *s = suite_create ("colocompare");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_create);
  return s;
}

GST_CHECK_MAIN (colocompare);
