# QEMU's chardev socket framing, the one encoder of the Python tests
# (interop, tools, docs): be32 len, [be32 vnet_hdr_len when vnet headers
# are on], then len bytes: the virtio-net header and the frame.

import struct


def encode(payload, vnet_hdr=b"", vnet=False):
    """One record; vnet_hdr is the virtio-net header before the frame."""
    if vnet:
        return struct.pack(">II", len(payload) + len(vnet_hdr),
                           len(vnet_hdr)) + vnet_hdr + payload
    assert not vnet_hdr, "vnet header given with vnet headers off"
    return struct.pack(">I", len(payload)) + payload
