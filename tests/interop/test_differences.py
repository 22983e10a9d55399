#!/usr/bin/python3
# Where gst-colo deliberately differs from QEMU's colo-compare
# (docs/qemu-differences.md): each test drives both with the same traffic
# and asserts QEMU's observed behaviour and ours.  Test names carry the
# quirk number or the topic used in the note.

import struct

from frames import (icmp_echo, ip_raw, pad, tcp, udp, udp6)
from harness import SLOW
from scenario import InteropTestCase, main, run_both

ISN = 0x3000_0000
ACK = 0x4000_0000
# Where a stale request must not come, listen this long for one
# (compare_timeout is 200 ms).
STALE_BOUND = 2.0 * SLOW
DATA = bytes((i * 13 + 1) & 0xff for i in range(2000))


def udp_fast(sport, dport, payload):
    """udp() without scapy's per-frame cost, for thousands of frames:
    a template with a zero (absent) UDP checksum and patched ports."""
    global _UDP_TEMPLATE
    if _UDP_TEMPLATE is None:
        _UDP_TEMPLATE = bytearray(udp(0, 0, payload))
        struct.pack_into(">H", _UDP_TEMPLATE, 40, 0)
    f = bytearray(_UDP_TEMPLATE)
    struct.pack_into(">HH", f, 34, sport, dport)
    return bytes(f)


_UDP_TEMPLATE = None


def seg(off, data, ack=ACK, flags="PA", **kw):
    return tcp(80, 40000, ISN + off, ack, data, flags=flags, **kw)


def ack_ahead_scenario(pri, sec, sec_ack, requested):
    """The primary's segments acknowledge more than the secondary's: what
    is released at first (and whether a checkpoint is requested, as
    requested says per implementation), then after the secondary's ACK
    catches up."""
    def scenario(c):
        c.send_primary(*pri)
        c.send_secondary(*sec)
        first = c.barrier()
        checkpoint = c.checkpoint_requested(c.pick(**requested))
        c.send_secondary(sec_ack)
        return {"first": first, "checkpoint": checkpoint,
                "after_secondary_ack": c.barrier()}
    return scenario


