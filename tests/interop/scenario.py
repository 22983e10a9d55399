# gst-colo interoperability suite: runs one scenario against QEMU's
# colo-compare and against gst-colo-compare, and the assertions shared by
# the test files.
#
# A scenario is a function (comparator) -> dict of observations (lists of
# released Records, booleans, counts).  run_both() runs it on both
# implementations at once (one thread each, each with its own process and
# ports) and returns {impl: observations}.

import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

from frames import conn_key
from harness import IMPLS, Comparator
from records import Record


def selected_impls():
    """Both implementations.  INTEROP_IMPLS=qemu (or gst) narrows the run
    while developing; meson never sets it, and the suite says so."""
    env = os.environ.get("INTEROP_IMPLS")
    if not env:
        return IMPLS
    impls = tuple(i for i in env.split(",") if i)
    assert impls and all(i in IMPLS for i in impls), env
    return impls


def run(impl, scenario, **opts):
    c = Comparator(impl, **opts)
    try:
        c.start()
        obs = scenario(c)
        rc = c.stop()
        if impl == "gst":
            log = c.log()
            # docs/gst-colo-compare.1: SIGTERM releases what is queued and exits 0.
            assert rc == 0, "gst-colo-compare exited %s\n%s" % (rc, log)
            assert "CRITICAL" not in log, log
        return obs
    finally:
        c.close()


def run_both(scenario, **opts):
    impls = selected_impls()
    with ThreadPoolExecutor(len(impls)) as pool:
        futures = {i: pool.submit(run, i, scenario, **opts) for i in impls}
        return {i: f.result() for i, f in futures.items()}


def by_connection(records):
    """Records grouped per connection, each group in release order."""
    groups = {}
    for r in records:
        groups.setdefault(conn_key(r.frame), []).append(r)
    return groups


def _show(records):
    return "\n".join("  " + repr(r) for r in records) or "  (none)"


class InteropTestCase(unittest.TestCase):
    maxDiff = None

    def assertReleased(self, impl, got, expected, vnet_len=0):
        """got (Records) holds exactly the expected frames, byte for byte,
        in the expected order within each connection."""
        want = [f if isinstance(f, Record) else Record(vnet_len, f)
                for f in expected]
        g, w = by_connection(got), by_connection(want)
        if g != w:
            self.fail("%s released\n%s\nexpected (order per connection)\n%s"
                      % (impl, _show(got), _show(want)))

    def assertAgree(self, results, key):
        """Both implementations observed the same thing for key (released
        records compared per connection, in order)."""
        if len(results) < 2:
            return
        vals = {}
        for impl, obs in results.items():
            v = obs[key]
            vals[impl] = by_connection(v) if isinstance(v, list) else v
        a, b = vals["qemu"], vals["gst"]
        if a != b:
            self.fail("QEMU and gst-colo-compare disagree on %s:\nqemu: %r\n"
                      "gst: %r" % (key, results["qemu"][key],
                                   results["gst"][key]))

    def expect(self, results, key, expected, vnet_len=0):
        """Every implementation observed `expected` for key, and they
        agree."""
        for impl, obs in results.items():
            if isinstance(expected, list):
                self.assertReleased(impl, obs[key], expected, vnet_len)
            else:
                self.assertEqual(obs[key], expected,
                                 "%s: %s" % (impl, key))
        self.assertAgree(results, key)

    def expect_all_released(self, pri, sec, **opts):
        """The common case: the primary sends pri, the secondary sec; both
        implementations release every primary frame (per connection, in
        order) and request no checkpoint."""
        def scenario(c):
            c.send_primary(*pri)
            c.send_secondary(*sec)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario, **opts)
        self.expect(r, "released", pri)
        self.expect(r, "checkpoint", False)

    def expect_each(self, results, key, qemu, gst, vnet_len=0):
        """A deliberate difference (docs/qemu-differences.md): QEMU's
        observed behaviour and ours, each asserted."""
        for impl, want in (("qemu", qemu), ("gst", gst)):
            if impl not in results:
                continue
            got = results[impl][key]
            if isinstance(want, list):
                self.assertReleased(impl, got, want, vnet_len)
            else:
                self.assertEqual(got, want, "%s: %s" % (impl, key))


def main():
    print("interop: implementations %s" % ",".join(selected_impls()),
          file=sys.stderr)
    unittest.main(verbosity=2)
