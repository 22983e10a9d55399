#!/usr/bin/env python3
# The translations (po/README.md), one test per check (meson's suite 'po'):
#
#   pot       the committed template has exactly the msgids that xgettext
#             finds today in the sources of po/POTFILES
#   complete  every catalog of po/LINGUAS has every msgid of the template,
#             none untranslated, fuzzy or obsolete, and passes
#             `msgfmt --check` (format specifiers, header)
#   tool      gst-colo-compare speaks German with LANGUAGE=de and French
#             with LANGUAGE=fr (catalogs of this build, through
#             GST_COLO_LOCALEDIR), English without, and its --help prints
#             GLib's "[OPTION…]" in a UTF-8 locale (setlocale)
#
# check-po.py CHECK SOURCE_ROOT [BUILD_PO_DIR GST_COLO_COMPARE]

import os
import re
import subprocess
import sys
import tempfile

DOMAIN = 'gst-colo-1.0'

# meson's i18n preset 'glib' (what po/meson.build uses): the keywords
# decide the msgids
XGETTEXT_KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2',
                     '--keyword=NC_:1c,2', '--keyword=g_dcgettext:2',
                     '--keyword=g_dngettext:2,3',
                     '--keyword=g_dpgettext2:2c,3']

# The C.UTF-8 locale is built into glibc on Debian 12 (no `locales`
# package needed); GNU gettext honours LANGUAGE in any locale but "C".
UTF8_LOCALE = 'C.UTF-8'


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def unquote(parts):
    s = ''.join(parts)
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            out.append({'n': '\n', 't': '\t', '"': '"', '\\': '\\'}.get(n, '\\' + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def read_catalog(path):
    """[(msgid, msgstr, flags, obsolete)] of a .po/.pot (entries are
    separated by blank lines, as xgettext and msgmerge write them), the
    header included"""
    entries = []
    with open(path, encoding='utf-8') as f:
        blocks = f.read().split('\n\n')
    for block in blocks:
        flags, parts, field, obsolete = set(), {'id': [], 'str': []}, None, False
        for line in block.split('\n'):
            if line.startswith('#~'):
                obsolete = True
                line = line[2:].lstrip()
            if line.startswith('#,'):
                flags |= {f.strip() for f in line[2:].split(',')}
            elif line.startswith('#') or not line.strip():
                continue
            elif line.startswith('msgid '):
                field = 'id'
                parts[field].append(re.match(r'msgid "(.*)"$', line).group(1))
            elif line.startswith('msgstr '):
                field = 'str'
                parts[field].append(re.match(r'msgstr "(.*)"$', line).group(1))
            elif line.startswith('"') and field is not None:
                parts[field].append(re.match(r'"(.*)"$', line).group(1))
            else:
                fail('%s: cannot read the line %r' % (path, line))
        if field is not None:
            entries.append((unquote(parts['id']), unquote(parts['str']),
                            flags, obsolete))
    return entries


def msgids(path):
    return {e[0] for e in read_catalog(path) if e[0] != '' and not e[3]}


def check_pot(top):
    pot = os.path.join(top, 'po', DOMAIN + '.pot')
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, 'fresh.pot')
        subprocess.run(['xgettext', '--from-code=UTF-8', '-D', top,
                        '-f', os.path.join(top, 'po', 'POTFILES'),
                        '-o', fresh] + XGETTEXT_KEYWORDS, check=True)
        now = msgids(fresh)
    committed = msgids(pot)
    if not now:
        fail('xgettext found no messages in the sources of po/POTFILES')
    added, gone = sorted(now - committed), sorted(committed - now)
    if added or gone:
        for m in added:
            print('in the sources, not in po/%s.pot: %r' % (DOMAIN, m))
        for m in gone:
            print('in po/%s.pot, no longer in the sources: %r' % (DOMAIN, m))
        fail('po/%s.pot is out of date: run `ninja -C build %s-pot` and '
             '`ninja -C build %s-update-po`, then translate' %
             (DOMAIN, DOMAIN, DOMAIN))
    print('ok: po/%s.pot has the %d msgids of the sources' %
          (DOMAIN, len(now)))


def check_complete(top):
    pot_ids = msgids(os.path.join(top, 'po', DOMAIN + '.pot'))
    with open(os.path.join(top, 'po', 'LINGUAS')) as f:
        langs = f.read().split()
    if len(langs) < 2:
        fail('po/LINGUAS lists %d languages, expected de and fr at least' %
             len(langs))
    bad = False
    for lang in langs:
        po = os.path.join(top, 'po', lang + '.po')
        r = subprocess.run(['msgfmt', '--check', '--statistics',
                            '-o', os.devnull, po],
                           capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL='C'))
        if r.returncode != 0:
            print(r.stderr)
            print('%s: msgfmt --check failed' % po)
            bad = True
        problems = []
        entries = [e for e in read_catalog(po) if e[0] != '']
        ids = {e[0] for e in entries if not e[3]}
        problems += ['missing: %r' % m for m in sorted(pot_ids - ids)]
        problems += ['not in the template: %r' % m for m in sorted(ids - pot_ids)]
        for msgid, msgstr, flags, obsolete in entries:
            if obsolete:
                problems.append('obsolete: %r' % msgid)
            elif 'fuzzy' in flags:
                problems.append('fuzzy: %r' % msgid)
            elif msgstr == '':
                problems.append('untranslated: %r' % msgid)
        for p in problems:
            print('%s: %s' % (po, p))
        if problems:
            bad = True
        else:
            print('ok: %s: %d messages, all translated (%s)' %
                  (po, len(ids), r.stderr.strip()))
    if bad:
        fail('incomplete or invalid translations')


