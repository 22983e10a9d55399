# gst-colo interoperability suite: drives one comparator process.
#
# A Comparator is either QEMU's own colo-compare object ("qemu": a
# qemu-system-x86_64 with no machine, four socket chardevs, an iothread and
# colo-compare) or our program ("gst": gst-colo-compare, docs/gst-colo-compare.1), started
# with the same options.  The harness listens on four free 127.0.0.1 ports
# (bound to port 0, so parallel runs never collide) and the comparator
# connects to them: primary_in, secondary_in, outdev and notify_dev.
#
# Records: records.py; command lines: commands.py.
#
# All waits are bounded by timeouts that only serve as failure bounds.

import fcntl
import os
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import time

from commands import IMPLS, WRAPPER, command
from frames import arp_reply, udp
from records import Reader, encode

# GST_COLO_COMPARE_WRAPPER (a command prefix, e.g. valgrind's) runs
# gst-colo-compare under it; every bound below then stretches by SLOW.
SLOW = 10.0 if WRAPPER else 1.0

# Failure bounds (seconds).  Generous: reaching one is a failure, never
# the expected path.
START_TIMEOUT = 20.0 * SLOW
EVENT_TIMEOUT = 10.0 * SLOW
# How long to keep listening for a checkpoint request that must NOT come,
# after a barrier proved both inputs were read.  Measured on a loaded
# 2-CPU machine, DO_CHECKPOINT arrives at most 11 ms (gst-colo-compare)
# and 55 ms (QEMU, about 40 ms typically) after the barrier frame; this is
# a margin, not a timing assertion.
QUIET_PERIOD = 0.5 * SLOW
# How long to wait for an answer (a reply, a flush, a closed socket) that
# one implementation gives and the other must not: the margin for a late
# answer from the one that must not (see Comparator.answer_bound).
ANSWER_BOUND = 1.0 * SLOW

INIT = b"COLO_USERSPACE_PROXY_INIT"
INIT_REPLY = b"COLO_COMPARE_GET_XEN_INIT"
DO_CHECKPOINT = b"DO_CHECKPOINT"
COLO_CHECKPOINT = b"COLO_CHECKPOINT"

BARRIER_PORT = 7
WITNESS_PORT = 9


