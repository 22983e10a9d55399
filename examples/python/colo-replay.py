#!/usr/bin/python3
# gst-colo example: an application that owns the checkpoint decision.
#
# Replays what the primary and the secondary VM sent (two captures) through
# colocompare, the way a COLO manager would run it live: every
# "colo-checkpoint" request on the bus is answered by "checkpointing" (here:
# printing the request) and then emitting checkpoint-done, which releases
# the held primary frames.  Released frames go to a pcap file; the final
# counters are printed as JSON.
#
#   examples/python/colo-replay.py PRIMARY.pcap SECONDARY.pcap OUT.pcap
#
# Needs Debian's python3-gi and gir1.2-gstreamer-1.0 (run it with
# /usr/bin/python3), and the colo and colopcap plugins on GST_PLUGIN_PATH.

import json
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def structure_to_dict(s):
    return {s.nth_field_name(i): s.get_value(s.nth_field_name(i))
            for i in range(s.n_fields())}


def main(argv):
    if len(argv) != 4:
        print(f"usage: {argv[0]} PRIMARY.pcap SECONDARY.pcap OUT.pcap",
              file=sys.stderr)
        return 2
    Gst.init(None)

    pipeline = Gst.Pipeline.new("colo-replay")
    compare = Gst.ElementFactory.make("colocompare", "compare")
    if compare is None:
        print("colocompare not found: is the colo plugin on "
              "GST_PLUGIN_PATH?", file=sys.stderr)
        return 1
    sink = Gst.ElementFactory.make("colopcapsink")
    sink.set_property("location", argv[3])
    pipeline.add(compare)
    pipeline.add(sink)
    compare.link(sink)
    for location, pad in ((argv[1], "primary"), (argv[2], "secondary")):
        src = Gst.ElementFactory.make("colopcapsrc")
        src.set_property("location", location)
        pipeline.add(src)
        src.get_static_pad("src").link(compare.get_static_pad(pad))

    loop = GLib.MainLoop()
    result = {"code": 0, "checkpoints": 0}

    # An asynchronous bus watch runs in the main loop, not in the element's
    # streaming thread: the one place checkpoint-done may be emitted from.
    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT and msg.has_name(
                "colo-checkpoint"):
            request = structure_to_dict(msg.get_structure())
            print(json.dumps({"event": "checkpoint-request", **request}),
                  flush=True)
            # A real manager would now checkpoint the VMs (copy the
            # primary's state to the secondary) and then answer:
            result["checkpoints"] += 1
            compare.emit("checkpoint-done")
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print(f"error: {err.message} ({debug})", file=sys.stderr)
            result["code"] = 1
            loop.quit()
        return True

    bus = pipeline.get_bus()
    bus.add_watch(GLib.PRIORITY_DEFAULT, on_message)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    bus.remove_watch()

    stats = structure_to_dict(compare.get_property("stats"))
    print(json.dumps({"event": "stats", "checkpoints-done":
                      result["checkpoints"], **stats}), flush=True)
    return result["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
