# gst-colo interoperability suite: the command lines of the two
# comparators, with the same options.
#
# "qemu": QEMU's own colo-compare object in a qemu-system-x86_64 with no
# machine, four client socket chardevs, an iothread and colo-compare.
# "gst": gst-colo-compare (docs/gst-colo-compare.1), optionally under a command prefix
# (GST_COLO_COMPARE_WRAPPER, e.g. valgrind).

import os
import shlex
import shutil

IMPLS = ("qemu", "gst")
WRAPPER = os.environ.get("GST_COLO_COMPARE_WRAPPER", "")


def qemu_binary():
    path = os.environ.get("QEMU", "qemu-system-x86_64")
    found = shutil.which(path)
    if not found:
        raise AssertionError(
            "%s not found: install Debian's qemu-system-x86 "
            "(scripts/install-deps.sh)" % path)
    return found


def gst_binary():
    path = os.environ.get("GST_COLO_COMPARE")
    if not path:
        raise AssertionError("GST_COLO_COMPARE is not set: run the suite "
                             "through meson test (suite interop)")
    if not os.access(path, os.X_OK):
        raise AssertionError("gst-colo-compare not built: %s" % path)
    return path


def command(impl, ports, opts, vnet):
    """The command line starting `impl` connected to ports (pri, sec,
    out, ntf), with QEMU's options: compare_timeout, expired_scan_cycle
    (ms), max_queue_size (None: default); vnet_hdr_support if vnet."""
    if impl == "qemu":
        cmd = [qemu_binary(), "-M", "none", "-nodefaults", "-display",
               "none", "-monitor", "none", "-serial", "none"]
        for name in ("pri", "sec", "out", "ntf"):
            cmd += ["-chardev", "socket,id=%s,host=127.0.0.1,port=%d"
                    % (name, ports[name])]
        obj = ("colo-compare,id=c0,primary_in=pri,secondary_in=sec,"
               "outdev=out,iothread=io1,notify_dev=ntf,"
               "compare_timeout=%d,expired_scan_cycle=%d"
               % (opts["compare_timeout"], opts["expired_scan_cycle"]))
        if opts["max_queue_size"] is not None:
            obj += ",max_queue_size=%d" % opts["max_queue_size"]
        if vnet:
            obj += ",vnet_hdr_support=on"
        return cmd + ["-object", "iothread,id=io1", "-object", obj]
    cmd = shlex.split(WRAPPER) + [gst_binary()]
    for opt, name in (("--primary-in", "pri"), ("--secondary-in", "sec"),
                      ("--outdev", "out"), ("--notify-dev", "ntf")):
        cmd += [opt, "tcp:127.0.0.1:%d" % ports[name]]
    cmd += ["--compare-timeout", str(opts["compare_timeout"]),
            "--expired-scan-cycle", str(opts["expired_scan_cycle"])]
    if opts["max_queue_size"] is not None:
        cmd += ["--max-queue-size", str(opts["max_queue_size"])]
    if vnet:
        cmd.append("--vnet-hdr")
    return cmd
