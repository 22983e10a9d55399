# gst-colo interoperability suite: QEMU's chardev record framing.
#
# Records on the packet sockets: be32 length, [be32 vnet_hdr_len when vnet
# headers are on], payload.  Notify records: be32 length + payload (Xen's
# userspace-proxy protocol), never with a vnet word from either comparator.

import os
import struct
import sys
import threading

from frames import describe

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
from qemurecord import encode  # noqa: E402  (re-exported)


class Record:
    """One record read from a packet socket."""

    def __init__(self, vnet_len, payload):
        self.vnet_len = vnet_len
        self.payload = payload

    @property
    def frame(self):
        return self.payload[self.vnet_len:]

    def __eq__(self, other):
        return (self.vnet_len, self.payload) == (other.vnet_len,
                                                 other.payload)

    def __repr__(self):
        return "Record(vnet=%d, %s)" % (self.vnet_len, describe(self.frame))


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class Reader(threading.Thread):
    """Reads whole records from one socket until EOF, in the background."""

    def __init__(self, sock, vnet):
        super().__init__(daemon=True)
        self.sock = sock
        self.vnet = vnet
        self.records = []
        self.eof = False
        self.cond = threading.Condition()
        self.reading = threading.Event()
        self.reading.set()

    def run(self):
        try:
            while True:
                self.reading.wait()
                head = recv_exact(self.sock, 4)
                if head is None:
                    break
                (length,) = struct.unpack(">I", head)
                vnet_len = 0
                if self.vnet:
                    word = recv_exact(self.sock, 4)
                    if word is None:
                        break
                    (vnet_len,) = struct.unpack(">I", word)
                payload = recv_exact(self.sock, length)
                if payload is None:
                    break
                with self.cond:
                    self.records.append(Record(vnet_len, payload))
                    self.cond.notify_all()
        except OSError:
            pass
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_for(self, predicate, timeout):
        """Waits until predicate(records) holds; returns whether it did."""
        with self.cond:
            return self.cond.wait_for(
                lambda: predicate(self.records) or self.eof, timeout) \
                and predicate(self.records)

    def wait_eof(self, timeout):
        with self.cond:
            return self.cond.wait_for(lambda: self.eof, timeout)