class Differences(InteropTestCase):

    def test_q1_q2_primary_ack_ahead_resegmented(self):
        # The primary's segments acknowledge 100 bytes more than the
        # secondary has yet.  QEMU compares the data, sees ack > min(acks)
        # and requests a checkpoint (Q2); we wait for the secondary's ACK.
        pri = [seg(0, DATA[:1000], ack=ACK + 100),
               seg(1000, DATA[1000:], ack=ACK + 100)]
        sec = [seg(0, DATA, ip_id=7)]
        sec_ack = seg(2000, b"", ack=ACK + 100, flags="A", ip_id=8)
        requested = dict(qemu=True, gst=False)
        r = run_both(ack_ahead_scenario(pri, sec, sec_ack, requested))
        self.expect(r, "first", [])
        self.expect_each(r, "checkpoint", **requested)
        self.expect(r, "after_secondary_ack", pri)

    def test_q1_q2_primary_ack_ahead_same_segmentation(self):
        # Same cut on both sides: QEMU's equal-segment path never looks at
        # the ACK and releases at once; we hold the segment until the
        # secondary has acknowledged as much.
        pri = [seg(0, DATA, ack=ACK + 100)]
        sec = [seg(0, DATA, ip_id=7)]
        sec_ack = seg(2000, b"", ack=ACK + 100, flags="A", ip_id=8)
        r = run_both(ack_ahead_scenario(pri, sec, sec_ack,
                                        dict(qemu=False, gst=False)))
        self.expect_each(r, "first", qemu=pri, gst=[])
        self.expect(r, "checkpoint", False)
        self.expect_each(r, "after_secondary_ack", qemu=[], gst=pri)

    def test_q1_ack_wrap(self):
        # The primary has acknowledged 0x20 bytes more than the secondary,
        # across the 2^32 wrap (primary ack 0x10, secondary 0xfffffff0),
        # segments cut differently.  QEMU takes MIN(0x10, 0xfffffff0) =
        # 0x10, the primary's own ack, so it sees nothing ahead and
        # releases at once (without the wrap it requests a checkpoint, see
        # above).  With serial-number arithmetic we see the primary ahead
        # and wait for the secondary's ACK, as without the wrap.
        pri = [seg(0, DATA[:1000], ack=0x10),
               seg(1000, DATA[1000:], ack=0x10)]
        sec = [seg(0, DATA, ack=0xFFFF_FFF0, ip_id=7)]
        sec_ack = seg(2000, b"", ack=0x10, flags="A", ip_id=8)

        r = run_both(ack_ahead_scenario(pri, sec, sec_ack,
                                        dict(qemu=False, gst=False)))
        self.expect_each(r, "first", qemu=pri, gst=[])
        self.expect(r, "checkpoint", False)
        self.expect_each(r, "after_secondary_ack", qemu=[], gst=pri)

    def test_q3_udp_primary_queued_before_secondary(self):
        # Two primary datagrams wait for the secondary.  QEMU takes the
        # newest primary first (LIFO), misses, requests a checkpoint, and
        # releases them reordered; we match first in first out.
        p1, p2 = udp(5000, 53, b"first"), udp(5000, 53, b"second")
        requested = dict(qemu=True, gst=False)

        def scenario(c):
            c.send_primary(p1, p2)
            c.primary_barrier()
            c.send_secondary(udp(5000, 53, b"first", ip_id=9),
                             udp(5000, 53, b"second", ip_id=10))
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested(
                        c.pick(**requested))}
        r = run_both(scenario)
        # one connection: the order per connection is the whole order
        self.expect_each(r, "released", qemu=[p2, p1], gst=[p1, p2])
        self.expect_each(r, "checkpoint", **requested)

    def test_q3_checkpoint_flush_order_udp(self):
        # A checkpoint flushes queued datagrams newest first in QEMU, in
        # the order the primary sent them in ours.
        pri = [icmp_echo(3, n, b"echo %d" % n) for n in range(3)]

        def scenario(c):
            c.send_primary(*pri)
            c.primary_barrier()
            c.checkpoint_done()
            c.wait_released(3)
            return {"flushed": c.barrier()}
        r = run_both(scenario)
        self.expect_each(r, "flushed", qemu=pri[::-1], gst=pri)

    def test_q4_output_blocked(self):
        # outdev stops being read while 160 matching 50 kB segments are
        # compared (8 MB: more than the socket buffers hold).  QEMU queues
        # what it cannot write and sends the backlog newest first once
        # outdev drains; we release in sequence order.
        size, n = 50000, 160
        pri = [seg(i * size, bytes([i & 0xff]) * size) for i in range(n)]

        def scenario(c):
            c.pause_output()
            c.send_primary(*pri)
            c.send_secondary(*pri)
            # Every frame read and compared while outdev is blocked (QEMU
            # never stops reading, we only above 16 MiB per input), so
            # QEMU's backlog holds many frames when outdev drains.
            c.wait_inputs_read()
            c.resume_output()
            c.wait_released(n)
            released = c.take_released()
            return {"released": released,
                    "in_order": [r.frame for r in released] == pri}
        r = run_both(scenario, out_rcvbuf=4096)
        self.expect_each(r, "in_order", qemu=False, gst=True)
        # nothing lost or duplicated: only the order differs
        for impl, obs in r.items():
            self.assertEqual(sorted(x.frame for x in obs["released"]),
                             sorted(pri), impl)

    def test_q5_queue_overflow(self):
        # max_queue_size=3 and five primary segments with no secondary:
        # QEMU queues four (off by one), drops the fifth silently and asks
        # for nothing; we ask for a checkpoint (queue-full) and lose none.
        pri = [seg(i * 100, DATA[i * 100:(i + 1) * 100]) for i in range(5)]
        requested = dict(qemu=False, gst=True)

        def scenario(c):
            c.send_primary(*pri)
            held = c.primary_barrier()
            checkpoint = c.checkpoint_requested(c.pick(**requested))
            c.checkpoint_done()
            c.wait_released(4)
            return {"held": held, "checkpoint": checkpoint,
                    "flushed": c.barrier()}
        r = run_both(scenario, max_queue_size=3)
        self.expect(r, "held", [])
        self.expect_each(r, "checkpoint", **requested)
        self.expect_each(r, "flushed", qemu=pri[:4], gst=pri)

    def test_q6_sigterm_with_queued_primary(self):
        # QEMU's finalize detaches outdev before it flushes: a queued
        # primary frame is lost at exit.  We release it, then exit 0.
        frame = udp(5000, 53, b"queued at exit")

        def scenario(c):
            c.send_primary(frame)
            c.primary_barrier()
            return {"at_exit": c.terminate()}
        r = run_both(scenario)
        self.expect_each(r, "at_exit", qemu=[], gst=[frame])

    def test_q8_udp_ethernet_padding(self):
        # Same datagram, padded to the 60-byte minimum by one side only.
        # QEMU compares frame lengths and padding; we compare the IP
        # payload within the IP length.
        pri = udp(5000, 53, b"tiny")
        sec = pad(udp(5000, 53, b"tiny", ip_id=9), 60)
        requested = dict(qemu=True, gst=False)

        def scenario(c):
            c.send_primary(pri)
            c.send_secondary(sec)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested(
                        c.pick(**requested))}
        r = run_both(scenario)
        self.expect_each(r, "released", qemu=[], gst=[pri])
        self.expect_each(r, "checkpoint", **requested)

    def test_pure_ack_without_secondary_traffic(self):
        # QEMU looks at a primary TCP segment only once the secondary has
        # something queued on that connection: a lone pure ACK waits.  We
        # release it at once.
        ack = seg(0, b"", flags="A")
        sec_ack = seg(0, b"", flags="A", ip_id=5)

        def scenario(c):
            c.send_primary(ack)
            alone = c.primary_barrier()
            c.send_secondary(sec_ack)
            return {"alone": alone, "after_secondary": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect_each(r, "alone", qemu=[], gst=[ack])
        self.expect_each(r, "after_secondary", qemu=[ack], gst=[])
        self.expect(r, "checkpoint", False)

    def test_retransmission_from_primary_only(self):
        # Data already compared is sent again by the primary alone.  QEMU
        # holds it until the secondary sends anything on that connection;
        # we release it at once.
        first = seg(0, DATA[:500])
        again = seg(0, DATA[:500], ip_id=2)
        sec_next = seg(500, b"", flags="A", ip_id=9)

        def scenario(c):
            c.send_primary(first)
            c.send_secondary(seg(0, DATA[:500], ip_id=8))
            c.barrier()
            c.send_primary(again)
            alone = c.primary_barrier()
            c.send_secondary(sec_next)
            return {"alone": alone, "after_secondary": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect_each(r, "alone", qemu=[], gst=[again])
        self.expect_each(r, "after_secondary", qemu=[again], gst=[])
        self.expect(r, "checkpoint", False)

    def test_fin_against_rst(self):
        # Same data, then the primary closes with FIN and the secondary
        # with RST.  QEMU never compares flags (no payload: released); we
        # compare them and request a checkpoint.
        data_p, data_s = seg(0, DATA[:100]), seg(0, DATA[:100], ip_id=4)
        fin = seg(100, b"", flags="FA")
        rst = seg(100, b"", flags="R", ip_id=5)
        requested = dict(qemu=False, gst=True)

        def scenario(c):
            c.send_primary(data_p, fin)
            c.send_secondary(data_s, rst)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested(
                        c.pick(**requested))}
        r = run_both(scenario)
        self.expect_each(r, "released", qemu=[data_p, fin], gst=[data_p])
        self.expect_each(r, "checkpoint", **requested)

    def _uncompared_in_qemu(self, pri, sec, **kw):
        # QEMU forwards the primary frame at once without comparing and
        # drops the secondary's; we compare like IPv4 UDP.
        requested = dict(qemu=False, gst=True)

        def scenario(c):
            c.send_primary(pri)
            alone = c.primary_barrier()
            c.send_secondary(sec)
            return {"alone": alone, "after_secondary": c.barrier(),
                    "checkpoint": c.checkpoint_requested(
                        c.pick(**requested))}
        r = run_both(scenario)
        self.expect_each(r, "alone", qemu=[pri], gst=[])
        self.expect_each(r, "after_secondary", qemu=[], gst=[])
        self.expect_each(r, "checkpoint", **requested)

    def test_ipv6_compared(self):
        self._uncompared_in_qemu(udp6(5000, 53, b"six"),
                                 udp6(5000, 53, b"SIX", hlim=9))

    def test_vlan_8021q_compared(self):
        self._uncompared_in_qemu(udp(5000, 53, b"tagged", vlan=10),
                                 udp(5000, 53, b"TAGGED", vlan=10))

    def test_other_ip_protocol_whole_frame(self):
        # GRE with equal payload, other IP ID and TTL.  QEMU compares the
        # whole frame, IP header included, and requests a checkpoint; we
        # compare the IP payload.
        pri = ip_raw(47, b"\0\0\x08\0gre payload", ip_id=1, ttl=64)
        sec = ip_raw(47, b"\0\0\x08\0gre payload", ip_id=2, ttl=63)
        requested = dict(qemu=True, gst=False)

        def scenario(c):
            c.send_primary(pri)
            c.send_secondary(sec)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested(
                        c.pick(**requested))}
        r = run_both(scenario)
        self.expect_each(r, "released", qemu=[], gst=[pri])
        self.expect_each(r, "checkpoint", **requested)

    def test_q7_connection_table_wipe(self):
        # One primary datagram waits; then 16386 other connections each
        # get a matching pair.  QEMU wipes its whole table, queued frames
        # included, when a new connection comes while it holds more than
        # 16384: the waiting frame is always lost, and so are whichever
        # pairs were half-read at that moment (how many depends on the
        # read interleaving: only "at least one" is asserted).  We lose
        # nothing.
        #
        # The pairs go in chunks, each closed by a barrier, so that the
        # scenario cannot fail at random.  A frame whose twin was wiped
        # makes a connection of its own when it is read; sent in one
        # piece, up to 16384 such frames could come after the wipe and
        # wipe the table again, the barrier with them.  A chunk's barrier
        # is read after the whole chunk on each input, so the wipe (which
        # comes at a new connection, that is before both halves of some
        # pair of the chunk are in) cannot take it; after the wipe, at
        # most one chunk of half-read pairs, the rest of the pairs and
        # the barriers make new connections: far fewer than 16385, so
        # QEMU wipes exactly once.
        waiting = udp(1, 1, b"waits for a checkpoint")
        pairs = [udp_fast(2 + n // 60000, 2 + n % 60000, b"pair")
                 for n in range(16386)]
        chunk = 2048

        def scenario(c):
            c.send_primary(waiting)
            c.primary_barrier()
            matched = []
            for i in range(0, len(pairs), chunk):
                c.send_primary(*pairs[i:i + chunk])
                c.send_secondary(*pairs[i:i + chunk])
                matched += c.barrier()
            c.checkpoint()
            flushed = c.barrier()
            return {"waiting_flushed": any(r.frame == waiting
                                           for r in flushed),
                    "lost": 1 + len(pairs) - len(matched) - len(flushed)}
        r = run_both(scenario)
        self.expect_each(r, "waiting_flushed", qemu=False, gst=True)
        if "qemu" in r:
            self.assertGreaterEqual(r["qemu"]["lost"], 1)
        if "gst" in r:
            self.assertEqual(r["gst"]["lost"], 0)

    def test_resegmented_secondary_leftover_goes_stale(self):
        # Primary 1x2000, secondary 2x1000: all data matches.  QEMU keeps
        # the secondary's last segment queued after the match (it is only
        # dropped when the next primary segment comes), so it ages and
        # QEMU requests a checkpoint; we hold nothing.
        pri = [seg(0, DATA)]
        sec = [seg(0, DATA[:1000], ip_id=3), seg(1000, DATA[1000:], ip_id=4)]
        requested = dict(qemu=True, gst=False)

        def scenario(c):
            c.send_primary(*pri)
            c.send_secondary(*sec)
            released = c.barrier()
            return {"released": released,
                    "checkpoint": c.wait_checkpoint(c.answer_bound(
                        STALE_BOUND, **requested))}
        r = run_both(scenario, compare_timeout=200, expired_scan_cycle=50)
        self.expect(r, "released", pri)
        self.expect_each(r, "checkpoint", **requested)

    def test_qinq_8021ad(self):
        # 802.1ad (QinQ) is not rejected by QEMU's VLAN check: it parses
        # past both tags and compares the frame from 34 bytes in, which
        # here starts inside the IP header (addresses, UDP, payload).  We
        # compare the IP payload.  Both therefore match equal datagrams
        # and request a checkpoint on a payload divergence.
        same_p = udp(5000, 53, b"double tagged", qinq=(100, 10))
        same_s = udp(5000, 53, b"double tagged", qinq=(100, 10), ip_id=7)
        diff_p = udp(5001, 53, b"double tagged", qinq=(100, 10))
        diff_s = udp(5001, 53, b"DOUBLE tagged", qinq=(100, 10))

        def scenario(c):
            c.send_primary(same_p, diff_p)
            c.send_secondary(same_s, diff_s)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested(True)}
        r = run_both(scenario)
        self.expect(r, "released", [same_p])
        self.expect(r, "checkpoint", True)

    def test_do_checkpoint_repetition(self):
        # Two divergences on two connections before the answer: QEMU sends
        # DO_CHECKPOINT for each trigger, we once per episode.
        requests = dict(qemu=2, gst=1)

        def scenario(c):
            c.send_primary(udp(5001, 53, b"a"), udp(5002, 53, b"b"))
            c.send_secondary(udp(5001, 53, b"A"), udp(5002, 53, b"B"))
            c.barrier()
            return {"requests": c.checkpoint_requests(c.pick(**requests))}
        r = run_both(scenario)
        self.expect_each(r, "requests", **requests)


if __name__ == "__main__":
    main()
