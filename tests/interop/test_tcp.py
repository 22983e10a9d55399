#!/usr/bin/python3
# TCP scenarios where QEMU's colo-compare and gst-colo-compare must agree:
# the same frames released in the same per-connection order, and a
# checkpoint requested in the same cases.  The secondary's stream is
# seq-aligned with the primary's, as filter-rewriter makes it in real COLO.

from frames import tcp
from scenario import InteropTestCase, main, run_both

ISN = 0x1000_0000
ACK = 0x2000_0000
DATA = bytes((i * 7 + 3) & 0xff for i in range(3000))


def seg(off, data, ack=ACK, flags="PA", port=80, **kw):
    return tcp(port, 40000, ISN + off, ack, data, flags=flags, **kw)


def reseg(sizes, ip_id=1, **kw):
    """DATA cut into segments of the given sizes."""
    out, off = [], 0
    for n in sizes:
        out.append(seg(off, DATA[off:off + n], ip_id=ip_id, **kw))
        ip_id += 1
        off += n
    return out


class TcpAgreement(InteropTestCase):

    def _segmentation(self, psizes, ssizes):
        pri, sec = reseg(psizes), reseg(ssizes, ip_id=500, ttl=63)

        self.expect_all_released(pri, sec)

    def test_same_segmentation(self):
        self._segmentation([1000, 1000, 1000], [1000, 1000, 1000])

    def test_primary_one_segment_secondary_two(self):
        self._segmentation([3000], [1500, 1500])

    def test_primary_two_segments_secondary_one(self):
        self._segmentation([1500, 1500], [3000])

    def test_primary_one_segment_secondary_three(self):
        self._segmentation([3000], [1000, 1000, 1000])

    def test_sequence_wrap(self):
        # The stream crosses 2^32 inside the data, cut differently.
        base = 0xFFFF_FA00
        pri = [tcp(80, 40000, base, ACK, DATA[:1000]),
               tcp(80, 40000, (base + 1000) & 0xFFFF_FFFF, ACK,
                   DATA[1000:3000])]
        sec = [tcp(80, 40000, base, ACK, DATA[:1500], ip_id=5),
               tcp(80, 40000, (base + 1500) & 0xFFFF_FFFF, ACK,
                   DATA[1500:3000], ip_id=6)]

        self.expect_all_released(pri, sec)

    def test_options_and_headers_differ(self):
        # IP ID, TTL, window and TCP timestamps differ: payload is equal.
        pri = [seg(0, DATA[:1000], ip_id=1, ttl=64, window=500,
                   options=[("NOP", None), ("NOP", None),
                            ("Timestamp", (1000, 2000))]),
               seg(1000, DATA[1000:2000], ip_id=2, ttl=64, window=500,
                   options=[("NOP", None), ("NOP", None),
                            ("Timestamp", (1001, 2000))])]
        sec = [seg(0, DATA[:1000], ip_id=77, ttl=50, window=900,
                   options=[("NOP", None), ("NOP", None),
                            ("Timestamp", (555, 2000))]),
               seg(1000, DATA[1000:2000], ip_id=78, ttl=50, window=900)]

        self.expect_all_released(pri, sec)

    def test_primary_segments_out_of_order(self):
        pri = reseg([1000, 1000])

        def scenario(c):
            c.send_primary(pri[1], pri[0])
            c.send_secondary(*reseg([1000, 1000], ip_id=9))
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "released", pri)
        self.expect(r, "checkpoint", False)

    def test_retransmission_on_both_sides(self):
        pri = reseg([1000, 1000])
        again = seg(0, DATA[:1000], ip_id=3)

        def scenario(c):
            c.send_primary(*pri)
            c.send_secondary(*reseg([1000, 1000], ip_id=50))
            first = c.barrier()
            c.send_primary(again)
            c.send_secondary(seg(0, DATA[:1000], ip_id=52))
            return {"first": first, "retransmitted": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "first", pri)
        self.expect(r, "retransmitted", [again])
        self.expect(r, "checkpoint", False)

    def test_pure_acks_on_both_sides(self):
        pri = [seg(0, DATA[:500]), seg(500, b"", ack=ACK + 100, flags="A"),
               seg(500, DATA[500:1000], ack=ACK + 100)]
        sec = [seg(0, DATA[:500], ip_id=9),
               seg(500, b"", ack=ACK + 100, flags="A", ip_id=10),
               seg(500, DATA[500:1000], ack=ACK + 100, ip_id=11)]

        self.expect_all_released(pri, sec)

    def test_open_and_close_on_both_sides(self):
        # SYN, data, FIN from both guests (the secondary's sequence numbers
        # already rewritten): everything is released, nothing requested.
        def stream(ip_id):
            return [seg(-1, b"", ack=0, flags="S", ip_id=ip_id),
                    seg(0, DATA[:800], ip_id=ip_id + 1),
                    seg(800, b"", flags="FA", ip_id=ip_id + 2)]
        pri, sec = stream(1), stream(60)

        def scenario(c):
            for p, s in zip(pri, sec):
                c.send_primary(p)
                c.send_secondary(s)
            return {"released": c.barrier(),
                    "checkpoint": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "released", pri)
        self.expect(r, "checkpoint", False)

    def test_divergence_then_checkpoint(self):
        pri = reseg([1000, 1000, 1000])
        bad = bytearray(DATA[1000:2000])
        bad[10] ^= 0xff
        sec = [seg(0, DATA[:1000], ip_id=40), seg(1000, bytes(bad), ip_id=41)]
        after_p = seg(3000, b"after the checkpoint")
        after_s = seg(3000, b"after the checkpoint", ip_id=42)

        def scenario(c):
            c.send_primary(*pri)
            c.send_secondary(*sec)
            before = c.barrier()
            requested = c.wait_checkpoint()
            c.checkpoint_done()
            flushed = c.wait_released(2)
            flushed = c.barrier()
            c.notify_barrier()       # discard repeats before the flush
            c.send_primary(after_p)
            c.send_secondary(after_s)
            return {"before": before, "requested": requested,
                    "flushed": flushed, "after": c.barrier(),
                    "checkpoint_after": c.checkpoint_requested()}
        r = run_both(scenario)
        self.expect(r, "before", pri[:1])
        self.expect(r, "requested", True)
        self.expect(r, "flushed", pri[1:])
        self.expect(r, "after", [after_p])
        self.expect(r, "checkpoint_after", False)

    def test_several_connections_interleaved(self):
        a = [seg(0, DATA[:1000], port=81), seg(1000, DATA[1000:2000],
                                                 port=81)]
        b = [seg(0, DATA[:2000], port=82)]
        d = [seg(0, DATA[:700], port=83), seg(700, DATA[700:1400], port=83),
             seg(1400, DATA[1400:2100], port=83)]
        pri = [a[0], b[0], d[0], a[1], d[1], d[2]]
        sec = [seg(0, DATA[:2100], port=83, ip_id=5),
               seg(0, DATA[:1000], port=82, ip_id=6),
               seg(0, DATA[:1500], port=81, ip_id=7),
               seg(1000, DATA[1000:2000], port=82, ip_id=8),
               seg(1500, DATA[1500:2000], port=81, ip_id=9)]

        self.expect_all_released(pri, sec)


if __name__ == "__main__":
    main()
