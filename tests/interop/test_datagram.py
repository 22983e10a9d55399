#!/usr/bin/python3
# UDP, ICMP, non-IP and stale-packet scenarios where QEMU's colo-compare
# and gst-colo-compare must agree, with and without vnet headers.

from frames import VNET_HDR, arp_reply, icmp_echo, tcp, udp
from scenario import InteropTestCase, main, run_both


def q(n, port=5000, **kw):
    return udp(port, 53, b"datagram %d" % n + b"." * n, **kw)


class DatagramAgreement(InteropTestCase):

    def test_udp_in_order(self):
        # The secondary's frames are read first (a barrier proves it), so
        # each primary meets its twin on arrival: QEMU's LIFO quirk (Q3)
        # does not come into play here; test_differences shows it.
        pri = [q(i) for i in range(4)]
        sec = [q(i, ip_id=100 + i, ttl=30) for i in range(4)]

        def scenario(c):
            c.send_secondary(*sec)
            c.barrier()
            c.send_primary(*pri)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "released", pri)
        self.expect(r, "checkpoint", False)

    def test_udp_connections_interleaved(self):
        pri = [q(1, port=5001), q(2, port=5002), q(3, port=5003),
               icmp_echo(7, 1, b"ping")]
        sec = [icmp_echo(7, 1, b"ping", ip_id=3), q(3, port=5003),
               q(1, port=5001), q(2, port=5002)]

        self.expect_all_released(pri, sec)

    def _divergence(self, pri, sec, after_p, after_s):
        def scenario(c):
            c.send_primary(pri)
            c.send_secondary(sec)
            held = c.barrier()
            requested = c.wait_checkpoint()
            c.checkpoint_done()
            c.wait_released(1)
            flushed = c.barrier()
            c.notify_barrier()       # discard repeats before the flush
            c.send_primary(after_p)
            c.send_secondary(after_s)
            return {"held": held, "requested": requested, "flushed": flushed,
                    "after": c.barrier(),
                    "checkpoint_after": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "held", [])
        self.expect(r, "requested", True)
        self.expect(r, "flushed", [pri])
        self.expect(r, "after", [after_p])
        self.expect(r, "checkpoint_after", False)

    def test_udp_divergence_then_checkpoint(self):
        self._divergence(q(1), udp(5000, 53, b"datagram 1X"), q(2), q(2))

    def test_icmp_divergence_then_checkpoint(self):
        self._divergence(icmp_echo(9, 1, b"abcdef"),
                         icmp_echo(9, 1, b"abcdeg"),
                         icmp_echo(9, 2, b"next", ip_id=4),
                         icmp_echo(9, 2, b"next", ip_id=5))

    def test_icmp_match(self):
        pri = [icmp_echo(1, 1, b"x" * 56, ip_id=1, ttl=64)]
        sec = [icmp_echo(1, 1, b"x" * 56, ip_id=9, ttl=60)]

        self.expect_all_released(pri, sec)

    def test_arp_passes_through_from_primary_only(self):
        # ARP cannot be compared: primary's goes out at once, with no
        # secondary twin; secondary's is dropped.
        def scenario(c):
            c.send_primary(arp_reply(1))
            c.wait_released(1)
            alone = c.take_released()
            c.send_secondary(arp_reply(2))
            return {"alone": alone, "rest": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "alone", [arp_reply(1)])
        self.expect(r, "rest", [])
        self.expect(r, "checkpoint", False)

    def _stale(self, side):
        frame = q(1)

        def scenario(c):
            if side == "primary":
                c.send_primary(frame)
            else:
                c.send_secondary(frame)
            requested = c.wait_checkpoint()
            held = c.released_now()
            # the secondary case has nothing to show that the answer was
            # taken: without waiting, the barrier's secondary frame could
            # be read first and dropped with the queued one
            c.checkpoint()
            return {"requested": requested, "held": held,
                    "flushed": c.barrier()}
        r = run_both(scenario, compare_timeout=200, expired_scan_cycle=50)
        self.expect(r, "requested", True)
        self.expect(r, "held", [])
        self.expect(r, "flushed", [frame] if side == "primary" else [])

    def test_stale_primary(self):
        self._stale("primary")

    def test_stale_secondary(self):
        self._stale("secondary")

    def test_vnet_headers(self):
        # Every record carries a vnet word; the primary's 12-byte virtio-net
        # header comes out unchanged.  TCP is cut differently on each side,
        # and a UDP divergence is answered with COLO_CHECKPOINT.
        data = bytes(range(256)) * 8
        pri = [q(1), q(2, port=5002), arp_reply(3),
               tcp(80, 40000, 1000, 1, data)]
        sec = [q(1, ip_id=50), q(2, port=5002, ip_id=51),
               tcp(80, 40000, 1000, 1, data[:1000], ip_id=52),
               tcp(80, 40000, 2000, 1, data[1000:], ip_id=53)]
        bad_p, bad_s = q(3, port=5003), udp(5003, 53, b"differs")

        def scenario(c):
            c.send_primary(*pri, vnet_hdr=VNET_HDR)
            c.send_secondary(*sec, vnet_hdr=bytes(len(VNET_HDR)))
            released = c.barrier()
            c.send_primary(bad_p, vnet_hdr=VNET_HDR)
            c.send_secondary(bad_s, vnet_hdr=VNET_HDR)
            held = c.barrier()
            requested = c.wait_checkpoint()
            c.checkpoint_done()
            c.wait_released(1)
            return {"released": released, "held": held,
                    "requested": requested, "flushed": c.barrier()}
        r = run_both(scenario, vnet=True)
        v = len(VNET_HDR)
        self.expect(r, "released", [VNET_HDR + f for f in pri], vnet_len=v)
        self.expect(r, "held", [])
        self.expect(r, "requested", True)
        self.expect(r, "flushed", [VNET_HDR + bad_p], vnet_len=v)

if __name__ == "__main__":
    main()
