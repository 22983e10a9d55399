#!/usr/bin/env python3
# Every field of colocompare's `stats` is explained where users look: in
# the property's description (gst-inspect-1.0, taken from
# docs/reference/colocompare.txt, which the docs_reference test keeps equal
# to this build's), in README.md's stats table and in gst-colo-compare's
# man page.  Fails naming the field and the place that misses it.
#   check-stats-doc.py SOURCE_ROOT

import os
import re
import sys

top = sys.argv[1]


def read(*path):
    with open(os.path.join(top, *path), encoding='utf-8') as f:
        return f.read()


ref = read('docs', 'reference', 'colocompare.txt')
m = re.search(r'^  stats +: (.*)\n(?:.*\n)*? +Boxed pointer of type "GstStructure"\n'
              r'((?: +[a-z0-9-]+: .*\n)+)', ref, re.M)
if not m:
    sys.exit('FAIL: no stats property with its fields in '
             'docs/reference/colocompare.txt')
blurb = m.group(1)
fields = re.findall(r'^ +([a-z0-9-]+): ', m.group(2), re.M)

readme = read('README.md')
table = re.search(r'^`stats` \((?s:.*?)\n\n((?:\|.*\n)+)', readme, re.M)
if not table:
    sys.exit('FAIL: README.md has no stats table ("`stats` (..." and a table)')
man = read('docs', 'gst-colo-compare.1')

places = [
    ('the stats blurb (gst/colo/gstcolocompare.c)', blurb, '%s'),
    ("README.md's stats table", table.group(1), '`%s`'),
    ('docs/gst-colo-compare.1', man, '%s'),
]
missing = 0
for f in fields:
    for where, text, fmt in places:
        word = fmt % (f.replace('-', r'\-') if where.endswith('.1') else f)
        if not re.search(r'(?<![\w\\-])' + re.escape(word) + r'(?![\w-])', text):
            print('FAIL: %s does not explain %r' % (where, f))
            missing += 1
if missing:
    sys.exit(1)
print('ok: %d stats fields explained in %s' %
      (len(fields), ', '.join(w for w, _, _ in places)))