def run_tool(tool, localedir, args, **env):
    e = {k: v for k, v in os.environ.items()
         if k not in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LANG',
                      'JOURNAL_STREAM')}
    e['GST_COLO_LOCALEDIR'] = localedir
    e.update(env)
    r = subprocess.run([tool] + args, capture_output=True, env=e,
                       timeout=60)
    return r.returncode, r.stdout.decode('utf-8'), r.stderr.decode('utf-8')


def expect(what, text, needle):
    if needle not in text:
        print(text)
        fail('%s: %r not found in the output above' % (what, needle))
    print('ok: %s: %r' % (what, needle))


def check_tool(top, localedir, tool):
    for lang in ('de', 'fr'):
        mo = os.path.join(localedir, lang, 'LC_MESSAGES', DOMAIN + '.mo')
        if not os.path.exists(mo):
            fail('%s was not built' % mo)
    # an option description (GOption, translated in the domain)
    _, out, _ = run_tool(tool, localedir, ['--help'], LANGUAGE='de',
                         LC_ALL=UTF8_LOCALE)
    expect('--help, LANGUAGE=de', out, 'Von der primären VM gesendete Frames')
    expect('--help, LANGUAGE=de', out,
           'Alter in ms, ab dem ein wartender Frame einen Checkpoint '
           'anfordert (Vorgabe 3000)')
    # a startup error, with its "error: " prefix
    rc, _, err = run_tool(tool, localedir, [], LANGUAGE='de',
                          LC_ALL=UTF8_LOCALE)
    expect('no options, LANGUAGE=de', err,
           'gst-colo-compare: Fehler: --primary-in ist erforderlich '
           '(siehe --help)')
    if rc != 2:
        fail('exit status %d, expected 2' % rc)
    rc, _, err = run_tool(tool, localedir, ['--primary-in', 'tcp:x'],
                          LANGUAGE='fr', LC_ALL=UTF8_LOCALE)
    expect('bad endpoint, LANGUAGE=fr', err,
           "gst-colo-compare: erreur : --primary-in: point de terminaison "
           "« tcp:x » non valide : pas de port")
    # English without a language, and GLib's ellipsis once the locale
    # is set from the environment
    _, out, _ = run_tool(tool, localedir, ['--help'], LC_ALL=UTF8_LOCALE)
    expect('--help, C.UTF-8', out, 'Frames sent by the primary VM')
    expect('--help, C.UTF-8', out, '[OPTION\u2026]')
    _, _, err = run_tool(tool, localedir, [], LC_ALL=UTF8_LOCALE)
    expect('no options, C.UTF-8', err,
           'gst-colo-compare: error: --primary-in is required (see --help)')


def main():
    check, top = sys.argv[1], sys.argv[2]
    if check == 'pot':
        check_pot(top)
    elif check == 'complete':
        check_complete(top)
    elif check == 'tool':
        check_tool(top, sys.argv[3], sys.argv[4])
    else:
        fail('unknown check %r' % check)


if __name__ == '__main__':
    main()
