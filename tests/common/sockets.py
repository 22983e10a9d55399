# Socket and process helpers shared by the Python tests that drive
# gst-colo-compare over 127.0.0.1 (tests/tools, tests/ops, tests/soak).

import socket


class Failure(Exception):
    """What a test raises when the behaviour it checks is not there."""


def listener():
    """A listening socket on a free port of 127.0.0.1 (reusable at once: a
    test may listen on the port again while its connections are in
    TIME_WAIT)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def recv_exact(sock, n, what, timeout=None):
    """n bytes from sock (timeout: set on it first, else its own)."""
    buf = b""
    if timeout is not None:
        sock.settimeout(timeout)
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            raise Failure("timed out waiting for %s" % what)
        if not chunk:
            raise Failure("connection closed while waiting for %s" % what)
        buf += chunk
    return buf


def vm_rss(pid):
    """The resident set size of process pid, in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise Failure("no VmRSS for %d" % pid)