class Comparator:
    """One running comparator and the four sockets the harness holds.

    Options mirror QEMU's: compare_timeout and expired_scan_cycle in ms,
    max_queue_size, vnet (vnet_hdr_support / --vnet-hdr).  The defaults
    keep the stale check out of the way of scenarios that do not test it.
    """

    def __init__(self, impl, compare_timeout=60000, expired_scan_cycle=60000,
                 max_queue_size=None, vnet=False, handshake=True,
                 out_rcvbuf=None):
        assert impl in IMPLS
        self.impl = impl
        self.vnet = vnet
        self.opts = dict(compare_timeout=compare_timeout,
                         expired_scan_cycle=expired_scan_cycle,
                         max_queue_size=max_queue_size)
        self.handshake = handshake
        self.out_rcvbuf = out_rcvbuf
        self.proc = None
        self.socks = {}
        self._out_seen = 0
        self._ntf_seen = 0
        self._barrier_no = 0
        self._witness_no = 0
        self._logdir = tempfile.TemporaryDirectory(prefix="colo-interop-")

    # -- process -----------------------------------------------------------

    def start(self):
        listeners = {}
        for name in ("pri", "sec", "out", "ntf"):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if name == "out" and self.out_rcvbuf:
                # inherited by the accepted socket: lets outdev fill up
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                             self.out_rcvbuf)
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            s.settimeout(0.2)
            listeners[name] = s
        ports = {n: s.getsockname()[1] for n, s in listeners.items()}
        self.cmd = command(self.impl, ports, self.opts, self.vnet)
        self._stdout = open(os.path.join(self._logdir.name, "stdout"), "w+b")
        self._stderr = open(os.path.join(self._logdir.name, "stderr"), "w+b")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=self._stdout,
                                     stderr=self._stderr)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            for name, s in listeners.items():
                while True:
                    try:
                        conn, _ = s.accept()
                        break
                    except socket.timeout:
                        if self.proc.poll() is not None:
                            raise AssertionError(
                                "%s exited (%d) before connecting %s: %s"
                                % (self.impl, self.proc.returncode, name,
                                   self.log()))
                        if time.monotonic() > deadline:
                            raise AssertionError(
                                "%s did not connect %s within %gs"
                                % (self.impl, name, START_TIMEOUT))
                conn.setblocking(True)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.socks[name] = conn
        finally:
            for s in listeners.values():
                s.close()
        self.out = Reader(self.socks["out"], self.vnet)
        # Neither comparator puts a vnet word on what it sends on notify.
        self.ntf = Reader(self.socks["ntf"], False)
        self.out.start()
        self.ntf.start()
        if self.handshake:
            self.send_notify(INIT, vnet_word=self._notify_vnet_word())
            if not self.ntf.wait_for(
                    lambda r: any(x.payload == INIT_REPLY for x in r),
                    EVENT_TIMEOUT):
                raise AssertionError("%s did not answer %s: %s"
                                     % (self.impl, INIT, self.log()))
            self._ntf_seen = len(self.ntf.records)
        return self

    def stop(self):
        """Ends the comparator with SIGTERM; returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(EVENT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("%s ignored SIGTERM" % self.impl)
        for s in self.socks.values():
            s.close()
        self.out.join(EVENT_TIMEOUT)
        self.ntf.join(EVENT_TIMEOUT)
        self._stdout.close()
        self._stderr.close()
        return self.proc.returncode

    def close(self):
        """Teardown after a failure: never raises, kills what is left."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in self.socks.values():
            s.close()
        self._logdir.cleanup()

    def log(self):
        if not self._stderr.closed:
            self._stderr.flush()
        with open(self._stderr.name, "rb") as f:
            err = f.read().decode(errors="replace")
        with open(self._stdout.name, "rb") as f:
            out = f.read().decode(errors="replace")
        return "command: %s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.cmd), out, err)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- sending -------------------------------------------------------------

    def _record(self, payload, vnet_hdr):
        return encode(payload, vnet_hdr, self.vnet)

    def send_primary(self, *frames, vnet_hdr=b""):
        self.socks["pri"].sendall(
            b"".join(self._record(f, vnet_hdr) for f in frames))

    def send_secondary(self, *frames, vnet_hdr=b""):
        self.socks["sec"].sendall(
            b"".join(self._record(f, vnet_hdr) for f in frames))

    def send_notify(self, msg, vnet_word=None):
        """A notify record; vnet_word adds a be32 after the length, as QEMU
        expects on notify_dev when vnet_hdr_support=on (quirk Q9)."""
        rec = struct.pack(">I", len(msg))
        if vnet_word is not None:
            rec += struct.pack(">I", vnet_word)
        self.socks["ntf"].sendall(rec + msg)

    def _notify_vnet_word(self):
        # QEMU 7.2 parses notify_dev with the vnet word when
        # vnet_hdr_support=on (quirk Q9): only records carrying one reach
        # it.  gst-colo-compare never expects it (docs/gst-colo-compare.1).
        return 0 if self.impl == "qemu" and self.vnet else None

    def checkpoint_done(self):
        """Answers the checkpoint request as Xen's libxl does."""
        self.send_notify(COLO_CHECKPOINT, vnet_word=self._notify_vnet_word())

    def checkpoint(self):
        """checkpoint_done(), then waits until the comparator has carried it
        out.  The notify channel and the inputs are read independently: a
        frame sent right after the answer may be read before it and taken
        for a queued one (a secondary frame is then dropped, a primary one
        released uncompared).  So a witness, a primary datagram on a
        connection of its own, is queued first (an ARP frame after it
        proves that it was read) and the answer releases it.  Neither frame
        shows in what the other methods return.  Only where the comparator
        understands the answer (not QEMU's Q9 case)."""
        self._witness_no += 1
        witness = udp(WITNESS_PORT, WITNESS_PORT,
                      b"witness %d" % self._witness_no)
        arp = arp_reply(2000 + self._witness_no)
        self.send_primary(witness, arp,
                          vnet_hdr=b"\0" * 12 if self.vnet else b"")
        self._take_out(arp, "the witness's ARP frame")
        self.checkpoint_done()
        self._take_out(witness, "the checkpoint's witness")

    def _take_out(self, frame, what):
        """Waits for frame on outdev and removes it from the records."""
        start = self._out_seen
        if not self.out.wait_for(
                lambda r: any(x.frame == frame for x in r[start:]),
                EVENT_TIMEOUT):
            raise AssertionError("%s: %s not released within %gs\n%s"
                                 % (self.impl, what, EVENT_TIMEOUT,
                                    self.log()))
        with self.out.cond:
            frames = [x.frame for x in self.out.records]
            del self.out.records[frames.index(frame, start)]

    # -- observing -----------------------------------------------------------

    def pick(self, **per_impl):
        """This implementation's entry of per_impl (qemu=..., gst=...):
        what a scenario expects of it, where the two differ."""
        return per_impl[self.impl]

    def answer_bound(self, margin=ANSWER_BOUND, **expected):
        """The bound for a wait on an answer that only some
        implementations give; expected maps each implementation to whether
        it answers (answer_bound(qemu=False, gst=True)).  Where the answer
        must come, the failure bound (the wait returns as soon as it is
        there, so a slow machine cannot fail the test); where it must not,
        margin, how long a wrong answer is given to show up."""
        return EVENT_TIMEOUT if self.pick(**expected) else margin

    def barrier(self):
        released = self.try_barrier()
        if released is None:
            raise AssertionError("%s: outdev closed before barrier %d\n%s"
                                 % (self.impl, self._barrier_no, self.log()))
        return released

    def try_barrier(self):
        """barrier(), but returns None if outdev closes first (the
        comparator died).

        Sends one matching UDP pair on a connection of its own, on both
        inputs, and waits until it is released: both inputs were then read
        and compared up to here.  Returns the records released since the
        previous call (without the barrier)."""
        self._barrier_no += 1
        frame = udp(BARRIER_PORT, BARRIER_PORT,
                    b"barrier %d" % self._barrier_no)
        hdr = b"\0" * 12 if self.vnet else b""
        try:
            self.send_primary(frame, vnet_hdr=hdr)
            self.send_secondary(frame, vnet_hdr=hdr)
        except (ConnectionResetError, BrokenPipeError):
            pass        # died: outdev closes too (checked below)
        start = self._out_seen
        ok = self.out.wait_for(
            lambda r: any(x.frame == frame for x in r[start:]),
            EVENT_TIMEOUT)
        if not ok and self.out.eof:
            return None
        if not ok:
            raise AssertionError("%s: barrier %d not released within %gs\n%s"
                                 % (self.impl, self._barrier_no,
                                    EVENT_TIMEOUT, self.log()))
        with self.out.cond:
            new = self.out.records[start:]
        idx = [x.frame for x in new].index(frame)
        self._out_seen = start + idx + 1
        return new[:idx]

    def input_closed(self, name, timeout):
        """Whether the comparator closes its end of input socket `name`
        within timeout (it never sends anything there)."""
        s = self.socks[name]
        s.settimeout(timeout)
        try:
            return s.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        finally:
            s.settimeout(None)

    def primary_barrier(self):
        """Sends an ARP frame on the primary input alone and waits until it
        comes out: neither comparator can compare ARP, so both forward it
        at once, after every primary frame sent before it was read.
        Returns the records released before it, since the last barrier."""
        self._barrier_no += 1
        frame = arp_reply(1000 + self._barrier_no)
        self.send_primary(frame, vnet_hdr=b"\0" * 12 if self.vnet else b"")
        start = self._out_seen
        if not self.out.wait_for(
                lambda r: any(x.frame == frame for x in r[start:]),
                EVENT_TIMEOUT):
            raise AssertionError("%s: ARP barrier not released\n%s"
                                 % (self.impl, self.log()))
        with self.out.cond:
            new = self.out.records[start:]
        idx = [x.frame for x in new].index(frame)
        self._out_seen = start + idx + 1
        return new[:idx]

    def terminate(self):
        """SIGTERM, then everything released until outdev closes."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(EVENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s ignored SIGTERM" % self.impl)
        if not self.out.wait_eof(EVENT_TIMEOUT):
            raise AssertionError("%s exited, outdev still open" % self.impl)
        return self.take_released()

    def pause_output(self):
        """Stops reading outdev (after the record being read), so that the
        comparator's writes block once the socket buffers are full."""
        self.out.reading.clear()

    def _input_backlog(self):
        """Bytes sent on the primary and secondary sockets that the
        comparator has not read yet: our send queues, and its receive
        queues (/proc/net/tcp, the line of its end of each connection)."""
        pending = sum(struct.unpack("i", fcntl.ioctl(
            self.socks[n], termios.TIOCOUTQ, b"\0" * 4))[0]
            for n in ("pri", "sec"))
        theirs = set()
        for n in ("pri", "sec"):
            (ip, port) = self.socks[n].getpeername()
            theirs.add("%08X:%04X" % (struct.unpack(
                "<I", socket.inet_aton(ip))[0], port))
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] in theirs:
                    pending += int(fields[4].split(":")[1], 16)
                    theirs.discard(fields[1])
        if theirs:
            raise AssertionError("%s: input connections not in "
                                 "/proc/net/tcp" % self.impl)
        return pending

    def wait_inputs_read(self, timeout=EVENT_TIMEOUT):
        """Waits until the comparator has read everything sent on the
        primary and secondary inputs (nothing in our send queues nor in
        its receive queues); polls, bounded by timeout."""
        deadline = time.monotonic() + timeout
        while True:
            pending = self._input_backlog()
            if pending == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError("%s: %d input bytes not read in %gs"
                                     % (self.impl, pending, timeout))
            time.sleep(0.01)

    def resume_output(self):
        self.out.reading.set()

    def wait_released(self, n, timeout=EVENT_TIMEOUT):
        """Waits until n records were released since the last barrier or
        take; returns whether they were.  Consumes nothing."""
        start = self._out_seen
        return self.out.wait_for(lambda r: len(r) - start >= n, timeout)

    def released_now(self):
        with self.out.cond:
            return self.out.records[self._out_seen:]

    def take_released(self):
        """Everything released since the last barrier/take, consumed."""
        with self.out.cond:
            new = self.out.records[self._out_seen:]
            self._out_seen = len(self.out.records)
        return new

    def wait_checkpoint(self, timeout=EVENT_TIMEOUT):
        """Waits for a DO_CHECKPOINT not seen before; returns whether one
        came.  Consumes every notify record received so far."""
        start = self._ntf_seen
        ok = self.ntf.wait_for(
            lambda r: any(x.payload == DO_CHECKPOINT for x in r[start:]),
            timeout)
        with self.ntf.cond:
            self._ntf_seen = len(self.ntf.records)
        return ok

    def checkpoint_requested(self, expected=False, quiet=QUIET_PERIOD):
        """Whether a DO_CHECKPOINT came since the last look.  Call it after
        barrier().  expected: whether the scenario expects one from this
        implementation.  Where it does, waits for it up to the failure
        bound; where it does not, listens for the quiet period; returns as
        soon as one is there.  Consumes the notify records so far."""
        start = self._ntf_seen
        self.ntf.wait_for(
            lambda r: any(x.payload == DO_CHECKPOINT for x in r[start:]),
            EVENT_TIMEOUT if expected else quiet)
        with self.ntf.cond:
            new = self.ntf.records[start:]
            self._ntf_seen = len(self.ntf.records)
        others = [x.payload for x in new if x.payload != DO_CHECKPOINT]
        if others:
            raise AssertionError("%s sent unexpected notify records: %r"
                                 % (self.impl, others))
        return len(new) > 0

    def checkpoint_requests(self, expected=0):
        """Counts DO_CHECKPOINT records since the last look: waits for the
        expected number (up to the failure bound), then counts those that
        came before a notify_barrier().  Call it after barrier()."""
        start = self._ntf_seen
        self.ntf.wait_for(lambda r: len(r) - start >= expected,
                          EVENT_TIMEOUT)
        return self.notify_barrier()

    def notify_barrier(self):
        """Sends the handshake on notify_dev and waits for its answer; returns
        how many DO_CHECKPOINT records came before it since the last look
        (consumed).  Call it after barrier(): QEMU writes its requests from
        the thread that compares and reads notify_dev, so every request the
        frames before the barrier caused comes before the answer, however
        late the kernel delivers them; gst-colo-compare sends one request
        per episode, so none of it can come late."""
        start = self._ntf_seen
        self.send_notify(INIT, vnet_word=self._notify_vnet_word())
        if not self.ntf.wait_for(
                lambda r: any(x.payload == INIT_REPLY for x in r[start:]),
                EVENT_TIMEOUT):
            raise AssertionError("%s did not answer %s: %s"
                                 % (self.impl, INIT, self.log()))
        with self.ntf.cond:
            new = [x.payload for x in self.ntf.records[start:]]
        end = new.index(INIT_REPLY)
        self._ntf_seen = start + end + 1
        others = [x for x in new[:end] if x != DO_CHECKPOINT]
        if others:
            raise AssertionError("%s sent unexpected notify records: %r"
                                 % (self.impl, others))
        return end

    def wait_notify(self, payload, timeout=EVENT_TIMEOUT):
        """Waits for a notify record equal to payload, not seen before;
        returns whether it came.  Consumes the notify records so far."""
        start = self._ntf_seen
        ok = self.ntf.wait_for(
            lambda r: any(x.payload == payload for x in r[start:]), timeout)
        with self.ntf.cond:
            self._ntf_seen = len(self.ntf.records)
        return ok

    def notify_records(self):
        with self.ntf.cond:
            new = self.ntf.records[self._ntf_seen:]
            self._ntf_seen = len(self.ntf.records)
        return [x.payload for x in new]
