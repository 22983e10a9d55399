# Free ports of 127.0.0.1 for the Python tests' listen endpoints.

import socket

_given_ports = set()


def free_port():
    """A port nobody listens on, never one this process gave out before:
    the kernel may hand a port out again once its socket is closed, and a
    program's endpoints must differ."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _given_ports:
            _given_ports.add(port)
            return port
