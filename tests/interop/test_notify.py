#!/usr/bin/python3
# The notify_dev channel (Xen's userspace-proxy protocol): handshake,
# unknown commands, checkpoint requests without a handshake, and QEMU's
# vnet asymmetry on that channel (quirk Q9).

from frames import VNET_HDR, udp
from harness import ANSWER_BOUND, COLO_CHECKPOINT, INIT, INIT_REPLY
from scenario import InteropTestCase, main, run_both


def diverge(c, port, vnet_hdr=b""):
    c.send_primary(udp(port, 53, b"primary says"), vnet_hdr=vnet_hdr)
    c.send_secondary(udp(port, 53, b"secondary says"), vnet_hdr=vnet_hdr)


class NotifyAgreement(InteropTestCase):

    def test_handshake_repeated(self):
        # The harness already did one handshake; a second one is answered
        # again.
        def scenario(c):
            c.send_notify(INIT)
            return {"answered": c.wait_notify(INIT_REPLY)}
        r = run_both(scenario)
        self.expect(r, "answered", True)

    def test_checkpoint_requested_without_handshake(self):
        def scenario(c):
            diverge(c, 5000)
            requested = c.wait_checkpoint()
            c.checkpoint_done()
            c.wait_released(1)
            return {"requested": requested, "flushed": c.barrier()}
        r = run_both(scenario, handshake=False)
        self.expect(r, "requested", True)
        self.expect(r, "flushed", [udp(5000, 53, b"primary says")])

    def test_unknown_command_is_ignored(self):
        # Only the exact record COLO_CHECKPOINT answers a request: QEMU
        # logs "unsupported instruction" for anything else and goes on;
        # so do we.  Nothing may be flushed before the real answer.
        def scenario(c):
            c.send_notify(b"HELLO")
            diverge(c, 5000)
            requested = c.wait_checkpoint()
            for junk in (b"COLO_CHECKPOINTS", b"COLO_CHECKPOIN",
                         b"colo_checkpoint", b""):
                c.send_notify(junk)
            c.wait_released(1, ANSWER_BOUND)
            held = c.barrier()
            c.checkpoint_done()
            c.wait_released(1)
            return {"requested": requested, "held": held,
                    "flushed": c.barrier()}
        r = run_both(scenario)
        self.expect(r, "requested", True)
        self.expect(r, "held", [])
        self.expect(r, "flushed", [udp(5000, 53, b"primary says")])


class NotifyVnetQ9(InteropTestCase):

    def test_q9_plain_notify_records_with_vnet_on(self):
        # vnet_hdr_support=on, and the notify peer speaks Xen's protocol
        # (no vnet word), as libxl does.  QEMU reads a vnet word there: it
        # takes "COLO" for one, never answers the handshake, and the
        # channel stays out of step, so COLO_CHECKPOINT never flushes.
        # DO_CHECKPOINT still goes out (QEMU adds no word when sending).
        # We never expect the word on notify (docs/gst-colo-compare.1, NOTIFY PROTOCOL).
        answers = dict(qemu=False, gst=True)

        def scenario(c):
            c.send_notify(INIT)
            answered = c.wait_notify(INIT_REPLY, c.answer_bound(**answers))
            diverge(c, 5000, vnet_hdr=VNET_HDR)
            requested = c.wait_checkpoint()
            c.send_notify(COLO_CHECKPOINT)
            c.wait_released(1, c.answer_bound(**answers))
            return {"answered": answered, "requested": requested,
                    "flushed": c.barrier()}
        r = run_both(scenario, vnet=True, handshake=False)
        self.expect_each(r, "answered", **answers)
        self.expect(r, "requested", True)
        frame = VNET_HDR + udp(5000, 53, b"primary says")
        self.expect_each(r, "flushed", qemu=[], gst=[frame],
                         vnet_len=len(VNET_HDR))

    def test_q9_notify_records_with_a_vnet_word(self):
        # The same records with a be32 vnet word after the length: QEMU
        # answers and flushes.  For us the word is garbage on the notify
        # socket: no answer, and the packet path goes on working.
        answers = dict(qemu=True, gst=False)

        def scenario(c):
            c.send_notify(INIT, vnet_word=0)
            answered = c.wait_notify(INIT_REPLY, c.answer_bound(**answers))
            c.send_primary(udp(5001, 53, b"same"), vnet_hdr=VNET_HDR)
            c.send_secondary(udp(5001, 53, b"same"), vnet_hdr=VNET_HDR)
            return {"answered": answered, "released": c.barrier()}
        r = run_both(scenario, vnet=True, handshake=False)
        self.expect_each(r, "answered", **answers)
        self.expect(r, "released", [VNET_HDR + udp(5001, 53, b"same")],
                    vnet_len=len(VNET_HDR))

    def test_q9_qemu_flushes_on_worded_colo_checkpoint(self):
        def scenario(c):
            diverge(c, 5000, vnet_hdr=VNET_HDR)
            requested = c.wait_checkpoint()
            c.checkpoint_done()    # with the word for QEMU, without for us
            c.wait_released(1)
            return {"requested": requested, "flushed": c.barrier()}
        r = run_both(scenario, vnet=True)
        self.expect(r, "requested", True)
        self.expect(r, "flushed", [VNET_HDR + udp(5000, 53, b"primary says")],
                    vnet_len=len(VNET_HDR))


if __name__ == "__main__":
    main()
